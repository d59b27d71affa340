/**
 * A whole simulated day, replayed from a seed on a virtual clock: the core's own figures (queue
 * log, call log, ended calls) are checked against the simulated network's independent count of
 * what happened to every caller.
 */
import { describe, expect, it } from 'vitest'
import type { CompanyConfig } from '../../../src/core/domain/config'
import type { CallLogRecord } from '../../../src/shared/model'
import type { CallView } from '../../../src/shared/model'
import { StatsAccumulator } from '../../../src/core/domain/stats'
import { VirtualClock } from '../../../src/core/runtime/clock'
import { CoreRuntime } from '../../../src/core/runtime/core-runtime'
import { SimNetwork } from '../../../src/core/telephony/sim/sim-network'
import { defaultTraffic, type TrafficProfile } from '../../../src/core/telephony/sim/traffic'
import { company, queue, user } from '../../helpers/company'
import { counterIds } from '../../helpers/harness'

const MAIN = '+4722000000'
const SALES = '+4722000001'
const SUPPORT = '+4722000002'
// Monday 30 November 2026, 00:00 in Oslo.
const midnight = Date.UTC(2026, 10, 29, 23, 0, 0)
const hours = (from: number, to: number, rate: number) =>
  Array.from({ length: 24 }, (_, h) => (h >= from && h < to ? rate : 0))

function testCompany(): CompanyConfig {
  const reception = ['r1', 'r2', 'r3']
  const sales = ['s1', 's2', 's3', 's4']
  const support = ['t1', 't2', 't3', 't4', 't5']
  const day = { from: 8 * 60, to: 17 * 60 }
  const weekdays = { mon: [day], tue: [day], wed: [day], thu: [day], fri: [day] }
  return company({
    vipNumbers: ['+4790000001', '+4790000002'],
    users: [
      ...reception.map((id) => user(id, { department: 'Sentralbord' })),
      ...sales.map((id) =>
        user(id, { department: 'Salg', extraTerminal: id === 's1' ? '+4798000001' : null }),
      ),
      ...support.map((id) =>
        user(id, {
          department: 'Support',
          forwardOnNoAnswer: id === 't5' ? { to: '+4798000005', afterSeconds: 15 } : null,
        }),
      ),
    ],
    queues: [
      queue('main', reception, {
        numbers: [MAIN],
        strategy: 'longest-idle',
        wrapUpSeconds: 5,
        maxWaitSeconds: 180,
        overflow: { kind: 'queue', queueId: 'support' },
      }),
      queue('sales', sales, {
        numbers: [SALES],
        strategy: 'round-robin',
        maxLength: 6,
        openingHours: { weekly: weekdays, exceptions: {} },
        closedDestination: { kind: 'queue', queueId: 'main' },
      }),
      queue(
        'support',
        support.map((userId, i) => ({ userId, penalty: i < 3 ? 0 : 1, loggedIn: true })),
        {
          numbers: [SUPPORT],
          strategy: 'ring-all',
          wrapUpSeconds: 10,
          autoPauseAfter: 3,
          retryDelaySeconds: 2,
        },
      ),
    ],
  })
}

function profile(seed: number): TrafficProfile {
  return {
    ...defaultTraffic,
    seed,
    arrivals: [
      { number: MAIN, perHour: hours(7, 18, 40) },
      { number: SALES, perHour: hours(6, 20, 15) },
      { number: SUPPORT, perHour: hours(8, 16, 30) },
    ],
    transferFrom: ['main'],
    transferShare: 0.5,
    callerPool: 300,
  }
}

function simulateDay(seed: number) {
  const config = testCompany()
  const clock = new VirtualClock(midnight)
  const errors: unknown[] = []
  const runtime = new CoreRuntime({
    clock,
    companies: [config],
    newId: counterIds(),
    seed,
    onInternalError: (e) => errors.push(e),
  })
  const sim = new SimNetwork({
    companyId: 'acme',
    config,
    profile: profile(seed),
    clock,
    arrivalsUntil: midnight + 24 * 3600_000,
  })
  const serviceLevel = new Map(config.queues.map((q) => [q.id, q.serviceLevelSeconds * 1000]))
  const stats = new StatsAccumulator((id) => serviceLevel.get(id) ?? 20_000)
  const ended: CallView[] = []
  const records: CallLogRecord[] = []
  let arrivalsAccepted = 0
  runtime.onOutputs((out, input) => {
    out.queueLog.forEach((e) => stats.add(e))
    ended.push(...out.ended.map((e) => e.call))
    records.push(...out.callLog)
    if (input.type === 'caller.arrived') arrivalsAccepted++
  })
  runtime.attach('acme', sim)
  clock.advanceTo(midnight + 26 * 3600_000) // the day, and two hours for the last calls to end
  return { runtime, sim, stats, ended, records, arrivalsAccepted, errors, clock }
}

describe('a simulated day', () => {
  const day = simulateDay(20261130)

  it('runs without an internal error and leaves no call, leg or pending engine deadline behind', () => {
    expect(day.errors).toEqual([])
    const co = day.runtime.state.companies.get('acme')!
    expect(co.calls.size).toBe(0)
    expect(co.legs.size).toBe(0)
    expect(day.sim.liveLegs).toBe(0)
    for (const agent of co.agents.values()) expect(agent.legs).toEqual([])
  })

  it('produces about as many callers as the profile asks for (Poisson, within 5 sigma)', () => {
    const expected = 11 * 40 + 14 * 15 + 8 * 30
    expect(Math.abs(day.sim.ledger.arrivals - expected)).toBeLessThan(5 * Math.sqrt(expected))
    expect(day.sim.ledger.arrivalsByNumber.get(SALES)).toBeGreaterThan(0)
  })

  it('every caller the network sent is a call the core created and ended exactly once', () => {
    expect(day.arrivalsAccepted).toBe(day.sim.ledger.arrivals)
    const inbound = day.ended.filter((c) => c.direction === 'inbound')
    expect(inbound).toHaveLength(day.sim.ledger.arrivals)
    expect(new Set(inbound.map((c) => c.id)).size).toBe(inbound.length)
  })

  it('the core’s answered, abandoned and refused calls match what the network saw', () => {
    const inbound = day.ended.filter((c) => c.direction === 'inbound')
    const answered = inbound.filter((c) => c.answeredAt !== null)
    const abandoned = inbound.filter((c) => c.endReason === 'abandoned')
    const refused = inbound.filter((c) => c.answeredAt === null && c.endReason !== 'abandoned')
    expect(answered).toHaveLength(day.sim.ledger.callersAnswered)
    expect(abandoned).toHaveLength(day.sim.ledger.callersGaveUp)
    expect(refused).toHaveLength(day.sim.ledger.callersRefused)
    expect(answered.length + abandoned.length + refused.length).toBe(day.sim.ledger.arrivals)
    // A lively day: most callers are served, some give up, transfers happen.
    expect(answered.length / inbound.length).toBeGreaterThan(0.6)
    expect(abandoned.length).toBeGreaterThan(0)
    expect(day.sim.ledger.transfersAsked).toBeGreaterThan(10)
  })

  it('the network never had an event refused; only operators’ actions can be', () => {
    for (const key of day.sim.ledger.refused.keys()) expect(key).toMatch(/^transfer\./)
  })

  it('callers who hang up during a consultation leave the operator and colleague a call of their own', () => {
    // The network's callers are all inbound; an internal call can only be such a consultation.
    const consultations = day.ended.filter((c) => c.direction === 'internal')
    expect(consultations.length).toBeGreaterThan(0)
    for (const call of consultations) {
      const users = day.records
        .filter((r) => r.kind === 'user' && r.callId === call.id)
        .map((r) => (r.kind === 'user' ? `${r.userId}:${r.direction}` : ''))
      expect(users, call.id).toEqual(
        expect.arrayContaining([
          `${call.originatorId}:outgoing`,
          expect.stringMatching(/:incoming$/),
        ]),
      )
      expect(users, call.id).toHaveLength(2)
    }
  })

  it('queue statistics folded from the queue log agree with the call-log records', () => {
    for (const q of day.stats.queueStats()) {
      const mine = day.records.filter(
        (r): r is Extract<CallLogRecord, { kind: 'queue' }> =>
          r.kind === 'queue' && r.queueId === q.queueId,
      )
      const count = (outcome: string) => mine.filter((r) => r.outcome === outcome).length
      expect(q.answered, `${q.queueId} answered`).toBe(count('answered'))
      expect(q.abandoned, `${q.queueId} abandoned`).toBe(count('abandoned'))
      expect(q.timedOut, `${q.queueId} timed out`).toBe(count('timeout'))
      expect(q.full, `${q.queueId} full`).toBe(count('full'))
      expect(q.closed, `${q.queueId} closed`).toBe(count('closed'))
      expect(q.overflowed, `${q.queueId} overflowed`).toBe(
        mine.filter((r) => r.overflowTo !== null).length,
      )
    }
    const main = day.stats.queueStats().find((q) => q.queueId === 'main')!
    expect(main.answered).toBeGreaterThan(100)
    expect(main.serviceLevel).not.toBeNull()
    const sales = day.stats.queueStats().find((q) => q.queueId === 'sales')!
    expect(sales.closed).toBeGreaterThan(0) // callers before 08:00 and after 17:00
  })

  it('replays identically from the same seed, and differently from another', () => {
    const again = simulateDay(20261130)
    const other = simulateDay(7)
    const summary = (d: typeof day) =>
      JSON.stringify({
        ledger: Object.entries(d.sim.ledger).map(([k, v]: [string, unknown]) => [
          k,
          v instanceof Map ? [...(v as Map<string, number>)] : v,
        ]),
        stats: d.stats.queueStats(),
      })
    expect(summary(again)).toBe(summary(day))
    expect(summary(other)).not.toBe(summary(day))
  })
})
