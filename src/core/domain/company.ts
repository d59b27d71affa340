/**
 * Building a company's engine state from its configuration, and changing that configuration
 * while calls are live (the contact person's administration).
 */
import type { CompanyId, Instant, QueueId } from '../../shared/ids'
import type { Destination } from '../../shared/model'
import { refreshAgent } from './agents'
import {
  withdrawQueueOffersFor,
  endOffer,
  exitQueue,
  releasePartner,
  endCall,
  endLeg,
  findOffer,
  notAnswered,
} from './calls'
import type { CompanyConfig, QueueConfig, UserConfig } from './config'
import type { Ctx } from './context'
import { EngineError } from './errors'
import { noChanges, type ConfigureCompany } from './io'
import { isOpen, localTime, nextDayCheck, nextMinute } from './opening-hours'
import type { Agent, CompanyState, EngineState, Membership, QueueRuntime } from './state'
import type { TimerKind } from './timers'
import { syncMembershipList } from './state'
import { consultEnded, leaveConference } from './operations'

export function newCompanyState(config: CompanyConfig, seed: number): CompanyState {
  const co: CompanyState = {
    id: config.id,
    config,
    agents: new Map(),
    queues: new Map(),
    numbers: new Map(),
    vipNumbers: new Set(config.vipNumbers),
    calls: new Map(),
    legs: new Map(),
    parkSlots: Array.from({ length: config.parkSlots }, () => null),
    missed: new Map(),
    missedByNumber: new Map(),
    missedOrder: [],
    missedHead: 0,
    memberCodes: new Uint8Array(0),
    dirtyQueues: [],
    staleAgents: [],
    changes: noChanges(),
    changeGen: 1,
    rng: seed ^ hash(config.id),
    localTimeCache: null,
    hoursChecking: false,
    day: '',
  }
  for (const user of config.users) co.agents.set(user.id, newAgent(config.id, user))
  for (const queueConfig of config.queues) {
    const queue = newQueue(queueConfig)
    co.queues.set(queueConfig.id, queue)
    setMembers(co, queue, queueConfig)
  }
  layoutMemberCodes(co)
  indexNumbers(co)
  for (const agent of co.agents.values()) refreshAgent(co, agent, 0)
  for (const queue of co.dirtyQueues) queue.dirty = false
  co.dirtyQueues = []
  return co
}

function newAgent(companyId: CompanyId, user: UserConfig): Agent {
  return {
    user,
    companyId,
    absence: null,
    absenceToken: 0,
    memberships: new Map(),
    membershipList: [],
    legs: [],
    ringing: 0,
    connected: 0,
    held: 0,
    wrapUpUntil: null,
    wrapUpToken: 0,
    lastCallEndedAt: null,
    answeredCalls: 0,
    talkMs: 0,
    unansweredStreak: 0,
    listedIn: 0,
    refreshedAs: -1,
    party: null,
    partyOf: null,
    stale: false,
  }
}

function newQueue(config: QueueConfig): QueueRuntime {
  return {
    config,
    waiting: [],
    memberIds: [],
    members: [],
    memberPenalties: [],
    memberIndex: new Map(),
    presentCount: 0,
    idleCount: 0,
    memberCodes: new Uint8Array(0),
    settledHead: null,
    rrCursor: -1,
    wasOpen: true,
    listedIn: 0,
    dirty: false,
  }
}

/**
 * (Re)build a queue's member list from its configuration. Members who stay keep their state
 * (logged in, paused); the lists are new arrays, because why-trail entries already written
 * keep a reference to the old member list.
 */
function setMembers(co: CompanyState, queue: QueueRuntime, config: QueueConfig): void {
  const queueId: QueueId = config.id
  const memberIds: string[] = []
  const members: QueueRuntime['members'] = []
  const memberIndex = new Map<string, number>()
  for (const member of config.members) {
    const agent = co.agents.get(member.userId)
    if (!agent || memberIndex.has(member.userId)) continue
    const order = members.length
    const existing = agent.memberships.get(queueId)
    const membership: Membership = existing ?? {
      queueId,
      queue,
      penalty: member.penalty,
      order,
      slot: -1,
      loggedIn: member.loggedIn,
      paused: null,
      present: false,
      idle: false,
    }
    membership.penalty = member.penalty
    membership.order = order
    membership.present = false
    membership.idle = false
    agent.memberships.set(queueId, membership)
    syncMembershipList(agent)
    memberIds.push(member.userId)
    members.push({ agent, membership })
    memberIndex.set(member.userId, order)
  }
  queue.memberIds = memberIds
  queue.members = members
  queue.memberPenalties = members.map((m) => m.membership.penalty)
  queue.memberIndex = memberIndex
  queue.memberCodes = new Uint8Array(members.length)
  queue.presentCount = 0
  queue.idleCount = 0
  queue.settledHead = null
  if (queue.rrCursor >= members.length) queue.rrCursor = -1
}

/**
 * Lay every queue's member codes out in one company-wide array (after the queues' members were
 * set). The codes start at 0: every member's agent has had their memberships changed, so their
 * next refresh fills the codes in.
 */
function layoutMemberCodes(co: CompanyState): void {
  let total = 0
  for (const queue of co.queues.values()) total += queue.members.length
  const codes = new Uint8Array(total)
  let start = 0
  for (const queue of co.queues.values()) {
    const members = queue.members
    queue.memberCodes = codes.subarray(start, start + members.length)
    for (let i = 0; i < members.length; i++) members[i]!.membership.slot = start + i
    start += members.length
  }
  co.memberCodes = codes
}

function indexNumbers(co: CompanyState): void {
  co.numbers.clear()
  for (const agent of co.agents.values()) {
    const user = agent.user
    for (const number of [user.extension, user.direct, user.mobile]) {
      if (number !== null) co.numbers.set(number, { kind: 'user', userId: user.id })
    }
  }
  for (const queue of co.queues.values()) {
    for (const number of queue.config.numbers)
      co.numbers.set(number, { kind: 'queue', queueId: queue.config.id })
  }
}

/** The agents' daily figures start again at local midnight: the day clock (see 'day-start'). */
export function startDayClock(state: EngineState, co: CompanyState, now: Instant): void {
  co.day = localTime(co.config.timeZone, now).date
  companyDeadline(state, co, 'day-start', nextDayCheck(co.config.timeZone, now))
}

/** A deadline of the company itself (not of a call or user), set outside a step. */
function companyDeadline(state: EngineState, co: CompanyState, kind: TimerKind, at: Instant): void {
  state.timers.push({
    at,
    seq: ++state.seq,
    kind,
    companyId: co.id,
    ref: co.id,
    token: 0,
  })
}

/** Opening hours turn with the clock: check once a minute while any queue has them. */
export function startHoursCheck(state: EngineState, co: CompanyState, now: Instant): void {
  if (co.hoursChecking || !co.config.queues.some((q) => q.openingHours !== null)) return
  co.hoursChecking = true
  for (const queue of co.queues.values()) {
    if (queue.config.openingHours) queue.wasOpen = isOpen(co, queue.config.openingHours, now)
  }
  companyDeadline(state, co, 'hours-check', nextMinute(now))
}

/**
 * Apply a new configuration to a company with calls in progress. Users and queues that stay
 * keep their state; a removed user's calls end as if their phone hung up, and callers waiting
 * in a removed queue leave it as if it had emptied (to its overflow, if that still exists).
 */
export function reconfigure(ctx: Ctx, next: CompanyConfig): void {
  const co = ctx.co
  const nextUsers = new Set(next.users.map((u) => u.id))
  const nextQueues = new Set(next.queues.map((q) => q.id))
  // Callers leaving a removed queue must not be sent into another removed queue (directly, or
  // through a staying queue's old overflow or closed destination): until the staying queues
  // get their new configuration below, they forget the ways into removed ones.
  const gone = (d: Destination | null) => d?.kind === 'queue' && !nextQueues.has(d.queueId)
  for (const queue of co.queues.values()) {
    const { overflow, closedDestination } = queue.config
    if (gone(overflow) || gone(closedDestination))
      queue.config = {
        ...queue.config,
        overflow: gone(overflow) ? null : overflow,
        closedDestination: gone(closedDestination) ? null : closedDestination,
      }
  }
  for (const queue of [...co.queues.values()]) {
    if (nextQueues.has(queue.config.id)) continue
    const overflow = queue.config.overflow
    if (overflow?.kind === 'user' && !nextUsers.has(overflow.userId))
      queue.config = { ...queue.config, overflow: null }
    for (const call of [...queue.waiting]) exitQueue(ctx, call, 'empty')
    for (const { agent } of queue.members) {
      withdrawQueueOffersFor(ctx, agent, queue.config.id)
      agent.memberships.delete(queue.config.id)
      syncMembershipList(agent)
      ctx.touchAgent(agent)
    }
    co.queues.delete(queue.config.id)
    ctx.queueRemoved(queue.config.id)
  }
  for (const agent of [...co.agents.values()]) {
    if (!nextUsers.has(agent.user.id)) removeAgent(ctx, agent)
  }
  for (const user of next.users) {
    const agent = co.agents.get(user.id)
    if (agent) agent.user = user
    else co.agents.set(user.id, newAgent(co.id, user))
    ctx.touchUser(user.id)
    ctx.touchAgent(user.id)
  }
  for (const queueConfig of next.queues) {
    let queue = co.queues.get(queueConfig.id)
    if (!queue) co.queues.set(queueConfig.id, (queue = newQueue(queueConfig)))
    const stays = new Set(queueConfig.members.map((m) => m.userId))
    for (const { agent } of queue.members) {
      if (stays.has(agent.user.id)) continue
      withdrawQueueOffersFor(ctx, agent, queueConfig.id)
      agent.memberships.delete(queueConfig.id)
      syncMembershipList(agent)
      ctx.touchAgent(agent)
    }
    queue.config = queueConfig
    setMembers(co, queue, queueConfig)
    for (const { agent } of queue.members) ctx.touchAgent(agent)
    ctx.touchQueue(queue)
    ctx.markDirty(queue)
  }
  layoutMemberCodes(co)
  co.config = next
  co.vipNumbers = new Set(next.vipNumbers)
  while (co.parkSlots.length < next.parkSlots) co.parkSlots.push(null)
  while (co.parkSlots.length > next.parkSlots && co.parkSlots.at(-1) === null) co.parkSlots.pop()
  indexNumbers(co)
  startHoursCheck(ctx.state, co, ctx.now)
}

/** Checks a new configuration before anything changes; the config loader has normally done more. */
export function onConfigure(ctx: Ctx, input: ConfigureCompany): EngineError | null {
  const config = input.config
  if (config.id !== ctx.co.id)
    return new EngineError(
      'INVALID_ARGUMENT',
      `configuration of ${config.id} sent for ${ctx.co.id}`,
    )
  const error = validateCompanyConfig(config)
  if (error) return error
  reconfigure(ctx, config)
  return null
}

/** What the engine needs of a configuration: unique ids, one destination per number, known members. */
export function validateCompanyConfig(config: CompanyConfig): EngineError | null {
  const userIds = new Set<string>()
  for (const user of config.users) {
    if (userIds.has(user.id))
      return new EngineError('INVALID_ARGUMENT', `user ${user.id} appears twice`)
    userIds.add(user.id)
  }
  const queueIds = new Set<string>()
  const numbers = new Map<string, string>()
  const claim = (number: string | null, owner: string): EngineError | null => {
    if (number === null) return null
    const other = numbers.get(number)
    if (other !== undefined && other !== owner)
      return new EngineError(
        'INVALID_ARGUMENT',
        `number ${number} reaches both ${other} and ${owner}`,
      )
    numbers.set(number, owner)
    return null
  }
  for (const user of config.users) {
    for (const number of [user.extension, user.direct, user.mobile]) {
      const error = claim(number, `user ${user.id}`)
      if (error) return error
    }
  }
  for (const queue of config.queues) {
    if (queueIds.has(queue.id))
      return new EngineError('INVALID_ARGUMENT', `queue ${queue.id} appears twice`)
    queueIds.add(queue.id)
    for (const number of queue.numbers) {
      const error = claim(number, `queue ${queue.id}`)
      if (error) return error
    }
    for (const member of queue.members) {
      if (!userIds.has(member.userId))
        return new EngineError(
          'UNKNOWN_USER',
          `queue ${queue.id} lists unknown user ${member.userId}`,
        )
    }
  }
  // Destinations may only lead to this company's own users and queues.
  for (const queue of config.queues) {
    for (const target of [queue.overflow, queue.closedDestination]) {
      if (target?.kind === 'user' && !userIds.has(target.userId))
        return new EngineError(
          'UNKNOWN_USER',
          `queue ${queue.id} sends callers to unknown user ${target.userId}`,
        )
      if (target?.kind === 'queue' && !queueIds.has(target.queueId))
        return new EngineError(
          'UNKNOWN_QUEUE',
          `queue ${queue.id} sends callers to unknown queue ${target.queueId}`,
        )
    }
  }
  if (!Number.isInteger(config.parkSlots) || config.parkSlots < 0 || config.parkSlots > 1000) {
    return new EngineError('INVALID_ARGUMENT', 'park slots must be a whole number from 0 to 1000')
  }
  return null
}

/** A user removed from the company: everything their phones were doing ends now. */
function removeAgent(ctx: Ctx, agent: Agent): void {
  for (const leg of [...agent.legs]) {
    const call = leg.call
    if (call.state === 'ended' || !ctx.co.legs.has(leg.id)) continue
    const offer = findOffer(call, leg)
    if (offer) {
      endOffer(ctx, call, offer, 'withdrawn')
      if (offer.queueId !== null) ctx.markDirty(offer.queueId)
      else if (call.offers.length === 0 && call.state === 'ringing')
        notAnswered(ctx, call, 'no-answer')
    } else if (call.conference) {
      leaveConference(ctx, call, leg, 'removed')
    } else if (call.consult?.legId === leg.id) {
      endLeg(ctx, call, leg, 'removed')
      consultEnded(ctx, call, 'transfer-not-answered')
    } else if (leg.id === call.partnerLegId) {
      releasePartner(ctx, call, 'removed', { kind: 'complete-agent', reason: 'user removed' })
      endCall(ctx, call, 'agent-hung-up')
    } else {
      endLeg(ctx, call, leg, 'removed')
      endCall(ctx, call, 'caller-hung-up')
    }
  }
  for (const membership of agent.memberships.values()) {
    membership.queue.idleCount -= membership.idle ? 1 : 0
    membership.queue.presentCount -= membership.present ? 1 : 0
  }
  agent.memberships.clear()
  syncMembershipList(agent)
  ctx.co.agents.delete(agent.user.id)
  ctx.userRemoved(agent.user.id)
}

function hash(text: string): number {
  let h = 2166136261
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619)
  return h
}
