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
import type { RankBasis, RoutingStrategy, SkipReason } from '../../shared/model'
import { refreshAgent, refreshStaleAgents, skipReason } from './agents'
import { compareWaiting, exitQueue, offerUser } from './calls'
import type { Ctx } from './context'
import type { Agent, Call, CompanyState, Membership, QueueRuntime } from './state'

interface Candidate {
  userId: UserId
  agent: Agent
  membership: Membership
  offered: boolean
}

interface Cursor {
  queue: QueueRuntime
  index: number
}

type Skipped = { userId: UserId; reason: SkipReason }[]

/** Bound on re-running distribution in one step (an overflow can dirty another queue). */
const maxPasses = 16

export function distribute(ctx: Ctx): void {
  const co = ctx.co
  for (let pass = 0; pass < maxPasses; pass++) {
    refreshStaleAgents(co, ctx.now)
    if (co.dirtyQueues.size === 0) return
    const dirty = [...co.dirtyQueues]
    co.dirtyQueues.clear()
    const cursors: Cursor[] = []
    for (const queueId of dirty) {
      const queue = co.queues.get(queueId)
      if (!queue || queue.waiting.length === 0) continue
      if (queue.config.leaveWhenEmpty && queue.presentCount === 0) {
        for (const call of [...queue.waiting]) exitQueue(ctx, call, 'empty')
        continue
      }
      cursors.push({ queue, index: 0 })
    }
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
      noteNoAgent(ctx, queue, call, candidates(queue, call, ctx.now).skipped)
    return false
  }
  let { eligible, skipped } = candidates(queue, call, ctx.now)
  if (
    !eligible.some((c) => !c.offered) &&
    call.triedThisRound.size > 0 &&
    skipped.some((s) => s.reason === 'no-answer-this-call')
  ) {
    // Everyone free has had a go at this caller: start a new round.
    call.triedThisRound.clear()
    ;({ eligible, skipped } = candidates(queue, call, ctx.now))
  }
  let best = Infinity
  for (const c of eligible) best = Math.min(best, c.membership.penalty)
  const tier: Candidate[] = []
  for (const c of eligible) {
    if (c.membership.penalty === best) tier.push(c)
    else skipped.push({ userId: c.userId, reason: 'penalty-tier' })
  }
  const { ranked, rankedBy, values } = rank(ctx.co, queue, config.strategy, tier, ctx.now)
  const chosen = choose(config.strategy, ranked, call)
  if (chosen.length === 0) {
    if (call.offers.length === 0 && !call.noAgentNoted) noteNoAgent(ctx, queue, call, skipped)
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
    ranked: ranked.map((c, i) => ({ userId: c.userId, value: values[i]! })),
    chosen: chosen.map((c) => c.userId),
    skipped,
  })
  return true
}

function noteNoAgent(ctx: Ctx, queue: QueueRuntime, call: Call, skipped: Skipped): void {
  call.noAgentNoted = true
  ctx.trail(call, {
    kind: 'no-agent',
    at: ctx.now,
    queueId: queue.config.id,
    strategy: queue.config.strategy,
    skipped,
  })
  ctx.touchCall(call)
}

/** Every member of the queue, sorted into those who could take this caller and those skipped (and why). */
function candidates(
  queue: QueueRuntime,
  call: Call,
  now: number,
): { eligible: Candidate[]; skipped: Skipped } {
  const eligible: Candidate[] = []
  const skipped: Skipped = []
  const offered = call.offers.length > 0 ? new Set(call.offers.map((o) => o.userId)) : null
  for (const { agent, membership } of queue.members) {
    const userId = agent.user.id
    const isOffered = offered?.has(userId) ?? false
    const reason = isOffered ? null : skipReason(agent, membership, call, now)
    if (reason === null) eligible.push({ userId, agent, membership, offered: isOffered })
    else skipped.push({ userId, reason })
  }
  return { eligible, skipped }
}

function rank(
  co: CompanyState,
  queue: QueueRuntime,
  strategy: RoutingStrategy,
  tier: Candidate[],
  now: number,
): { ranked: Candidate[]; rankedBy: RankBasis; values: number[] } {
  const byOrder = (a: Candidate, b: Candidate) => a.membership.order - b.membership.order
  switch (strategy) {
    case 'ring-all':
    case 'linear':
    case 'ring-progressively': {
      const ranked = [...tier].sort(byOrder)
      return { ranked, rankedBy: 'position', values: ranked.map((c) => c.membership.order + 1) }
    }
    case 'round-robin': {
      // Start with the member after the one offered last (Asterisk's rrmemory).
      const n = Math.max(queue.memberIds.length, 1)
      const steps = (c: Candidate) => (c.membership.order - queue.rrCursor - 1 + 2 * n) % n
      const ranked = [...tier].sort((a, b) => steps(a) - steps(b))
      return { ranked, rankedBy: 'rotation', values: ranked.map(steps) }
    }
    case 'longest-idle': {
      const idle = (c: Candidate) => now - (c.agent.lastCallEndedAt ?? 0)
      const ranked = [...tier].sort((a, b) => idle(b) - idle(a) || byOrder(a, b))
      return { ranked, rankedBy: 'idle-ms', values: ranked.map(idle) }
    }
    case 'fewest-calls': {
      const ranked = [...tier].sort(
        (a, b) => a.agent.answeredCalls - b.agent.answeredCalls || byOrder(a, b),
      )
      return { ranked, rankedBy: 'calls', values: ranked.map((c) => c.agent.answeredCalls) }
    }
    case 'least-talk-time': {
      const ranked = [...tier].sort((a, b) => a.agent.talkMs - b.agent.talkMs || byOrder(a, b))
      return { ranked, rankedBy: 'talk-ms', values: ranked.map((c) => c.agent.talkMs) }
    }
    case 'random': {
      const draws = tier.map((c) => ({ c, draw: nextRandom(co) }))
      draws.sort((a, b) => a.draw - b.draw || byOrder(a.c, b.c))
      return {
        ranked: draws.map((d) => d.c),
        rankedBy: 'draw',
        values: draws.map((d) => Math.round(d.draw * 1e6)),
      }
    }
  }
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
