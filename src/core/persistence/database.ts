/**
 * Opens the routing core's database: PostgreSQL for a `postgres://` or `postgresql://` URL,
 * otherwise an embedded SQLite file (better-sqlite3). Both are reached through one Kysely
 * instance typed by `Tables`, so SqlStore and the migrations are written once.
 */
import SQLite from 'better-sqlite3'
import type { Generated, SqliteDatabase } from 'kysely'
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely'
import pg from 'pg'

export type SqlDialectName = 'sqlite' | 'postgres'

export interface DatabaseHandle {
  db: Kysely<Tables>
  dialect: SqlDialectName
}

export interface OpenDatabaseOptions {
  /** `postgres://…` or `postgresql://…` selects PostgreSQL; `sqlite:PATH` is the same as `file`. */
  url?: string
  /** SQLite file; `:memory:` (the default) keeps everything in memory. */
  file?: string
  /** PostgreSQL only: the schema to work in (sets the connection's search_path). */
  schema?: string
  /** PostgreSQL only: the pool's size (default 10). */
  poolSize?: number
}

/** How long a SQLite connection waits for a lock held by another process before it fails. */
const sqliteBusyTimeoutMs = 5_000

const int8Oid = 20
let int8ParserSet = false

/** BIGINT columns hold times in milliseconds and counts: well inside Number's exact range. */
function parseInt8AsNumber(): void {
  if (int8ParserSet) return
  pg.types.setTypeParser(int8Oid, (value: string) => Number(value))
  int8ParserSet = true
}

export function isPostgresUrl(url: string | undefined): boolean {
  return url !== undefined && /^postgres(ql)?:\/\//i.test(url)
}

export function openDatabase(options: OpenDatabaseOptions = {}): DatabaseHandle {
  const { url } = options
  if (isPostgresUrl(url)) {
    parseInt8AsNumber()
    if (options.schema !== undefined && !/^[A-Za-z_][A-Za-z0-9_]*$/.test(options.schema))
      throw new Error(`not a plain schema name: ${options.schema}`)
    const pool = new pg.Pool({
      connectionString: url,
      max: options.poolSize ?? 10,
      ...(options.schema !== undefined ? { options: `-c search_path=${options.schema}` } : {}),
    })
    return {
      db: new Kysely<Tables>({ dialect: new PostgresDialect({ pool }) }),
      dialect: 'postgres',
    }
  }
  let file = options.file ?? ':memory:'
  if (url !== undefined) {
    if (!url.startsWith('sqlite:')) throw new Error(`unsupported database URL: ${url}`)
    file = url.slice('sqlite:'.length)
  }
  const database = openSqlite(file)
  return {
    db: new Kysely<Tables>({
      dialect: new SqliteDialect({ database: withStatementCache(database) }),
    }),
    dialect: 'sqlite',
  }
}

/** A SQLite connection as the core uses them: WAL (readers never wait for the writer). */
export function openSqlite(file: string): SQLite.Database {
  const database = new SQLite(file)
  database.pragma('journal_mode = WAL')
  database.pragma('foreign_keys = ON')
  database.pragma('synchronous = NORMAL')
  database.pragma(`busy_timeout = ${sqliteBusyTimeoutMs}`)
  return database
}

// ───────────────────────────── tables ─────────────────────────────
// Column types as both databases return them: times and counts as numbers (BIGINT parsed to
// number on PostgreSQL), booleans as 0/1 integers, JSON as text.

type Bool = number
type Json = string

export interface Tables {
  companies: CompaniesTable
  vip_numbers: VipNumbersTable
  users: UsersTable
  user_presentable_numbers: UserPresentableNumbersTable
  credentials: CredentialsTable
  sessions: SessionsTable
  queues: QueuesTable
  queue_numbers: QueueNumbersTable
  queue_members: QueueMembersTable
  absences: AbsencesTable
  user_call_log: UserCallLogTable
  queue_call_log: QueueCallLogTable
  queue_events: QueueEventsTable
  call_trails: CallTrailsTable
  caller_notes: CallerNotesTable
  retention: RetentionTable
  audit_log: AuditLogTable
}

export interface CompaniesTable {
  id: string
  name: string
  /** The rest of CompanySettings (time zone, park slots, timeouts) as JSON. */
  settings: Json
}

export interface VipNumbersTable {
  company_id: string
  position: number
  number: string
}

export interface UsersTable {
  id: string
  company_id: string
  /** The order users were first saved in: the directory's and the config's stable order. */
  seq: number
  first_name: string
  last_name: string
  extension: string
  mobile: string | null
  direct: string | null
  department: string
  forward_on_busy: string | null
  forward_no_answer_to: string | null
  forward_no_answer_after: number | null
  extra_terminal: string | null
  username: string
  role: string
  functions: Json
  blocked: Bool
}

export interface UserPresentableNumbersTable {
  user_id: string
  position: number
  number: string
}

export interface CredentialsTable {
  user_id: string
  password_hash: string
  password_changed_at: number
}

export interface SessionsTable {
  token_hash: string
  user_id: string
  company_id: string
  created_at: number
  last_seen_at: number
  expires_at: number
}

export interface QueuesTable {
  company_id: string
  id: string
  seq: number
  name: string
  strategy: string
  /** The rest of QueueConfig (timeouts, overflow, opening hours, closed destination…) as JSON. */
  settings: Json
}

export interface QueueNumbersTable {
  company_id: string
  number: string
  queue_id: string
  position: number
}

export interface QueueMembersTable {
  company_id: string
  queue_id: string
  user_id: string
  position: number
  penalty: number
  /** The configuration's `loggedIn`: whether the member starts logged in. */
  starts_logged_in: Bool
  /** Run-time state (MembershipState), kept apart from the configuration. */
  logged_in: Bool
  paused_reason: string | null
  paused_since: number | null
}

export interface AbsencesTable {
  user_id: string
  company_id: string
  reason: string
  note: string | null
  since: number
  until: number | null
  forward_to: string | null
}

interface CalledBack {
  called_back_by: string | null
  called_back_at: number | null
  /** CallbackMarked.how ('marked' or 'reached'); stored, not yet returned by the Store. */
  called_back_how: string | null
}

export interface UserCallLogTable extends CalledBack {
  company_id: string
  call_id: string
  user_id: string
  direction: string
  counterpart_number: string
  counterpart_name: string | null
  counterpart_user_id: string | null
  dialed: string
  queue_id: string | null
  queue_name: string | null
  presented_number: string | null
  started_at: number
  answered_at: number | null
  ended_at: number
  answered: Bool
  talk_ms: number
  transferred_to: Json | null
}

export interface QueueCallLogTable extends CalledBack {
  company_id: string
  call_id: string
  queue_id: string
  queue_name: string
  caller_number: string
  caller_name: string | null
  caller_user_id: string | null
  dialed: string
  vip: Bool
  entered_at: number
  answered_at: number | null
  answered_by: string | null
  ended_at: number
  wait_ms: number
  talk_ms: number
  outcome: string
  transferred_to: Json | null
  overflow_to: Json | null
}

export interface QueueEventsTable {
  /** Append order: events of the same millisecond keep the order they were written in. */
  seq: Generated<number>
  company_id: string
  at: number
  queue_id: string
  kind: string
  call_id: string | null
  agent_id: string | null
  caller_number: string | null
  wait_ms: number | null
  talk_ms: number | null
  reason: string | null
  destination: Json | null
}

export interface CallTrailsTable {
  company_id: string
  call_id: string
  trail: Json
  ended_at: number
}

export interface CallerNotesTable {
  company_id: string
  id: string
  number: string
  author_id: string
  text: string
  created_at: number
}

export interface RetentionTable {
  company_id: string
  user_log_days: number
  queue_history_days: number
  notes_days: number
}

export interface AuditLogTable {
  company_id: string
  id: string
  actor_id: string | null
  action: string
  entity: string
  entity_id: string
  before: Json | null
  after: Json | null
  at: number
}

/**
 * Kysely prepares every query it runs; preparing is most of the cost of a small insert. The
 * same SQL text gets the same prepared statement (queries are run one at a time on this
 * connection and never streamed, so a statement is never busy when it is reused).
 */
function withStatementCache(database: SQLite.Database): SqliteDatabase {
  const statements = new Map<string, SQLite.Statement>()
  return {
    close: () => database.close(),
    prepare: (text) => {
      let statement = statements.get(text)
      if (!statement) {
        // Bounded: inserts of many rows make a new text per row count.
        if (statements.size >= 500) statements.clear()
        statement = database.prepare(text)
        statements.set(text, statement)
      }
      return statement
    },
  }
}
