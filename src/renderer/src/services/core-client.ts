/**
 * The one place the interface talks to the routing core: HTTP for logging in and out, one
 * Socket.IO connection for everything else. Socket events become past-tense actions here and
 * nowhere else; requests resolve with the core's `Response<T>` (or a client-side error code
 * when the core could not be reached), never with an exception.
 */
import { io, type Socket } from 'socket.io-client'
import type { ApiErrorCode } from '../../../shared/errors'
import type {
  ClientToServerEvents,
  LoginRequest,
  LoginResponse,
  ServerToClientEvents,
  StateSnapshot,
} from '../../../shared/protocol'
import { socketPath } from '../../../shared/protocol'
import type { AppDispatch } from '../app/store'
import {
  connectionAttempted,
  connectionEstablished,
  connectionFailed,
  connectionLost,
  deltaReceived,
  sessionEnded,
  snapshotReceived,
} from './core-events'
import { newRequestId } from './request-id'

export type CoreSocket = Socket<ServerToClientEvents, ClientToServerEvents>

/** Errors the client adds to the core's own: no answer in time, or no connection at all. */
export type ClientErrorCode = ApiErrorCode | 'TIMEOUT' | 'OFFLINE'
export type ClientError = { code: ClientErrorCode; message: string }
export type Result<T> = { data: T } | { error: ClientError }

type Events = ClientToServerEvents
/** Requests that take a payload (every one but resync, refresh and logout). */
export type RequestEvent = {
  [E in keyof Events]: Parameters<Events[E]> extends [infer _P, infer _A] ? E : never
}[keyof Events]
type FullPayload<E extends RequestEvent> = Parameters<Events[E]>[0]
/** What the caller supplies: the payload without its idempotency key, which is added here. */
export type PayloadOf<E extends RequestEvent> =
  FullPayload<E> extends { requestId: string } ? Omit<FullPayload<E>, 'requestId'> : FullPayload<E>
type AckOf<E extends keyof Events> =
  Parameters<Events[E]> extends [...unknown[], infer A] ? A : never
export type DataOf<E extends keyof Events> =
  AckOf<E> extends (r: infer R) => void ? (R extends { data: infer T } ? T : never) : never

export interface CoreClient {
  /** The core's address ('' for the origin the page came from). */
  readonly baseUrl: string
  login(baseUrl: string, request: LoginRequest): Promise<Result<LoginResponse>>
  /** Connects (and keeps reconnecting) with a session token; events arrive as actions. */
  connect(baseUrl: string, token: string): void
  disconnect(): void
  request<E extends RequestEvent>(event: E, payload: PayloadOf<E>): Promise<Result<DataOf<E>>>
  resync(): Promise<Result<StateSnapshot>>
  logout(token: string): Promise<void>
}

const requestTimeoutMs = 10_000
/** Keys travel with commands only; reads have strict schemas that refuse an unknown field. */
const unkeyed = new Set<string>([
  'call:trail',
  'directory:search',
  'log:mine',
  'log:queues',
  'log:switchboard',
  'caller:history',
  'note:list',
  'stats:queues',
  'stats:agents',
  'admin:users',
  'admin:audit',
])

export function createCoreClient(dispatch: AppDispatch, now: () => number = Date.now): CoreClient {
  let socket: CoreSocket | null = null
  let baseUrl = ''

  const failure = (code: ClientErrorCode, message: string) => ({ error: { code, message } })

  async function emit<T>(send: (s: CoreSocket) => Promise<Result<T>>): Promise<Result<T>> {
    // This socket, even if the client is disconnected (and `socket` cleared) meanwhile.
    const s = socket
    if (!s) return failure('OFFLINE', 'not connected to the core')
    try {
      return await send(s)
    } catch {
      return failure(s.connected ? 'TIMEOUT' : 'OFFLINE', 'the core did not answer in time')
    }
  }

  /** Closes the connection on purpose: its events are not news for the store any more. */
  function close(): void {
    socket?.removeAllListeners()
    socket?.io.removeAllListeners()
    socket?.disconnect()
    socket = null
  }

  return {
    get baseUrl() {
      return baseUrl
    },

    async login(url, request) {
      baseUrl = url.replace(/\/+$/, '')
      try {
        const res = await fetch(`${baseUrl}/api/session`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(request),
        })
        // 200 carries the LoginResponse itself; anything else an `{ error }`.
        const body = (await res.json()) as LoginResponse | { error: ClientError }
        return 'error' in body ? { error: body.error } : { data: body }
      } catch {
        return failure('OFFLINE', `could not reach ${baseUrl || 'the core'}`)
      }
    },

    connect(url, token) {
      baseUrl = url.replace(/\/+$/, '')
      close()
      const s: CoreSocket = io(baseUrl || undefined, {
        path: socketPath,
        auth: { token },
        transports: ['websocket'],
        reconnectionDelay: 500,
        reconnectionDelayMax: 5000,
      })
      socket = s
      dispatch(connectionAttempted({ at: now() }))
      s.on('connect', () => dispatch(connectionEstablished({ at: now(), recovered: s.recovered })))
      // After 'io server disconnect' (the core closed it on purpose) Socket.IO does not retry;
      // after anything else it reconnects by itself, and the core sends what was missed.
      s.on('disconnect', (reason) => dispatch(connectionLost({ at: now(), reason })))
      s.io.on('reconnect_attempt', (attempt) =>
        dispatch(connectionAttempted({ at: now(), attempt })),
      )
      s.on('connect_error', (error) => {
        if (error.message === 'UNAUTHENTICATED') {
          s.disconnect()
          dispatch(sessionEnded({ reason: 'expired' }))
        } else dispatch(connectionFailed({ at: now(), message: error.message }))
      })
      s.on('state:snapshot', (snapshot) =>
        dispatch(snapshotReceived({ snapshot, receivedAt: now() })),
      )
      s.on('state:delta', (delta) => dispatch(deltaReceived({ delta, receivedAt: now() })))
      s.on('session:ended', ({ reason }) => {
        s.disconnect()
        dispatch(sessionEnded({ reason }))
      })
    },

    disconnect() {
      close()
    },

    request(event, payload) {
      const full = unkeyed.has(event) ? payload : { ...payload, requestId: newRequestId() }
      return emit((s) => {
        // The typed emitter cannot follow a generic event name; the contract types the ends.
        const untyped = s.timeout(requestTimeoutMs) as unknown as {
          emitWithAck(event: string, payload: unknown): Promise<Result<never>>
        }
        return untyped.emitWithAck(event, full)
      })
    },

    resync() {
      return emit((s) => s.timeout(requestTimeoutMs).emitWithAck('state:resync'))
    },

    async logout(token) {
      close()
      try {
        await fetch(`${baseUrl}/api/session`, {
          method: 'DELETE',
          headers: { authorization: `Bearer ${token}` },
        })
      } catch {
        // The session expires on its own; logging out locally is what matters here.
      }
    },
  }
}
