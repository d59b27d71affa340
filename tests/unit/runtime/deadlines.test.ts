/**
 * Deadlines the runtime no longer wakes up for: those of calls that have ended. A deadline
 * stays queued when its call ends (the engine deletes lazily); firing it does nothing, but it
 * cost the runtime a timer and a step each, at the pace calls end.
 */
import { describe, expect, it } from 'vitest'
import { dropStaleDeadlines, nextDeadline } from '../../../src/core/domain/engine'
import { company, queue, user } from '../../helpers/company'
import { Harness } from '../../helpers/harness'
import { simulatedCore } from '../../helpers/sim-core'

const Q = '+4722000000'

describe('deadlines of ended calls', () => {
  it('are dropped from the front of the queue, up to the first that still matters', () => {
    const h = new Harness(
      company({
        users: [user('anna'), user('bo')],
        queues: [queue('q', ['anna'], { numbers: [Q], ringTimeoutSeconds: 15 })],
      }),
    )
    // The first caller is answered and hangs up: a ring timeout stale at T0 + 15 s.
    const first = h.arrive('+4791000001', Q)
    h.answer('anna')
    h.hangUpCaller(first)
    // A second caller rings Anna a second later: a ring timeout that still matters.
    h.advance(1_000)
    const second = h.arrive('+4791000002', Q)
    const before = nextDeadline(h.state)
    expect(dropStaleDeadlines(h.state)).toBe(1)
    expect(nextDeadline(h.state)).toBe(before! + 1_000)
    // The live one stays, and still falls due: Anna did not answer in time.
    expect(dropStaleDeadlines(h.state)).toBe(0)
    h.advance(15_000)
    expect(
      h.queueLog.filter((e) => e.callId === second && e.kind === 'ring-no-answer'),
    ).toHaveLength(1)
  })

  it('do not make the runtime step: a call that ended before its ring timeout costs no tick', () => {
    const config = company({
      users: [user('op')],
      queues: [queue('main', ['op'], { numbers: [Q], ringTimeoutSeconds: 15 })],
    })
    const { clock, runtime, sim } = simulatedCore(config, {
      answerSeconds: { mean: 1, sd: 0 },
      talkSeconds: { mean: 1, sd: 0 },
    })
    const ended: string[] = []
    runtime.onOutputs((out) => ended.push(...out.ended.map((e) => e.callId)))
    sim.call('+4791111111', Q)
    clock.advanceBy(10_000)
    expect(ended).toHaveLength(1)
    const steps = runtime.stepCount
    clock.advanceBy(60_000)
    expect(runtime.stepCount).toBe(steps)
    runtime.stop()
  })
})
