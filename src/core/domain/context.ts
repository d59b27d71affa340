/**
 * The working context of one company during one step: the current time, the outputs being
 * collected, and which entities changed (kept in the company's change sets, reported once per
 * entity per step).
 */
import type { CallId, Instant, QueueId, UserId } from '../../shared/ids'
import type { Destination, QueueLogEvent, QueueLogKind } from '../../shared/model'
import { withItem, none, type Outputs, type TelephonyCommand } from './io'
import type { Agent, Call, CompanyState, EngineState, Leg, QueueRuntime } from './state'
import { markAgentStale, markQueueDirty } from './agents'
import type { TimerKind } from './timers'
import type { StoredTrailEntry } from './trail'

/** Trails are kept whole up to this many entries; beyond it the oldest offers are dropped. */
const maxTrail = 200

export class Ctx {
  constructor(
    readonly state: EngineState,
    readonly co: CompanyState,
    public now: Instant,
    /** The outputs of the step in progress (a context is reused from step to step). */
    public out: Outputs,
  ) {}

  command(command: TelephonyCommand): void {
    this.out.commands = withItem(this.out.commands, command)
  }

  token(): number {
    return ++this.state.seq
  }

  /** Set a deadline for the entity `ref` names (a call, a leg, a user, the company). */
  schedule(kind: TimerKind, at: Instant, ref: string, token: number): void {
    this.state.timers.push({
      at,
      seq: ++this.state.seq,
      kind,
      companyId: this.co.id,
      ref,
      token,
    })
  }

  newId(kind: 'call' | 'leg' | 'conference'): string {
    return this.state.newId(kind)
  }

  touchCall(call: Call): void {
    if (call.listedIn === this.co.changeGen) return
    call.listedIn = this.co.changeGen
    const changes = this.co.changes
    if (changes.calls === none) changes.calls = [call.id]
    else changes.calls.push(call.id)
  }

  /** The call ended and is gone: subscribers remove it (its upsert, if listed, is skipped). */
  callRemoved(call: Call): void {
    this.list('removedCalls', call.id)
  }

  touchMissed(callId: CallId): void {
    if (!this.co.changes.missed.includes(callId)) this.list('missed', callId)
  }

  /** The agent changed: their view goes out, and their queue flags are refreshed before routing. */
  touchAgent(who: UserId | Agent): void {
    const agent = typeof who === 'string' ? this.co.agents.get(who) : who
    if (!agent) return
    markAgentStale(this.co, agent)
    if (agent.listedIn === this.co.changeGen) return
    agent.listedIn = this.co.changeGen
    const changes = this.co.changes
    if (changes.agents === none) changes.agents = [agent.user.id]
    else changes.agents.push(agent.user.id)
  }

  touchQueue(which: QueueId | QueueRuntime): void {
    const queue = typeof which === 'string' ? this.co.queues.get(which) : which
    if (!queue || queue.listedIn === this.co.changeGen) return
    queue.listedIn = this.co.changeGen
    const changes = this.co.changes
    if (changes.queues === none) changes.queues = [queue.config.id]
    else changes.queues.push(queue.config.id)
  }

  private list(kind: keyof CompanyState['changes'], id: string): void {
    const changes = this.co.changes
    if (changes[kind] === none) changes[kind] = [id]
    else changes[kind].push(id)
  }

  touchUser(userId: UserId): void {
    if (!this.co.changes.users.includes(userId)) this.list('users', userId)
  }

  userRemoved(userId: UserId): void {
    this.list('removedUsers', userId)
  }

  queueRemoved(queueId: QueueId): void {
    this.list('removedQueues', queueId)
  }

  markDirty(which: QueueId | QueueRuntime): void {
    const queue = typeof which === 'string' ? this.co.queues.get(which) : which
    if (queue) markQueueDirty(this.co, queue)
  }

  trail(call: Call, entry: StoredTrailEntry): void {
    if (call.trail.length >= maxTrail) {
      // Keep the first entries (how the call was routed) and the newest; drop the oldest middle.
      call.trail.splice(10, 1)
      call.trailDropped++
    }
    call.trail.push(entry)
  }

  queueLog(
    kind: QueueLogKind,
    queueId: QueueId,
    call: Call | null,
    agentId: UserId | null,
    extra?: Partial<Pick<QueueLogEvent, 'waitMs' | 'talkMs' | 'reason' | 'destination'>>,
  ): void {
    this.out.queueLog = withItem(this.out.queueLog, {
      at: this.now,
      companyId: this.co.id,
      queueId,
      kind,
      callId: call?.id ?? null,
      agentId,
      callerNumber: call?.remote.number ?? null,
      waitMs: extra?.waitMs ?? null,
      talkMs: extra?.talkMs ?? null,
      reason: extra?.reason ?? null,
      destination: extra?.destination ?? null,
    })
  }

  agent(userId: UserId): Agent | undefined {
    return this.co.agents.get(userId)
  }

  queue(queueId: QueueId): QueueRuntime | undefined {
    return this.co.queues.get(queueId)
  }

  leg(legId: string): Leg | undefined {
    return this.co.legs.get(legId)
  }

  describe(destination: Destination): string {
    switch (destination.kind) {
      case 'queue':
        return `queue ${this.co.queues.get(destination.queueId)?.config.name ?? destination.queueId}`
      case 'user': {
        const user = this.co.agents.get(destination.userId)?.user
        return user ? `${user.firstName} ${user.lastName}` : `user ${destination.userId}`
      }
      case 'external':
        return destination.number
    }
  }
}
