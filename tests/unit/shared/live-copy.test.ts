import { describe, expect, it } from 'vitest'
import { LiveCopy } from '../../../src/shared/live-copy'
import type { CallView } from '../../../src/shared/model'
import type { StateSnapshot } from '../../../src/shared/protocol'

const call = (id: string, state: CallView['state'] = 'queued') => ({ id, state }) as CallView

function snapshot(over: Partial<StateSnapshot> = {}): StateSnapshot {
  return {
    me: {} as StateSnapshot['me'],
    at: 0,
    streams: { calls: 3, 'queue:a': 1 },
    users: [],
    agents: [],
    queues: [],
    calls: [call('c1')],
    missed: [],
    callStreams: { c1: ['calls', 'queue:a'] },
    missedStreams: {},
    ...over,
  }
}

describe('a client’s live copy', () => {
  it('keeps a call that leaves one stream while another still has it', () => {
    const copy = new LiveCopy(snapshot())
    expect(
      copy.apply({
        stream: 'queue:a',
        seq: 2,
        at: 1,
        deltas: [{ entity: 'call', op: 'remove', companyId: 'x', id: 'c1' }],
      }),
    ).toBe(true)
    expect(Object.hasOwn(copy.data.calls, 'c1')).toBe(true)
    expect(
      copy.apply({
        stream: 'calls',
        seq: 4,
        at: 2,
        deltas: [{ entity: 'call', op: 'remove', companyId: 'x', id: 'c1' }],
      }),
    ).toBe(true)
    expect(Object.hasOwn(copy.data.calls, 'c1')).toBe(false)
  })

  it('reports a gap instead of applying a delta out of order, and ignores a replay', () => {
    const copy = new LiveCopy(snapshot())
    const upsert = (seq: number, id: string) => ({
      stream: 'calls',
      seq,
      at: 1,
      deltas: [{ entity: 'call' as const, op: 'upsert' as const, companyId: 'x', call: call(id) }],
    })
    expect(copy.apply(upsert(5, 'c9'))).toBe(false)
    expect(Object.hasOwn(copy.data.calls, 'c9')).toBe(false)
    expect(copy.apply(upsert(4, 'c2'))).toBe(true)
    expect(copy.apply(upsert(4, 'c3'))).toBe(true) // seq 4 again: already applied
    expect(Object.keys(copy.data.calls).sort()).toEqual(['c1', 'c2'])
    expect(copy.seqs.calls).toBe(4)
  })

  it('a removed user takes their agent state along', () => {
    const copy = new LiveCopy(
      snapshot({
        streams: { company: 0 },
        users: [{ id: 'u1' } as StateSnapshot['users'][number]],
        agents: [{ userId: 'u1' } as StateSnapshot['agents'][number]],
      }),
    )
    copy.apply({
      stream: 'company',
      seq: 1,
      at: 1,
      deltas: [{ entity: 'user', op: 'remove', companyId: 'x', id: 'u1' }],
    })
    expect(Object.keys(copy.data.users).length + Object.keys(copy.data.agents).length).toBe(0)
  })
})
