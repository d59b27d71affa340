/**
 * A real core for API tests: a real database (the suite's), real HTTP and Socket.IO on port 0,
 * real clients. Two companies with a user, two operators (in different queues) and a contact
 * person each; every account has the password `passwordFor`.
 */
import { randomBytes, randomUUID } from 'node:crypto'
import pino from 'pino'
import { io as connect, type Socket } from 'socket.io-client'
import { hashPassword } from '../../src/core/accounts/credentials'
import type { CompanyConfig } from '../../src/core/domain/config'
import { startCore, type CoreHandle, type CoreOptions } from '../../src/core/host'
import {
  importCompany,
  type ImportAccount,
  type SqlStore,
} from '../../src/core/persistence/sql-store'
import type { Clock } from '../../src/core/runtime/clock'
import type { FunctionAccess, Role } from '../../src/shared/model'
import type {
  ClientToServerEvents,
  LoginResponse,
  ServerToClientEvents,
  StateDelta,
  StateSnapshot,
} from '../../src/shared/protocol'
import { company, queue, user } from './company'

export type Client = Socket<ServerToClientEvents, ClientToServerEvents>

export const passwordFor = 'korrekt-hest-batteri-stift'

let hashed: Promise<string> | null = null

export interface TestCompany {
  id: string
  config: CompanyConfig
  /** Usernames by role: user, op1 (queue a), op2 (queue b), boss (contact person). */
  usernames: { user: string; op1: string; op2: string; boss: string }
  ids: { user: string; op1: string; op2: string; boss: string; queueA: string; queueB: string }
  numbers: { queueA: string; queueB: string; userDirect: string }
}

let companySeq = 0

/** A small company whose ids and numbers are its own (ids are unique across companies). */
export function testCompany(label = 'co'): TestCompany {
  const id = `${label}-${randomBytes(3).toString('hex')}-${++companySeq}`
  const n = (companySeq * 37) % 90
  const ids = {
    user: `${id}.user`,
    op1: `${id}.op1`,
    op2: `${id}.op2`,
    boss: `${id}.boss`,
    queueA: 'a',
    queueB: 'b',
  }
  const numbers = {
    queueA: `+4722${String(10 + n).padStart(2, '0')}0000`,
    queueB: `+4722${String(10 + n).padStart(2, '0')}0001`,
    userDirect: `+4722${String(10 + n).padStart(2, '0')}0100`,
  }
  const config = company({
    id,
    name: `Firma ${label}`,
    users: [
      user(ids.user, {
        firstName: 'Ulla',
        lastName: 'Bruker',
        extension: '201',
        direct: numbers.userDirect,
        presentableNumbers: [],
      }),
      user(ids.op1, {
        firstName: 'Ola',
        lastName: 'Operatør',
        extension: '202',
        presentableNumbers: [numbers.queueA],
      }),
      user(ids.op2, { firstName: 'Åse', lastName: 'Andersen', extension: '203' }),
      user(ids.boss, { firstName: 'Kari', lastName: 'Sjef', extension: '204' }),
    ],
    queues: [
      queue('a', [ids.op1], {
        name: 'Sentralbord',
        numbers: [numbers.queueA],
        ringTimeoutSeconds: 30,
      }),
      queue('b', [ids.op2], { name: 'Support', numbers: [numbers.queueB], ringTimeoutSeconds: 30 }),
    ],
  })
  return {
    id,
    config,
    usernames: { user: ids.user, op1: ids.op1, op2: ids.op2, boss: ids.boss },
    ids,
    numbers,
  }
}

function accountsOf(t: TestCompany): ImportAccount[] {
  const all: FunctionAccess[] = [
    'switchboard',
    'queue-board',
    'statistics',
    'administration',
    'conference',
    'sms',
    'vip-list',
    'calendar-sync',
  ]
  const row = (userId: string, role: Role, functions: FunctionAccess[]): ImportAccount => ({
    userId,
    username: userId,
    role,
    functions,
  })
  return [
    row(t.ids.user, 'user', ['sms']),
    row(t.ids.op1, 'operator', ['switchboard', 'queue-board']),
    row(t.ids.op2, 'operator', ['switchboard', 'queue-board']),
    row(t.ids.boss, 'contact', all),
  ]
}

export async function addCompany(store: SqlStore, t: TestCompany, at: number): Promise<void> {
  await importCompany(store, t.config, accountsOf(t))
  hashed ??= hashPassword(passwordFor)
  const hash = await hashed
  for (const account of accountsOf(t)) await store.setPassword(account.userId, hash, at)
}

export interface TestCore {
  core: CoreHandle
  url: string
  login(username: string, password?: string): Promise<LoginResponse>
  /** Logs in and connects; resolves with the socket and its first snapshot. */
  client(
    username: string,
  ): Promise<{ socket: Client; snapshot: StateSnapshot; login: LoginResponse }>
  raw(auth: object): Client
  /** Send a command with a fresh requestId. */
  command<E extends keyof ClientToServerEvents>(
    socket: Client,
    event: E,
    payload: Record<string, unknown>,
  ): Promise<unknown>
  stop(): Promise<void>
}

export async function startTestCore(
  store: SqlStore,
  companies: TestCompany[],
  options: {
    clock?: Clock
    purgeEveryMs?: number
    uiDir?: string
    sip?: CoreOptions['sip']
    traffic?: CoreOptions['traffic']
    recoveryMs?: number
  } = {},
): Promise<TestCore> {
  for (const c of companies) await addCompany(store, c, options.clock?.now() ?? Date.now())
  const core = await startCore({
    store,
    dataDir: '',
    host: '127.0.0.1',
    port: 0,
    logger: pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }),
    version: 'test',
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.purgeEveryMs !== undefined ? { purgeEveryMs: options.purgeEveryMs } : {}),
    ...(options.uiDir !== undefined ? { uiDir: options.uiDir } : {}),
    ...(options.sip ? { sip: options.sip } : {}),
    ...(options.traffic ? { traffic: options.traffic } : {}),
    ...(options.recoveryMs !== undefined ? { recoveryMs: options.recoveryMs } : {}),
  })
  const sockets: Client[] = []
  const login = async (username: string, password = passwordFor): Promise<LoginResponse> => {
    const res = await fetch(`${core.url}/api/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username, password }),
    })
    const body = (await res.json()) as LoginResponse | { error: { code: string } }
    if (!res.ok || 'error' in body)
      throw new Error(`login ${username}: ${res.status} ${JSON.stringify(body)}`)
    return body
  }
  const raw = (auth: object): Client => {
    const socket: Client = connect(core.url, {
      auth,
      transports: ['websocket'],
      reconnection: false,
      forceNew: true,
    })
    sockets.push(socket)
    return socket
  }
  return {
    core,
    url: core.url,
    login,
    raw,
    async client(username) {
      const session = await login(username)
      const socket = raw({ token: session.token })
      const snapshot = await new Promise<StateSnapshot>((resolve, reject) => {
        socket.once('state:snapshot', resolve)
        socket.once('connect_error', reject)
      })
      return { socket, snapshot, login: session }
    },
    command(socket, event, payload) {
      return (
        socket as unknown as { emitWithAck: (e: string, p: unknown) => Promise<unknown> }
      ).emitWithAck(event, { requestId: randomUUID(), ...payload })
    },
    async stop() {
      for (const s of sockets) s.disconnect()
      await core.stop()
    },
  }
}

/** Resolves with the first payload of `event` that passes `test`, or rejects after `ms`. */
export function waitFor<T>(
  socket: Client,
  event: keyof ServerToClientEvents,
  test: (payload: T) => boolean = () => true,
  ms = 3000,
): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      socket.off(event, listener as never)
      reject(new Error(`no ${event} within ${ms} ms`))
    }, ms)
    const listener = (payload: T) => {
      if (!test(payload)) return
      clearTimeout(timer)
      socket.off(event, listener as never)
      resolve(payload)
    }
    socket.on(event, listener as never)
  })
}

/** Collects every state:delta a socket receives. */
export function collectDeltas(socket: Client) {
  const received: StateDelta[] = []
  socket.on('state:delta', (d) => received.push(d))
  return received
}
