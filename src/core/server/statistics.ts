/**
 * Statistics for a period, for the contact person: per queue (offered, answered, abandoned,
 * service level, ASA, longest wait) from the stored queue events, and per operator (offered,
 * answered, answer rate, average talk time, transferred, outgoing calls, with the calls
 * behind the figures) from the queue events and the operators' call logs.
 */
import type { Instant } from '../../shared/ids'
import type { AgentStatistics, QueueStatistics } from '../../shared/protocol'
import { StatsAccumulator } from '../domain/stats'
import type { CompanyState } from '../domain/state'
import type { Store } from '../persistence/store'

export async function queueStatistics(
  store: Store,
  co: CompanyState,
  from: Instant,
  to: Instant,
  now: Instant,
): Promise<QueueStatistics[]> {
  const stats = foldEvents(await store.queueEvents(co.id, from, to), co)
  return [...co.queues.values()].map((queue) => {
    const q = stats.queueStats().find((s) => s.queueId === queue.config.id)
    let oldest: number | null = null
    for (const call of queue.waiting)
      oldest = oldest === null ? call.waitingSince : Math.min(oldest, call.waitingSince)
    return {
      queueId: queue.config.id,
      name: queue.config.name,
      offered: q?.entered ?? 0,
      answered: q?.answered ?? 0,
      abandoned: q?.abandoned ?? 0,
      timedOut: q?.timedOut ?? 0,
      overflowed: q?.overflowed ?? 0,
      serviceLevel: q?.serviceLevel ?? null,
      serviceLevelCountingAbandons: q?.serviceLevelCountingAbandons ?? null,
      averageSpeedOfAnswerMs: q?.averageSpeedOfAnswerMs ?? null,
      abandonRate: q?.abandonRate ?? null,
      longestAnsweredWaitMs: q?.longestAnsweredWaitMs ?? 0,
      longestWaitNowMs: oldest === null ? null : now - oldest,
    }
  })
}

export async function agentStatistics(
  store: Store,
  co: CompanyState,
  from: Instant,
  to: Instant,
): Promise<AgentStatistics[]> {
  const stats = foldEvents(await store.queueEvents(co.id, from, to), co)
  const logs = await store.allUserCallLogs(co.id, { limit: 50_000, from, to })
  const result: AgentStatistics[] = []
  for (const agent of co.agents.values()) {
    const userId = agent.user.id
    const a = stats.agentStats().find((s) => s.agentId === userId)
    const mine = logs.filter((r) => r.userId === userId)
    const incomingAnswered = mine.filter((r) => r.direction === 'incoming' && r.answered)
    const talk = incomingAnswered.reduce((sum, r) => sum + r.talkMs, 0)
    result.push({
      userId,
      offered: a?.offers ?? 0,
      answered: a?.answered ?? 0,
      answerRate: a?.answerRate ?? null,
      averageTalkMs:
        incomingAnswered.length === 0 ? null : Math.round(talk / incomingAnswered.length),
      transferred: a?.transferred ?? 0,
      outgoing: mine.filter((r) => r.direction === 'outgoing').length,
      calls: mine.slice(0, 200).map((r) => ({
        callId: r.callId,
        caller: r.counterpart.number,
        callerName: r.counterpart.name,
        answered: r.answered,
        transferredTo: r.transferredTo,
        at: r.startedAt,
      })),
    })
  }
  return result
}

function foldEvents(
  events: Awaited<ReturnType<Store['queueEvents']>>,
  co: CompanyState,
): StatsAccumulator {
  const target = new Map(
    [...co.queues.values()].map((q) => [q.config.id, q.config.serviceLevelSeconds * 1000]),
  )
  const stats = new StatsAccumulator((queueId) => target.get(queueId) ?? 20_000)
  for (const e of events) stats.add(e)
  return stats
}
