/**
 * Client transactions (RFC 3261 §17.1, with RFC 6026's Accepted state): they send a request,
 * retransmit it over unreliable transports, pass responses to their user (the transaction
 * user: a dialog, the B2BUA), acknowledge non-2xx final responses to an INVITE themselves, and
 * end by timer. The clock is injected, so tests move time by hand.
 */
import type { Clock, TimerHandle } from '../../../runtime/clock'
import { header, type SipRequest, type SipResponse } from '../message'
import { serialize } from '../serializer'
import type { Settled } from './lingering'
import { StateMachine, nonInviteMoves, type Moves, type NonInviteState } from './transaction-state'
import type { SipTimers, TransactionTransport } from './timers'

export interface ClientTransactionUser {
  /** Provisional and final responses, once each (retransmissions absorbed). */
  onResponse(response: SipResponse): void
  /** Timer B or F fired: no final response in time (the TU acts as if it got a 408, §8.1.3.1). */
  onTimeout(): void
}

interface ClientBase {
  readonly id: string
  /**
   * The request, while it may still be sent again or acknowledged (until the final response):
   * a transaction that only waits out its timers (D, K, M) keeps nothing it will not use, so
   * thousands of finished calls waiting at any moment under load do not stay in memory.
   */
  readonly request: SipRequest | null
  readonly terminated: boolean
  receive(response: SipResponse): void
  /** The transport failed (§17.1.4): inform the TU with a timeout, and end. */
  transportError(): void
}

/**
 * INVITE client transaction (§17.1.1, Figure 5; RFC 6026 Figure 3).
 *
 *            |INVITE sent, Timer A (UDP), Timer B
 *            v
 *        Calling ---------- 2xx -----------> Accepted --- Timer M ---> Terminated
 *         |  |  \                              ^  (2xx retransmissions to TU)
 *   1xx   |  |   `-- 300-699: ACK, TU ---+     |
 *         v  |                           |     |
 *     Proceeding ------- 2xx -------------|-----'
 *         |                              v
 *         `--- 300-699: ACK, TU ----> Completed --- Timer D ---> Terminated
 *   Timer B, transport error: TU informed ---------------------> Terminated
 */
type InviteClientState = 'calling' | 'proceeding' | 'accepted' | 'completed' | 'terminated'

/** Shared by every transaction of the kind (one table, not one per transaction). */
const inviteClientMoves: Moves<InviteClientState> = {
  calling: ['proceeding', 'accepted', 'completed', 'terminated'],
  proceeding: ['proceeding', 'accepted', 'completed', 'terminated'],
  accepted: ['terminated'],
  completed: ['terminated'],
  terminated: [],
}

export class InviteClientTransaction implements ClientBase {
  private readonly fsm = new StateMachine<InviteClientState>(
    'INVITE client',
    'calling',
    inviteClientMoves,
  )
  private timerA: TimerHandle | null = null
  private timerB: TimerHandle | null = null
  private interval: number
  private invite: SipRequest | null
  private user: ClientTransactionUser | null

  /**
   * `onSettled`: the final response is in and only Timer M or D is left; the layer carries the
   * transaction on from there (lingering.ts), and this object is done with.
   */
  constructor(
    readonly id: string,
    request: SipRequest,
    private readonly transport: TransactionTransport,
    private readonly clock: Clock,
    private readonly timers: SipTimers,
    user: ClientTransactionUser,
    private readonly onTerminated: (t: InviteClientTransaction) => void,
    private readonly onSettled: (settled: Settled) => void,
  ) {
    this.invite = request
    this.user = user
    this.interval = timers.t1
    transport.send(request)
    // Timer A: retransmit at T1, 2·T1, 4·T1, ... while Calling, unreliable transports only.
    if (!transport.reliable) this.timerA = this.after(this.interval, () => this.retransmit())
    // Timer B: 64·T1 without a response ends it.
    this.timerB = this.after(64 * timers.t1, () => this.timedOut())
  }

  get state(): InviteClientState {
    return this.fsm.state
  }

  get request(): SipRequest | null {
    return this.invite
  }

  get terminated(): boolean {
    return this.fsm.state === 'terminated'
  }

  receive(response: SipResponse): void {
    const s = this.fsm.state
    const status = response.status
    if (s === 'terminated') return
    if (status < 200) {
      if (s === 'calling' || s === 'proceeding') {
        this.fsm.transition('proceeding')
        this.stop('A')
        this.user?.onResponse(response)
      }
      return
    }
    if (s !== 'calling' && s !== 'proceeding') return
    const user = this.user
    this.stop('A')
    this.stop('B')
    this.user = null
    if (status < 300) {
      // §17.1.1.2 as updated by RFC 6026: the TU sends the ACK for a 2xx (it belongs to the
      // dialog, not the transaction); further 2xx retransmissions go to the TU too, for
      // Timer M.
      this.fsm.transition('accepted')
      this.invite = null
      this.onSettled({ forMs: 64 * this.timers.t1, transport: this.transport, user })
      user?.onResponse(response)
      return
    }
    // 300–699: the transaction ACKs it itself (§17.1.1.3), once to the TU, and again on every
    // retransmission of the response while Timer D runs (32 s over UDP, 0 over reliable
    // transports); the user hears nothing more.
    if (!this.invite) return
    this.fsm.transition('completed')
    const ack = serialize(ackFor(this.invite, response))
    this.invite = null
    this.transport.send(ack)
    this.onSettled({
      forMs: this.transport.reliable ? 0 : (this.timers.d ?? 32_000),
      transport: this.transport,
      resend: ack,
    })
    user?.onResponse(response)
  }

  transportError(): void {
    if (this.terminated) return
    this.user?.onTimeout()
    this.terminate()
  }

  private retransmit(): void {
    if (this.fsm.state !== 'calling' || !this.invite) return
    this.transport.send(this.invite)
    this.interval *= 2
    this.timerA = this.after(this.interval, () => this.retransmit())
  }

  private timedOut(): void {
    this.timerB = null
    if (this.fsm.state !== 'calling' && this.fsm.state !== 'proceeding') return
    this.user?.onTimeout()
    this.terminate()
  }

  private terminate(): void {
    if (this.terminated) return
    for (const t of ['A', 'B'] as const) this.stop(t)
    this.invite = null
    this.user = null
    this.fsm.transition('terminated')
    this.onTerminated(this)
  }

  private stop(timer: 'A' | 'B'): void {
    const key = `timer${timer}` as const
    const handle = this[key]
    if (handle) this.clock.clearTimer(handle)
    this[key] = null
  }

  private after(ms: number, fn: () => void): TimerHandle {
    return this.clock.setTimer(this.clock.now() + ms, fn)
  }
}

/**
 * Non-INVITE client transaction (§17.1.2, Figure 6).
 *
 *        Trying --1xx--> Proceeding
 *          |  Timer E: T1, 2·T1 ... ≤ T2 | Timer E: every T2
 *          |--- 200-699: TU -----+------'--- 200-699: TU ---> Completed --- Timer K ---> Terminated
 *   Timer F, transport error: TU informed -----------------------------------------> Terminated
 */
type NonInviteClientState = NonInviteState

export class NonInviteClientTransaction implements ClientBase {
  private readonly fsm = new StateMachine<NonInviteClientState>(
    'non-INVITE client',
    'trying',
    nonInviteMoves,
  )
  private timerE: TimerHandle | null = null
  private timerF: TimerHandle | null = null
  private interval: number
  private pending: SipRequest | null
  private user: ClientTransactionUser | null

  constructor(
    readonly id: string,
    request: SipRequest,
    private readonly transport: TransactionTransport,
    private readonly clock: Clock,
    private readonly timers: SipTimers,
    user: ClientTransactionUser,
    private readonly onTerminated: (t: NonInviteClientTransaction) => void,
    private readonly onSettled: (settled: Settled) => void,
  ) {
    this.pending = request
    this.user = user
    this.interval = timers.t1
    transport.send(request)
    if (!transport.reliable) this.timerE = this.after(this.interval, () => this.retransmit())
    this.timerF = this.after(64 * timers.t1, () => this.timedOut())
  }

  get state(): NonInviteClientState {
    return this.fsm.state
  }

  get request(): SipRequest | null {
    return this.pending
  }

  get terminated(): boolean {
    return this.fsm.state === 'terminated'
  }

  receive(response: SipResponse): void {
    const s = this.fsm.state
    if (s === 'completed' || s === 'terminated') return
    if (response.status < 200) {
      this.fsm.transition('proceeding')
      this.user?.onResponse(response)
      return
    }
    this.fsm.transition('completed')
    this.stop('E')
    this.stop('F')
    // Completed only absorbs retransmitted responses, for Timer K: T4 over UDP, 0 over
    // reliable transports.
    const user = this.user
    this.pending = null
    this.user = null
    this.onSettled({
      forMs: this.transport.reliable ? 0 : this.timers.t4,
      transport: this.transport,
    })
    user?.onResponse(response)
  }

  transportError(): void {
    if (this.terminated) return
    this.user?.onTimeout()
    this.terminate()
  }

  private retransmit(): void {
    const s = this.fsm.state
    if ((s !== 'trying' && s !== 'proceeding') || !this.pending) return
    this.transport.send(this.pending)
    // In Trying the interval doubles up to T2; in Proceeding it is T2 (§17.1.2.2).
    this.interval =
      s === 'proceeding' ? this.timers.t2 : Math.min(2 * this.interval, this.timers.t2)
    this.timerE = this.after(this.interval, () => this.retransmit())
  }

  private timedOut(): void {
    this.timerF = null
    const s = this.fsm.state
    if (s !== 'trying' && s !== 'proceeding') return
    this.user?.onTimeout()
    this.terminate()
  }

  private terminate(): void {
    if (this.terminated) return
    for (const t of ['E', 'F'] as const) this.stop(t)
    this.pending = null
    this.user = null
    this.fsm.transition('terminated')
    this.onTerminated(this)
  }

  private stop(timer: 'E' | 'F'): void {
    const key = `timer${timer}` as const
    const handle = this[key]
    if (handle) this.clock.clearTimer(handle)
    this[key] = null
  }

  private after(ms: number, fn: () => void): TimerHandle {
    return this.clock.setTimer(this.clock.now() + ms, fn)
  }
}

export type ClientTransaction = InviteClientTransaction | NonInviteClientTransaction

/**
 * The ACK for a non-2xx final response to an INVITE (§17.1.1.3): the INVITE's Request-URI, top
 * Via, From, Call-ID and Route; the response's To (with its tag); CSeq number with method ACK.
 */
export function ackFor(invite: SipRequest, response: SipResponse): SipRequest {
  const topVia = invite.headers.find((h) => h.name === 'Via')!
  const cseq = (header(invite, 'CSeq') ?? '').split(/\s+/)[0]
  return {
    kind: 'request',
    method: 'ACK',
    uri: invite.uri,
    version: 'SIP/2.0',
    headers: [
      topVia,
      ...invite.headers.filter((h) => h.name === 'Route'),
      { name: 'From', value: header(invite, 'From') ?? '' },
      { name: 'To', value: header(response, 'To') ?? '' },
      { name: 'Call-ID', value: header(invite, 'Call-ID') ?? '' },
      { name: 'CSeq', value: `${cseq} ACK` },
      { name: 'Max-Forwards', value: '70' },
    ],
    body: Buffer.alloc(0),
  }
}
