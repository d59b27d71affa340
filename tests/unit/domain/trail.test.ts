/**
 * The compact form routing decisions are stored in: one character per queue member, expanded
 * into readable skipped-member entries when someone reads the trail.
 */
import { describe, expect, it } from 'vitest'
import { skipReasons } from '../../../src/shared/model'
import {
  expandEntry,
  skipCode,
  storedReasons,
  trailFromJson,
  trailJson,
  type CompactDecision,
} from '../../../src/core/domain/trail'
import type { TrailEntry } from '../../../src/shared/model'

describe('stored offer decisions', () => {
  it('keep every member’s reason code, for queues of any size', () => {
    for (const size of [0, 1, 25, 4096, 4097, 10_000]) {
      const codes = new Uint8Array(size)
      for (let i = 0; i < size; i++) codes[i] = (i * 7) % (skipReasons.length + 1)
      const text = storedReasons(codes)
      expect(text).toHaveLength(size)
      expect(Array.from(text, (c) => c.charCodeAt(0))).toEqual([...codes])
    }
  })

  it('expand into the members skipped and why, in member order', () => {
    const codes = new Uint8Array([0, skipCode.paused, 0, skipCode['wrap-up']])
    const entry = expandEntry({
      kind: 'no-agent',
      at: 1000,
      queueId: 'q',
      strategy: 'linear',
      rankedBy: 'position',
      members: ['a', 'b', 'c', 'd'],
      reasons: storedReasons(codes),
      ranked: [],
      values: [],
      chosen: [],
    })
    expect(entry).toEqual({
      kind: 'no-agent',
      at: 1000,
      queueId: 'q',
      strategy: 'linear',
      skipped: [
        { userId: 'b', reason: 'paused' },
        { userId: 'd', reason: 'wrap-up' },
      ],
    })
  })
})

describe('trails in the database', () => {
  const members = Array.from({ length: 50 }, (_, i) => `agent${200 + i}`)
  const codes = new Uint8Array(members.length)
  for (let i = 0; i < codes.length; i++) codes[i] = i % 3 === 0 ? 0 : (i % skipReasons.length) + 1
  const decision: CompactDecision = {
    kind: 'offer',
    at: 1000,
    queueId: 'q',
    strategy: 'longest-idle',
    rankedBy: 'idle-ms',
    members,
    reasons: storedReasons(codes),
    ranked: [3, 0, 6],
    values: [9000, 4000, 10],
    chosen: [3],
  }
  const others: TrailEntry[] = [
    { kind: 'route', at: 900, dialed: '+4722000000', to: null, note: 'queue q' },
    { kind: 'pick', at: 1200, userId: 'agent203', queueId: 'q' },
  ]

  it('are read back as the expanded entries, every member with its reason', () => {
    const stored = [others[0]!, decision, others[1]!]
    expect(trailFromJson(trailJson(stored))).toEqual([others[0], expandEntry(decision), others[1]])
    const offer = expandEntry(decision)
    expect(offer.kind === 'offer' && offer.skipped).toHaveLength(33)
  })

  it('keep decisions compact: half the expanded size or less', () => {
    const compact = trailJson([decision]).length
    const expanded = JSON.stringify([expandEntry(decision)]).length
    expect(compact * 2).toBeLessThanOrEqual(expanded)
  })

  it('written expanded (as before the compact form) are read as they were written', () => {
    const expanded = [expandEntry(decision), ...others]
    expect(trailFromJson(JSON.stringify(expanded))).toEqual(expanded)
    expect(trailFromJson(trailJson(expanded))).toEqual(expanded)
  })
})
