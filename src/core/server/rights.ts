/**
 * Who may see and do what (service terms §5–7). Pure functions of the logged-in principal;
 * the server asks them before every read and command, and when it routes live state.
 *
 * - user: the directory with live status, their own calls and call log, their own absence,
 *   outgoing calls; the queue board if granted.
 * - operator: also the queues they are a member of (waiting callers, answering, picking,
 *   the queue call log, caller history and notes, callbacks).
 * - contact person: everything in their company: all calls, the switchboard log, statistics,
 *   administration and the audit log.
 */
import type { CompanyId, QueueId, UserId } from '../../shared/ids'
import type { FunctionAccess, Role } from '../../shared/model'

export interface Principal {
  userId: UserId
  companyId: CompanyId
  role: Role
  functions: ReadonlySet<FunctionAccess>
  /** Queues the user is a member of. */
  queueIds: ReadonlySet<QueueId>
}

export const isContact = (p: Principal): boolean => p.role === 'contact'
export const isOperator = (p: Principal): boolean => p.role === 'operator' || p.role === 'contact'

/** Queues whose waiting callers, missed calls and call log this principal may see. */
export function visibleQueues(p: Principal, allQueueIds: Iterable<QueueId>): Set<QueueId> {
  if (isContact(p)) return new Set(allQueueIds)
  if (p.role === 'operator') return new Set(p.queueIds)
  return new Set()
}

/** Queue summaries (the queue board): members of the queue, contact persons, and the granted. */
export function seesQueueBoard(p: Principal): boolean {
  return isOperator(p) || p.functions.has('queue-board')
}

export type Action =
  | 'call.own' // act on a call the principal is part of (answer, hold, transfer, hang up)
  | 'call.pick'
  | 'call.dial'
  | 'sms'
  | 'conference'
  | 'callback.mark'
  | 'presence.own'
  | 'queue.membership'
  | 'directory.search'
  | 'log.mine'
  | 'log.queues'
  | 'log.switchboard'
  | 'caller.history'
  | 'notes'
  | 'stats'
  | 'stats.queues' // today's queue figures: the queue board's, so whoever sees the board
  | 'admin'
  | 'vip'
  | 'audit'

export function may(p: Principal, action: Action): boolean {
  switch (action) {
    case 'call.own':
    case 'call.dial':
    case 'presence.own':
    case 'directory.search':
    case 'log.mine':
      return true
    case 'call.pick':
    case 'callback.mark':
    case 'queue.membership':
    case 'log.queues':
    case 'caller.history':
    case 'notes':
      return isOperator(p)
    case 'conference':
      return isContact(p) || p.functions.has('conference')
    case 'sms':
      return isContact(p) || p.functions.has('sms')
    case 'stats':
      return isContact(p) || p.functions.has('statistics')
    case 'stats.queues':
      return seesQueueBoard(p) || p.functions.has('statistics')
    case 'vip':
      return isContact(p) || p.functions.has('vip-list')
    case 'log.switchboard':
    case 'admin':
    case 'audit':
      return isContact(p)
  }
}
