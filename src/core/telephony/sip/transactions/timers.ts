import type { SipMessage } from '../message'

/**
 * The transaction timers' base values (RFC 3261 §17.1.1.1, table 4 in Appendix A).
 * T1: round-trip estimate; T2: longest interval between retransmissions of non-INVITE requests
 * and INVITE responses; T4: how long a message may stay in the network.
 */
export interface SipTimers {
  t1: number
  t2: number
  t4: number
  /** Timer D: how long an INVITE client transaction absorbs retransmitted finals (≥ 32 s over UDP). */
  d?: number
}

export const defaultTimers: SipTimers = { t1: 500, t2: 4000, t4: 5000, d: 32_000 }

/** A transport as the transaction layer sees it: where to send, and whether it is reliable. */
export interface TransactionTransport {
  /** TCP and TLS deliver or fail; UDP may lose, so only UDP is retransmitted (§17.1.1.2). */
  readonly reliable: boolean
  /** What our Via says for requests sent this way (UDP when not given). */
  readonly protocol?: 'UDP' | 'TCP' | 'TLS'
  /**
   * A message, or one already serialized: what a transaction keeps to send again while it
   * waits out its timers (up to 32 s, thousands at a time under load) is kept as bytes, not as
   * the message objects (and the received text their header values are cut from).
   */
  send(message: SipMessage | Buffer): void
}
