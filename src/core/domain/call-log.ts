/**
 * Call-log records, written once when a call ends: one per user the call concerned (who
 * answered it, who it rang directly, who placed it) and one per queue it entered. Members of a
 * ring-all queue who were merely offered the call get no record: the queue's record says it
 * was missed, once.
 */
import type { CallLogRecord } from '../../shared/model'
import type { Call, CompanyState } from './state'
import { userLedgerOf } from './state'

export function buildCallLog(co: CompanyState, call: Call, endedAt: number): CallLogRecord[] {
  const records: CallLogRecord[] = []
  for (const ledger of call.ledgerUsers) {
    const queueName =
      ledger.queueId !== null ? (co.queues.get(ledger.queueId)?.config.name ?? null) : null
    records.push({
      kind: 'user',
      companyId: co.id,
      callId: call.id,
      userId: ledger.userId,
      direction: ledger.direction,
      counterpart: ledger.counterpart,
      dialed: call.dialed,
      queueId: ledger.queueId,
      queueName,
      presentedNumber: ledger.presentedNumber,
      startedAt: ledger.startedAt,
      answeredAt: ledger.answeredAt,
      endedAt,
      answered: ledger.answeredAt !== null,
      talkMs: ledger.talkMs,
      transferredTo: ledger.transferredTo,
    })
  }
  for (const ledger of call.ledgerQueues) {
    const answeredBy = ledger.answeredBy
    const talkMs = answeredBy !== null ? (userLedgerOf(call, answeredBy)?.talkMs ?? 0) : 0
    const exitAt = ledger.answeredAt ?? ledger.exitAt ?? endedAt
    records.push({
      kind: 'queue',
      companyId: co.id,
      callId: call.id,
      queueId: ledger.queueId,
      queueName: co.queues.get(ledger.queueId)?.config.name ?? String(ledger.queueId),
      caller: call.remote,
      dialed: call.dialed,
      vip: call.vip,
      enteredAt: ledger.enteredAt,
      answeredAt: ledger.answeredAt,
      answeredBy,
      endedAt,
      waitMs: Math.max(0, exitAt - ledger.enteredAt),
      talkMs,
      outcome: ledger.outcome ?? 'abandoned',
      transferredTo: ledger.transferredTo,
      overflowTo: ledger.overflowTo,
    })
  }
  return records
}
