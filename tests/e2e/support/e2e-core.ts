/**
 * A real core for the browser tests: a small company on SQLite in a temporary directory, the
 * built interface at /, and a simulated network with no random traffic: the tests place each
 * call themselves, colleagues' phones answer after a second and a half, and whoever has the
 * app open answers their own calls in it.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import pino from 'pino'
import { io as connect, type Socket } from 'socket.io-client'
import { hashPassword } from '../../../src/core/accounts/credentials'
import type { CompanyConfig } from '../../../src/core/domain/config'
import { startCore, type CoreHandle } from '../../../src/core/host'
import { openDatabase } from '../../../src/core/persistence/database'
import {
  importCompany,
  SqlStore,
  type ImportAccount,
} from '../../../src/core/persistence/sql-store'
import type { SimNetwork } from '../../../src/core/telephony/sim/sim-network'
import { defaultTraffic, type TrafficProfile } from '../../../src/core/telephony/sim/traffic'
import type { FunctionAccess } from '../../../src/shared/model'
import type {
  ClientToServerEvents,
  LoginResponse,
  ServerToClientEvents,
} from '../../../src/shared/protocol'
import { company, queue, user } from '../../helpers/company'

export const password = 'Nordlys-test-2026'
export const QUEUE_NUMBER = '+4722000000'
export const SUPPORT_NUMBER = '+4722000001'

export const people = {
  ola: { id: 'ola', name: 'Ola Operatør' },
  solveig: { id: 'solveig', name: 'Solveig Solberg' },
  kristoffer: { id: 'kristoffer', name: 'Kristoffer Ødegård' },
  aase: { id: 'aase', name: 'Åse Fjeld' },
  even: { id: 'even', name: 'Even Berg' },
  kari: { id: 'kari', name: 'Kari Sjef' },
} as const

export function e2eCompany(): CompanyConfig {
  return company({
    id: 'nordlys-test',
    name: 'Nordlys Test AS',
    users: [
      user('ola', {
        firstName: 'Ola',
        lastName: 'Operatør',
        extension: '201',
        department: 'Sentralbord',
        presentableNumbers: [QUEUE_NUMBER],
      }),
      user('solveig', {
        firstName: 'Solveig',
        lastName: 'Solberg',
        extension: '210',
        mobile: '+4791234567',
        department: 'Regnskap',
      }),
      user('kristoffer', {
        firstName: 'Kristoffer',
        lastName: 'Ødegård',
        extension: '211',
        department: 'Lønn',
      }),
      user('aase', {
        firstName: 'Åse',
        lastName: 'Fjeld',
        extension: '212',
        department: 'Rådgivning',
      }),
      user('even', {
        firstName: 'Even',
        lastName: 'Berg',
        extension: '220',
        department: 'Support',
      }),
      user('kari', {
        firstName: 'Kari',
        lastName: 'Sjef',
        extension: '230',
        department: 'Ledelse',
      }),
    ],
    queues: [
      queue('sentralbord', ['ola'], {
        name: 'Sentralbord',
        numbers: [QUEUE_NUMBER],
        ringTimeoutSeconds: 600,
        wrapUpSeconds: 0,
      }),
      queue('support', ['even'], {
        name: 'Support',
        numbers: [SUPPORT_NUMBER],
        ringTimeoutSeconds: 600,
        wrapUpSeconds: 0,
      }),
    ],
  })
}

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
const accounts: ImportAccount[] = [
  {
    userId: 'ola',
    username: 'ola',
    role: 'operator',
    functions: ['switchboard', 'queue-board', 'sms'],
  },
  { userId: 'solveig', username: 'solveig', role: 'user', functions: ['sms'] },
  { userId: 'kristoffer', username: 'kristoffer', role: 'user', functions: ['sms'] },
  { userId: 'aase', username: 'aase', role: 'user', functions: ['sms'] },
  // A queue member without the switchboard function: the queue board, but no switchboard.
  { userId: 'even', username: 'even', role: 'operator', functions: ['queue-board'] },
  { userId: 'kari', username: 'kari', role: 'contact', functions: all },
]

const traffic: TrafficProfile = {
  ...defaultTraffic,
  seed: 7,
  arrivals: [],
  noAnswerRate: 0,
  rejectRate: 0,
  answerSeconds: { mean: 1.5, sd: 0 },
  talkSeconds: { mean: 3600, sd: 1 },
  agentHangsUp: 0,
  externalAnswerRate: 1,
}

export type Client = Socket<ServerToClientEvents, ClientToServerEvents>

export interface E2eCore {
  url: string
  core: CoreHandle
  sim: SimNetwork
  companyId: string
  /** An outside caller dials `to`; returns their leg, for hanging up later. */
  call(from: string, to?: string): string
  /** Stops the core and starts it again on the same address and database. */
  restart(): Promise<void>
  /** A socket client logged in as `username` (for reading what the core says). */
  client(username: string): Promise<Client>
  stop(): Promise<void>
}

export async function startE2eCore(): Promise<E2eCore> {
  const dir = mkdtempSync(join(tmpdir(), 'sentral-e2e-'))
  const config = e2eCompany()
  const seed = new SqlStore(openDatabase({ file: join(dir, 'sentral.sqlite') }))
  await seed.migrate()
  await importCompany(seed, config, accounts)
  const hash = await hashPassword(password)
  for (const a of accounts) await seed.setPassword(a.userId, hash, Date.now())
  await seed.close()

  const sockets: Client[] = []
  const boot = (port: number) =>
    startCore({
      dataDir: dir,
      host: '127.0.0.1',
      port,
      logger: pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }),
      version: 'e2e',
      uiDir: resolve('out/renderer'),
      traffic: new Map([[config.id, traffic]]),
      deltaIntervalMs: 5,
    })
  let core = await boot(0)
  const port = Number(new URL(core.url).port)
  const handle: E2eCore = {
    get url() {
      return core.url
    },
    get core() {
      return core
    },
    get sim() {
      return core.simulations.get(config.id)!
    },
    companyId: config.id,
    call(from, to = QUEUE_NUMBER) {
      return handle.sim.call(from, to, null)
    },
    async restart() {
      await core.stop()
      core = await boot(port)
    },
    async client(username) {
      const res = await fetch(`${core.url}/api/session`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username, password }),
      })
      const login = (await res.json()) as LoginResponse
      const socket: Client = connect(core.url, {
        auth: { token: login.token },
        transports: ['websocket'],
        reconnection: false,
        forceNew: true,
      })
      sockets.push(socket)
      await new Promise<void>((ok, fail) => {
        socket.once('state:snapshot', () => ok())
        socket.once('connect_error', fail)
      })
      return socket
    },
    async stop() {
      for (const s of sockets) s.disconnect()
      await core.stop()
      rmSync(dir, { recursive: true, force: true })
    },
  }
  return handle
}
