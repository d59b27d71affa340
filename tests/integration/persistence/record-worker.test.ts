/**
 * The record worker: the engine's outputs written to a SQLite file by a thread of its own,
 * read back through the core's own connection. What it writes must be exactly what the
 * in-thread writer writes, in order; nothing may be lost when the worker is missing or dies;
 * a batch that cannot be written is reported and the next one still lands; and the core's own
 * transactions survive the worker's commits in between (SQLite's stale snapshot).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pino from 'pino'
import { afterEach, describe, expect, it } from 'vitest'
import { openDatabase } from '../../../src/core/persistence/database'
import {
  storeWriter,
  type RecordedStep,
  type RecordWriter,
} from '../../../src/core/persistence/recorded-step'
import { importCompany, SqlStore } from '../../../src/core/persistence/sql-store'
import { recordWorkerEntry, startWorkerWriter } from '../../../src/core/persistence/worker-writer'
import type { CompanyId } from '../../../src/shared/ids'
import type { TrailEntry } from '../../../src/shared/model'
import { skipCode, storedReasons, type StoredTrailEntry } from '../../../src/core/domain/trail'
import { accountsFor, queueEvent, queueLog, realisticCompany, t0, uid, userLog } from './fixtures'

const silent = pino({ level: 'silent' })
const cleanups: (() => Promise<void>)[] = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

/** A migrated SQLite file with one company, and the core's own store on it. */
async function database(): Promise<{ file: string; store: SqlStore; co: CompanyId }> {
  const dir = mkdtempSync(join(tmpdir(), 'sentral-record-worker-'))
  const file = join(dir, 'sentral.sqlite')
  const store = new SqlStore(openDatabase({ file }))
  await store.migrate()
  const config = realisticCompany('co-rw')
  await importCompany(store, config, accountsFor(config))
  cleanups.push(async () => {
    await store.close()
    rmSync(dir, { recursive: true, force: true })
  })
  return { file, store, co: config.id }
}

/** The worker writer, and how many batches its fallback (the core's own connection) wrote. */
function worker(
  file: string,
  store: SqlStore,
  entry?: WorkerEntry,
): RecordWriter & { fallbackWrites: () => number } {
  let fallbackWrites = 0
  const inThread = storeWriter(store)
  const writer = startWorkerWriter({
    file,
    fallback: {
      write: (steps) => {
        fallbackWrites += 1
        return inThread.write(steps)
      },
      close: () => inThread.close(),
    },
    logger: silent,
    ...(entry !== undefined ? { entry } : {}),
  })
  cleanups.push(() => writer.close())
  return Object.assign(writer, { fallbackWrites: () => fallbackWrites })
}
type WorkerEntry = ReturnType<typeof recordWorkerEntry>

/** Step `i` of a call: its queue events, and at the end its logs, trail and a pause. */
function steps(co: CompanyId, calls: number): RecordedStep[] {
  const kari = uid(co, 'anne')
  const out: RecordedStep[] = []
  for (let i = 0; i < calls; i++) {
    const callId = `call-${i}`
    const at = t0 + i * 1000
    out.push({
      callLog: [],
      callbacks: [],
      queueLog: [
        queueEvent(co, at, { callId, queueId: 'sentralbord', kind: 'enter' }),
        queueEvent(co, at + 1, { callId, queueId: 'sentralbord', kind: 'offer', agentId: kari }),
      ],
      trails: [],
      memberships: [],
    })
    // As the engine hands trails over: decisions compact (every member, one code each).
    const trail: (TrailEntry | StoredTrailEntry)[] = [
      {
        kind: 'offer',
        at: at + 1,
        queueId: 'sentralbord',
        strategy: 'longest-idle',
        rankedBy: 'idle-ms',
        members: [kari, 'bjorn', 'ola'],
        reasons: storedReasons(new Uint8Array([0, skipCode.busy, skipCode.paused])),
        ranked: [0],
        values: [i * 1000],
        chosen: [0],
      },
      { kind: 'exit', at: at + 500, queueId: 'sentralbord', reason: 'timeout', to: null },
    ]
    out.push({
      callLog: [
        userLog(co, callId, kari, at, { talkMs: i }),
        queueLog(co, callId, 'sentralbord', at, { waitMs: i }),
      ],
      callbacks:
        i % 3 === 0 ? [{ companyId: co, callId, by: kari, at: at + 900, how: 'reached' }] : [],
      queueLog: [queueEvent(co, at + 2, { callId, kind: 'complete-caller', agentId: kari })],
      trails: [{ companyId: co, callId, trail, endedAt: at + 600 }],
      memberships: [
        {
          companyId: co,
          state: {
            queueId: 'sentralbord',
            userId: kari,
            loggedIn: true,
            paused: i % 2 === 0 ? { reason: `pause ${i}`, since: at } : null,
          },
        },
      ],
    })
  }
  return out
}

/** Everything the steps can have left in the database, as the core reads it. */
async function contents(store: SqlStore, co: CompanyId) {
  const page = { limit: 1000 }
  return {
    users: await store.allUserCallLogs(co, page),
    queues: await store.queueCallLog(co, ['sentralbord'], page),
    events: await store.queueEvents(co, t0 - 1, t0 + 10_000_000),
    trails: await Promise.all(
      Array.from({ length: 40 }, (_, i) => store.getTrail(co, `call-${i}`)),
    ),
    memberships: await store.listMemberships(co),
  }
}

describe('record worker', () => {
  it('finds its entry beside the module when running from source', () => {
    const entry = recordWorkerEntry()
    expect(entry?.file).toMatch(/record-worker\.ts$/)
    expect(recordWorkerEntry(tmpdir())).toBeNull()
  })

  it('writes exactly what the in-thread writer writes, in order, readable at once', async () => {
    const viaWorker = await database()
    const inThread = await database()
    const writer = worker(viaWorker.file, viaWorker.store)
    const all = steps(viaWorker.co, 40)
    // Batches of different sizes, handed over without waiting: order must hold.
    const batches = [all.slice(0, 1), all.slice(1, 30), all.slice(30, 31), all.slice(31)]
    await Promise.all(batches.map((b) => writer.write(b)))
    for (const b of batches) await storeWriter(inThread.store).write(b)

    const got = await contents(viaWorker.store, viaWorker.co)
    expect(got).toEqual(await contents(inThread.store, inThread.co))
    expect(got.events).toHaveLength(40 * 3)
    expect(got.events.slice(0, 3).map((e) => e.kind)).toEqual(['enter', 'offer', 'complete-caller'])
    expect(got.users).toHaveLength(40)
    expect(got.trails.every((t) => t !== null)).toBe(true)
    // Read back expanded: the members skipped, and why.
    expect(got.trails[7]![0]).toMatchObject({
      kind: 'offer',
      ranked: [{ userId: uid(viaWorker.co, 'anne'), value: 7000 }],
      skipped: [
        { userId: 'bjorn', reason: 'busy' },
        { userId: 'ola', reason: 'paused' },
      ],
    })
    // Call 39 was the last to pause or not: odd, so the membership is not paused.
    expect(got.memberships.find((m) => m.userId === uid(viaWorker.co, 'anne'))?.paused).toBeNull()
    expect(writer.fallbackWrites()).toBe(0)
  })

  it('reports a batch it cannot write, keeps none of it, and writes the next', async () => {
    const { file, store, co } = await database()
    const writer = worker(file, store)
    const [good, bad] = [steps(co, 1), steps(co, 1)]
    // A NOT NULL column left empty: SQLite refuses, the batch's transaction rolls back.
    const broken = structuredClone(bad)
    broken[1]!.queueLog[0]!.kind = null as unknown as 'enter'
    await expect(writer.write(broken)).rejects.toThrow(/NOT NULL/)
    await writer.write(good)
    const got = await contents(store, co)
    expect(got.events).toHaveLength(3)
    expect(got.users).toHaveLength(1)
    expect(writer.fallbackWrites()).toBe(0)
  })

  it('writes on the main thread when the worker is not there', async () => {
    const { file, store, co } = await database()
    const writer = worker(file, store, null)
    await writer.write(steps(co, 2))
    expect((await contents(store, co)).events).toHaveLength(6)
    expect(writer.fallbackWrites()).toBe(1)
  })

  it('loses nothing when the worker dies: unconfirmed batches and later ones go to the fallback', async () => {
    const { file, store, co } = await database()
    // A worker that reads one message and dies without answering.
    const dir = mkdtempSync(join(tmpdir(), 'sentral-dying-worker-'))
    cleanups.push(() => Promise.resolve(rmSync(dir, { recursive: true, force: true })))
    const dying = join(dir, 'dying.mjs')
    writeFileSync(
      dying,
      "import { parentPort } from 'node:worker_threads'\nparentPort.once('message', () => process.exit(3))\n",
    )
    const writer = worker(file, store, { file: dying, execArgv: [] })
    const all = steps(co, 4)
    await Promise.all([writer.write(all.slice(0, 2)), writer.write(all.slice(2, 5))])
    await writer.write(all.slice(5))
    const got = await contents(store, co)
    expect(got.events.map((e) => e.callId)).toEqual(
      ['call-0', 'call-1', 'call-2', 'call-3'].flatMap((c) => [c, c, c]),
    )
    expect(got.users).toHaveLength(4)
    expect(writer.fallbackWrites()).toBe(3)
  })

  it("the core's own transaction that read before the worker committed is run again, not lost", async () => {
    const { file, store, co } = await database()
    const writer = worker(file, store)
    let attempts = 0
    await store.transaction(async (tx) => {
      attempts += 1
      const before = await tx.listUsers(co)
      // The worker commits while this transaction holds its read snapshot (first attempt only).
      if (attempts === 1) await writer.write(steps(co, 1))
      const anne = before.find((u) => u.id === uid(co, 'anne'))!
      await tx.saveUser({ ...anne, department: 'Resepsjon' })
    })
    expect(writer.fallbackWrites()).toBe(0)
    expect(attempts).toBe(2)
    expect((await store.getUser(co, uid(co, 'anne')))?.department).toBe('Resepsjon')
    expect((await contents(store, co)).events).toHaveLength(3)
  })
})
