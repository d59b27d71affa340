/**
 * Drives the engine the way the runtime does, and plays a minimal telephone network: it keeps
 * the legs the engine asked to ring, so a test can say "Kari's phone answers" without knowing
 * leg ids. Every step is checked for the engine's invariants.
 */
import { expect } from 'vitest'
import type { CompanyConfig } from '../../src/core/domain/config'
import {
  createEngineState,
  deltasOf,
  readTrail,
  snapshot,
  step,
} from '../../src/core/domain/engine'
import type { EngineError } from '../../src/core/domain/errors'
import type { EngineInput, Outputs, TelephonyCommand } from '../../src/core/domain/io'
import type { EngineState } from '../../src/core/domain/state'
import type { CallLogRecord, CallView, QueueLogEvent } from '../../src/shared/model'
import { checkInvariants } from './invariants'

type Ring = Extract<TelephonyCommand, { type: 'ring' }>

export const T0 = Date.UTC(2026, 10, 30, 9, 0, 0) // a Monday, 10:00 in Oslo

export function counterIds() {
  let n = 0
  return (kind: string) => `${kind}-${++n}`
}

export class Harness {
  readonly state: EngineState
  now: number
  readonly companyId: string
  /** Legs the network is ringing or has connected, by leg id. */
  readonly live = new Map<string, Ring | { type: 'caller'; legId: string; callId: string | null }>()
  readonly commands: TelephonyCommand[] = []
  readonly queueLog: QueueLogEvent[] = []
  readonly callLog: CallLogRecord[] = []
  readonly outputs: Outputs[] = []
  lastError: EngineError | null = null
  private callerSeq = 0

  constructor(
    configs: CompanyConfig[] | CompanyConfig,
    options: { now?: number; seed?: number } = {},
  ) {
    const list = Array.isArray(configs) ? configs : [configs]
    this.now = options.now ?? T0
    this.state = createEngineState(list, {
      newId: counterIds(),
      now: this.now,
      seed: options.seed ?? 7,
    })
    this.companyId = list[0]!.id
  }

  /** Apply an input; fails the test if the engine refuses it. */
  send(input: EngineInput): Outputs {
    const out = this.sendRaw(input)
    expect(this.lastError, `engine refused ${input.type}: ${this.lastError?.message}`).toBeNull()
    return out
  }

  /** Apply an input and return the error the engine answered with (null if accepted). */
  attempt(input: EngineInput): EngineError | null {
    this.sendRaw(input)
    return this.lastError
  }

  private sendRaw(input: EngineInput): Outputs {
    const result = step(this.state, input, this.now)
    this.lastError = result.error
    this.record(result.out)
    checkInvariants(this.state)
    return result.out
  }

  private record(out: Outputs): void {
    this.outputs.push(out)
    for (const c of out.commands) {
      this.commands.push(c)
      if (c.type === 'ring') this.live.set(c.legId, c)
      if (c.type === 'end') this.live.delete(c.legId)
    }
    this.queueLog.push(...out.queueLog)
    this.callLog.push(...out.callLog)
  }

  advance(ms: number): Outputs {
    this.now += ms
    return this.send({ type: 'tick' })
  }

  /** A caller rings `to` from `from`; returns the call id the engine gave it. */
  arrive(from: string, to: string, extra: { priority?: number; name?: string } = {}): string {
    const legId = `caller-${++this.callerSeq}`
    const out = this.send({
      type: 'caller.arrived',
      companyId: this.companyId,
      legId,
      from,
      to,
      fromName: extra.name ?? null,
      ...(extra.priority !== undefined ? { priority: extra.priority } : {}),
    })
    const created = deltasOf(this.state, out.changes).find(
      (d) => d.entity === 'call' && d.op === 'upsert' && d.call.remoteLegId === legId,
    )
    const ended = out.ended.find((e) => e.call.remoteLegId === legId)
    const callId =
      created && created.entity === 'call' && created.op === 'upsert'
        ? created.call.id
        : ended?.call.id
    expect(callId, 'the arrival created a call').toBeDefined()
    this.live.set(legId, { type: 'caller', legId, callId: callId! })
    return callId!
  }

  callerLeg(callId: string): string {
    const call = this.call(callId)
    const leg = call?.legs.find((l) => l.role === 'caller' || l.role === 'callee')
    expect(leg, `call ${callId} has a remote leg`).toBeDefined()
    return leg!.id
  }

  /** Ringing legs for a user's phone (primary terminal). */
  ringingFor(userId: string): Ring[] {
    const rings: Ring[] = []
    for (const c of this.live.values()) {
      if (
        c.type === 'ring' &&
        c.to.kind === 'user' &&
        c.to.userId === userId &&
        this.legState(c.legId) === 'ringing'
      )
        rings.push(c)
    }
    return rings
  }

  ringingNumber(number: string): Ring[] {
    const rings: Ring[] = []
    for (const c of this.live.values()) {
      if (
        c.type === 'ring' &&
        c.to.kind === 'external' &&
        c.to.number === number &&
        this.legState(c.legId) === 'ringing'
      )
        rings.push(c)
    }
    return rings
  }

  legState(legId: string): string | undefined {
    for (const co of this.state.companies.values()) {
      const leg = co.legs.get(legId)
      if (leg) return leg.state
    }
    return undefined
  }

  /** The user's phone answers the one call ringing it. */
  answer(userId: string): string {
    const rings = this.ringingFor(userId)
    expect(rings.length, `${userId} has exactly one ringing call`).toBe(1)
    this.send({ type: 'leg.answered', companyId: this.companyId, legId: rings[0]!.legId })
    return rings[0]!.callId
  }

  hangUpCaller(callId: string): void {
    this.send({ type: 'leg.hung-up', companyId: this.companyId, legId: this.callerLeg(callId) })
  }

  hangUpAgent(callId: string): void {
    const call = this.call(callId)!
    const leg = call.legs.find((l) => l.role === 'agent' && l.party.userId === call.agentId)
    this.send({ type: 'leg.hung-up', companyId: this.companyId, legId: leg!.id })
  }

  call(callId: string): CallView | undefined {
    return snapshot(this.state, this.companyId)!.calls.find((c) => c.id === callId)
  }

  agent(userId: string) {
    return snapshot(this.state, this.companyId)!.agents.find((a) => a.userId === userId)!
  }

  waiting(queueId: string): string[] {
    const co = this.state.companies.get(this.companyId)!
    return co.queues.get(queueId)!.waiting.map((c) => c.id)
  }

  trail(callId: string) {
    const live = readTrail(this.state, this.companyId, callId)
    if (live) return live
    for (const out of this.outputs) {
      const ended = out.ended.find((e) => e.call.id === callId)
      if (ended) return ended.trail
    }
    return null
  }

  ended(callId: string) {
    for (const out of this.outputs) {
      const ended = out.ended.find((e) => e.call.id === callId)
      if (ended) return ended.call
    }
    return undefined
  }

  records(callId: string): CallLogRecord[] {
    return this.callLog.filter((r) => r.callId === callId)
  }

  logKinds(callId: string): string[] {
    return this.queueLog.filter((e) => e.callId === callId).map((e) => e.kind)
  }
}
