/**
 * What one engine step leaves to be stored, as plain data (it crosses to the record worker by
 * structured clone), and the one function that writes steps: the same code runs in the core's
 * own thread (an in-memory or PostgreSQL store) and in the record worker (a SQLite file).
 */
import type { CallId, CompanyId, Instant } from '../../shared/ids'
import type { CallbackMarked, CallLogRecord, QueueLogEvent, TrailEntry } from '../../shared/model'
import type { StoredTrailEntry } from '../domain/trail'
import type { MembershipState, Store } from './store'

export interface RecordedStep {
  callLog: CallLogRecord[]
  callbacks: CallbackMarked[]
  queueLog: QueueLogEvent[]
  /** Why-trails of the calls that ended in the step. */
  trails: {
    companyId: CompanyId
    callId: CallId
    /** As the engine keeps it (compact decisions); expanded entries are accepted too. */
    trail: readonly (TrailEntry | StoredTrailEntry)[]
    endedAt: Instant
  }[]
  memberships: { companyId: CompanyId; state: MembershipState }[]
}

/** Where the recorder's batches go. `write` resolves once the batch is durable. */
export interface RecordWriter {
  write(steps: RecordedStep[]): Promise<void>
  /** Finish what was handed over and let go of any thread or connection of the writer's own. */
  close(): Promise<void>
}

/** Write the steps, in order, in one transaction of `store`. */
export async function writeSteps(store: Store, steps: readonly RecordedStep[]): Promise<void> {
  await store.transaction(async (tx) => {
    for (const step of steps) {
      if (step.callLog.length > 0) await tx.appendCallLog(step.callLog)
      for (const callback of step.callbacks) await tx.markCalledBack(callback)
      if (step.queueLog.length > 0) await tx.appendQueueEvents(step.queueLog)
      for (const t of step.trails) await tx.saveTrail(t.companyId, t.callId, t.trail, t.endedAt)
      for (const m of step.memberships) await tx.setMembership(m.companyId, m.state)
    }
  })
}

/** Writes on the core's own thread, through the store it reads from. */
export function storeWriter(store: Store): RecordWriter {
  return {
    write: (steps) => writeSteps(store, steps),
    close: () => Promise.resolve(),
  }
}
