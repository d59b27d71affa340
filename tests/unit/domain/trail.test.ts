/**
 * The compact form routing decisions are stored in: one character per queue member, expanded
 * into readable skipped-member entries when someone reads the trail.
 */
import { describe, expect, it } from 'vitest'
import { skipReasons } from '../../../src/shared/model'
import { expandEntry, skipCode, storedReasons } from '../../../src/core/domain/trail'

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
