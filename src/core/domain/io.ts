/**
 * What goes into the engine (inputs) and what comes out (commands for the telephony adapters,
 * queue-log events, call-log records, deltas for subscribers).
 */
import type {
  CallId,
  CompanyId,
  Instant,
  LegId,
  PhoneNumber,
  QueueId,
  UserId,
} from '../../shared/ids'
import type {
  AbsenceReason,
  CallbackMarked,
  CallLogRecord,
  CallView,
  Destination,
  Party,
  QueueLogEvent,
  TrailEntry,
} from '../../shared/model'
import type { CompanyConfig } from './config'
import type { EngineError } from './errors'
import type { EngineState } from './state'
import type { StoredTrailEntry } from './trail'

/** Events from the telephone network (the simulated one or SIP). */
export type TelephonyEvent =
  | {
      type: 'caller.arrived'
      companyId: CompanyId
      /** The adapter names the leg it already has (a SIP dialog, a simulated caller). */
      legId: LegId
      from: string
      fromName?: string | null
      to: string
      priority?: number
    }
  | { type: 'leg.answered'; companyId: CompanyId; legId: LegId }
  | { type: 'leg.rejected'; companyId: CompanyId; legId: LegId; reason: 'busy' | 'declined' }
  | { type: 'leg.failed'; companyId: CompanyId; legId: LegId; reason: string }
  | { type: 'leg.hung-up'; companyId: CompanyId; legId: LegId }

interface ByUser {
  companyId: CompanyId
  userId: UserId
}
interface OnCall extends ByUser {
  callId: CallId
}

/** What users ask for, through the switchboard or the API. */
export type UserCommand =
  | ({ type: 'offer.answer' } & OnCall)
  | ({ type: 'offer.reject' } & OnCall)
  | ({ type: 'call.pick' } & OnCall)
  | ({ type: 'call.hold' } & OnCall)
  | ({ type: 'call.resume' } & OnCall)
  | ({ type: 'call.hangup' } & OnCall)
  | ({ type: 'transfer.blind'; target: Destination } & OnCall)
  | ({ type: 'transfer.consult'; target: Destination } & OnCall)
  | ({ type: 'transfer.complete' } & OnCall)
  | ({ type: 'transfer.cancel' } & OnCall)
  | ({ type: 'call.park' } & OnCall)
  | ({ type: 'call.retrieve'; slot: number } & ByUser)
  | ({ type: 'call.dial'; to: string; presentedNumber: string } & ByUser)
  | ({ type: 'conference.create' } & OnCall)
  | ({ type: 'conference.add'; target: Destination } & OnCall)
  | ({ type: 'conference.remove'; legId: LegId } & OnCall)
  | ({ type: 'conference.end' } & OnCall)
  | ({ type: 'callback.mark' } & OnCall)
  | ({
      type: 'absence.set'
      reason: AbsenceReason
      note?: string | null
      until?: Instant | null
      forwardTo?: string | null
      /** When the absence began, if not now (restoring after a restart). */
      since?: Instant
    } & ByUser)
  | ({ type: 'absence.clear' } & ByUser)
  | ({ type: 'queue.login'; queueId: QueueId } & ByUser)
  | ({ type: 'queue.logout'; queueId: QueueId } & ByUser)
  /** queueId null: every queue the user is a member of. */
  | ({
      type: 'queue.pause'
      queueId: QueueId | null
      reason: string
      /** When the pause began, if not now (restoring after a restart). */
      since?: Instant
    } & ByUser)
  | ({ type: 'queue.unpause'; queueId: QueueId | null } & ByUser)

/** The contact person changed the company's configuration (users, queues, settings). */
export interface ConfigureCompany {
  type: 'company.configure'
  companyId: CompanyId
  config: CompanyConfig
}

export type EngineInput = TelephonyEvent | UserCommand | ConfigureCompany | { type: 'tick' }

export type LegEndReason =
  | 'answered-elsewhere'
  | 'no-answer'
  | 'withdrawn'
  | 'call-ended'
  | 'transferred'
  | 'removed'
  | 'busy'
  | 'not-found'
  | 'unavailable'

/** Orders for the telephony adapter. */
export type TelephonyCommand =
  | {
      type: 'ring'
      companyId: CompanyId
      callId: CallId
      legId: LegId
      to: { kind: 'user'; userId: UserId } | { kind: 'external'; number: PhoneNumber }
      /** Who the ringing phone should show, and which number they dialled. */
      callerId: Party
      dialed: PhoneNumber
      presentedNumber: PhoneNumber | null
      /** The user asked for this leg from the switchboard: the device should answer by itself. */
      autoAnswer: boolean
    }
  /** Ringback for a caller we have not answered yet (SIP 180). */
  | { type: 'progress'; companyId: CompanyId; legId: LegId }
  /** Answer a leg from our side (the waiting caller, or a device told to pick up). */
  | { type: 'answer'; companyId: CompanyId; legId: LegId }
  | { type: 'bridge'; companyId: CompanyId; callId: CallId; a: LegId; b: LegId }
  | { type: 'hold'; companyId: CompanyId; legId: LegId }
  | { type: 'resume'; companyId: CompanyId; legId: LegId }
  /** End a leg: cancel it if ringing, refuse it if it is an unanswered incoming leg, else hang up. */
  | { type: 'end'; companyId: CompanyId; legId: LegId; reason: LegEndReason }
  | { type: 'conference'; companyId: CompanyId; callId: CallId; legIds: LegId[] }

/** A call that ended in this step. Its view and readable trail are built when first read. */
export interface EndedCall {
  readonly companyId: CompanyId
  readonly callId: CallId
  readonly call: CallView
  readonly trail: TrailEntry[]
  /**
   * The trail as the engine keeps it (decisions compact: see trail.ts), for those who keep or
   * store it rather than read it: expanded, a decision names every member with a reason.
   */
  readonly storedTrail: readonly StoredTrailEntry[]
}

/**
 * Which entities of a company changed in a step. Subscribers turn these into deltas with
 * `deltasOf` (before the next step): views are built only when someone is listening.
 */
export interface CompanyChanges {
  companyId: CompanyId
  calls: CallId[]
  removedCalls: CallId[]
  agents: UserId[]
  /** Directory entries that changed (names, numbers, department). */
  users: UserId[]
  removedUsers: UserId[]
  queues: QueueId[]
  removedQueues: QueueId[]
  missed: CallId[]
}

export interface Outputs {
  commands: TelephonyCommand[]
  queueLog: QueueLogEvent[]
  callLog: CallLogRecord[]
  callbacks: CallbackMarked[]
  changes: CompanyChanges[]
  ended: EndedCall[]
}

export interface StepResult {
  state: EngineState
  out: Outputs
  /** Set when the input was refused; the state is then as it was before the input. */
  error: EngineError | null
}

/**
 * Most steps produce few outputs of each kind, so a step's lists start as one shared, frozen
 * empty list and get a list of their own on the first item (`addOutput`).
 */
export const none = Object.freeze([]) as unknown as never[]

export function noChanges(): Omit<CompanyChanges, 'companyId'> {
  return {
    calls: none,
    removedCalls: none,
    agents: none,
    users: none,
    removedUsers: none,
    queues: none,
    removedQueues: none,
    missed: none,
  }
}

export function emptyOutputs(): Outputs {
  return {
    commands: none,
    queueLog: none,
    callLog: none,
    callbacks: none,
    changes: none,
    ended: none,
  }
}

/**
 * `list` with `item` added: a list of its own on the first item. Used as
 * `out.commands = withItem(out.commands, command)`: each kind of output named in the code, so
 * the engine reads and writes a known property instead of one chosen at run time.
 */
export function withItem<T>(list: T[], item: T): T[] {
  if (list === none) return [item]
  list.push(item)
  return list
}
