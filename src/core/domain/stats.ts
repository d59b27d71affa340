/**
 * Contact-centre statistics, folded from queue-log events (../shared/docs/product.md,
 * "Contact-centre measures"):
 * - service level X/T: answered within T ÷ answered; the variant that counts abandons within T
 *   as met: (answered within T + abandoned within T) ÷ (answered + abandoned)
 * - ASA: total wait of answered calls ÷ answered
 * - abandonment rate: abandoned ÷ (answered + abandoned)
 * - agent answer rate: offers answered ÷ offers made
 */
import type { QueueId, UserId } from '../../shared/ids'
import type { QueueLogEvent } from '../../shared/model'

export interface QueueStats {
  queueId: QueueId
  /** Callers who entered the queue. */
  entered: number
  answered: number
  abandoned: number
  answeredWithinTarget: number
  abandonedWithinTarget: number
  /** Left after max wait, or when the queue emptied. */
  timedOut: number
  emptied: number
  /** Turned away at the door: full, closed, or nobody staffing it. */
  full: number
  closed: number
  joinEmpty: number
  /** Exits of any kind that went on to another destination. */
  overflowed: number
  transferred: number
  totalAnsweredWaitMs: number
  longestAnsweredWaitMs: number
  talkMs: number
  serviceLevel: number | null
  serviceLevelCountingAbandons: number | null
  averageSpeedOfAnswerMs: number | null
  abandonRate: number | null
}

export interface AgentStats {
  agentId: UserId
  offers: number
  offersAnswered: number
  ringNoAnswer: number
  rejected: number
  answered: number
  transferred: number
  talkMs: number
  holds: number
  answerRate: number | null
}

export class StatsAccumulator {
  private readonly queues = new Map<QueueId, QueueStats>()
  private readonly agents = new Map<UserId, AgentStats>()
  /** Offers still ringing, per call and agent, so an answer can be matched to its offer. */
  private readonly ringing = new Set<string>()
  /**
   * Calls already counted as entered or answered per queue: a caller who comes back to the same
   * queue (a recall that failed, an agent's phone that dropped them) is still one call there.
   */
  private readonly entered = new Set<string>()
  private readonly answered = new Set<string>()

  constructor(private readonly serviceLevelMs: (queueId: QueueId) => number) {}

  add(e: QueueLogEvent): void {
    const q = this.queue(e.queueId)
    const a = e.agentId !== null ? this.agent(e.agentId) : null
    const within = (e.waitMs ?? 0) <= this.serviceLevelMs(e.queueId)
    const key = `${e.callId}/${e.agentId}`
    switch (e.kind) {
      case 'enter':
        if (!this.entered.has(`${e.queueId}/${e.callId}`)) {
          this.entered.add(`${e.queueId}/${e.callId}`)
          q.entered++
        }
        break
      case 'offer':
        if (a) a.offers++
        this.ringing.add(key)
        break
      case 'ring-no-answer':
        if (a) a.ringNoAnswer++
        this.ringing.delete(key)
        break
      case 'reject':
        if (a) a.rejected++
        this.ringing.delete(key)
        break
      case 'connect':
        if (!this.answered.has(`${e.queueId}/${e.callId}`)) {
          this.answered.add(`${e.queueId}/${e.callId}`)
          q.answered++
          if (within) q.answeredWithinTarget++
          q.totalAnsweredWaitMs += e.waitMs ?? 0
          q.longestAnsweredWaitMs = Math.max(q.longestAnsweredWaitMs, e.waitMs ?? 0)
        }
        if (a) {
          a.answered++
          if (this.ringing.delete(key)) a.offersAnswered++
        }
        break
      case 'abandon':
        q.abandoned++
        if (within) q.abandonedWithinTarget++
        break
      case 'exit-timeout':
        q.timedOut++
        break
      case 'exit-empty':
        if (e.reason === 'join') q.joinEmpty++
        else q.emptied++
        break
      case 'exit-full':
        q.full++
        break
      case 'exit-closed':
        q.closed++
        break
      case 'transfer':
        q.transferred++
        q.talkMs += e.talkMs ?? 0
        if (a) {
          a.transferred++
          a.talkMs += e.talkMs ?? 0
        }
        break
      case 'complete-agent':
      case 'complete-caller':
        q.talkMs += e.talkMs ?? 0
        if (a) a.talkMs += e.talkMs ?? 0
        break
      case 'hold':
        if (a) a.holds++
        break
      case 'unhold':
      case 'pause':
      case 'unpause':
      case 'login':
      case 'logout':
        break
    }
    if (e.kind.startsWith('exit-') && e.destination !== null) q.overflowed++
  }

  queue(queueId: QueueId): QueueStats {
    let q = this.queues.get(queueId)
    if (!q) {
      q = {
        queueId,
        entered: 0,
        answered: 0,
        abandoned: 0,
        answeredWithinTarget: 0,
        abandonedWithinTarget: 0,
        timedOut: 0,
        emptied: 0,
        full: 0,
        closed: 0,
        joinEmpty: 0,
        overflowed: 0,
        transferred: 0,
        totalAnsweredWaitMs: 0,
        longestAnsweredWaitMs: 0,
        talkMs: 0,
        serviceLevel: null,
        serviceLevelCountingAbandons: null,
        averageSpeedOfAnswerMs: null,
        abandonRate: null,
      }
      this.queues.set(queueId, q)
    }
    return q
  }

  agent(agentId: UserId): AgentStats {
    let a = this.agents.get(agentId)
    if (!a) {
      a = {
        agentId,
        offers: 0,
        offersAnswered: 0,
        ringNoAnswer: 0,
        rejected: 0,
        answered: 0,
        transferred: 0,
        talkMs: 0,
        holds: 0,
        answerRate: null,
      }
      this.agents.set(agentId, a)
    }
    return a
  }

  /** Every queue's figures, with the ratios filled in. */
  queueStats(): QueueStats[] {
    return [...this.queues.values()].map((q) => ({
      ...q,
      serviceLevel: ratio(q.answeredWithinTarget, q.answered),
      serviceLevelCountingAbandons: ratio(
        q.answeredWithinTarget + q.abandonedWithinTarget,
        q.answered + q.abandoned,
      ),
      averageSpeedOfAnswerMs: ratio(q.totalAnsweredWaitMs, q.answered),
      abandonRate: ratio(q.abandoned, q.answered + q.abandoned),
    }))
  }

  agentStats(): AgentStats[] {
    return [...this.agents.values()].map((a) => ({
      ...a,
      answerRate: ratio(a.offersAnswered, a.offers),
    }))
  }
}

function ratio(a: number, b: number): number | null {
  return b === 0 ? null : a / b
}
