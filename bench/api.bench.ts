/**
 * bench:api — the headless core with simulated traffic at 50 calls per second and 200 logged-in
 * operator clients (real socket.io-client connections, in a worker thread so they do not share
 * the server's event loop). Measures, for every delta message, the time from the engine step
 * that produced it (the message's `at`) until it has arrived at every client that receives it.
 * Then, in the same run, the server broadcasts plain socket.io messages of the same sizes at the
 * same rate to the same clients: the baseline.
 *
 * Last line: `api: clients=200 p50_ms=N p99_ms=N baseline_p99_ms=N`. Target: p99 ≤ 50 ms.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads'
import pino from 'pino'
import { io as connect, type Socket } from 'socket.io-client'
import { hashPassword } from '../src/core/accounts/credentials'
import {
  companyDefaults,
  queueDefaults,
  type CompanyConfig,
  type UserConfig,
} from '../src/core/domain/config'
import { startCore } from '../src/core/host'
import { importCompany, SqlStore } from '../src/core/persistence/sql-store'
import { openDatabase } from '../src/core/persistence/database'
import { defaultTraffic } from '../src/core/telephony/sim/traffic'
import type { StateDelta } from '../src/shared/protocol'

const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 200)
const CALLS_PER_SECOND = Number(process.env.BENCH_CPS ?? 50)
const MEASURE_MS = Number(process.env.BENCH_SECONDS ?? 20) * 1000
/** Client threads; the machine has two cores, the server keeps one. */
const WORKERS = Number(process.env.BENCH_WORKERS ?? 2)
const WARMUP_MS = 5000
const password = 'bench-passord-som-er-langt'

interface ClientReport {
  /** Per message key (stream/seq or baseline id): the latest arrival time over the clients, and how many got it. */
  arrivals: [string, number, number, number][]
}

if (!isMainThread) {
  // ── the clients ──
  const { url, tokens } = workerData as { url: string; tokens: string[] }
  const latest = new Map<string, [number, number, number]>() // key → [sentAt, lastArrival, count]
  const sockets: Socket[] = []
  let ready = 0
  for (const token of tokens) {
    const socket = connect(url, { auth: { token }, transports: ['websocket'], reconnection: false })
    sockets.push(socket)
    socket.once('state:snapshot', () => {
      if (++ready === tokens.length) parentPort!.postMessage({ type: 'ready' })
    })
    socket.on('state:delta', (d: StateDelta) => {
      const now = Date.now()
      const key = `${d.stream}#${d.seq}`
      const entry = latest.get(key)
      if (entry) {
        entry[1] = Math.max(entry[1], now)
        entry[2]++
      } else latest.set(key, [d.at, now, 1])
    })
    socket.on(
      'bench:baseline' as never,
      ((payload: { id: string; at: number }) => {
        const now = Date.now()
        const entry = latest.get(payload.id)
        if (entry) {
          entry[1] = Math.max(entry[1], now)
          entry[2]++
        } else latest.set(payload.id, [payload.at, now, 1])
      }) as never,
    )
  }
  parentPort!.on('message', (message: { type: string }) => {
    if (message.type === 'report') {
      const report: ClientReport = {
        arrivals: [...latest].map(([key, [at, last, count]]) => [key, at, last, count]),
      }
      latest.clear()
      parentPort!.postMessage({ type: 'report', report })
    } else if (message.type === 'close') {
      for (const s of sockets) s.disconnect()
      parentPort!.postMessage({ type: 'closed' })
    }
  })
} else {
  await main()
}

function company(): CompanyConfig {
  const users: UserConfig[] = []
  for (let i = 0; i < CLIENTS; i++) {
    users.push({
      id: `op${i}`,
      firstName: `Operatør`,
      lastName: `${i}`,
      extension: String(1000 + i),
      mobile: null,
      direct: null,
      department: `Avdeling ${i % 10}`,
      presentableNumbers: [],
      forwardOnBusy: null,
      forwardOnNoAnswer: null,
      extraTerminal: null,
    })
  }
  const queues = Array.from({ length: 10 }, (_, q) => ({
    ...queueDefaults,
    id: `q${q}`,
    name: `Kø ${q}`,
    numbers: [`+47220000${String(q).padStart(2, '0')}`],
    strategy: (['longest-idle', 'ring-all', 'round-robin', 'linear'] as const)[q % 4]!,
    members: users
      .filter((_, i) => i % 10 === q || i % 17 === q)
      .map((u) => ({ userId: u.id, penalty: 0, loggedIn: true })),
    ringTimeoutSeconds: 10,
    retryDelaySeconds: 0,
  }))
  return { ...companyDefaults, id: 'bench', name: 'Bench AS', users, queues }
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!
}

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'sentral-bench-api-'))
  const config = company()
  const store = new SqlStore(openDatabase({ file: join(dir, 'bench.sqlite') }))
  await store.migrate()
  await importCompany(
    store,
    config,
    config.users.map((u) => ({
      userId: u.id,
      username: u.id,
      role: 'operator' as const,
      functions: ['switchboard' as const, 'queue-board' as const],
    })),
  )
  const hash = await hashPassword(password)
  for (const u of config.users) await store.setPassword(u.id, hash, Date.now())
  const perQueue = (CALLS_PER_SECOND * 3600) / config.queues.length
  const core = await startCore({
    store,
    dataDir: dir,
    host: '127.0.0.1',
    port: 0,
    logger: pino({ level: 'warn' }),
    version: 'bench',
    ...(process.env.BENCH_WINDOW ? { deltaIntervalMs: Number(process.env.BENCH_WINDOW) } : {}),
    traffic: new Map([
      [
        'bench',
        {
          ...defaultTraffic,
          seed: 7,
          arrivals: config.queues.map((q) => ({ number: q.numbers[0]!, perHour: perQueue })),
          talkSeconds: { mean: 2, sd: 1 },
          answerSeconds: { mean: 0.5, sd: 0.2 },
          patienceSeconds: 30,
          callerPool: 5000,
        },
      ],
    ]),
  })
  console.log(
    `core: ${core.url}, ${config.users.length} operators in ${config.queues.length} queues, traffic ${CALLS_PER_SECOND} calls/s`,
  )

  const tokens: string[] = []
  for (const u of config.users) {
    const res = await fetch(`${core.url}/api/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: u.id, password }),
    })
    tokens.push(((await res.json()) as { token: string }).token)
  }
  // The clients run in worker threads (as many as WORKERS) so that the server keeps its own core.
  const workers = Array.from(
    { length: WORKERS },
    (_, w) =>
      new Worker(new URL(import.meta.url), {
        workerData: { url: core.url, tokens: tokens.filter((_, i) => i % WORKERS === w) },
      }),
  )
  const nextOf = (worker: Worker, type: string) =>
    new Promise<{ type: string; report?: ClientReport }>((resolve) => {
      const on = (m: { type: string; report?: ClientReport }) => {
        if (m.type === type) {
          worker.off('message', on)
          resolve(m)
        }
      }
      worker.on('message', on)
    })
  const next = async (type: string): Promise<{ type: string; report?: ClientReport }> => {
    const replies = await Promise.all(workers.map((w) => nextOf(w, type)))
    if (type !== 'report') return replies[0]!
    const merged = new Map<string, [string, number, number, number]>()
    for (const reply of replies) {
      for (const [key, at, last, count] of reply.report!.arrivals) {
        const entry = merged.get(key)
        if (entry) {
          entry[2] = Math.max(entry[2], last)
          entry[3] += count
        } else merged.set(key, [key, at, last, count])
      }
    }
    return { type, report: { arrivals: [...merged.values()] } }
  }
  const post = (message: { type: string }) => {
    for (const w of workers) w.postMessage(message)
  }
  await next('ready')
  console.log(`clients: ${CLIENTS} connected and logged in`)

  // Sizes and rate of what the clients receive, to replay as the baseline.
  const sizes: number[] = []

  await new Promise((r) => setTimeout(r, WARMUP_MS))
  post({ type: 'report' })
  await next('report')
  const started = Date.now()
  const stepsAtStart = core.runtime.stepCount
  const sizeProbe = core.app.io.of('/').adapter as unknown as {
    broadcast: (packet: { data: unknown[] }, opts: unknown) => void
  }
  const broadcast = sizeProbe.broadcast.bind(sizeProbe)
  let deltaMessages = 0
  const byStream = new Map<string, [number, number, number]>()
  sizeProbe.broadcast = (packet, opts) => {
    if (packet.data[0] === 'state:delta') {
      const payload = packet.data[1] as StateDelta
      const size = JSON.stringify(payload).length
      sizes.push(size)
      deltaMessages++
      const kind = payload.stream.split(':')[0]!
      const receivers =
        (opts as { rooms: Set<string> }).rooms.size > 0
          ? [...(opts as { rooms: Set<string> }).rooms].reduce(
              (n, r) => n + (core.app.io.of('/').adapter.rooms.get(r)?.size ?? 0),
              0,
            )
          : 0
      const e = byStream.get(kind) ?? [0, 0, 0]
      byStream.set(kind, [e[0] + 1, e[1] + size, e[2] + receivers])
    }
    broadcast(packet, opts)
  }
  const elu0 = performance.eventLoopUtilization()
  const recorderDelays: number[] = []
  const originalAfter = core.app.recorder.after.bind(core.app.recorder)
  core.app.recorder.after = (fn: () => void) => {
    const t = performance.now()
    originalAfter(() => {
      recorderDelays.push(performance.now() - t)
      fn()
    })
  }
  await new Promise((r) => setTimeout(r, MEASURE_MS))
  core.app.recorder.after = originalAfter
  console.log(
    `server event loop busy: ${(performance.eventLoopUtilization(elu0).utilization * 100).toFixed(0)}%`,
  )
  for (const [kind, [n, bytes, receivers]] of byStream)
    console.log(
      `  stream ${kind}: ${n} messages, mean ${Math.round(bytes / n)} B, ${receivers} deliveries`,
    )
  recorderDelays.sort((a, b) => a - b)
  console.log(
    `store before delivery: p50 ${percentile(recorderDelays, 0.5).toFixed(1)} ms, p99 ${percentile(recorderDelays, 0.99).toFixed(1)} ms`,
  )
  sizeProbe.broadcast = broadcast
  const elapsed = Date.now() - started
  const steps = core.runtime.stepCount - stepsAtStart
  await new Promise((r) => setTimeout(r, 500))
  post({ type: 'report' })
  const measured = (await next('report')).report!
  const allClients = measured.arrivals.filter(([key]) => !key.startsWith('baseline'))
  const latencies = allClients.map(([, at, last]) => last - at).sort((a, b) => a - b)
  const fanout = allClients.reduce((n, [, , , count]) => n + count, 0)
  console.log(
    `measured: ${elapsed} ms, ${steps} engine steps, ${deltaMessages} delta broadcasts, ${fanout} deliveries, mean size ${Math.round(sizes.reduce((a, b) => a + b, 0) / Math.max(1, sizes.length))} B`,
  )

  // ── baseline: the same sizes at the same rate, plain io.emit to everyone ──
  const interval = elapsed / Math.max(1, sizes.length)
  let i = 0
  const baselineDone = new Promise<void>((resolve) => {
    const tick = () => {
      const burst = Math.max(1, Math.round(10 / Math.max(interval, 0.01)))
      for (let k = 0; k < burst && i < sizes.length; k++, i++) {
        const size = sizes[i]!
        const payload = {
          id: `baseline#${i}`,
          at: Date.now(),
          pad: 'x'.repeat(Math.max(0, size - 40)),
        }
        ;(core.app.io as unknown as { emit: (event: string, payload: unknown) => void }).emit(
          'bench:baseline',
          payload,
        )
      }
      if (i < sizes.length) setTimeout(tick, Math.max(1, burst * interval))
      else resolve()
    }
    tick()
  })
  await baselineDone
  await new Promise((r) => setTimeout(r, 1000))
  post({ type: 'report' })
  const baselineReport = (await next('report')).report!
  const baseline = baselineReport.arrivals
    .filter(([key]) => key.startsWith('baseline'))
    .map(([, at, last]) => last - at)
    .sort((a, b) => a - b)

  post({ type: 'close' })
  await next('closed')
  await Promise.all(workers.map((w) => w.terminate()))
  await core.stop()
  await store.close()
  rmSync(dir, { recursive: true, force: true })

  const p50 = percentile(latencies, 0.5)
  const p99 = percentile(latencies, 0.99)
  const bp99 = percentile(baseline, 0.99)
  console.log(
    `deltas: ${latencies.length} messages; all clients had each after p50 ${p50} ms, p90 ${percentile(latencies, 0.9)} ms, p99 ${p99} ms, max ${latencies.at(-1) ?? 0} ms`,
  )
  console.log(
    `baseline (plain broadcast to all ${CLIENTS}): ${baseline.length} messages, p50 ${percentile(baseline, 0.5)} ms, p99 ${bp99} ms`,
  )
  console.log(`target: p99 ≤ 50 ms ${p99 <= 50 ? 'met' : 'MISSED'}`)
  console.log(`api: clients=${CLIENTS} p50_ms=${p50} p99_ms=${p99} baseline_p99_ms=${bp99}`)
  process.exit(0)
}
