/**
 * The Store over SQL: one implementation for SQLite and PostgreSQL through Kysely.
 *
 * Conventions (both databases alike): times are BIGINT milliseconds, booleans 0/1 integers,
 * structured values (settings, destinations, trails, audit before/after) JSON text. Every
 * method is atomic: those that write several statements run in a transaction of their own, or
 * in the caller's when the store is bound to one by `transaction`.
 */
import type { Expression, Kysely, Selectable, SqlBool, Transaction } from 'kysely'
import { Migrator, sql } from 'kysely'
import type { CallId, CompanyId, Instant, PhoneNumber, QueueId, UserId } from '../../shared/ids'
import type {
  Absence,
  AbsenceReason,
  CallbackMarked,
  CallLogRecord,
  Destination,
  FunctionAccess,
  QueueCallLogRecord,
  QueueLogEvent,
  QueueLogKind,
  QueueOutcome,
  Role,
  RoutingStrategy,
  TrailEntry,
  UserCallLogRecord,
} from '../../shared/model'
import type { CompanyConfig, QueueConfig, UserConfig } from '../domain/config'
import type {
  AuditLogTable,
  DatabaseHandle,
  QueueCallLogTable,
  QueueEventsTable,
  SqlDialectName,
  Tables,
  UserCallLogTable,
  UsersTable,
} from './database'
import { trailFromJson, trailJson, type StoredTrailEntry } from '../domain/trail'
import { migrationProvider } from './migrations'
import type {
  AuditEntry,
  CallerNote,
  CompanySettings,
  Credential,
  MembershipState,
  Page,
  PurgeResult,
  Retention,
  SessionRecord,
  Store,
  StoredQueueCallLog,
  StoredUserCallLog,
  UserRecord,
} from './store'
import { defaultRetention } from './store'

const dayMs = 24 * 60 * 60 * 1000
/** Rows per INSERT: well under SQLite's and PostgreSQL's limits on bound parameters. */
const insertChunk = 500

type Db = Kysely<Tables>

const staleSnapshotAttempts = 5

function isStale(error: unknown): boolean {
  return (
    typeof error === 'object' &&
    error !== null &&
    (error as { code?: unknown }).code === 'SQLITE_BUSY_SNAPSHOT'
  )
}

export class SqlStore implements Store {
  readonly dialect: SqlDialectName
  readonly #handle: DatabaseHandle
  readonly #db: Db

  /** `trx` is for `transaction` only: the store it hands to its work is bound to it. */
  constructor(handle: DatabaseHandle, trx?: Transaction<Tables>) {
    this.#handle = handle
    this.#db = trx ?? handle.db
    this.dialect = handle.dialect
  }

  /** Runs `work` in a transaction: this store's own, or a new one (with a store bound to it). */
  async #atomic<T>(work: (db: Db, store: SqlStore) => Promise<T>): Promise<T> {
    if (this.#db.isTransaction) return work(this.#db, this)
    return this.#newTransaction((trx) => work(trx, new SqlStore(this.#handle, trx)))
  }

  /**
   * A new transaction, run again when SQLite says its snapshot went stale: a transaction that
   * read before another connection (the record worker) committed cannot then write (SQLite's
   * SQLITE_BUSY_SNAPSHOT, which does not wait for the busy timeout). It was rolled back, so
   * running the work again on a fresh snapshot is safe.
   */
  async #newTransaction<T>(work: (trx: Transaction<Tables>) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.#db.transaction().execute(work)
      } catch (error) {
        if (this.dialect !== 'sqlite' || attempt >= staleSnapshotAttempts || !isStale(error))
          throw error
      }
    }
  }

  async migrate(): Promise<void> {
    if (this.#db.isTransaction) throw new Error('migrate() cannot run inside a transaction')
    let migrationTableSchema: string | undefined
    if (this.dialect === 'postgres') {
      // Kysely looks for its migration table in every schema unless told which one: name ours.
      const { rows } = await sql<{
        schema: string | null
      }>`select current_schema() as schema`.execute(this.#db)
      const schema = rows[0]?.schema
      if (!schema) throw new Error('no current schema: does the search_path name one?')
      migrationTableSchema = schema
    }
    const migrator = new Migrator({
      db: this.#db,
      provider: migrationProvider,
      ...(migrationTableSchema !== undefined ? { migrationTableSchema } : {}),
    })
    const { error, results } = await migrator.migrateToLatest()
    if (error !== undefined) {
      const failed = results?.find((r) => r.status === 'Error')?.migrationName
      throw new Error(`migration ${failed ?? '(none)'} failed`, { cause: error })
    }
  }

  async close(): Promise<void> {
    if (this.#db.isTransaction) throw new Error('close() is not for a store bound to a transaction')
    await this.#handle.db.destroy()
  }

  /**
   * Runs `work` with a store bound to one transaction: committed when `work` resolves, rolled
   * back when it throws. Called on a store that is already bound, it joins that transaction.
   */
  async transaction<T>(work: (store: Store) => Promise<T>): Promise<T> {
    if (this.#db.isTransaction) return work(this)
    return this.#newTransaction((trx) => work(new SqlStore(this.#handle, trx)))
  }

  // ───────────────────────────── companies ─────────────────────────────

  async listCompanies(): Promise<CompanySettings[]> {
    const rows = await this.#db.selectFrom('companies').selectAll().orderBy('id').execute()
    const vip = await this.#db
      .selectFrom('vip_numbers')
      .selectAll()
      .orderBy('company_id')
      .orderBy('position')
      .execute()
    const vipOf = groupBy(vip, (v) => v.company_id)
    return rows.map((row) =>
      companyFromRow(
        row,
        (vipOf.get(row.id) ?? []).map((v) => v.number),
      ),
    )
  }

  async saveCompany(settings: CompanySettings): Promise<void> {
    const { id, name, vipNumbers, ...rest } = settings
    const json = JSON.stringify(rest)
    await this.#atomic(async (db) => {
      await db
        .insertInto('companies')
        .values({ id, name, settings: json })
        .onConflict((oc) => oc.column('id').doUpdateSet({ name, settings: json }))
        .execute()
      await replaceVipNumbers(db, id, vipNumbers)
    })
  }

  async deleteCompany(companyId: CompanyId): Promise<void> {
    await this.#db.deleteFrom('companies').where('id', '=', companyId).execute()
  }

  async loadCompanyConfig(companyId: CompanyId): Promise<CompanyConfig | null> {
    return this.#atomic(async (db, store) => {
      const row = await db
        .selectFrom('companies')
        .selectAll()
        .where('id', '=', companyId)
        .executeTakeFirst()
      if (!row) return null
      const vip = await vipNumbersOf(db, companyId)
      const users = await store.listUsers(companyId)
      const queues = await store.listQueues(companyId)
      const settings = companyFromRow(row, vip)
      return { ...settings, users: users.map(userConfigOf), queues }
    })
  }

  // ───────────────────────────── users ─────────────────────────────

  async listUsers(companyId: CompanyId): Promise<UserRecord[]> {
    const rows = await this.#db
      .selectFrom('users')
      .selectAll()
      .where('company_id', '=', companyId)
      .orderBy('seq')
      .orderBy('id')
      .execute()
    const numbers = await this.#db
      .selectFrom('user_presentable_numbers as p')
      .innerJoin('users as u', 'u.id', 'p.user_id')
      .select(['p.user_id', 'p.number'])
      .where('u.company_id', '=', companyId)
      .orderBy('p.user_id')
      .orderBy('p.position')
      .execute()
    const numbersOf = groupBy(numbers, (n) => n.user_id)
    return rows.map((row) =>
      userFromRow(
        row,
        (numbersOf.get(row.id) ?? []).map((n) => n.number),
      ),
    )
  }

  async getUser(companyId: CompanyId, userId: UserId): Promise<UserRecord | null> {
    const row = await this.#db
      .selectFrom('users')
      .selectAll()
      .where('company_id', '=', companyId)
      .where('id', '=', userId)
      .executeTakeFirst()
    if (!row) return null
    const numbers = await this.#db
      .selectFrom('user_presentable_numbers')
      .select('number')
      .where('user_id', '=', userId)
      .orderBy('position')
      .execute()
    return userFromRow(
      row,
      numbers.map((n) => n.number),
    )
  }

  /** Inserts or updates; the username is stored in lower case. A user keeps its place (seq). */
  async saveUser(user: UserRecord): Promise<void> {
    const values = userValues(user)
    await this.#atomic(async (db) => {
      const existing = await db
        .selectFrom('users')
        .select('company_id')
        .where('id', '=', user.id)
        .executeTakeFirst()
      if (existing && existing.company_id !== user.companyId)
        throw new Error(`user ${user.id} belongs to another company`)
      if (existing) {
        await db.updateTable('users').set(values).where('id', '=', user.id).execute()
      } else {
        const seq = await nextSeq(db, 'users', user.companyId)
        await db
          .insertInto('users')
          .values({ ...values, seq })
          .execute()
      }
      await db.deleteFrom('user_presentable_numbers').where('user_id', '=', user.id).execute()
      if (user.presentableNumbers.length > 0)
        await db
          .insertInto('user_presentable_numbers')
          .values(
            user.presentableNumbers.map((number, position) => ({
              user_id: user.id,
              position,
              number,
            })),
          )
          .execute()
    })
  }

  /** The credential, sessions, absence, memberships and presentable numbers go by cascade. */
  async deleteUser(companyId: CompanyId, userId: UserId): Promise<void> {
    await this.#db
      .deleteFrom('users')
      .where('company_id', '=', companyId)
      .where('id', '=', userId)
      .execute()
  }

  // ───────────────────────────── queues ─────────────────────────────

  async listQueues(companyId: CompanyId): Promise<QueueConfig[]> {
    const rows = await this.#db
      .selectFrom('queues')
      .selectAll()
      .where('company_id', '=', companyId)
      .orderBy('seq')
      .orderBy('id')
      .execute()
    const numbers = await this.#db
      .selectFrom('queue_numbers')
      .select(['queue_id', 'number'])
      .where('company_id', '=', companyId)
      .orderBy('queue_id')
      .orderBy('position')
      .execute()
    const members = await this.#db
      .selectFrom('queue_members')
      .select(['queue_id', 'user_id', 'penalty', 'starts_logged_in'])
      .where('company_id', '=', companyId)
      .orderBy('queue_id')
      .orderBy('position')
      .execute()
    const numbersOf = groupBy(numbers, (n) => n.queue_id)
    const membersOf = groupBy(members, (m) => m.queue_id)
    return rows.map((row) => {
      const settings = parseJson<QueueSettings>(row.settings)
      return {
        ...settings,
        id: row.id,
        name: row.name,
        numbers: (numbersOf.get(row.id) ?? []).map((n) => n.number),
        strategy: row.strategy as RoutingStrategy,
        members: (membersOf.get(row.id) ?? []).map((m) => ({
          userId: m.user_id,
          penalty: m.penalty,
          loggedIn: m.starts_logged_in !== 0,
        })),
      }
    })
  }

  /**
   * Inserts or updates the queue, its numbers and its members (in the given order). Members who
   * stay keep their run-time state (logged in, paused); new members start as configured.
   */
  async saveQueue(companyId: CompanyId, queue: QueueConfig): Promise<void> {
    const { id, name, numbers, strategy, members, ...rest } = queue
    const settings = JSON.stringify(rest)
    await this.#atomic(async (db) => {
      const existing = await db
        .selectFrom('queues')
        .select('seq')
        .where('company_id', '=', companyId)
        .where('id', '=', id)
        .executeTakeFirst()
      if (existing) {
        await db
          .updateTable('queues')
          .set({ name, strategy, settings })
          .where('company_id', '=', companyId)
          .where('id', '=', id)
          .execute()
      } else {
        const seq = await nextSeq(db, 'queues', companyId)
        await db
          .insertInto('queues')
          .values({ company_id: companyId, id, seq, name, strategy, settings })
          .execute()
      }
      await db
        .deleteFrom('queue_numbers')
        .where('company_id', '=', companyId)
        .where('queue_id', '=', id)
        .execute()
      if (numbers.length > 0)
        await db
          .insertInto('queue_numbers')
          .values(
            numbers.map((number, position) => ({
              company_id: companyId,
              number,
              queue_id: id,
              position,
            })),
          )
          .execute()
      let gone = db
        .deleteFrom('queue_members')
        .where('company_id', '=', companyId)
        .where('queue_id', '=', id)
      if (members.length > 0)
        gone = gone.where(
          'user_id',
          'not in',
          members.map((m) => m.userId),
        )
      await gone.execute()
      for (const [position, member] of members.entries()) {
        const startsLoggedIn = bool(member.loggedIn)
        await db
          .insertInto('queue_members')
          .values({
            company_id: companyId,
            queue_id: id,
            user_id: member.userId,
            position,
            penalty: member.penalty,
            starts_logged_in: startsLoggedIn,
            logged_in: startsLoggedIn,
            paused_reason: null,
            paused_since: null,
          })
          .onConflict((oc) =>
            oc
              .columns(['company_id', 'queue_id', 'user_id'])
              .doUpdateSet({ position, penalty: member.penalty, starts_logged_in: startsLoggedIn }),
          )
          .execute()
      }
    })
  }

  /** The queue's numbers and memberships go by cascade; its call log and events stay. */
  async deleteQueue(companyId: CompanyId, queueId: QueueId): Promise<void> {
    await this.#db
      .deleteFrom('queues')
      .where('company_id', '=', companyId)
      .where('id', '=', queueId)
      .execute()
  }

  async setVipNumbers(companyId: CompanyId, numbers: PhoneNumber[]): Promise<void> {
    await this.#atomic((db) => replaceVipNumbers(db, companyId, numbers))
  }

  // ───────────────────────────── run-time state ─────────────────────────────

  async listAbsences(companyId: CompanyId): Promise<{ userId: UserId; absence: Absence }[]> {
    const rows = await this.#db
      .selectFrom('absences')
      .selectAll()
      .where('company_id', '=', companyId)
      .orderBy('user_id')
      .execute()
    return rows.map((row) => ({
      userId: row.user_id,
      absence: {
        reason: row.reason as AbsenceReason,
        note: row.note,
        since: row.since,
        until: row.until,
        forwardTo: row.forward_to,
      },
    }))
  }

  async setAbsence(companyId: CompanyId, userId: UserId, absence: Absence | null): Promise<void> {
    if (absence === null) {
      await this.#db
        .deleteFrom('absences')
        .where('company_id', '=', companyId)
        .where('user_id', '=', userId)
        .execute()
      return
    }
    const values = {
      reason: absence.reason,
      note: absence.note,
      since: absence.since,
      until: absence.until,
      forward_to: absence.forwardTo,
    }
    await this.#db
      .insertInto('absences')
      .values({ user_id: userId, company_id: companyId, ...values })
      .onConflict((oc) => oc.column('user_id').doUpdateSet({ company_id: companyId, ...values }))
      .execute()
  }

  /** Every membership of the company, queues in their order, members in their position. */
  async listMemberships(companyId: CompanyId): Promise<MembershipState[]> {
    const rows = await this.#db
      .selectFrom('queue_members as m')
      .innerJoin('queues as q', (join) =>
        join.onRef('q.company_id', '=', 'm.company_id').onRef('q.id', '=', 'm.queue_id'),
      )
      .select(['m.queue_id', 'm.user_id', 'm.logged_in', 'm.paused_reason', 'm.paused_since'])
      .where('m.company_id', '=', companyId)
      .orderBy('q.seq')
      .orderBy('q.id')
      .orderBy('m.position')
      .execute()
    return rows.map((row) => ({
      queueId: row.queue_id,
      userId: row.user_id,
      loggedIn: row.logged_in !== 0,
      paused:
        row.paused_reason !== null && row.paused_since !== null
          ? { reason: row.paused_reason, since: row.paused_since }
          : null,
    }))
  }

  /** Has no effect when the user is not (or no longer) a member of the queue. */
  async setMembership(companyId: CompanyId, state: MembershipState): Promise<void> {
    await this.#db
      .updateTable('queue_members')
      .set({
        logged_in: bool(state.loggedIn),
        paused_reason: state.paused?.reason ?? null,
        paused_since: state.paused?.since ?? null,
      })
      .where('company_id', '=', companyId)
      .where('queue_id', '=', state.queueId)
      .where('user_id', '=', state.userId)
      .execute()
  }

  // ───────────────────────────── accounts ─────────────────────────────

  async getCredentialByUsername(username: string): Promise<Credential | null> {
    const row = await this.#credentials()
      .where('u.username', '=', username.toLowerCase())
      .executeTakeFirst()
    return row ? credentialFromRow(row) : null
  }

  async getCredential(userId: UserId): Promise<Credential | null> {
    const row = await this.#credentials().where('u.id', '=', userId).executeTakeFirst()
    return row ? credentialFromRow(row) : null
  }

  #credentials() {
    return this.#db
      .selectFrom('credentials as c')
      .innerJoin('users as u', 'u.id', 'c.user_id')
      .select([
        'c.user_id',
        'u.company_id',
        'u.username',
        'c.password_hash',
        'c.password_changed_at',
      ])
  }

  /** Creates the credential or replaces its password; the user must exist. */
  async setPassword(userId: UserId, passwordHash: string, at: Instant): Promise<void> {
    await this.#db
      .insertInto('credentials')
      .values({ user_id: userId, password_hash: passwordHash, password_changed_at: at })
      .onConflict((oc) =>
        oc.column('user_id').doUpdateSet({ password_hash: passwordHash, password_changed_at: at }),
      )
      .execute()
  }

  async createSession(session: SessionRecord): Promise<void> {
    await this.#db
      .insertInto('sessions')
      .values({
        token_hash: session.tokenHash,
        user_id: session.userId,
        company_id: session.companyId,
        created_at: session.createdAt,
        last_seen_at: session.lastSeenAt,
        expires_at: session.expiresAt,
      })
      .execute()
  }

  async getSession(tokenHash: string): Promise<SessionRecord | null> {
    const row = await this.#db
      .selectFrom('sessions')
      .selectAll()
      .where('token_hash', '=', tokenHash)
      .executeTakeFirst()
    if (!row) return null
    return {
      tokenHash: row.token_hash,
      userId: row.user_id,
      companyId: row.company_id,
      createdAt: row.created_at,
      lastSeenAt: row.last_seen_at,
      expiresAt: row.expires_at,
    }
  }

  async touchSession(tokenHash: string, lastSeenAt: Instant): Promise<void> {
    await this.#db
      .updateTable('sessions')
      .set({ last_seen_at: lastSeenAt })
      .where('token_hash', '=', tokenHash)
      .execute()
  }

  async deleteSession(tokenHash: string): Promise<void> {
    await this.#db.deleteFrom('sessions').where('token_hash', '=', tokenHash).execute()
  }

  async deleteSessionsOfUser(userId: UserId): Promise<number> {
    const result = await this.#db
      .deleteFrom('sessions')
      .where('user_id', '=', userId)
      .executeTakeFirst()
    return Number(result.numDeletedRows)
  }

  // ───────────────────────────── calls ─────────────────────────────

  /** Idempotent: a record already stored (same call, and user or queue) is left as it is. */
  async appendCallLog(records: CallLogRecord[]): Promise<void> {
    const users: UserCallLogRecord[] = []
    const queues: QueueCallLogRecord[] = []
    for (const record of records) {
      if (record.kind === 'user') users.push(record)
      else queues.push(record)
    }
    await this.#atomic(async (db) => {
      for (const chunk of chunks(users.map(userLogValues)))
        await db
          .insertInto('user_call_log')
          .values(chunk)
          .onConflict((oc) => oc.columns(['company_id', 'call_id', 'user_id']).doNothing())
          .execute()
      for (const chunk of chunks(queues.map(queueLogValues)))
        await db
          .insertInto('queue_call_log')
          .values(chunk)
          .onConflict((oc) => oc.columns(['company_id', 'call_id', 'queue_id']).doNothing())
          .execute()
    })
  }

  /** Marks every record of the call, users' and queues'; the first mark stands. */
  async markCalledBack(callback: CallbackMarked): Promise<void> {
    const values = {
      called_back_by: callback.by,
      called_back_at: callback.at,
      called_back_how: callback.how,
    }
    await this.#atomic(async (db) => {
      await db
        .updateTable('user_call_log')
        .set(values)
        .where('company_id', '=', callback.companyId)
        .where('call_id', '=', callback.callId)
        .where('called_back_at', 'is', null)
        .execute()
      await db
        .updateTable('queue_call_log')
        .set(values)
        .where('company_id', '=', callback.companyId)
        .where('call_id', '=', callback.callId)
        .where('called_back_at', 'is', null)
        .execute()
    })
  }

  async userCallLog(
    companyId: CompanyId,
    userId: UserId,
    page: Page,
  ): Promise<StoredUserCallLog[]> {
    let query = this.#db
      .selectFrom('user_call_log')
      .selectAll()
      .where('company_id', '=', companyId)
      .where('user_id', '=', userId)
    for (const condition of pageConditions('started_at', page)) query = query.where(condition)
    const rows = await query
      .orderBy('started_at', 'desc')
      .orderBy('call_id', 'desc')
      .limit(page.limit)
      .execute()
    return rows.map(userLogFromRow)
  }

  async allUserCallLogs(companyId: CompanyId, page: Page): Promise<StoredUserCallLog[]> {
    let query = this.#db.selectFrom('user_call_log').selectAll().where('company_id', '=', companyId)
    for (const condition of pageConditions('started_at', page)) query = query.where(condition)
    const rows = await query
      .orderBy('started_at', 'desc')
      .orderBy('call_id', 'desc')
      .orderBy('user_id')
      .limit(page.limit)
      .execute()
    return rows.map(userLogFromRow)
  }

  async queueCallLog(
    companyId: CompanyId,
    queueIds: QueueId[],
    page: Page,
  ): Promise<StoredQueueCallLog[]> {
    if (queueIds.length === 0) return []
    let query = this.#db
      .selectFrom('queue_call_log')
      .selectAll()
      .where('company_id', '=', companyId)
      .where('queue_id', 'in', queueIds)
    for (const condition of pageConditions('entered_at', page)) query = query.where(condition)
    const rows = await query
      .orderBy('entered_at', 'desc')
      .orderBy('call_id', 'desc')
      .orderBy('queue_id')
      .limit(page.limit)
      .execute()
    return rows.map(queueLogFromRow)
  }

  /** The queue records of calls from this number (the Store's type has no room for others). */
  async callerHistory(
    companyId: CompanyId,
    number: PhoneNumber,
    page: Page,
  ): Promise<StoredQueueCallLog[]> {
    let query = this.#db
      .selectFrom('queue_call_log')
      .selectAll()
      .where('company_id', '=', companyId)
      .where('caller_number', '=', number)
    for (const condition of pageConditions('entered_at', page)) query = query.where(condition)
    const rows = await query
      .orderBy('entered_at', 'desc')
      .orderBy('call_id', 'desc')
      .orderBy('queue_id')
      .limit(page.limit)
      .execute()
    return rows.map(queueLogFromRow)
  }

  async appendQueueEvents(events: QueueLogEvent[]): Promise<void> {
    const rows = events.map(queueEventValues)
    await this.#atomic(async (db) => {
      for (const chunk of chunks(rows)) await db.insertInto('queue_events').values(chunk).execute()
    })
  }

  /** Events with from <= at < to, oldest first, in the order they were appended. */
  async queueEvents(companyId: CompanyId, from: Instant, to: Instant): Promise<QueueLogEvent[]> {
    const rows = await this.#db
      .selectFrom('queue_events')
      .selectAll()
      .where('company_id', '=', companyId)
      .where('at', '>=', from)
      .where('at', '<', to)
      .orderBy('at')
      .orderBy('seq')
      .execute()
    return rows.map((row) => ({
      at: row.at,
      companyId: row.company_id,
      queueId: row.queue_id,
      kind: row.kind as QueueLogKind,
      callId: row.call_id,
      agentId: row.agent_id,
      callerNumber: row.caller_number,
      waitMs: row.wait_ms,
      talkMs: row.talk_ms,
      reason: row.reason,
      destination: parseJsonOrNull<Destination>(row.destination),
    }))
  }

  /** Inserts or replaces the trail of the call. */
  async saveTrail(
    companyId: CompanyId,
    callId: CallId,
    trail: readonly (TrailEntry | StoredTrailEntry)[],
    endedAt: Instant,
  ): Promise<void> {
    const json = trailJson(trail)
    await this.#db
      .insertInto('call_trails')
      .values({ company_id: companyId, call_id: callId, trail: json, ended_at: endedAt })
      .onConflict((oc) =>
        oc.columns(['company_id', 'call_id']).doUpdateSet({ trail: json, ended_at: endedAt }),
      )
      .execute()
  }

  async getTrail(companyId: CompanyId, callId: CallId): Promise<TrailEntry[] | null> {
    const row = await this.#db
      .selectFrom('call_trails')
      .select('trail')
      .where('company_id', '=', companyId)
      .where('call_id', '=', callId)
      .executeTakeFirst()
    return row ? trailFromJson(row.trail) : null
  }

  // ───────────────────────────── notes ─────────────────────────────

  async addNote(note: CallerNote): Promise<void> {
    await this.#db
      .insertInto('caller_notes')
      .values({
        company_id: note.companyId,
        id: note.id,
        number: note.number,
        author_id: note.authorId,
        text: note.text,
        created_at: note.createdAt,
      })
      .execute()
  }

  /** Newest first. */
  async notesFor(companyId: CompanyId, number: PhoneNumber): Promise<CallerNote[]> {
    const rows = await this.#db
      .selectFrom('caller_notes')
      .selectAll()
      .where('company_id', '=', companyId)
      .where('number', '=', number)
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .execute()
    return rows.map((row) => ({
      id: row.id,
      companyId: row.company_id,
      number: row.number,
      authorId: row.author_id,
      text: row.text,
      createdAt: row.created_at,
    }))
  }

  async deleteNote(companyId: CompanyId, noteId: string): Promise<boolean> {
    const result = await this.#db
      .deleteFrom('caller_notes')
      .where('company_id', '=', companyId)
      .where('id', '=', noteId)
      .executeTakeFirst()
    return result.numDeletedRows > 0n
  }

  // ───────────────────────────── data protection ─────────────────────────────

  async getRetention(companyId: CompanyId): Promise<Retention> {
    const row = await this.#db
      .selectFrom('retention')
      .selectAll()
      .where('company_id', '=', companyId)
      .executeTakeFirst()
    if (!row) return { ...defaultRetention }
    return {
      userLogDays: row.user_log_days,
      queueHistoryDays: row.queue_history_days,
      notesDays: row.notes_days,
    }
  }

  async setRetention(companyId: CompanyId, retention: Retention): Promise<void> {
    const values = {
      user_log_days: retention.userLogDays,
      queue_history_days: retention.queueHistoryDays,
      notes_days: retention.notesDays,
    }
    await this.#db
      .insertInto('retention')
      .values({ company_id: companyId, ...values })
      .onConflict((oc) => oc.column('company_id').doUpdateSet(values))
      .execute()
  }

  /**
   * A record goes once it is `days` old or older: user logs by ended_at (userLogDays), queue
   * logs by ended_at, queue events by at and trails by ended_at (queueHistoryDays), notes by
   * created_at (notesDays). Sessions go at their absolute expiry (expiresAt <= now); an idle
   * limit is the caller's policy, applied with deleteSession.
   */
  async purge(companyId: CompanyId, now: Instant): Promise<PurgeResult> {
    return this.#atomic(async (db, store) => {
      const retention = await store.getRetention(companyId)
      const userCutoff = now - retention.userLogDays * dayMs
      const queueCutoff = now - retention.queueHistoryDays * dayMs
      const notesCutoff = now - retention.notesDays * dayMs
      const count = (result: { numDeletedRows: bigint }) => Number(result.numDeletedRows)
      const userLogs = await db
        .deleteFrom('user_call_log')
        .where('company_id', '=', companyId)
        .where('ended_at', '<=', userCutoff)
        .executeTakeFirst()
      const queueLogs = await db
        .deleteFrom('queue_call_log')
        .where('company_id', '=', companyId)
        .where('ended_at', '<=', queueCutoff)
        .executeTakeFirst()
      const queueEvents = await db
        .deleteFrom('queue_events')
        .where('company_id', '=', companyId)
        .where('at', '<=', queueCutoff)
        .executeTakeFirst()
      const trails = await db
        .deleteFrom('call_trails')
        .where('company_id', '=', companyId)
        .where('ended_at', '<=', queueCutoff)
        .executeTakeFirst()
      const notes = await db
        .deleteFrom('caller_notes')
        .where('company_id', '=', companyId)
        .where('created_at', '<=', notesCutoff)
        .executeTakeFirst()
      const sessions = await db
        .deleteFrom('sessions')
        .where('company_id', '=', companyId)
        .where('expires_at', '<=', now)
        .executeTakeFirst()
      return {
        userLogs: count(userLogs),
        queueLogs: count(queueLogs),
        queueEvents: count(queueEvents),
        notes: count(notes),
        trails: count(trails),
        sessions: count(sessions),
      }
    })
  }

  // ───────────────────────────── audit ─────────────────────────────

  /** `before` and `after` are stored as JSON; undefined comes back as null. */
  async appendAudit(entry: AuditEntry): Promise<void> {
    await this.#db
      .insertInto('audit_log')
      .values({
        company_id: entry.companyId,
        id: entry.id,
        actor_id: entry.actorId,
        action: entry.action,
        entity: entry.entity,
        entity_id: entry.entityId,
        before: jsonOrNull(entry.before),
        after: jsonOrNull(entry.after),
        at: entry.at,
      })
      .execute()
  }

  async auditLog(companyId: CompanyId, page: Page): Promise<AuditEntry[]> {
    let query = this.#db.selectFrom('audit_log').selectAll().where('company_id', '=', companyId)
    for (const condition of pageConditions('at', page)) query = query.where(condition)
    const rows = await query.orderBy('at', 'desc').orderBy('id', 'desc').limit(page.limit).execute()
    return rows.map(auditFromRow)
  }
}

// ───────────────────────────── importing a company ─────────────────────────────

export interface ImportAccount {
  userId: UserId
  username: string
  role: Role
  functions: FunctionAccess[]
}

/**
 * Writes a whole company in one transaction: its settings and VIP numbers, every user with the
 * account given for them, and its queues. Users and queues the store has for the company but
 * the config does not are deleted, so importing again brings the store to the config.
 */
export async function importCompany(
  store: Store,
  config: CompanyConfig,
  accounts: ImportAccount[],
): Promise<void> {
  const { users, queues, ...settings } = config
  const userIds = new Set(users.map((u) => u.id))
  const queueIds = new Set(queues.map((q) => q.id))
  const accountOf = new Map<UserId, ImportAccount>()
  for (const account of accounts) {
    if (!userIds.has(account.userId))
      throw new Error(`account ${account.username} is for ${account.userId}, not in the company`)
    accountOf.set(account.userId, account)
  }
  await store.transaction(async (tx) => {
    await tx.saveCompany(settings)
    for (const queue of await tx.listQueues(config.id))
      if (!queueIds.has(queue.id)) await tx.deleteQueue(config.id, queue.id)
    for (const user of await tx.listUsers(config.id))
      if (!userIds.has(user.id)) await tx.deleteUser(config.id, user.id)
    for (const user of users) {
      const account = accountOf.get(user.id)
      if (!account) throw new Error(`no account for user ${user.id}`)
      await tx.saveUser({
        ...user,
        companyId: config.id,
        username: account.username,
        role: account.role,
        functions: account.functions,
        blocked: false,
      })
    }
    for (const queue of queues) await tx.saveQueue(config.id, queue)
  })
}

// ───────────────────────────── rows ─────────────────────────────

type QueueSettings = Omit<QueueConfig, 'id' | 'name' | 'numbers' | 'strategy' | 'members'>
type CompanyRest = Omit<CompanySettings, 'id' | 'name' | 'vipNumbers'>

function companyFromRow(row: Selectable<Tables['companies']>, vip: PhoneNumber[]): CompanySettings {
  return { ...parseJson<CompanyRest>(row.settings), id: row.id, name: row.name, vipNumbers: vip }
}

async function vipNumbersOf(db: Db, companyId: CompanyId): Promise<PhoneNumber[]> {
  const rows = await db
    .selectFrom('vip_numbers')
    .select('number')
    .where('company_id', '=', companyId)
    .orderBy('position')
    .execute()
  return rows.map((r) => r.number)
}

async function replaceVipNumbers(db: Db, companyId: CompanyId, numbers: PhoneNumber[]) {
  await db.deleteFrom('vip_numbers').where('company_id', '=', companyId).execute()
  if (numbers.length > 0)
    await db
      .insertInto('vip_numbers')
      .values(numbers.map((number, position) => ({ company_id: companyId, position, number })))
      .execute()
}

async function nextSeq(db: Db, table: 'users' | 'queues', companyId: CompanyId): Promise<number> {
  const row = await db
    .selectFrom(table)
    .select((eb) => eb.fn.max<number | null>('seq').as('max'))
    .where('company_id', '=', companyId)
    .executeTakeFirst()
  return (row?.max ?? 0) + 1
}

function userValues(user: UserRecord): Omit<UsersTable, 'seq'> {
  return {
    id: user.id,
    company_id: user.companyId,
    first_name: user.firstName,
    last_name: user.lastName,
    extension: user.extension,
    mobile: user.mobile,
    direct: user.direct,
    department: user.department,
    forward_on_busy: user.forwardOnBusy,
    forward_no_answer_to: user.forwardOnNoAnswer?.to ?? null,
    forward_no_answer_after: user.forwardOnNoAnswer?.afterSeconds ?? null,
    extra_terminal: user.extraTerminal,
    username: user.username.toLowerCase(),
    role: user.role,
    functions: JSON.stringify(user.functions),
    blocked: bool(user.blocked),
  }
}

function userFromRow(row: Selectable<UsersTable>, presentableNumbers: PhoneNumber[]): UserRecord {
  return {
    ...userConfigFromRow(row, presentableNumbers),
    companyId: row.company_id,
    username: row.username,
    role: row.role as Role,
    functions: parseJson<FunctionAccess[]>(row.functions),
    blocked: row.blocked !== 0,
  }
}

function userConfigFromRow(
  row: Selectable<UsersTable>,
  presentableNumbers: PhoneNumber[],
): UserConfig {
  return {
    id: row.id,
    firstName: row.first_name,
    lastName: row.last_name,
    extension: row.extension,
    mobile: row.mobile,
    direct: row.direct,
    department: row.department,
    presentableNumbers,
    forwardOnBusy: row.forward_on_busy,
    forwardOnNoAnswer:
      row.forward_no_answer_to !== null && row.forward_no_answer_after !== null
        ? { to: row.forward_no_answer_to, afterSeconds: row.forward_no_answer_after }
        : null,
    extraTerminal: row.extra_terminal,
  }
}

/** The directory entry of a stored user, without account fields. */
function userConfigOf(user: UserRecord): UserConfig {
  return {
    id: user.id,
    firstName: user.firstName,
    lastName: user.lastName,
    extension: user.extension,
    mobile: user.mobile,
    direct: user.direct,
    department: user.department,
    presentableNumbers: user.presentableNumbers,
    forwardOnBusy: user.forwardOnBusy,
    forwardOnNoAnswer: user.forwardOnNoAnswer,
    extraTerminal: user.extraTerminal,
  }
}

function credentialFromRow(row: {
  user_id: string
  company_id: string
  username: string
  password_hash: string
  password_changed_at: number
}): Credential {
  return {
    userId: row.user_id,
    companyId: row.company_id,
    username: row.username,
    passwordHash: row.password_hash,
    passwordChangedAt: row.password_changed_at,
  }
}

/** A user's call-log record as its row (the record worker writes the same rows). */
export function userLogValues(r: UserCallLogRecord): UserCallLogTable {
  return {
    company_id: r.companyId,
    call_id: r.callId,
    user_id: r.userId,
    direction: r.direction,
    counterpart_number: r.counterpart.number,
    counterpart_name: r.counterpart.name,
    counterpart_user_id: r.counterpart.userId,
    dialed: r.dialed,
    queue_id: r.queueId,
    queue_name: r.queueName,
    presented_number: r.presentedNumber,
    started_at: r.startedAt,
    answered_at: r.answeredAt,
    ended_at: r.endedAt,
    answered: bool(r.answered),
    talk_ms: r.talkMs,
    transferred_to: jsonOrNull(r.transferredTo),
    called_back_by: null,
    called_back_at: null,
    called_back_how: null,
  }
}

function userLogFromRow(row: Selectable<UserCallLogTable>): StoredUserCallLog {
  return {
    kind: 'user',
    companyId: row.company_id,
    callId: row.call_id,
    userId: row.user_id,
    direction: row.direction as UserCallLogRecord['direction'],
    counterpart: {
      number: row.counterpart_number,
      name: row.counterpart_name,
      userId: row.counterpart_user_id,
    },
    dialed: row.dialed,
    queueId: row.queue_id,
    queueName: row.queue_name,
    presentedNumber: row.presented_number,
    startedAt: row.started_at,
    answeredAt: row.answered_at,
    endedAt: row.ended_at,
    answered: row.answered !== 0,
    talkMs: row.talk_ms,
    transferredTo: parseJsonOrNull<Destination>(row.transferred_to),
    calledBackBy: row.called_back_by,
    calledBackAt: row.called_back_at,
  }
}

/** A queue event as its row (`seq`, its append order, is the database's). */
export function queueEventValues(e: QueueLogEvent): Omit<QueueEventsTable, 'seq'> {
  return {
    company_id: e.companyId,
    at: e.at,
    queue_id: e.queueId,
    kind: e.kind,
    call_id: e.callId,
    agent_id: e.agentId,
    caller_number: e.callerNumber,
    wait_ms: e.waitMs,
    talk_ms: e.talkMs,
    reason: e.reason,
    destination: jsonOrNull(e.destination),
  }
}

/** A queue's call-log record as its row. */
export function queueLogValues(r: QueueCallLogRecord): QueueCallLogTable {
  return {
    company_id: r.companyId,
    call_id: r.callId,
    queue_id: r.queueId,
    queue_name: r.queueName,
    caller_number: r.caller.number,
    caller_name: r.caller.name,
    caller_user_id: r.caller.userId,
    dialed: r.dialed,
    vip: bool(r.vip),
    entered_at: r.enteredAt,
    answered_at: r.answeredAt,
    answered_by: r.answeredBy,
    ended_at: r.endedAt,
    wait_ms: r.waitMs,
    talk_ms: r.talkMs,
    outcome: r.outcome,
    transferred_to: jsonOrNull(r.transferredTo),
    overflow_to: jsonOrNull(r.overflowTo),
    called_back_by: null,
    called_back_at: null,
    called_back_how: null,
  }
}

function queueLogFromRow(row: Selectable<QueueCallLogTable>): StoredQueueCallLog {
  return {
    kind: 'queue',
    companyId: row.company_id,
    callId: row.call_id,
    queueId: row.queue_id,
    queueName: row.queue_name,
    caller: { number: row.caller_number, name: row.caller_name, userId: row.caller_user_id },
    dialed: row.dialed,
    vip: row.vip !== 0,
    enteredAt: row.entered_at,
    answeredAt: row.answered_at,
    answeredBy: row.answered_by,
    endedAt: row.ended_at,
    waitMs: row.wait_ms,
    talkMs: row.talk_ms,
    outcome: row.outcome as QueueOutcome,
    transferredTo: parseJsonOrNull<Destination>(row.transferred_to),
    overflowTo: parseJsonOrNull<Destination>(row.overflow_to),
    calledBackBy: row.called_back_by,
    calledBackAt: row.called_back_at,
  }
}

function auditFromRow(row: Selectable<AuditLogTable>): AuditEntry {
  return {
    id: row.id,
    companyId: row.company_id,
    actorId: row.actor_id,
    action: row.action,
    entity: row.entity,
    entityId: row.entity_id,
    before: parseJsonOrNull<unknown>(row.before),
    after: parseJsonOrNull<unknown>(row.after),
    at: row.at,
  }
}

// ───────────────────────────── helpers ─────────────────────────────

/** Page bounds on a time column: from <= t < to, and t < before. */
function pageConditions(column: string, page: Page): Expression<SqlBool>[] {
  const ref = sql.ref(column)
  const conditions: Expression<SqlBool>[] = []
  if (page.before !== undefined) conditions.push(sql<SqlBool>`${ref} < ${page.before}`)
  if (page.from !== undefined) conditions.push(sql<SqlBool>`${ref} >= ${page.from}`)
  if (page.to !== undefined) conditions.push(sql<SqlBool>`${ref} < ${page.to}`)
  return conditions
}

function bool(value: boolean): number {
  return value ? 1 : 0
}

function parseJson<T>(text: string): T {
  return JSON.parse(text) as T
}

function parseJsonOrNull<T>(text: string | null): T | null {
  return text === null ? null : parseJson<T>(text)
}

function jsonOrNull(value: unknown): string | null {
  return value === undefined || value === null ? null : JSON.stringify(value)
}

function groupBy<T>(items: T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>()
  for (const item of items) {
    const k = key(item)
    const group = groups.get(k)
    if (group) group.push(item)
    else groups.set(k, [item])
  }
  return groups
}

function* chunks<T>(items: T[]): Generator<T[]> {
  for (let i = 0; i < items.length; i += insertChunk) yield items.slice(i, i + insertChunk)
}
