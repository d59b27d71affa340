/**
 * The call lifecycle: legs and offers, entering and leaving queues, ringing users and outside
 * numbers, connecting the answering party, and ending a call with its log records.
 * Every function here assumes its inputs were validated; they only act.
 */
import type { Instant, PhoneNumber, QueueId, UserId } from '../../shared/ids'
import type { CallEndReason, Destination, LegRole, Party } from '../../shared/model'
import { finishCallForAgent, isBusy, isTalking, noteUnanswered, refreshStaleAgents } from './agents'
import { buildCallLog } from './call-log'
import { transitionCall } from './call-machine'
import type { Ctx } from './context'
import { withItem, type LegEndReason } from './io'
import { transitionLeg } from './leg-machine'
import { insertAt, removeAt } from './lists'
import { isOpen } from './opening-hours'
import type {
  Agent,
  Call,
  Leg,
  Offer,
  QueueLedger,
  QueueRuntime,
  RingContext,
  UserLedger,
} from './state'
import { endedCall } from './views'
import { isLive, livePartner, liveRemote, queueLedgerOf, setPartner, userLedgerOf } from './state'

/** How many overflow hops one call may take before it is refused (guards against A → B → A). */
const maxOverflowHops = 8
/** Missed calls kept in a company's worklist; the oldest fall off (persistence keeps them all). */
const maxMissed = 5000

// ───────────────────────────── legs ─────────────────────────────

export function userParty(ctx: Ctx, userId: UserId, number?: PhoneNumber): Party {
  const agent = ctx.co.agents.get(userId)
  if (agent !== undefined && number === undefined) return ownParty(agent)
  const user = agent?.user
  return {
    number: number ?? user?.extension ?? '',
    name: user ? `${user.firstName} ${user.lastName}` : null,
    userId,
  }
}

/**
 * The party a user's own phone is: their extension and name. Made once per user (and again
 * when their directory entry changes) and shared by all their legs: parties are never changed,
 * and an offer no longer builds a name and a party of its own.
 */
function ownParty(agent: Agent): Party {
  const user = agent.user
  if (agent.party === null || agent.partyOf !== user) {
    agent.party = {
      number: user.extension,
      name: `${user.firstName} ${user.lastName}`,
      userId: user.id,
    }
    agent.partyOf = user
  }
  return agent.party
}

export function createLeg(
  ctx: Ctx,
  call: Call,
  role: LegRole,
  party: Party,
  ownerId: UserId | null,
  terminal: Leg['terminal'],
  id?: string,
): Leg {
  const owner = ownerId !== null ? (ctx.co.agents.get(ownerId) ?? null) : null
  return addLeg(ctx, call, role, party, ownerId, owner, terminal, id)
}

/** createLeg with the owner's agent at hand (no lookup). */
function addLeg(
  ctx: Ctx,
  call: Call,
  role: LegRole,
  party: Party,
  ownerId: UserId | null,
  owner: Agent | null,
  terminal: Leg['terminal'],
  id?: string,
): Leg {
  const leg: Leg = {
    id: id ?? ctx.newId('leg'),
    callId: call.id,
    call,
    role,
    state: 'ringing',
    party,
    ownerId,
    owner,
    terminal,
    createdAt: ctx.now,
    answeredAt: null,
    talkingSince: null,
  }
  ctx.co.legs.set(leg.id, leg)
  call.legIds.push(leg.id)
  if (owner !== null) {
    owner.legs.push(leg)
    owner.ringing++
    ctx.touchAgent(owner)
  }
  ctx.touchCall(call)
  return leg
}

/**
 * Ends a leg. `reason` null means the far side already ended it (no command to send).
 * A user whose answered leg ends has finished a call: talk time, idle time and, when the call
 * came from a queue (`wrapUpQueueId`), that queue's wrap-up. Returns the last talk segment.
 */
export function endLeg(
  ctx: Ctx,
  call: Call,
  leg: Leg,
  reason: LegEndReason | null,
  wrapUpQueueId: QueueId | null = null,
): number {
  if (leg.state === 'ended') return 0
  const wasAnswered = leg.answeredAt !== null
  const talkedMs = moveLeg(ctx, leg, 'ended')
  if (reason !== null) ctx.command({ type: 'end', companyId: ctx.co.id, legId: leg.id, reason })
  ctx.co.legs.delete(leg.id)
  const i = call.legIds.indexOf(leg.id)
  if (i >= 0) removeAt(call.legIds, i)
  if (leg.ownerId !== null) {
    const agent = leg.owner
    if (agent) {
      const k = agent.legs.indexOf(leg)
      if (k >= 0) removeAt(agent.legs, k)
      if (wasAnswered) finishCallForAgent(ctx, agent, talkedMs, wrapUpQueueId)
    }
    const ledger = userLedgerOf(call, leg.ownerId)
    if (ledger) ledger.talkMs += talkedMs
  }
  ctx.touchCall(call)
  return talkedMs
}

/**
 * `leg` leaves `call` for another call without ending (see consultationGoesOn). For this call it
 * is as if it had ended: its talk time so far goes to the call's ledger and the user's figures,
 * and wrap-up for the queue they answered from starts. Its talk in the next call counts from now.
 */
export function detachLeg(
  ctx: Ctx,
  call: Call,
  leg: Leg,
  wrapUpQueueId: QueueId | null = null,
): number {
  const i = call.legIds.indexOf(leg.id)
  if (i >= 0) removeAt(call.legIds, i)
  let talkedMs = 0
  if (leg.talkingSince !== null) {
    talkedMs = ctx.now - leg.talkingSince
    leg.talkingSince = ctx.now
  }
  if (leg.ownerId !== null) {
    const ledger = userLedgerOf(call, leg.ownerId)
    if (ledger) ledger.talkMs += talkedMs
    if (leg.owner && leg.answeredAt !== null)
      finishCallForAgent(ctx, leg.owner, talkedMs, wrapUpQueueId)
  }
  ctx.touchCall(call)
  return talkedMs
}

/** `leg` joins `call` (having left another with detachLeg). */
export function attachLeg(ctx: Ctx, call: Call, leg: Leg): void {
  leg.call = call
  leg.callId = call.id
  call.legIds.push(leg.id)
  ctx.touchCall(call)
}

/** Every call state change goes through here, so subscribers always hear of it. */
export function moveCall(ctx: Ctx, call: Call, to: Call['state']): void {
  const from = call.state
  transitionCall(call, to)
  ctx.touchCall(call)
  // The agent's activity reads "consulting" from the call's state.
  if ((from === 'consulting' || to === 'consulting') && call.agentId !== null)
    ctx.touchAgent(call.agentId)
}

/**
 * Every leg state change goes through here, so that the owner's counts of ringing, connected
 * and held legs (which their status and eligibility are read from) never drift.
 * Returns the talk time of the segment that ended, if the leg stopped talking.
 */
export function moveLeg(ctx: Ctx, leg: Leg, to: Leg['state']): number {
  const agent = leg.owner
  if (agent) adjust(agent, leg.state, -1)
  const talkedMs = transitionLeg(leg, to, ctx.now)
  if (agent) {
    adjust(agent, to, 1)
    ctx.touchAgent(agent)
  }
  return talkedMs
}

function adjust(agent: Agent, state: Leg['state'], by: number): void {
  if (state === 'ringing') agent.ringing += by
  else if (state === 'connected') agent.connected += by
  else if (state === 'held') agent.held += by
}

/** Hold or resume a leg, keeping talk time honest (hold is not talk). */
export function setLegHeld(ctx: Ctx, call: Call, leg: Leg, held: boolean): void {
  if (held && leg.state === 'connected') {
    addTalk(ctx, call, leg, moveLeg(ctx, leg, 'held'))
    ctx.command({ type: 'hold', companyId: ctx.co.id, legId: leg.id })
  } else if (!held && leg.state === 'held') {
    moveLeg(ctx, leg, 'connected')
    ctx.command({ type: 'resume', companyId: ctx.co.id, legId: leg.id })
  }
  ctx.touchCall(call)
}

function addTalk(ctx: Ctx, call: Call, leg: Leg, talkedMs: number): void {
  if (leg.ownerId === null || talkedMs === 0) return
  const ledger = userLedgerOf(call, leg.ownerId)
  if (ledger) ledger.talkMs += talkedMs
  const agent = leg.owner
  if (agent) agent.talkMs += talkedMs
}

// ───────────────────────────── offers ─────────────────────────────

/** Ring every terminal of a user for this call (their phone, and their extra terminal). */
export function offerUser(
  ctx: Ctx,
  call: Call,
  agent: Agent,
  queueId: QueueId | null,
  ringSeconds: number,
): Offer {
  const user = agent.user
  const userId = user.id
  const primary = addLeg(ctx, call, 'offer', ownParty(agent), userId, agent, 'primary')
  const legs = [primary]
  ringCommand(ctx, call, primary, { kind: 'user', userId }, false)
  if (user.extraTerminal !== null) {
    const extra = addLeg(
      ctx,
      call,
      'offer',
      userParty(ctx, userId, user.extraTerminal),
      userId,
      agent,
      'extra',
    )
    legs.push(extra)
    ringCommand(ctx, call, extra, { kind: 'external', number: user.extraTerminal }, false)
  }
  const offer: Offer = {
    userId,
    number: user.extension,
    legs,
    queueId,
    startedAt: ctx.now,
    token: ctx.token(),
  }
  call.offers.push(offer)
  unsettle(ctx, call)
  ctx.schedule('offer-timeout', ctx.now + ringSeconds * 1000, call.id, offer.token)
  return offer
}

export function offerExternal(
  ctx: Ctx,
  call: Call,
  number: PhoneNumber,
  ringSeconds: number,
): Offer {
  const leg = createLeg(ctx, call, 'offer', externalParty(ctx, number), null, null)
  ringCommand(ctx, call, leg, { kind: 'external', number }, false)
  const offer: Offer = {
    userId: null,
    number,
    legs: [leg],
    queueId: null,
    startedAt: ctx.now,
    token: ctx.token(),
  }
  call.offers.push(offer)
  unsettle(ctx, call)
  ctx.schedule('offer-timeout', ctx.now + ringSeconds * 1000, call.id, offer.token)
  return offer
}

export function ringCommand(
  ctx: Ctx,
  call: Call,
  leg: Leg,
  to: { kind: 'user'; userId: UserId } | { kind: 'external'; number: PhoneNumber },
  autoAnswer: boolean,
): void {
  ctx.command({
    type: 'ring',
    companyId: ctx.co.id,
    callId: call.id,
    legId: leg.id,
    to,
    callerId: call.remote,
    dialed: call.dialed,
    presentedNumber: call.presentedNumber,
    autoAnswer,
  })
}

/** The directory's name for a number, when the number is a colleague's. */
export function externalParty(ctx: Ctx, number: PhoneNumber, name: string | null = null): Party {
  const known = ctx.co.numbers.get(number)
  if (known?.kind === 'user') {
    const party = userParty(ctx, known.userId, number)
    return { ...party, name: name ?? party.name }
  }
  return { number, name, userId: null }
}

/**
 * A caller's offers started or ended: if they wait in a queue at or ahead of its settled head,
 * the head may change (see QueueRuntime.settledHead). Every change to `call.offers` goes with a
 * call to this.
 */
export function unsettle(ctx: Ctx, call: Call): void {
  if (call.queueId === null) return
  const queue = ctx.co.queues.get(call.queueId)
  if (queue) unsettleFor(queue, call)
}

/** `call` joins, leaves or changes at its place in `queue`: does that move the settled head? */
function unsettleFor(queue: QueueRuntime, call: Call): void {
  const head = queue.settledHead
  if (head !== null && (head === call || compareWaiting(call, head) < 0)) queue.settledHead = null
}

/** The offer `leg` rings for. */
export function findOffer(call: Call, leg: Leg): Offer | undefined {
  const offers = call.offers
  for (let i = 0; i < offers.length; i++) if (offers[i]!.legs.includes(leg)) return offers[i]
  return undefined
}

/** Stop ringing one offer (all its terminals) and forget it. */
export function endOffer(
  ctx: Ctx,
  call: Call,
  offer: Offer,
  reason: LegEndReason,
  exceptLegId: string | null = null,
): void {
  for (const leg of offer.legs) {
    if (leg.id === exceptLegId) continue
    if (isLive(leg)) endLeg(ctx, call, leg, reason)
  }
  const i = call.offers.indexOf(offer)
  if (i >= 0) removeAt(call.offers, i)
  unsettle(ctx, call)
  ctx.touchCall(call)
  if (offer.userId !== null) ctx.touchAgent(offer.userId)
}

export function withdrawOffers(
  ctx: Ctx,
  call: Call,
  reason: LegEndReason,
  exceptLegId: string | null = null,
): void {
  if (call.offers.length === 0) return
  for (const offer of [...call.offers]) endOffer(ctx, call, offer, reason, exceptLegId)
}

/** An offer from a queue ended without an answer: log it, count it, and let the caller go on. */
export function queueOfferUnanswered(
  ctx: Ctx,
  call: Call,
  offer: Offer,
  how: 'no-answer' | 'rejected',
): void {
  const queue = offer.queueId !== null ? ctx.co.queues.get(offer.queueId) : undefined
  endOffer(ctx, call, offer, how === 'no-answer' ? 'no-answer' : 'busy')
  if (!queue || offer.userId === null) return
  ctx.queueLog(
    how === 'no-answer' ? 'ring-no-answer' : 'reject',
    queue.config.id,
    call,
    offer.userId,
    {
      reason: how,
      waitMs: ctx.now - offer.startedAt,
    },
  )
  if (!call.triedThisRound.includes(offer.userId)) call.triedThisRound.push(offer.userId)
  const agent = ctx.co.agents.get(offer.userId)
  if (agent && how === 'no-answer') noteUnanswered(ctx, agent, queue)
  if (call.state === 'queued' && call.offers.length === 0) {
    const retryMs = queue.config.retryDelaySeconds * 1000
    if (retryMs > 0) {
      call.nextOfferAt = ctx.now + retryMs
      ctx.schedule('retry', call.nextOfferAt, call.id, 0)
    }
  }
  ctx.markDirty(queue)
}

/**
 * A user who starts talking on something else stops ringing for queue callers, who go on to
 * other members at once instead of waiting out the ring timeout.
 */
export function withdrawQueueOffersFor(
  ctx: Ctx,
  agent: Agent,
  onlyQueue: QueueId | null = null,
): void {
  // Only ringing legs are offers still to withdraw (agent.ringing counts them).
  if (agent.ringing === 0) return
  for (const leg of [...agent.legs]) {
    if (leg.state !== 'ringing' || leg.role !== 'offer') continue
    const call = leg.call
    const offer = findOffer(call, leg)
    if (!call || !offer || offer.queueId === null) continue
    if (onlyQueue !== null && offer.queueId !== onlyQueue) continue
    endOffer(ctx, call, offer, 'withdrawn')
    ctx.markDirty(offer.queueId)
  }
}

// ───────────────────────────── queues ─────────────────────────────

export function compareWaiting(a: Call, b: Call): number {
  if (a.vip !== b.vip) return a.vip ? -1 : 1
  if (a.priority !== b.priority) return b.priority - a.priority
  if (a.waitingSince !== b.waitingSince) return a.waitingSince - b.waitingSince
  return a.seq - b.seq
}

function insertWaiting(queue: QueueRuntime, call: Call): void {
  unsettleFor(queue, call)
  const list = queue.waiting
  // Most callers join at the back (they have waited least): one comparison instead of a search.
  if (list.length === 0 || compareWaiting(list[list.length - 1]!, call) <= 0) {
    list.push(call)
    return
  }
  let lo = 0
  let hi = list.length
  while (lo < hi) {
    const mid = (lo + hi) >> 1
    if (compareWaiting(list[mid]!, call) <= 0) lo = mid + 1
    else hi = mid
  }
  insertAt(list, lo, call)
}

export function removeFromWaiting(ctx: Ctx, call: Call): void {
  if (call.queueId === null) return
  const queue = ctx.co.queues.get(call.queueId)
  if (queue) {
    unsettleFor(queue, call)
    const i = queue.waiting.indexOf(call)
    if (i >= 0) removeAt(queue.waiting, i)
    ctx.touchQueue(queue)
    ctx.markDirty(queue)
  }
  call.queueId = null
  call.enteredQueueAt = null
}

export interface EnterOptions {
  /** Keep the caller's place: overflow and requeue carry the original waiting time. */
  waitingSince: Instant
  priority?: number
  reason: string
}

/** Put the caller in a queue, or send them on if the queue is closed, full or unstaffed. */
export function enterQueue(ctx: Ctx, call: Call, queue: QueueRuntime, options: EnterOptions): void {
  const config = queue.config
  if (config.openingHours && !isOpen(ctx.co, config.openingHours, ctx.now)) {
    ctx.trail(call, {
      kind: 'closed',
      at: ctx.now,
      queueId: config.id,
      to: config.closedDestination,
    })
    ctx.queueLog('exit-closed', config.id, call, null, {
      destination: config.closedDestination,
      waitMs: 0,
    })
    const ledger = ledgerQueue(ctx, call, config.id)
    ledger.outcome = 'closed'
    ledger.overflowTo = config.closedDestination
    return leaveTo(ctx, call, config.closedDestination, 'closed', config.id)
  }
  if (config.maxLength !== null && queue.waiting.length >= config.maxLength) {
    ctx.trail(call, {
      kind: 'exit',
      at: ctx.now,
      queueId: config.id,
      reason: 'full',
      to: config.overflow,
    })
    ctx.queueLog('exit-full', config.id, call, null, { destination: config.overflow, waitMs: 0 })
    const ledger = ledgerQueue(ctx, call, config.id)
    ledger.outcome = 'full'
    ledger.overflowTo = config.overflow
    return leaveTo(ctx, call, config.overflow, 'queue-full', config.id)
  }
  refreshStaleAgents(ctx.co, ctx.now)
  if (!config.joinEmpty && queue.presentCount === 0) {
    ctx.trail(call, {
      kind: 'exit',
      at: ctx.now,
      queueId: config.id,
      reason: 'empty',
      to: config.overflow,
    })
    ctx.queueLog('exit-empty', config.id, call, null, {
      destination: config.overflow,
      waitMs: 0,
      reason: 'join',
    })
    const ledger = ledgerQueue(ctx, call, config.id)
    ledger.outcome = 'empty'
    ledger.overflowTo = config.overflow
    return leaveTo(ctx, call, config.overflow, 'queue-empty', config.id)
  }
  moveCall(ctx, call, 'queued')
  call.queueId = config.id
  call.enteredQueueAt = ctx.now
  call.waitingSince = options.waitingSince
  if (options.priority !== undefined) call.priority = options.priority
  call.vip = ctx.co.vipNumbers.has(call.remote.number)
  call.ring = null
  if (call.triedThisRound.length > 0) call.triedThisRound.length = 0
  call.nextOfferAt = ctx.now
  call.progressiveCount = 1
  call.progressiveStarted = false
  call.noAgentNoted = false
  call.episode = { queueId: config.id, agentId: null, answeredAt: null }
  insertWaiting(queue, call)
  const ledger = ledgerQueue(ctx, call, config.id)
  ledger.outcome = null
  ctx.queueLog('enter', config.id, call, null, { reason: options.reason })
  call.queueToken = ctx.token()
  if (config.maxWaitSeconds !== null) {
    ctx.schedule('max-wait', ctx.now + config.maxWaitSeconds * 1000, call.id, call.queueToken)
  }

  const remote = liveRemote(call)
  if (remote?.state === 'ringing' && call.direction === 'inbound') {
    ctx.command({ type: 'progress', companyId: ctx.co.id, legId: remote.id })
  } else if (remote?.state === 'held') {
    // Transferred into a queue from hold: the caller hears the queue, not the hold music.
    setLegHeld(ctx, call, remote, false)
  }
  ctx.touchCall(call)
  ctx.touchQueue(queue)
  ctx.markDirty(queue)
}

export function ledgerQueue(ctx: Ctx, call: Call, queueId: QueueId) {
  let ledger = queueLedgerOf(call, queueId)
  if (!ledger) {
    ledger = {
      queueId,
      enteredAt: ctx.now,
      answeredAt: null,
      answeredBy: null,
      exitAt: null,
      outcome: null,
      transferredTo: null,
      overflowTo: null,
    }
    call.ledgerQueues.push(ledger)
  }
  return ledger
}

export function ledgerUser(
  ctx: Ctx,
  call: Call,
  userId: UserId,
  direction: 'incoming' | 'outgoing',
  counterpart: Party,
  queueId: QueueId | null,
): UserLedger {
  let ledger = userLedgerOf(call, userId)
  if (!ledger) {
    ledger = {
      userId,
      direction,
      counterpart,
      queueId,
      presentedNumber: direction === 'outgoing' ? call.presentedNumber : null,
      startedAt: ctx.now,
      answeredAt: null,
      talkMs: 0,
      transferredTo: null,
    }
    call.ledgerUsers.push(ledger)
  }
  return ledger
}

/** A waiting caller leaves the queue (timeout, or the last member left). */
export function exitQueue(ctx: Ctx, call: Call, reason: 'timeout' | 'empty'): void {
  const queue = ctx.co.queues.get(call.queueId!)!
  const config = queue.config
  const waitMs = ctx.now - (call.enteredQueueAt ?? ctx.now)
  withdrawOffers(ctx, call, 'withdrawn')
  removeFromWaiting(ctx, call)
  call.episode = null
  ctx.trail(call, { kind: 'exit', at: ctx.now, queueId: config.id, reason, to: config.overflow })
  ctx.queueLog(reason === 'timeout' ? 'exit-timeout' : 'exit-empty', config.id, call, null, {
    waitMs,
    destination: config.overflow,
    reason: reason === 'empty' ? 'leave' : null,
  })
  const ledger = ledgerQueue(ctx, call, config.id)
  ledger.outcome = reason
  ledger.exitAt = ctx.now
  ledger.overflowTo = config.overflow
  leaveTo(
    ctx,
    call,
    config.overflow,
    reason === 'timeout' ? 'queue-timeout' : 'queue-empty',
    config.id,
  )
}

/** Send a caller who could not stay in a queue to its destination, or end the call. */
function leaveTo(
  ctx: Ctx,
  call: Call,
  destination: Destination | null,
  endReason: CallEndReason,
  fromQueue: QueueId,
): void {
  if (destination === null || call.overflowHops >= maxOverflowHops) {
    const status: LegEndReason = endReason === 'closed' ? 'unavailable' : 'busy'
    return endCall(ctx, call, endReason, status)
  }
  call.overflowHops++
  routeTo(ctx, call, destination, {
    via: 'forward',
    recallTo: null,
    fallbackQueueId: null,
    fromQueue,
  })
}

// ───────────────────────────── routing to a destination ─────────────────────────────

export interface RouteOptions {
  via: RingContext['via']
  recallTo: UserId | null
  fallbackQueueId: QueueId | null
  fromQueue?: QueueId
  /** For a transfer into a queue: the caller starts waiting now. Overflow keeps the old time. */
  newWait?: boolean
}

export function routeTo(
  ctx: Ctx,
  call: Call,
  destination: Destination,
  options: RouteOptions,
): void {
  switch (destination.kind) {
    case 'queue': {
      const queue = ctx.co.queues.get(destination.queueId)
      if (!queue) return endCall(ctx, call, 'unroutable', 'not-found')
      return enterQueue(ctx, call, queue, {
        waitingSince: options.newWait ? ctx.now : call.waitingSince,
        reason: options.fromQueue ? `overflow from ${options.fromQueue}` : options.via,
      })
    }
    case 'user':
      return ringUser(ctx, call, destination.userId, options)
    case 'external':
      return ringExternal(ctx, call, destination.number, options)
  }
}

/**
 * Ring a user for a call that is not in a queue: a direct call, a transfer, a recall.
 * Absence with a forward number and busy with forward-on-busy send the call on; a busy user
 * without one gets nothing (the call goes back to whoever transferred it, or is refused).
 */
export function ringUser(ctx: Ctx, call: Call, userId: UserId, options: RouteOptions): void {
  const agent = ctx.co.agents.get(userId)
  if (!agent) return endCall(ctx, call, 'unroutable', 'not-found')
  const user = agent.user
  ledgerUser(ctx, call, userId, 'incoming', call.remote, null)
  if (agent.absence?.forwardTo && options.via !== 'recall') {
    ctx.trail(call, {
      kind: 'forward',
      at: ctx.now,
      userId,
      reason: 'absent',
      to: agent.absence.forwardTo,
    })
    return ringExternal(ctx, call, agent.absence.forwardTo, { ...options, via: 'forward' }, userId)
  }
  // Busy means talking: a user with a caller on hold can still take a call to them.
  if (isTalking(agent) || liveRemote(call)?.ownerId === userId) {
    if (user.forwardOnBusy !== null && options.via !== 'recall') {
      ctx.trail(call, {
        kind: 'forward',
        at: ctx.now,
        userId,
        reason: 'busy',
        to: user.forwardOnBusy,
      })
      return ringExternal(ctx, call, user.forwardOnBusy, { ...options, via: 'forward' }, userId)
    }
    ctx.trail(call, { kind: 'forward', at: ctx.now, userId, reason: 'busy', to: null })
    return notAnswered(ctx, call, 'busy')
  }
  const ringSeconds = user.forwardOnNoAnswer?.afterSeconds ?? ctx.co.config.directRingSeconds
  if (call.state !== 'ringing') moveCall(ctx, call, 'ringing')
  call.ring = {
    via: options.via,
    userId,
    recallTo: options.recallTo,
    fallbackQueueId: options.fallbackQueueId,
  }
  const offer = offerUser(ctx, call, agent, null, ringSeconds)
  ctx.trail(call, { kind: 'direct', at: ctx.now, userId, terminals: offer.legs.length })
  resumeRemoteForRinging(ctx, call)
}

export function ringExternal(
  ctx: Ctx,
  call: Call,
  number: PhoneNumber,
  options: RouteOptions,
  forUser: UserId | null = null,
): void {
  if (call.state !== 'ringing') moveCall(ctx, call, 'ringing')
  call.ring = {
    via: options.via,
    userId: forUser,
    recallTo: options.recallTo,
    fallbackQueueId: options.fallbackQueueId,
  }
  offerExternal(ctx, call, number, ctx.co.config.directRingSeconds)
  resumeRemoteForRinging(ctx, call)
}

/** A caller on hold who is being sent somewhere hears ringing, not hold music. */
function resumeRemoteForRinging(ctx: Ctx, call: Call): void {
  const remote = liveRemote(call)
  if (remote?.state === 'held') setLegHeld(ctx, call, remote, false)
  else if (remote?.state === 'ringing' && call.direction === 'inbound') {
    ctx.command({ type: 'progress', companyId: ctx.co.id, legId: remote.id })
  }
}

/**
 * Nobody answered a ringing (non-queue) call: forward on no answer, give it back to the user
 * who sent it, put it back first in the queue it came from, or end it as missed.
 */
export function notAnswered(ctx: Ctx, call: Call, why: 'no-answer' | 'busy'): void {
  const ring = call.ring
  const forUser = ring?.userId ? ctx.co.agents.get(ring.userId) : undefined
  const forward = forUser?.user.forwardOnNoAnswer
  if (why === 'no-answer' && forward && ring && ring.via !== 'forward' && ring.via !== 'recall') {
    ctx.trail(call, {
      kind: 'forward',
      at: ctx.now,
      userId: forUser.user.id,
      reason: 'no-answer',
      to: forward.to,
    })
    return ringExternal(
      ctx,
      call,
      forward.to,
      { via: 'forward', recallTo: ring.recallTo, fallbackQueueId: ring.fallbackQueueId },
      forUser.user.id,
    )
  }
  if (ring?.recallTo) {
    const recallTo = ring.recallTo
    const agent = ctx.co.agents.get(recallTo)
    ctx.trail(call, {
      kind: 'recall',
      at: ctx.now,
      userId: recallTo,
      reason: 'transfer-not-answered',
    })
    if (agent && !isBusy(agent)) {
      return ringUser(ctx, call, recallTo, {
        via: 'recall',
        recallTo: null,
        fallbackQueueId: ring.fallbackQueueId,
      })
    }
  }
  const fallback = ring?.fallbackQueueId ?? null
  if (fallback !== null && ctx.co.queues.has(fallback)) {
    ctx.trail(call, { kind: 'requeue', at: ctx.now, queueId: fallback, reason: 'not answered' })
    return enterQueue(ctx, call, ctx.co.queues.get(fallback)!, {
      waitingSince: call.startedAt,
      priority: call.priority + 1,
      reason: 'requeue',
    })
  }
  endCall(ctx, call, why === 'busy' ? 'busy' : 'no-answer', why === 'busy' ? 'busy' : 'unavailable')
}

// ───────────────────────────── connecting ─────────────────────────────

/**
 * `leg` has answered (or the user answered it from the switchboard). The first answer wins:
 * every other offer for the caller is withdrawn in this same step.
 */
export function connectAnswered(ctx: Ctx, call: Call, leg: Leg): void {
  // A waiting caller's offers end here just before they leave the queue; see below.
  const queue =
    call.state === 'queued' && call.queueId !== null ? ctx.co.queues.get(call.queueId) : undefined
  const settledHead = queue?.settledHead ?? null
  const offer = findOffer(call, leg)
  if (offer) {
    const i = call.offers.indexOf(offer)
    removeAt(call.offers, i)
    unsettle(ctx, call)
    for (const other of offer.legs) {
      if (other !== leg && isLive(other)) endLeg(ctx, call, other, 'answered-elsewhere')
    }
  }
  withdrawOffers(ctx, call, 'answered-elsewhere')
  const fromQueue = call.state === 'queued' ? call.queueId : null
  if (fromQueue !== null) {
    const waitMs = ctx.now - (call.enteredQueueAt ?? ctx.now)
    removeFromWaiting(ctx, call)
    // Nothing but this caller changed in the queue since the start: their offers ending (which
    // unsettles a queue when the caller is ahead of its settled head) and their leaving. With
    // them gone, a settled head other than them is still the head, and still told.
    if (queue !== undefined && settledHead !== null && settledHead !== call)
      queue.settledHead = settledHead
    ctx.queueLog('connect', fromQueue, call, leg.ownerId, { waitMs })
    // A caller who comes back to the same queue (a failed recall, a dropped agent) is one call
    // for that queue: the first answer is the one that counts.
    const ql = ledgerQueue(ctx, call, fromQueue)
    ql.answeredAt ??= ctx.now
    ql.answeredBy ??= leg.ownerId
    ql.outcome = 'answered'
    if (call.episode) {
      call.episode.agentId = leg.ownerId
      call.episode.answeredAt = ctx.now
    }
  }
  bridgePartner(ctx, call, leg, fromQueue)
  call.ring = null
  if (call.triedThisRound.length > 0) call.triedThisRound.length = 0
}

/** Make `leg` the remote party's partner and connect them. */
export function bridgePartner(ctx: Ctx, call: Call, leg: Leg, viaQueue: QueueId | null): void {
  if (leg.state === 'ringing' || leg.state === 'held') moveLeg(ctx, leg, 'connected')
  leg.role = leg.ownerId !== null ? 'agent' : 'callee'
  const remote = liveRemote(call)!
  if (remote.state === 'ringing') {
    moveLeg(ctx, remote, 'connected')
    ctx.command({ type: 'answer', companyId: ctx.co.id, legId: remote.id })
  } else if (remote.state === 'held') {
    setLegHeld(ctx, call, remote, false)
  }
  ctx.command({ type: 'bridge', companyId: ctx.co.id, callId: call.id, a: remote.id, b: leg.id })
  setPartner(call, leg)
  call.agentId = leg.ownerId
  call.answeredAt ??= ctx.now
  moveCall(ctx, call, 'connected')
  if (leg.ownerId !== null) {
    const agent = leg.owner
    if (agent) {
      agent.answeredCalls++
      agent.unansweredStreak = 0
      ctx.touchAgent(agent)
      withdrawQueueOffersFor(ctx, agent)
    }
    const ledger = ledgerUser(ctx, call, leg.ownerId, 'incoming', call.remote, viaQueue)
    ledger.answeredAt ??= ctx.now
    if (viaQueue !== null) ledger.queueId ??= viaQueue
  }
  closeMissedFor(ctx, call.remote.number, leg.ownerId)
  ctx.touchCall(call)
}

// ───────────────────────────── ending ─────────────────────────────

/**
 * The remote party's partner is leaving (hung up, transferred the call, parked it), or, with
 * `reason` 'moved', going on in another call with its leg (see detachLeg).
 * Closes the queue episode if the partner was the agent who answered from a queue.
 */
export function releasePartner(
  ctx: Ctx,
  call: Call,
  reason: LegEndReason | 'moved' | null,
  episodeEnd: {
    kind: 'complete-agent' | 'complete-caller' | 'transfer'
    destination?: Destination | null
    reason?: string
  } | null,
): void {
  const leg = livePartner(call)
  setPartner(call, null)
  const agentId = call.agentId
  call.agentId = null
  const episode = call.episode
  const wrapQueue =
    episode && agentId !== null && episode.agentId === agentId ? episode.queueId : null
  let talked = 0
  if (leg)
    talked =
      reason === 'moved'
        ? detachLeg(ctx, call, leg, wrapQueue)
        : endLeg(ctx, call, leg, reason, wrapQueue)
  if (episode && episode.agentId !== null && episodeEnd) {
    const ledger = agentId !== null ? userLedgerOf(call, agentId) : undefined
    ctx.queueLog(episodeEnd.kind, episode.queueId, call, episode.agentId, {
      talkMs: ledger?.talkMs ?? talked,
      waitMs:
        episode.answeredAt !== null
          ? episode.answeredAt -
            (queueLedgerOf(call, episode.queueId)?.enteredAt ?? episode.answeredAt)
          : null,
      destination: episodeEnd.destination ?? null,
      reason: episodeEnd.reason ?? null,
    })
    if (episodeEnd.kind === 'transfer') {
      const ql = queueLedgerOf(call, episode.queueId)
      if (ql) ql.transferredTo = episodeEnd.destination ?? null
    }
    call.episode = null
  }
}

/** End the call: every live leg ends, the log records are written, the call is forgotten. */
export function endCall(
  ctx: Ctx,
  call: Call,
  reason: CallEndReason,
  remoteReason: LegEndReason = 'call-ended',
): void {
  if (call.state === 'ended') return
  const wasQueued = call.state === 'queued'
  if (wasQueued) removeFromWaiting(ctx, call)
  withdrawOffers(ctx, call, 'call-ended')
  if (call.consult) {
    const consultLeg = ctx.co.legs.get(call.consult.legId)
    if (consultLeg) endLeg(ctx, call, consultLeg, 'call-ended')
    call.consult = null
  }
  // The partner (and any other user on the call) finishes: talk time, wrap-up, queue log.
  const callerEnded = reason === 'caller-hung-up'
  if (call.partnerLegId !== null) {
    releasePartner(ctx, call, 'call-ended', {
      kind: callerEnded ? 'complete-caller' : 'complete-agent',
    })
  }
  for (const legId of [...call.legIds]) {
    const leg = ctx.co.legs.get(legId)
    if (leg) endLeg(ctx, call, leg, leg.id === call.remoteLegId ? remoteReason : 'call-ended')
  }
  if (call.parkedSlot !== null) {
    ctx.co.parkSlots[call.parkedSlot] = null
    call.parkedSlot = null
  }
  call.conference = null
  call.endReason = reason
  moveCall(ctx, call, 'ended')
  for (const ledger of call.ledgerQueues) {
    if (ledger.outcome === null) ledger.outcome = 'abandoned'
    ledger.exitAt ??= ctx.now
  }
  const records = buildCallLog(ctx.co, call, ctx.now)
  const out = ctx.out
  for (const record of records) out.callLog = withItem(out.callLog, record)
  noteMissed(ctx, call)
  out.ended = withItem(out.ended, endedCall(ctx.co, call))
  ctx.co.calls.delete(call.id)
  ctx.callRemoved(call)
}

/** An unanswered queue call joins the shared missed-call worklist (once, however many rang). */
function noteMissed(ctx: Ctx, call: Call): void {
  if (call.answeredAt !== null || call.direction !== 'inbound') return
  // The last queue that had an outcome for the call.
  let last: QueueLedger | null = null
  for (const ledger of call.ledgerQueues) if (ledger.outcome !== null) last = ledger
  if (last === null || last.outcome === null) return
  const missed = {
    callId: call.id,
    companyId: ctx.co.id,
    queueId: last.queueId,
    caller: call.remote,
    at: ctx.now,
    outcome: last.outcome,
  }
  ctx.co.missed.set(call.id, missed)
  const byNumber = ctx.co.missedByNumber.get(call.remote.number)
  if (byNumber) byNumber.push(call.id)
  else ctx.co.missedByNumber.set(call.remote.number, [call.id])
  ctx.touchMissed(call.id)
  const co = ctx.co
  co.missedOrder.push(call.id)
  while (co.missed.size > maxMissed && co.missedHead < co.missedOrder.length) {
    dropMissed(ctx, co.missedOrder[co.missedHead++]!)
  }
  // Keep the order list about as long as the worklist: drop what was evicted or called back.
  if (
    co.missedOrder.length - co.missedHead > 2 * maxMissed ||
    (co.missedHead > 1024 && co.missedHead * 2 > co.missedOrder.length)
  ) {
    co.missedOrder = co.missedOrder.slice(co.missedHead).filter((id) => co.missed.has(id))
    co.missedHead = 0
  }
}

export function dropMissed(ctx: Ctx, callId: string): void {
  const entry = ctx.co.missed.get(callId)
  if (!entry) return
  ctx.co.missed.delete(callId)
  const byNumber = ctx.co.missedByNumber.get(entry.caller.number)
  if (byNumber) {
    const i = byNumber.indexOf(callId)
    if (i >= 0) byNumber.splice(i, 1)
    if (byNumber.length === 0) ctx.co.missedByNumber.delete(entry.caller.number)
  }
  ctx.touchMissed(callId)
}

/** Someone reached this number: its missed calls are called back, by them. */
function closeMissedFor(ctx: Ctx, number: PhoneNumber, by: UserId | null): void {
  const ids = ctx.co.missedByNumber.get(number)
  if (!ids || by === null) return
  for (const callId of [...ids]) {
    dropMissed(ctx, callId)
    ctx.out.callbacks = withItem(ctx.out.callbacks, {
      companyId: ctx.co.id,
      callId,
      by,
      at: ctx.now,
      how: 'reached',
    })
  }
}
