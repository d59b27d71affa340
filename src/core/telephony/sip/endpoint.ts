/**
 * A SIP endpoint: the transports, the transaction layer, and the checks every request passes
 * (request-checks.ts) before its handler sees it. The core's registrar and back-to-back user
 * agent are handlers on top of this; until they take a method, it gets a plain answer
 * (OPTIONS: 200 with what this agent supports; other methods: 480, nobody here yet).
 */
import type { Logger } from 'pino'
import type { Clock } from '../../runtime/clock'
import { reasonPhrases, type SipRequest, type SipResponse } from './message'
import { checkRequest, defaultCapabilities, type UasCapabilities } from './request-checks'
import { responseFor, serialize } from './serializer'
import { SipTransport, type Inbound } from './transport'
import type { ServerTransaction } from './transactions/server-transactions'
import type { ClientTransaction, ClientTransactionUser } from './transactions/client-transactions'
import { magicCookie, TransactionLayer } from './transactions/transaction-layer'
import type { SipTimers, TransactionTransport } from './transactions/timers'
import { parseUri, type SipUri } from './grammar'

export interface RequestContext {
  request: SipRequest
  inbound: Inbound
  /** The server transaction to answer through (null for an ACK to a 2xx). */
  transaction: ServerTransaction | null
  /** The To tag this side uses in its answers (the local tag of a dialog the request makes). */
  tag: string
  /** Answers the request through its transaction, with `tag` in To (unless it has one). */
  respond(status: number, extra?: SipResponse['headers'], body?: Buffer): void
}

export type RequestHandler = (ctx: RequestContext) => void

export interface EndpointOptions {
  host: string
  port: number
  clock: Clock
  logger: Logger
  capabilities?: UasCapabilities
  /** Handlers by method; a method without one gets the plain answer. */
  handlers?: Partial<Record<string, RequestHandler>>
  newTag?: () => string
  /** T1, T2, T4 (tests shorten them so transactions end quickly). */
  timers?: SipTimers
  /** SIP over TLS with this certificate (PEM), on its own port. */
  tls?: { cert: string; key: string; port: number }
}

export class SipEndpoint {
  readonly transactions: TransactionLayer
  readonly transport: SipTransport
  private readonly caps: UasCapabilities
  private readonly handlers: Partial<Record<string, RequestHandler>>
  private tags = 0
  private branches = 0
  private readonly instance = Math.random().toString(36).slice(2, 8)

  constructor(private readonly options: EndpointOptions) {
    this.transactions = new TransactionLayer(options.clock, options.timers)
    this.caps = options.capabilities ?? defaultCapabilities
    this.handlers = options.handlers ?? {}
    this.transport = new SipTransport(
      {
        host: options.host,
        port: options.port,
        logger: options.logger,
        ...(options.tls ? { tls: options.tls } : {}),
      },
      {
        onMessage: (message, inbound) =>
          message.kind === 'request'
            ? this.request(message, inbound)
            : this.transactions.receiveResponse(message),
      },
    )
  }

  listen(): Promise<void> {
    return this.transport.listen()
  }

  close(): Promise<void> {
    this.transactions.closeAll()
    return this.transport.close()
  }

  get port(): number {
    return this.transport.port
  }

  get host(): string {
    return this.options.host
  }

  /** Adds or replaces the handler of a method (the registrar, the B2BUA). */
  handle(method: string, handler: RequestHandler): void {
    this.handlers[method] = handler
  }

  /** Our Contact for dialogs this endpoint takes part in. */
  get contact(): string {
    return `<sip:sentral@${this.options.host}:${this.port}>`
  }

  newTag(): string {
    return (
      this.options.newTag?.() ??
      `${this.instance}${Date.now().toString(36)}${(++this.tags).toString(36)}`
    )
  }

  newCallId(): string {
    return `${this.newTag()}@${this.options.host}`
  }

  /**
   * How to reach a URI: the flow it registered over when it has one (TCP), else UDP to its host
   * and port (5060 by default, §19.1.2). Only IP addresses are used: the core does no DNS.
   */
  transportTo(uri: string, flow: TransactionTransport | null = null): TransactionTransport | null {
    if (flow) return flow
    const parsed = parseUri(uri)
    if (!parsed || (parsed.scheme !== 'sip' && parsed.scheme !== 'sips')) return null
    const sip = parsed as SipUri
    const host = sip.host.replace(/^\[|\]$/g, '')
    return this.transport.udpTo(host, sip.port ?? 5060)
  }

  /**
   * Sends a request in a new client transaction, with our Via (a fresh branch, RFC 3261
   * §8.1.1.7) on top. ACKs for 2xx go through `sendAck`, outside any transaction.
   */
  send(
    request: SipRequest,
    transport: TransactionTransport,
    user: ClientTransactionUser,
  ): ClientTransaction {
    request.headers.unshift(this.via(transport))
    return this.transactions.send(request, transport, user)
  }

  /**
   * An ACK to a 2xx belongs to the dialog, not a transaction (§13.2.2.4); it is sent as is. Its
   * bytes are returned: a retransmitted 2xx gets the very same ACK again.
   */
  sendAck(ack: SipRequest, transport: TransactionTransport): Buffer {
    if (!ack.headers.some((h) => h.name === 'Via')) ack.headers.unshift(this.via(transport))
    const bytes = serialize(ack)
    transport.send(bytes)
    return bytes
  }

  private via(transport: TransactionTransport) {
    const branch = `${magicCookie}${this.instance}${(++this.branches).toString(36)}`
    const protocol = transport.protocol ?? (transport.reliable ? 'TCP' : 'UDP')
    return {
      name: 'Via',
      value: `SIP/2.0/${protocol} ${this.options.host}:${this.port};branch=${branch};rport`,
    }
  }

  private request(request: SipRequest, inbound: Inbound): void {
    const matched = this.transactions.receiveRequest(request, inbound.reply)
    if (matched.kind === 'absorbed' || matched.kind === 'unmatchable') return
    const transaction = matched.kind === 'new' ? matched.transaction : null
    const tag = this.newTag()
    const ctx: RequestContext = {
      request,
      inbound,
      transaction,
      tag,
      respond: (status, extra = [], body) => {
        const response = responseFor(request, status, reasonPhrases[status] ?? 'Unknown', {
          toTag: tag,
          extra,
          ...(body ? { body } : {}),
        }) as SipResponse
        transaction?.respond(response)
      },
    }
    if (request.method === 'ACK') {
      this.handlers.ACK?.(ctx)
      return
    }
    const refusal = checkRequest(request, this.caps)
    if (refusal) return ctx.respond(refusal.status, refusal.headers)
    const handler = this.handlers[request.method]
    if (handler) return handler(ctx)
    if (request.method === 'OPTIONS')
      return ctx.respond(200, [
        { name: 'Allow', value: this.caps.allow.join(', ') },
        { name: 'Accept', value: this.caps.accept.join(', ') },
        { name: 'Supported', value: this.caps.supported.join(', ') },
      ])
    ctx.respond(480, [{ name: 'Retry-After', value: '60' }])
  }
}
