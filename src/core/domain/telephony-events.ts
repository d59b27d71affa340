/**
 * What the telephone network tells the engine: a caller arrived, a leg answered, was rejected,
 * failed or hung up. Each handler validates first and returns an error without touching state.
 */
import { normalizeNumber } from '../../shared/phone'
import { isTalking } from './agents'
import {
  createLeg,
  endCall,
  endLeg,
  endOffer,
  enterQueue,
  externalParty,
  findOffer,
  connectAnswered,
  ledgerQueue,
  queueOfferUnanswered,
  releasePartner,
  ringUser,
  bridgePartner,
  notAnswered,
  moveLeg,
} from './calls'
import type { Ctx } from './context'
import { EngineError } from './errors'
import type { TelephonyEvent } from './io'
import {
  consultEnded,
  conferenceInviteAnswered,
  consultAnswered,
  consultationGoesOn,
  leaveConference,
  completeConsult,
} from './operations'
import { roomForFour, roomForTwo } from './lists'
import type { Call, Leg, Offer } from './state'
import { isLive, livePartner, setRemote } from './state'

type Handler<T extends TelephonyEvent['type']> = (
  ctx: Ctx,
  input: Extract<TelephonyEvent, { type: T }>,
) => EngineError | null

export const onCallerArrived: Handler<'caller.arrived'> = (ctx, input) => {
  const co = ctx.co
  if (co.legs.has(input.legId))
    return new EngineError('DUPLICATE_ID', `leg ${input.legId} already exists`)
  const to = normalizeNumber(input.to)
  if (to === null)
    return new EngineError('INVALID_NUMBER', `"${input.to}" is not a number that can be dialled`)
  // Withheld or malformed caller ids are kept as given: the call is still real.
  const from = normalizeNumber(input.from) ?? (input.from.trim() || 'anonymous')
  const route = co.numbers.get(to) ?? null
  const call: Call = newCall(
    ctx,
    'inbound',
    externalParty(ctx, from, input.fromName ?? null),
    to,
    input.priority ?? 0,
  )
  const leg = createLeg(ctx, call, 'caller', call.remote, null, null, input.legId)
  setRemote(call, leg)
  co.calls.set(call.id, call)
  const destination =
    route === null
      ? null
      : route.kind === 'queue'
        ? route
        : { kind: 'user' as const, userId: route.userId }
  ctx.trail(call, {
    kind: 'route',
    at: ctx.now,
    dialed: to,
    to: destination,
    note: route === null ? 'number not in use' : 'by dialled number',
  })
  if (route === null) {
    endCall(ctx, call, 'unroutable', 'not-found')
  } else if (route.kind === 'queue') {
    enterQueue(ctx, call, co.queues.get(route.queueId)!, {
      waitingSince: ctx.now,
      reason: 'arrival',
    })
  } else {
    ringUser(ctx, call, route.userId, { via: 'direct', recallTo: null, fallbackQueueId: null })
  }
  return null
}

/** A new call object, before it has legs or a route. */
export function newCall(
  ctx: Ctx,
  direction: Call['direction'],
  remote: Call['remote'],
  dialed: string,
  priority: number,
  initial: 'ringing' | 'dialing' = 'ringing',
): Call {
  return {
    id: ctx.newId('call'),
    companyId: ctx.co.id,
    seq: ctx.token(),
    direction,
    state: initial,
    startedAt: ctx.now,
    answeredAt: null,
    remote,
    remoteLegId: '',
    remoteLeg: null,
    originatorId: null,
    dialed,
    presentedNumber: null,
    partnerLegId: null,
    partnerLeg: null,
    agentId: null,
    queueId: null,
    enteredQueueAt: null,
    waitingSince: ctx.now,
    vip: false,
    priority,
    episode: null,
    offers: roomForTwo(),
    ring: null,
    triedThisRound: [],
    nextOfferAt: ctx.now,
    progressiveCount: 1,
    noAgentNoted: false,
    progressiveStarted: false,
    overflowHops: 0,
    consult: null,
    parkedSlot: null,
    parkedBy: null,
    parkToken: 0,
    conference: null,
    legIds: roomForFour(),
    trail: roomForFour(),
    trailDropped: 0,
    ledgerUsers: roomForTwo(),
    ledgerQueues: roomForTwo(),
    endReason: null,
    queueToken: 0,
    listedIn: 0,
  }
}

function legAndCall(ctx: Ctx, legId: string): { leg: Leg; call: Call } | EngineError {
  const leg = ctx.co.legs.get(legId)
  if (!leg) return new EngineError('UNKNOWN_LEG', `no live leg ${legId}`)
  const call = leg.call
  if (call.state === 'ended')
    return new EngineError('UNKNOWN_CALL', `leg ${legId} belongs to no live call`)
  return { leg, call }
}

export const onLegAnswered: Handler<'leg.answered'> = (ctx, input) => {
  const found = legAndCall(ctx, input.legId)
  if (found instanceof EngineError) return found
  const { leg, call } = found
  if (leg.state !== 'ringing')
    return new EngineError('INVALID_STATE', `leg ${leg.id} is ${leg.state}, not ringing`)
  // An agent never has two calls in talk at once: a phone that picks up a second call while
  // talking is refused (the adapter hangs that leg up).
  const owner = leg.owner
  if (owner && isTalking(owner))
    return new EngineError('AGENT_BUSY', `${leg.ownerId} is already talking on another call`)
  if (leg.id === call.remoteLegId) {
    if (call.state !== 'dialing')
      return new EngineError(
        'INVALID_STATE',
        'an incoming caller is answered by the core, not by the network',
      )
    const partner = livePartner(call)!
    moveLeg(ctx, leg, 'connected')
    bridgePartner(ctx, call, partner, null)
    return null
  }
  if (call.consult?.legId === leg.id) return consultAnswered(ctx, call, leg)
  if (call.conference?.invited.includes(leg.id)) return conferenceInviteAnswered(ctx, call, leg)
  if (findOffer(call, leg)) {
    connectAnswered(ctx, call, leg)
    return null
  }
  return new EngineError('INVALID_STATE', `leg ${leg.id} is not something that can be answered`)
}

/** One terminal of an offer said no: the offer ends when its last terminal has. */
function offerLegGone(
  ctx: Ctx,
  call: Call,
  leg: Leg,
  offer: Offer,
  how: 'no-answer' | 'rejected',
): void {
  endLeg(ctx, call, leg, null)
  const stillRinging = offer.legs.some(isLive)
  if (stillRinging) return
  offerEnded(ctx, call, offer, how)
}

/** An offer ended unanswered: a queue offer lets the caller go on; a direct one may forward. */
export function offerEnded(
  ctx: Ctx,
  call: Call,
  offer: Offer,
  how: 'no-answer' | 'rejected',
): void {
  if (offer.queueId !== null) return queueOfferUnanswered(ctx, call, offer, how)
  endOffer(ctx, call, offer, how === 'no-answer' ? 'no-answer' : 'busy')
  if (call.offers.length === 0 && call.state === 'ringing')
    notAnswered(ctx, call, how === 'rejected' ? 'busy' : 'no-answer')
}

function legRefused(
  ctx: Ctx,
  call: Call,
  leg: Leg,
  how: 'rejected' | 'failed',
): EngineError | null {
  if (leg.id === call.remoteLegId) {
    if (call.state !== 'dialing')
      return onLegHungUp(ctx, { type: 'leg.hung-up', companyId: ctx.co.id, legId: leg.id })
    endLeg(ctx, call, leg, null)
    endCall(ctx, call, how === 'rejected' ? 'rejected' : 'failed')
    return null
  }
  if (leg.state === 'ringing') {
    const offer = findOffer(call, leg)
    if (offer) {
      offerLegGone(ctx, call, leg, offer, how === 'rejected' ? 'rejected' : 'no-answer')
      return null
    }
    if (call.consult?.legId === leg.id) {
      endLeg(ctx, call, leg, null)
      consultEnded(ctx, call, 'transfer-not-answered')
      return null
    }
    if (call.conference?.invited.includes(leg.id)) {
      endLeg(ctx, call, leg, null)
      call.conference.invited = call.conference.invited.filter((id) => id !== leg.id)
      return null
    }
  }
  // A connected leg that fails is a drop, handled like a hang-up.
  return onLegHungUp(ctx, { type: 'leg.hung-up', companyId: ctx.co.id, legId: leg.id })
}

export const onLegRejected: Handler<'leg.rejected'> = (ctx, input) => {
  const found = legAndCall(ctx, input.legId)
  if (found instanceof EngineError) return found
  if (found.leg.state !== 'ringing')
    return new EngineError('INVALID_STATE', `leg ${input.legId} is ${found.leg.state}, not ringing`)
  return legRefused(ctx, found.call, found.leg, 'rejected')
}

export const onLegFailed: Handler<'leg.failed'> = (ctx, input) => {
  const found = legAndCall(ctx, input.legId)
  if (found instanceof EngineError) return found
  const { leg, call } = found
  if (
    leg.id === call.partnerLegId &&
    leg.ownerId !== null &&
    call.episode?.agentId === leg.ownerId
  ) {
    // The agent's phone dropped a queue caller: the caller goes back first in line
    // rather than being lost (drop protection).
    const queueId = call.episode.queueId
    releasePartner(ctx, call, null, {
      kind: 'complete-agent',
      reason: `agent leg failed: ${input.reason}`,
    })
    const ql = ledgerQueue(ctx, call, queueId)
    ql.outcome = null
    ctx.trail(call, { kind: 'requeue', at: ctx.now, queueId, reason: 'agent leg failed' })
    enterQueue(ctx, call, ctx.co.queues.get(queueId)!, {
      waitingSince: call.startedAt,
      priority: call.priority + 1,
      reason: 'requeue',
    })
    return null
  }
  return legRefused(ctx, call, leg, 'failed')
}

export const onLegHungUp: Handler<'leg.hung-up'> = (ctx, input) => {
  const found = legAndCall(ctx, input.legId)
  if (found instanceof EngineError) return found
  const { leg, call } = found
  if (leg.id === call.remoteLegId) {
    if (call.state === 'queued') {
      const queueId = call.queueId!
      ctx.queueLog('abandon', queueId, call, null, {
        waitMs: ctx.now - (call.enteredQueueAt ?? ctx.now),
      })
      const ql = ledgerQueue(ctx, call, queueId)
      ql.outcome = 'abandoned'
      ql.exitAt = ctx.now
      call.episode = null
      endLeg(ctx, call, leg, null)
      endCall(ctx, call, 'abandoned')
      return null
    }
    endLeg(ctx, call, leg, null)
    if (call.state === 'consulting' && call.consult && livePartner(call)) {
      consultationGoesOn(ctx, call)
      return null
    }
    endCall(ctx, call, call.answeredAt === null ? 'abandoned' : 'caller-hung-up')
    return null
  }
  if (leg.state === 'ringing') return legRefused(ctx, call, leg, 'failed')
  if (
    call.conference &&
    (call.conference.members.includes(leg.id) || call.conference.invited.includes(leg.id))
  ) {
    leaveConference(ctx, call, leg, null)
    return null
  }
  if (leg.id === call.partnerLegId) {
    if (call.state === 'consulting' && call.consult) {
      // Hanging up during a consultation hands the caller to the consulted party (as on a PBX).
      completeConsult(ctx, call, null)
      return null
    }
    releasePartner(ctx, call, null, { kind: 'complete-agent' })
    endCall(ctx, call, 'agent-hung-up')
    return null
  }
  if (call.consult?.legId === leg.id) {
    endLeg(ctx, call, leg, null)
    consultEnded(ctx, call, 'transfer-not-answered')
    return null
  }
  endLeg(ctx, call, leg, null)
  return null
}
