/**
 * The record worker: a thread of its own that writes the engine's outputs (call logs, queue
 * events, why-trails, memberships) to the SQLite file, on a connection of its own. Writing takes
 * a quarter of the core's time under load (statement building, SQLite, commits and now and then
 * a WAL checkpoint); here it runs beside the event loop that answers SIP and the clients instead
 * of on it. The main thread reads the same file (WAL: readers see each commit at once).
 *
 * Protocol (see worker-writer.ts): `{ type: 'write', id, steps }` is answered with
 * `{ id, ok: true }` once committed or `{ id, ok: false, error }`; `{ type: 'close' }` closes the
 * connection and ends the thread. Batches are written one after the other, in the order sent.
 */
import { parentPort, workerData } from 'node:worker_threads'
import { z } from 'zod'
import { openDatabase } from './database'
import { writeSteps, type RecordedStep } from './recorded-step'
import { SqlStore } from './sql-store'

export type ToRecordWorker =
  { type: 'write'; id: number; steps: RecordedStep[] } | { type: 'close' }

export type FromRecordWorker = { id: number; ok: true } | { id: number; ok: false; error: string }

export const recordWorkerData = z.object({ file: z.string().min(1) })

const port = parentPort
if (port) {
  const { file } = recordWorkerData.parse(workerData)
  const store = new SqlStore(openDatabase({ file }))
  let queue: Promise<void> = Promise.resolve()
  port.on('message', (message: ToRecordWorker) => {
    queue = queue.then(async () => {
      if (message.type === 'close') {
        await store.close()
        port.close()
        return
      }
      let reply: FromRecordWorker
      try {
        await writeSteps(store, message.steps)
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
  })
}
