/**
 * A min-heap of entries ordered by (at, seq): earliest first, and in the order they were added
 * when due at the same instant. One implementation serves the engine's deadlines, the virtual
 * clock and the benchmark's simulated network.
 *
 * The heap is 4-ary, and keeps each entry's (at, seq) in two flat arrays beside the entries, so
 * restoring the order after a push or a pop compares numbers lying next to each other instead
 * of reading every entry it passes (tens of thousands of deadlines are pending at once). An
 * entry's `at` and `seq` must not change while it is in the heap.
 */
export interface Timed {
  at: number
  seq: number
}

export class TimeHeap<T extends Timed> {
  protected readonly items: T[] = []
  private readonly ats: number[] = []
  private readonly seqs: number[] = []

  get size(): number {
    return this.items.length
  }

  peek(): T | undefined {
    return this.items[0]
  }

  push(entry: T): void {
    const items = this.items
    const ats = this.ats
    const seqs = this.seqs
    const at = entry.at
    const seq = entry.seq
    let i = items.length
    items.push(entry)
    ats.push(at)
    seqs.push(seq)
    while (i > 0) {
      const parent = (i - 1) >> 2
      const parentAt = ats[parent]!
      const parentSeq = seqs[parent]!
      if (!(at < parentAt || (at === parentAt && seq < parentSeq))) break
      items[i] = items[parent]!
      ats[i] = parentAt
      seqs[i] = parentSeq
      i = parent
    }
    items[i] = entry
    ats[i] = at
    seqs[i] = seq
  }

  pop(): T | undefined {
    const items = this.items
    const ats = this.ats
    const seqs = this.seqs
    const top = items[0]
    const last = items.pop()
    const lastAt = ats.pop()!
    const lastSeq = seqs.pop()!
    if (top === undefined || last === undefined || items.length === 0) return top
    const n = items.length
    let i = 0
    for (;;) {
      const first = 4 * i + 1
      if (first >= n) break
      let child = first
      let childAt = ats[first]!
      let childSeq = seqs[first]!
      const end = first + 4 < n ? first + 4 : n
      for (let c = first + 1; c < end; c++) {
        const cAt = ats[c]!
        const cSeq = seqs[c]!
        if (cAt < childAt || (cAt === childAt && cSeq < childSeq)) {
          child = c
          childAt = cAt
          childSeq = cSeq
        }
      }
      if (!(childAt < lastAt || (childAt === lastAt && childSeq < lastSeq))) break
      items[i] = items[child]!
      ats[i] = childAt
      seqs[i] = childSeq
      i = child
    }
    items[i] = last
    ats[i] = lastAt
    seqs[i] = lastSeq
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
