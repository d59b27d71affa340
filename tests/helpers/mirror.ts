/**
 * A subscriber's copy of a company's state, kept only from the snapshot and the deltas, as a
 * client does. Tests compare it with a fresh snapshot to prove no change goes unreported.
 */
import type { CompanySnapshot, Delta } from '../../src/shared/model'

export class Mirror {
  private readonly calls = new Map<string, unknown>()
  private readonly agents = new Map<string, unknown>()
  private readonly users = new Map<string, unknown>()
  private readonly queues = new Map<string, unknown>()
  private readonly missed = new Map<string, unknown>()

  constructor(snapshot: CompanySnapshot) {
    for (const c of snapshot.calls) this.calls.set(c.id, c)
    for (const a of snapshot.agents) this.agents.set(a.userId, a)
    for (const u of snapshot.users) this.users.set(u.id, u)
    for (const q of snapshot.queues) this.queues.set(q.id, q)
    for (const m of snapshot.missed) this.missed.set(m.callId, m)
  }

  apply(deltas: Delta[]): void {
    for (const d of deltas) {
      switch (d.entity) {
        case 'call':
          if (d.op === 'upsert') this.calls.set(d.call.id, d.call)
          else this.calls.delete(d.id)
          break
        case 'agent':
          this.agents.set(d.agent.userId, d.agent)
          break
        case 'user':
          if (d.op === 'upsert') this.users.set(d.user.id, d.user)
          else {
            this.users.delete(d.id)
            this.agents.delete(d.id)
          }
          break
        case 'queue':
          if (d.op === 'upsert') this.queues.set(d.queue.id, d.queue)
          else this.queues.delete(d.id)
          break
        case 'missed':
          if (d.op === 'upsert') this.missed.set(d.missed.callId, d.missed)
          else this.missed.delete(d.id)
          break
      }
    }
  }

  /** The parts of a snapshot that deltas carry, sorted for comparison. */
  static comparable(s: {
    calls: unknown[]
    agents: unknown[]
    users: unknown[]
    queues: unknown[]
    missed: unknown[]
  }) {
    const by = (key: string) => (a: unknown, b: unknown) =>
      String((a as Record<string, unknown>)[key]).localeCompare(
        String((b as Record<string, unknown>)[key]),
      )
    return {
      calls: [...s.calls].sort(by('id')),
      agents: [...s.agents].sort(by('userId')),
      users: [...s.users].sort(by('id')),
      queues: [...s.queues].sort(by('id')),
      missed: [...s.missed].sort(by('callId')),
    }
  }

  view() {
    return Mirror.comparable({
      calls: [...this.calls.values()],
      agents: [...this.agents.values()],
      users: [...this.users.values()],
      queues: [...this.queues.values()],
      missed: [...this.missed.values()],
    })
  }
}
