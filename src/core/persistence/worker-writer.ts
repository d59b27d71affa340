/**
 * The recorder's writer for a SQLite file: batches go to the record worker (record-worker.ts),
 * a thread with its own connection to the same file, so the event loop that answers SIP and
 * the clients does not wait on statement building, SQLite and commits.
 *
 * If the worker cannot start or dies, nothing handed to it is lost: every batch it has not
 * confirmed is written again by the fallback writer (the core's own connection), and so is
 * everything after. A batch the worker committed just before dying may then be written twice;
 * call logs and trails are keyed and keep one copy, a queue event would appear twice.
 */
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { Worker } from 'node:worker_threads'
import type { Logger } from 'pino'
import type { RecordedStep, RecordWriter } from './recorded-step'
import type { FromRecordWorker, ToRecordWorker } from './record-worker'

interface Pending {
  steps: RecordedStep[]
  resolve: () => void
  reject: (error: Error) => void
}

/**
 * The worker's entry beside this module: record-worker.js in the bundle (out/core, built by
 * scripts/build-core.mjs), record-worker.ts when running from source (tests: tsx's require hook;
 * its --import form does not reach a worker on Node 20).
 */
export function recordWorkerEntry(
  dir: string = __dirname,
): { file: string; execArgv: string[] } | null {
  const built = join(dir, 'record-worker.js')
  if (existsSync(built)) return { file: built, execArgv: [] }
  const source = join(dir, 'record-worker.ts')
  if (existsSync(source)) return { file: source, execArgv: ['--require', 'tsx/cjs'] }
  return null
}

export interface WorkerWriterOptions {
  /** The SQLite file (already migrated). */
  file: string
  /** Writes whatever the worker cannot: the core's own store. */
  fallback: RecordWriter
  logger: Logger
  /** Where the worker's entry is; found beside this module by default. */
  entry?: { file: string; execArgv: string[] } | null
}

export function startWorkerWriter(options: WorkerWriterOptions): RecordWriter {
  const { fallback, logger } = options
  const entry = options.entry === undefined ? recordWorkerEntry() : options.entry
  if (entry === null) {
    logger.warn('the record worker is not built: call logs are written on the main thread')
    return fallback
  }
  const worker = new Worker(entry.file, {
    execArgv: entry.execArgv,
    workerData: { file: options.file },
  })
  const pending = new Map<number, Pending>()
  let nextId = 1
  let alive = true
  let closing = false
  /** Hands over to the fallback after the worker's last batch, keeping the order. */
  let handedOver: Promise<void> = Promise.resolve()

  const failOver = (reason: string, error?: unknown) => {
    if (!alive) return
    alive = false
    if (!closing)
      logger.error({ err: error }, `record worker ${reason}: writing on the main thread`)
    const unconfirmed = [...pending.values()]
    pending.clear()
    handedOver = (async () => {
      for (const p of unconfirmed) {
        try {
          await fallback.write(p.steps)
          p.resolve()
        } catch (err) {
          p.reject(err instanceof Error ? err : new Error(String(err)))
        }
      }
    })()
  }

  worker.on('message', (reply: FromRecordWorker) => {
    const p = pending.get(reply.id)
    if (!p) return
    pending.delete(reply.id)
    if (reply.ok) p.resolve()
    else p.reject(new Error(reply.error))
  })
  worker.on('error', (error) => failOver('failed', error))
  worker.on('exit', (code) => failOver(`stopped (exit code ${code})`))
  // The core's own timers and sockets keep the process alive; the worker does not.
  worker.unref()

  return {
    write(steps) {
      if (!alive) return handedOver.then(() => fallback.write(steps))
      const id = nextId++
      return new Promise<void>((resolve, reject) => {
        pending.set(id, { steps, resolve, reject })
        const message: ToRecordWorker = { type: 'write', id, steps }
        worker.postMessage(message)
      })
    },
    async close() {
      closing = true
      if (alive) {
        const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()))
        const message: ToRecordWorker = { type: 'close' }
        worker.postMessage(message)
        await exited
      }
      await handedOver
    },
  }
}
