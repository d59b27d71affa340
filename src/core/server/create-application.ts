/**
 * The composition root of the headless core's server: HTTP (health) and Socket.IO (live state)
 * on one HTTP server. It receives its components (the runtime, a logger); it opens nothing
 * itself, so tests run it on port 0 with a virtual clock.
 */
import type { IncomingMessage, Server as HttpServer, ServerResponse } from 'node:http'
import type { Logger } from 'pino'
import { Server, type Socket } from 'socket.io'
import { z } from 'zod'
import type { CompanyId } from '../../shared/ids'

import type {
  Ack,
  ClientToServerEvents,
  Response,
  ServerToClientEvents,
  SocketData,
  StateSnapshot,
} from '../../shared/protocol'
import { deltasOf } from '../domain/engine'
import type { CoreRuntime } from '../runtime/core-runtime'

export interface ApplicationComponents {
  runtime: CoreRuntime
  logger: Logger
  version: string
  /** Largest accepted Socket.IO message, in bytes. */
  maxPayloadBytes?: number
}

export interface Application {
  io: Server<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>
  /** The seq of the last delta sent for a company. */
  seq(companyId: CompanyId): number
  close(): Promise<void>
}

type AppSocket = Socket<
  ClientToServerEvents,
  ServerToClientEvents,
  Record<string, never>,
  SocketData
>

const handshakeSchema = z.object({ companyId: z.string().min(1).max(100) })
const trailRequest = z.object({ callId: z.string().min(1).max(200) })

export function createApplication(
  httpServer: HttpServer,
  components: ApplicationComponents,
): Application {
  const { runtime, logger } = components
  const startedAt = Date.now()
  // Registered before Socket.IO attaches, which passes on every request outside its own path.
  httpServer.on('request', (req: IncomingMessage, res: ServerResponse) => {
    if (req.url?.startsWith('/socket.io')) return
    handleHttp(req, res)
  })

  const io: Application['io'] = new Server(httpServer, {
    serveClient: false,
    maxHttpBufferSize: components.maxPayloadBytes ?? 64 * 1024,
    cors: { origin: false },
  })
  const seqs = new Map<CompanyId, number>()

  io.use((socket, next) => {
    const parsed = handshakeSchema.safeParse(socket.handshake.auth)
    if (!parsed.success) return next(new Error('BAD_REQUEST: the handshake needs auth.companyId'))
    if (!runtime.state.companies.has(parsed.data.companyId))
      return next(new Error('UNKNOWN_COMPANY'))
    socket.data.companyId = parsed.data.companyId
    next()
  })

  io.on('connection', (socket: AppSocket) => {
    const companyId = socket.data.companyId
    void socket.join(room(companyId))
    socket.emit('state:snapshot', currentSnapshot(companyId))
    socket.on('state:resync', (ack) => {
      if (typeof ack !== 'function') return
      ack({ data: currentSnapshot(companyId) })
    })
    socket.on('call:trail', (payload, ack) => {
      respond(ack, () => {
        const request = trailRequest.safeParse(payload)
        if (!request.success) return badRequest(request.error)
        const trail = runtime.trail(companyId, request.data.callId)
        return trail
          ? { data: trail }
          : { error: { code: 'NOT_FOUND', message: `no call ${request.data.callId}` } }
      })
    })
    socket.onAny((event: string, ...args: unknown[]) => {
      if (event === 'state:resync' || event === 'call:trail') return
      const ack = args.at(-1)
      if (typeof ack === 'function')
        (ack as Ack<never>)({
          error: { code: 'UNKNOWN_EVENT', message: `no such event: ${event.slice(0, 60)}` },
        })
    })
  })

  // One delta message per company per engine step, numbered so clients can tell if they missed one.
  // Views are projected only for companies someone is watching.
  const unsubscribe = runtime.onOutputs((out) => {
    for (const changes of out.changes) {
      const watchers = io.sockets.adapter.rooms.get(room(changes.companyId))?.size ?? 0
      if (watchers === 0) continue
      const deltas = deltasOf(runtime.state, [changes])
      if (deltas.length === 0) continue
      const seq = (seqs.get(changes.companyId) ?? 0) + 1
      seqs.set(changes.companyId, seq)
      io.to(room(changes.companyId)).emit('state:delta', { seq, at: runtime.state.now, deltas })
    }
  })

  function currentSnapshot(companyId: CompanyId): StateSnapshot {
    return { seq: seqs.get(companyId) ?? 0, snapshot: runtime.snapshot(companyId)! }
  }

  function respond<T>(ack: unknown, work: () => Response<T>): void {
    if (typeof ack !== 'function') return
    let response: Response<T>
    try {
      response = work()
    } catch (error) {
      logger.error({ err: error }, 'request failed')
      response = { error: { code: 'INTERNAL', message: 'internal error' } }
    }
    ;(ack as Ack<T>)(response)
  }

  function handleHttp(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://core')
    if (req.method === 'GET' && url.pathname === '/healthz') {
      let calls = 0
      for (const co of runtime.state.companies.values()) calls += co.calls.size
      return json(res, 200, {
        status: 'ok',
        version: components.version,
        uptimeSeconds: Math.round((Date.now() - startedAt) / 1000),
        companies: runtime.state.companies.size,
        calls,
        clients: io.engine.clientsCount,
      })
    }
    json(res, 404, {
      error: { code: 'NOT_FOUND', message: `no route ${req.method} ${url.pathname}` },
    })
  }

  return {
    io,
    seq: (companyId) => seqs.get(companyId) ?? 0,
    close: async () => {
      unsubscribe()
      await io.close()
    },
  }
}

function room(companyId: CompanyId): string {
  return `company:${companyId}`
}

function badRequest(error: z.ZodError): Response<never> {
  const issue = error.issues[0]
  return {
    error: {
      code: 'BAD_REQUEST',
      message: `${issue?.path.join('.') || 'payload'}: ${issue?.message ?? 'invalid'}`,
    },
  }
}

function json(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body)
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
  })
  res.end(text)
}
