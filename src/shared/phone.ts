import type { PhoneNumber } from './ids'

/**
 * Normalises a dialled or presented number so that equal numbers compare equal.
 * Norwegian numbers are 8 digits; they are written `+47 912 34 567`, `0047 91234567`,
 * `47 91234567` or `91234567`. Extensions are 2–6 digits and stay as they are.
 * Anything else that is digits with an optional leading `+` or `00` is kept in E.164 form.
 * Returns null for strings that are not a number at all.
 */
export function normalizeNumber(raw: string): PhoneNumber | null {
  // Numbers from the network and from storage are normalised already: skip the regexes.
  if (raw.length >= 4 && raw.length <= 16 && raw.charCodeAt(0) === 43 && allDigits(raw, 1))
    return raw
  const compact = raw.replace(/[\s\-().]/g, '')
  if (!/^\+?\d+$/.test(compact)) return null
  if (compact.startsWith('+')) return compact.length >= 4 && compact.length <= 16 ? compact : null
  if (compact.startsWith('00')) {
    const e164 = '+' + compact.slice(2)
    return e164.length >= 4 && e164.length <= 16 ? e164 : null
  }
  if (compact.length === 8) return '+47' + compact
  if (compact.length === 10 && compact.startsWith('47')) return '+' + compact
  if (compact.length >= 2 && compact.length <= 6) return compact
  return null
}

function allDigits(text: string, from: number): boolean {
  for (let i = from; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c < 48 || c > 57) return false
  }
  return true
}

/** `+4791234567` → `912 34 567`; mobile numbers (4xx, 9xx) group 3-2-3, others 2-2-2-2. */
export function formatNorwegianNumber(number: PhoneNumber): string {
  if (!number.startsWith('+47') || number.length !== 11) return number
  const n = number.slice(3)
  if (n.startsWith('4') || n.startsWith('9'))
    return `${n.slice(0, 3)} ${n.slice(3, 5)} ${n.slice(5)}`
  return `${n.slice(0, 2)} ${n.slice(2, 4)} ${n.slice(4, 6)} ${n.slice(6)}`
}
