/**
 * Numbers, times and durations the way Norwegians read them: `912 34 567` (mobile), `22 12 34 56`,
 * `+46 8 123 456 78` for foreign numbers, 24-hour clock, Oslo time.
 */
import { parsePhoneNumberFromString } from 'libphonenumber-js/min'
import { timeZone } from '../lib/time'

export type Language = 'nb' | 'en'

const phoneCache = new Map<string, string>()

export function formatPhone(number: string | null | undefined): string {
  if (!number) return ''
  const cached = phoneCache.get(number)
  if (cached !== undefined) return cached
  let text = number
  // Extensions and short numbers stay as they are.
  if (number.startsWith('+') || number.length >= 8) {
    const parsed = parsePhoneNumberFromString(number, 'NO')
    if (parsed?.isPossible()) {
      const national = String(parsed.nationalNumber)
      // Norwegian mobile numbers are written 3-2-3 (Språkrådet); libphonenumber groups every
      // Norwegian number in pairs, which is right for the others.
      if (parsed.country === 'NO' && /^[49]\d{7}$/.test(national))
        text = `${national.slice(0, 3)} ${national.slice(3, 5)} ${national.slice(5)}`
      else text = parsed.country === 'NO' ? parsed.formatNational() : parsed.formatInternational()
    }
  }
  if (phoneCache.size > 5000) phoneCache.clear()
  phoneCache.set(number, text)
  return text
}

const locales: Record<Language, string> = { nb: 'nb-NO', en: 'en-GB' }
const formats = new Map<string, Intl.DateTimeFormat>()

function dateFormat(language: Language, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = language + JSON.stringify(options)
  let format = formats.get(key)
  if (!format)
    formats.set(
      key,
      (format = new Intl.DateTimeFormat(locales[language], { timeZone, ...options })),
    )
  return format
}

export function formatTime(at: number, language: Language, seconds = false): string {
  return dateFormat(language, {
    hour: '2-digit',
    minute: '2-digit',
    ...(seconds ? { second: '2-digit' } : {}),
    hourCycle: 'h23',
  }).format(at)
}

export function formatDateTime(at: number, language: Language): string {
  return dateFormat(language, {
    day: 'numeric',
    month: 'short',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).format(at)
}

/** Today's entries show the time only; older ones the date too. */
export function formatWhen(at: number, now: number, language: Language): string {
  const day = dateFormat(language, { year: 'numeric', month: '2-digit', day: '2-digit' })
  return day.format(at) === day.format(now)
    ? formatTime(at, language)
    : formatDateTime(at, language)
}

/** `0:07`, `12:34`, `1:02:03`. */
export function formatDuration(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000))
  const h = Math.floor(total / 3600)
  const m = Math.floor((total % 3600) / 60)
  const s = total % 60
  const ss = String(s).padStart(2, '0')
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`
}

export function formatPercent(share: number | null, language: Language): string {
  if (share === null) return '–'
  return new Intl.NumberFormat(locales[language], {
    style: 'percent',
    maximumFractionDigits: 0,
  }).format(share)
}
