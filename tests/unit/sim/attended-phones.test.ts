/**
 * The demo with a person at the switchboard: the simulated network plays the callers and every
 * colleague, but never answers, hangs up or transfers for a user who has the app open.
 */
import { describe, expect, it } from 'vitest'
import { company, queue, user } from '../../helpers/company'
import { simulatedCore } from '../../helpers/sim-core'

const QUEUE = '+4722000000'

function setup(attendedUsers: string[]) {
  const config = company({
    users: [user('op'), user('colleague', { department: 'Salg' })],
    queues: [queue('main', ['op'], { numbers: [QUEUE], ringTimeoutSeconds: 600 })],
  })
  const attended = new Set(attendedUsers)
  const { clock, runtime, sim } = simulatedCore(
    config,
    { agentHangsUp: 1, talkSeconds: { mean: 60, sd: 1 } },
    (userId) => attended.has(userId),
  )
  const calls = () => runtime.snapshot(config.id)!.calls
  return { config, clock, runtime, sim, calls }
}

describe('scripted calls and attended phones', () => {
  it('a phone nobody attends is answered by the network', () => {
    const { clock, sim, calls } = setup([])
    sim.call('+4791111111', QUEUE)
    clock.advanceBy(30_000)
    expect(calls().map((c) => [c.state, c.agentId])).toEqual([['connected', 'op']])
  })

  it('an attended phone rings until the person answers in the app, and they end the call', () => {
    const { config, clock, runtime, sim, calls } = setup(['op'])
    sim.call('+4791111111', QUEUE)
    clock.advanceBy(5 * 60_000)
    expect(calls().map((c) => c.state)).toEqual(['queued'])
    const callId = calls()[0]!.id
    expect(
      runtime.dispatch({ type: 'offer.answer', companyId: config.id, userId: 'op', callId }),
    ).toBeNull()
    // agentHangsUp is 1, but a person is on the line: only the caller may end it, after talking.
    clock.advanceBy(10 * 60_000)
    expect(sim.ledger.agentHangUps).toBe(0)
    expect(sim.ledger.callerHangUps).toBe(1)
    expect(calls()).toEqual([])
  })

  it('a scripted caller without patience waits, and hangs up when told', () => {
    const { clock, sim, calls } = setup(['op'])
    const leg = sim.call('+4791111111', QUEUE)
    clock.advanceBy(60 * 60_000)
    expect(calls()).toHaveLength(1)
    sim.hangUp(leg)
    expect(calls()).toEqual([])
    expect(sim.liveLegs).toBe(0)
  })
})
