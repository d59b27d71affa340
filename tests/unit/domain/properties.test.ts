/**
 * Property-based tests: long random sequences of network events and user commands (many of
 * them invalid), checking the engine's invariants after every step.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { CompanyConfig, QueueConfig, UserConfig } from '../../../src/core/domain/config'
import { createEngineState, deltasOf, snapshot, step } from '../../../src/core/domain/engine'
import type { EngineInput, Outputs } from '../../../src/core/domain/io'
import type { EngineState } from '../../../src/core/domain/state'
import { routingStrategies, type Destination } from '../../../src/shared/model'
import { company, queue, user } from '../../helpers/company'
import { counterIds, T0 } from '../../helpers/harness'
import { checkInvariants } from '../../helpers/invariants'
import { Mirror } from '../../helpers/mirror'
import { serialize } from '../../helpers/serialize'

const userIds = ['u0', 'u1', 'u2', 'u3', 'u4', 'u5']
const queueIds = ['q0', 'q1', 'q2']
const queueNumber = (i: number) => `+472200000${i}`
const userDirect = (i: number) => `+472210000${i}`
const callers = ['+4791000001', '+4791000002', '+4791000003', '+4799999999', 'anonymous']

const destinationArb: fc.Arbitrary<Destination | null> = fc.oneof(
  fc.constant(null),
  fc.integer({ min: 0, max: 2 }).map((i) => ({ kind: 'queue' as const, queueId: queueIds[i]! })),
  fc.integer({ min: 0, max: 5 }).map((i) => ({ kind: 'user' as const, userId: userIds[i]! })),
  fc.constant({ kind: 'external' as const, number: '+4723000000' }),
)

const queueArb = (i: number): fc.Arbitrary<QueueConfig> =>
  fc
    .record({
      strategy: fc.constantFrom(...routingStrategies),
      members: fc.subarray(userIds, { minLength: 1 }),
      penalties: fc.array(fc.integer({ min: 0, max: 2 }), { minLength: 6, maxLength: 6 }),
      ringTimeoutSeconds: fc.integer({ min: 3, max: 20 }),
      retryDelaySeconds: fc.integer({ min: 0, max: 5 }),
      wrapUpSeconds: fc.integer({ min: 0, max: 15 }),
      autoPauseAfter: fc.option(fc.integer({ min: 1, max: 3 })),
      maxWaitSeconds: fc.option(fc.integer({ min: 5, max: 120 })),
      maxLength: fc.option(fc.integer({ min: 0, max: 4 })),
      overflow: destinationArb,
      joinEmpty: fc.boolean(),
      leaveWhenEmpty: fc.boolean(),
    })
    .map(({ members, penalties, ...settings }) =>
      queue(
        queueIds[i]!,
        members.map((userId) => ({
          userId,
          penalty: penalties[userIds.indexOf(userId)]!,
          loggedIn: true,
        })),
        { ...settings, numbers: [queueNumber(i)], progressiveStepSeconds: 3 },
      ),
    )

const userArb = (i: number): fc.Arbitrary<UserConfig> =>
  fc
    .record({
      forwardOnBusy: fc.option(fc.constant('+4790000001')),
      forwardOnNoAnswer: fc.option(
        fc.record({
          to: fc.constant('+4790000002'),
          afterSeconds: fc.integer({ min: 3, max: 15 }),
        }),
      ),
      extraTerminal: fc.option(fc.constant(`+479000010${i}`)),
    })
    .map((r) =>
      user(userIds[i]!, {
        ...r,
        extension: String(200 + i),
        direct: userDirect(i),
        presentableNumbers: [queueNumber(0)],
      }),
    )

const companyArb: fc.Arbitrary<CompanyConfig> = fc
  .tuple(
    fc.tuple(...userIds.map((_, i) => userArb(i))),
    fc.tuple(...queueIds.map((_, i) => queueArb(i))),
  )
  .map(([users, queues]) =>
    company({ users, queues, vipNumbers: ['+4799999999'], parkSlots: 2, directRingSeconds: 10 }),
  )

/** An action is resolved against the live state when it runs: indices pick among what exists. */
type Action =
  | { kind: 'advance'; ms: number }
  | { kind: 'arrive'; caller: number; to: number; priority: number }
  | { kind: 'leg'; what: 'answered' | 'rejected' | 'failed' | 'hung-up'; pick: number }
  | { kind: 'user'; command: string; user: number; pick: number; target: number }
  | { kind: 'configure'; variant: number; pick: number }

const actionArb: fc.Arbitrary<Action> = fc.oneof(
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('configure' as const),
      variant: fc.nat(3),
      pick: fc.nat(1000),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('advance' as const),
      ms: fc.integer({ min: 0, max: 20_000 }),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('arrive' as const),
      caller: fc.nat(callers.length - 1),
      to: fc.nat(queueIds.length + userIds.length),
      priority: fc.integer({ min: 0, max: 2 }),
    }),
  },
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('leg' as const),
      what: fc.constantFrom(
        'answered' as const,
        'answered' as const,
        'rejected' as const,
        'failed' as const,
        'hung-up' as const,
      ),
      pick: fc.nat(1000),
    }),
  },
  {
    weight: 5,
    arbitrary: fc.record({
      kind: fc.constant('user' as const),
      command: fc.constantFrom(
        'offer.answer',
        'offer.reject',
        'call.pick',
        'call.hold',
        'call.resume',
        'call.hangup',
        'transfer.blind',
        'transfer.consult',
        'transfer.complete',
        'transfer.cancel',
        'call.park',
        'call.retrieve',
        'call.dial',
        'conference.create',
        'conference.add',
        'conference.remove',
        'conference.end',
        'callback.mark',
        'absence.set',
        'absence.clear',
        'queue.login',
        'queue.logout',
        'queue.pause',
        'queue.unpause',
      ),
      user: fc.nat(userIds.length - 1),
      pick: fc.nat(1000),
      target: fc.nat(1000),
    }),
  },
)

function pickOf<T>(items: T[], n: number): T | undefined {
  return items.length === 0 ? undefined : items[n % items.length]
}

function targetOf(n: number): Destination {
  const options: Destination[] = [
    ...userIds.map((userId) => ({ kind: 'user' as const, userId })),
    ...queueIds.map((queueId) => ({ kind: 'queue' as const, queueId })),
    { kind: 'external', number: '+4723000000' },
    { kind: 'external', number: 'not a number' },
  ]
  return options[n % options.length]!
}

/**
 * A configuration change derived from the original: drop a user, reshuffle a queue, drop a
 * queue, or go back to the original.
 */
function reconfigured(
  original: CompanyConfig,
  current: CompanyConfig,
  variant: number,
  pick: number,
): CompanyConfig {
  switch (variant) {
    case 0: {
      if (current.users.length <= 2) return current
      const gone = current.users[pick % current.users.length]!.id
      return {
        ...current,
        users: current.users.filter((u) => u.id !== gone),
        queues: current.queues.map((q) => {
          const members = q.members.filter((m) => m.userId !== gone)
          const overflow =
            q.overflow?.kind === 'user' && q.overflow.userId === gone ? null : q.overflow
          return { ...q, members, overflow }
        }),
      }
    }
    case 1: {
      const i = pick % current.queues.length
      const q = current.queues[i]!
      const members = [...q.members].reverse().slice(0, Math.max(1, q.members.length - 1))
      const queues = [...current.queues]
      queues[i] = { ...q, members, strategy: routingStrategies[pick % routingStrategies.length]! }
      return { ...current, queues }
    }
    case 2: {
      if (current.queues.length <= 1) return current
      const gone = current.queues[pick % current.queues.length]!.id
      return {
        ...current,
        queues: current.queues
          .filter((q) => q.id !== gone)
          .map((q) =>
            q.overflow?.kind === 'queue' && q.overflow.queueId === gone
              ? { ...q, overflow: null }
              : q,
          ),
      }
    }
    default:
      return original
  }
}

function resolve(state: EngineState, action: Action, seq: number): EngineInput {
  const co = state.companies.get('acme')!
  const calls = [...co.calls.values()]
  switch (action.kind) {
    case 'advance':
    case 'configure':
      return { type: 'tick' }
    case 'arrive': {
      const to =
        action.to < queueIds.length
          ? queueNumber(action.to)
          : action.to < queueIds.length + userIds.length
            ? userDirect(action.to - queueIds.length)
            : '+4722999999'
      return {
        type: 'caller.arrived',
        companyId: 'acme',
        legId: `net-${seq}`,
        from: callers[action.caller]!,
        to,
        priority: action.priority,
      }
    }
    case 'leg': {
      const legs = [...co.legs.values()].filter((l) =>
        action.what === 'hung-up' ? true : l.state === 'ringing',
      )
      const leg = pickOf(legs, action.pick)
      const legId = leg?.id ?? 'no-such-leg'
      if (action.what === 'rejected')
        return { type: 'leg.rejected', companyId: 'acme', legId, reason: 'busy' }
      if (action.what === 'failed')
        return { type: 'leg.failed', companyId: 'acme', legId, reason: 'network' }
      return {
        type: action.what === 'answered' ? 'leg.answered' : 'leg.hung-up',
        companyId: 'acme',
        legId,
      }
    }
    case 'user': {
      const call = pickOf(calls, action.pick)
      const callId = call?.id ?? 'no-such-call'
      // Half the time, the command comes from someone involved in the call, so that most of
      // these are valid; the other half come from anyone, and are mostly refused.
      const involved = call
        ? (call.agentId ?? call.offers[0]?.userId ?? co.legs.get(call.remoteLegId)?.ownerId ?? null)
        : null
      const userId = action.user % 2 === 0 && involved ? involved : userIds[action.user]!
      const base = { companyId: 'acme', userId }
      switch (action.command) {
        case 'transfer.blind':
        case 'transfer.consult':
        case 'conference.add':
          return { type: action.command, ...base, callId, target: targetOf(action.target) }
        case 'call.retrieve':
          return { type: 'call.retrieve', ...base, slot: action.target % 3 }
        case 'call.dial':
          return {
            type: 'call.dial',
            ...base,
            to: action.target % 2 ? '+4723000000' : userDirect(action.target % 6),
            presentedNumber: action.pick % 3 ? userDirect(action.user) : queueNumber(0),
          }
        case 'conference.remove': {
          const call = calls.find((c) => c.conference)
          return {
            type: 'conference.remove',
            ...base,
            callId: call?.id ?? callId,
            legId: pickOf(call?.legIds ?? [], action.target) ?? 'x',
          }
        }
        case 'callback.mark':
          return {
            type: 'callback.mark',
            ...base,
            callId: pickOf([...co.missed.keys()], action.pick) ?? callId,
          }
        case 'absence.set':
          return {
            type: 'absence.set',
            ...base,
            reason: 'meeting',
            until: action.target % 2 ? state.now + 30_000 : null,
            forwardTo: action.pick % 2 ? '+4790000009' : null,
          }
        case 'absence.clear':
          return { type: 'absence.clear', ...base }
        case 'queue.login':
        case 'queue.logout':
          return { type: action.command, ...base, queueId: queueIds[action.target % 3]! }
        case 'queue.pause':
          return {
            type: 'queue.pause',
            ...base,
            queueId: action.target % 4 === 3 ? null : queueIds[action.target % 4]!,
            reason: 'test',
          }
        case 'queue.unpause':
          return {
            type: 'queue.unpause',
            ...base,
            queueId: action.target % 4 === 3 ? null : queueIds[action.target % 4]!,
          }
        default:
          return { type: action.command as 'call.hold', ...base, callId }
      }
    }
  }
}

interface RunLog {
  outputs: Outputs[]
  errors: (string | null)[]
}

/** Runs the actions, checking invariants at every step, then ends every call. */
function run(config: CompanyConfig, actions: Action[], checkUnchanged: boolean): RunLog {
  let now = T0
  const state = createEngineState([config], { newId: counterIds(), now, seed: 3 })
  const log: RunLog = { outputs: [], errors: [] }
  /**
   * Legs that were connected to a user, with the call each was last seen in: a leg may move to
   * another call (a consultation going on after the caller hung up), and a user's record is on
   * the call their leg ended in.
   */
  const talkingLegs = new Map<string, { userId: string; callId: string }>()
  const mirror = new Mirror(snapshot(state, 'acme')!)
  const seen = new Set<string>()
  const apply = (input: EngineInput) => {
    const before = checkUnchanged && input.type !== 'tick' ? serialize(state) : null
    const result = step(state, input, now)
    log.outputs.push(result.out)
    log.errors.push(result.error?.code ?? null)
    if (result.error && before !== null) expect(serialize(state)).toEqual(before)
    checkInvariants(state)
    // A subscriber that applies every step's deltas has exactly what a fresh snapshot shows.
    mirror.apply(deltasOf(state, result.out.changes))
    if (checkUnchanged) expect(mirror.view()).toEqual(Mirror.comparable(snapshot(state, 'acme')!))
    const co = state.companies.get('acme')!
    for (const call of co.calls.values()) {
      seen.add(call.id)
      for (const legId of call.legIds) {
        const leg = co.legs.get(legId)!
        const known = talkingLegs.get(legId)
        if (known) known.callId = call.id
        else if (leg.state === 'connected' && leg.ownerId !== null)
          talkingLegs.set(legId, { userId: leg.ownerId, callId: call.id })
      }
    }
  }
  let current = config
  actions.forEach((action, i) => {
    if (action.kind === 'advance') now += action.ms
    if (action.kind === 'configure') {
      current = reconfigured(config, current, action.variant, action.pick)
      apply({ type: 'company.configure', companyId: 'acme', config: current })
    } else {
      apply(resolve(state, action, i))
    }
  })
  // Wind down: every remote party hangs up, and time runs out for whatever is left.
  // A caller hanging up may leave a call behind (an operator's consultation goes on): repeat.
  const co = state.companies.get('acme')!
  for (let round = 0; round < 3 && co.calls.size > 0; round++) {
    for (const call of [...co.calls.values()]) {
      if (co.calls.has(call.id))
        apply({ type: 'leg.hung-up', companyId: 'acme', legId: call.remoteLegId })
    }
  }
  expect(co.calls.size).toBe(0)
  expect(co.legs.size).toBe(0)
  now += 3_600_000
  apply({ type: 'tick' })
  for (const agent of co.agents.values()) expect(agent.legs).toEqual([])

  // Every call ended exactly once, with one log record per party it concerned.
  const endedCount = new Map<string, number>()
  for (const out of log.outputs)
    for (const e of out.ended) endedCount.set(e.call.id, (endedCount.get(e.call.id) ?? 0) + 1)
  for (const id of seen) expect(endedCount.get(id), `call ${id} ended once`).toBe(1)
  const records = log.outputs.flatMap((o) => o.callLog)
  const byCall = new Map<string, typeof records>()
  for (const r of records) byCall.set(r.callId, [...(byCall.get(r.callId) ?? []), r])
  for (const [callId, rs] of byCall) {
    const keys = rs.map((r) => (r.kind === 'user' ? `user:${r.userId}` : `queue:${r.queueId}`))
    expect(new Set(keys).size, `one record per party for ${callId}`).toBe(keys.length)
  }
  for (const { userId, callId } of talkingLegs.values()) {
    const keys = (byCall.get(callId) ?? []).map((r) => (r.kind === 'user' ? r.userId : null))
    expect(keys, `${userId} talked on ${callId} and has a record`).toContain(userId)
  }
  // Every queue episode (enter) closes exactly once before the call enters a queue again.
  const events = log.outputs.flatMap((o) => o.queueLog).filter((e) => e.callId !== null)
  const open = new Map<string, string>()
  const closers = new Set([
    'abandon',
    'exit-timeout',
    'exit-empty',
    'complete-agent',
    'complete-caller',
    'transfer',
  ])
  for (const e of events) {
    if (e.kind === 'enter') {
      expect(
        open.has(e.callId!),
        `call ${e.callId} entered ${e.queueId} while still in ${open.get(e.callId!)}`,
      ).toBe(false)
      open.set(e.callId!, e.queueId)
    } else if (closers.has(e.kind) && !(e.kind === 'exit-empty' && e.reason === 'join')) {
      expect(open.get(e.callId!), `${e.kind} for ${e.callId} closes the queue it is in`).toBe(
        e.queueId,
      )
      open.delete(e.callId!)
    }
  }
  expect([...open.keys()]).toEqual([])
  return log
}

describe('engine properties over random event sequences', () => {
  it(
    'keeps every invariant, never throws, and refused inputs change nothing',
    { timeout: 600_000 },
    () => {
      fc.assert(
        fc.property(
          companyArb,
          fc.array(actionArb, {
            minLength: 20,
            maxLength: Number(process.env.PROPERTY_LENGTH ?? 150),
          }),
          (config, actions) => {
            run(config, actions, true)
          },
        ),
        {
          numRuns: Number(process.env.PROPERTY_RUNS ?? 150),
          // PROPERTY_SEED replays a failure fast-check reported.
          ...(process.env.PROPERTY_SEED ? { seed: Number(process.env.PROPERTY_SEED) } : {}),
        },
      )
    },
  )

  it('is deterministic: the same inputs give the same outputs', () => {
    fc.assert(
      fc.property(
        companyArb,
        fc.array(actionArb, { minLength: 20, maxLength: 100 }),
        (config, actions) => {
          const a = run(config, actions, false)
          const b = run(config, actions, false)
          expect(JSON.stringify(b)).toEqual(JSON.stringify(a))
        },
      ),
      { numRuns: 30 },
    )
  })

  it('exercises the engine: random runs connect, transfer, park and end calls', () => {
    // Guards the generator itself: a property test whose actions are all refused proves nothing.
    const counts = new Map<string, number>()
    fc.assert(
      fc.property(
        companyArb,
        fc.array(actionArb, { minLength: 100, maxLength: 150 }),
        (config, actions) => {
          const log = run(config, actions, false)
          for (const out of log.outputs) {
            for (const e of out.queueLog) counts.set(e.kind, (counts.get(e.kind) ?? 0) + 1)
            for (const e of out.ended)
              if (e.trail.some((t) => t.kind === 'route' && t.note.startsWith('consultation')))
                counts.set('consultation-went-on', (counts.get('consultation-went-on') ?? 0) + 1)
          }
          for (const code of log.errors)
            if (code === null) counts.set('accepted', (counts.get('accepted') ?? 0) + 1)
        },
      ),
      { numRuns: 40, seed: 42 },
    )
    for (const kind of [
      'accepted',
      'enter',
      'offer',
      'connect',
      'transfer',
      'abandon',
      'complete-caller',
      'complete-agent',
      'hold',
      'ring-no-answer',
      'consultation-went-on',
    ]) {
      expect(counts.get(kind) ?? 0, kind).toBeGreaterThan(0)
    }
  })
})
