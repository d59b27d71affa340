/**
 * Time for everything outside the engine. The core runs on the system clock; tests, replays
 * and the benchmark run on a virtual clock that only moves when told to, so a whole simulated
 * day takes milliseconds and replays identically.
 */
import { TimeHeap } from '../domain/heap'

export interface TimerHandle {
  readonly at: number
}

export interface Clock {
  now(): number
  /** Run `fn` at `at` (or as soon as possible if that is past). */
  setTimer(at: number, fn: () => void): TimerHandle
  clearTimer(handle: TimerHandle): void
}

export class SystemClock implements Clock {
  private readonly handles = new Map<TimerHandle, NodeJS.Timeout>()

  now(): number {
    return Date.now()
  }

  setTimer(at: number, fn: () => void): TimerHandle {
    const handle: TimerHandle = { at }
    const timeout = setTimeout(
      () => {
        this.handles.delete(handle)
        fn()
      },
      Math.max(0, at - Date.now()),
    )
    this.handles.set(handle, timeout)
    return handle
  }

  clearTimer(handle: TimerHandle): void {
    const timeout = this.handles.get(handle)
    if (timeout) clearTimeout(timeout)
    this.handles.delete(handle)
  }

  /** Cancel everything (shutdown). */
  clearAll(): void {
    for (const timeout of this.handles.values()) clearTimeout(timeout)
    this.handles.clear()
  }
}

interface VirtualTimer extends TimerHandle {
  seq: number
  fn: () => void
  cancelled: boolean
}

/** A clock that moves only when `advanceTo`/`advanceBy` is called; timers fire in (time, order). */
export class VirtualClock implements Clock {
  private current: number
  private seq = 0
  private readonly heap = new TimeHeap<VirtualTimer>()

  constructor(start: number) {
    this.current = start
  }

  now(): number {
    return this.current
  }

  setTimer(at: number, fn: () => void): TimerHandle {
    const timer: VirtualTimer = {
      at: Math.max(at, this.current),
      seq: ++this.seq,
      fn,
      cancelled: false,
    }
    this.heap.push(timer)
    return timer
  }

  clearTimer(handle: TimerHandle): void {
    ;(handle as VirtualTimer).cancelled = true
  }

  get pending(): number {
    return this.heap.toSortedArray().filter((t) => !t.cancelled).length
  }

  /** Fire every timer due up to `at`, each with the clock set to its own time. */
  advanceTo(at: number): void {
    for (;;) {
      const next = this.heap.peek()
      if (!next || next.at > at) break
      this.heap.pop()
      if (next.cancelled) continue
      this.current = next.at
      next.fn()
    }
    this.current = Math.max(this.current, at)
  }

  advanceBy(ms: number): void {
    this.advanceTo(this.current + ms)
  }
}
