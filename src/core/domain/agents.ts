/**
 * Agents: the company's users seen from the routing side. Their status is derived from their
 * live legs (busy means a connected or held leg) plus absence, queue membership, pause and
 * wrap-up; nothing here is a stored "status" that could go stale.
 */
import type { QueueId } from '../../shared/ids'
import type { AgentActivity, Presence, SkipReason } from '../../shared/model'
import type { Ctx } from './context'
import { skipCode } from './trail'
import type { Agent, Call, CompanyState, Membership, QueueRuntime } from './state'

/** Has a connected or held leg: on a call in the sense of the directory's busy lamp. */
export function isBusy(agent: Agent): boolean {
  return agent.connected + agent.held > 0
}

/** Has a connected (not held) leg: talking right now. */
export function isTalking(agent: Agent): boolean {
  return agent.connected > 0
}

export function inWrapUp(agent: Agent, now: number): boolean {
  return agent.wrapUpUntil !== null && agent.wrapUpUntil > now
}

export function presenceOf(agent: Agent): Presence {
  if (agent.absence) return 'absent'
  return isBusy(agent) ? 'busy' : 'available'
}

export function activityOf(co: CompanyState, agent: Agent, now: number): AgentActivity {
  if (agent.connected > 0) {
    for (const leg of agent.legs) {
      if (leg.state !== 'connected') continue
      const call = leg.call
      return call.state === 'consulting' && call.agentId === agent.user.id
        ? 'consulting'
        : 'on-call'
    }
  }
  if (agent.held > 0) return 'on-hold'
  if (agent.ringing > 0) return 'ringing'
  if (inWrapUp(agent, now)) return 'wrap-up'
  return 'idle'
}

/**
 * Why this member cannot be offered this caller now, or null if they can. The order of the
 * checks decides which reason the why-trail shows when several apply. Members already ringing
 * for this very caller are handled by the caller of this function.
 */
export function skipReason(
  agent: Agent,
  membership: Membership,
  call: Call | null,
  now: number,
): SkipReason | null {
  if (!membership.loggedIn) return 'logged-out'
  if (agent.absence) return 'absent'
  if (membership.paused) return 'paused'
  if (agent.connected + agent.held > 0) return 'busy'
  if (agent.ringing > 0) return 'ringing'
  if (inWrapUp(agent, now)) return 'wrap-up'
  if (call && call.triedThisRound.includes(agent.user.id)) return 'no-answer-this-call'
  return null
}

/**
 * Recompute an agent's derived flags in each of their queues (present, idle) and the queues'
 * counts. A queue in which the agent became idle, or whose staffing changed, is marked for
 * distribution. Cheap: one pass over the agent's memberships.
 */
export function refreshAgent(co: CompanyState, agent: Agent, now: number): void {
  // The reasons in skipReason's order: the membership's own (logged out, paused) and the
  // agent's (absent; busy, ringing, wrap-up), worked out once for all their queues.
  const absent = agent.absence !== null
  const busyCode =
    agent.connected + agent.held > 0
      ? codeBusy
      : agent.ringing > 0
        ? codeRinging
        : inWrapUp(agent, now)
          ? codeWrapUp
          : 0
  // Nothing this depends on changed since the last refresh: the queues are up to date.
  const key = absent ? busyCode + absentKey : busyCode
  if (key === agent.refreshedAs) return
  agent.refreshedAs = key
  const memberships = agent.membershipList
  const codes = co.memberCodes
  for (let i = 0; i < memberships.length; i++) {
    const m = memberships[i]!
    const present = m.loggedIn && !absent && !m.paused
    const code = !m.loggedIn
      ? codeLoggedOut
      : absent
        ? codeAbsent
        : m.paused
          ? codePaused
          : busyCode
    const idle = code === 0
    const queue = m.queue
    codes[m.slot] = code
    if (present === m.present && idle === m.idle) continue
    if (present !== m.present) {
      queue.presentCount += present ? 1 : -1
      m.present = present
      markQueueDirty(co, queue)
    }
    if (idle !== m.idle) {
      queue.idleCount += idle ? 1 : -1
      m.idle = idle
      if (idle) markQueueDirty(co, queue)
    }
  }
}

/** Added to the busy code in Agent.refreshedAs for an absent agent (above every code). */
const absentKey = 256

/** An agent's membership changed (logged in or out, paused, added, removed): refresh in full. */
export function membershipChanged(agent: Agent): void {
  agent.refreshedAs = -1
}

const codeLoggedOut = skipCode['logged-out']
const codeAbsent = skipCode.absent
const codePaused = skipCode.paused
const codeBusy = skipCode.busy
const codeRinging = skipCode.ringing
const codeWrapUp = skipCode['wrap-up']

/** Bring every agent touched since the last distribution up to date. */
export function refreshStaleAgents(co: CompanyState, now: number): void {
  const stale = co.staleAgents
  if (stale.length === 0) return
  co.staleAgents = []
  for (const agent of stale) {
    agent.stale = false
    refreshAgent(co, agent, now)
  }
}

export function markAgentStale(co: CompanyState, agent: Agent): void {
  if (agent.stale) return
  agent.stale = true
  co.staleAgents.push(agent)
}

export function markQueueDirty(co: CompanyState, queue: QueueRuntime): void {
  if (queue.dirty) return
  queue.dirty = true
  co.dirtyQueues.push(queue)
}

/** A user's leg on a call ended after it had been answered: record the call and start wrap-up. */
export function finishCallForAgent(
  ctx: Ctx,
  agent: Agent,
  talkedMs: number,
  wrapUpQueueId: QueueId | null,
): void {
  agent.lastCallEndedAt = ctx.now
  agent.talkMs += talkedMs
  if (wrapUpQueueId !== null) {
    const seconds = ctx.co.queues.get(wrapUpQueueId)?.config.wrapUpSeconds ?? 0
    if (seconds > 0) {
      agent.wrapUpUntil = ctx.now + seconds * 1000
      agent.wrapUpToken = ctx.token()
      ctx.schedule('wrap-up-end', agent.wrapUpUntil, agent.user.id, agent.wrapUpToken)
    }
  }
  ctx.touchAgent(agent)
}

export function pauseMembership(
  ctx: Ctx,
  agent: Agent,
  membership: Membership,
  reason: string,
  since = ctx.now,
): void {
  if (membership.paused) return
  membership.paused = { reason, since }
  membershipChanged(agent)
  ctx.queueLog('pause', membership.queueId, null, agent.user.id, { reason })
  ctx.touchAgent(agent)
  ctx.markDirty(membership.queueId)
}

export function unpauseMembership(ctx: Ctx, agent: Agent, membership: Membership): void {
  if (!membership.paused) return
  membership.paused = null
  membershipChanged(agent)
  ctx.queueLog('unpause', membership.queueId, null, agent.user.id)
  ctx.touchAgent(agent)
  ctx.markDirty(membership.queueId)
}

/** An offer went unanswered: count it, and pause the member everywhere if the queue says so. */
export function noteUnanswered(ctx: Ctx, agent: Agent, queue: QueueRuntime | null): void {
  agent.unansweredStreak++
  const limit = queue?.config.autoPauseAfter ?? null
  if (limit !== null && limit > 0 && agent.unansweredStreak >= limit) {
    for (const membership of agent.memberships.values()) {
      pauseMembership(ctx, agent, membership, 'auto-pause: unanswered offers')
    }
    agent.unansweredStreak = 0
  }
}
