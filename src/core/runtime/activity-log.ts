/**
 * The core's activity in its log: one line per call when it ends (who called, which number,
 * where it went, who answered, how long they waited and talked), and a summary per minute.
 * Numbers are logged, names of the company's users too; nothing secret is.
 */
import type { Logger } from 'pino'
import type { CompanyId } from '../../shared/ids'
import type { CallView } from '../../shared/model'
import type { CompanyConfig } from '../domain/config'
import { StatsAccumulator } from '../domain/stats'
import type { Clock, TimerHandle } from './clock'
import type { CoreRuntime } from './core-runtime'

export function startActivityLog(
  runtime: CoreRuntime,
  companies: CompanyConfig[],
  logger: Logger,
  clock: Clock,
  everyMs = 60_000,
): () => void {
  const names = new Map<string, string>()
  const queueNames = new Map<string, string>()
  const serviceLevel = new Map<string, number>()
  for (const co of companies) {
    for (const u of co.users) names.set(`${co.id}/${u.id}`, `${u.firstName} ${u.lastName}`)
    for (const q of co.queues) {
      queueNames.set(`${co.id}/${q.id}`, q.name)
      serviceLevel.set(q.id, q.serviceLevelSeconds * 1000)
    }
  }
  const stats = new Map<CompanyId, StatsAccumulator>()
  const statsFor = (companyId: CompanyId) => {
    let s = stats.get(companyId)
    if (!s) stats.set(companyId, (s = new StatsAccumulator((q) => serviceLevel.get(q) ?? 20_000)))
    return s
  }

  const describe = (call: CallView, trailQueue: string | null) => {
    const seconds = (ms: number | null) => (ms === null ? null : Math.round(ms / 1000))
    return {
      company: call.companyId,
      call: call.id,
      from: call.remote.number,
      dialed: call.dialed,
      queue: trailQueue,
      outcome: call.endReason,
      answeredBy: call.agentId ? names.get(`${call.companyId}/${call.agentId}`) : undefined,
      waitS: seconds(call.answeredAt !== null ? call.answeredAt - call.startedAt : null),
    }
  }

  const infoLevel = logger.levels.values.info ?? 30
  const unsubscribe = runtime.onOutputs((out) => {
    // Every line here is info or debug: below that level (a busy production core runs at warn)
    // build nothing, not even the ended calls' views.
    // (levelVal, not isLevelEnabled: this runs on every step, and pino's check is not free)
    if (logger.levelVal > infoLevel) return
    for (const e of out.queueLog) {
      statsFor(e.companyId).add(e)
      const queue = queueNames.get(`${e.companyId}/${e.queueId}`) ?? e.queueId
      const agent = e.agentId ? names.get(`${e.companyId}/${e.agentId}`) : undefined
      const fields = {
        company: e.companyId,
        call: e.callId ?? undefined,
        from: e.callerNumber ?? undefined,
        queue,
        agent,
      }
      switch (e.kind) {
        case 'enter':
          logger.info(fields, `caller waiting in ${queue}`)
          break
        case 'connect':
          logger.info(
            { ...fields, waitS: Math.round((e.waitMs ?? 0) / 1000) },
            `answered by ${agent ?? 'someone'}`,
          )
          break
        case 'transfer':
          logger.info(
            { ...fields, to: e.destination ?? undefined },
            `transferred by ${agent ?? 'someone'}`,
          )
          break
        case 'pause':
        case 'unpause':
          logger.info(
            { ...fields, reason: e.reason ?? undefined },
            `${agent ?? 'member'} ${e.kind === 'pause' ? 'paused' : 'back'} in ${queue}`,
          )
          break
        default:
          logger.debug({ ...fields, kind: e.kind }, `queue event ${e.kind}`)
      }
    }
    for (const record of out.callLog) {
      if (record.kind !== 'queue') continue
      logger.info(
        {
          company: record.companyId,
          call: record.callId,
          from: record.caller.number,
          queue: record.queueName,
          outcome: record.outcome,
          answeredBy: record.answeredBy
            ? names.get(`${record.companyId}/${record.answeredBy}`)
            : undefined,
          waitS: Math.round(record.waitMs / 1000),
          talkS: Math.round(record.talkMs / 1000),
          transferredTo: record.transferredTo ?? undefined,
          overflowTo: record.overflowTo ?? undefined,
        },
        `queue call ${record.outcome}`,
      )
    }
    for (const ended of out.ended) {
      if (
        ended.call.direction === 'inbound' &&
        !out.callLog.some((r) => r.kind === 'queue' && r.callId === ended.call.id)
      ) {
        logger.info(describe(ended.call, null), `call ended: ${ended.call.endReason}`)
      }
    }
  })

  let timer: TimerHandle | null = null
  const summary = () => {
    for (const [companyId, accumulator] of stats) {
      const snapshot = runtime.snapshot(companyId)
      const waiting = snapshot?.queues.reduce((n, q) => n + q.waiting, 0) ?? 0
      const queues = accumulator.queueStats().map((q) => ({
        queue: queueNames.get(`${companyId}/${q.queueId}`) ?? q.queueId,
        answered: q.answered,
        abandoned: q.abandoned,
        serviceLevel: q.serviceLevel === null ? null : Math.round(q.serviceLevel * 100),
      }))
      logger.info(
        { company: companyId, liveCalls: snapshot?.calls.length ?? 0, waiting, queues },
        'summary',
      )
    }
    timer = clock.setTimer(clock.now() + everyMs, summary)
  }
  timer = clock.setTimer(clock.now() + everyMs, summary)
  return () => {
    unsubscribe()
    if (timer) clock.clearTimer(timer)
  }
}
