/**
 * The engine's deadlines. The engine never sets a timer: it records deadlines here, and the
 * runtime asks for the next one (`nextDeadline`) and calls `step` with a tick when it is due.
 * Cancelled deadlines are not removed; each entry carries the token of what it was set for and
 * is ignored on firing when that token has moved on (lazy deletion keeps every operation O(log n)).
 */
import type { CompanyId, Instant } from '../../shared/ids'
import { TimeHeap } from './heap'

export type TimerKind =
  | 'offer-timeout'
  | 'retry'
  | 'wrap-up-end'
  | 'max-wait'
  | 'progressive-step'
  | 'absence-end'
  | 'park-timeout'
  | 'consult-timeout'
  | 'dial-timeout'
  | 'invite-timeout'
  | 'hours-check'
  | 'day-start'

export interface TimerEntry {
  at: Instant
  seq: number
  kind: TimerKind
  companyId: CompanyId
  /** The entity the deadline belongs to (a call or a user). */
  ref: string
  token: number
}

/** The engine's deadlines, earliest first. */
export class TimerHeap extends TimeHeap<TimerEntry> {}
