/**
 * The runtime around the pure engine: it owns the engine state, feeds it events at the clock's
 * time, carries out its commands through the telephony adapters, keeps one real timer for the
 * engine's next deadline, and hands every step's outputs to whoever listens (the socket server,
 * the activity log, statistics, and later persistence).
 */
import type { CompanyId } from '../../shared/ids'
import type { CompanySnapshot, TrailEntry } from '../../shared/model'
import type { CompanyConfig } from '../domain/config'
import {
  createEngineState,
  dropStaleDeadlines,
  nextDeadline,
  readTrail,
  snapshot,
  step,
} from '../domain/engine'
import { EngineError } from '../domain/errors'
import type { EngineInput, Outputs } from '../domain/io'
import type { EngineState, IdSource } from '../domain/state'
import { expandTrail, type StoredTrailEntry } from '../domain/trail'
import type { TelephonyAdapter } from '../telephony/adapter'
import type { Clock, TimerHandle } from './clock'

export type OutputListener = (out: Outputs, input: EngineInput) => void

export interface RuntimeOptions {
  clock: Clock
  companies: CompanyConfig[]
  newId: IdSource
  seed?: number
  /** Called when the engine throws (a bug): the input is dropped and the core carries on. */
  onInternalError?: (error: unknown, input: EngineInput) => void
  /** How many ended calls' why-trails to keep in memory. */
  trailsKept?: number
}

export class CoreRuntime {
  readonly state: EngineState
  private readonly clock: Clock
  private readonly adapters = new Map<CompanyId, TelephonyAdapter>()
  private readonly listeners = new Set<OutputListener>()
  private readonly endedTrails = new Map<string, readonly StoredTrailEntry[]>()
  private deadline: TimerHandle | null = null
  private stopped = false
  private steps = 0

  constructor(private readonly options: RuntimeOptions) {
    this.clock = options.clock
    this.state = createEngineState(options.companies, {
      newId: options.newId,
      now: options.clock.now(),
      ...(options.seed !== undefined ? { seed: options.seed } : {}),
    })
  }

  /** Connect a company to its telephone network and start it. */
  attach(companyId: CompanyId, adapter: TelephonyAdapter): void {
    this.adapters.set(companyId, adapter)
    adapter.start((input) => this.dispatch(input))
  }

  onOutputs(listener: OutputListener): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  get stepCount(): number {
    return this.steps
  }

  /** Apply one input now; commands are carried out and listeners told before this returns. */
  dispatch(input: EngineInput): EngineError | null {
    if (this.stopped) return new EngineError('INVALID_STATE', 'the core is shutting down')
    let result
    try {
      result = step(this.state, input, Math.max(this.clock.now(), this.state.now))
    } catch (error) {
      this.options.onInternalError?.(error, input)
      this.reschedule()
      return new EngineError('INTERNAL', 'internal error; the input was not applied')
    }
    this.steps++
    const out = result.out
    for (const command of out.commands) this.adapters.get(command.companyId)?.execute(command)
    for (const ended of out.ended) this.keepTrail(ended.companyId, ended.callId, ended.storedTrail)
    for (const listener of this.listeners) listener(out, input)
    this.reschedule()
    return result.error ?? null
  }

  snapshot(companyId: CompanyId): CompanySnapshot | null {
    return snapshot(this.state, companyId)
  }

  trail(companyId: CompanyId, callId: string): TrailEntry[] | null {
    const ended = this.endedTrails.get(`${companyId}/${callId}`)
    return readTrail(this.state, companyId, callId) ?? (ended ? expandTrail(ended) : null)
  }

  stop(): void {
    this.stopped = true
    if (this.deadline) this.clock.clearTimer(this.deadline)
    this.deadline = null
    for (const adapter of this.adapters.values()) adapter.stop()
  }

  private keepTrail(
    companyId: CompanyId,
    callId: string,
    trail: readonly StoredTrailEntry[],
  ): void {
    // Trails of ended calls are kept for a while in memory (the store keeps them for good), as
    // the engine keeps them: expanded, ten thousand trails were most of the heap under load.
    this.endedTrails.set(`${companyId}/${callId}`, trail)
    const max = this.options.trailsKept ?? 10_000
    if (this.endedTrails.size > max) {
      const oldest = this.endedTrails.keys().next().value
      if (oldest !== undefined) this.endedTrails.delete(oldest)
    }
  }

  private reschedule(): void {
    if (this.stopped) return
    dropStaleDeadlines(this.state)
    const next = nextDeadline(this.state)
    if (this.deadline && next !== null && this.deadline.at === next) return
    if (this.deadline) this.clock.clearTimer(this.deadline)
    this.deadline = null
    if (next !== null) {
      this.deadline = this.clock.setTimer(next, () => {
        this.deadline = null
        this.dispatch({ type: 'tick' })
      })
    }
  }
}
