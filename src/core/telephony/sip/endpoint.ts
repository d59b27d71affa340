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
import { responseFor } from './serializer'
import { SipTransport, type Inbound } from './transport'
import type { ServerTransaction } from './transactions/server-transactions'
import { TransactionLayer } from './transactions/transaction-layer'

export interface RequestContext {
  request: SipRequest
  inbound: Inbound
  /** The server transaction to answer through (null for an ACK to a 2xx). */
  transaction: ServerTransaction | null
  /** Answers the request through its transaction, with a To tag for final responses. */
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
}

export class SipEndpoint {
  readonly transactions: TransactionLayer
  readonly transport: SipTransport
  private readonly caps: UasCapabilities
  private readonly handlers: Partial<Record<string, RequestHandler>>
  private tags = 0

  constructor(private readonly options: EndpointOptions) {
    this.transactions = new TransactionLayer(options.clock)
    this.caps = options.capabilities ?? defaultCapabilities
    this.handlers = options.handlers ?? {}
    this.transport = new SipTransport(
      { host: options.host, port: options.port, logger: options.logger },
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

  private newTag(): string {
    return this.options.newTag?.() ?? `s${Date.now().toString(36)}${(++this.tags).toString(36)}`
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
