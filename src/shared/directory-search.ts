/**
 * Directory search that forgives Norwegian spelling: æ/ae, ø/o/oe, å/aa/a are the same letter,
 * case and accents do not matter, and the common spelling variants of names meet (ch/c/k, ph/f,
 * th/t, w/v, z/s, doubled letters: Kristoffer finds Christopher). Every word typed must begin a
 * word of the entry (first name, last name, department) or a number (extension, direct line,
 * mobile, digits only).
 *
 * Used by the core's `directory:search` and by the switchboard, which searches its live copy of
 * the directory on every keystroke: build the index once per directory change, then search it.
 */
import type { UserView } from './model'

/** Lower case, Norwegian letters spelled out the way people type them without them. */
export function fold(text: string): string {
  return text
    .toLowerCase()
    .replace(/æ/g, 'ae')
    .replace(/ø/g, 'o')
    .replace(/å/g, 'a')
    .replace(/aa/g, 'a')
    .replace(/oe/g, 'o')
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
}

/** `fold`, then the spelling variants of names reduced to one form. */
export function foldName(text: string): string {
  return fold(text)
    .replace(/ch/g, 'k')
    .replace(/ph/g, 'f')
    .replace(/th/g, 't')
    .replace(/c/g, 'k')
    .replace(/w/g, 'v')
    .replace(/z/g, 's')
    .replace(/([a-z])\1+/g, '$1')
}

interface Entry<T> {
  item: T
  words: string[]
  digits: string[]
  sortKey: string
}

export interface DirectoryIndex<T> {
  entries: Entry<T>[]
}

function digitsOf(numbers: readonly (string | null)[]): string[] {
  return numbers
    .filter((n): n is string => n !== null)
    .flatMap((n) => {
      const d = n.replace(/\D/g, '')
      return n.startsWith('+47') ? [d, d.slice(2)] : [d]
    })
}

function wordsOf(text: string): string[] {
  return foldName(text)
    .split(/[^a-z0-9]+/)
    .filter(Boolean)
}

/** An index over anything with searchable text and numbers (users, queues). */
export function buildIndex<T>(
  items: readonly T[],
  describe: (item: T) => { text: string; numbers: readonly (string | null)[]; sortKey: string },
): DirectoryIndex<T> {
  return {
    entries: items.map((item) => {
      const d = describe(item)
      return { item, words: wordsOf(d.text), digits: digitsOf(d.numbers), sortKey: d.sortKey }
    }),
  }
}

export function buildUserIndex(users: readonly UserView[]): DirectoryIndex<UserView> {
  return buildIndex(users, (u) => ({
    text: `${u.firstName} ${u.lastName} ${u.department}`,
    numbers: [u.extension, u.direct, u.mobile],
    sortKey: `${u.lastName} ${u.firstName}`,
  }))
}

const collator = new Intl.Collator('nb')

/** Items matching the query, best first: whole-word matches before prefixes, then by name. */
export function searchIndex<T>(index: DirectoryIndex<T>, query: string, limit: number): T[] {
  const terms = wordsOf(query)
  if (terms.length === 0) return []
  const numeric = terms.map((t) => /^\d+$/.test(t))
  const hits: { entry: Entry<T>; score: number }[] = []
  for (const entry of index.entries) {
    let score = 0
    let all = true
    for (let i = 0; i < terms.length && all; i++) {
      const term = terms[i]!
      if (numeric[i]) {
        if (entry.digits.some((d) => d.startsWith(term))) score += 2
        else if (entry.digits.some((d) => d.includes(term))) score += 1
        else all = false
      } else if (entry.words.includes(term)) score += 3
      else if (entry.words.some((w) => w.startsWith(term))) score += 2
      else all = false
    }
    if (all) hits.push({ entry, score })
  }
  hits.sort((a, b) => b.score - a.score || collator.compare(a.entry.sortKey, b.entry.sortKey))
  return hits.slice(0, limit).map((h) => h.entry.item)
}

/** One-off search (the core's `directory:search`). */
export function searchDirectory(
  users: readonly UserView[],
  query: string,
  limit: number,
): UserView[] {
  return searchIndex(buildUserIndex(users), query, limit)
}
