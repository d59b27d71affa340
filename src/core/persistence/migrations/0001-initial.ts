/**
 * The first schema. Written with Kysely's schema builder only, so the same function runs on
 * SQLite and PostgreSQL: times are BIGINT milliseconds, booleans INTEGER 0/1, JSON TEXT.
 *
 * Deletion: every row of a company goes with the company (ON DELETE CASCADE from companies).
 * A user's credential, sessions, absence, queue memberships and presentable numbers go with the
 * user; a queue's numbers and memberships go with the queue. Call logs, queue events, trails,
 * notes and the audit log name users and queues by id without a foreign key: they stay until
 * the retention purge (or the company's deletion) removes them.
 */
import type { Kysely } from 'kysely'
import { PostgresAdapter } from 'kysely'

const cascade = 'cascade'

export async function up(db: Kysely<unknown>): Promise<void> {
  const s = db.schema
  const postgres = db.getExecutor().adapter instanceof PostgresAdapter

  await s
    .createTable('companies')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('settings', 'text', (c) => c.notNull())
    .execute()

  await s
    .createTable('vip_numbers')
    .addColumn('company_id', 'text', (c) =>
      c.notNull().references('companies.id').onDelete(cascade),
    )
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('number', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('vip_numbers_pk', ['company_id', 'position'])
    .execute()

  // User ids are unique across companies: the Store finds credentials and sessions by user id.
  await s
    .createTable('users')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('company_id', 'text', (c) =>
      c.notNull().references('companies.id').onDelete(cascade),
    )
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('first_name', 'text', (c) => c.notNull())
    .addColumn('last_name', 'text', (c) => c.notNull())
    .addColumn('extension', 'text', (c) => c.notNull())
    .addColumn('mobile', 'text')
    .addColumn('direct', 'text')
    .addColumn('department', 'text', (c) => c.notNull())
    .addColumn('forward_on_busy', 'text')
    .addColumn('forward_no_answer_to', 'text')
    .addColumn('forward_no_answer_after', 'integer')
    .addColumn('extra_terminal', 'text')
    .addColumn('username', 'text', (c) => c.notNull())
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('functions', 'text', (c) => c.notNull())
    .addColumn('blocked', 'integer', (c) => c.notNull().defaultTo(0))
    .addUniqueConstraint('users_username_unique', ['username'])
    // The target of the composite foreign keys that keep memberships inside one company.
    .addUniqueConstraint('users_company_id_unique', ['company_id', 'id'])
    .execute()
  await s.createIndex('users_company_seq').on('users').columns(['company_id', 'seq']).execute()

  await s
    .createTable('user_presentable_numbers')
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete(cascade))
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('number', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('user_presentable_numbers_pk', ['user_id', 'position'])
    .execute()

  await s
    .createTable('credentials')
    .addColumn('user_id', 'text', (c) => c.primaryKey().references('users.id').onDelete(cascade))
    .addColumn('password_hash', 'text', (c) => c.notNull())
    .addColumn('password_changed_at', 'bigint', (c) => c.notNull())
    .execute()

  await s
    .createTable('sessions')
    .addColumn('token_hash', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete(cascade))
    .addColumn('company_id', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('last_seen_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .execute()
  await s.createIndex('sessions_user').on('sessions').column('user_id').execute()
  await s
    .createIndex('sessions_company_expires')
    .on('sessions')
    .columns(['company_id', 'expires_at'])
    .execute()

  await s
    .createTable('queues')
    .addColumn('company_id', 'text', (c) =>
      c.notNull().references('companies.id').onDelete(cascade),
    )
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('strategy', 'text', (c) => c.notNull())
    .addColumn('settings', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('queues_pk', ['company_id', 'id'])
    .execute()
  await s.createIndex('queues_company_seq').on('queues').columns(['company_id', 'seq']).execute()

  // A number reaches one queue of a company.
  await s
    .createTable('queue_numbers')
    .addColumn('company_id', 'text', (c) => c.notNull())
    .addColumn('number', 'text', (c) => c.notNull())
    .addColumn('queue_id', 'text', (c) => c.notNull())
    .addColumn('position', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('queue_numbers_pk', ['company_id', 'number'])
    .addForeignKeyConstraint(
      'queue_numbers_queue_fk',
      ['company_id', 'queue_id'],
      'queues',
      ['company_id', 'id'],
      (c) => c.onDelete(cascade),
    )
    .execute()
  await s
    .createIndex('queue_numbers_queue')
    .on('queue_numbers')
    .columns(['company_id', 'queue_id', 'position'])
    .execute()

  await s
    .createTable('queue_members')
    .addColumn('company_id', 'text', (c) => c.notNull())
    .addColumn('queue_id', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('penalty', 'integer', (c) => c.notNull())
    .addColumn('starts_logged_in', 'integer', (c) => c.notNull())
    .addColumn('logged_in', 'integer', (c) => c.notNull())
    .addColumn('paused_reason', 'text')
    .addColumn('paused_since', 'bigint')
    .addPrimaryKeyConstraint('queue_members_pk', ['company_id', 'queue_id', 'user_id'])
    .addForeignKeyConstraint(
      'queue_members_queue_fk',
      ['company_id', 'queue_id'],
      'queues',
      ['company_id', 'id'],
      (c) => c.onDelete(cascade),
    )
    .addForeignKeyConstraint(
      'queue_members_user_fk',
      ['company_id', 'user_id'],
      'users',
      ['company_id', 'id'],
      (c) => c.onDelete(cascade),
    )
    .execute()
  await s
    .createIndex('queue_members_user')
    .on('queue_members')
    .columns(['company_id', 'user_id'])
    .execute()

  await s
    .createTable('absences')
    .addColumn('user_id', 'text', (c) => c.primaryKey())
    .addColumn('company_id', 'text', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('note', 'text')
    .addColumn('since', 'bigint', (c) => c.notNull())
    .addColumn('until', 'bigint')
    .addColumn('forward_to', 'text')
    .addForeignKeyConstraint(
      'absences_user_fk',
      ['company_id', 'user_id'],
      'users',
      ['company_id', 'id'],
      (c) => c.onDelete(cascade),
    )
    .execute()
  await s.createIndex('absences_company').on('absences').column('company_id').execute()

  // One record per user a call concerned and one per queue it entered (see domain/call-log.ts).
  await s
    .createTable('user_call_log')
    .addColumn('company_id', 'text', (c) =>
      c.notNull().references('companies.id').onDelete(cascade),
    )
    .addColumn('call_id', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('direction', 'text', (c) => c.notNull())
    .addColumn('counterpart_number', 'text', (c) => c.notNull())
    .addColumn('counterpart_name', 'text')
    .addColumn('counterpart_user_id', 'text')
    .addColumn('dialed', 'text', (c) => c.notNull())
    .addColumn('queue_id', 'text')
    .addColumn('queue_name', 'text')
    .addColumn('presented_number', 'text')
    .addColumn('started_at', 'bigint', (c) => c.notNull())
    .addColumn('answered_at', 'bigint')
    .addColumn('ended_at', 'bigint', (c) => c.notNull())
    .addColumn('answered', 'integer', (c) => c.notNull())
    .addColumn('talk_ms', 'bigint', (c) => c.notNull())
    .addColumn('transferred_to', 'text')
    .addColumn('called_back_by', 'text')
    .addColumn('called_back_at', 'bigint')
    .addColumn('called_back_how', 'text')
    .addPrimaryKeyConstraint('user_call_log_pk', ['company_id', 'call_id', 'user_id'])
    .execute()
  await s
    .createIndex('user_call_log_user_started')
    .on('user_call_log')
    .columns(['company_id', 'user_id', 'started_at'])
    .execute()
  await s
    .createIndex('user_call_log_started')
    .on('user_call_log')
    .columns(['company_id', 'started_at'])
    .execute()
  await s
    .createIndex('user_call_log_ended')
    .on('user_call_log')
    .columns(['company_id', 'ended_at'])
    .execute()
  await s
    .createIndex('user_call_log_counterpart')
    .on('user_call_log')
    .columns(['company_id', 'counterpart_number', 'started_at'])
    .execute()

  await s
    .createTable('queue_call_log')
    .addColumn('company_id', 'text', (c) =>
      c.notNull().references('companies.id').onDelete(cascade),
    )
    .addColumn('call_id', 'text', (c) => c.notNull())
    .addColumn('queue_id', 'text', (c) => c.notNull())
    .addColumn('queue_name', 'text', (c) => c.notNull())
    .addColumn('caller_number', 'text', (c) => c.notNull())
    .addColumn('caller_name', 'text')
    .addColumn('caller_user_id', 'text')
    .addColumn('dialed', 'text', (c) => c.notNull())
    .addColumn('vip', 'integer', (c) => c.notNull())
    .addColumn('entered_at', 'bigint', (c) => c.notNull())
    .addColumn('answered_at', 'bigint')
    .addColumn('answered_by', 'text')
    .addColumn('ended_at', 'bigint', (c) => c.notNull())
    .addColumn('wait_ms', 'bigint', (c) => c.notNull())
    .addColumn('talk_ms', 'bigint', (c) => c.notNull())
    .addColumn('outcome', 'text', (c) => c.notNull())
    .addColumn('transferred_to', 'text')
    .addColumn('overflow_to', 'text')
    .addColumn('called_back_by', 'text')
    .addColumn('called_back_at', 'bigint')
    .addColumn('called_back_how', 'text')
    .addPrimaryKeyConstraint('queue_call_log_pk', ['company_id', 'call_id', 'queue_id'])
    .execute()
  await s
    .createIndex('queue_call_log_queue_entered')
    .on('queue_call_log')
    .columns(['company_id', 'queue_id', 'entered_at'])
    .execute()
  await s
    .createIndex('queue_call_log_caller')
    .on('queue_call_log')
    .columns(['company_id', 'caller_number', 'entered_at'])
    .execute()
  await s
    .createIndex('queue_call_log_ended')
    .on('queue_call_log')
    .columns(['company_id', 'ended_at'])
    .execute()

  // The only generated key: events of one millisecond keep the order they were appended in.
  await s
    .createTable('queue_events')
    .addColumn('seq', postgres ? 'bigint' : 'integer', (c) =>
      postgres ? c.primaryKey().generatedByDefaultAsIdentity() : c.primaryKey().autoIncrement(),
    )
    .addColumn('company_id', 'text', (c) =>
      c.notNull().references('companies.id').onDelete(cascade),
    )
    .addColumn('at', 'bigint', (c) => c.notNull())
    .addColumn('queue_id', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('call_id', 'text')
    .addColumn('agent_id', 'text')
    .addColumn('caller_number', 'text')
    .addColumn('wait_ms', 'bigint')
    .addColumn('talk_ms', 'bigint')
    .addColumn('reason', 'text')
    .addColumn('destination', 'text')
    .execute()
  await s
    .createIndex('queue_events_company_at')
    .on('queue_events')
    .columns(['company_id', 'at', 'seq'])
    .execute()
  await s
    .createIndex('queue_events_queue_at')
    .on('queue_events')
    .columns(['company_id', 'queue_id', 'at'])
    .execute()

  await s
    .createTable('call_trails')
    .addColumn('company_id', 'text', (c) =>
      c.notNull().references('companies.id').onDelete(cascade),
    )
    .addColumn('call_id', 'text', (c) => c.notNull())
    .addColumn('trail', 'text', (c) => c.notNull())
    .addColumn('ended_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('call_trails_pk', ['company_id', 'call_id'])
    .execute()
  await s
    .createIndex('call_trails_ended')
    .on('call_trails')
    .columns(['company_id', 'ended_at'])
    .execute()

  await s
    .createTable('caller_notes')
    .addColumn('company_id', 'text', (c) =>
      c.notNull().references('companies.id').onDelete(cascade),
    )
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('number', 'text', (c) => c.notNull())
    .addColumn('author_id', 'text', (c) => c.notNull())
    .addColumn('text', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('caller_notes_pk', ['company_id', 'id'])
    .execute()
  await s
    .createIndex('caller_notes_number')
    .on('caller_notes')
    .columns(['company_id', 'number', 'created_at'])
    .execute()
  await s
    .createIndex('caller_notes_created')
    .on('caller_notes')
    .columns(['company_id', 'created_at'])
    .execute()

  await s
    .createTable('retention')
    .addColumn('company_id', 'text', (c) =>
      c.primaryKey().references('companies.id').onDelete(cascade),
    )
    .addColumn('user_log_days', 'integer', (c) => c.notNull())
    .addColumn('queue_history_days', 'integer', (c) => c.notNull())
    .addColumn('notes_days', 'integer', (c) => c.notNull())
    .execute()

  await s
    .createTable('audit_log')
    .addColumn('company_id', 'text', (c) =>
      c.notNull().references('companies.id').onDelete(cascade),
    )
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('actor_id', 'text')
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('entity', 'text', (c) => c.notNull())
    .addColumn('entity_id', 'text', (c) => c.notNull())
    .addColumn('before', 'text')
    .addColumn('after', 'text')
    .addColumn('at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('audit_log_pk', ['company_id', 'id'])
    .execute()
  await s.createIndex('audit_log_at').on('audit_log').columns(['company_id', 'at']).execute()
}

const tables = [
  'audit_log',
  'retention',
  'caller_notes',
  'call_trails',
  'queue_events',
  'queue_call_log',
  'user_call_log',
  'absences',
  'queue_members',
  'queue_numbers',
  'queues',
  'sessions',
  'credentials',
  'user_presentable_numbers',
  'users',
  'vip_numbers',
  'companies',
]

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of tables) await db.schema.dropTable(table).execute()
}
