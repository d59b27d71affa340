/**
 * The record worker: a thread of its own that writes the engine's outputs (call logs, queue
 * events, why-trails, memberships) to the SQLite file, on a connection of its own. Writing takes
 * a quarter of the core's time under load (statement building, SQLite, commits and now and then
 * a WAL checkpoint); here it runs beside the event loop that answers SIP and the clients instead
 * of on it. The main thread reads the same file (WAL: readers see each commit at once).
 *
 * Protocol (see worker-writer.ts): `{ type: 'write', id, steps }` is answered with
 * `{ id, ok: true }` once committed or `{ id, ok: false, error }`; `{ type: 'close' }` closes the
 * connection and ends the thread. Batches are written one after the other, in the order sent
 * (each synchronously, with better-sqlite3: see sqlite-steps.ts).
 */
import { parentPort, workerData } from 'node:worker_threads'
import { z } from 'zod'
import { openSqlite } from './database'
import type { RecordedStep } from './recorded-step'
import { sqliteStepWriter } from './sqlite-steps'

export type ToRecordWorker =
  { type: 'write'; id: number; steps: RecordedStep[] } | { type: 'close' }

export type FromRecordWorker = { id: number; ok: true } | { id: number; ok: false; error: string }

export const recordWorkerData = z.object({ file: z.string().min(1) })

const port = parentPort
if (port) {
  const { file } = recordWorkerData.parse(workerData)
  const db = openSqlite(file)
  // A page rewritten by many batches is copied into the database once per checkpoint: fewer,
  // larger checkpoints (up to ~40 MB of WAL) than SQLite's default of 1,000 pages.
  db.pragma('wal_autocheckpoint = 10000')
  const write = sqliteStepWriter(db)
  port.on('message', (message: ToRecordWorker) => {
    if (message.type === 'close') {
      db.close()
      port.close()
      return
    }
    let reply: FromRecordWorker
    try {
      write(message.steps)
      reply = { id: message.id, ok: true }
    } catch (error) {
      reply = {
        id: message.id,
        ok: false,
        error: error instanceof Error ? error.message : String(error),
      }
    }
    port.postMessage(reply)
  })
}
