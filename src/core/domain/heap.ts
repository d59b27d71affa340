/**
 * A binary min-heap of entries ordered by (at, seq): earliest first, and in the order they were
 * added when due at the same instant. One implementation serves the engine's deadlines, the
 * virtual clock and the benchmark's simulated network.
 */
export interface Timed {
  at: number
  seq: number
}

export class TimeHeap<T extends Timed> {
  protected readonly items: T[] = []

  get size(): number {
    return this.items.length
  }

  peek(): T | undefined {
    return this.items[0]
  }

  push(entry: T): void {
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

  pop(): T | undefined {
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

  /** Entries in the order they would come out; for snapshots and tests, not the hot path. */
  toSortedArray(): T[] {
    return [...this.items].sort((a, b) => (before(a, b) ? -1 : 1))
  }
}

function before(a: Timed, b: Timed): boolean {
  return a.at < b.at || (a.at === b.at && a.seq < b.seq)
}
