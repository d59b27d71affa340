/**
 * Writes what the engine produced to the store, in the order it happened: call-log records,
 * callbacks, queue events, why-trails of ended calls, and queue membership state (log in/out,
 * pause, including automatic pauses). Each step's writes are one unit; `after` runs a function
 * once everything recorded so far is durable, which is how the server makes sure a client never
 * hears that a call ended before the call's log records are stored.
 *
 * Steps are written together (group commit): a write waits `batchMs` for more steps to join
 * it, and steps that arrive while a write is under way go in the next one. Under load one
 * transaction then carries many steps instead of one each (a commit rewrites every page it
 * touched, so this is most of the cost), and the order is kept, since batches are written one
 * after the other in the order they were queued. Where they are written is the writer's business:
 * the store's own connection, or the record worker's thread (a SQLite file; worker-writer.ts).
 */
import type { Logger } from 'pino'
import type { CompanyId, QueueId, UserId } from '../../shared/ids'
import type { EngineState } from '../domain/state'
import type { Outputs } from '../domain/io'
import type { RecordedStep, RecordWriter } from '../persistence/recorded-step'
import type { MembershipState } from '../persistence/store'

export class Recorder {
  private chain: Promise<void> = Promise.resolve()
  private failures = 0
  /** Steps queued for the next batch, which is already on the chain. */
  private batch: RecordedStep[] = []

  constructor(
    private readonly writer: RecordWriter,
    private readonly state: () => EngineState,
    private readonly logger: Logger,
    private readonly batchMs = 5,
  ) {}

  get failedWrites(): number {
    return this.failures
  }

  /** Queue the step's outputs for writing. The membership state is read now, as the step left it. */
  record(out: Outputs): void {
    const memberships = this.membershipsTouched(out)
    if (
      out.callLog.length +
        out.callbacks.length +
        out.queueLog.length +
        out.ended.length +
        memberships.length ===
      0
    )
      return
    const endedAt = this.state().now
    this.batch.push({
      callLog: out.callLog,
      callbacks: out.callbacks,
      queueLog: out.queueLog,
      trails: out.ended.map((e) => ({
        companyId: e.companyId,
        callId: e.callId,
        trail: e.storedTrail,
        endedAt,
      })),
      memberships,
    })
    if (this.batch.length > 1) return
    this.chain = this.chain
      .then(async () => {
        if (this.batchMs > 0) await new Promise((resolve) => setTimeout(resolve, this.batchMs))
        const batch = this.batch
        this.batch = []
        try {
          await this.writer.write(batch)
        } catch (error) {
          this.failures += batch.length
          throw error
        }
      })
      .catch((error: unknown) => {
        this.logger.error({ err: error }, 'could not store the outputs of a step')
      })
  }

  /** Run `fn` when everything recorded so far has been written (or has failed and been logged). */
  after(fn: () => void): void {
    this.chain = this.chain.then(fn)
  }

  /** Resolves when every write queued so far is done. */
  flushed(): Promise<void> {
    return this.chain
  }

  private membershipsTouched(out: Outputs): { companyId: CompanyId; state: MembershipState }[] {
    const touched = new Map<string, { companyId: CompanyId; queueId: QueueId; userId: UserId }>()
    for (const e of out.queueLog) {
      if (e.agentId === null) continue
      if (e.kind === 'pause' || e.kind === 'unpause' || e.kind === 'login' || e.kind === 'logout') {
        touched.set(`${e.companyId}/${e.queueId}/${e.agentId}`, {
          companyId: e.companyId,
          queueId: e.queueId,
          userId: e.agentId,
        })
      }
    }
    const result: { companyId: CompanyId; state: MembershipState }[] = []
    for (const t of touched.values()) {
      const membership = this.state()
        .companies.get(t.companyId)
        ?.agents.get(t.userId)
        ?.memberships.get(t.queueId)
      if (!membership) continue
      result.push({
        companyId: t.companyId,
        state: {
          queueId: t.queueId,
          userId: t.userId,
          loggedIn: membership.loggedIn,
          paused: membership.paused ? { ...membership.paused } : null,
        },
      })
    }
    return result
  }
}
