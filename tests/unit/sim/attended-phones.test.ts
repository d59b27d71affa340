/**
 * The demo with a person at the switchboard: the simulated network plays the callers and every
 * colleague, but never answers, hangs up or transfers for a user who has the app open.
 */
import { describe, expect, it } from 'vitest'
import { VirtualClock } from '../../../src/core/runtime/clock'
import { CoreRuntime } from '../../../src/core/runtime/core-runtime'
import { SimNetwork } from '../../../src/core/telephony/sim/sim-network'
import { defaultTraffic } from '../../../src/core/telephony/sim/traffic'
import { company, queue, user } from '../../helpers/company'
import { counterIds } from '../../helpers/harness'

const QUEUE = '+4722000000'

function setup(attendedUsers: string[]) {
  const config = company({
    users: [user('op'), user('colleague', { department: 'Salg' })],
    queues: [queue('main', ['op'], { numbers: [QUEUE], ringTimeoutSeconds: 600 })],
  })
  const clock = new VirtualClock(Date.UTC(2026, 10, 30, 9))
  const runtime = new CoreRuntime({ clock, companies: [config], newId: counterIds(), seed: 1 })
  const attended = new Set(attendedUsers)
  const sim = new SimNetwork({
    companyId: config.id,
    config,
    profile: {
      ...defaultTraffic,
      arrivals: [],
      noAnswerRate: 0,
      rejectRate: 0,
      agentHangsUp: 1,
      talkSeconds: { mean: 60, sd: 1 },
    },
    clock,
    attended: (userId) => attended.has(userId),
  })
  runtime.attach(config.id, sim)
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
