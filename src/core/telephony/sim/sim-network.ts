/**
 * The simulated telephone network: the outside world for demos, training and tests.
 *
 * It plays a trunk on which callers arrive (a Poisson process per dialled number, with a rate
 * per local hour), wait with a patience and hang up if nobody answers in time; phones that ring
 * and are answered after a delay, rejected, or left ringing; outside numbers; and the people at
 * the phones, who talk for a while, hang up, and (in the operator queues) pass callers on to
 * colleagues. Everything is drawn from one seeded generator and timed by the injected clock, so
 * the same seed replays the same day.
 */
import type { PhoneNumber, QueueId, UserId } from '../../../shared/ids'
import type { CompanyConfig } from '../../domain/config'
import type { TelephonyCommand } from '../../domain/io'
import { localTime } from '../../domain/opening-hours'
import type { Clock, TimerHandle } from '../../runtime/clock'
import type { EngineSink, TelephonyAdapter } from '../adapter'
import { Random } from './random'
import { peakRatePerHour, ratePerHour, type ArrivalStream, type TrafficProfile } from './traffic'

interface SimLeg {
  id: string
  callId: string | null
  kind: 'caller' | 'phone' | 'external'
  userId: UserId | null
  dialed: PhoneNumber | null
  connected: boolean
  timers: TimerHandle[]
}

/** What the network saw, counted on its own side: the ground truth tests compare the core with. */
export interface SimLedger {
  arrivals: number
  arrivalsByNumber: Map<PhoneNumber, number>
  /** Callers who gave up (patience ran out) before anyone answered. */
  callersGaveUp: number
  /** Callers the core answered (connected to someone). */
  callersAnswered: number
  /** Callers whose call the core ended before answering (queue full, closed, busy, unroutable). */
  callersRefused: number
  callerHangUps: number
  agentHangUps: number
  phoneAnswers: number
  phoneRejects: number
  phonesLeftRinging: number
  transfersAsked: number
  /** Inputs the core refused, by `input type: error code`. */
  refused: Map<string, number>
}

export interface SimOptions {
  companyId: string
  config: CompanyConfig
  profile: TrafficProfile
  clock: Clock
  /** Stop generating arrivals at this instant (the simulated day's end). */
  arrivalsUntil?: number
  /**
   * Users at the switchboard in person (logged in to the app): their phones ring until they
   * answer in the app, and the network neither hangs up nor transfers on their behalf.
   */
  attended?: (userId: UserId) => boolean
}

export class SimNetwork implements TelephonyAdapter {
  readonly name = 'sim'
  readonly ledger: SimLedger = {
    arrivals: 0,
    arrivalsByNumber: new Map(),
    callersGaveUp: 0,
    callersAnswered: 0,
    callersRefused: 0,
    callerHangUps: 0,
    agentHangUps: 0,
    phoneAnswers: 0,
    phoneRejects: 0,
    phonesLeftRinging: 0,
    transfersAsked: 0,
    refused: new Map(),
  }
  private readonly random: Random
  private readonly legs = new Map<string, SimLeg>()
  /** Per call: the conversation timer of the current bridge, and whether it was passed on already. */
  private readonly conversations = new Map<
    string,
    { timer: TimerHandle | null; transferred: boolean }
  >()
  private readonly streamTimers = new Set<TimerHandle>()
  private readonly callers: PhoneNumber[]
  private readonly queueByNumber = new Map<PhoneNumber, QueueId>()
  private sink: EngineSink | null = null
  private seq = 0
  private stopped = false

  constructor(private readonly options: SimOptions) {
    this.random = new Random(options.profile.seed)
    this.callers = Array.from({ length: Math.max(1, options.profile.callerPool) }, () => {
      const first = this.random.chance(0.7) ? (this.random.chance(0.5) ? '9' : '4') : '2'
      return `+47${first}${String(this.random.int(10_000_000)).padStart(7, '0')}`
    })
    for (const queue of options.config.queues)
      for (const n of queue.numbers) this.queueByNumber.set(n, queue.id)
  }

  start(sink: EngineSink): void {
    this.sink = sink
    for (const stream of this.options.profile.arrivals) this.scheduleArrival(stream)
  }

  stop(): void {
    this.stopped = true
    for (const timer of this.streamTimers) this.options.clock.clearTimer(timer)
    this.streamTimers.clear()
    for (const leg of this.legs.values())
      for (const t of leg.timers) this.options.clock.clearTimer(t)
    for (const conversation of this.conversations.values())
      if (conversation.timer) this.options.clock.clearTimer(conversation.timer)
  }

  /** Live legs the network holds (for tests: nothing may be left behind). */
  get liveLegs(): number {
    return this.legs.size
  }

  // ───────────────────────── arrivals ─────────────────────────

  private scheduleArrival(stream: ArrivalStream): void {
    const peak = peakRatePerHour(stream)
    if (peak <= 0 || this.stopped) return
    const clock = this.options.clock
    // Non-homogeneous Poisson by thinning: candidates at the peak rate, kept with rate(t)/peak.
    const at = clock.now() + Math.max(1, Math.round(this.random.exponential(3_600_000 / peak)))
    if (this.options.arrivalsUntil !== undefined && at >= this.options.arrivalsUntil) return
    const timer = clock.setTimer(at, () => {
      this.streamTimers.delete(timer)
      const hour = Math.floor(localTime(this.options.config.timeZone, clock.now()).minuteOfDay / 60)
      if (this.random.next() < ratePerHour(stream, hour) / peak) this.arrive(stream.number)
      this.scheduleArrival(stream)
    })
    this.streamTimers.add(timer)
  }

  private arrive(to: PhoneNumber): void {
    const profile = this.options.profile
    const vips = this.options.config.vipNumbers
    const from =
      vips.length > 0 && this.random.chance(profile.vipShare)
        ? this.random.pick(vips)
        : this.random.pick(this.callers)
    const patienceMs = Math.max(
      1000,
      Math.round(this.random.exponential(profile.patienceSeconds * 1000)),
    )
    this.call(from, to, patienceMs)
  }

  /**
   * An outside caller dials `to` now (scripted calls: training, tests). They hang up after
   * `patienceMs` unanswered (never when null) and, once connected, after a talk time drawn from
   * the profile. Returns the caller's leg id.
   */
  call(from: PhoneNumber, to: PhoneNumber, patienceMs: number | null = null): string {
    const leg = this.newLeg('caller', null, to)
    this.ledger.arrivals++
    this.ledger.arrivalsByNumber.set(to, (this.ledger.arrivalsByNumber.get(to) ?? 0) + 1)
    if (patienceMs !== null)
      this.later(leg, patienceMs, () => {
        if (leg.connected) return
        this.ledger.callersGaveUp++
        this.send({ type: 'leg.hung-up', companyId: this.options.companyId, legId: leg.id })
        this.drop(leg)
      })
    this.send({
      type: 'caller.arrived',
      companyId: this.options.companyId,
      legId: leg.id,
      from,
      to,
    })
    return leg.id
  }

  /** The outside party on `legId` hangs up (scripted calls). */
  hangUp(legId: string): void {
    const leg = this.legs.get(legId)
    if (!leg) return
    this.ledger.callerHangUps++
    this.send({ type: 'leg.hung-up', companyId: this.options.companyId, legId })
    this.drop(leg)
  }

  // ───────────────────────── commands from the core ─────────────────────────

  execute(command: TelephonyCommand): void {
    switch (command.type) {
      case 'ring':
        return this.ring(command)
      case 'answer': {
        const leg = this.legs.get(command.legId)
        if (!leg) return
        if (leg.kind === 'caller' && !leg.connected) this.ledger.callersAnswered++
        leg.connected = true
        return
      }
      case 'bridge':
        return this.bridged(command.callId, command.a, command.b)
      case 'end': {
        const leg = this.legs.get(command.legId)
        if (!leg) return
        if (leg.kind === 'caller' && !leg.connected) this.ledger.callersRefused++
        if (leg.kind !== 'caller' && !leg.connected) this.ledger.phonesLeftRinging++
        this.drop(leg)
        const conversation = leg.callId ? this.conversations.get(leg.callId) : undefined
        if (leg.kind === 'caller' && conversation) {
          if (conversation.timer) this.options.clock.clearTimer(conversation.timer)
          this.conversations.delete(leg.callId!)
        }
        return
      }
      case 'progress':
      case 'hold':
      case 'resume':
      case 'conference':
        // Media: the simulated network carries none.
        return
    }
  }

  private ring(command: Extract<TelephonyCommand, { type: 'ring' }>): void {
    const profile = this.options.profile
    const userId = command.to.kind === 'user' ? command.to.userId : null
    const leg = this.newLeg(
      userId !== null ? 'phone' : 'external',
      userId,
      command.dialed,
      command.legId,
    )
    leg.callId = command.callId
    if (command.autoAnswer) {
      // The user asked for this call from the switchboard: the core has connected it already.
      leg.connected = true
      return
    }
    // A person at the switchboard answers (or not) in the app.
    if (userId !== null && this.options.attended?.(userId)) return
    const answer = () => {
      if (leg.connected) return // answered from the switchboard meanwhile
      // Someone already on the phone lets a second call ring out.
      if (leg.userId !== null && this.isTalking(leg.userId)) return
      this.ledger.phoneAnswers++
      leg.connected = true
      this.send({ type: 'leg.answered', companyId: this.options.companyId, legId: leg.id })
    }
    if (leg.kind === 'external') {
      if (this.random.chance(profile.externalAnswerRate))
        this.later(leg, this.answerDelay(), answer)
      return
    }
    const r = this.random.next()
    if (r < profile.rejectRate) {
      this.later(leg, Math.round(this.answerDelay() / 2), () => {
        this.ledger.phoneRejects++
        this.send({
          type: 'leg.rejected',
          companyId: this.options.companyId,
          legId: leg.id,
          reason: 'declined',
        })
        this.drop(leg)
      })
    } else if (r >= profile.rejectRate + profile.noAnswerRate) {
      this.later(leg, this.answerDelay(), answer)
    }
  }

  /** The call's conversation, its pending end (if any) cancelled: it starts again now. */
  private conversationFor(callId: string): { timer: TimerHandle | null; transferred: boolean } {
    let conversation = this.conversations.get(callId)
    if (!conversation)
      this.conversations.set(callId, (conversation = { timer: null, transferred: false }))
    if (conversation.timer) this.options.clock.clearTimer(conversation.timer)
    conversation.timer = null
    return conversation
  }

  /** How long a conversation lasts: the profile's talk time, at least two seconds. */
  private drawTalkMs(): number {
    return Math.max(
      2000,
      Math.round(
        this.random.lognormal(
          this.options.profile.talkSeconds.mean,
          this.options.profile.talkSeconds.sd,
        ) * 1000,
      ),
    )
  }

  /**
   * A simulated party talking to someone on another network (in the demo: a simulated caller
   * put through to a real SIP phone, or a real caller answered by a simulated colleague). The
   * real side may talk as long as it likes; the simulated side hangs up after a drawn talk
   * time, unless it is a colleague at the switchboard in person, who decides for themselves.
   */
  private talksElsewhere(callId: string, own: SimLeg): void {
    if (own.kind !== 'caller' && own.userId !== null && this.options.attended?.(own.userId)) return
    const state = this.conversationFor(callId)
    const talkMs = this.drawTalkMs()
    state.timer = this.options.clock.setTimer(this.options.clock.now() + talkMs, () => {
      state.timer = null
      if (!this.legs.has(own.id)) return
      if (own.kind === 'caller') return this.hangUp(own.id)
      this.ledger.agentHangUps++
      this.send({ type: 'leg.hung-up', companyId: this.options.companyId, legId: own.id })
      this.drop(own)
    })
  }

  /**
   * Two legs are talking. When `a` is the caller, start (or restart) their conversation;
   * when `a` is an operator's phone, the operator is consulting a colleague before a transfer.
   */
  private bridged(callId: string, a: string, b: string): void {
    const first = this.legs.get(a)
    const second = this.legs.get(b)
    // A caller's leg learns its call here (it arrived before the core made one).
    if (first?.kind === 'caller') first.callId = callId
    if (first?.kind === 'caller' && !second) return this.talksElsewhere(callId, first)
    if (!first && second?.kind === 'phone') return this.talksElsewhere(callId, second)
    if (!first || !second) return
    if (first.kind === 'phone' && first.userId !== null) {
      // A consultation: talk briefly, then hand the caller over (a person decides for themselves).
      // If the caller has hung up meanwhile there is nobody to hand over (the engine says so):
      // the operator says goodbye and hangs up.
      const operator = first.userId
      if (this.options.attended?.(operator)) return
      const consultMs = 3000 + this.random.int(5000)
      // Some callers on hold do not wait for the consultation to end.
      const caller = this.callerOf(callId)
      if (caller && this.random.chance(this.options.profile.hangUpWhileConsulting))
        this.later(caller, this.random.int(consultMs), () => this.hangUp(caller.id))
      this.later(second, consultMs, () => {
        const refused = this.send({
          type: 'transfer.complete',
          companyId: this.options.companyId,
          userId: operator,
          callId,
        })
        if (refused === null || !this.legs.has(first.id)) return
        this.ledger.agentHangUps++
        this.send({ type: 'leg.hung-up', companyId: this.options.companyId, legId: first.id })
        this.drop(first)
      })
      return
    }
    const state = this.conversationFor(callId)
    const talkMs = this.drawTalkMs()
    const agentId = second.userId
    // With a person on the line, only the caller ends the conversation.
    const attended = agentId !== null && this.options.attended?.(agentId) === true
    const viaQueue = first.dialed !== null ? this.queueByNumber.get(first.dialed) : undefined
    const passOn =
      agentId !== null &&
      !attended &&
      !state.transferred &&
      viaQueue !== undefined &&
      this.options.profile.transferFrom.includes(viaQueue) &&
      this.random.chance(this.options.profile.transferShare)
    const delay = passOn ? Math.min(talkMs, 5000 + this.random.int(20_000)) : talkMs
    state.timer = this.options.clock.setTimer(this.options.clock.now() + delay, () => {
      state.timer = null
      if (!this.legs.has(a) || !this.legs.has(b)) return
      if (passOn && agentId !== null && this.transfer(callId, agentId)) {
        state.transferred = true
        return
      }
      if (!attended && this.random.chance(this.options.profile.agentHangsUp)) {
        this.ledger.agentHangUps++
        this.send({ type: 'leg.hung-up', companyId: this.options.companyId, legId: b })
        this.drop(second)
      } else {
        this.ledger.callerHangUps++
        this.send({ type: 'leg.hung-up', companyId: this.options.companyId, legId: a })
        this.drop(first)
      }
    })
  }

  /** The outside caller of a call, if they are on this network. */
  private callerOf(callId: string): SimLeg | undefined {
    for (const leg of this.legs.values())
      if (leg.kind === 'caller' && leg.callId === callId) return leg
    return undefined
  }

  /** The operator passes the caller to a colleague in another department. */
  private transfer(callId: string, operator: UserId): boolean {
    const users = this.options.config.users
    const me = users.find((u) => u.id === operator)
    const others = users.filter((u) => u.id !== operator && u.department !== me?.department)
    if (others.length === 0) return false
    const attended = this.random.chance(this.options.profile.attendedShare)
    for (let attempt = 0; attempt < 3; attempt++) {
      const target = this.random.pick(others)
      this.ledger.transfersAsked++
      const error = this.send({
        type: attended ? 'transfer.consult' : 'transfer.blind',
        companyId: this.options.companyId,
        userId: operator,
        callId,
        target: { kind: 'user', userId: target.id },
      })
      if (error === null) return true
    }
    return false
  }

  // ───────────────────────── helpers ─────────────────────────

  private newLeg(
    kind: SimLeg['kind'],
    userId: UserId | null,
    dialed: PhoneNumber | null,
    id?: string,
  ): SimLeg {
    const leg: SimLeg = {
      id: id ?? `sim-${++this.seq}`,
      callId: null,
      kind,
      userId,
      dialed,
      connected: false,
      timers: [],
    }
    this.legs.set(leg.id, leg)
    return leg
  }

  private later(leg: SimLeg, ms: number, fn: () => void): void {
    const timer = this.options.clock.setTimer(this.options.clock.now() + ms, () => {
      leg.timers = leg.timers.filter((t) => t !== timer)
      if (this.legs.get(leg.id) === leg) fn()
    })
    leg.timers.push(timer)
  }

  private drop(leg: SimLeg): void {
    for (const t of leg.timers) this.options.clock.clearTimer(t)
    leg.timers = []
    this.legs.delete(leg.id)
  }

  private isTalking(userId: UserId): boolean {
    for (const other of this.legs.values())
      if (other.userId === userId && other.connected) return true
    return false
  }

  private answerDelay(): number {
    const d = this.options.profile.answerSeconds
    return Math.max(500, Math.round(this.random.lognormal(d.mean, d.sd) * 1000))
  }

  private send(input: Parameters<EngineSink>[0]): ReturnType<EngineSink> {
    if (!this.sink || this.stopped) return null
    const error = this.sink(input)
    if (error) {
      const key = `${input.type}: ${error.code}`
      this.ledger.refused.set(key, (this.ledger.refused.get(key) ?? 0) + 1)
    }
    return error
  }
}
