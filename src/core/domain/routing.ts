/**
 * Distribution: which waiting caller is offered to which member, and why.
 *
 * Callers are considered in one company-wide order (VIP, then priority, then time waited), so a
 * member of several queues is offered the caller who has waited longest across them. Within a
 * queue the order is strict: if the first caller cannot be offered anyone (or is in its retry
 * delay), no later caller of that queue is offered ahead of it. Only queues marked dirty by
 * something that could change a match are looked at, which keeps a step cheap however many
 * callers wait elsewhere.
 */
import type { UserId } from '../../shared/ids'
import type { RankBasis, RoutingStrategy } from '../../shared/model'
import { refreshAgent, refreshStaleAgents } from './agents'
import { compareWaiting, exitQueue, offerUser } from './calls'
import type { Ctx } from './context'
import type { Agent, Call, CompanyState, Membership, QueueRuntime } from './state'
import { skipCode, type ReasonCodes } from './trail'

interface Candidate {
  /** Index in the queue's member list. */
  index: number
  userId: UserId
  agent: Agent
  membership: Membership
  offered: boolean
  /** Sort key (lower ranks first) and the figure shown in the trail, set by rank(). */
  key: number
  value: number
}

interface Cursor {
  queue: QueueRuntime
  index: number
}

/** Bound on re-running distribution in one step (an overflow can dirty another queue). */
const maxPasses = 16

export function distribute(ctx: Ctx): void {
  const co = ctx.co
  for (let pass = 0; pass < maxPasses; pass++) {
    refreshStaleAgents(co, ctx.now)
    const dirty = co.dirtyQueues
    if (dirty.length === 0) return
    co.dirtyQueues = []
    const cursors: Cursor[] = []
    const emptied: QueueRuntime[] = []
    for (const queue of dirty) {
      queue.dirty = false
      if (queue.waiting.length === 0) continue
      if (queue.config.leaveWhenEmpty && queue.presentCount === 0) emptied.push(queue)
      else cursors.push({ queue, index: 0 })
    }
    for (const queue of emptied)
      for (const call of [...queue.waiting]) exitQueue(ctx, call, 'empty')
    while (cursors.length > 0) {
      let best = -1
      for (let i = 0; i < cursors.length; i++) {
        const cursor = cursors[i]!
        skipSatisfied(cursor)
        if (cursor.index >= cursor.queue.waiting.length) {
          cursors.splice(i--, 1)
          continue
        }
        if (best < 0 || compareWaiting(head(cursor), head(cursors[best]!)) < 0) best = i
      }
      if (best < 0) break
      const cursor = cursors[best]!
      const call = head(cursor)
      if (call.nextOfferAt > ctx.now || !offerNext(ctx, cursor.queue, call)) {
        // Strict order within the queue: nobody behind this caller goes first.
        cursors.splice(best, 1)
      } else {
        cursor.index++
      }
    }
  }
}

function head(cursor: Cursor): Call {
  return cursor.queue.waiting[cursor.index]!
}

/** Callers of one-offer-at-a-time strategies whose offer is ringing need nothing now. */
function skipSatisfied(cursor: Cursor): void {
  const strategy = cursor.queue.config.strategy
  if (strategy === 'ring-all' || strategy === 'ring-progressively') return
  const waiting = cursor.queue.waiting
  while (cursor.index < waiting.length && waiting[cursor.index]!.offers.length > 0) cursor.index++
}

/** Try to offer this caller to members of its queue. Returns whether anyone new was offered. */
export function offerNext(ctx: Ctx, queue: QueueRuntime, call: Call): boolean {
  const config = queue.config
  if (queue.idleCount === 0) {
    // Nobody is free: nothing can be offered. Say why once, the first time it happens.
    if (call.offers.length === 0 && !call.noAgentNoted)
      noteNoAgent(ctx, queue, call, candidates(queue, call).reasons)
    return false
  }
  let { eligible, reasons } = candidates(queue, call)
  if (
    !eligible.some((c) => !c.offered) &&
    call.triedThisRound.length > 0 &&
    reasons.includes(skipCode['no-answer-this-call'])
  ) {
    // Everyone free has had a go at this caller: start a new round.
    call.triedThisRound.length = 0
    ;({ eligible, reasons } = candidates(queue, call))
  }
  let best = Infinity
  for (const c of eligible) best = Math.min(best, c.membership.penalty)
  const tier: Candidate[] = []
  for (const c of eligible) {
    if (c.membership.penalty === best) tier.push(c)
    else reasons[c.index] = skipCode['penalty-tier']
  }
  const { ranked, rankedBy, values } = rank(ctx.co, queue, config.strategy, tier, ctx.now)
  const chosen = choose(config.strategy, ranked, call)
  if (chosen.length === 0) {
    if (call.offers.length === 0 && !call.noAgentNoted) noteNoAgent(ctx, queue, call, reasons)
    return false
  }
  for (const c of chosen) {
    offerUser(ctx, call, c.userId, config.id, config.ringTimeoutSeconds)
    ctx.queueLog('offer', config.id, call, c.userId)
    // The member now rings: update their flags at once so the next caller sees it.
    refreshAgent(ctx.co, c.agent, ctx.now)
  }
  if (config.strategy === 'round-robin') queue.rrCursor = chosen[0]!.membership.order
  if (config.strategy === 'ring-progressively' && !call.progressiveStarted) {
    // The progression starts with the first offer, not when the caller joined: a caller who
    // waited while everyone was busy is not rung to all members at once.
    call.progressiveStarted = true
    ctx.schedule(
      'progressive-step',
      ctx.now + config.progressiveStepSeconds * 1000,
      call.id,
      call.queueToken,
    )
  }
  call.noAgentNoted = false
  ctx.trail(call, {
    kind: 'offer',
    at: ctx.now,
    queueId: config.id,
    strategy: config.strategy,
    rankedBy,
    members: queue.memberIds,
    reasons,
    ranked: ranked.map((c) => c.index),
    values,
    chosen: chosen.map((c) => c.index),
  })
  return true
}

function noteNoAgent(ctx: Ctx, queue: QueueRuntime, call: Call, reasons: ReasonCodes): void {
  call.noAgentNoted = true
  const config = queue.config
  ctx.trail(call, {
    kind: 'no-agent',
    at: ctx.now,
    queueId: config.id,
    strategy: config.strategy,
    rankedBy: 'position',
    members: queue.memberIds,
    reasons,
    ranked: [],
    values: [],
    chosen: [],
  })
  ctx.touchCall(call)
}

/**
 * Every member of the queue: those who could take this caller, and for each one who cannot,
 * the reason (a compact code per member, see trail.ts). The queue keeps each member's general
 * reason up to date; only what concerns this caller (offered already, did not answer it) is
 * worked out here.
 */
function candidates(
  queue: QueueRuntime,
  call: Call,
): { eligible: Candidate[]; reasons: ReasonCodes } {
  const reasons = queue.memberCodes.slice()
  const offered: number[] = []
  for (const offer of call.offers) {
    const order = offer.userId !== null ? queue.memberIndex.get(offer.userId) : undefined
    if (order !== undefined) {
      reasons[order] = 0
      offered.push(order)
    }
  }
  if (call.triedThisRound.length > 0)
    for (const userId of call.triedThisRound) {
      const order = queue.memberIndex.get(userId)
      if (order !== undefined && reasons[order] === 0 && !offered.includes(order))
        reasons[order] = skipCode['no-answer-this-call']
    }
  const eligible: Candidate[] = []
  for (let i = 0; i < reasons.length; i++) {
    if (reasons[i] !== 0) continue
    const { agent, membership } = queue.members[i]!
    eligible.push({
      index: i,
      userId: agent.user.id,
      agent,
      membership,
      offered: offered.includes(i),
      key: 0,
      value: 0,
    })
  }
  return { eligible, reasons }
}

/**
 * Order the tier by the strategy's figure. The tier arrives in member order and the sort is
 * stable, so ties go to the member listed first.
 */
function rank(
  co: CompanyState,
  queue: QueueRuntime,
  strategy: RoutingStrategy,
  tier: Candidate[],
  now: number,
): { ranked: Candidate[]; rankedBy: RankBasis; values: number[] } {
  let rankedBy: RankBasis
  switch (strategy) {
    case 'ring-all':
    case 'linear':
    case 'ring-progressively':
      rankedBy = 'position'
      for (const c of tier) c.key = c.value = c.membership.order + 1
      break
    case 'round-robin': {
      // Start with the member after the one offered last (Asterisk's rrmemory).
      rankedBy = 'rotation'
      const n = Math.max(queue.memberIds.length, 1)
      for (const c of tier) c.key = c.value = (c.membership.order - queue.rrCursor - 1 + 2 * n) % n
      break
    }
    case 'longest-idle':
      rankedBy = 'idle-ms'
      for (const c of tier) {
        c.value = now - (c.agent.lastCallEndedAt ?? 0)
        c.key = -c.value
      }
      break
    case 'fewest-calls':
      rankedBy = 'calls'
      for (const c of tier) c.key = c.value = c.agent.answeredCalls
      break
    case 'least-talk-time':
      rankedBy = 'talk-ms'
      for (const c of tier) c.key = c.value = c.agent.talkMs
      break
    case 'random':
      rankedBy = 'draw'
      for (const c of tier) {
        c.key = nextRandom(co)
        c.value = Math.round(c.key * 1e6)
      }
      break
  }
  if (rankedBy !== 'position') tier.sort(byKey)
  const values = new Array<number>(tier.length)
  for (let i = 0; i < tier.length; i++) values[i] = tier[i]!.value
  return { ranked: tier, rankedBy, values }
}

function byKey(a: Candidate, b: Candidate): number {
  return a.key - b.key
}

function choose(strategy: RoutingStrategy, ranked: Candidate[], call: Call): Candidate[] {
  switch (strategy) {
    case 'ring-all':
      return ranked.filter((c) => !c.offered)
    case 'ring-progressively':
      return ranked.slice(0, call.progressiveCount).filter((c) => !c.offered)
    default:
      return call.offers.length === 0 && ranked.length > 0 ? [ranked[0]!] : []
  }
}

/** mulberry32: small, fast and good enough for picking among queue members; state in the company. */
export function nextRandom(co: CompanyState): number {
  co.rng = (co.rng + 0x6d2b79f5) | 0
  let t = co.rng
  t = Math.imul(t ^ (t >>> 15), t | 1)
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296
}
