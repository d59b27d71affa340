/**
 * The routing engine: `step(state, input, now)` → `{ state, out, error }`.
 *
 * Deadlines that fell due before `now` fire first, each at its own instant, so the outcome does
 * not depend on how often the runtime ticks. Then the input is applied. A refused input returns
 * an error and changes nothing (the deadlines that fired before it stay fired; their outputs are
 * in `out` and must be carried out like any other).
 */
import type { CompanyId, Instant } from '../../shared/ids'
import type { CompanySnapshot, TrailEntry } from '../../shared/model'
import type { CompanyConfig } from './config'
import { newCompanyState, onConfigure, startDayClock, startHoursCheck } from './company'
import { Ctx } from './context'
import { fireDeadline } from './deadlines'
import { EngineError } from './errors'
import { withItem, emptyOutputs, none, type EngineInput, type Outputs, type StepResult } from './io'
import {
  onBlindTransfer,
  onCallbackMark,
  onCancel,
  onComplete,
  onConferenceAdd,
  onConferenceCreate,
  onConferenceEnd,
  onConferenceRemove,
  onConsult,
  onDial,
  onHangup,
  onHold,
  onOfferAnswer,
  onOfferReject,
  onPark,
  onPick,
  onResume,
  onRetrieve,
} from './operations'
import {
  onAbsenceClear,
  onAbsenceSet,
  onQueueLogin,
  onQueueLogout,
  onQueuePause,
  onQueueUnpause,
} from './presence'
import { distribute } from './routing'
import type { CompanyState, EngineState, IdSource } from './state'
import {
  onCallerArrived,
  onLegAnswered,
  onLegFailed,
  onLegHungUp,
  onLegRejected,
} from './telephony-events'
import { TimerHeap, type TimerKind } from './timers'
import { expandTrail } from './trail'
import { companySnapshot } from './views'
export { deltasOf } from './views'

export interface EngineOptions {
  newId: IdSource
  /** Seeds the random strategy; the same seed replays the same choices. */
  seed?: number
  now: Instant
}

export function createEngineState(companies: CompanyConfig[], options: EngineOptions): EngineState {
  const state: EngineState = {
    now: options.now,
    companies: new Map(),
    timers: new TimerHeap(),
    seq: 0,
    newId: options.newId,
  }
  for (const config of companies) {
    const co = newCompanyState(config, options.seed ?? 1)
    state.companies.set(config.id, co)
    startHoursCheck(state, co, options.now)
    startDayClock(state, co, options.now)
  }
  return state
}

export function step(state: EngineState, input: EngineInput, now: Instant): StepResult {
  const out = emptyOutputs()
  if (now < state.now) {
    return {
      state,
      out,
      error: new EngineError('CLOCK_WENT_BACKWARDS', `now ${now} is before ${state.now}`),
    }
  }
  // One working context per company touched in this step (rarely more than one).
  resetContexts()
  const timers = state.timers
  for (let entry = timers.peek(); entry !== undefined && entry.at <= now; entry = timers.peek()) {
    timers.pop()
    const co = state.companies.get(entry.companyId)
    if (!co) continue
    const ctx = contextFor(state, co, out, entry.at)
    fireDeadline(ctx, entry)
    distribute(ctx)
  }
  state.now = now
  let error: EngineError | null = null
  if (input.type !== 'tick') {
    const co = state.companies.get(input.companyId)
    if (!co) {
      error = new EngineError('UNKNOWN_COMPANY', `no company ${input.companyId}`)
    } else {
      const ctx = contextFor(state, co, out, now)
      error = apply(ctx, input)
      distribute(ctx)
    }
  }
  collectAllChanges(out)
  resetContexts()
  return { state, out, error }
}

/*
 * The contexts of the step in progress: the first company's, and any others in the order they
 * were first touched. Steps never nest; both are cleared when a step ends.
 */
let firstCtx: Ctx | null = null
let moreCtx: Ctx[] | null = null
/**
 * The first context of the last step, kept for the next one: most steps touch the same company
 * as the one before, and its context is then set to the new step's time and outputs instead of
 * being made anew. A context holds nothing from one step to the next that the step reads.
 */
let spareCtx: Ctx | null = null

function resetContexts(): void {
  if (firstCtx !== null) spareCtx = firstCtx
  firstCtx = null
  moreCtx = null
}

function collectAllChanges(out: Outputs): void {
  if (firstCtx !== null) collectChanges(firstCtx.co, out)
  if (moreCtx !== null) for (const ctx of moreCtx) collectChanges(ctx.co, out)
}

function contextFor(state: EngineState, co: CompanyState, out: Outputs, at: Instant): Ctx {
  if (firstCtx === null) {
    const spare = spareCtx
    if (spare !== null && spare.co === co && spare.state === state) {
      spare.now = at
      spare.out = out
      return (firstCtx = spare)
    }
    return (firstCtx = new Ctx(state, co, at, out))
  }
  if (firstCtx.co === co) {
    firstCtx.now = at
    return firstCtx
  }
  if (moreCtx !== null) {
    for (const ctx of moreCtx) {
      if (ctx.co === co) {
        ctx.now = at
        return ctx
      }
    }
  }
  const ctx = new Ctx(state, co, at, out)
  ;(moreCtx ??= []).push(ctx)
  return ctx
}

function apply(ctx: Ctx, input: Exclude<EngineInput, { type: 'tick' }>): EngineError | null {
  switch (input.type) {
    case 'caller.arrived':
      return onCallerArrived(ctx, input)
    case 'leg.answered':
      return onLegAnswered(ctx, input)
    case 'leg.rejected':
      return onLegRejected(ctx, input)
    case 'leg.failed':
      return onLegFailed(ctx, input)
    case 'leg.hung-up':
      return onLegHungUp(ctx, input)
    case 'offer.answer':
      return onOfferAnswer(ctx, input)
    case 'offer.reject':
      return onOfferReject(ctx, input)
    case 'call.pick':
      return onPick(ctx, input)
    case 'call.hold':
      return onHold(ctx, input)
    case 'call.resume':
      return onResume(ctx, input)
    case 'call.hangup':
      return onHangup(ctx, input)
    case 'transfer.blind':
      return onBlindTransfer(ctx, input)
    case 'transfer.consult':
      return onConsult(ctx, input)
    case 'transfer.complete':
      return onComplete(ctx, input)
    case 'transfer.cancel':
      return onCancel(ctx, input)
    case 'call.park':
      return onPark(ctx, input)
    case 'call.retrieve':
      return onRetrieve(ctx, input)
    case 'call.dial':
      return onDial(ctx, input)
    case 'conference.create':
      return onConferenceCreate(ctx, input)
    case 'conference.add':
      return onConferenceAdd(ctx, input)
    case 'conference.remove':
      return onConferenceRemove(ctx, input)
    case 'conference.end':
      return onConferenceEnd(ctx, input)
    case 'callback.mark':
      return onCallbackMark(ctx, input)
    case 'absence.set':
      return onAbsenceSet(ctx, input)
    case 'absence.clear':
      return onAbsenceClear(ctx, input)
    case 'queue.login':
      return onQueueLogin(ctx, input)
    case 'queue.logout':
      return onQueueLogout(ctx, input)
    case 'queue.pause':
      return onQueuePause(ctx, input)
    case 'queue.unpause':
      return onQueueUnpause(ctx, input)
    case 'company.configure':
      return onConfigure(ctx, input)
  }
}

/**
 * Report what changed in a company during the step, and start a new change set. (A call that
 * ended is listed for upsert and removal; projections skip calls that are gone.)
 */
function collectChanges(co: CompanyState, out: Outputs): void {
  const c = co.changes
  if (
    c.calls.length + c.removedCalls.length + c.agents.length + c.queues.length + c.missed.length ===
    0
  )
    return
  out.changes = withItem(out.changes, {
    companyId: co.id,
    calls: c.calls,
    removedCalls: c.removedCalls,
    agents: c.agents,
    users: c.users,
    removedUsers: c.removedUsers,
    queues: c.queues,
    removedQueues: c.removedQueues,
    missed: c.missed,
  })
  // The lists now belong to the outputs; the company starts a new (empty) change set.
  c.calls = none
  c.removedCalls = none
  c.agents = none
  c.users = none
  c.removedUsers = none
  c.queues = none
  c.removedQueues = none
  c.missed = none
  co.changeGen++
}

/** When the runtime should next tick the engine, if ever. */
export function nextDeadline(state: EngineState): Instant | null {
  return state.timers.peek()?.at ?? null
}

/** Deadlines that belong to a call (their `ref` is its id), and do nothing once it has ended. */
const callDeadlines: ReadonlySet<TimerKind> = new Set<TimerKind>([
  'offer-timeout',
  'retry',
  'max-wait',
  'progressive-step',
  'park-timeout',
  'consult-timeout',
  'dial-timeout',
])

/**
 * Drops the deadlines at the front of the queue whose call has ended; returns how many. A
 * deadline stays queued when what it waits for goes away (lazy deletion), and falling due it
 * does nothing: but the runtime sets a timer for the next deadline and steps when it fires, so
 * every answered call's ring timeout would cost a timer and a step 15 s later, at the pace
 * calls are answered. Dropping them first is the same as firing them: nothing changes but
 * `state.now`, which the next step sets anyway.
 */
export function dropStaleDeadlines(state: EngineState): number {
  let dropped = 0
  for (let entry = state.timers.peek(); entry !== undefined; entry = state.timers.peek()) {
    if (!callDeadlines.has(entry.kind)) break
    if (state.companies.get(entry.companyId)?.calls.has(entry.ref)) break
    state.timers.pop()
    dropped++
  }
  return dropped
}

export function snapshot(state: EngineState, companyId: CompanyId): CompanySnapshot | null {
  const co = state.companies.get(companyId)
  return co ? companySnapshot(co, state.now) : null
}

/** The why-trail of a live call. Ended calls' trails leave the engine in `out.ended`. */
export function readTrail(
  state: EngineState,
  companyId: CompanyId,
  callId: string,
): TrailEntry[] | null {
  const trail = state.companies.get(companyId)?.calls.get(callId)?.trail
  return trail ? expandTrail(trail) : null
}

export { EngineError }
