/**
 * Agents: the company's users seen from the routing side. Their status is derived from their
 * live legs (busy means a connected or held leg) plus absence, queue membership, pause and
 * wrap-up; nothing here is a stored "status" that could go stale.
 */
import type { QueueId } from '../../shared/ids'
import type { AgentActivity, Presence, SkipReason } from '../../shared/model'
import type { Ctx } from './context'
import type { Agent, Call, CompanyState, Membership, QueueRuntime } from './state'

/** Has a connected or held leg: on a call in the sense of the directory's busy lamp. */
export function isBusy(co: CompanyState, agent: Agent): boolean {
  for (const legId of agent.legIds) {
    const leg = co.legs.get(legId)
    if (leg && (leg.state === 'connected' || leg.state === 'held')) return true
  }
  return false
}

/** Has a connected (not held) leg: talking right now. */
export function isTalking(co: CompanyState, agent: Agent): boolean {
  for (const legId of agent.legIds) {
    if (co.legs.get(legId)?.state === 'connected') return true
  }
  return false
}

/** Has a ringing leg for some call other than `exceptCallId`. */
export function isRinging(co: CompanyState, agent: Agent, exceptCallId: string | null): boolean {
  for (const legId of agent.legIds) {
    const leg = co.legs.get(legId)
    if (leg && leg.state === 'ringing' && leg.callId !== exceptCallId) return true
  }
  return false
}

export function inWrapUp(agent: Agent, now: number): boolean {
  return agent.wrapUpUntil !== null && agent.wrapUpUntil > now
}

export function presenceOf(co: CompanyState, agent: Agent): Presence {
  if (agent.absence) return 'absent'
  return isBusy(co, agent) ? 'busy' : 'available'
}

export function activityOf(co: CompanyState, agent: Agent, now: number): AgentActivity {
  let ringing = false
  let held = false
  for (const legId of agent.legIds) {
    const leg = co.legs.get(legId)
    if (!leg) continue
    if (leg.state === 'connected') {
      const call = co.calls.get(leg.callId)
      return call && call.state === 'consulting' && call.agentId === agent.user.id
        ? 'consulting'
        : 'on-call'
    }
    if (leg.state === 'held') held = true
    if (leg.state === 'ringing') ringing = true
  }
  if (held) return 'on-hold'
  if (ringing) return 'ringing'
  if (inWrapUp(agent, now)) return 'wrap-up'
  return 'idle'
}

/** Logged in, not paused, not absent: counts as staffing the queue (join-empty, leave-when-empty). */
export function isPresentMember(agent: Agent, membership: Membership): boolean {
  return membership.loggedIn && membership.paused === null && agent.absence === null
}

export function presentMembers(co: CompanyState, queue: QueueRuntime): number {
  let n = 0
  for (const userId of queue.memberIds) {
    const agent = co.agents.get(userId)
    const m = agent?.memberships.get(queue.config.id)
    if (agent && m && isPresentMember(agent, m)) n++
  }
  return n
}

/**
 * Why this member cannot be offered this caller now, or null if they can. The order of the
 * checks decides which reason the why-trail shows when several apply.
 */
export function skipReason(
  co: CompanyState,
  agent: Agent,
  membership: Membership,
  call: Call | null,
  now: number,
): SkipReason | null {
  if (!membership.loggedIn) return 'logged-out'
  if (agent.absence) return 'absent'
  if (membership.paused) return 'paused'
  if (isBusy(co, agent)) return 'busy'
  if (isRinging(co, agent, call?.id ?? null)) return 'ringing'
  if (inWrapUp(agent, now)) return 'wrap-up'
  if (call && call.triedThisRound.has(agent.user.id)) return 'no-answer-this-call'
  return null
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
  ctx.touchAgent(agent.user.id)
  ctx.markAgentQueuesDirty(agent)
}

export function pauseMembership(
  ctx: Ctx,
  agent: Agent,
  membership: Membership,
  reason: string,
): void {
  if (membership.paused) return
  membership.paused = { reason, since: ctx.now }
  ctx.queueLog('pause', membership.queueId, null, agent.user.id, { reason })
  ctx.touchAgent(agent.user.id)
  ctx.markDirty(membership.queueId)
}

export function unpauseMembership(ctx: Ctx, agent: Agent, membership: Membership): void {
  if (!membership.paused) return
  membership.paused = null
  ctx.queueLog('unpause', membership.queueId, null, agent.user.id)
  ctx.touchAgent(agent.user.id)
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
