/**
 * What users do with calls: answer, reject, pick, hold, transfer (blind and attended), park,
 * hang up, dial out, conference, and mark missed calls as called back.
 * Every handler validates the whole command first and changes nothing when it refuses.
 */
import type { PhoneNumber, QueueId, UserId } from '../../shared/ids'
import type { Destination } from '../../shared/model'
import { normalizeNumber } from '../../shared/phone'
import { isBusy, isTalking } from './agents'
import {
  attachLeg,
  bridgePartner,
  detachLeg,
  connectAnswered,
  createLeg,
  dropMissed,
  endCall,
  endLeg,
  enterQueue,
  externalParty,
  ledgerUser,
  releasePartner,
  ringCommand,
  ringUser,
  routeTo,
  setLegHeld,
  userParty,
  withdrawQueueOffersFor,
  moveLeg,
  moveCall,
  unsettle,
} from './calls'
import type { UserConfig } from './config'
import type { Ctx } from './context'
import { EngineError } from './errors'
import { withItem, type UserCommand } from './io'
import type { Agent, Call, Consult, Leg } from './state'
import { newCall, offerEnded } from './telephony-events'
import { removeAt } from './lists'
import { isLive, livePartner, liveRemote, setPartner, setRemote, userLedgerOf } from './state'

type Handler<T extends UserCommand['type']> = (
  ctx: Ctx,
  input: Extract<UserCommand, { type: T }>,
) => EngineError | null

// ───────────────────────────── validation helpers ─────────────────────────────

export function requireAgent(ctx: Ctx, userId: UserId): Agent | EngineError {
  return (
    ctx.co.agents.get(userId) ??
    new EngineError('UNKNOWN_USER', `no user ${userId} in this company`)
  )
}

function requireCall(ctx: Ctx, callId: string): Call | EngineError {
  return ctx.co.calls.get(callId) ?? new EngineError('UNKNOWN_CALL', `no live call ${callId}`)
}

/** The user must be the one with the caller (the call's agent). */
function requireOwnCall(
  ctx: Ctx,
  userId: UserId,
  callId: string,
): { agent: Agent; call: Call } | EngineError {
  const agent = requireAgent(ctx, userId)
  if (agent instanceof EngineError) return agent
  const call = requireCall(ctx, callId)
  if (call instanceof EngineError) return call
  if (call.agentId !== userId)
    return new EngineError('NOT_YOUR_CALL', `call ${callId} is not with ${userId}`)
  return { agent, call }
}

/** Resolve and check a transfer or conference target. External numbers are normalised. */
function resolveTarget(
  ctx: Ctx,
  userId: UserId,
  target: Destination,
  allowQueue: boolean,
): Destination | EngineError {
  switch (target.kind) {
    case 'user': {
      const agent = ctx.co.agents.get(target.userId)
      if (!agent) return new EngineError('UNKNOWN_USER', `no user ${target.userId} in this company`)
      if (target.userId === userId)
        return new EngineError('INVALID_TARGET', 'cannot transfer a call to yourself')
      return target
    }
    case 'queue':
      if (!allowQueue)
        return new EngineError(
          'INVALID_TARGET',
          'a queue cannot be consulted or conferenced; transfer blind',
        )
      if (!ctx.co.queues.has(target.queueId))
        return new EngineError('UNKNOWN_QUEUE', `no queue ${target.queueId} in this company`)
      return target
    case 'external': {
      const number = normalizeNumber(target.number)
      if (number === null)
        return new EngineError(
          'INVALID_NUMBER',
          `"${target.number}" is not a number that can be dialled`,
        )
      const internal = ctx.co.numbers.get(number)
      if (internal?.kind === 'user')
        return resolveTarget(ctx, userId, { kind: 'user', userId: internal.userId }, allowQueue)
      if (internal?.kind === 'queue') return resolveTarget(ctx, userId, internal, allowQueue)
      return { kind: 'external', number }
    }
  }
}

function lastQueueOf(call: Call): QueueId | null {
  let last: QueueId | null = null
  for (const ledger of call.ledgerQueues) last = ledger.queueId
  return last
}

function partnerLeg(call: Call): Leg | undefined {
  return livePartner(call)
}

// ───────────────────────────── answering ─────────────────────────────

export const onOfferAnswer: Handler<'offer.answer'> = (ctx, input) => {
  const agent = requireAgent(ctx, input.userId)
  if (agent instanceof EngineError) return agent
  const call = requireCall(ctx, input.callId)
  if (call instanceof EngineError) return call
  const offer = call.offers.find((o) => o.userId === input.userId)
  if (!offer)
    return new EngineError(
      'INVALID_STATE',
      `call ${input.callId} is not ringing for ${input.userId}`,
    )
  if (isTalking(agent)) return new EngineError('AGENT_BUSY', 'hold or end the current call first')
  const first = offer.legs[0]!
  const leg =
    offer.legs.find((l) => isLive(l) && l.terminal === 'primary') ??
    (isLive(first) ? first : undefined)
  if (!leg) return new EngineError('INVALID_STATE', 'the offer has no ringing leg')
  ctx.command({ type: 'answer', companyId: ctx.co.id, legId: leg.id })
  connectAnswered(ctx, call, leg)
  return null
}

export const onOfferReject: Handler<'offer.reject'> = (ctx, input) => {
  const agent = requireAgent(ctx, input.userId)
  if (agent instanceof EngineError) return agent
  const call = requireCall(ctx, input.callId)
  if (call instanceof EngineError) return call
  const offer = call.offers.find((o) => o.userId === input.userId)
  if (!offer)
    return new EngineError(
      'INVALID_STATE',
      `call ${input.callId} is not ringing for ${input.userId}`,
    )
  offerEnded(ctx, call, offer, 'rejected')
  return null
}

export const onPick: Handler<'call.pick'> = (ctx, input) => {
  const agent = requireAgent(ctx, input.userId)
  if (agent instanceof EngineError) return agent
  const call = requireCall(ctx, input.callId)
  if (call instanceof EngineError) return call
  if (call.state !== 'queued' || call.queueId === null)
    return new EngineError('INVALID_STATE', `call ${input.callId} is not waiting in a queue`)
  const queueId = call.queueId
  if (!agent.memberships.has(queueId))
    return new EngineError('NOT_A_MEMBER', `${input.userId} is not a member of ${queueId}`)
  if (isTalking(agent)) return new EngineError('AGENT_BUSY', 'hold or end the current call first')
  const ringing = call.offers.find((o) => o.userId === input.userId)
  if (ringing) return onOfferAnswer(ctx, { ...input, type: 'offer.answer' })
  withdrawQueueOffersFor(ctx, agent)
  ctx.trail(call, { kind: 'pick', at: ctx.now, userId: input.userId, queueId })
  const leg = createLeg(ctx, call, 'agent', userParty(ctx, input.userId), input.userId, 'primary')
  ringCommand(ctx, call, leg, { kind: 'user', userId: input.userId }, true)
  connectAnswered(ctx, call, leg)
  return null
}

// ───────────────────────────── hold, hang-up ─────────────────────────────

export const onHold: Handler<'call.hold'> = (ctx, input) => {
  const found = requireOwnCall(ctx, input.userId, input.callId)
  if (found instanceof EngineError) return found
  const { call } = found
  if (call.state !== 'connected')
    return new EngineError('INVALID_STATE', `call is ${call.state}, not connected`)
  setLegHeld(ctx, call, liveRemote(call)!, true)
  const partner = partnerLeg(call)
  if (partner) setLegHeld(ctx, call, partner, true)
  moveCall(ctx, call, 'held')
  if (call.episode?.agentId === input.userId)
    ctx.queueLog('hold', call.episode.queueId, call, input.userId)
  return null
}

export const onResume: Handler<'call.resume'> = (ctx, input) => {
  const found = requireOwnCall(ctx, input.userId, input.callId)
  if (found instanceof EngineError) return found
  const { agent, call } = found
  if (call.state !== 'held')
    return new EngineError('INVALID_STATE', `call is ${call.state}, not held`)
  if (isTalking(agent)) return new EngineError('AGENT_BUSY', 'hold or end the current call first')
  setLegHeld(ctx, call, liveRemote(call)!, false)
  const partner = partnerLeg(call)
  if (partner) setLegHeld(ctx, call, partner, false)
  moveCall(ctx, call, 'connected')
  if (call.episode?.agentId === input.userId)
    ctx.queueLog('unhold', call.episode.queueId, call, input.userId)
  return null
}

export const onHangup: Handler<'call.hangup'> = (ctx, input) => {
  const agent = requireAgent(ctx, input.userId)
  if (agent instanceof EngineError) return agent
  const call = requireCall(ctx, input.callId)
  if (call instanceof EngineError) return call
  if (call.conference) {
    const own = call.conference.members.find((id) => ctx.co.legs.get(id)?.ownerId === input.userId)
    if (!own) return new EngineError('NOT_YOUR_CALL', `${input.userId} is not in this conference`)
    leaveConference(ctx, call, ctx.co.legs.get(own)!, 'call-ended')
    return null
  }
  const remote = liveRemote(call)
  const isOriginator = remote?.ownerId === input.userId
  if (call.agentId !== input.userId && !isOriginator)
    return new EngineError('NOT_YOUR_CALL', `call ${input.callId} is not with ${input.userId}`)
  if (call.state === 'consulting')
    return new EngineError('INVALID_STATE', 'complete or cancel the transfer first')
  if (call.agentId === input.userId) {
    releasePartner(ctx, call, 'call-ended', { kind: 'complete-agent' })
    endCall(ctx, call, 'agent-hung-up')
  } else {
    // The colleague who placed an internal call hangs up: they are the remote party.
    endLeg(ctx, call, remote!, 'call-ended')
    endCall(ctx, call, 'caller-hung-up')
  }
  return null
}

// ───────────────────────────── transfers ─────────────────────────────

export const onBlindTransfer: Handler<'transfer.blind'> = (ctx, input) => {
  const found = requireOwnCall(ctx, input.userId, input.callId)
  if (found instanceof EngineError) return found
  const { call } = found
  if (call.state !== 'connected' && call.state !== 'held')
    return new EngineError(
      'INVALID_STATE',
      `call is ${call.state}; a blind transfer needs a connected or held call`,
    )
  const target = resolveTarget(ctx, input.userId, input.target, true)
  if (target instanceof EngineError) return target
  const busy = targetBusy(ctx, target)
  if (busy) return busy
  ctx.trail(call, { kind: 'transfer', at: ctx.now, by: input.userId, to: target, mode: 'blind' })
  const ledger = userLedgerOf(call, input.userId)
  if (ledger) ledger.transferredTo = target
  const fallbackQueueId = lastQueueOf(call)
  releasePartner(ctx, call, 'transferred', {
    kind: 'transfer',
    destination: target,
    reason: 'blind',
  })
  routeTo(ctx, call, target, {
    via: 'transfer',
    recallTo: input.userId,
    fallbackQueueId,
    newWait: true,
  })
  return null
}

/** A busy colleague without forward-on-busy is refused up front, so the caller stays put. */
function targetBusy(ctx: Ctx, target: Destination): EngineError | null {
  if (target.kind !== 'user') return null
  const agent = ctx.co.agents.get(target.userId)!
  if (agent.absence?.forwardTo) return null
  if (isTalking(agent) && agent.user.forwardOnBusy === null) {
    return new EngineError(
      'TARGET_BUSY',
      `${agent.user.firstName} ${agent.user.lastName} is on a call`,
    )
  }
  return null
}

export const onConsult: Handler<'transfer.consult'> = (ctx, input) => {
  const found = requireOwnCall(ctx, input.userId, input.callId)
  if (found instanceof EngineError) return found
  const { agent, call } = found
  if (call.state !== 'connected' && call.state !== 'held')
    return new EngineError(
      'INVALID_STATE',
      `call is ${call.state}; consult needs a connected or held call`,
    )
  const target = resolveTarget(ctx, input.userId, input.target, false)
  if (target instanceof EngineError) return target
  if (target.kind === 'user' && isBusy(ctx.co.agents.get(target.userId)!)) {
    return new EngineError('TARGET_BUSY', 'the colleague is on a call')
  }
  if (call.state === 'held' && isTalking(agent))
    return new EngineError('AGENT_BUSY', 'hold or end the current call first')
  setLegHeld(ctx, call, liveRemote(call)!, true)
  const partner = partnerLeg(call)
  if (partner) setLegHeld(ctx, call, partner, false)
  const operator = userParty(ctx, input.userId)
  const to =
    target.kind === 'user'
      ? target
      : { kind: 'external' as const, number: target.kind === 'external' ? target.number : '' }
  const leg =
    to.kind === 'user'
      ? createLeg(ctx, call, 'consult', userParty(ctx, to.userId), to.userId, 'primary')
      : createLeg(ctx, call, 'consult', externalParty(ctx, to.number), null, null)
  ctx.command({
    type: 'ring',
    companyId: ctx.co.id,
    callId: call.id,
    legId: leg.id,
    to,
    callerId: operator,
    dialed: leg.party.number,
    presentedNumber: call.presentedNumber,
    autoAnswer: false,
  })
  call.consult = { legId: leg.id, target, state: 'ringing', startedAt: ctx.now, token: ctx.token() }
  ctx.schedule(
    'consult-timeout',
    ctx.now + ctx.co.config.directRingSeconds * 1000,
    call.id,
    call.consult.token,
  )
  if (target.kind === 'user') ledgerUser(ctx, call, target.userId, 'incoming', operator, null)
  moveCall(ctx, call, 'consulting')
  ctx.touchAgent(input.userId)
  return null
}

export function consultAnswered(ctx: Ctx, call: Call, leg: Leg): EngineError | null {
  const consult = call.consult!
  moveLeg(ctx, leg, 'connected')
  consult.state = 'connected'
  startedTalking(ctx, call, leg)
  ctx.command({
    type: 'bridge',
    companyId: ctx.co.id,
    callId: call.id,
    a: call.partnerLegId!,
    b: leg.id,
  })
  ctx.touchCall(call)
  return null
}

/** The consultation is over without a transfer: the operator has the caller back. */
export function consultEnded(
  ctx: Ctx,
  call: Call,
  why: 'transfer-not-answered' | 'cancelled',
): void {
  const consult = call.consult
  if (!consult) return
  const leg = ctx.co.legs.get(consult.legId)
  if (leg) endLeg(ctx, call, leg, why === 'cancelled' ? 'withdrawn' : 'no-answer')
  call.consult = null
  if (why === 'transfer-not-answered' && call.agentId !== null) {
    ctx.trail(call, {
      kind: 'recall',
      at: ctx.now,
      userId: call.agentId,
      reason: 'transfer-not-answered',
    })
  }
  const remote = liveRemote(call)!
  setLegHeld(ctx, call, remote, false)
  const partner = partnerLeg(call)
  if (partner) {
    setLegHeld(ctx, call, partner, false)
    ctx.command({
      type: 'bridge',
      companyId: ctx.co.id,
      callId: call.id,
      a: remote.id,
      b: partner.id,
    })
  }
  moveCall(ctx, call, 'connected')
}

/**
 * The caller hung up while their operator was consulting someone. On a PBX a consultation is a
 * call of its own, and so it is here: the operator's leg and the consult leg move to a new call,
 * ringing or talking as they were, and the caller's call ends with its own records (the queue's
 * complete-caller, the operator's talk time with the caller, wrap-up). The new call has the shape
 * the operator would have got by dialling: an internal call with the operator as the calling
 * party when a colleague was consulted, an outgoing call when an outside number was.
 */
export function consultationGoesOn(ctx: Ctx, call: Call): void {
  const consult = call.consult!
  const operatorLeg = livePartner(call)!
  const operatorId = operatorLeg.ownerId!
  const consultLeg = ctx.co.legs.get(consult.legId)!
  const targetId = consultLeg.ownerId
  call.consult = null
  detachLeg(ctx, call, consultLeg)
  // The colleague never talked to the caller: their part of the record goes with the leg.
  const targetLedger = targetId !== null ? userLedgerOf(call, targetId) : undefined
  if (targetLedger) removeAt(call.ledgerUsers, call.ledgerUsers.indexOf(targetLedger))
  releasePartner(ctx, call, 'moved', { kind: 'complete-caller' })
  endCall(ctx, call, 'caller-hung-up')

  const connected = consult.state === 'connected'
  const operator = operatorLeg.party
  const to = consultLeg.party
  const next =
    targetId !== null
      ? newCall(ctx, 'internal', operator, to.number, 0)
      : newCall(ctx, 'outbound', to, to.number, 0, 'dialing')
  next.originatorId = operatorId
  next.presentedNumber = call.presentedNumber
  next.startedAt = consult.startedAt
  ctx.co.calls.set(next.id, next)
  attachLeg(ctx, next, operatorLeg)
  attachLeg(ctx, next, consultLeg)
  const own = ledgerUser(ctx, next, operatorId, 'outgoing', to, null)
  own.startedAt = consult.startedAt
  ctx.trail(next, {
    kind: 'route',
    at: ctx.now,
    dialed: to.number,
    to: consult.target,
    note: 'consultation, going on after the caller hung up',
  })
  if (targetId !== null) {
    // As an internal call: the operator is the calling party, the colleague the one called
    // (the caller's side of an internal call is answered when it starts, as in onDial).
    own.answeredAt = consult.startedAt
    if (targetLedger) {
      targetLedger.counterpart = operator
      next.ledgerUsers.push(targetLedger)
    }
    operatorLeg.role = 'caller'
    setRemote(next, operatorLeg)
    if (connected) {
      consultLeg.role = 'agent'
      setPartner(next, consultLeg)
      next.agentId = targetId
      next.answeredAt = consultLeg.answeredAt
      moveCall(ctx, next, 'connected')
    } else {
      consultLegRings(
        ctx,
        next,
        consultLeg,
        { via: 'direct', userId: targetId, recallTo: null, fallbackQueueId: null },
        consult.startedAt,
        consult,
      )
    }
  } else {
    // As an outgoing call: the operator is the partner, the number called the remote party.
    operatorLeg.role = 'agent'
    consultLeg.role = 'callee'
    setRemote(next, consultLeg)
    setPartner(next, operatorLeg)
    next.agentId = operatorId
    if (connected) {
      own.answeredAt = consultLeg.answeredAt
      next.answeredAt = consultLeg.answeredAt
      moveCall(ctx, next, 'connected')
    } else {
      ctx.schedule(
        'dial-timeout',
        consult.startedAt + ctx.co.config.directRingSeconds * 1000,
        next.id,
        0,
      )
    }
  }
  // The adapters hear that the two legs now talk in the new call (for them, nothing changes).
  if (connected)
    ctx.command({
      type: 'bridge',
      companyId: ctx.co.id,
      callId: next.id,
      a: next.remoteLegId,
      b: next.partnerLegId!,
    })
  ctx.touchAgent(operatorId)
}

/**
 * A ringing consult leg becomes an ordinary offer of `call` (the caller's, on a semi-attended
 * transfer, or the consultation's own): it rings on until the consultation's ring time is up.
 */
function consultLegRings(
  ctx: Ctx,
  call: Call,
  leg: Leg,
  ring: NonNullable<Call['ring']>,
  offeredAt: number,
  consult: Consult,
): void {
  leg.role = 'offer'
  const token = ctx.token()
  call.offers.push({
    userId: leg.ownerId,
    number: leg.party.number,
    legs: [leg],
    queueId: null,
    startedAt: offeredAt,
    token,
  })
  unsettle(ctx, call)
  call.ring = ring
  ctx.schedule(
    'offer-timeout',
    consult.startedAt + ctx.co.config.directRingSeconds * 1000,
    call.id,
    token,
  )
}

/**
 * Complete an attended transfer. If the target has answered, the caller is connected to them;
 * if it is still ringing, the caller is left ringing the target (semi-attended) and comes
 * back to the operator if nobody answers.
 */
export function completeConsult(ctx: Ctx, call: Call, reason: 'transferred' | null): void {
  const consult = call.consult!
  const operatorId = call.agentId!
  const leg = ctx.co.legs.get(consult.legId)!
  ctx.trail(call, {
    kind: 'transfer',
    at: ctx.now,
    by: operatorId,
    to: consult.target,
    mode: 'attended',
  })
  const ledger = userLedgerOf(call, operatorId)
  if (ledger) ledger.transferredTo = consult.target
  const fallbackQueueId = lastQueueOf(call)
  releasePartner(ctx, call, reason, {
    kind: 'transfer',
    destination: consult.target,
    reason: 'attended',
  })
  call.consult = null
  if (leg.ownerId !== null) {
    const targetLedger = userLedgerOf(call, leg.ownerId)
    if (targetLedger) targetLedger.counterpart = call.remote
  }
  if (consult.state === 'connected') {
    bridgePartner(ctx, call, leg, null)
    return
  }
  // Semi-attended: the consult leg becomes an ordinary ringing offer for the caller.
  consultLegRings(
    ctx,
    call,
    leg,
    { via: 'semi-attended', userId: leg.ownerId, recallTo: operatorId, fallbackQueueId },
    ctx.now,
    consult,
  )
  moveCall(ctx, call, 'ringing')
  setLegHeld(ctx, call, liveRemote(call)!, false)
}

export const onComplete: Handler<'transfer.complete'> = (ctx, input) => {
  const found = requireOwnCall(ctx, input.userId, input.callId)
  if (found instanceof EngineError) return found
  const { call } = found
  if (call.state !== 'consulting' || !call.consult)
    return new EngineError('INVALID_STATE', 'there is no consultation to complete')
  const target = call.consult.target
  if (call.consult.state === 'connected' && target.kind === 'user') {
    // The target is talking to the operator on this very call; that is the one exception.
    const agent = ctx.co.agents.get(target.userId)!
    let talkingElsewhere = false
    for (const leg of agent.legs) {
      if (leg.state === 'connected' && leg.callId !== call.id) talkingElsewhere = true
    }
    if (talkingElsewhere) return new EngineError('TARGET_BUSY', 'the colleague is on another call')
  }
  completeConsult(ctx, call, 'transferred')
  return null
}

export const onCancel: Handler<'transfer.cancel'> = (ctx, input) => {
  const found = requireOwnCall(ctx, input.userId, input.callId)
  if (found instanceof EngineError) return found
  const { call } = found
  if (call.state !== 'consulting' || !call.consult)
    return new EngineError('INVALID_STATE', 'there is no consultation to cancel')
  consultEnded(ctx, call, 'cancelled')
  return null
}

/** A consulted colleague or conference guest answered: log it, and stop their queue offers. */
function startedTalking(ctx: Ctx, call: Call, leg: Leg): void {
  if (leg.ownerId === null) return
  const ledger = userLedgerOf(call, leg.ownerId)
  if (ledger) ledger.answeredAt ??= ctx.now
  const agent = ctx.co.agents.get(leg.ownerId)
  if (agent) withdrawQueueOffersFor(ctx, agent)
}

// ───────────────────────────── park ─────────────────────────────

export const onPark: Handler<'call.park'> = (ctx, input) => {
  const found = requireOwnCall(ctx, input.userId, input.callId)
  if (found instanceof EngineError) return found
  const { call } = found
  if (call.state !== 'connected' && call.state !== 'held')
    return new EngineError(
      'INVALID_STATE',
      `call is ${call.state}; only a connected or held call can be parked`,
    )
  const slot = ctx.co.parkSlots.indexOf(null)
  if (slot < 0) return new EngineError('PARK_FULL', 'every park slot is taken')
  releasePartner(ctx, call, 'transferred', { kind: 'transfer', reason: 'park', destination: null })
  const remote = liveRemote(call)!
  setLegHeld(ctx, call, remote, true)
  ctx.co.parkSlots[slot] = call.id
  call.parkedSlot = slot
  call.parkedBy = input.userId
  call.parkToken = ctx.token()
  ctx.schedule(
    'park-timeout',
    ctx.now + ctx.co.config.parkTimeoutSeconds * 1000,
    call.id,
    call.parkToken,
  )
  moveCall(ctx, call, 'parked')
  return null
}

export const onRetrieve: Handler<'call.retrieve'> = (ctx, input) => {
  const agent = requireAgent(ctx, input.userId)
  if (agent instanceof EngineError) return agent
  const callId = Number.isInteger(input.slot) ? ctx.co.parkSlots[input.slot] : undefined
  if (callId === undefined || callId === null)
    return new EngineError('UNKNOWN_SLOT', `park slot ${input.slot} is empty`)
  const call = ctx.co.calls.get(callId)!
  if (isTalking(agent)) return new EngineError('AGENT_BUSY', 'hold or end the current call first')
  withdrawQueueOffersFor(ctx, agent)
  ctx.co.parkSlots[input.slot] = null
  call.parkedSlot = null
  call.parkedBy = null
  const leg = createLeg(ctx, call, 'agent', userParty(ctx, input.userId), input.userId, 'primary')
  ringCommand(ctx, call, leg, { kind: 'user', userId: input.userId }, true)
  bridgePartner(ctx, call, leg, null)
  return null
}

/** Nobody retrieved the parked call: it rings the user who parked it. */
export function parkTimedOut(ctx: Ctx, call: Call): void {
  const parkedBy = call.parkedBy!
  if (call.parkedSlot !== null) ctx.co.parkSlots[call.parkedSlot] = null
  call.parkedSlot = null
  call.parkedBy = null
  ctx.trail(call, { kind: 'recall', at: ctx.now, userId: parkedBy, reason: 'park-timeout' })
  ringUser(ctx, call, parkedBy, {
    via: 'recall',
    recallTo: null,
    fallbackQueueId: lastQueueOf(call),
  })
}

// ───────────────────────────── outgoing calls ─────────────────────────────

/** The numbers a user may present: their own mobile and direct line, then those granted (§3). */
export function presentableNumbers(user: UserConfig): PhoneNumber[] {
  const own = [user.mobile, user.direct].filter((n): n is PhoneNumber => n !== null)
  return [...new Set([...own, ...user.presentableNumbers])]
}

export const onDial: Handler<'call.dial'> = (ctx, input) => {
  const agent = requireAgent(ctx, input.userId)
  if (agent instanceof EngineError) return agent
  const to = normalizeNumber(input.to)
  if (to === null)
    return new EngineError('INVALID_NUMBER', `"${input.to}" is not a number that can be dialled`)
  const presented = normalizeNumber(input.presentedNumber)
  if (presented === null || !presentableNumbers(agent.user).includes(presented)) {
    return new EngineError(
      'NUMBER_NOT_ALLOWED',
      `${input.presentedNumber} is not a number ${input.userId} may present`,
    )
  }
  if (isTalking(agent)) return new EngineError('AGENT_BUSY', 'hold or end the current call first')
  const internal = ctx.co.numbers.get(to)
  if (internal?.kind === 'user' && internal.userId === input.userId)
    return new EngineError('INVALID_TARGET', 'cannot call yourself')
  withdrawQueueOffersFor(ctx, agent)
  const self = userParty(ctx, input.userId, presented)
  if (internal) {
    // An internal call: the colleague who dials is the remote party; the callee answers it.
    const call = newCall(ctx, 'internal', self, to, 0)
    call.originatorId = input.userId
    call.presentedNumber = presented
    const leg = createLeg(ctx, call, 'caller', self, input.userId, 'primary')
    setRemote(call, leg)
    ringCommand(ctx, call, leg, { kind: 'user', userId: input.userId }, true)
    moveLeg(ctx, leg, 'connected')
    ctx.co.calls.set(call.id, call)
    const destination: Destination =
      internal.kind === 'user' ? { kind: 'user', userId: internal.userId } : internal
    const counterpart =
      internal.kind === 'user'
        ? userParty(ctx, internal.userId, to)
        : { number: to, name: ctx.co.queues.get(internal.queueId)!.config.name, userId: null }
    ledgerUser(ctx, call, input.userId, 'outgoing', counterpart, null).answeredAt = ctx.now
    ctx.trail(call, {
      kind: 'route',
      at: ctx.now,
      dialed: to,
      to: destination,
      note: 'internal call',
    })
    if (internal.kind === 'queue')
      enterQueue(ctx, call, ctx.co.queues.get(internal.queueId)!, {
        waitingSince: ctx.now,
        reason: 'internal',
      })
    else
      ringUser(ctx, call, internal.userId, { via: 'direct', recallTo: null, fallbackQueueId: null })
    return null
  }
  const remote = externalParty(ctx, to)
  const call = newCall(ctx, 'outbound', remote, to, 0, 'dialing')
  call.originatorId = input.userId
  call.presentedNumber = presented
  const own = createLeg(ctx, call, 'agent', self, input.userId, 'primary')
  ringCommand(ctx, call, own, { kind: 'user', userId: input.userId }, true)
  moveLeg(ctx, own, 'connected')
  const far = createLeg(ctx, call, 'callee', remote, null, null)
  setRemote(call, far)
  setPartner(call, own)
  call.agentId = input.userId
  ctx.co.calls.set(call.id, call)
  ctx.command({
    type: 'ring',
    companyId: ctx.co.id,
    callId: call.id,
    legId: far.id,
    to: { kind: 'external', number: to },
    callerId: self,
    dialed: to,
    presentedNumber: presented,
    autoAnswer: false,
  })
  ledgerUser(ctx, call, input.userId, 'outgoing', remote, null)
  ctx.trail(call, {
    kind: 'route',
    at: ctx.now,
    dialed: to,
    to: { kind: 'external', number: to },
    note: `outgoing, presenting ${presented}`,
  })
  ctx.schedule('dial-timeout', ctx.now + ctx.co.config.dialTimeoutSeconds * 1000, call.id, 0)
  return null
}

// ───────────────────────────── conference ─────────────────────────────

export const onConferenceCreate: Handler<'conference.create'> = (ctx, input) => {
  const found = requireOwnCall(ctx, input.userId, input.callId)
  if (found instanceof EngineError) return found
  const { call } = found
  if (call.state !== 'connected')
    return new EngineError(
      'INVALID_STATE',
      `call is ${call.state}; a conference starts from a connected call`,
    )
  call.conference = {
    id: ctx.newId('conference'),
    ownerId: input.userId,
    members: [call.remoteLegId, call.partnerLegId!],
    invited: [],
  }
  moveCall(ctx, call, 'conference')
  ctx.command({
    type: 'conference',
    companyId: ctx.co.id,
    callId: call.id,
    legIds: [...call.conference.members],
  })
  return null
}

function requireConferenceMember(ctx: Ctx, userId: UserId, callId: string): Call | EngineError {
  const agent = requireAgent(ctx, userId)
  if (agent instanceof EngineError) return agent
  const call = requireCall(ctx, callId)
  if (call instanceof EngineError) return call
  if (!call.conference)
    return new EngineError('INVALID_STATE', `call ${callId} is not a conference`)
  const member = call.conference.members.some((id) => ctx.co.legs.get(id)?.ownerId === userId)
  if (!member) return new EngineError('NOT_YOUR_CALL', `${userId} is not in this conference`)
  return call
}

export const onConferenceAdd: Handler<'conference.add'> = (ctx, input) => {
  const call = requireConferenceMember(ctx, input.userId, input.callId)
  if (call instanceof EngineError) return call
  const target = resolveTarget(ctx, input.userId, input.target, false)
  if (target instanceof EngineError) return target
  if (target.kind === 'user') {
    if (isBusy(ctx.co.agents.get(target.userId)!))
      return new EngineError('TARGET_BUSY', 'the colleague is on a call')
    const already = [...call.conference!.members, ...call.conference!.invited].some(
      (id) => ctx.co.legs.get(id)?.ownerId === target.userId,
    )
    if (already) return new EngineError('INVALID_TARGET', 'already in the conference')
  }
  const number = target.kind === 'external' ? target.number : ''
  const leg =
    target.kind === 'user'
      ? createLeg(ctx, call, 'participant', userParty(ctx, target.userId), target.userId, 'primary')
      : createLeg(ctx, call, 'participant', externalParty(ctx, number), null, null)
  ringCommand(
    ctx,
    call,
    leg,
    target.kind === 'user' ? { kind: 'user', userId: target.userId } : { kind: 'external', number },
    false,
  )
  call.conference!.invited.push(leg.id)
  if (target.kind === 'user') ledgerUser(ctx, call, target.userId, 'incoming', call.remote, null)
  ctx.schedule('invite-timeout', ctx.now + ctx.co.config.directRingSeconds * 1000, leg.id, 0)
  return null
}

export function conferenceInviteAnswered(ctx: Ctx, call: Call, leg: Leg): EngineError | null {
  const conference = call.conference!
  moveLeg(ctx, leg, 'connected')
  conference.invited = conference.invited.filter((id) => id !== leg.id)
  conference.members.push(leg.id)
  startedTalking(ctx, call, leg)
  ctx.command({
    type: 'conference',
    companyId: ctx.co.id,
    callId: call.id,
    legIds: [...conference.members],
  })
  ctx.touchCall(call)
  return null
}

export const onConferenceRemove: Handler<'conference.remove'> = (ctx, input) => {
  const call = requireConferenceMember(ctx, input.userId, input.callId)
  if (call instanceof EngineError) return call
  const conference = call.conference!
  if (!conference.members.includes(input.legId) && !conference.invited.includes(input.legId)) {
    return new EngineError('UNKNOWN_LEG', `leg ${input.legId} is not in this conference`)
  }
  leaveConference(ctx, call, ctx.co.legs.get(input.legId)!, 'removed')
  return null
}

export const onConferenceEnd: Handler<'conference.end'> = (ctx, input) => {
  const call = requireConferenceMember(ctx, input.userId, input.callId)
  if (call instanceof EngineError) return call
  endCall(ctx, call, 'conference-ended')
  return null
}

/**
 * A party leaves the conference. The caller leaving ends it. With the caller and one user
 * left it becomes an ordinary call between them; with nobody but the caller it ends.
 */
export function leaveConference(
  ctx: Ctx,
  call: Call,
  leg: Leg,
  reason: 'removed' | 'call-ended' | null,
): void {
  const conference = call.conference!
  if (leg.id === call.remoteLegId) {
    endLeg(ctx, call, leg, reason)
    endCall(ctx, call, 'caller-hung-up')
    return
  }
  if (leg.id === call.partnerLegId) {
    // The agent who brought the caller in leaves: their part (and queue episode) ends here.
    releasePartner(ctx, call, reason, {
      kind: 'transfer',
      destination: null,
      reason: 'left conference',
    })
  } else {
    endLeg(ctx, call, leg, reason)
  }
  conference.members = conference.members.filter((id) => id !== leg.id && ctx.co.legs.has(id))
  conference.invited = conference.invited.filter((id) => id !== leg.id && ctx.co.legs.has(id))
  const others = conference.members.filter((id) => id !== call.remoteLegId)
  if (others.length === 0) {
    endCall(ctx, call, 'conference-ended')
    return
  }
  let partnerLegId = call.partnerLegId
  if (partnerLegId === null) {
    const next = ctx.co.legs.get(others[0]!)!
    setPartner(call, next)
    partnerLegId = next.id
    call.agentId = next.ownerId
  }
  if (others.length === 1 && conference.invited.length === 0) {
    call.conference = null
    moveCall(ctx, call, 'connected')
    ctx.command({
      type: 'bridge',
      companyId: ctx.co.id,
      callId: call.id,
      a: call.remoteLegId,
      b: partnerLegId,
    })
  } else {
    ctx.command({
      type: 'conference',
      companyId: ctx.co.id,
      callId: call.id,
      legIds: [...conference.members],
    })
  }
  ctx.touchCall(call)
}

// ───────────────────────────── callbacks ─────────────────────────────

export const onCallbackMark: Handler<'callback.mark'> = (ctx, input) => {
  const agent = requireAgent(ctx, input.userId)
  if (agent instanceof EngineError) return agent
  if (!ctx.co.missed.has(input.callId))
    return new EngineError('NOT_MISSED', `call ${input.callId} is not on the missed-call list`)
  dropMissed(ctx, input.callId)
  ctx.out.callbacks = withItem(ctx.out.callbacks, {
    companyId: ctx.co.id,
    callId: input.callId,
    by: input.userId,
    at: ctx.now,
    how: 'marked',
  })
  return null
}
