/**
 * Engine benchmark: a large switchboard under steady load, driven by a simulated telephone network.
 *
 *   npm run bench:engine            (node --expose-gc --import tsx bench/engine.bench.ts)
 *
 * Configuration: 200 queues and 5,000 users. By default they form ONE company (BENCH_COMPANIES=1):
 * that is the worst case for the engine, because distribution, the company-wide caller order, the
 * leg and call maps, the VIP set and the missed-call list are all per company, so one partition
 * holds everything. BENCH_COMPANIES=10 gives the hosting-provider shape (10 × 20 queues × 500
 * users); any divisor of 200 and 5,000 works. The queues cycle through all 8 routing strategies;
 * every user is a member of 1–3 queues (a primary queue at penalty 0, extra ones at penalty 0–2),
 * some queues have wrap-up, a maximum wait with overflow, a maximum length, auto-pause or opening
 * hours, a few users have an extra terminal (a mobile that rings with the desk phone), and each
 * company has a VIP list.
 *
 * Load: a deterministic driver (mulberry32, virtual clock; wall time is read only around `step`)
 * plays the network. Callers dial queue numbers; agent phones answer after 0.5–8 s, some never
 * answer (the engine's ring timeout fires), a few reject; talks last 20 s + Exp(150 s); then the
 * caller or the agent hangs up. Some agents put the caller on hold and resume, some blind-transfer
 * to another queue or to an idle colleague, some take breaks (queue.pause / unpause), auto-paused
 * agents come back after a while, and waiting callers abandon when their patience runs out. A
 * small share of answers deliberately crosses the engine's cancel of that leg ("glare"): the engine
 * must refuse those with UNKNOWN_LEG, and they are counted apart from unexpected errors.
 * 10,000 arrivals are spread over the first 100 virtual seconds, and every departure schedules a
 * new arrival within a second, so live calls + pending arrivals stay at 10,000 (all 5,000 agents
 * busy, the rest waiting: a saturated switchboard). The driver keeps its pending network events in
 * its own priority queue and ticks the engine whenever `nextDeadline` falls due first.
 *
 * Counting: one engine input = one `step` call (telephony event, user command or tick; ticks are
 * labelled by the first deadline they fire). After the ramp and a warm-up of 200,000 inputs,
 * 1,000,000 inputs are measured. Only the wall time inside `step` is measured (hrtime around the
 * call); the driver's own work is not. heap_mb is heapUsed after a forced GC at the end, with the
 * calls still live; it includes the driver's few MB of bookkeeping. Correctness checks: every
 * refused input is counted by error code, and at five points (outside the timed region) the
 * engine's live calls and legs are compared with the network's and the test invariants are run.
 *
 * Knobs (environment): BENCH_COMPANIES, BENCH_LIVE, BENCH_WARMUP, BENCH_INPUTS, BENCH_SEED.
 * BENCH_PROJECT=1 also times the projection of deltas for subscribers (apart from the step).
 * BENCH_HASH=1 hashes every output of every step of the run (ramp and warm-up included: the
 * input, commands, queue-log events, call-log records, callbacks, change lists, the deltas
 * projected from them, ended calls with their views and expanded why-trails, and refusals with
 * their messages) into one SHA-256 digest printed at the end as `hash: …`. The hashing happens
 * outside the timed region, but its garbage slows the run: use it to check that a change to the
 * engine keeps its behaviour byte for byte, not for timing.
 */
import { createHash } from 'node:crypto'
import { TimeHeap } from '../src/core/domain/heap'
import type { CompanyConfig, QueueConfig, UserConfig } from '../src/core/domain/config'
import { companyDefaults, queueDefaults } from '../src/core/domain/config'
import { createEngineState, deltasOf, nextDeadline, step } from '../src/core/domain/engine'
import type { EngineInput, Outputs, TelephonyCommand } from '../src/core/domain/io'
import type { EngineState } from '../src/core/domain/state'
import type { QueueLogKind } from '../src/shared/model'
import { routingStrategies } from '../src/shared/model'
import { checkInvariants } from '../tests/helpers/invariants'

// ───────────────────────────── parameters ─────────────────────────────

function intEnv(name: string, fallback: number): number {
  const raw = process.env[name]
  const value = raw === undefined ? NaN : Number(raw)
  return Number.isInteger(value) && value > 0 ? value : fallback
}

const COMPANIES = intEnv('BENCH_COMPANIES', 1)
const QUEUES = 200
const USERS = 5000
const LIVE_TARGET = intEnv('BENCH_LIVE', 10_000)
const RAMP_MS = 100_000
const WARMUP_INPUTS = intEnv('BENCH_WARMUP', 200_000)
const MEASURED_INPUTS = intEnv('BENCH_INPUTS', 1_000_000)
const SEED = intEnv('BENCH_SEED', 20261130)
const T0 = Date.UTC(2026, 10, 30, 8, 0, 0) // a Monday, 09:00 in Oslo (a virtual instant)

const TARGET_EVENTS_PER_S = 200_000
const TARGET_P99_US = 50
const TARGET_HEAP_MB = 300

if (QUEUES % COMPANIES !== 0 || USERS % COMPANIES !== 0) {
  throw new Error(`BENCH_COMPANIES=${COMPANIES} must divide ${QUEUES} queues and ${USERS} users`)
}

// ───────────────────────────── deterministic randomness ─────────────────────────────

class Rng {
  constructor(private state: number) {}
  next(): number {
    this.state = (this.state + 0x6d2b79f5) | 0
    let t = this.state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1))
  }
  between(lo: number, hi: number): number {
    return lo + this.next() * (hi - lo)
  }
  exp(mean: number): number {
    return -mean * Math.log(1 - this.next())
  }
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)]!
  }
}

const rng = new Rng(SEED)

// ───────────────────────────── configuration ─────────────────────────────

interface CompanyMeta {
  id: string
  users: string[]
  queues: string[]
  queueNumbers: string[]
  /** Cumulative arrival weights of the queues. */
  queueWeights: number[]
  vip: string[]
}

const CALLER_POOL = 100_000
const callerNumber = (i: number) => `+474${String(1_000_000 + i)}`

function buildConfig(): {
  configs: CompanyConfig[]
  metas: CompanyMeta[]
  extraOwner: Map<string, string>
} {
  const queuesPer = QUEUES / COMPANIES
  const usersPer = USERS / COMPANIES
  const configs: CompanyConfig[] = []
  const metas: CompanyMeta[] = []
  const extraOwner = new Map<string, string>()
  for (let c = 0; c < COMPANIES; c++) {
    const companyId = `co${c}`
    const queueIds = Array.from({ length: queuesPer }, (_, k) => `q${c * queuesPer + k}`)
    const members: QueueConfig['members'][] = queueIds.map(() => [])
    const users: UserConfig[] = []
    for (let j = 0; j < usersPer; j++) {
      const g = c * usersPer + j
      const id = `u${g}`
      const extraTerminal = rng.next() < 0.03 ? `+4798${String(100_000 + g)}` : null
      if (extraTerminal !== null) extraOwner.set(extraTerminal, id)
      users.push({
        id,
        firstName: `Agent${g}`,
        lastName: 'Benchmark',
        extension: String(10_000 + j),
        mobile: null,
        direct: null,
        department: `Team ${j % queuesPer}`,
        presentableNumbers: [],
        forwardOnBusy: null,
        forwardOnNoAnswer: null,
        extraTerminal,
      })
      // Primary queue at penalty 0, then 0–2 extra queues at penalty 0, 1 or 2.
      const mine = new Set<number>([j % queuesPer])
      const r = rng.next()
      const extra = r < 0.3 ? 0 : r < 0.7 ? 1 : 2
      while (mine.size < 1 + Math.min(extra, queuesPer - 1)) mine.add(rng.int(0, queuesPer - 1))
      let first = true
      for (const k of mine) {
        const p = rng.next()
        members[k]!.push({
          userId: id,
          penalty: first ? 0 : p < 0.4 ? 0 : p < 0.8 ? 1 : 2,
          loggedIn: rng.next() < 0.97,
        })
        first = false
      }
    }
    const queues: QueueConfig[] = queueIds.map((id, k) => {
      const g = c * queuesPer + k
      const strategy = routingStrategies[g % routingStrategies.length]!
      const other = () => ({ kind: 'queue' as const, queueId: rng.pick(queueIds) })
      const hasMaxWait = rng.next() < 0.3
      const hasMaxLength = rng.next() < 0.1
      return {
        ...queueDefaults,
        id,
        name: `Queue ${g}`,
        numbers: [`+4721${String(100_000 + g)}`],
        strategy,
        members: members[k]!,
        ringTimeoutSeconds: strategy === 'ring-progressively' ? 30 : rng.pick([10, 15, 20]),
        retryDelaySeconds: rng.pick([0, 2, 2, 5]),
        wrapUpSeconds: rng.next() < 0.4 ? rng.int(5, 30) : 0,
        autoPauseAfter: rng.next() < 0.15 ? 3 : null,
        maxWaitSeconds: hasMaxWait ? rng.int(90, 300) : null,
        maxLength: hasMaxLength ? 40 : null,
        overflow: (hasMaxWait || hasMaxLength) && rng.next() < 0.7 ? other() : null,
        openingHours:
          rng.next() < 0.1
            ? {
                weekly: Object.fromEntries(
                  (['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const).map((d) => [
                    d,
                    [{ from: 7 * 60, to: 22 * 60 }],
                  ]),
                ),
                exceptions: {},
              }
            : null,
        progressiveStepSeconds: 5,
      }
    })
    const vip = Array.from({ length: 100 }, (_, i) => callerNumber(c * 100 + i))
    let total = 0
    const queueWeights = queueIds.map(() => (total += rng.between(0.5, 2)))
    configs.push({
      ...companyDefaults,
      id: companyId,
      name: `Company ${c}`,
      users,
      queues,
      vipNumbers: vip,
    })
    metas.push({
      id: companyId,
      users: users.map((u) => u.id),
      queues: queueIds,
      queueNumbers: queues.map((q) => q.numbers[0]!),
      queueWeights,
      vip,
    })
  }
  return { configs, metas, extraOwner }
}

// ───────────────────────────── the driver's event queue ─────────────────────────────

type EventKind =
  | 'arrive'
  | 'answer'
  | 'late-answer'
  | 'reject'
  | 'abandon'
  | 'talk-end'
  | 'hold'
  | 'resume'
  | 'transfer'
  | 'unpause'
  | 'break'

interface NetEvent {
  at: number
  seq: number
  kind: EventKind
  /** A leg id, a caller's leg id, or a user id, depending on the kind. */
  ref: string
  /** The caller's token when the event was planned; stale events are dropped. */
  token: number
}

/** The driver's pending network events, earliest first (the engine's own heap). */
class EventQueue extends TimeHeap<NetEvent> {
  private seq = 0
  add(at: number, kind: EventKind, ref: string, token = 0): void {
    this.push({ at: Math.round(at), seq: ++this.seq, kind, ref, token })
  }
}

// ───────────────────────────── the driver's view of the network ─────────────────────────────

interface Caller {
  legId: string
  companyId: string
  callId: string | null
  phase: 'waiting' | 'talking' | 'held'
  agentId: string | null
  agentLegId: string | null
  token: number
}

/** A leg the engine asked the network to ring (an offer, a transfer, an extra terminal). */
interface NetLeg {
  callId: string
  companyId: string
  /** The user whose phone this is (extra terminals included); null for outside numbers. */
  userId: string | null
  up: boolean
  /** When this phone means to answer, if it does. */
  answerAt: number | null
}

type Ring = Extract<TelephonyCommand, { type: 'ring' }>
type Bridge = Extract<TelephonyCommand, { type: 'bridge' }>

const { configs, metas, extraOwner } = buildConfig()
const metaById = new Map(metas.map((m) => [m.id, m]))

gcNow()
const heapBeforeEngine = heapMb()
let idCounter = 0
const state: EngineState = createEngineState(configs, {
  newId: (kind) => `${kind}-${++idCounter}`,
  seed: SEED,
  now: T0,
})

const events = new EventQueue()
const callers = new Map<string, Caller>()
const legs = new Map<string, NetLeg>()
/** The leg on which each user is talking or holding a caller (their phone is in use). */
const agentOn = new Map<string, string>()
const paused = new Set<string>()
let now = T0
let callerSeq = 0
let arrivals = 0

// ───────────────────────────── measurement ─────────────────────────────

type Phase = 'ramp' | 'warm-up' | 'measured' | 'done'
let phase: Phase = 'ramp'
let inputsTotal = 0
let measured = 0
let measuredNs = 0
let measuredStartAt = 0
const samples = new Float64Array(MEASURED_INPUTS)
/** Input type of each measured sample, to see which inputs make up the slow tail. */
const sampleType = new Uint8Array(MEASURED_INPUTS)
const typeNames: string[] = []
/** Measured inputs and their summed step time, by input type (typed arrays: no garbage). */
const typeCount = new Float64Array(256)
const typeNs = new Float64Array(256)
function typeOf(label: string): number {
  const type = typeNames.indexOf(label)
  return type >= 0 ? type : typeNames.push(label) - 1
}
/** `tick:<kind>` labels, made once per kind (not a new string per tick). */
const tickLabels = new Map<string, string>()
function tickLabel(kind: string): string {
  let label = tickLabels.get(kind)
  if (label === undefined) tickLabels.set(kind, (label = `tick:${kind}`))
  return label
}
let idleTicks = 0
let idleTickNs = 0
let liveMin = Infinity
let liveMax = 0
let liveSum = 0
let arrivalsMeasured = 0
let thrown = 0

const errorsUnexpected = new Map<string, number>()
const errorExamples: string[] = []
let lateSent = 0
let lateRefused = 0
const commandCount = new Map<string, number>()
const queueLogCount = new Map<QueueLogKind, number>()
const endReasons = new Map<string, number>()
let queueLogTotal = 0
let callLogTotal = 0
let deltaTotal = 0
let projectNs = 0
/** BENCH_PROJECT=1 also builds the deltas a subscriber would get (timed apart from the step). */
const PROJECT = process.env.BENCH_PROJECT === '1'
/** BENCH_HASH=1: a digest of everything the engine put out (see the header). */
const digest = process.env.BENCH_HASH === '1' ? createHash('sha256') : null
let callbackTotal = 0
let endedMeasured = 0

const heapRawSamples: number[] = []
const heapGcSamples: { at: number; mb: number; live: number }[] = []
const engineChecks: string[] = []

function bump<K>(map: Map<K, number>, key: K, by = 1): void {
  map.set(key, (map.get(key) ?? 0) + by)
}

function gcNow(): void {
  if (global.gc) {
    global.gc()
    global.gc()
  }
}

function heapMb(): number {
  return process.memoryUsage().heapUsed / (1024 * 1024)
}

/** Apply one input to the engine, timing only the step, and carry out what it returns. */
function apply(
  input: EngineInput,
  at: number,
  expectUnknownLeg = false,
  label: string = input.type,
): string | null {
  let result: ReturnType<typeof step>
  const t0 = process.hrtime.bigint()
  try {
    result = step(state, input, at)
  } catch (error) {
    thrown++
    bump(errorsUnexpected, 'THROWN')
    if (errorExamples.length < 10)
      errorExamples.push(`${input.type} threw: ${error instanceof Error ? error.message : ''}`)
    if (thrown > 100) throw error
    return 'THROWN'
  }
  const ns = Number(process.hrtime.bigint() - t0)
  if (digest !== null) hashStep(digest, input, at, result)
  inputsTotal++
  if (phase === 'measured') {
    const type = typeOf(label)
    sampleType[measured] = type
    samples[measured++] = ns / 1000
    measuredNs += ns
    const out = result.out
    if (
      input.type === 'tick' &&
      out.commands.length + out.queueLog.length + out.changes.length + out.ended.length === 0
    ) {
      idleTicks++
      idleTickNs += ns
    }
    typeCount[type]!++
    typeNs[type]! += ns
    const live = callers.size
    if (live < liveMin) liveMin = live
    if (live > liveMax) liveMax = live
    liveSum += live
  }
  carryOut(result.out, at)
  const code = result.error?.code ?? null
  if (code !== null) {
    if (expectUnknownLeg && code === 'UNKNOWN_LEG') lateRefused++
    else {
      bump(errorsUnexpected, code)
      if (errorExamples.length < 10)
        errorExamples.push(`${input.type}: ${code} ${result.error?.message ?? ''}`)
    }
  }
  return code
}

/** Feed one step's input and everything it put out into the digest (BENCH_HASH=1). */
function hashStep(
  hash: ReturnType<typeof createHash>,
  input: EngineInput,
  at: number,
  result: ReturnType<typeof step>,
): void {
  const out = result.out
  hash.update(
    JSON.stringify({
      at,
      input,
      error: result.error === null ? null : [result.error.code, result.error.message],
      commands: out.commands,
      queueLog: out.queueLog,
      callLog: out.callLog,
      callbacks: out.callbacks,
      changes: out.changes,
      deltas: deltasOf(state, out.changes),
      ended: out.ended.map((e) => [e.companyId, e.callId, e.call, e.trail]),
    }),
  )
  hash.update('\n')
}

function carryOut(out: Outputs, at: number): void {
  const counting = phase === 'measured'
  // Indexed loops: the driver's own garbage would be collected inside timed steps.
  const commands = out.commands
  for (let i = 0; i < commands.length; i++) {
    const command = commands[i]!
    if (counting) bump(commandCount, command.type)
    switch (command.type) {
      case 'ring':
        onRing(command, at)
        break
      case 'end':
        legGone(command.legId, at, true)
        break
      case 'bridge':
        onBridge(command, at)
        break
      default:
        break
    }
  }
  const queueLog = out.queueLog
  for (let i = 0; i < queueLog.length; i++) {
    const entry = queueLog[i]!
    if (counting) {
      queueLogTotal++
      bump(queueLogCount, entry.kind)
    }
    if (
      entry.kind === 'pause' &&
      entry.agentId !== null &&
      entry.reason?.startsWith('auto-pause') === true &&
      !paused.has(entry.agentId)
    ) {
      // The agent notices they were paused and comes back after a while.
      paused.add(entry.agentId)
      events.add(at + rng.between(30_000, 120_000), 'unpause', entry.agentId)
    }
  }
  const ended = out.ended
  for (let i = 0; i < ended.length; i++) {
    const caller = callers.get(ended[i]!.call.remoteLegId)
    if (!caller) continue
    callers.delete(caller.legId)
    // Hold the level: a departure makes room for a new caller.
    events.add(at + rng.between(0, 1000), 'arrive', '')
    if (counting) {
      endedMeasured++
      bump(endReasons, ended[i]!.call.endReason ?? 'none')
    }
  }
  if (counting) {
    callLogTotal += out.callLog.length
    // What a subscriber would receive: the views projected from this step's changes, timed
    // apart from the engine step (the server does this only for companies someone watches).
    if (PROJECT) {
      const p0 = process.hrtime.bigint()
      deltaTotal += deltasOf(state, out.changes).length
      projectNs += Number(process.hrtime.bigint() - p0)
    }
    callbackTotal += out.callbacks.length
  }
}

function onRing(ring: Ring, at: number): void {
  const userId = ring.to.kind === 'user' ? ring.to.userId : (extraOwner.get(ring.to.number) ?? null)
  const leg: NetLeg = {
    callId: ring.callId,
    companyId: ring.companyId,
    userId,
    up: ring.autoAnswer,
    answerAt: null,
  }
  legs.set(ring.legId, leg)
  if (ring.autoAnswer) return
  const r = rng.next()
  if (r < 0.83) {
    leg.answerAt = at + 500 + 7500 * rng.next() ** 2
    events.add(leg.answerAt, 'answer', ring.legId)
  } else if (r < 0.86) {
    events.add(at + rng.between(1000, 4000), 'reject', ring.legId)
  }
  // Otherwise the phone rings until the engine gives up on it.
}

/** The engine ended a leg (command), or the network did (hang-up, reject). */
function legGone(legId: string, at: number, byEngine: boolean): void {
  const leg = legs.get(legId)
  if (!leg) return
  legs.delete(legId)
  if (leg.userId !== null && agentOn.get(leg.userId) === legId) agentOn.delete(leg.userId)
  if (byEngine && !leg.up && leg.answerAt !== null && rng.next() < 0.02) {
    // Glare: the phone answers just as the engine cancels it; the engine must refuse it.
    events.add(at + rng.between(1, 40), 'late-answer', legId, companyIndex(leg.companyId))
  }
}

function onBridge(bridge: Bridge, at: number): void {
  const caller = callers.get(bridge.a)
  const leg = legs.get(bridge.b)
  if (!caller || !leg) return
  leg.up = true
  leg.answerAt = null
  if (leg.userId !== null) agentOn.set(leg.userId, bridge.b)
  caller.callId = bridge.callId
  caller.phase = 'talking'
  caller.agentId = leg.userId
  caller.agentLegId = bridge.b
  const token = ++caller.token
  const talk = Math.min(20_000 + rng.exp(150_000), 1_200_000)
  let held = 0
  const r = rng.next()
  if (caller.agentId !== null && r < 0.08) {
    const holdAt = at + talk * rng.between(0.2, 0.6)
    held = rng.between(5_000, 45_000)
    events.add(holdAt, 'hold', caller.legId, token)
    events.add(holdAt + held, 'resume', caller.legId, token)
  } else if (caller.agentId !== null && r < 0.11) {
    events.add(at + talk * rng.between(0.2, 0.8), 'transfer', caller.legId, token)
  }
  events.add(at + talk + held, 'talk-end', caller.legId, token)
}

function arrive(at: number): void {
  const meta = metas[Math.floor(rng.next() * metas.length)]!
  const weights = meta.queueWeights
  const x = rng.next() * weights[weights.length - 1]!
  let k = 0
  while (weights[k]! < x) k++
  const from = rng.next() < 0.02 ? rng.pick(meta.vip) : callerNumber(rng.int(0, CALLER_POOL - 1))
  const legId = `sip-${++callerSeq}`
  const caller: Caller = {
    legId,
    companyId: meta.id,
    callId: null,
    phase: 'waiting',
    agentId: null,
    agentLegId: null,
    token: 0,
  }
  callers.set(legId, caller)
  arrivals++
  if (phase === 'measured') arrivalsMeasured++
  const code = apply(
    {
      type: 'caller.arrived',
      companyId: meta.id,
      legId,
      from,
      to: meta.queueNumbers[k]!,
      ...(rng.next() < 0.05 ? { priority: 1 } : {}),
    },
    at,
  )
  if (code !== null) {
    callers.delete(legId)
    events.add(at + 1000, 'arrive', '')
    return
  }
  if (callers.has(legId)) patience(caller, at)
}

function patience(caller: Caller, at: number): void {
  events.add(at + 20_000 + rng.exp(400_000), 'abandon', caller.legId, caller.token)
}

function idleColleague(meta: CompanyMeta, self: string): string | null {
  for (let i = 0; i < 8; i++) {
    const userId = rng.pick(meta.users)
    if (userId !== self && !agentOn.has(userId) && !paused.has(userId)) return userId
  }
  return null
}

function deliver(ev: NetEvent): void {
  const at = ev.at
  switch (ev.kind) {
    case 'arrive':
      return arrive(at)
    case 'answer': {
      const leg = legs.get(ev.ref)
      if (!leg || leg.up) return
      // A phone already in a call does not pick up a second one; it rings on.
      if (leg.userId !== null && agentOn.has(leg.userId)) return
      apply({ type: 'leg.answered', companyId: leg.companyId, legId: ev.ref }, at)
      return
    }
    case 'late-answer': {
      lateSent++
      const companyId = metas[ev.token]!.id
      apply({ type: 'leg.answered', companyId, legId: ev.ref }, at, true)
      return
    }
    case 'reject': {
      const leg = legs.get(ev.ref)
      if (!leg || leg.up) return
      const reason = rng.next() < 0.7 ? 'declined' : 'busy'
      const code = apply(
        { type: 'leg.rejected', companyId: leg.companyId, legId: ev.ref, reason },
        at,
      )
      if (code === null) legGone(ev.ref, at, false)
      return
    }
    case 'abandon': {
      const caller = callers.get(ev.ref)
      if (!caller || caller.token !== ev.token || caller.phase !== 'waiting') return
      apply({ type: 'leg.hung-up', companyId: caller.companyId, legId: caller.legId }, at)
      return
    }
    case 'talk-end': {
      const caller = callers.get(ev.ref)
      if (!caller || caller.token !== ev.token || caller.phase === 'waiting') return
      const agentLeg = caller.agentLegId
      if (agentLeg !== null && rng.next() < 0.45) {
        const code = apply(
          { type: 'leg.hung-up', companyId: caller.companyId, legId: agentLeg },
          at,
        )
        if (code === null) legGone(agentLeg, at, false)
      } else {
        apply({ type: 'leg.hung-up', companyId: caller.companyId, legId: caller.legId }, at)
      }
      return
    }
    case 'hold':
    case 'resume': {
      const caller = callers.get(ev.ref)
      const want = ev.kind === 'hold' ? 'talking' : 'held'
      if (!caller || caller.token !== ev.token || caller.phase !== want) return
      if (caller.agentId === null || caller.callId === null) return
      const code = apply(
        {
          type: ev.kind === 'hold' ? 'call.hold' : 'call.resume',
          companyId: caller.companyId,
          userId: caller.agentId,
          callId: caller.callId,
        },
        at,
      )
      if (code === null) caller.phase = ev.kind === 'hold' ? 'held' : 'talking'
      return
    }
    case 'transfer': {
      const caller = callers.get(ev.ref)
      if (!caller || caller.token !== ev.token || caller.phase !== 'talking') return
      if (caller.agentId === null || caller.callId === null) return
      const meta = metaById.get(caller.companyId)!
      const colleague = rng.next() < 0.25 ? idleColleague(meta, caller.agentId) : null
      const code = apply(
        {
          type: 'transfer.blind',
          companyId: caller.companyId,
          userId: caller.agentId,
          callId: caller.callId,
          target:
            colleague !== null
              ? { kind: 'user', userId: colleague }
              : { kind: 'queue', queueId: rng.pick(meta.queues) },
        },
        at,
      )
      // The caller is on their way to the next party; until someone answers they wait again.
      const agentLegId = caller.agentLegId
      if (code === null && callers.get(caller.legId) === caller && agentLegId !== null) {
        if (!legs.has(agentLegId)) {
          caller.phase = 'waiting'
          caller.agentId = null
          caller.agentLegId = null
          caller.token++
          patience(caller, at)
        }
      }
      return
    }
    case 'unpause': {
      if (!paused.has(ev.ref)) return
      const companyId = companyOfUser(ev.ref)
      const code = apply({ type: 'queue.unpause', companyId, userId: ev.ref, queueId: null }, at)
      if (code === null) paused.delete(ev.ref)
      return
    }
    case 'break': {
      // About one agent a second goes on a break of 1–10 minutes.
      events.add(at + rng.between(500, 1500), 'break', '')
      const meta = rng.pick(metas)
      const userId = rng.pick(meta.users)
      if (paused.has(userId) || agentOn.has(userId)) return
      const code = apply(
        { type: 'queue.pause', companyId: meta.id, userId, queueId: null, reason: 'break' },
        at,
      )
      if (code === null) {
        paused.add(userId)
        events.add(at + rng.between(60_000, 600_000), 'unpause', userId)
      }
      return
    }
  }
}

const usersPerCompany = USERS / COMPANIES
function companyOfUser(userId: string): string {
  return metas[Math.floor(Number(userId.slice(1)) / usersPerCompany)]!.id
}
function companyIndex(companyId: string): number {
  return Number(companyId.slice(2))
}

// ───────────────────────────── engine cross-checks (outside the timed region) ─────────────────

function engineCounts(): { calls: number; legs: number; timers: number; missed: number } {
  let calls = 0
  let legCount = 0
  let missed = 0
  for (const co of state.companies.values()) {
    calls += co.calls.size
    legCount += co.legs.size
    missed += co.missed.size
  }
  return { calls, legs: legCount, timers: state.timers.size, missed }
}

function crossCheck(label: string): void {
  const e = engineCounts()
  const driverLegs = callers.size + legs.size
  if (e.calls !== callers.size || e.legs !== driverLegs) {
    engineChecks.push(
      `${label}: engine has ${e.calls} calls / ${e.legs} legs, network ${callers.size} / ${driverLegs}`,
    )
  }
  try {
    checkInvariants(state)
  } catch (error) {
    engineChecks.push(`${label}: ${error instanceof Error ? error.message : 'invariant failed'}`)
  }
}

// ───────────────────────────── run ─────────────────────────────

for (let i = 0; i < LIVE_TARGET; i++) events.add(T0 + (RAMP_MS * i) / LIVE_TARGET, 'arrive', '')
events.add(T0 + 1000, 'break', '')

const wallStart = process.hrtime.bigint()
let warmupStartInputs = 0
const heapEvery = Math.max(1, Math.floor(MEASURED_INPUTS / 20))
const gcEvery = Math.max(1, Math.floor(MEASURED_INPUTS / 4))
let nextRawSample = heapEvery
let nextGcSample = gcEvery

function enterMeasured(): void {
  crossCheck('start of measured phase')
  gcNow()
  heapGcSamples.push({ at: 0, mb: heapMb(), live: callers.size })
  measuredStartAt = now
}

const tick: EngineInput = { type: 'tick' }
while (phase !== 'done') {
  const deadline = nextDeadline(state)
  const next = events.peek()
  if (deadline !== null && (next === undefined || deadline <= next.at)) {
    now = Math.max(now, deadline)
    // Label the tick by the first deadline it fires (read outside the timed region).
    apply(tick, now, false, tickLabel(state.timers.peek()?.kind ?? '?'))
  } else if (next !== undefined) {
    events.pop()
    now = next.at
    deliver(next)
  } else {
    break
  }
  if (phase === 'ramp' && arrivals >= LIVE_TARGET) {
    phase = 'warm-up'
    warmupStartInputs = inputsTotal
  } else if (phase === 'warm-up' && inputsTotal - warmupStartInputs >= WARMUP_INPUTS) {
    enterMeasured()
    phase = 'measured'
  } else if (phase === 'measured') {
    if (measured >= nextRawSample) {
      heapRawSamples.push(heapMb())
      nextRawSample += heapEvery
    }
    if (measured >= nextGcSample && measured < MEASURED_INPUTS) {
      crossCheck(`after ${measured} measured inputs`)
      gcNow()
      heapGcSamples.push({ at: measured, mb: heapMb(), live: callers.size })
      nextGcSample += gcEvery
    }
    if (measured >= MEASURED_INPUTS) phase = 'done'
  }
}

const wallS = Number(process.hrtime.bigint() - wallStart) / 1e9
heapRawSamples.push(heapMb())
crossCheck('end of measured phase')
gcNow()
const heapEnd = heapMb()
heapGcSamples.push({ at: measured, mb: heapEnd, live: callers.size })

// ───────────────────────────── report ─────────────────────────────

let overhead = 0
for (let i = 0; i < 10_000; i++) {
  const a = process.hrtime.bigint()
  overhead += Number(process.hrtime.bigint() - a)
}
overhead /= 10_000

const sorted = samples.slice(0, measured).sort()
const pct = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? 0
const eventsPerS = measured / (measuredNs / 1e9)
const p99 = pct(0.99)
const slowTail = new Map<string, number>()
for (let i = 0; i < measured; i++)
  if (samples[i]! >= p99) bump(slowTail, typeNames[sampleType[i]!] ?? '?')
const virtualS = (now - measuredStartAt) / 1000
const fmtMap = (map: Map<string, number>) =>
  [...map.entries()]
    .sort((a, b) => b[1] - a[1])
    .map(([k, v]) => `${k}=${v}`)
    .join(' ') || 'none'
const inputCount = new Map(typeNames.map((name, i) => [name, typeCount[i]!]))
const inputNs = new Map(typeNames.map((name, i) => [name, typeNs[i]!]))
const final = engineCounts()
let ticks = 0
for (const [label, n] of inputCount) if (label.startsWith('tick')) ticks += n
const peakRaw = Math.max(...heapRawSamples, ...heapGcSamples.map((s) => s.mb))
const gcExposed = global.gc !== undefined

console.log(
  `config: ${COMPANIES} compan${COMPANIES === 1 ? 'y' : 'ies'} × ${QUEUES / COMPANIES} queues × ` +
    `${USERS / COMPANIES} users (${QUEUES} queues, ${USERS} users, all ${routingStrategies.length} ` +
    `strategies), seed ${SEED}`,
)
console.log(
  `run: ${inputsTotal} inputs in all (ramp + ${WARMUP_INPUTS} warm-up + ${measured} measured), ` +
    `wall ${wallS.toFixed(1)} s, measured phase spans ${virtualS.toFixed(0)} virtual s`,
)
console.log(`measured inputs by type: ${fmtMap(inputCount)}`)
console.log(
  `mean µs by type: ${[...inputNs.entries()]
    .sort((a, b) => b[1] - a[1])
    .map(([k, v]) => `${k}=${(v / 1000 / (inputCount.get(k) ?? 1)).toFixed(1)}`)
    .join(' ')}`,
)
console.log(
  `ticks with no output at all: ${idleTicks} of ${ticks}, ` +
    `mean ${(idleTickNs / 1000 / Math.max(1, idleTicks)).toFixed(1)} µs`,
)
console.log(
  `live calls in measured phase: min ${liveMin} max ${liveMax} mean ${(liveSum / Math.max(1, measured)).toFixed(0)} ` +
    `(target ${LIVE_TARGET}); at end: engine ${final.calls} calls / ${final.legs} legs / ` +
    `${final.timers} timers / ${final.missed} missed-list entries, network ${callers.size} callers, ${agentOn.size} agents on a call, ` +
    `${paused.size} paused`,
)
console.log(
  `calls in measured phase: ${arrivalsMeasured} arrived, ${endedMeasured} ended (${fmtMap(endReasons)})`,
)
console.log(`commands: ${fmtMap(commandCount)}`)
console.log(`queue-log events: ${queueLogTotal} (${fmtMap(queueLogCount)})`)
console.log(`call-log records: ${callLogTotal}, deltas: ${deltaTotal}, callbacks: ${callbackTotal}`)
console.log(
  PROJECT
    ? `delta projection for subscribers (outside the engine step): mean ${(projectNs / 1000 / Math.max(1, measured)).toFixed(1)} µs per input`
    : 'delta projection for subscribers: not measured (BENCH_PROJECT=1 measures it; the server projects only for watched companies)',
)
console.log(
  `errors: unexpected ${fmtMap(errorsUnexpected)}; late answers to withdrawn offers ` +
    `${lateSent} sent, ${lateRefused} refused with UNKNOWN_LEG (expected)`,
)
for (const example of errorExamples) console.log(`  error example: ${example}`)
console.log(
  `engine cross-checks (calls/legs vs network, invariants): ${engineChecks.length === 0 ? 'ok' : engineChecks.length + ' failed'}`,
)
for (const failure of engineChecks.slice(0, 10)) console.log(`  ${failure}`)
console.log(
  `latency µs: p50 ${pct(0.5).toFixed(1)} p90 ${pct(0.9).toFixed(1)} p99 ${p99.toFixed(1)} ` +
    `p99.9 ${pct(0.999).toFixed(1)} max ${(sorted[sorted.length - 1] ?? 0).toFixed(1)} ` +
    `(hrtime pair costs ~${overhead.toFixed(0)} ns, included)`,
)
console.log(`slowest 1% of steps by input type: ${fmtMap(slowTail)}`)
console.log(
  `heap MB: ${heapBeforeEngine.toFixed(1)} before the engine (config only); after GC in the measured ` +
    `phase ${heapGcSamples.map((s) => `${s.mb.toFixed(1)}@${s.at}`).join(' ')} (MB@input); peak ` +
    `heapUsed sampled without GC (garbage included) ${peakRaw.toFixed(1)}${gcExposed ? '' : ' (no --expose-gc: figures are without forced GC)'}`,
)
const liveOk = liveMin >= LIVE_TARGET * 0.95 && liveMax <= LIVE_TARGET * 1.05
const correct =
  errorsUnexpected.size === 0 && engineChecks.length === 0 && lateRefused === lateSent && liveOk
console.log(
  `correctness: ${correct ? 'ok' : 'FAILED'} (unexpected errors ${[...errorsUnexpected.values()].reduce((a, b) => a + b, 0)}, ` +
    `live calls within ±5% of ${LIVE_TARGET}: ${liveOk ? 'yes' : 'no'})`,
)
const met = (ok: boolean) => (ok ? 'met' : 'MISSED')
console.log(
  `targets: events_per_s ≥ ${TARGET_EVENTS_PER_S} ${met(eventsPerS >= TARGET_EVENTS_PER_S)}, ` +
    `p99 ≤ ${TARGET_P99_US} µs ${met(p99 <= TARGET_P99_US)}, ` +
    `heap ≤ ${TARGET_HEAP_MB} MB ${met(heapEnd <= TARGET_HEAP_MB)}`,
)
if (digest !== null) console.log(`hash: ${digest.digest('hex')}`)
console.log(
  `engine: events_per_s=${Math.round(eventsPerS)} p99_us=${p99.toFixed(1)} heap_mb=${Math.round(heapEnd)}`,
)
