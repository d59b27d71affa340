/**
 * The wire contract between the routing core and its clients (the switchboard app, the web
 * switchboard, third-party clients). One file, imported by the server and every client.
 *
 * - Log in over HTTP (`POST /api/session`), then connect Socket.IO with `auth: { token }`.
 * - Event names are `domain:verb`. Every request carries an acknowledgement that receives a
 *   `Response<T>`. Commands that change something carry a `requestId` (an idempotency key): a
 *   retried command with the same key is applied once and answered with the first response.
 * - Live state arrives as a snapshot, then deltas. Deltas travel on streams (the company, each
 *   queue the user may see, the user's own calls, all calls for a contact person), each
 *   numbered by its own `seq`. A client applies a delta only if its seq is exactly one more than
 *   the last it applied on that stream, and asks for `state:resync` otherwise: never a silent gap.
 */
import type { ApiErrorCode } from './errors'
import type { CallId, CompanyId, Instant, LegId, PhoneNumber, QueueId, UserId } from './ids'
import type {
  AbsenceReason,
  AgentView,
  CallView,
  Delta,
  Destination,
  FunctionAccess,
  MissedCallView,
  QueueCallLogRecord,
  QueueView,
  Role,
  RoutingStrategy,
  TrailEntry,
  UserCallLogRecord,
  UserView,
} from './model'

export type Response<T> = { data: T } | { error: { code: ApiErrorCode; message: string } }
export type Ack<T> = (response: Response<T>) => void

// ───────────────────────────── HTTP: sessions ─────────────────────────────

/** POST /api/session */
export interface LoginRequest {
  username: string
  password: string
}

/** The logged-in user as the client needs to know them. */
export interface Me {
  userId: UserId
  companyId: CompanyId
  companyName: string
  username: string
  firstName: string
  lastName: string
  role: Role
  functions: FunctionAccess[]
  /** Queues the user is a member of (operators). */
  queueIds: QueueId[]
  /** Numbers the user may present on outgoing calls and SMS (own mobile and direct line first). */
  presentableNumbers: PhoneNumber[]
}

export interface LoginResponse {
  /** Opaque; send it as `auth.token` when connecting, and as `Authorization: Bearer` over HTTP. */
  token: string
  expiresAt: Instant
  me: Me
}

export interface SessionRenewal {
  token: string
  expiresAt: Instant
}

// ───────────────────────────── live state ─────────────────────────────

/** `company`, `queue:<queueId>`, `user:<userId>` or `calls` (every call; contact persons). */
export type StreamName = string

export interface StateSnapshot {
  me: Me
  at: Instant
  /** The seq of the last delta included, per stream the client is on. */
  streams: Record<StreamName, number>
  users: UserView[]
  agents: AgentView[]
  queues: QueueView[]
  calls: CallView[]
  missed: MissedCallView[]
  /** The streams (of the client's) each call is on; a call leaves the copy when it leaves all. */
  callStreams: Record<CallId, StreamName[]>
  missedStreams: Record<CallId, StreamName[]>
}

export interface StateDelta {
  stream: StreamName
  seq: number
  at: Instant
  deltas: Delta[]
}

// ───────────────────────────── reads ─────────────────────────────

export interface PageRequest {
  limit?: number
  /** Entries strictly older than this (the `startedAt`/`enteredAt` of the last one seen). */
  before?: Instant
  from?: Instant
  to?: Instant
}

/** An entry of a user's call log: the stored record, with who called back a missed call. */
export type UserLogEntry = Omit<UserCallLogRecord, 'kind' | 'companyId'> & {
  /** Address from number lookup, when known. */
  address: string | null
  calledBackBy: UserId | null
  calledBackAt: Instant | null
}

/** An entry of a queue's call log. */
export type QueueLogEntry = Omit<QueueCallLogRecord, 'kind' | 'companyId'> & {
  calledBackBy: UserId | null
  calledBackAt: Instant | null
}

export interface CallerNote {
  id: string
  number: PhoneNumber
  authorId: UserId
  text: string
  createdAt: Instant
}

export interface DirectoryHit {
  user: UserView
  agent: AgentView
}

export interface QueueStatistics {
  queueId: QueueId
  name: string
  offered: number
  answered: number
  abandoned: number
  timedOut: number
  overflowed: number
  serviceLevel: number | null
  serviceLevelCountingAbandons: number | null
  averageSpeedOfAnswerMs: number | null
  abandonRate: number | null
  longestAnsweredWaitMs: number
  /** Age of the oldest caller waiting now. */
  longestWaitNowMs: number | null
}

export interface AgentStatistics {
  userId: UserId
  /** Queue calls offered to the agent ("distributed"). */
  offered: number
  answered: number
  answerRate: number | null
  averageTalkMs: number | null
  transferred: number
  outgoing: number
  /** The calls behind the figures, newest first. */
  calls: {
    callId: CallId
    caller: PhoneNumber
    callerName: string | null
    answered: boolean
    transferredTo: Destination | null
    at: Instant
  }[]
}

export interface AuditView {
  id: string
  actorId: UserId | null
  action: string
  entity: string
  entityId: string
  before: unknown
  after: unknown
  at: Instant
}

// ───────────────────────────── administration ─────────────────────────────

export interface UserInput {
  id?: UserId
  username: string
  firstName: string
  lastName: string
  extension: PhoneNumber
  mobile: PhoneNumber | null
  direct: PhoneNumber | null
  department: string
  role: Role
  functions: FunctionAccess[]
  blocked: boolean
  presentableNumbers: PhoneNumber[]
  forwardOnBusy: PhoneNumber | null
  forwardOnNoAnswer: { to: PhoneNumber; afterSeconds: number } | null
  extraTerminal: PhoneNumber | null
}

export interface UserAdminView extends UserInput {
  id: UserId
}

export interface QueueInput {
  id?: QueueId
  name: string
  numbers: PhoneNumber[]
  strategy: RoutingStrategy
  members: { userId: UserId; penalty: number }[]
  ringTimeoutSeconds: number
  retryDelaySeconds: number
  wrapUpSeconds: number
  autoPauseAfter: number | null
  maxWaitSeconds: number | null
  maxLength: number | null
  overflow: Destination | null
  joinEmpty: boolean
  leaveWhenEmpty: boolean
  serviceLevelSeconds: number
  progressiveStepSeconds: number
}

export interface RetentionSettings {
  queueHistoryDays: number
  notesDays: number
}

// ───────────────────────────── events ─────────────────────────────

/** Every command that changes something carries an idempotency key. */
export interface Keyed {
  requestId: string
}
type OnCall = Keyed & { callId: CallId }

export interface ServerToClientEvents {
  'state:snapshot': (payload: StateSnapshot) => void
  'state:delta': (payload: StateDelta) => void
  /** The session is over (logged out elsewhere, password changed, blocked, deleted). */
  'session:ended': (payload: {
    reason: 'logout' | 'expired' | 'password-changed' | 'blocked' | 'deleted'
  }) => void
}

export interface ClientToServerEvents {
  'state:resync': (ack: Ack<StateSnapshot>) => void

  'call:answer': (payload: OnCall, ack: Ack<null>) => void
  'call:reject': (payload: OnCall, ack: Ack<null>) => void
  'call:pick': (payload: OnCall, ack: Ack<null>) => void
  'call:hold': (payload: OnCall, ack: Ack<null>) => void
  'call:resume': (payload: OnCall, ack: Ack<null>) => void
  'call:hangup': (payload: OnCall, ack: Ack<null>) => void
  'call:transfer': (
    payload: OnCall & { target: Destination; mode: 'blind' | 'consult' },
    ack: Ack<null>,
  ) => void
  'call:transfer-complete': (payload: OnCall, ack: Ack<null>) => void
  'call:transfer-cancel': (payload: OnCall, ack: Ack<null>) => void
  'call:park': (payload: OnCall, ack: Ack<{ slot: number }>) => void
  'call:retrieve': (payload: Keyed & { slot: number }, ack: Ack<null>) => void
  'call:dial': (payload: Keyed & { to: string; presentedNumber: string }, ack: Ack<null>) => void
  'call:trail': (payload: { callId: CallId }, ack: Ack<TrailEntry[]>) => void
  /** An SMS from a number the user may present, through the company's SMS gateway. */
  'sms:send': (
    payload: Keyed & { to: string; presentedNumber: string; text: string },
    ack: Ack<{ messageId: string }>,
  ) => void

  'conference:create': (payload: OnCall, ack: Ack<null>) => void
  'conference:add': (payload: OnCall & { target: Destination }, ack: Ack<null>) => void
  'conference:remove': (payload: OnCall & { legId: LegId }, ack: Ack<null>) => void
  'conference:end': (payload: OnCall, ack: Ack<null>) => void

  'callback:mark': (payload: OnCall, ack: Ack<null>) => void

  'presence:set-absence': (
    payload: Keyed & {
      reason: AbsenceReason
      note: string | null
      until: Instant | null
      forwardTo: string | null
    },
    ack: Ack<null>,
  ) => void
  'presence:clear-absence': (payload: Keyed, ack: Ack<null>) => void
  'queue:login': (payload: Keyed & { queueId: QueueId }, ack: Ack<null>) => void
  'queue:logout': (payload: Keyed & { queueId: QueueId }, ack: Ack<null>) => void
  'queue:pause': (
    payload: Keyed & { queueId: QueueId | null; reason: string },
    ack: Ack<null>,
  ) => void
  'queue:unpause': (payload: Keyed & { queueId: QueueId | null }, ack: Ack<null>) => void

  'directory:search': (payload: { query: string; limit?: number }, ack: Ack<DirectoryHit[]>) => void
  'log:mine': (payload: PageRequest, ack: Ack<UserLogEntry[]>) => void
  'log:queues': (payload: PageRequest & { queueIds?: QueueId[] }, ack: Ack<QueueLogEntry[]>) => void
  'log:switchboard': (payload: PageRequest, ack: Ack<UserLogEntry[]>) => void
  'caller:history': (payload: PageRequest & { number: string }, ack: Ack<QueueLogEntry[]>) => void
  'note:list': (payload: { number: string }, ack: Ack<CallerNote[]>) => void
  'note:add': (payload: Keyed & { number: string; text: string }, ack: Ack<CallerNote>) => void
  'note:delete': (payload: Keyed & { noteId: string }, ack: Ack<null>) => void
  'stats:queues': (payload: { from: Instant; to: Instant }, ack: Ack<QueueStatistics[]>) => void
  'stats:agents': (payload: { from: Instant; to: Instant }, ack: Ack<AgentStatistics[]>) => void

  'admin:users': (payload: Record<string, never>, ack: Ack<UserAdminView[]>) => void
  'admin:user-save': (
    payload: Keyed & { user: UserInput; password?: string },
    ack: Ack<UserAdminView>,
  ) => void
  'admin:user-delete': (payload: Keyed & { userId: UserId }, ack: Ack<null>) => void
  'admin:queue-save': (
    payload: Keyed & { queue: QueueInput },
    ack: Ack<{ queueId: QueueId }>,
  ) => void
  'admin:queue-delete': (payload: Keyed & { queueId: QueueId }, ack: Ack<null>) => void
  'admin:vip-set': (payload: Keyed & { numbers: string[] }, ack: Ack<null>) => void
  'admin:retention-set': (payload: Keyed & RetentionSettings, ack: Ack<null>) => void
  'admin:audit': (payload: PageRequest, ack: Ack<AuditView[]>) => void

  /** Ends every session of the user; the caller continues with the new token it gets back. */
  'account:change-password': (
    payload: Keyed & { current: string; next: string },
    ack: Ack<SessionRenewal>,
  ) => void
  /** A new token with a new absolute end, in place of the current one (the old one stops working). */
  'session:refresh': (ack: Ack<SessionRenewal>) => void
  'session:logout': (ack: Ack<null>) => void
}

export interface HandshakeAuth {
  token: string
}

export const socketPath = '/socket.io'
