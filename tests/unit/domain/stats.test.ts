import { describe, expect, it } from 'vitest'
import { StatsAccumulator } from '../../../src/core/domain/stats'
import type { QueueLogEvent } from '../../../src/shared/model'

function event(kind: QueueLogEvent['kind'], extra: Partial<QueueLogEvent> = {}): QueueLogEvent {
  return {
    at: 0,
    companyId: 'acme',
    queueId: 'q',
    kind,
    callId: 'c1',
    agentId: null,
    callerNumber: '+4791000001',
    waitMs: null,
    talkMs: null,
    reason: null,
    destination: null,
    ...extra,
  }
}

describe('statistics from the queue log', () => {
  it('computes service level, ASA and abandonment rate as the product defines them', () => {
    const stats = new StatsAccumulator(() => 20_000)
    const calls: [string, QueueLogEvent['kind'], number][] = [
      ['a', 'connect', 5_000],
      ['b', 'connect', 20_000],
      ['c', 'connect', 35_000],
      ['d', 'abandon', 10_000],
      ['e', 'abandon', 60_000],
    ]
    for (const [callId, kind, waitMs] of calls) {
      stats.add(event('enter', { callId }))
      stats.add(event(kind, { callId, waitMs, agentId: kind === 'connect' ? 'anna' : null }))
    }
    const [q] = stats.queueStats()
    expect(q).toMatchObject({
      entered: 5,
      answered: 3,
      abandoned: 2,
      answeredWithinTarget: 2,
      abandonedWithinTarget: 1,
    })
    expect(q!.serviceLevel).toBeCloseTo(2 / 3)
    expect(q!.serviceLevelCountingAbandons).toBeCloseTo(3 / 5)
    expect(q!.averageSpeedOfAnswerMs).toBeCloseTo(60_000 / 3)
    expect(q!.abandonRate).toBeCloseTo(2 / 5)
    expect(q!.longestAnsweredWaitMs).toBe(35_000)
  })

  it('counts an agent’s answer rate over the offers made to them', () => {
    const stats = new StatsAccumulator(() => 20_000)
    stats.add(event('offer', { callId: 'c1', agentId: 'anna' }))
    stats.add(event('ring-no-answer', { callId: 'c1', agentId: 'anna' }))
    stats.add(event('offer', { callId: 'c2', agentId: 'anna' }))
    stats.add(event('reject', { callId: 'c2', agentId: 'anna' }))
    stats.add(event('offer', { callId: 'c3', agentId: 'anna' }))
    stats.add(event('connect', { callId: 'c3', agentId: 'anna', waitMs: 1 }))
    stats.add(event('connect', { callId: 'c4', agentId: 'anna', waitMs: 1 })) // picked, not offered
    stats.add(event('complete-caller', { callId: 'c3', agentId: 'anna', talkMs: 90_000 }))
    const [a] = stats.agentStats()
    expect(a).toMatchObject({
      offers: 3,
      offersAnswered: 1,
      ringNoAnswer: 1,
      rejected: 1,
      answered: 2,
      talkMs: 90_000,
    })
    expect(a!.answerRate).toBeCloseTo(1 / 3)
  })

  it('counts a caller who comes back to the same queue once, and exits with a destination as overflow', () => {
    const stats = new StatsAccumulator(() => 20_000)
    stats.add(event('enter'))
    stats.add(event('connect', { waitMs: 3000, agentId: 'anna' }))
    stats.add(event('complete-agent', { agentId: 'anna', reason: 'agent leg failed' }))
    stats.add(event('enter'))
    stats.add(event('connect', { waitMs: 9000, agentId: 'bjorn' }))
    stats.add(
      event('exit-timeout', {
        callId: 'c2',
        waitMs: 60_000,
        destination: { kind: 'queue', queueId: 'r' },
      }),
    )
    stats.add(event('exit-full', { callId: 'c3' }))
    const [q] = stats.queueStats()
    expect(q).toMatchObject({
      entered: 1,
      answered: 1,
      totalAnsweredWaitMs: 3000,
      timedOut: 1,
      full: 1,
      overflowed: 1,
    })
  })
})
