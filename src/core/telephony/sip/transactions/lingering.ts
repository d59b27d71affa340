/**
 * What is left of a transaction that only waits out its last timer: Timer L or M (an INVITE
 * answered 2xx, RFC 6026), J or K (a non-INVITE answered), D (an INVITE client's non-2xx) or I
 * (an INVITE server's ACK received). All it still does is absorb what comes again for it, answering
 * with the one datagram it last sent where there is one (§17.1.1.2, §17.2.2).
 *
 * Why a record of its own: over UDP these waits last 32 s, so under load tens of thousands of
 * finished transactions wait at any moment. As full transactions each kept its state machine,
 * its timer (with the clock's handle, closure and Node timeout), its user's callbacks and the
 * like, most of it surviving two young-generation collections and then marked in the old one
 * until it ended: the collector was a fifth of the SIP core's time. A lingering transaction is
 * one small object in the layer's map, and they expire in order from a queue per wait (every
 * wait of a kind lasts the same), under one timer.
 */
import type { Clock, TimerHandle } from '../../../runtime/clock'
import { keepBytes, keptBuffer, type KeptBytes } from '../kept-bytes'
import type { ClientTransactionUser } from './client-transactions'
import type { TransactionTransport } from './timers'

/** What a transaction hands to the layer when only its last wait is left. */
export interface Settled {
  /** How long it still absorbs (0 over reliable transports: it ends at once). */
  readonly forMs: number
  readonly transport: TransactionTransport
  /** Sent again for each retransmission: the final response (server), the ACK (client, non-2xx). */
  readonly resend?: Buffer | null
  /** An INVITE client transaction in Accepted: 2xx retransmissions go to its user (RFC 6026). */
  readonly user?: ClientTransactionUser | null
  /** An INVITE server transaction in Confirmed absorbs ACKs; in Accepted they go to the dialog. */
  readonly absorbsAck?: boolean
}

export class Lingering {
  constructor(
    readonly until: number,
    readonly resend: KeptBytes | null,
    readonly transport: TransactionTransport,
    readonly user: ClientTransactionUser | null,
    readonly absorbsAck: boolean,
  ) {}

  /** The request (server) or the final response (client) came again. */
  repeated(): void {
    if (this.resend !== null) this.transport.send(keptBuffer(this.resend))
  }
}

/** Lingering transactions of one wait, oldest first, with one timer for the oldest. */
class Expiries {
  private keys: string[] = []
  private records: Lingering[] = []
  private head = 0
  private timer: TimerHandle | null = null

  constructor(
    private readonly clock: Clock,
    private readonly expire: (key: string, record: Lingering) => void,
  ) {}

  add(key: string, record: Lingering): void {
    this.keys.push(key)
    this.records.push(record)
    if (this.timer === null) this.arm()
  }

  clear(): void {
    if (this.timer) this.clock.clearTimer(this.timer)
    this.timer = null
    this.keys = []
    this.records = []
    this.head = 0
  }

  private arm(): void {
    this.timer = this.clock.setTimer(this.records[this.head]!.until, this.fire)
  }

  private readonly fire = (): void => {
    this.timer = null
    const now = this.clock.now()
    while (this.head < this.keys.length && this.records[this.head]!.until <= now) {
      this.expire(this.keys[this.head]!, this.records[this.head]!)
      this.head++
    }
    // Drop the expired part now and then, not on every expiry (an array shift is O(n)).
    if (this.head > 1024 && this.head * 2 > this.keys.length) {
      this.keys = this.keys.slice(this.head)
      this.records = this.records.slice(this.head)
      this.head = 0
    }
    if (this.head < this.keys.length) this.arm()
    else {
      this.keys = []
      this.records = []
      this.head = 0
    }
  }
}

/** The lingering transactions of a layer, by wait. */
export class LingeringQueues {
  private readonly byWait = new Map<number, Expiries>()

  constructor(
    private readonly clock: Clock,
    private readonly expire: (key: string, record: Lingering) => void,
  ) {}

  add(key: string, settled: Settled): Lingering {
    const record = new Lingering(
      this.clock.now() + settled.forMs,
      settled.resend ? keepBytes(settled.resend) : null,
      settled.transport,
      settled.user ?? null,
      settled.absorbsAck ?? false,
    )
    let queue = this.byWait.get(settled.forMs)
    if (!queue) {
      queue = new Expiries(this.clock, this.expire)
      this.byWait.set(settled.forMs, queue)
    }
    queue.add(key, record)
    return record
  }

  clear(): void {
    for (const queue of this.byWait.values()) queue.clear()
    this.byWait.clear()
  }
}
