/**
 * Opening hours in the company's own time zone. Converting an instant to local time through
 * Intl is deterministic (no I/O) but not cheap, so the result is cached per minute.
 */
import type { Instant } from '../../shared/ids'
import type { OpeningHours, Weekday } from './config'
import type { CompanyState, LocalTime } from './state'

const weekdays: Weekday[] = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat']
const formatters = new Map<string, Intl.DateTimeFormat>()

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone)
  if (!f) {
    f = new Intl.DateTimeFormat('en-CA', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
      weekday: 'short',
    })
    formatters.set(timeZone, f)
  }
  return f
}

export function localTime(timeZone: string, at: Instant): LocalTime {
  const parts = formatter(timeZone).formatToParts(at)
  const get = (type: Intl.DateTimeFormatPartTypes) =>
    parts.find((p) => p.type === type)?.value ?? ''
  const weekday = weekdays.indexOf(get('weekday').toLowerCase().slice(0, 3) as Weekday)
  return {
    minuteStart: at - (at % 60_000),
    weekday,
    minuteOfDay: Number(get('hour')) * 60 + Number(get('minute')),
    date: `${get('year')}-${get('month')}-${get('day')}`,
  }
}

function companyLocalTime(co: CompanyState, at: Instant): LocalTime {
  const minuteStart = at - (at % 60_000)
  const cached = co.localTimeCache
  if (cached && cached.minuteStart === minuteStart) return cached
  const fresh = localTime(co.config.timeZone, at)
  co.localTimeCache = fresh
  return fresh
}

export function isOpenAt(hours: OpeningHours, local: LocalTime): boolean {
  const ranges = hours.exceptions[local.date] ?? hours.weekly[weekdays[local.weekday]!] ?? []
  return ranges.some((r) => local.minuteOfDay >= r.from && local.minuteOfDay < r.to)
}

/**
 * When to look at the company's date next, so that a new day starts at local midnight.
 * Midnight is worked out from the local time now; a change of UTC offset before it (daylight
 * saving, where a zone changes in the evening) would move it, so a check more than an hour
 * ahead is set an hour early and works midnight out again from there.
 */
export function nextDayCheck(timeZone: string, at: Instant): Instant {
  const local = localTime(timeZone, at)
  const midnight = local.minuteStart + (1440 - local.minuteOfDay) * 60_000
  return midnight - at > 3_600_000 ? midnight - 3_600_000 : midnight
}

export function nextMinute(at: Instant): Instant {
  return at - (at % 60_000) + 60_000
}

export function isOpen(co: CompanyState, hours: OpeningHours, at: Instant): boolean {
  return isOpenAt(hours, companyLocalTime(co, at))
}
