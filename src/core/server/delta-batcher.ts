/**
 * Merges live-state publications over a short window, so a busy switchboard sends one message
 * per stream rather than one per engine step. Each addition says by when it must go out; the
 * batch leaves at the earliest such time, with whatever else has joined it by then.
 *
 * The server gives each step's publications the step's time plus the window. A step that first
 * waited for its records to be stored (see Recorder.after) has used up part of its window
 * already, and goes out as soon as they are stored if the window has passed.
 */
export class DeltaBatcher<T> {
  private pending: T[] = []
  private timer: ReturnType<typeof setTimeout> | null = null

  constructor(
    private readonly send: (batch: T[]) => void,
    /** Milliseconds on a monotonic clock; `dueAt` is on the same clock. */
    private readonly now: () => number = () => performance.now(),
  ) {}

  add(items: readonly T[], dueAt: number): void {
    for (const item of items) this.pending.push(item)
    this.timer ??= setTimeout(() => this.flush(), Math.max(0, dueAt - this.now()))
  }

  /** Send what is waiting now. */
  flush(): void {
    if (this.timer !== null) clearTimeout(this.timer)
    this.timer = null
    const batch = this.pending
    this.pending = []
    if (batch.length > 0) this.send(batch)
  }

  /** Drop the timer (the server is closing); nothing more is sent. */
  close(): void {
    if (this.timer !== null) clearTimeout(this.timer)
    this.timer = null
    this.pending = []
  }
}
