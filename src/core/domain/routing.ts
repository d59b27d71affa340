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
import type { RankBasis, RoutingStrategy } from '../../shared/model'
import { refreshAgent, refreshStaleAgents } from './agents'
import { compareWaiting, exitQueue, offerUser } from './calls'
import type { Ctx } from './context'
import type { Call, CompanyState, QueueRuntime } from './state'
import { skipCode, storedReasons, type ReasonCodes } from './trail'

/** Bound on re-running distribution in one step (an overflow can dirty another queue). */
const maxPasses = 16

/*
 * Scratch space. Distribution runs to completion inside one step and never nests, so these
 * lists are reused instead of being allocated for every event; nothing keeps them. Each is
 * used up to its count; what lies beyond is left over from earlier use.
 */
/** One cursor per queue being served: the queue, and the position of its next caller. */
const cursorQueues: QueueRuntime[] = []
const cursorIndex: number[] = []
let cursorCount = 0
/** Members (by index) this caller's offers are ringing, as found by memberReasons. */
const offeredScratch: number[] = []
let offeredCount = 0
/** The tier being ranked: member indexes, and per tier position its sort key and figure. */
const tierScratch: number[] = []
let tierCount = 0
const keyScratch: number[] = []
const valueScratch: number[] = []
const permScratch: number[] = []
const noChoice: number[] = []
/** Working copies of member codes, one per queue size (the decision stores them as a string). */
const codesBySize: Uint8Array[] = []

/** Stored where a decision has nothing to list (read-only, shared). */
const nobody: number[] = Object.freeze([]) as unknown as number[]

const noAnswerCode = skipCode['no-answer-this-call']
const penaltyTierCode = skipCode['penalty-tier']

export function distribute(ctx: Ctx): void {
  const co = ctx.co
  for (let pass = 0; pass < maxPasses; pass++) {
    refreshStaleAgents(co, ctx.now)
    const dirty = co.dirtyQueues
    if (dirty.length === 0) return
    co.dirtyQueues = []
    cursorCount = 0
    let emptied: QueueRuntime[] | null = null
    for (let i = 0; i < dirty.length; i++) {
      const queue = dirty[i]!
      queue.dirty = false
      if (queue.waiting.length === 0) continue
      if (queue.config.leaveWhenEmpty && queue.presentCount === 0) (emptied ??= []).push(queue)
      else if (queue.idleCount === 0 && queue.settledHead !== null) {
        // Nobody is free and the caller at the head has been told: nothing can happen here.
      } else {
        cursorQueues[cursorCount] = queue
        cursorIndex[cursorCount++] = 0
      }
    }
    if (emptied !== null)
      for (const queue of emptied)
        for (const call of [...queue.waiting]) exitQueue(ctx, call, 'empty')
    while (cursorCount > 0) {
      let best = -1
      let bestCall: Call | null = null
      for (let i = 0; i < cursorCount; i++) {
        const queue = cursorQueues[i]!
        if (queue.idleCount === 0 && queue.settledHead !== null) {
          // An offer elsewhere in this pass took the last free member, and this queue's head
          // has been told already: nothing can happen here (as above).
          removeCursor(i--)
          continue
        }
        const index = skipSatisfied(queue, cursorIndex[i]!)
        cursorIndex[i] = index
        if (index >= queue.waiting.length) {
          removeCursor(i--)
          continue
        }
        const call = queue.waiting[index]!
        if (bestCall === null || compareWaiting(call, bestCall) < 0) {
          best = i
          bestCall = call
        }
      }
      if (bestCall === null) break
      const queue = cursorQueues[best]!
      if (bestCall.nextOfferAt > ctx.now || !offerNext(ctx, queue, bestCall)) {
        // Strict order within the queue: nobody behind this caller goes first. With nobody
        // free and this caller told so, the queue stays as it is until its head changes.
        if (queue.idleCount === 0 && bestCall.noAgentNoted) queue.settledHead = bestCall
        removeCursor(best)
      } else {
        cursorIndex[best]!++
      }
    }
  }
}

function removeCursor(i: number): void {
  cursorCount--
  for (; i < cursorCount; i++) {
    cursorQueues[i] = cursorQueues[i + 1]!
    cursorIndex[i] = cursorIndex[i + 1]!
  }
}

/** Callers of one-offer-at-a-time strategies whose offer is ringing need nothing now. */
function skipSatisfied(queue: QueueRuntime, index: number): number {
  const strategy = queue.config.strategy
  if (strategy === 'ring-all' || strategy === 'ring-progressively') return index
  const waiting = queue.waiting
  while (index < waiting.length && waiting[index]!.offers.length > 0) index++
  return index
}

/** Try to offer this caller to members of its queue. Returns whether anyone new was offered. */
export function offerNext(ctx: Ctx, queue: QueueRuntime, call: Call): boolean {
  const config = queue.config
  if (queue.idleCount === 0) {
    // Nobody is free: nothing can be offered. Say why once, the first time it happens.
    if (call.offers.length === 0 && !call.noAgentNoted)
      noteNoAgent(ctx, queue, call, memberReasons(queue, call))
    return false
  }
  let reasons = memberReasons(queue, call)
  if (
    call.triedThisRound.length > 0 &&
    allEligibleOffered(reasons) &&
    reasons.includes(noAnswerCode)
  ) {
    // Everyone free has had a go at this caller: start a new round.
    call.triedThisRound.length = 0
    reasons = memberReasons(queue, call)
  }
  // The eligible members of the best (lowest) penalty form the tier; the others are skipped.
  const members = queue.members
  const penalties = queue.memberPenalties
  let best = Infinity
  for (let i = 0; i < reasons.length; i++)
    if (reasons[i] === 0) best = Math.min(best, penalties[i]!)
  const tier = tierScratch
  let n = 0
  for (let i = 0; i < reasons.length; i++) {
    if (reasons[i] !== 0) continue
    if (penalties[i] === best) tier[n++] = i
    else reasons[i] = penaltyTierCode
  }
  tierCount = n
  const strategy = config.strategy
  const rankedBy = rank(ctx.co, queue, strategy, ctx.now)
  const ranked = new Array<number>(n)
  // Ranked by position, the figure is the position itself (see CompactDecision).
  const values = rankedBy === 'position' ? nobody : new Array<number>(n)
  if (rankedBy === 'position') {
    for (let t = 0; t < n; t++) ranked[t] = tier[t]!
  } else {
    const perm = sortedTier(n)
    for (let t = 0; t < n; t++) {
      const p = perm[t]!
      ranked[t] = tier[p]!
      values[t] = valueScratch[p]!
    }
  }
  const chosen = choose(strategy, ranked, call)
  if (chosen.length === 0) {
    if (call.offers.length === 0 && !call.noAgentNoted) noteNoAgent(ctx, queue, call, reasons)
    return false
  }
  for (let k = 0; k < chosen.length; k++) {
    const { agent } = members[chosen[k]!]!
    offerUser(ctx, call, agent, config.id, config.ringTimeoutSeconds)
    ctx.queueLog('offer', config.id, call, agent.user.id)
    // The member now rings: update their flags at once so the next caller sees it.
    refreshAgent(ctx.co, agent, ctx.now)
  }
  // A member's index in the queue is their `order`.
  if (strategy === 'round-robin') queue.rrCursor = chosen[0]!
  if (strategy === 'ring-progressively' && !call.progressiveStarted) {
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
    strategy,
    rankedBy,
    members: queue.memberIds,
    reasons: storedReasons(reasons),
    ranked,
    values,
    chosen,
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
    reasons: storedReasons(reasons),
    ranked: nobody,
    values: nobody,
    chosen: nobody,
  })
  ctx.touchCall(call)
}

/**
 * For every member of the queue, why they could not take this caller now (a compact code per
 * member, see trail.ts; 0 = eligible). The queue keeps each member's general reason up to
 * date; only what concerns this caller (offered already, did not answer it) is worked out
 * here. Leaves the members this caller's offers ring in `offeredScratch`.
 */
function memberReasons(queue: QueueRuntime, call: Call): ReasonCodes {
  const codes = queue.memberCodes
  const reasons = (codesBySize[codes.length] ??= new Uint8Array(codes.length))
  reasons.set(codes)
  const offered = offeredScratch
  let count = 0
  const offers = call.offers
  for (let k = 0; k < offers.length; k++) {
    const userId = offers[k]!.userId
    const order = userId !== null ? queue.memberIndex.get(userId) : undefined
    if (order !== undefined) {
      reasons[order] = 0
      offered[count++] = order
    }
  }
  offeredCount = count
  const tried = call.triedThisRound
  for (let k = 0; k < tried.length; k++) {
    const order = queue.memberIndex.get(tried[k]!)
    if (order !== undefined && reasons[order] === 0 && !isOffered(order))
      reasons[order] = noAnswerCode
  }
  return reasons
}

/** Whether one of this caller's offers rings member `index` (see memberReasons). */
function isOffered(index: number): boolean {
  for (let k = 0; k < offeredCount; k++) if (offeredScratch[k] === index) return true
  return false
}

/** Whether every eligible member is already ringing for this caller (or nobody is eligible). */
function allEligibleOffered(reasons: ReasonCodes): boolean {
  for (let i = 0; i < reasons.length; i++) if (reasons[i] === 0 && !isOffered(i)) return false
  return true
}

/**
 * Work out the strategy's figure for each member of the tier (in `tierScratch`, member
 * order): the sort key (lower ranks first) into `keyScratch`, the figure shown in the trail
 * into `valueScratch`. Returns what the figure is.
 */
function rank(
  co: CompanyState,
  queue: QueueRuntime,
  strategy: RoutingStrategy,
  now: number,
): RankBasis {
  const tier = tierScratch
  const members = queue.members
  const n = tierCount
  const keys = keyScratch
  const values = valueScratch
  switch (strategy) {
    case 'ring-all':
    case 'linear':
    case 'ring-progressively':
      // A member's position is their index (their `order`) + 1.
      for (let t = 0; t < n; t++) keys[t] = values[t] = tier[t]! + 1
      return 'position'
    case 'round-robin': {
      // Start with the member after the one offered last (Asterisk's rrmemory).
      const size = Math.max(queue.memberIds.length, 1)
      for (let t = 0; t < n; t++)
        keys[t] = values[t] = (tier[t]! - queue.rrCursor - 1 + 2 * size) % size
      return 'rotation'
    }
    case 'longest-idle':
      for (let t = 0; t < n; t++) {
        const value = now - (members[tier[t]!]!.agent.lastCallEndedAt ?? 0)
        values[t] = value
        keys[t] = -value
      }
      return 'idle-ms'
    case 'fewest-calls':
      for (let t = 0; t < n; t++) keys[t] = values[t] = members[tier[t]!]!.agent.answeredCalls
      return 'calls'
    case 'least-talk-time':
      for (let t = 0; t < n; t++) keys[t] = values[t] = members[tier[t]!]!.agent.talkMs
      return 'talk-ms'
    case 'random':
      for (let t = 0; t < n; t++) {
        const key = nextRandom(co)
        keys[t] = key
        values[t] = Math.round(key * 1e6)
      }
      return 'draw'
  }
}

/**
 * Tier positions in rank order: by key, lower first. The sort is stable and the tier is in
 * member order, so ties go to the member listed first.
 */
function sortedTier(n: number): number[] {
  const keys = keyScratch
  // Up to 64 members (a queue of 50 with most of them free, as in bench:sip): insertion sort,
  // with no comparator calls and no allocation, which costs less than the library's sort there.
  if (n > 64) {
    // Large tiers (rare): the library's stable sort.
    const perm = new Array<number>(n)
    for (let t = 0; t < n; t++) perm[t] = t
    return perm.sort(byKey)
  }
  const perm = permScratch
  for (let t = 0; t < n; t++) perm[t] = t
  for (let t = 1; t < n; t++) {
    const p = perm[t]!
    const key = keys[p]!
    let j = t - 1
    while (j >= 0 && keys[perm[j]!]! - key > 0) {
      perm[j + 1] = perm[j]!
      j--
    }
    perm[j + 1] = p
  }
  return perm
}

function byKey(a: number, b: number): number {
  return keyScratch[a]! - keyScratch[b]!
}

/** The first `limit` ranked members who are not ringing for this caller yet, in rank order. */
function notOffered(ranked: number[], limit: number): number[] {
  let count = 0
  for (let t = 0; t < limit; t++) if (!isOffered(ranked[t]!)) count++
  if (count === 0) return noChoice
  const chosen = new Array<number>(count)
  let k = 0
  for (let t = 0; t < limit; t++) if (!isOffered(ranked[t]!)) chosen[k++] = ranked[t]!
  return chosen
}

/** Which ranked members to ring now (member indexes, in rank order). */
function choose(strategy: RoutingStrategy, ranked: number[], call: Call): number[] {
  switch (strategy) {
    case 'ring-all':
      return notOffered(ranked, ranked.length)
    case 'ring-progressively':
      return notOffered(ranked, Math.min(ranked.length, call.progressiveCount))
    default:
      return call.offers.length === 0 && ranked.length > 0 ? [ranked[0]!] : noChoice
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
