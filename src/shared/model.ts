/**
 * Value types that cross the wire: configuration vocabulary, live views, routing trails,
 * queue-log events and call-log records. No runtime behaviour lives here beyond constant lists.
 */
import type {
  CallId,
  CompanyId,
  ConferenceId,
  Instant,
  LegId,
  PhoneNumber,
  QueueId,
  UserId,
} from './ids'

export const routingStrategies = [
  'ring-all',
  'round-robin',
  'longest-idle',
  'fewest-calls',
  'least-talk-time',
  'linear',
  'random',
  'ring-progressively',
] as const
export type RoutingStrategy = (typeof routingStrategies)[number]

/** Roles (service terms §5–7): a contact person administers the company. */
export const roles = ['user', 'operator', 'contact'] as const
export type Role = (typeof roles)[number]

/** Functions the contact person grants per user (§5). */
export const functionAccess = [
  'switchboard',
  'queue-board',
  'statistics',
  'administration',
  'conference',
  'sms',
  'vip-list',
  'calendar-sync',
] as const
export type FunctionAccess = (typeof functionAccess)[number]

/** Absence categories, as on the service's absence form (møte, lunsj, reise, ferie, syk, fri, annet). */
export const absenceReasons = [
  'meeting',
  'lunch',
  'travel',
  'vacation',
  'sick',
  'off-duty',
  'other',
] as const
export type AbsenceReason = (typeof absenceReasons)[number]

export interface Absence {
  reason: AbsenceReason
  note: string | null
  since: Instant
  /** When the absence ends by itself; null means until the user comes back. */
  until: Instant | null
  /** Direct calls go here while absent; null means they are missed (or go to voicemail). */
  forwardTo: PhoneNumber | null
}

export type Destination =
  | { kind: 'queue'; queueId: QueueId }
  | { kind: 'user'; userId: UserId }
  | { kind: 'external'; number: PhoneNumber }

/** Why a queue member was not offered a caller. */
export const skipReasons = [
  'logged-out',
  'paused',
  'absent',
  'busy',
  'ringing',
  'wrap-up',
  'penalty-tier',
  'no-answer-this-call',
] as const
export type SkipReason = (typeof skipReasons)[number]

export const callStates = [
  'queued',
  'ringing',
  'dialing',
  'connected',
  'held',
  'consulting',
  'parked',
  'conference',
  'ended',
] as const
/**
 * - queued: waiting in a queue (offers may be ringing)
 * - ringing: ringing a particular user (direct call, blind transfer, recall), no queue
 * - dialing: an outgoing call whose far end has not answered
 * - connected: caller and one internal party talking
 * - held: caller on hold by the internal party
 * - consulting: caller on hold while the internal party consults a transfer target
 * - parked: caller in a park slot, no internal party
 * - conference: caller in a conference bridge with several parties
 * - ended: terminal
 */
export type CallState = (typeof callStates)[number]

export const legStates = ['ringing', 'connected', 'held', 'ended'] as const
export type LegState = (typeof legStates)[number]

export type CallDirection = 'inbound' | 'outbound' | 'internal'

export type CallEndReason =
  | 'caller-hung-up'
  | 'agent-hung-up'
  | 'abandoned'
  | 'queue-timeout'
  | 'queue-full'
  | 'queue-empty'
  | 'closed'
  | 'no-answer'
  | 'busy'
  | 'rejected'
  | 'failed'
  | 'unroutable'
  | 'transferred-out'
  | 'conference-ended'

export interface Party {
  number: PhoneNumber
  name: string | null
  /** Set when the party is one of the company's users. */
  userId: UserId | null
}

/**
 * position: place in the member list; rotation: steps after the member offered last;
 * idle-ms: time since the last call ended; calls: calls answered; talk-ms: talk time; draw: a
 * seeded random draw.
 */
export type RankBasis = 'position' | 'rotation' | 'idle-ms' | 'calls' | 'talk-ms' | 'draw'

/** The routing trail: every decision the engine made about a call, in order. */
export type TrailEntry =
  | { kind: 'route'; at: Instant; dialed: PhoneNumber; to: Destination | null; note: string }
  | { kind: 'closed'; at: Instant; queueId: QueueId; to: Destination | null }
  | {
      kind: 'offer'
      at: Instant
      queueId: QueueId
      strategy: RoutingStrategy
      /** What `ranked[].value` measures: the figure the strategy ranks by. */
      rankedBy: RankBasis
      /** Eligible members of the best tier in the order the strategy ranks them. */
      ranked: { userId: UserId; value: number }[]
      chosen: UserId[]
      skipped: { userId: UserId; reason: SkipReason }[]
    }
  | {
      kind: 'no-agent'
      at: Instant
      queueId: QueueId
      strategy: RoutingStrategy
      skipped: { userId: UserId; reason: SkipReason }[]
    }
  | {
      kind: 'exit'
      at: Instant
      queueId: QueueId
      reason: 'timeout' | 'full' | 'empty'
      to: Destination | null
    }
  | {
      kind: 'forward'
      at: Instant
      userId: UserId
      reason: 'absent' | 'busy' | 'no-answer'
      to: PhoneNumber | null
    }
  | { kind: 'direct'; at: Instant; userId: UserId; terminals: number }
  | { kind: 'pick'; at: Instant; userId: UserId; queueId: QueueId }
  | {
      kind: 'recall'
      at: Instant
      userId: UserId
      reason: 'transfer-not-answered' | 'park-timeout'
    }
  | { kind: 'requeue'; at: Instant; queueId: QueueId; reason: string }
  | { kind: 'transfer'; at: Instant; by: UserId; to: Destination; mode: 'blind' | 'attended' }

export const queueLogKinds = [
  'enter',
  'offer',
  'ring-no-answer',
  'reject',
  'connect',
  'hold',
  'unhold',
  'transfer',
  'abandon',
  'exit-timeout',
  'exit-full',
  'exit-empty',
  'exit-closed',
  'complete-agent',
  'complete-caller',
  'pause',
  'unpause',
  'login',
  'logout',
] as const
export type QueueLogKind = (typeof queueLogKinds)[number]

/** One line of the queue log (modelled on Asterisk's queue_log); statistics are folds of these. */
export interface QueueLogEvent {
  at: Instant
  companyId: CompanyId
  queueId: QueueId
  kind: QueueLogKind
  callId: CallId | null
  agentId: UserId | null
  callerNumber: PhoneNumber | null
  /** Wait in the queue so far (enter → this event), for connect, abandon and exits. */
  waitMs: number | null
  /** Talk time (hold excluded), for complete and transfer. */
  talkMs: number | null
  /** Pause reason, transfer target description, or why an offer ended. */
  reason: string | null
  /** Where the caller went on an exit, when it went somewhere (an overflow). */
  destination: Destination | null
}

export interface UserCallLogRecord {
  kind: 'user'
  companyId: CompanyId
  callId: CallId
  userId: UserId
  direction: 'incoming' | 'outgoing'
  /** The other party: the caller, the number called, or the colleague on an internal call. */
  counterpart: Party
  dialed: PhoneNumber
  /** The queue the call came through, when it did. */
  queueId: QueueId | null
  queueName: string | null
  presentedNumber: PhoneNumber | null
  startedAt: Instant
  answeredAt: Instant | null
  endedAt: Instant
  answered: boolean
  talkMs: number
  transferredTo: Destination | null
}

export type QueueOutcome =
  'answered' | 'abandoned' | 'timeout' | 'full' | 'empty' | 'closed' | 'transferred'

export interface QueueCallLogRecord {
  kind: 'queue'
  companyId: CompanyId
  callId: CallId
  queueId: QueueId
  queueName: string
  caller: Party
  dialed: PhoneNumber
  vip: boolean
  enteredAt: Instant
  answeredAt: Instant | null
  answeredBy: UserId | null
  endedAt: Instant
  waitMs: number
  talkMs: number
  outcome: QueueOutcome
  transferredTo: Destination | null
  overflowTo: Destination | null
}

export type CallLogRecord = UserCallLogRecord | QueueCallLogRecord

export interface CallbackMarked {
  companyId: CompanyId
  callId: CallId
  by: UserId
  at: Instant
  /** 'marked' when an operator marked it; 'reached' when a later answered call reached the number. */
  how: 'marked' | 'reached'
}

export interface MissedCallView {
  callId: CallId
  companyId: CompanyId
  queueId: QueueId
  caller: Party
  at: Instant
  outcome: QueueOutcome
}

export interface LegView {
  id: LegId
  state: LegState
  party: Party
  role: LegRole
}
export type LegRole = 'caller' | 'offer' | 'agent' | 'consult' | 'target' | 'participant' | 'callee'

export interface CallView {
  id: CallId
  companyId: CompanyId
  direction: CallDirection
  state: CallState
  /**
   * The party the company is serving: the caller on an incoming call, the number called on an
   * outgoing one, the colleague who called on an internal one.
   */
  remote: Party
  remoteLegId: LegId
  /** The user who placed an outgoing or internal call. */
  originatorId: UserId | null
  /** What the caller dialled: the queue, main number or direct line (shown while ringing). */
  dialed: PhoneNumber
  presentedNumber: PhoneNumber | null
  queueId: QueueId | null
  vip: boolean
  priority: number
  /** Queue order is (vip, priority, waitingSince, seq); clients sort by it. */
  waitingSince: Instant
  seq: number
  startedAt: Instant
  answeredAt: Instant | null
  /** The user bridged with the remote party (connected, held, consulting); null if none or external. */
  agentId: UserId | null
  offeredTo: UserId[]
  consult: { target: Destination; state: 'ringing' | 'connected' } | null
  parkedSlot: number | null
  conferenceId: ConferenceId | null
  legs: LegView[]
  endReason: CallEndReason | null
}

export type AgentActivity = 'idle' | 'ringing' | 'on-call' | 'on-hold' | 'consulting' | 'wrap-up'
export type Presence = 'available' | 'busy' | 'absent'

export interface QueueMembershipView {
  queueId: QueueId
  penalty: number
  loggedIn: boolean
  paused: { reason: string; since: Instant } | null
}

export interface AgentView {
  userId: UserId
  companyId: CompanyId
  presence: Presence
  activity: AgentActivity
  absence: Absence | null
  wrapUpUntil: Instant | null
  queues: QueueMembershipView[]
}

export interface QueueView {
  id: QueueId
  companyId: CompanyId
  name: string
  numbers: PhoneNumber[]
  strategy: RoutingStrategy
  open: boolean
  waiting: number
  oldestWaitingSince: Instant | null
}

export interface UserView {
  id: UserId
  companyId: CompanyId
  firstName: string
  lastName: string
  extension: PhoneNumber
  mobile: PhoneNumber | null
  direct: PhoneNumber | null
  department: string
}

export interface CompanySnapshot {
  companyId: CompanyId
  at: Instant
  users: UserView[]
  agents: AgentView[]
  queues: QueueView[]
  calls: CallView[]
  missed: MissedCallView[]
}

export type Delta =
  | { entity: 'call'; op: 'upsert'; companyId: CompanyId; call: CallView }
  | { entity: 'call'; op: 'remove'; companyId: CompanyId; id: CallId }
  | { entity: 'agent'; op: 'upsert'; companyId: CompanyId; agent: AgentView }
  | { entity: 'user'; op: 'upsert'; companyId: CompanyId; user: UserView }
  /** The user left the company: their directory entry and agent state are gone. */
  | { entity: 'user'; op: 'remove'; companyId: CompanyId; id: UserId }
  | { entity: 'queue'; op: 'upsert'; companyId: CompanyId; queue: QueueView }
  | { entity: 'queue'; op: 'remove'; companyId: CompanyId; id: QueueId }
  | { entity: 'missed'; op: 'upsert'; companyId: CompanyId; missed: MissedCallView }
  | { entity: 'missed'; op: 'remove'; companyId: CompanyId; id: CallId }
