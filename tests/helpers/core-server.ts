/** A real core server on port 0, driven by a virtual clock, and real Socket.IO clients. */
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import pino from 'pino'
import { io as connect, type Socket } from 'socket.io-client'
import type { CompanyConfig } from '../../src/core/domain/config'
import { VirtualClock } from '../../src/core/runtime/clock'
import { CoreRuntime } from '../../src/core/runtime/core-runtime'
import { createApplication } from '../../src/core/server/create-application'
import type { ClientToServerEvents, ServerToClientEvents } from '../../src/shared/protocol'
import { counterIds, T0 } from './harness'

export type Client = Socket<ServerToClientEvents, ClientToServerEvents>

export async function startCore(companies: CompanyConfig[]) {
  const clock = new VirtualClock(T0)
  const runtime = new CoreRuntime({ clock, companies, newId: counterIds() })
  const http = createServer()
  const app = createApplication(http, {
    runtime,
    logger: pino({ level: 'silent' }),
    version: 'test',
  })
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve))
  const url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`
  const clients: Client[] = []
  return {
    clock,
    runtime,
    app,
    url,
    /** A connected client of `companyId`; resolves once connected. */
    async client(companyId: string): Promise<Client> {
      const socket: Client = connect(url, {
        auth: { companyId },
        transports: ['websocket'],
        reconnection: false,
        forceNew: true,
      })
      clients.push(socket)
      await new Promise<void>((resolve, reject) => {
        socket.once('connect', resolve)
        socket.once('connect_error', reject)
      })
      return socket
    },
    rawClient(auth: object): Client {
      const socket: Client = connect(url, {
        auth,
        transports: ['websocket'],
        reconnection: false,
        forceNew: true,
      })
      clients.push(socket)
      return socket
    },
    async close() {
      for (const c of clients) c.disconnect()
      runtime.stop()
      await app.close()
    },
  }
}

export function next<T>(socket: Client, event: keyof ServerToClientEvents): Promise<T> {
  return new Promise((resolve) => socket.once(event, ((payload: T) => resolve(payload)) as never))
}
