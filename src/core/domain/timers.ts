/**
 * The engine's deadlines. The engine never sets a timer: it records deadlines here, and the
 * runtime asks for the next one (`nextDeadline`) and calls `step` with a tick when it is due.
 * Cancelled deadlines are not removed; each entry carries the token of what it was set for and
 * is ignored on firing when that token has moved on (lazy deletion keeps every operation O(log n)).
 */
import type { CompanyId, Instant } from '../../shared/ids'

export type TimerKind =
  | 'offer-timeout'
  | 'retry'
  | 'wrap-up-end'
  | 'max-wait'
  | 'progressive-step'
  | 'absence-end'
  | 'park-timeout'
  | 'consult-timeout'
  | 'dial-timeout'
  | 'invite-timeout'
  | 'hours-check'

export interface TimerEntry {
  at: Instant
  seq: number
  kind: TimerKind
  companyId: CompanyId
  /** The entity the deadline belongs to (a call or a user). */
  ref: string
  token: number
}

export class TimerHeap {
  private readonly items: TimerEntry[] = []

  get size(): number {
    return this.items.length
  }

  peek(): TimerEntry | undefined {
    return this.items[0]
  }

  push(entry: TimerEntry): void {
    const items = this.items
    items.push(entry)
    let i = items.length - 1
    while (i > 0) {
      const parent = (i - 1) >> 1
      if (!before(entry, items[parent]!)) break
      items[i] = items[parent]!
      i = parent
    }
    items[i] = entry
  }

  pop(): TimerEntry | undefined {
    const items = this.items
    const top = items[0]
    const last = items.pop()
    if (top === undefined || last === undefined || items.length === 0) return top
    let i = 0
    const n = items.length
    for (;;) {
      const l = 2 * i + 1
      if (l >= n) break
      const r = l + 1
      const child = r < n && before(items[r]!, items[l]!) ? r : l
      if (!before(items[child]!, last)) break
      items[i] = items[child]!
      i = child
    }
    items[i] = last
    return top
  }

  /** Entries in firing order; for snapshots and tests, not for the hot path. */
  toSortedArray(): TimerEntry[] {
    return [...this.items].sort((a, b) => (before(a, b) ? -1 : 1))
  }
}

function before(a: TimerEntry, b: TimerEntry): boolean {
  return a.at < b.at || (a.at === b.at && a.seq < b.seq)
}
