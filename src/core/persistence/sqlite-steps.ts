/**
 * The record worker's writer: steps written straight to SQLite with prepared statements, one
 * `BEGIN IMMEDIATE` transaction per batch. It writes the same rows as SqlStore (the row
 * functions are SqlStore's own) without building each statement anew through Kysely, which was
 * half the cost of writing a call's records. The record-worker test checks that the database
 * ends up exactly as SqlStore's writes leave it.
 */
import type SQLite from 'better-sqlite3'
import { trailJson } from '../domain/trail'
import type { RecordedStep } from './recorded-step'
import { queueEventValues, queueLogValues, userLogValues } from './sql-store'

/** `INSERT INTO table (the row's columns) VALUES (?, …)`, with what to add after it. */
function insertFor(table: string, row: object, after = ''): string {
  const columns = Object.keys(row)
  return `insert into ${table} (${columns.join(', ')}) values (${columns.map(() => '?').join(', ')})${after}`
}

export function sqliteStepWriter(db: SQLite.Database): (steps: readonly RecordedStep[]) => void {
  const statements = new Map<string, SQLite.Statement>()
  const prepared = (text: string) => {
    let statement = statements.get(text)
    if (!statement) statements.set(text, (statement = db.prepare(text)))
    return statement
  }
  const insertRow = (table: string, row: object, after = '') => {
    const values: unknown[] = Object.values(row)
    prepared(insertFor(table, row, after)).run(...values)
  }
  const markCalledBack = (table: string) =>
    db.prepare(
      `update ${table} set called_back_by = ?, called_back_at = ?, called_back_how = ? ` +
        `where company_id = ? and call_id = ? and called_back_at is null`,
    )
  const markUsers = markCalledBack('user_call_log')
  const markQueues = markCalledBack('queue_call_log')
  const saveTrail = db.prepare(
    'insert into call_trails (company_id, call_id, trail, ended_at) values (?, ?, ?, ?) ' +
      'on conflict (company_id, call_id) do update set trail = excluded.trail, ended_at = excluded.ended_at',
  )
  const setMembership = db.prepare(
    'update queue_members set logged_in = ?, paused_reason = ?, paused_since = ? ' +
      'where company_id = ? and queue_id = ? and user_id = ?',
  )

  const writeAll = db.transaction((steps: readonly RecordedStep[]) => {
    for (const step of steps) {
      for (const record of step.callLog) {
        // A record already there stays (as SqlStore's appendCallLog does).
        if (record.kind === 'user')
          insertRow(
            'user_call_log',
            userLogValues(record),
            ' on conflict (company_id, call_id, user_id) do nothing',
          )
        else
          insertRow(
            'queue_call_log',
            queueLogValues(record),
            ' on conflict (company_id, call_id, queue_id) do nothing',
          )
      }
      for (const c of step.callbacks) {
        markUsers.run(c.by, c.at, c.how, c.companyId, c.callId)
        markQueues.run(c.by, c.at, c.how, c.companyId, c.callId)
      }
      for (const event of step.queueLog) insertRow('queue_events', queueEventValues(event))
      for (const t of step.trails)
        saveTrail.run(t.companyId, t.callId, trailJson(t.trail), t.endedAt)
      for (const { companyId, state } of step.memberships)
        setMembership.run(
          state.loggedIn ? 1 : 0,
          state.paused?.reason ?? null,
          state.paused?.since ?? null,
          companyId,
          state.queueId,
          state.userId,
        )
    }
  })
  // IMMEDIATE: the write lock first, so the batch never meets a stale snapshot.
  return (steps) => writeAll.immediate(steps)
}
