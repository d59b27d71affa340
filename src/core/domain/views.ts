/** Projections of engine state into the views subscribers see (src/shared/model.ts). */
import type { CompanyId } from '../../shared/ids'
import type {
  AgentView,
  CallView,
  CompanySnapshot,
  Delta,
  LegView,
  QueueView,
  TrailEntry,
  UserView,
} from '../../shared/model'
import type { CompanyChanges, EndedCall } from './io'
import { expandTrail, type StoredTrailEntry } from './trail'
import { activityOf, presenceOf } from './agents'
import { isOpen } from './opening-hours'
import type { Agent, Call, CompanyState, EngineState, QueueRuntime } from './state'

export function callView(co: CompanyState, call: Call): CallView {
  const legs: LegView[] = []
  for (const legId of call.legIds) {
    const leg = co.legs.get(legId)
    if (leg) legs.push({ id: leg.id, state: leg.state, party: leg.party, role: leg.role })
  }
  const offeredTo = []
  for (const offer of call.offers) if (offer.userId !== null) offeredTo.push(offer.userId)
  return {
    id: call.id,
    companyId: call.companyId,
    direction: call.direction,
    state: call.state,
    remote: call.remote,
    remoteLegId: call.remoteLegId,
    originatorId: call.originatorId,
    dialed: call.dialed,
    presentedNumber: call.presentedNumber,
    queueId: call.queueId,
    vip: call.vip,
    priority: call.priority,
    waitingSince: call.waitingSince,
    seq: call.seq,
    startedAt: call.startedAt,
    answeredAt: call.answeredAt,
    agentId: call.agentId,
    offeredTo,
    consult: call.consult ? { target: call.consult.target, state: call.consult.state } : null,
    parkedSlot: call.parkedSlot,
    conferenceId: call.conference?.id ?? null,
    legs,
    endReason: call.endReason,
  }
}

export function agentView(co: CompanyState, agent: Agent, now: number): AgentView {
  return {
    userId: agent.user.id,
    companyId: agent.companyId,
    presence: presenceOf(agent),
    activity: activityOf(co, agent, now),
    absence: agent.absence,
    wrapUpUntil: agent.wrapUpUntil !== null && agent.wrapUpUntil > now ? agent.wrapUpUntil : null,
    queues: [...agent.memberships.values()].map((m) => ({
      queueId: m.queueId,
      penalty: m.penalty,
      loggedIn: m.loggedIn,
      paused: m.paused,
    })),
  }
}

export function queueView(co: CompanyState, queue: QueueRuntime, now: number): QueueView {
  const config = queue.config
  let oldest: number | null = null
  for (const call of queue.waiting)
    if (oldest === null || call.waitingSince < oldest) oldest = call.waitingSince
  return {
    id: config.id,
    companyId: co.id,
    name: config.name,
    numbers: config.numbers,
    strategy: config.strategy,
    open: config.openingHours ? isOpen(co, config.openingHours, now) : true,
    waiting: queue.waiting.length,
    oldestWaitingSince: oldest,
  }
}

export function userView(companyId: CompanyId, agent: Agent): UserView {
  const u = agent.user
  return {
    id: u.id,
    companyId,
    firstName: u.firstName,
    lastName: u.lastName,
    extension: u.extension,
    mobile: u.mobile,
    direct: u.direct,
    department: u.department,
  }
}

/** An ended call for the outputs: its view and trail are projected when first read. */
class EndedCallRecord implements EndedCall {
  private view: CallView | null = null
  private expanded: TrailEntry[] | null = null

  constructor(
    private readonly co: CompanyState,
    private readonly ended: Call,
  ) {}

  get companyId() {
    return this.co.id
  }

  get callId() {
    return this.ended.id
  }

  get call(): CallView {
    return (this.view ??= callView(this.co, this.ended))
  }

  get trail(): TrailEntry[] {
    return (this.expanded ??= expandTrail(this.ended.trail))
  }

  get storedTrail(): readonly StoredTrailEntry[] {
    return this.ended.trail
  }

  /** Serialised as what it stands for, not as the engine state it is read from. */
  toJSON(): Omit<EndedCall, 'storedTrail'> {
    return { companyId: this.companyId, callId: this.callId, call: this.call, trail: this.trail }
  }
}

export function endedCall(co: CompanyState, call: Call): EndedCall {
  return new EndedCallRecord(co, call)
}

/** The deltas for a step's changes, projected from the current state. */
export function deltasOf(state: EngineState, changes: CompanyChanges[]): Delta[] {
  const deltas: Delta[] = []
  for (const c of changes) {
    const co = state.companies.get(c.companyId)
    if (!co) continue
    for (const id of c.calls) {
      const call = co.calls.get(id)
      if (call)
        deltas.push({ entity: 'call', op: 'upsert', companyId: co.id, call: callView(co, call) })
    }
    for (const id of c.removedCalls)
      deltas.push({ entity: 'call', op: 'remove', companyId: co.id, id })
    for (const id of c.agents) {
      const agent = co.agents.get(id)
      if (agent)
        deltas.push({
          entity: 'agent',
          op: 'upsert',
          companyId: co.id,
          agent: agentView(co, agent, state.now),
        })
    }
    for (const id of c.users) {
      const agent = co.agents.get(id)
      if (agent)
        deltas.push({
          entity: 'user',
          op: 'upsert',
          companyId: co.id,
          user: userView(co.id, agent),
        })
    }
    for (const id of c.removedUsers)
      deltas.push({ entity: 'user', op: 'remove', companyId: co.id, id })
    for (const id of c.queues) {
      const queue = co.queues.get(id)
      if (queue)
        deltas.push({
          entity: 'queue',
          op: 'upsert',
          companyId: co.id,
          queue: queueView(co, queue, state.now),
        })
    }
    for (const id of c.removedQueues)
      deltas.push({ entity: 'queue', op: 'remove', companyId: co.id, id })
    for (const id of c.missed) {
      const missed = co.missed.get(id)
      deltas.push(
        missed
          ? { entity: 'missed', op: 'upsert', companyId: co.id, missed }
          : { entity: 'missed', op: 'remove', companyId: co.id, id },
      )
    }
  }
  return deltas
}

export function companySnapshot(co: CompanyState, now: number): CompanySnapshot {
  return {
    companyId: co.id,
    at: now,
    users: [...co.agents.values()].map((a) => userView(co.id, a)),
    agents: [...co.agents.values()].map((a) => agentView(co, a, now)),
    queues: [...co.queues.values()].map((q) => queueView(co, q, now)),
    calls: [...co.calls.values()].map((c) => callView(co, c)),
    missed: [...co.missed.values()],
  }
}
