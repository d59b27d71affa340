/**
 * The persistence contract of the routing core: everything that must outlive a restart.
 * One implementation (SqlStore, Kysely) serves SQLite (embedded default) and PostgreSQL.
 * Every method is atomic on its own; `transaction` groups several.
 *
 * Times are milliseconds since the epoch (Instant). Ids are strings chosen by the caller.
 * User ids are unique across companies (credentials and sessions are found by user id alone);
 * queue, call and note ids only within their company.
 */
import type { CallId, CompanyId, Instant, PhoneNumber, QueueId, UserId } from '../../shared/ids'
import type {
  Absence,
  CallbackMarked,
  CallLogRecord,
  FunctionAccess,
  QueueCallLogRecord,
  QueueLogEvent,
  Role,
  TrailEntry,
  UserCallLogRecord,
} from '../../shared/model'
import type { CompanyConfig, QueueConfig, UserConfig } from '../domain/config'
import type { StoredTrailEntry } from '../domain/trail'

/** A company's own settings: the CompanyConfig without its users and queues. */
export type CompanySettings = Omit<CompanyConfig, 'users' | 'queues'>

/** A user as stored: the engine's directory entry plus account and rights. */
export interface UserRecord extends UserConfig {
  companyId: CompanyId
  /** Login name, unique across all companies (lower case). */
  username: string
  role: Role
  functions: FunctionAccess[]
  blocked: boolean
}

export interface Credential {
  userId: UserId
  companyId: CompanyId
  username: string
  passwordHash: string
  passwordChangedAt: Instant
}

export interface SessionRecord {
  /** SHA-256 of the token, hex; the token itself is never stored. */
  tokenHash: string
  userId: UserId
  companyId: CompanyId
  createdAt: Instant
  lastSeenAt: Instant
  /** Absolute end: the session is over at this instant whatever happens. */
  expiresAt: Instant
}

/** Queue membership state that changes at run time and must survive a restart. */
export interface MembershipState {
  queueId: QueueId
  userId: UserId
  loggedIn: boolean
  paused: { reason: string; since: Instant } | null
}

export interface StoredUserCallLog extends UserCallLogRecord {
  calledBackBy: UserId | null
  calledBackAt: Instant | null
}

export interface StoredQueueCallLog extends QueueCallLogRecord {
  calledBackBy: UserId | null
  calledBackAt: Instant | null
}

export interface CallerNote {
  id: string
  companyId: CompanyId
  number: PhoneNumber
  authorId: UserId
  text: string
  createdAt: Instant
}

export interface Retention {
  /** Users' own call logs: fixed by the service terms at 30 days. */
  userLogDays: number
  /** Queue call history and queue events, as the contact person sets it. */
  queueHistoryDays: number
  /** Notes on callers, as the contact person sets it. */
  notesDays: number
}

export const defaultRetention: Retention = { userLogDays: 30, queueHistoryDays: 90, notesDays: 90 }

export interface AuditEntry {
  id: string
  companyId: CompanyId
  /** The user who made the change; null for the system (first start, purge). */
  actorId: UserId | null
  action: string
  entity: string
  entityId: string
  before: unknown
  after: unknown
  at: Instant
}

/**
 * Paging for logs: newest first, strictly before `before` when given; `from` is inclusive, `to`
 * exclusive. The instant compared is the record's start: `startedAt` for user call logs,
 * `enteredAt` for queue call logs, `at` for the audit log. Records sharing one instant are in
 * a fixed order, but a page that ends inside such a group loses the rest of it to `before`.
 */
export interface Page {
  limit: number
  before?: Instant
  from?: Instant
  to?: Instant
}

export interface PurgeResult {
  userLogs: number
  queueLogs: number
  queueEvents: number
  notes: number
  trails: number
  sessions: number
}

export interface Store {
  /** Bring the schema up to date (numbered migrations). */
  migrate(): Promise<void>
  close(): Promise<void>
  transaction<T>(work: (store: Store) => Promise<T>): Promise<T>

  // Companies and configuration
  listCompanies(): Promise<CompanySettings[]>
  saveCompany(settings: CompanySettings): Promise<void>
  deleteCompany(companyId: CompanyId): Promise<void>
  /** The engine's configuration of a company, assembled from users, queues and VIP numbers. */
  loadCompanyConfig(companyId: CompanyId): Promise<CompanyConfig | null>

  listUsers(companyId: CompanyId): Promise<UserRecord[]>
  getUser(companyId: CompanyId, userId: UserId): Promise<UserRecord | null>
  saveUser(user: UserRecord): Promise<void>
  /**
   * Real deletion: the user, their credential, sessions, absence and memberships. Their call-log
   * records stay until the retention purge.
   */
  deleteUser(companyId: CompanyId, userId: UserId): Promise<void>

  listQueues(companyId: CompanyId): Promise<QueueConfig[]>
  saveQueue(companyId: CompanyId, queue: QueueConfig): Promise<void>
  deleteQueue(companyId: CompanyId, queueId: QueueId): Promise<void>
  setVipNumbers(companyId: CompanyId, numbers: PhoneNumber[]): Promise<void>

  // Run-time state that must survive a restart
  listAbsences(companyId: CompanyId): Promise<{ userId: UserId; absence: Absence }[]>
  setAbsence(companyId: CompanyId, userId: UserId, absence: Absence | null): Promise<void>
  listMemberships(companyId: CompanyId): Promise<MembershipState[]>
  /** No effect when the user is not a member of the queue. */
  setMembership(companyId: CompanyId, state: MembershipState): Promise<void>

  // Accounts
  getCredentialByUsername(username: string): Promise<Credential | null>
  getCredential(userId: UserId): Promise<Credential | null>
  setPassword(userId: UserId, passwordHash: string, at: Instant): Promise<void>
  createSession(session: SessionRecord): Promise<void>
  getSession(tokenHash: string): Promise<SessionRecord | null>
  touchSession(tokenHash: string, lastSeenAt: Instant): Promise<void>
  deleteSession(tokenHash: string): Promise<void>
  deleteSessionsOfUser(userId: UserId): Promise<number>

  // Calls
  appendCallLog(records: CallLogRecord[]): Promise<void>
  /** Marks every record of the call, the users' and the queues'; the first mark stands. */
  markCalledBack(callback: CallbackMarked): Promise<void>
  userCallLog(companyId: CompanyId, userId: UserId, page: Page): Promise<StoredUserCallLog[]>
  /** Every user's log (the contact person's switchboard log). */
  allUserCallLogs(companyId: CompanyId, page: Page): Promise<StoredUserCallLog[]>
  queueCallLog(companyId: CompanyId, queueIds: QueueId[], page: Page): Promise<StoredQueueCallLog[]>
  /**
   * Earlier calls from this number, newest first. The return type holds queue records only, so
   * direct calls to users are not included.
   */
  callerHistory(
    companyId: CompanyId,
    number: PhoneNumber,
    page: Page,
  ): Promise<StoredQueueCallLog[]>
  appendQueueEvents(events: QueueLogEvent[]): Promise<void>
  /** Events with from <= at < to, oldest first; one instant's events in append order. */
  queueEvents(companyId: CompanyId, from: Instant, to: Instant): Promise<QueueLogEvent[]>
  /** The trail as the engine keeps it (compact decisions) or already expanded. */
  saveTrail(
    companyId: CompanyId,
    callId: CallId,
    trail: readonly (TrailEntry | StoredTrailEntry)[],
    endedAt: Instant,
  ): Promise<void>
  getTrail(companyId: CompanyId, callId: CallId): Promise<TrailEntry[] | null>

  // Notes on callers
  addNote(note: CallerNote): Promise<void>
  notesFor(companyId: CompanyId, number: PhoneNumber): Promise<CallerNote[]>
  deleteNote(companyId: CompanyId, noteId: string): Promise<boolean>

  // Data protection
  getRetention(companyId: CompanyId): Promise<Retention>
  setRetention(companyId: CompanyId, retention: Retention): Promise<void>
  /**
   * Really deletes what is older than the retention allows, and expired sessions. A record goes
   * once it is `days` old (time <= now - days): user call logs by endedAt (userLogDays); queue
   * call logs by endedAt, queue events by at and trails by endedAt (queueHistoryDays); notes by
   * createdAt (notesDays). Sessions go when expiresAt <= now; an idle limit is the caller's.
   */
  purge(companyId: CompanyId, now: Instant): Promise<PurgeResult>

  // Audit
  appendAudit(entry: AuditEntry): Promise<void>
  auditLog(companyId: CompanyId, page: Page): Promise<AuditEntry[]>
}
