/**
 * SIP over UDP and TCP (RFC 3261 §18) on one address and port: datagrams are parsed whole,
 * TCP streams are framed by Content-Length. Whatever arrives becomes a message for the layer
 * above, an answer to a request that could not be read (400, 505; §18.1.2 says answer if the
 * response can be addressed), or nothing. No exception escapes a socket handler: a bug in a
 * handler is logged and the listener keeps serving.
 */
import { createSocket, type RemoteInfo, type Socket as UdpSocket } from 'node:dgram'
import { lookup as dnsLookup, type LookupOneOptions } from 'node:dns'
import { createServer, isIPv4, type Server, type Socket } from 'node:net'
import { createServer as createTlsServer, type Server as TlsServer } from 'node:tls'
import type { Logger } from 'pino'
import { reasonPhrases, type SipMessage } from './message'
import { parseMessage, StreamFramer, type ParseResult } from './parser'
import { answerable, responseFor, serialize } from './serializer'
import type { TransactionTransport } from './transactions/timers'
import { UdpOutbox } from './udp-outbox'

export interface Source {
  transport: 'udp' | 'tcp' | 'tls'
  address: string
  port: number
}

/** Where a message came from, and the way back to it (the same connection for TCP, §18.2.2). */
export interface Inbound {
  source: Source
  /** Sends back the way the message came. */
  reply: TransactionTransport
}

export interface TransportHandler {
  onMessage(message: SipMessage, inbound: Inbound): void
}

export interface TransportOptions {
  host: string
  port: number
  logger: Logger
  /** Largest message accepted (RFC 3261 §18.1.1 uses 1300 for UDP sending; we read up to 64 KiB). */
  maxMessageBytes?: number
  /** SIP over TLS (RFC 3261 §26.2) on its own port (0: a free one), with this certificate (PEM). */
  tls?: { cert: string; key: string; port: number }
}

/**
 * The UDP socket's receive and send buffers (asked for; Linux caps them at net.core.rmem_max
 * and wmem_max). At a few hundred calls a second a phone system sends thousands of datagrams a
 * second, and the usual 208 KiB default overflowed in bursts (a collection pause, a batch of
 * records): the kernel dropped requests, and callers and phones sent them again half a second
 * later. Kamailio and sipp size their sockets the same way.
 */
export const udpBufferBytes = 4 * 1024 * 1024

const udpPathLimit = 4096

/**
 * How the UDP socket finds where to send. dgram looks every destination up before sending it,
 * an IP address too: dns.lookup answers those on the next tick, so each datagram cost a tick, a
 * closure and a lookup request. The core sends to IP addresses only (it does no DNS, endpoint.ts):
 * those are answered at once, and the datagram goes out in the same call. Anything else still
 * goes to DNS.
 */
export function udpLookup(
  hostname: string,
  options: LookupOneOptions,
  callback: (error: NodeJS.ErrnoException | null, address: string, family: number) => void,
): void {
  if (isIPv4(hostname)) callback(null, hostname, 4)
  else dnsLookup(hostname, options, callback)
}

export class SipTransport {
  private udp: UdpSocket | null = null
  private tcp: Server | null = null
  private tls: TlsServer | null = null
  private tlsPort = 0
  private readonly connections = new Set<Socket>()
  /** UDP paths by port, then address (see udpTo). */
  private readonly udpPaths = new Map<number, Map<string, TransactionTransport>>()
  private udpPathCount = 0
  private boundPort = 0
  private readonly outbox = new UdpOutbox(() => this.udp)

  constructor(
    private readonly options: TransportOptions,
    private readonly handler: TransportHandler,
  ) {}

  get port(): number {
    return this.boundPort
  }

  /** The UDP socket's buffers as the kernel set them (Linux reports twice what it grants). */
  get udpBuffers(): { receive: number; send: number } | null {
    return this.udp
      ? { receive: this.udp.getRecvBufferSize(), send: this.udp.getSendBufferSize() }
      : null
  }

  /** The TLS port, or 0 without a certificate. */
  get securePort(): number {
    return this.tlsPort
  }

  /** Listens on UDP and TCP on the same port (port 0: a free one, the same for both). */
  async listen(): Promise<void> {
    for (let attempt = 0; attempt < 5; attempt++) {
      const udp = createSocket({
        type: 'udp4',
        lookup: udpLookup,
        recvBufferSize: udpBufferBytes,
        sendBufferSize: udpBufferBytes,
      })
      await new Promise<void>((resolve, reject) => {
        udp.once('error', reject)
        udp.bind(this.options.port, this.options.host, () => resolve())
      })
      const port = udp.address().port
      const tcp = createServer((socket) => this.accept(socket))
      const ok = await new Promise<boolean>((resolve) => {
        tcp.once('error', () => resolve(false))
        tcp.listen(port, this.options.host, () => resolve(true))
      })
      if (!ok) {
        udp.close()
        if (this.options.port !== 0) throw new Error(`TCP port ${port} is in use`)
        continue
      }
      udp.on('message', (data, rinfo) => this.datagram(data, rinfo))
      udp.on('error', (error) => this.options.logger.warn({ err: error }, 'sip udp error'))
      this.udp = udp
      this.tcp = tcp
      this.boundPort = port
      if (this.options.tls) await this.listenTls(this.options.tls)
      return
    }
    throw new Error('could not find a port free for both UDP and TCP')
  }

  private async listenTls(tls: { cert: string; key: string; port: number }): Promise<void> {
    const server = createTlsServer({ cert: tls.cert, key: tls.key, minVersion: 'TLSv1.2' }, (s) =>
      this.accept(s, 'tls'),
    )
    // A client that fails the handshake is its own problem, not the listener's.
    server.on('tlsClientError', () => {})
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(tls.port, this.options.host, () => resolve())
    })
    const address = server.address()
    this.tlsPort = typeof address === 'object' && address ? address.port : tls.port
    this.tls = server
  }

  async close(): Promise<void> {
    this.outbox.flush()
    for (const socket of this.connections) socket.destroy()
    this.connections.clear()
    await Promise.all([
      new Promise<void>((resolve) => (this.tls ? this.tls.close(() => resolve()) : resolve())),
      new Promise<void>((resolve) => (this.udp ? this.udp.close(() => resolve()) : resolve())),
      new Promise<void>((resolve) => (this.tcp ? this.tcp.close(() => resolve()) : resolve())),
    ])
    this.udp = null
    this.tcp = null
    this.tls = null
  }

  /**
   * A UDP path to any address (requests the core sends, responses to a Via's sent-by). One per
   * peer, shared: every datagram received needs the way back, and a transaction keeps it while
   * it lingers (32 s), so a path per datagram was tens of thousands of copies of a few. Bounded
   * (forgotten all at once when full): a path is only an address, made again when needed.
   */
  udpTo(address: string, port: number): TransactionTransport {
    let byAddress = this.udpPaths.get(port)
    const known = byAddress?.get(address)
    if (known) return known
    if (this.udpPathCount >= udpPathLimit) {
      this.udpPaths.clear()
      this.udpPathCount = 0
      byAddress = undefined
    }
    if (!byAddress) this.udpPaths.set(port, (byAddress = new Map<string, TransactionTransport>()))
    const path: TransactionTransport = {
      reliable: false,
      send: (message) => this.outbox.send(wire(message), port, address),
    }
    byAddress.set(address, path)
    this.udpPathCount++
    return path
  }

  private datagram(data: Buffer, rinfo: RemoteInfo): void {
    const source: Source = { transport: 'udp', address: rinfo.address, port: rinfo.port }
    // A CRLF keep-alive (RFC 5626 §4.4.1) is not a message.
    if (data.length <= 4 && data.toString('latin1').trim() === '') return
    this.deliver(parseMessage(data, 'datagram'), {
      source,
      reply: this.udpTo(rinfo.address, rinfo.port),
    })
  }

  private accept(socket: Socket, transport: 'tcp' | 'tls' = 'tcp'): void {
    this.connections.add(socket)
    const framer = new StreamFramer(this.options.maxMessageBytes)
    const source: Source = {
      transport,
      address: socket.remoteAddress ?? '',
      port: socket.remotePort ?? 0,
    }
    const reply: TransactionTransport = {
      reliable: true,
      protocol: transport === 'tls' ? 'TLS' : 'TCP',
      send: (message) => {
        if (!socket.destroyed) socket.write(wire(message))
      },
    }
    socket.on('data', (chunk: Buffer) => {
      for (const result of framer.push(chunk)) this.deliver(result, { source, reply })
      // A stream that cannot be framed cannot be resynchronised: close it (§18.3).
      if (framer.error) socket.end()
    })
    socket.on('error', () => socket.destroy())
    socket.on('close', () => this.connections.delete(socket))
  }

  private deliver(result: ParseResult, inbound: Inbound): void {
    try {
      if (result.kind === 'message') {
        this.handler.onMessage(result.message, inbound)
      } else if (result.kind === 'reject') {
        if (answerable(result.headers) && result.method !== 'ACK')
          inbound.reply.send(
            responseFor(result, result.status, reasonPhrases[result.status] ?? 'Bad Request', {
              extra: [
                { name: 'Warning', value: `399 sentral "${result.reason.replace(/"/g, "'")}"` },
              ],
            }),
          )
        this.options.logger.debug(
          { source: inbound.source, reason: result.reason },
          'sip request refused',
        )
      } else {
        this.options.logger.debug(
          { source: inbound.source, reason: result.reason },
          'sip message dropped',
        )
      }
    } catch (error) {
      // A bug above the transport must not take the listener down with it.
      this.options.logger.error({ err: error, source: inbound.source }, 'sip handler failed')
    }
  }
}

/** The bytes of a message (as they are when the sender kept them serialized). */
function wire(message: SipMessage | Buffer): Buffer {
  return Buffer.isBuffer(message) ? message : serialize(message)
}
