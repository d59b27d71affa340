/**
 * In-place list edits for the hot paths. `splice` builds an array of what it removed on every
 * call; these move the elements themselves and allocate nothing.
 */

/**
 * Remove the element at `index` (0 ≤ index < length), keeping the order of the rest. Whichever
 * side of it is shorter moves: a queue's callers leave from near its front, and when a queue
 * is thousands long (a burst, or a core falling behind) moving its whole tail for each one made
 * every answer cost more the longer the queue, just when time was short. At the front, `shift`
 * costs the same however long the list (V8 moves the array's start instead of its elements).
 */
export function removeAt<T>(list: T[], index: number): void {
  const last = list.length - 1
  if (index < last - index) {
    for (let i = index; i > 0; i--) list[i] = list[i - 1]!
    list.shift()
    return
  }
  for (let i = index; i < last; i++) list[i] = list[i + 1]!
  list.pop()
}

/** Insert `item` at `index` (0 ≤ index ≤ length), shifting the rest up by one. */
export function insertAt<T>(list: T[], index: number, item: T): void {
  let i = list.length
  list.push(item)
  for (; i > index; i--) list[i] = list[i - 1]!
  list[index] = item
}

/**
 * An empty list with room for a few elements. A list that grows from empty by `push` gets room
 * for seventeen at once, and the engine keeps several lists per live call (its legs, trail,
 * offers and ledgers) that hold one to four for minutes: sized this way they take half the
 * memory, and the garbage collector has that much less to copy.
 */
export function roomForTwo<T>(): T[] {
  const list = [undefined, undefined] as unknown as T[]
  list.pop()
  list.pop()
  return list
}

export function roomForFour<T>(): T[] {
  const list = [undefined, undefined, undefined, undefined] as unknown as T[]
  list.pop()
  list.pop()
  list.pop()
  list.pop()
  return list
}
