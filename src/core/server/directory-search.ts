/**
 * Directory search that forgives Norwegian spelling: æ/ae, ø/o/oe, å/aa/a are the same letter,
 * case and accents do not matter, and every word typed must begin a word of the entry (first
 * name, last name, department) or a number (extension, direct line, mobile, digits only).
 */
import type { UserView } from '../../shared/model'

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

interface Indexed {
  words: string[]
  digits: string[]
}

function index(user: UserView): Indexed {
  const words = fold(`${user.firstName} ${user.lastName} ${user.department}`)
    .split(/[^a-z0-9]+/)
    .filter(Boolean)
  const digits = [user.extension, user.direct, user.mobile]
    .filter((n): n is string => n !== null)
    .flatMap((n) => {
      const d = n.replace(/\D/g, '')
      return n.startsWith('+47') ? [d, d.slice(2)] : [d]
    })
  return { words, digits }
}

/** Users matching the query, best first: whole-name matches before partial ones, then by name. */
export function searchDirectory(
  users: readonly UserView[],
  query: string,
  limit: number,
): UserView[] {
  const terms = fold(query)
    .split(/[^a-z0-9]+/)
    .filter(Boolean)
  if (terms.length === 0) return []
  const hits: { user: UserView; score: number }[] = []
  for (const user of users) {
    const { words, digits } = index(user)
    let score = 0
    let all = true
    for (const term of terms) {
      if (/^\d+$/.test(term)) {
        if (digits.some((d) => d.startsWith(term))) score += 2
        else if (digits.some((d) => d.includes(term))) score += 1
        else all = false
      } else if (words.some((w) => w === term)) score += 3
      else if (words.some((w) => w.startsWith(term))) score += 2
      else all = false
      if (!all) break
    }
    if (all) hits.push({ user, score })
  }
  hits.sort(
    (a, b) =>
      b.score - a.score ||
      a.user.lastName.localeCompare(b.user.lastName, 'nb') ||
      a.user.firstName.localeCompare(b.user.firstName, 'nb'),
  )
  return hits.slice(0, limit).map((h) => h.user)
}
