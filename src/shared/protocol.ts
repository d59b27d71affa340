/**
 * The wire contract between the routing core and its clients (the switchboard app, the web
 * switchboard, third-party clients). One file, imported by the server and every client.
 *
 * Event names are `domain:verb`. Every request carries an acknowledgement that receives a
 * `Response<T>`. Live state arrives as a snapshot, then deltas numbered by `seq`: a client
 * applies a delta only if its seq is exactly one more than the last it applied, and asks for a
 * fresh snapshot (`state:resync`) otherwise, so it never silently misses a change.
 */
import type { ApiErrorCode } from './errors'
import type { CompanyId } from './ids'
import type { CompanySnapshot, Delta, TrailEntry } from './model'

export type Response<T> = { data: T } | { error: { code: ApiErrorCode; message: string } }
export type Ack<T> = (response: Response<T>) => void

export interface StateSnapshot {
  /** The seq of the last delta included in this snapshot. */
  seq: number
  snapshot: CompanySnapshot
}

export interface StateDelta {
  seq: number
  at: number
  deltas: Delta[]
}

export interface ServerToClientEvents {
  'state:snapshot': (payload: StateSnapshot) => void
  'state:delta': (payload: StateDelta) => void
}

export interface ClientToServerEvents {
  'state:resync': (ack: Ack<StateSnapshot>) => void
  'call:trail': (payload: { callId: string }, ack: Ack<TrailEntry[]>) => void
}

/** Sent in the Socket.IO handshake (`auth`). Until logins exist, a read-only view of one company. */
export interface HandshakeAuth {
  companyId: CompanyId
}

export interface SocketData {
  companyId: CompanyId
}

export const socketPath = '/socket.io'
