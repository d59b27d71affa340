/**
 * Local mode: the bundled routing core (out/core/cli.js) as a child process with its embedded
 * database, so one person can install Sentral and run it with nothing else. The core is forked
 * with piped stdio and `--json-logs`; its address is read from the pino line whose message
 * starts "Sentral core" (src/core/cli.ts). If it exits unexpectedly it is started again after a
 * back-off, on the same port so the interface reconnects where it was; on quit it is stopped
 * with SIGTERM, which the core answers with a clean shutdown.
 *
 *   idle ──start──▶ starting ──url line──▶ running
 *                    │    ▲                   │
 *     exit, no url ▼    │ back-off elapsed     │ exit
 *                 backing-off ◀───────────────┘
 *   starting/running ──exit code 2, or too many starts without a url──▶ failed
 *   idle/starting/running/backing-off/failed ──stop──▶ stopping ──exit──▶ stopped
 *
 * The fork function is injected: Electron's utilityProcess.fork in the app, Node's
 * child_process.fork in tests (a real process, as in production).
 */
import { createInterface } from 'node:readline'
import type { Cancel, CoreProcess, ForkCore, Scheduler, ShellLog } from './electron-api'
import { systemScheduler } from './electron-api'

export type SupervisorState =
  'idle' | 'starting' | 'running' | 'backing-off' | 'stopping' | 'stopped' | 'failed'

const allowed: Record<SupervisorState, readonly SupervisorState[]> = {
  idle: ['starting', 'stopped'],
  starting: ['running', 'backing-off', 'failed', 'stopping'],
  running: ['backing-off', 'failed', 'stopping'],
  'backing-off': ['starting', 'stopped'],
  stopping: ['stopped'],
  stopped: [],
  failed: ['stopped'],
}

export class IllegalSupervisorTransition extends Error {
  constructor(from: SupervisorState, to: SupervisorState) {
    super(`core supervisor: cannot go from ${from} to ${to}`)
    this.name = 'IllegalSupervisorTransition'
  }
}

/** The core could not be started or was stopped; `message` is fit to show the user. */
export class CoreUnavailableError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'CoreUnavailableError'
  }
}

/** The exit code with which the core refuses a configuration it cannot use (src/core/cli.ts). */
const configurationExitCode = 2

export interface CoreSupervisorOptions {
  fork: ForkCore
  modulePath: string
  /** The command and its options, without --port (the supervisor chooses it). */
  args: readonly string[]
  env: Record<string, string | undefined>
  scheduler?: Scheduler
  log?: ShellLog
  /** First restart delay, doubled on each restart that follows a short run, up to maxMs. */
  backoff?: { initialMs: number; maxMs: number }
  /** A start that reports no address within this time is killed and retried. */
  readyTimeoutMs?: number
  /** After SIGTERM, how long to wait for the exit before giving up on it. */
  stopTimeoutMs?: number
  /** A run this long resets the back-off. */
  stableMs?: number
  /** Consecutive starts without an address before the supervisor gives up. */
  maxFailedStarts?: number
  onStateChange?: (state: SupervisorState, url: string | null) => void
}

interface Waiter {
  resolve(url: string): void
  reject(error: Error): void
}

const silentLog: ShellLog = { info() {}, warn() {}, error() {} }

/** The address in a "Sentral core … listening" log line, or null for any other line. */
export function coreUrlFromLogLine(line: string): string | null {
  if (!line.startsWith('{')) return null
  let record: unknown
  try {
    record = JSON.parse(line)
  } catch {
    return null
  }
  if (typeof record !== 'object' || record === null) return null
  const { msg, url } = record as { msg?: unknown; url?: unknown }
  if (typeof msg !== 'string' || !msg.startsWith('Sentral core') || typeof url !== 'string')
    return null
  try {
    const parsed = new URL(url)
    return parsed.protocol === 'http:' || parsed.protocol === 'https:' ? parsed.origin : null
  } catch {
    return null
  }
}

export class CoreSupervisor {
  private current: SupervisorState = 'idle'
  private child: CoreProcess | null = null
  /** Events from an older child (one that was replaced) are ignored. */
  private generation = 0
  private url: string | null = null
  private port = 0
  private restarts = 0
  private failedStarts = 0
  private readonly timers = new Set<Cancel>()
  private waiters: Waiter[] = []
  private failure: CoreUnavailableError | null = null
  private stopped: Promise<void> | null = null
  private resolveStopped: (() => void) | null = null
  private readonly stderrTail: string[] = []

  private readonly scheduler: Scheduler
  private readonly log: ShellLog
  private readonly backoff: { initialMs: number; maxMs: number }
  private readonly readyTimeoutMs: number
  private readonly stopTimeoutMs: number
  private readonly stableMs: number
  private readonly maxFailedStarts: number

  constructor(private readonly options: CoreSupervisorOptions) {
    this.scheduler = options.scheduler ?? systemScheduler
    this.log = options.log ?? silentLog
    this.backoff = options.backoff ?? { initialMs: 1000, maxMs: 30_000 }
    this.readyTimeoutMs = options.readyTimeoutMs ?? 60_000
    this.stopTimeoutMs = options.stopTimeoutMs ?? 5000
    this.stableMs = options.stableMs ?? 60_000
    this.maxFailedStarts = options.maxFailedStarts ?? 5
  }

  get state(): SupervisorState {
    return this.current
  }

  /** Starts the core; resolves with its address once it listens. */
  start(): Promise<string> {
    this.transition('starting')
    this.spawn()
    return this.address()
  }

  /** The core's address; waits while it starts or restarts, rejects once it failed or stopped. */
  address(): Promise<string> {
    switch (this.current) {
      case 'running':
        return Promise.resolve(this.url!)
      case 'failed':
        return Promise.reject(this.failure!)
      case 'stopping':
      case 'stopped':
        return Promise.reject(new CoreUnavailableError('The bundled core is stopped.'))
      default:
        return new Promise((resolve, reject) => this.waiters.push({ resolve, reject }))
    }
  }

  /** Stops the core (SIGTERM) and resolves when it exited, or after the stop timeout. */
  stop(): Promise<void> {
    if (this.stopped) return this.stopped
    this.cancelTimers()
    this.settleWaiters(new CoreUnavailableError('The bundled core is stopped.'))
    const child = this.child
    if (!child) {
      this.transition('stopped')
      this.stopped = Promise.resolve()
      return this.stopped
    }
    this.transition('stopping')
    this.stopped = new Promise<void>((resolve) => {
      this.resolveStopped = resolve
    })
    this.later(() => {
      if (this.current !== 'stopping') return
      this.log.warn('the bundled core did not exit after SIGTERM; leaving it to the OS')
      this.finishStop()
    }, this.stopTimeoutMs)
    child.kill()
    return this.stopped
  }

  private spawn(): void {
    const generation = ++this.generation
    const args = [...this.options.args, '--port', String(this.port)]
    let child: CoreProcess
    try {
      child = this.options.fork(this.options.modulePath, args, {
        env: this.options.env,
        serviceName: 'Sentral core',
      })
    } catch (error) {
      this.log.error('could not start the bundled core', { error: String(error) })
      this.exited(generation, null)
      return
    }
    this.child = child
    if (child.stdout)
      createInterface({ input: child.stdout }).on('line', (line) => this.onStdout(generation, line))
    if (child.stderr)
      createInterface({ input: child.stderr }).on('line', (line) => this.onStderr(line))
    child.once('exit', (code) => this.exited(generation, code))
    this.later(() => {
      if (generation !== this.generation || this.current !== 'starting') return
      this.log.warn('the bundled core reported no address in time; killing it', {
        timeoutMs: this.readyTimeoutMs,
      })
      child.kill()
    }, this.readyTimeoutMs)
  }

  private onStdout(generation: number, line: string): void {
    if (generation !== this.generation) return
    const url = coreUrlFromLogLine(line)
    if (url !== null && this.current === 'starting') {
      this.ready(url)
      return
    }
    // The core's own log stays in its JSON lines; main keeps its warnings and errors.
    const level = /"level":(\d+)/.exec(line)?.[1]
    if (level !== undefined && Number(level) >= 40) this.log.warn(`core: ${line}`)
  }

  private onStderr(line: string): void {
    this.stderrTail.push(line)
    if (this.stderrTail.length > 20) this.stderrTail.shift()
    this.log.warn(`core: ${line}`)
  }

  private ready(url: string): void {
    this.url = url
    this.port = Number(new URL(url).port) || 0
    this.failedStarts = 0
    this.cancelTimers()
    this.transition('running')
    this.log.info('the bundled core is listening', { url })
    const generation = this.generation
    this.later(() => {
      if (generation === this.generation && this.current === 'running') this.restarts = 0
    }, this.stableMs)
    const waiters = this.waiters
    this.waiters = []
    for (const waiter of waiters) waiter.resolve(url)
  }

  private exited(generation: number, code: number | null): void {
    if (generation !== this.generation) return
    this.child = null
    this.url = null
    if (this.current === 'stopping') {
      this.finishStop()
      return
    }
    if (this.current !== 'starting' && this.current !== 'running') return
    this.cancelTimers()
    const tail = this.stderrTail.join('\n')
    if (code === configurationExitCode) {
      this.fail(`The bundled core cannot use its configuration.${tail ? `\n${tail}` : ''}`)
      return
    }
    if (this.current === 'starting') {
      this.failedStarts += 1
      // The previous port may have been taken meanwhile: let the OS pick one.
      this.port = 0
      if (this.failedStarts >= this.maxFailedStarts) {
        this.fail(
          `The bundled core did not start (${this.failedStarts} attempts).${tail ? `\n${tail}` : ''}`,
        )
        return
      }
    }
    const delay = Math.min(this.backoff.initialMs * 2 ** this.restarts, this.backoff.maxMs)
    this.restarts += 1
    this.log.warn('the bundled core exited; starting it again', { code, delayMs: delay })
    this.transition('backing-off')
    this.later(() => {
      if (this.current !== 'backing-off') return
      this.transition('starting')
      this.spawn()
    }, delay)
  }

  private fail(message: string): void {
    this.failure = new CoreUnavailableError(message)
    this.log.error(message)
    this.transition('failed')
    this.settleWaiters(this.failure)
  }

  private finishStop(): void {
    this.cancelTimers()
    this.transition('stopped')
    this.resolveStopped?.()
    this.resolveStopped = null
  }

  private settleWaiters(error: Error): void {
    const waiters = this.waiters
    this.waiters = []
    for (const waiter of waiters) waiter.reject(error)
  }

  private later(callback: () => void, delayMs: number): void {
    const cancel = this.scheduler.schedule(() => {
      this.timers.delete(cancel)
      callback()
    }, delayMs)
    this.timers.add(cancel)
  }

  private cancelTimers(): void {
    for (const cancel of this.timers) cancel()
    this.timers.clear()
  }

  private transition(to: SupervisorState): void {
    if (!allowed[this.current].includes(to)) throw new IllegalSupervisorTransition(this.current, to)
    this.current = to
    this.options.onStateChange?.(to, this.url)
  }
}
