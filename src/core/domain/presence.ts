/** Presence commands: absence, logging in and out of queues, pausing. */
import { absenceReasons } from '../../shared/model'
import { normalizeNumber } from '../../shared/phone'
import { membershipChanged, pauseMembership, unpauseMembership } from './agents'
import type { Ctx } from './context'
import { EngineError } from './errors'
import type { UserCommand } from './io'
import { withdrawQueueOffersFor } from './calls'
import { requireAgent } from './operations'
import type { Agent, Membership } from './state'

type Handler<T extends UserCommand['type']> = (
  ctx: Ctx,
  input: Extract<UserCommand, { type: T }>,
) => EngineError | null

export const onAbsenceSet: Handler<'absence.set'> = (ctx, input) => {
  const agent = requireAgent(ctx, input.userId)
  if (agent instanceof EngineError) return agent
  if (!absenceReasons.includes(input.reason))
    return new EngineError('INVALID_ARGUMENT', `unknown absence reason ${String(input.reason)}`)
  const until = input.until ?? null
  if (input.since !== undefined && input.since > ctx.now)
    return new EngineError('INVALID_ARGUMENT', 'an absence cannot begin in the future')
  if (until !== null && until <= ctx.now)
    return new EngineError('INVALID_ARGUMENT', 'an absence must end in the future')
  let forwardTo: string | null = null
  if (input.forwardTo) {
    forwardTo = normalizeNumber(input.forwardTo)
    if (forwardTo === null)
      return new EngineError(
        'INVALID_NUMBER',
        `"${input.forwardTo}" is not a number calls can be forwarded to`,
      )
    if (forwardTo === agent.user.extension || forwardTo === agent.user.direct) {
      return new EngineError('INVALID_NUMBER', 'calls cannot be forwarded to the same phone')
    }
  }
  agent.absence = {
    reason: input.reason,
    note: input.note ?? null,
    since: input.since ?? ctx.now,
    until,
    forwardTo,
  }
  agent.absenceToken = ctx.token()
  if (until !== null) ctx.schedule('absence-end', until, agent.user.id, agent.absenceToken)
  withdrawQueueOffersFor(ctx, agent)
  ctx.touchAgent(agent.user.id)
  return null
}

export function clearAbsence(ctx: Ctx, agent: Agent): void {
  agent.absence = null
  agent.absenceToken = ctx.token()
  ctx.touchAgent(agent.user.id)
}

export const onAbsenceClear: Handler<'absence.clear'> = (ctx, input) => {
  const agent = requireAgent(ctx, input.userId)
  if (agent instanceof EngineError) return agent
  if (!agent.absence)
    return new EngineError('INVALID_STATE', `${input.userId} is not marked absent`)
  clearAbsence(ctx, agent)
  return null
}

function membership(ctx: Ctx, agent: Agent, queueId: string): Membership | EngineError {
  if (!ctx.co.queues.has(queueId))
    return new EngineError('UNKNOWN_QUEUE', `no queue ${queueId} in this company`)
  return (
    agent.memberships.get(queueId) ??
    new EngineError('NOT_A_MEMBER', `${agent.user.id} is not a member of ${queueId}`)
  )
}

export const onQueueLogin: Handler<'queue.login'> = (ctx, input) => {
  const agent = requireAgent(ctx, input.userId)
  if (agent instanceof EngineError) return agent
  const m = membership(ctx, agent, input.queueId)
  if (m instanceof EngineError) return m
  if (m.loggedIn) return null
  m.loggedIn = true
  membershipChanged(agent)
  ctx.queueLog('login', m.queueId, null, agent.user.id)
  ctx.touchAgent(agent.user.id)
  ctx.markDirty(m.queueId)
  return null
}

export const onQueueLogout: Handler<'queue.logout'> = (ctx, input) => {
  const agent = requireAgent(ctx, input.userId)
  if (agent instanceof EngineError) return agent
  const m = membership(ctx, agent, input.queueId)
  if (m instanceof EngineError) return m
  if (!m.loggedIn) return null
  m.loggedIn = false
  membershipChanged(agent)
  withdrawQueueOffersFor(ctx, agent, m.queueId)
  ctx.queueLog('logout', m.queueId, null, agent.user.id)
  ctx.touchAgent(agent.user.id)
  ctx.markDirty(m.queueId)
  return null
}

function targets(ctx: Ctx, agent: Agent, queueId: string | null): Membership[] | EngineError {
  if (queueId === null) return [...agent.memberships.values()]
  const m = membership(ctx, agent, queueId)
  return m instanceof EngineError ? m : [m]
}

export const onQueuePause: Handler<'queue.pause'> = (ctx, input) => {
  const agent = requireAgent(ctx, input.userId)
  if (agent instanceof EngineError) return agent
  const ms = targets(ctx, agent, input.queueId)
  if (ms instanceof EngineError) return ms
  const reason = input.reason.trim()
  if (input.since !== undefined && input.since > ctx.now)
    return new EngineError('INVALID_ARGUMENT', 'a pause cannot begin in the future')
  if (reason.length === 0 || reason.length > 200)
    return new EngineError('INVALID_ARGUMENT', 'a pause needs a reason of 1 to 200 characters')
  for (const m of ms) {
    pauseMembership(ctx, agent, m, reason, input.since)
    withdrawQueueOffersFor(ctx, agent, m.queueId)
  }
  return null
}

export const onQueueUnpause: Handler<'queue.unpause'> = (ctx, input) => {
  const agent = requireAgent(ctx, input.userId)
  if (agent instanceof EngineError) return agent
  const ms = targets(ctx, agent, input.queueId)
  if (ms instanceof EngineError) return ms
  agent.unansweredStreak = 0
  for (const m of ms) unpauseMembership(ctx, agent, m)
  return null
}
