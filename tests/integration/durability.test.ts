/**
 * Durability: a core that stops — cleanly, or killed with SIGKILL in the middle of traffic —
 * comes back with every change it acknowledged and every finished call's log records.
 *
 * 1. In process, on both databases: acknowledged changes made through the API by real users
 *    survive a stop and a start on the same store, in the engine and in what the API shows.
 * 2. The built `sentral-core` process under fast simulated traffic, killed with SIGKILL: the
 *    database it leaves holds the log records of every call a client was told had ended and
 *    every presence change that was acknowledged, and a core started on it serves again.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { randomBytes, randomUUID } from 'node:crypto'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { build } from 'esbuild'
import pg from 'pg'
import { io as connect, type Socket } from 'socket.io-client'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { openDatabase } from '../../src/core/persistence/database'
import { SqlStore } from '../../src/core/persistence/sql-store'
import type { AgentView, CallView } from '../../src/shared/model'
import { normalizeNumber } from '../../src/shared/phone'
import type {
  CallerNote,
  ClientToServerEvents,
  LoginResponse,
  QueueInput,
  QueueLogEntry,
  Response,
  ServerToClientEvents,
  StateDelta,
  StateSnapshot,
  UserAdminView,
  UserInput,
} from '../../src/shared/protocol'
import { forEachDatabase, postgresUrl, testedDialects } from '../helpers/databases'
import { startTestCore, testCompany, type TestCore } from '../helpers/test-core'

type Client = Socket<ServerToClientEvents, ClientToServerEvents>
type Emitter = { emitWithAck(event: string, payload: unknown): Promise<unknown> }

/** A request that reads: the answer's data, or the test fails with the error it got. */
async function query<T>(socket: Client, event: keyof ClientToServerEvents, payload: object) {
  const response = (await (socket as unknown as Emitter).emitWithAck(event, payload)) as Response<T>
  if ('error' in response)
    throw new Error(`${event}: ${response.error.code} ${response.error.message}`)
  return response.data
}

/** A request that changes something: sent with a fresh idempotency key; resolves on its ack. */
function command<T>(socket: Client, event: keyof ClientToServerEvents, payload: object) {
  return query<T>(socket, event, { requestId: randomUUID(), ...payload })
}

function agentOf(agents: AgentView[], userId: string): AgentView {
  const agent = agents.find((a) => a.userId === userId)
  if (!agent) throw new Error(`no agent ${userId}`)
  return agent
}

function membershipOf(agents: AgentView[], userId: string, queueId: string) {
  const membership = agentOf(agents, userId).queues.find((q) => q.queueId === queueId)
  if (!membership) throw new Error(`${userId} is not a member of ${queueId}`)
  return membership
}

// ───────────────────────────── 1. stop and start in process ─────────────────────────────

forEachDatabase('a restarted core', (db) => {
  const cores: TestCore[] = []
  afterEach(async () => {
    for (const core of cores.splice(0)) await core.stop().catch(() => undefined)
  })

  it('comes back with every acknowledged change, in the engine and in the API', async () => {
    const t = testCompany('dur')
    const first = await startTestCore(db.store, [t])
    cores.push(first)
    const until = Date.now() + 3 * 3_600_000
    const forwardTo = '+47 915 55 123'
    const caller = '+47 913 00 111'
    const newPassword = 'blå-fjord-sykkel-lampe-93'

    const user = await first.client(t.usernames.user)
    const op1 = await first.client(t.usernames.op1)
    const op2 = await first.client(t.usernames.op2)
    const boss = await first.client(t.usernames.boss)

    expect(
      await command(user.socket, 'presence:set-absence', {
        reason: 'travel',
        note: 'Kurs i Bergen',
        until,
        forwardTo,
      }),
    ).toBeNull()
    expect(await command(op2.socket, 'queue:logout', { queueId: 'b' })).toBeNull()
    expect(await command(op1.socket, 'queue:pause', { queueId: 'a', reason: 'Opplæring' })).toBe(
      null,
    )
    const note = await command<CallerNote>(op1.socket, 'note:add', {
      number: caller,
      text: 'Ringer om faktura 4711',
    })
    const nina: UserInput = {
      username: 'nina.ny.' + t.id,
      firstName: 'Nina',
      lastName: 'Ny',
      extension: '209',
      mobile: null,
      direct: null,
      department: 'Kundeservice',
      role: 'operator',
      functions: ['switchboard'],
      blocked: false,
      presentableNumbers: [],
      forwardOnBusy: null,
      forwardOnNoAnswer: null,
      extraTerminal: null,
    }
    const created = await command<UserAdminView>(boss.socket, 'admin:user-save', {
      user: nina,
      password: newPassword,
    })
    // A queue setting changed after op1 paused in that queue: the pause must outlive it too.
    const queueA: QueueInput = {
      id: 'a',
      name: 'Sentralbord',
      numbers: [t.numbers.queueA],
      strategy: 'round-robin',
      members: [
        { userId: t.ids.op1, penalty: 0 },
        { userId: created.id, penalty: 2 },
      ],
      ringTimeoutSeconds: 45,
      retryDelaySeconds: 4,
      wrapUpSeconds: 10,
      autoPauseAfter: 3,
      maxWaitSeconds: 600,
      maxLength: null,
      overflow: null,
      joinEmpty: true,
      leaveWhenEmpty: false,
      serviceLevelSeconds: 30,
      progressiveStepSeconds: 5,
    }
    expect(await command(boss.socket, 'admin:queue-save', { queue: queueA })).toEqual({
      queueId: 'a',
    })

    const before = first.core.runtime.snapshot(t.id)!
    expect(membershipOf(before.agents, t.ids.op1, 'a').paused).toMatchObject({
      reason: 'Opplæring',
    })
    await first.stop()
    cores.splice(cores.indexOf(first), 1)

    const second = await startTestCore(db.store, [])
    cores.push(second)

    // The engine.
    const after = second.core.runtime.snapshot(t.id)!
    expect(agentOf(after.agents, t.ids.user).absence).toMatchObject({
      reason: 'travel',
      note: 'Kurs i Bergen',
      until,
      forwardTo: normalizeNumber(forwardTo),
    })
    expect(agentOf(after.agents, t.ids.user).presence).toBe('absent')
    expect(membershipOf(after.agents, t.ids.op2, 'b')).toMatchObject({
      loggedIn: false,
      paused: null,
    })
    expect(membershipOf(after.agents, t.ids.op1, 'a')).toMatchObject({
      loggedIn: true,
      paused: { reason: 'Opplæring' },
    })
    expect(membershipOf(after.agents, created.id, 'a')).toMatchObject({
      loggedIn: true,
      paused: null,
      penalty: 2,
    })
    expect(after.users.find((u) => u.id === created.id)).toMatchObject({
      firstName: 'Nina',
      department: 'Kundeservice',
      extension: '209',
    })
    expect(after.queues.find((q) => q.id === 'a')).toMatchObject({ strategy: 'round-robin' })
    const queueAConfig = second.core.runtime.state.companies.get(t.id)!.queues.get('a')!.config
    expect(queueAConfig.members.map((m) => [m.userId, m.penalty])).toEqual([
      [t.ids.op1, 0],
      [created.id, 2],
    ])
    expect(queueAConfig).toMatchObject({
      ringTimeoutSeconds: 45,
      retryDelaySeconds: 4,
      wrapUpSeconds: 10,
      autoPauseAfter: 3,
      maxWaitSeconds: 600,
      serviceLevelSeconds: 30,
    })

    // The API, as the same people see it after the restart.
    const op1Again = await second.client(t.usernames.op1)
    expect(membershipOf(op1Again.snapshot.agents, t.ids.op1, 'a').paused).toMatchObject({
      reason: 'Opplæring',
    })
    expect(agentOf(op1Again.snapshot.agents, t.ids.user).absence).toMatchObject({
      reason: 'travel',
      until,
      forwardTo: normalizeNumber(forwardTo),
    })
    expect(membershipOf(op1Again.snapshot.agents, t.ids.op2, 'b').loggedIn).toBe(false)
    expect(await query<CallerNote[]>(op1Again.socket, 'note:list', { number: caller })).toEqual([
      note,
    ])
    const bossAgain = await second.client(t.usernames.boss)
    const users = await query<UserAdminView[]>(bossAgain.socket, 'admin:users', {})
    expect(users.find((u) => u.id === created.id)).toEqual(created)
    const ninaLogin = await second.login(nina.username, newPassword)
    expect(ninaLogin.me).toMatchObject({ userId: created.id, role: 'operator', queueIds: ['a'] })
  })

  it('keeps when an absence and a pause began', async () => {
    const t = testCompany('since')
    const first = await startTestCore(db.store, [t])
    cores.push(first)
    const user = await first.client(t.usernames.user)
    const op1 = await first.client(t.usernames.op1)
    await command(user.socket, 'presence:set-absence', {
      reason: 'meeting',
      note: null,
      until: null,
      forwardTo: null,
    })
    await command(op1.socket, 'queue:pause', { queueId: 'a', reason: 'Kaffe' })
    const before = first.core.runtime.snapshot(t.id)!
    const absentSince = agentOf(before.agents, t.ids.user).absence!.since
    const pausedSince = membershipOf(before.agents, t.ids.op1, 'a').paused!.since
    await first.stop()
    cores.splice(cores.indexOf(first), 1)
    // Long enough that a restart stamping "now" cannot pass for the original instant.
    await new Promise((r) => setTimeout(r, 50))

    const second = await startTestCore(db.store, [])
    cores.push(second)
    const after = second.core.runtime.snapshot(t.id)!
    expect(agentOf(after.agents, t.ids.user).absence?.since).toBe(absentSince)
    expect(membershipOf(after.agents, t.ids.op1, 'a').paused?.since).toBe(pausedSince)
  })
})

// ───────────────────────────── 2. SIGKILL mid-traffic ─────────────────────────────

/** The core as `scripts/build-core.mjs` builds it, in a file of this suite's own (see below). */
const cli = join(process.cwd(), 'out', 'core', 'cli.durability-test.js')
const dir = mkdtempSync(join(tmpdir(), 'sentral-durability-'))
const children: ChildProcess[] = []
const sockets: Client[] = []
const stores: SqlStore[] = []

beforeAll(async () => {
  // Same options as scripts/build-core.mjs, but another outfile: tests/integration/cli.test.ts
  // rebuilds out/core/cli.js while running in parallel, and a process started from a file
  // being rewritten would fail for reasons that have nothing to do with durability.
  await build({
    entryPoints: ['src/core/cli.ts'],
    outfile: cli,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    packages: 'external',
    sourcemap: true,
    logLevel: 'warning',
  })
}, 60_000)

afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.disconnect()
  for (const child of children.splice(0))
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
  for (const store of stores.splice(0)) await store.close().catch(() => undefined)
})

afterAll(() => {
  rmSync(dir, { recursive: true, force: true })
  rmSync(cli, { force: true })
  rmSync(`${cli}.map`, { force: true })
})

function file(name: string, content: string): string {
  const path = join(dir, name)
  writeFileSync(path, content)
  return path
}

interface Core {
  child: ChildProcess
  url: string
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>
}

/** Starts the built core and resolves with its URL once it listens (from its JSON log). */
function start(args: string[]): Promise<Core> {
  const child = spawn(process.execPath, [cli, ...args, '--port', '0', '--json-logs'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  children.push(child)
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  )
  return new Promise((resolve, reject) => {
    let buffer = ''
    let stderr = ''
    child.stdout.on('data', (d: Buffer) => {
      buffer += d.toString()
      const parts = buffer.split('\n')
      buffer = parts.pop()!
      for (const line of parts) {
        try {
          const entry = JSON.parse(line) as { url?: string }
          if (entry.url) resolve({ child, url: entry.url, exited })
        } catch {
          // not a log line
        }
      }
    })
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    void exited.then(({ code, signal }) =>
      reject(new Error(`the core exited (${code ?? signal}) before listening: ${stderr}`)),
    )
  })
}

async function login(url: string, username: string, password: string): Promise<LoginResponse> {
  const res = await fetch(`${url}/api/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  })
  expect(res.status).toBe(200)
  return (await res.json()) as LoginResponse
}

/** Logs in, connects, and resolves with the socket once its first snapshot is in. */
async function client(
  url: string,
  username: string,
  password: string,
  onDelta?: (delta: StateDelta) => void,
): Promise<{ socket: Client; snapshot: StateSnapshot }> {
  const { token } = await login(url, username, password)
  const socket: Client = connect(url, {
    auth: { token },
    transports: ['websocket'],
    reconnection: false,
    forceNew: true,
  })
  sockets.push(socket)
  if (onDelta) socket.on('state:delta', onDelta)
  const snapshot = await new Promise<StateSnapshot>((resolve, reject) => {
    socket.once('state:snapshot', resolve)
    socket.once('connect_error', reject)
  })
  return { socket, snapshot }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

const companyFile = `
company: { id: durable, name: Varig AS }
users:
  - { id: anna, firstName: Anna, lastName: Ås, extension: '201' }
  - { id: bjorn, firstName: Bjørn, lastName: Berg, extension: '202' }
  - { id: cecilie, firstName: Cecilie, lastName: Dahl, extension: '203' }
  - { id: dag, firstName: Dag, lastName: Eide, extension: '204', direct: '+47 22 00 00 04' }
  - { id: eva, firstName: Eva, lastName: Fjeld, extension: '205' }
  - { id: frode, firstName: Frode, lastName: Gran, extension: '206' }
  - { id: gro, firstName: Gro, lastName: Hauge, extension: '207' }
queues:
  - { id: front, name: Sentralbord, strategy: ring-all, numbers: ['+47 22 00 00 00'], members: [anna, bjorn, cecilie, eva, frode], ringTimeoutSeconds: 3, retryDelaySeconds: 0 }
  - { id: support, name: Support, strategy: longest-idle, numbers: ['+47 22 00 00 01'], members: [cecilie, dag, gro], ringTimeoutSeconds: 3, retryDelaySeconds: 0 }
`
// Seven callers a second for seven agents who talk for a second or two: calls end all the time,
// answered ones and, with a second and a half's patience, abandoned ones.
const trafficFile = `
seed: 11
arrivals:
  - { queue: front, perHour: 18000 }
  - { queue: support, perHour: 7200 }
patienceSeconds: 1.5
talkSeconds: { mean: 0.8, sd: 0.2 }
answerSeconds: { mean: 0.3, sd: 0.1 }
noAnswerRate: 0
rejectRate: 0
`
/** Calls that must have ended before the kill for the test to say anything. */
const enoughEnded = 12
const password = 'korrekt-hest-batteri'
const accountsFile = `
password: ${password}
contacts: [anna]
functions: { contact: [administration], operator: [switchboard], user: [] }
`

/** What the contact person's `calls` stream showed of one call. */
interface SeenCall {
  queues: Set<string>
  agents: Set<string>
  answered: boolean
  ended: boolean
}

/** Where the killed core keeps its data: a SQLite file, or a PostgreSQL database of its own. */
interface Target {
  args: string[]
  open(): SqlStore
}

async function adminQuery(statement: string): Promise<void> {
  const admin = new pg.Client({ connectionString: postgresUrl })
  await admin.connect()
  try {
    await admin.query(statement)
  } finally {
    await admin.end()
  }
}

describe.each(testedDialects)('a core killed with SIGKILL mid-traffic [%s]', (dialect) => {
  let target: Target
  let database: string | null = null

  beforeAll(async () => {
    const dataDir = mkdtempSync(join(dir, `${dialect}-`))
    if (dialect === 'sqlite') {
      target = {
        args: ['--data-dir', dataDir],
        open: () => new SqlStore(openDatabase({ file: join(dataDir, 'sentral.sqlite') })),
      }
      return
    }
    // The CLI has no schema option: the core gets a database of its own, dropped afterwards.
    database = `sentral_kill_${randomBytes(6).toString('hex')}`
    await adminQuery(`create database ${database}`)
    const url = new URL(postgresUrl)
    url.pathname = `/${database}`
    target = {
      args: ['--data-dir', dataDir, '--database', url.toString()],
      open: () => new SqlStore(openDatabase({ url: url.toString(), poolSize: 2 })),
    }
  })

  afterAll(async () => {
    if (database !== null) await adminQuery(`drop database if exists ${database} with (force)`)
  })

  it('keeps every finished call’s log records and every acknowledged change', async () => {
    const args = [
      'run',
      '--company',
      file('company.yaml', companyFile),
      '--accounts',
      file('accounts.yaml', accountsFile),
      '--traffic',
      file('traffic.yaml', trafficFile),
      ...target.args,
    ]
    const core = await start(args)

    // The contact person is on the `calls` stream, where a call is removed only when it has
    // ended (an operator's queue stream also drops a call when a colleague answers it), and
    // the server sends that removal only once the call's log records are stored.
    const seen = new Map<string, SeenCall>()
    const callOf = (id: string) => {
      let call = seen.get(id)
      if (!call)
        seen.set(
          id,
          (call = { queues: new Set(), agents: new Set(), answered: false, ended: false }),
        )
      return call
    }
    const saw = (view: CallView) => {
      const call = callOf(view.id)
      if (view.queueId !== null) call.queues.add(view.queueId)
      if (view.agentId !== null) call.agents.add(view.agentId)
      if (view.answeredAt !== null) call.answered = true
    }
    const watch = (delta: StateDelta) => {
      if (delta.stream !== 'calls') return
      for (const d of delta.deltas) {
        if (d.entity !== 'call') continue
        if (d.op === 'remove') callOf(d.id).ended = true
        else saw(d.call)
      }
    }
    const anna = await client(core.url, 'anna', password, watch)
    expect(Object.keys(anna.snapshot.streams)).toContain('calls')
    for (const call of anna.snapshot.calls) saw(call)

    const bjorn = await client(core.url, 'bjorn', password)
    const cecilie = await client(core.url, 'cecilie', password)
    const dag = await client(core.url, 'dag', password)
    expect(bjorn.snapshot.me.role).toBe('operator')

    // Acknowledged presence changes while the traffic runs.
    const until = Date.now() + 2 * 3_600_000
    await sleep(700)
    expect(await command(bjorn.socket, 'queue:pause', { queueId: 'front', reason: 'Kaffe' })).toBe(
      null,
    )
    await sleep(500)
    expect(await command(cecilie.socket, 'queue:logout', { queueId: 'support' })).toBeNull()
    await sleep(500)
    expect(
      await command(dag.socket, 'presence:set-absence', {
        reason: 'lunch',
        note: 'Tannlege',
        until,
        forwardTo: '+47 900 11 222',
      }),
    ).toBeNull()
    await sleep(500)
    expect(await command(bjorn.socket, 'queue:unpause', { queueId: 'front' })).toBeNull()
    await sleep(500)
    expect(await command(bjorn.socket, 'queue:pause', { queueId: 'front', reason: 'Møte' })).toBe(
      null,
    )
    // Traffic runs on until enough calls have ended (arrivals are random), at most ten seconds.
    const endedSoFar = () => [...seen.values()].filter((c) => c.ended).length
    for (let waited = 0; endedSoFar() < enoughEnded && waited < 10_000; waited += 100)
      await sleep(100)
    // The last change is acknowledged, and the process dies at once.
    expect(
      await command(cecilie.socket, 'queue:pause', { queueId: 'front', reason: 'Opplæring' }),
    ).toBeNull()
    core.child.kill('SIGKILL')
    expect(await core.exited).toEqual({ code: null, signal: 'SIGKILL' })
    for (const socket of sockets.splice(0)) socket.disconnect()

    const ended = [...seen.entries()].filter(([, c]) => c.ended)
    const mustHaveRecords = ended.filter(([, c]) => c.answered || c.queues.size > 0)

    // What the killed core left behind.
    const store = target.open()
    stores.push(store)
    const queueLog = await store.queueCallLog('durable', ['front', 'support'], { limit: 100_000 })
    const userLog = await store.allUserCallLogs('durable', { limit: 100_000 })
    const missing: string[] = []
    for (const [callId, call] of mustHaveRecords) {
      for (const queueId of call.queues)
        if (!queueLog.some((r) => r.callId === callId && r.queueId === queueId))
          missing.push(`${callId}: no record in queue ${queueId}`)
      for (const userId of call.agents)
        if (!userLog.some((r) => r.callId === callId && r.userId === userId && r.answered))
          missing.push(`${callId}: no answered record for ${userId}`)
      if (call.answered && call.agents.size === 0 && !userLog.some((r) => r.callId === callId))
        missing.push(`${callId}: answered, but no user record`)
    }
    console.info(
      `[${dialect}] calls seen ${seen.size}, ended before the kill ${ended.length} ` +
        `(answered or queued ${mustHaveRecords.length}, answered ${
          mustHaveRecords.filter(([, c]) => c.answered).length
        }); stored: ${queueLog.length} queue records, ${userLog.length} user records; ` +
        `missing ${missing.length}`,
    )
    expect(mustHaveRecords.length).toBeGreaterThanOrEqual(enoughEnded)
    expect(mustHaveRecords.filter(([, c]) => c.answered).length).toBeGreaterThanOrEqual(3)
    expect(missing).toEqual([])

    expect(await store.listAbsences('durable')).toEqual([
      {
        userId: 'dag',
        absence: {
          reason: 'lunch',
          note: 'Tannlege',
          since: expect.any(Number) as number,
          until,
          forwardTo: normalizeNumber('+47 900 11 222'),
        },
      },
    ])
    const memberships = await store.listMemberships('durable')
    const state = (queueId: string, userId: string) => {
      const m = memberships.find((x) => x.queueId === queueId && x.userId === userId)
      return m ? { loggedIn: m.loggedIn, paused: m.paused?.reason ?? null } : null
    }
    expect(state('front', 'anna')).toEqual({ loggedIn: true, paused: null })
    expect(state('front', 'bjorn')).toEqual({ loggedIn: true, paused: 'Møte' })
    expect(state('front', 'cecilie')).toEqual({ loggedIn: true, paused: 'Opplæring' })
    expect(state('support', 'cecilie')).toEqual({ loggedIn: false, paused: null })
    expect(state('support', 'dag')).toEqual({ loggedIn: true, paused: null })
    for (const [queueId, userId] of [
      ['front', 'eva'],
      ['front', 'frode'],
      ['support', 'gro'],
    ] as const)
      expect(state(queueId, userId)).toEqual({ loggedIn: true, paused: null })
    await store.close()
    stores.splice(stores.indexOf(store), 1)

    // A core started on what is left serves, with what was acknowledged.
    const again = await start(args)
    const dagAgain = await client(again.url, 'dag', password)
    const agents = dagAgain.snapshot.agents
    expect(agentOf(agents, 'dag')).toMatchObject({
      presence: 'absent',
      absence: {
        reason: 'lunch',
        note: 'Tannlege',
        until,
        forwardTo: normalizeNumber('+47 900 11 222'),
      },
    })
    expect(membershipOf(agents, 'bjorn', 'front').paused).toMatchObject({ reason: 'Møte' })
    expect(membershipOf(agents, 'cecilie', 'front').paused).toMatchObject({ reason: 'Opplæring' })
    expect(membershipOf(agents, 'cecilie', 'support').loggedIn).toBe(false)
    const bjornAgain = await client(again.url, 'bjorn', password)
    const history = await query<QueueLogEntry[]>(bjornAgain.socket, 'log:queues', {
      queueIds: ['front'],
      limit: 500,
    })
    const inFront = mustHaveRecords.filter(([, c]) => c.queues.has('front')).map(([id]) => id)
    expect(inFront.filter((id) => !history.some((r) => r.callId === id))).toEqual([])
  }, 40_000)
})
