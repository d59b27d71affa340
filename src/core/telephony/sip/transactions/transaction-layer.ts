/**
 * The transaction layer (RFC 3261 §17): creates client and server transactions, matches what
 * arrives to them (§17.1.3, §17.2.3), hands the rest up, and forgets each transaction when it
 * terminates, so nothing is left behind (`size` is reported in /metrics and checked by tests).
 * A transaction whose final response is in hands its last wait (Timers D, I, J, K, L, M) to the
 * layer, which keeps a small record of it until then (lingering.ts).
 */
import type { Clock } from '../../../runtime/clock'
import { GrammarError, parseCSeq, parseVia, splitList } from '../grammar'
import { header, type SipRequest, type SipResponse } from '../message'
import {
  InviteClientTransaction,
  NonInviteClientTransaction,
  type ClientTransaction,
  type ClientTransactionUser,
} from './client-transactions'
import {
  InviteServerTransaction,
  NonInviteServerTransaction,
  type ServerTransaction,
  type ServerTransactionUser,
} from './server-transactions'
import { Lingering, LingeringQueues, type Settled } from './lingering'
import { defaultTimers, type SipTimers, type TransactionTransport } from './timers'

/** The magic cookie of RFC 3261 branches (§8.1.1.7): such a branch alone identifies a transaction. */
export const magicCookie = 'z9hG4bK'

function topVia(message: SipRequest | SipResponse) {
  const line = header(message, 'Via')
  if (line === null) return null
  const via = parseVia(splitList(line)[0] ?? '')
  return via instanceof GrammarError ? null : via
}

function cseqMethod(message: SipRequest | SipResponse): string | null {
  const raw = header(message, 'CSeq')
  if (raw === null) return null
  const cseq = parseCSeq(raw)
  return cseq instanceof GrammarError ? null : cseq.method
}

/**
 * The key a server transaction is found by (§17.2.3): branch, sent-by and method, where ACK
 * counts as INVITE. A branch without the magic cookie (an RFC 2543 peer, or RFC 4475 badbranch's
 * bare cookie) is not unique enough: Call-ID, From tag, CSeq number and the Via join it.
 *
 * Keys are built with join, which copies into one flat new string: a template literal keeps
 * its parts as a tree of strings, and a part cut from a longer string (a header value from the
 * received text) keeps that string too, for as long as the transaction lingers (32 s over UDP).
 */
export function serverKey(request: SipRequest): string | null {
  const via = topVia(request)
  if (!via) return null
  const method = request.method === 'ACK' ? 'INVITE' : request.method
  const branch = via.branch
  if (branch && branch.startsWith(magicCookie) && branch.length > magicCookie.length)
    return [branch, via.host, via.port ?? '', method].join('|')
  const cseq = parseCSeq(header(request, 'CSeq') ?? '')
  const fromTag = /;\s*tag\s*=\s*([^;\s]+)/i.exec(header(request, 'From') ?? '')?.[1] ?? ''
  return [
    '2543',
    header(request, 'Call-ID'),
    fromTag,
    cseq instanceof GrammarError ? '' : cseq.seq,
    via.host,
    via.port ?? '',
    method,
  ].join('|')
}

/**
 * The key a client transaction is found by (§17.1.3): the top Via's branch and the CSeq method
 * (joined into a new string, as server keys are).
 */
export function clientKey(message: SipRequest | SipResponse): string | null {
  const via = topVia(message)
  const method = cseqMethod(message)
  if (!via?.branch || !method) return null
  return [via.branch, method].join('|')
}

export class TransactionLayer {
  /** Transactions by key; once only their last timer is left, a lingering record of them. */
  private readonly clients = new Map<string, ClientTransaction | Lingering>()
  private readonly servers = new Map<string, ServerTransaction | Lingering>()
  private readonly lingeringClients: LingeringQueues
  private readonly lingeringServers: LingeringQueues

  constructor(
    private readonly clock: Clock,
    private readonly timers: SipTimers = defaultTimers,
  ) {
    this.lingeringClients = new LingeringQueues(clock, (key, record) => {
      if (this.clients.get(key) === record) this.clients.delete(key)
    })
    this.lingeringServers = new LingeringQueues(clock, (key, record) => {
      if (this.servers.get(key) === record) this.servers.delete(key)
    })
  }

  /**
   * Transactions, client and server, lingering ones included (none may be left after a call
   * ends and its timers run).
   */
  get size(): { client: number; server: number } {
    return { client: this.clients.size, server: this.servers.size }
  }

  /** Sends a request in a new client transaction. Its top Via must carry a fresh branch. */
  send(
    request: SipRequest,
    transport: TransactionTransport,
    user: ClientTransactionUser,
  ): ClientTransaction {
    const key = clientKey(request)
    if (!key) throw new Error('a request needs a top Via with a branch and a CSeq')
    const done = () => this.clients.delete(key)
    const settle = (settled: Settled) =>
      this.clients.set(key, this.lingeringClients.add(key, settled))
    // Both kinds take the same arguments.
    const Kind = request.method === 'INVITE' ? InviteClientTransaction : NonInviteClientTransaction
    const t = new Kind(key, request, transport, this.clock, this.timers, user, done, settle)
    this.clients.set(key, t)
    return t
  }

  /**
   * A response from the network, to its client transaction; false if none matches (a stray
   * 2xx). A lingering transaction gives a repeated 2xx to its user (RFC 6026 Accepted) and
   * answers a repeated failure with its ACK again (§17.1.1.2, Completed).
   */
  receiveResponse(response: SipResponse): boolean {
    const key = clientKey(response)
    const t = key ? this.clients.get(key) : undefined
    if (!t) return false
    if (!(t instanceof Lingering)) t.receive(response)
    else if (t.user) {
      if (response.status >= 200 && response.status < 300) t.user.onResponse(response)
    } else if (response.status >= 300) t.repeated()
    return true
  }

  /**
   * A request from the network. A retransmission or an ACK for a non-2xx final is absorbed here
   * ('absorbed'); a new request gets a server transaction, which the caller answers through
   * ('new'); an ACK for a 2xx belongs to no transaction and goes to the dialog ('ack-2xx').
   */
  receiveRequest(
    request: SipRequest,
    transport: TransactionTransport,
    user: ServerTransactionUser = {},
  ):
    | { kind: 'new'; transaction: ServerTransaction }
    | { kind: 'absorbed' }
    | { kind: 'ack-2xx' }
    | { kind: 'unmatchable' } {
    const key = serverKey(request)
    if (!key) return { kind: 'unmatchable' }
    const existing = this.servers.get(key)
    if (request.method === 'ACK') {
      if (existing instanceof InviteServerTransaction && existing.state === 'completed') {
        existing.receiveAck(request)
        return { kind: 'absorbed' }
      }
      // Confirmed (Timer I) absorbs ACKs; Accepted (Timer L) leaves the ACK of a 2xx to the dialog.
      if (existing instanceof Lingering && existing.absorbsAck) return { kind: 'absorbed' }
      return { kind: 'ack-2xx' }
    }
    if (existing instanceof Lingering) {
      existing.repeated()
      return { kind: 'absorbed' }
    }
    if (existing) {
      existing.receiveRetransmission()
      return { kind: 'absorbed' }
    }
    const done = () => this.servers.delete(key)
    const settle = (settled: Settled) =>
      this.servers.set(key, this.lingeringServers.add(key, settled))
    const t =
      request.method === 'INVITE'
        ? new InviteServerTransaction(
            key,
            request,
            transport,
            this.clock,
            this.timers,
            user,
            done,
            settle,
          )
        : new NonInviteServerTransaction(
            key,
            request,
            transport,
            this.clock,
            this.timers,
            done,
            settle,
          )
    this.servers.set(key, t)
    return { kind: 'new', transaction: t }
  }

  /** Ends every transaction (shutdown): their timers are cleared, client users told of a timeout. */
  closeAll(): void {
    for (const t of [...this.clients.values(), ...this.servers.values()])
      if (!(t instanceof Lingering)) t.transportError()
    this.clients.clear()
    this.servers.clear()
    this.lingeringClients.clear()
    this.lingeringServers.clear()
  }

  /** The INVITE server transaction a CANCEL is about (§9.2): same key, method INVITE. */
  inviteFor(cancel: SipRequest): InviteServerTransaction | null {
    const key = serverKey({ ...cancel, method: 'INVITE' })
    const t = key ? this.servers.get(key) : undefined
    return t instanceof InviteServerTransaction ? t : null
  }
}
