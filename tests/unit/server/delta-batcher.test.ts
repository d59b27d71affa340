/**
 * How live-state publications are merged before they go to clients: one batch per window, the
 * window counted from when each step happened, so a step that waited for its records to be
 * stored is not held back a whole window more.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { DeltaBatcher } from '../../../src/core/server/delta-batcher'

beforeEach(() => {
  vi.useFakeTimers({ now: 0 })
})
afterEach(() => {
  vi.useRealTimers()
})

function batcher() {
  const sent: { at: number; batch: string[] }[] = []
  const b = new DeltaBatcher<string>(
    (batch) => sent.push({ at: Date.now(), batch }),
    () => Date.now(),
  )
  return { b, sent }
}

describe('the delta batcher', () => {
  it('merges what arrives within the window into one batch, sent when the first is due', () => {
    const { b, sent } = batcher()
    b.add(['a'], 10)
    vi.advanceTimersByTime(4)
    b.add(['b', 'c'], 14)
    vi.advanceTimersByTime(5)
    expect(sent).toEqual([])
    vi.advanceTimersByTime(1)
    expect(sent).toEqual([{ at: 10, batch: ['a', 'b', 'c'] }])
    b.add(['d'], 30)
    vi.advanceTimersByTime(20)
    expect(sent.at(-1)).toEqual({ at: 30, batch: ['d'] })
  })

  it('sends at once what was due while it waited elsewhere (its records being stored)', () => {
    const { b, sent } = batcher()
    // A step at 0 with a 10 ms window, whose records took 25 ms to store.
    vi.advanceTimersByTime(25)
    b.add(['late'], 10)
    vi.advanceTimersByTime(0)
    expect(sent).toEqual([{ at: 25, batch: ['late'] }])
  })

  it('sends nothing after it is closed', () => {
    const { b, sent } = batcher()
    b.add(['a'], 10)
    b.close()
    vi.advanceTimersByTime(100)
    expect(sent).toEqual([])
  })
})
