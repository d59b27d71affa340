/**
 * The composition root of the core's server: HTTP (login, health, metrics) and Socket.IO (the
 * API and live state) on one HTTP server. It receives its components and opens nothing itself,
 * so tests run it on port 0 against a real database with a virtual clock.
 */
import type { IncomingMessage, Server as HttpServer, ServerResponse } from 'node:http'
import { monitorEventLoopDelay } from 'node:perf_hooks'
import type { Logger } from 'pino'
import { Server } from 'socket.io'
import { z } from 'zod'
import type { CompanyId, UserId } from '../../shared/ids'
import type {
  ClientToServerEvents,
  LoginResponse,
  Me,
  ServerToClientEvents,
} from '../../shared/protocol'
import type { AccountService, Session } from '../accounts/account-service'
import type { Store } from '../persistence/store'
import type { Clock } from '../runtime/clock'
import type { CoreRuntime } from '../runtime/core-runtime'
import { AdminService } from './admin-service'
import { LiveState, roomOf, type Publication } from './live'
import { metricsText } from './metrics'
import { presentableNumbers } from '../domain/operations'
import { OutboxSmsGateway, type SmsGateway } from '../integrations/sms-gateway'
import type { UserConfig } from '../domain/config'
import { DeltaBatcher } from './delta-batcher'
import { Recorder } from './recorder'
import { storeWriter, type RecordWriter } from '../persistence/recorded-step'
import type { StaticUi } from './static-ui'
import type { Principal } from './rights'
import { idempotencyCache, registerApi, type AppSocket, type SocketData } from './socket-api'

export interface ApplicationComponents {
  runtime: CoreRuntime
  store: Store
  accounts: AccountService
  clock: Clock
  logger: Logger
  version: string
  /** Largest accepted Socket.IO message, in bytes. */
  maxPayloadBytes?: number
  /** How long a dropped client may come back and get what it missed instead of a snapshot. */
  recoveryMs?: number
  /** Changes are sent to clients at most this often, several steps merged (default 10 ms). */
  deltaIntervalMs?: number
  /** The built interface to serve at `/` (the web switchboard); none when absent. */
  ui?: StaticUi
  /** Where SMS go (default: an outbox that keeps them, for the demo). */
  sms?: SmsGateway
  /**
   * Where the engine's outputs are written (default: `store`, on this thread). The host hands
   * a SQLite file's writes to the record worker; closing the application closes the writer.
   */
  recordWriter?: RecordWriter
}

export interface Application {
  io: Server<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>
  live: LiveState
  recorder: Recorder
  admin: AdminService
  sms: SmsGateway
  /** Whether the user has the app open (a connected client) right now. */
  isOnline(userId: UserId): boolean
  /** More Prometheus text for GET /metrics (the SIP stack's counts). */
  addMetrics(source: () => string): void
  close(): Promise<void>
}

const loginBody = z.strictObject({
  username: z.string().min(1).max(200),
  password: z.string().min(1).max(1000),
})

export function createApplication(
  httpServer: HttpServer,
  components: ApplicationComponents,
): Application {
  const { runtime, store, accounts, clock, logger } = components
  const extraMetrics: (() => string)[] = []
  const startedAt = clock.now()
  const loopDelay = monitorEventLoopDelay({ resolution: 20 })
  loopDelay.enable()

  httpServer.on('request', (req: IncomingMessage, res: ServerResponse) => {
    if (req.url?.startsWith('/socket.io')) return
    handleHttp(req, res).catch((error: unknown) => {
      logger.error({ err: error, url: req.url }, 'http request failed')
      if (!res.headersSent)
        json(res, 500, { error: { code: 'INTERNAL', message: 'internal error' } })
    })
  })

  // Who watches each company: its connected clients, and for a while after the last one left,
  // the time Socket.IO keeps their session for recovery (doubled for margin; Socket.IO times it
  // on the wall clock, so this does too). Nobody watching: no deltas are worked out or sent.
  const recoveryMs = components.recoveryMs ?? 2 * 60_000
  const watchers = new Map<CompanyId, { connected: number; lastLeftAt: number }>()
  const watched = (companyId: CompanyId) => {
    const w = watchers.get(companyId)
    return w !== undefined && (w.connected > 0 || performance.now() - w.lastLeftAt < 2 * recoveryMs)
  }
  const io: Application['io'] = new Server(httpServer, {
    serveClient: false,
    maxHttpBufferSize: components.maxPayloadBytes ?? 64 * 1024,
    cors: { origin: false },
    connectionStateRecovery: {
      maxDisconnectionDuration: recoveryMs,
      skipMiddlewares: false,
    },
  })

  const live = new LiveState(() => runtime.state, watched)
  const recordWriter = components.recordWriter ?? storeWriter(store)
  const recorder = new Recorder(recordWriter, () => runtime.state, logger)
  const sockets = new Map<UserId, Set<AppSocket>>()
  const admin = new AdminService(store, runtime, accounts, clock, {
    usersChanged: (companyId, userIds, removed) => {
      for (const userId of userIds) void refreshUser(companyId, userId, removed)
    },
  })
  const idempotency = idempotencyCache(clock)
  const sms = components.sms ?? new OutboxSmsGateway()
  /** Session writes started by connects and disconnects; closing waits for them. */
  const inFlight = new Set<Promise<void>>()
  const track = (work: Promise<void>) => {
    const tracked = work.catch((error: unknown) =>
      logger.warn({ err: error }, 'could not record a session’s clients'),
    )
    inFlight.add(tracked)
    void tracked.finally(() => inFlight.delete(tracked))
  }

  // Every step: store what must last, route its changes, and deliver them once stored — merged
  // over a few milliseconds, so a busy switchboard sends one message per stream, not per step.
  const batcher = new DeltaBatcher<Publication>((publications) => {
    for (const m of live.seal(publications)) io.to(m.room).emit('state:delta', m.payload)
  })
  const mergeMs = components.deltaIntervalMs ?? 10
  const unsubscribe = runtime.onOutputs((out) => {
    recorder.record(out)
    const publications = live.publish(out.changes)
    if (publications.length === 0) return
    const due = performance.now() + mergeMs
    recorder.after(() => batcher.add(publications, due))
  })

  const presentableOf = (user: UserConfig | undefined) => (user ? presentableNumbers(user) : [])

  function principalOf(session: Session): { principal: Principal; me: Me } | null {
    const user = session.user
    const co = runtime.state.companies.get(user.companyId)
    if (!co) return null
    const queueIds = [...co.queues.values()]
      .filter((q) => q.memberIndex.has(user.id))
      .map((q) => q.config.id)
    const principal: Principal = {
      userId: user.id,
      companyId: user.companyId,
      role: user.role,
      functions: new Set(user.functions),
      queueIds: new Set(queueIds),
    }
    const me: Me = {
      userId: user.id,
      companyId: user.companyId,
      companyName: co.config.name,
      username: user.username,
      firstName: user.firstName,
      lastName: user.lastName,
      role: user.role,
      functions: user.functions,
      queueIds,
      presentableNumbers: presentableOf(co.agents.get(user.id)?.user),
    }
    return { principal, me }
  }

  function snapshotOf(socket: AppSocket) {
    const full = runtime.snapshot(socket.data.principal.companyId)!
    return live.snapshotFor(socket.data.principal, socket.data.me, full)
  }

  function joinStreams(socket: AppSocket): void {
    const companyId = socket.data.principal.companyId
    const wanted = new Set(live.streamsFor(socket.data.principal).map((s) => roomOf(companyId, s)))
    for (const room of socket.rooms)
      if (room !== socket.id && !wanted.has(room)) void socket.leave(room)
    for (const room of wanted) if (!socket.rooms.has(room)) void socket.join(room)
  }

  io.use((socket, next) => {
    const token = (socket.handshake.auth as { token?: unknown }).token
    if (typeof token !== 'string') return next(new Error('UNAUTHENTICATED'))
    accounts
      .authenticate(token)
      .then((session) => {
        const who = session ? principalOf(session) : null
        if (!session || !who) return next(new Error('UNAUTHENTICATED'))
        socket.data.session = session
        socket.data.principal = who.principal
        socket.data.me = who.me
        next()
      })
      .catch((error: unknown) => {
        logger.error({ err: error }, 'authentication failed')
        next(new Error('INTERNAL'))
      })
  })

  io.on('connection', (socket: AppSocket) => {
    const userId = socket.data.principal.userId
    const companyId = socket.data.principal.companyId
    let watching = watchers.get(companyId)
    if (!watching) watchers.set(companyId, (watching = { connected: 0, lastLeftAt: 0 }))
    watching.connected += 1
    let mine = sockets.get(userId)
    if (!mine) sockets.set(userId, (mine = new Set()))
    mine.add(socket)
    track(accounts.clientConnected(socket.data.session))
    registerApi(
      socket,
      {
        runtime,
        store,
        accounts,
        admin,
        live,
        clock,
        logger,
        sessionReplaced,
        snapshot: snapshotOf,
        recorded: () => recorder.flushed(),
        sms,
      },
      idempotency,
    )
    // A client that came back in time gets what it missed from the recovery buffer; anyone
    // else, or anyone whose rights changed meanwhile, gets a fresh snapshot.
    const before = new Set(socket.rooms)
    joinStreams(socket)
    const sameRooms =
      before.size === socket.rooms.size && [...before].every((r) => socket.rooms.has(r))
    if (!socket.recovered || !sameRooms) socket.emit('state:snapshot', snapshotOf(socket))
    socket.on('disconnect', () => {
      watching.connected -= 1
      watching.lastLeftAt = performance.now()
      mine.delete(socket)
      if (mine.size === 0) sockets.delete(userId)
      track(accounts.clientDisconnected(socket.data.session))
    })
  })

  /** After logout or a password change: the other clients of the old session(s) must go. */
  function sessionReplaced(
    socket: AppSocket,
    next: Session | null,
    reason: 'logout' | 'password-changed',
  ): void {
    const userId = socket.data.principal.userId
    for (const other of sockets.get(userId) ?? []) {
      const sameSession =
        other.data.session.record.tokenHash === socket.data.session.record.tokenHash
      if (other === socket) continue
      if (reason === 'password-changed' || sameSession) {
        other.emit('session:ended', { reason })
        other.disconnect(true)
      }
    }
    if (next) socket.data.session = next
    else setImmediate(() => socket.disconnect(true))
  }

  /** A user's rights, queues, block or existence changed: their clients follow within the second. */
  async function refreshUser(
    companyId: CompanyId,
    userId: UserId,
    removed: boolean,
  ): Promise<void> {
    const clients = sockets.get(userId)
    if (!clients || clients.size === 0) return
    const user = removed ? null : await store.getUser(companyId, userId)
    for (const socket of [...clients]) {
      if (!user || user.blocked) {
        socket.emit('session:ended', { reason: user ? 'blocked' : 'deleted' })
        socket.disconnect(true)
        continue
      }
      socket.data.session = { ...socket.data.session, user }
      const who = principalOf(socket.data.session)
      if (!who) continue
      socket.data.principal = who.principal
      socket.data.me = who.me
      joinStreams(socket)
      socket.emit('state:snapshot', snapshotOf(socket))
    }
  }

  async function handleHttp(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://core')
    if (req.method === 'GET' && url.pathname === '/healthz') {
      let calls = 0
      for (const co of runtime.state.companies.values()) calls += co.calls.size
      return json(res, 200, {
        status: 'ok',
        version: components.version,
        uptimeSeconds: Math.round((clock.now() - startedAt) / 1000),
        companies: runtime.state.companies.size,
        calls,
        clients: io.engine.clientsCount,
      })
    }
    if (req.method === 'GET' && url.pathname === '/metrics') {
      res.writeHead(200, {
        'content-type': 'text/plain; version=0.0.4; charset=utf-8',
        'cache-control': 'no-store',
      })
      return void res.end(
        metricsText(runtime, io.engine.clientsCount, loopDelay, recorder) +
          extraMetrics.map((source) => source()).join(''),
      )
    }
    if (url.pathname === '/api/session') {
      // The desktop app's interface is loaded from a file, so its login is cross-origin. The
      // session is a bearer token, never a cookie: nothing ambient for another site to ride on.
      res.setHeader('access-control-allow-origin', '*')
      if (req.method === 'OPTIONS') {
        res.writeHead(204, {
          'access-control-allow-methods': 'POST, DELETE',
          'access-control-allow-headers': 'content-type, authorization',
          'access-control-max-age': '600',
        })
        return void res.end()
      }
      if (req.method === 'POST') return login(req, res)
      if (req.method === 'DELETE') return logout(req, res)
      return json(res, 405, {
        error: { code: 'BAD_REQUEST', message: 'use POST to log in and DELETE to log out' },
      })
    }
    if (components.ui && (await components.ui.handle(req, res, url.pathname))) return
    json(res, 404, {
      error: { code: 'NOT_FOUND', message: `no route ${req.method} ${url.pathname}` },
    })
  }

  async function login(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readJson(req, 16 * 1024)
    const parsed = loginBody.safeParse(body)
    if (!parsed.success)
      return json(res, 400, {
        error: { code: 'BAD_REQUEST', message: 'send { username, password } as JSON' },
      })
    const address = req.socket.remoteAddress ?? 'unknown'
    const result = await accounts.login(parsed.data.username, parsed.data.password, address)
    if ('code' in result) {
      const status =
        result.code === 'RATE_LIMITED' ? 429 : result.code === 'ACCOUNT_BLOCKED' ? 403 : 401
      const headers: Record<string, string> =
        result.code === 'RATE_LIMITED'
          ? { 'retry-after': String(Math.ceil(result.retryAfterMs / 1000)) }
          : {}
      logger.info(
        { username: parsed.data.username.slice(0, 100), address, outcome: result.code },
        'login refused',
      )
      return json(res, status, { error: { code: result.code, message: result.message } }, headers)
    }
    const who = principalOf(result)
    if (!who)
      return json(res, 401, {
        error: { code: 'INVALID_CREDENTIALS', message: 'wrong username or password' },
      })
    logger.info({ user: result.user.id, company: result.user.companyId, address }, 'logged in')
    const response: LoginResponse = {
      token: result.token,
      expiresAt: result.record.expiresAt,
      me: who.me,
    }
    json(res, 200, response)
  }

  async function logout(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1]
    const session = token ? await accounts.authenticate(token) : null
    if (!session)
      return json(res, 401, { error: { code: 'UNAUTHENTICATED', message: 'no valid session' } })
    await accounts.logout(session)
    for (const socket of sockets.get(session.user.id) ?? []) {
      if (socket.data.session.record.tokenHash !== session.record.tokenHash) continue
      socket.emit('session:ended', { reason: 'logout' })
      socket.disconnect(true)
    }
    res.writeHead(204).end()
  }

  return {
    io,
    live,
    recorder,
    admin,
    sms,
    isOnline: (userId) => sockets.has(userId),
    addMetrics: (source) => void extraMetrics.push(source),
    close: async () => {
      unsubscribe()
      batcher.close()
      loopDelay.disable()
      await io.close()
      await recorder.flushed()
      await recordWriter.close()
      await Promise.all([...inFlight])
    },
  }
}

function readJson(req: IncomingMessage, limit: number): Promise<unknown> {
  return new Promise((resolve) => {
    let size = 0
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => {
      size += chunk.length
      if (size > limit) {
        req.destroy()
        resolve(null)
      } else chunks.push(chunk)
    })
    req.on('end', () => {
      try {
        resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')))
      } catch {
        resolve(null)
      }
    })
    req.on('error', () => resolve(null))
  })
}

function json(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body)
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
    ...headers,
  })
  res.end(text)
}
