/**
 * Server transactions (RFC 3261 §17.2, with RFC 6026's Accepted state): they absorb
 * retransmitted requests (answering them with the last response), retransmit final responses
 * to INVITE over unreliable transports until the ACK comes, and end by timer.
 */
import type { Clock, TimerHandle } from '../../../runtime/clock'
import { reasonPhrases, type SipRequest, type SipResponse } from '../message'
import { responseFor, serialize } from '../serializer'
import type { Settled } from './lingering'
import { StateMachine, nonInviteMoves, type Moves, type NonInviteState } from './transaction-state'
import type { SipTimers, TransactionTransport } from './timers'

export interface ServerTransactionUser {
  /** Timer H fired: the ACK for a final non-2xx response never came (§17.2.1). */
  onAckTimeout?(): void
  /** The ACK for a non-2xx final response arrived (the TU rarely cares). */
  onAck?(ack: SipRequest): void
}

/** How long the TU may take before an INVITE hears "100 Trying" from the transaction (§17.2.1). */
export const tryingAfterMs = 200

/**
 * INVITE server transaction (§17.2.1, Figure 7; RFC 6026 Figure 5).
 *
 *   INVITE received --> Proceeding (100 Trying within 200 ms unless the TU answered)
 *     | 1xx from TU: send          | INVITE retransmitted: resend last response
 *     |--- 2xx from TU: send ----> Accepted --- Timer L ---> Terminated
 *     `--- 300-699 from TU: send --> Completed (Timer G resends over UDP, Timer H gives up)
 *                                     | ACK
 *                                     v
 *                                  Confirmed --- Timer I ---> Terminated
 */
type InviteServerState = 'proceeding' | 'accepted' | 'completed' | 'confirmed' | 'terminated'

/** Shared by every transaction of the kind (one table, not one per transaction). */
const inviteServerMoves: Moves<InviteServerState> = {
  proceeding: ['proceeding', 'accepted', 'completed', 'terminated'],
  accepted: ['terminated'],
  completed: ['confirmed', 'terminated'],
  confirmed: ['terminated'],
  terminated: [],
}

export class InviteServerTransaction {
  private readonly fsm = new StateMachine<InviteServerState>(
    'INVITE server',
    'proceeding',
    inviteServerMoves,
  )
  /** The last response sent, serialized (sent again for a retransmitted INVITE). */
  private last: Buffer | null = null
  private timerTrying: TimerHandle | null = null
  private timerG: TimerHandle | null = null
  private timerH: TimerHandle | null = null
  private interval: number
  /** See `request`. */
  private invite: SipRequest | null
  private user: ServerTransactionUser | null

  constructor(
    readonly id: string,
    request: SipRequest,
    private readonly transport: TransactionTransport,
    private readonly clock: Clock,
    private readonly timers: SipTimers,
    user: ServerTransactionUser,
    private readonly onTerminated: (t: InviteServerTransaction) => void,
    /** Only Timer L or I is left: the layer carries the transaction on (lingering.ts). */
    private readonly onSettled: (settled: Settled) => void,
  ) {
    this.invite = request
    this.user = user
    this.interval = timers.t1
    this.timerTrying = this.after(tryingAfterMs, () => {
      this.timerTrying = null
      if (this.fsm.state === 'proceeding' && this.last === null && this.invite)
        this.respond(responseFor(this.invite, 100, reasonPhrases[100]!) as SipResponse)
    })
  }

  /**
   * The INVITE, while it is still to be answered (Proceeding). Once a final response is sent
   * the transaction only waits out its timers (L, or G/H/I), and keeps nothing it will not
   * use: under load thousands of finished calls are waiting at any moment, and what each kept
   * (the request, its user's callbacks) would keep the call in memory for 32 s.
   */
  get request(): SipRequest | null {
    return this.invite
  }

  get state(): InviteServerState {
    return this.fsm.state
  }

  get terminated(): boolean {
    return this.fsm.state === 'terminated'
  }

  /** The same INVITE again (a retransmission): the last provisional or final response again. */
  receiveRetransmission(): void {
    const s = this.fsm.state
    if ((s === 'proceeding' || s === 'completed') && this.last) this.transport.send(this.last)
  }

  receiveAck(ack: SipRequest): void {
    if (this.fsm.state !== 'completed') return // Confirmed absorbs further ACKs
    this.fsm.transition('confirmed')
    this.stop('G')
    this.stop('H')
    const user = this.user
    this.last = null
    this.user = null
    // Timer I: T4 over UDP absorbs ACK retransmissions; 0 over reliable transports.
    this.onSettled({
      forMs: this.transport.reliable ? 0 : this.timers.t4,
      transport: this.transport,
      absorbsAck: true,
    })
    user?.onAck?.(ack)
  }

  /** A response from the TU. */
  respond(response: SipResponse): void {
    const s = this.fsm.state
    if (s !== 'proceeding') return
    this.last = serialize(response)
    this.transport.send(this.last)
    this.stop('Trying')
    if (response.status < 200) {
      this.fsm.transition('proceeding')
      return
    }
    this.invite = null
    if (response.status < 300) {
      // The TU (the dialog) retransmits 2xx until its ACK (§13.3.1.4); the transaction only
      // absorbs retransmitted INVITEs meanwhile (RFC 6026 Timer L), so it lets go of the 2xx:
      // under load, thousands of accepted transactions wait out Timer L at any moment.
      this.last = null
      this.user = null
      this.fsm.transition('accepted')
      this.onSettled({ forMs: 64 * this.timers.t1, transport: this.transport })
      return
    }
    this.fsm.transition('completed')
    if (!this.transport.reliable) this.timerG = this.after(this.interval, () => this.resend())
    this.timerH = this.after(64 * this.timers.t1, () => {
      this.timerH = null
      if (this.fsm.state !== 'completed') return
      this.user?.onAckTimeout?.()
      this.terminate()
    })
  }

  transportError(): void {
    this.terminate()
  }

  private resend(): void {
    if (this.fsm.state !== 'completed' || !this.last) return
    this.transport.send(this.last)
    this.interval = Math.min(2 * this.interval, this.timers.t2)
    this.timerG = this.after(this.interval, () => this.resend())
  }

  private terminate(): void {
    if (this.terminated) return
    for (const t of ['Trying', 'G', 'H'] as const) this.stop(t)
    this.invite = null
    this.user = null
    this.last = null
    this.fsm.transition('terminated')
    this.onTerminated(this)
  }

  private stop(timer: 'Trying' | 'G' | 'H'): void {
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
 * Non-INVITE server transaction (§17.2.2, Figure 8).
 *
 *   request received --> Trying --1xx from TU--> Proceeding
 *        | 200-699 from TU: send        | 200-699 from TU: send
 *        `------------------------------+--> Completed --- Timer J ---> Terminated
 *   Retransmitted requests: nothing in Trying, the last response in Proceeding and Completed.
 */
type NonInviteServerState = NonInviteState

export class NonInviteServerTransaction {
  private readonly fsm = new StateMachine<NonInviteServerState>(
    'non-INVITE server',
    'trying',
    nonInviteMoves,
  )
  /** The last response sent, serialized (sent again for a retransmitted request). */
  private last: Buffer | null = null
  /** See `request`. */
  private pending: SipRequest | null

  constructor(
    readonly id: string,
    request: SipRequest,
    private readonly transport: TransactionTransport,
    private readonly clock: Clock,
    private readonly timers: SipTimers,
    private readonly onTerminated: (t: NonInviteServerTransaction) => void,
    /** The final response is sent and only Timer J is left: the layer carries it on. */
    private readonly onSettled: (settled: Settled) => void,
  ) {
    this.pending = request
  }

  /**
   * The request, until its final response: Completed only answers retransmissions with that
   * response (Timer J, 32 s over UDP), and lets go of the request.
   */
  get request(): SipRequest | null {
    return this.pending
  }

  get state(): NonInviteServerState {
    return this.fsm.state
  }

  get terminated(): boolean {
    return this.fsm.state === 'terminated'
  }

  receiveRetransmission(): void {
    if (this.last && (this.fsm.state === 'proceeding' || this.fsm.state === 'completed'))
      this.transport.send(this.last)
  }

  respond(response: SipResponse): void {
    const s = this.fsm.state
    if (s === 'completed' || s === 'terminated') return
    this.last = serialize(response)
    this.transport.send(this.last)
    if (response.status < 200) {
      this.fsm.transition('proceeding')
      return
    }
    this.pending = null
    this.fsm.transition('completed')
    // Timer J: 64·T1 over UDP absorbs retransmitted requests, answering them with the final
    // response again; 0 over reliable transports.
    this.onSettled({
      forMs: this.transport.reliable ? 0 : 64 * this.timers.t1,
      transport: this.transport,
      resend: this.last,
    })
    this.last = null
  }

  transportError(): void {
    this.terminate()
  }

  private terminate(): void {
    if (this.terminated) return
    this.pending = null
    this.last = null
    this.fsm.transition('terminated')
    this.onTerminated(this)
  }
}

export type ServerTransaction = InviteServerTransaction | NonInviteServerTransaction
