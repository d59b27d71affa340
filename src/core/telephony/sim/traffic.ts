/** Traffic profiles: how many callers, how patient, how long they talk, how phones behave. */
import type { PhoneNumber, QueueId } from '../../../shared/ids'

export interface Distribution {
  mean: number
  sd: number
}

export interface ArrivalStream {
  /** The number callers dial (a queue number, a main number or a direct line). */
  number: PhoneNumber
  /** Calls per hour, either flat or one figure per local hour 0–23. */
  perHour: number | number[]
}

export interface TrafficProfile {
  seed: number
  arrivals: ArrivalStream[]
  /** Share of callers who call from a VIP number. */
  vipShare: number
  /** How many different outside numbers call (repeat callers make caller history real). */
  callerPool: number
  /** Exponential: how long a caller waits unanswered before hanging up. */
  patienceSeconds: number
  talkSeconds: Distribution
  /** How long a ringing phone takes to be answered. */
  answerSeconds: Distribution
  /** A ringing phone is not answered at all with this probability, and rejected with this one. */
  noAnswerRate: number
  rejectRate: number
  /** Share of calls ended by the agent rather than the caller. */
  agentHangsUp: number
  /** Operators in these queues pass this share of their calls on to a colleague (blind transfer). */
  transferFrom: QueueId[]
  transferShare: number
  /** Share of transfers done as attended transfers (consult, then complete). */
  attendedShare: number
  /** Share of callers on hold during a consultation who hang up before they are put through. */
  hangUpWhileConsulting: number
  /** Outside numbers (forwards, overflow to a mobile) answer with this probability. */
  externalAnswerRate: number
}

export const defaultTraffic: Omit<TrafficProfile, 'arrivals'> = {
  seed: 1,
  vipShare: 0.03,
  callerPool: 2000,
  patienceSeconds: 90,
  talkSeconds: { mean: 150, sd: 120 },
  answerSeconds: { mean: 4, sd: 2 },
  noAnswerRate: 0.06,
  rejectRate: 0.01,
  agentHangsUp: 0.4,
  transferFrom: [],
  transferShare: 0.5,
  attendedShare: 0.3,
  hangUpWhileConsulting: 0.1,
  externalAnswerRate: 0.7,
}

export function ratePerHour(stream: ArrivalStream, localHour: number): number {
  return typeof stream.perHour === 'number' ? stream.perHour : (stream.perHour[localHour] ?? 0)
}

export function peakRatePerHour(stream: ArrivalStream): number {
  return typeof stream.perHour === 'number' ? stream.perHour : Math.max(0, ...stream.perHour)
}
