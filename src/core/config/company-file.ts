/**
 * The company file: one company's users, queues and settings, written by people, in YAML (or
 * JSON), validated and normalised here into the engine's `CompanyConfig`.
 *
 * ```yaml
 * company: { id: demo, name: Nordlys Regnskap AS, timeZone: Europe/Oslo } # timeZone optional
 * settings: # optional, as are all its fields (defaults: companyDefaults)
 *   parkSlots: 10
 *   parkTimeoutSeconds: 120
 *   directRingSeconds: 25
 *   dialTimeoutSeconds: 60
 * vip: ['+47 900 00 001'] # callers from these numbers go first in every queue
 * users:
 *   - id: kari.nordmann # letters, digits, '.', '_' and '-'
 *     firstName: Kari
 *     lastName: Nordmann
 *     extension: '201' # 2–6 digits
 *     mobile: '+47 912 34 567' # optional, as is everything below
 *     direct: '+47 22 33 44 01'
 *     department: Sentralbord
 *     presentableNumbers: ['+47 22 33 44 00']
 *     forwardOnBusy: null # a number or an extension
 *     forwardOnNoAnswer: { to: '+47 912 34 567', afterSeconds: 20 } # or just the number
 *     extraTerminal: null # rings with the user's phone; afterSeconds above: directRingSeconds
 * queues:
 *   - id: sentralbord
 *     name: Sentralbord
 *     numbers: ['+47 22 33 44 00'] # optional
 *     strategy: longest-idle # one of routingStrategies
 *     members: # 'ola.hansen' is short for { user: ola.hansen, penalty: 0, loggedIn: true }
 *       - { user: kari.nordmann, penalty: 0, loggedIn: true }
 *       - ola.hansen
 *     ringTimeoutSeconds: 15 # this and every setting below are optional (queueDefaults)
 *     retryDelaySeconds: 2
 *     wrapUpSeconds: 0
 *     autoPauseAfter: null # a count, or null for never
 *     maxWaitSeconds: null # a limit, or null for none, as is maxLength
 *     maxLength: null
 *     overflow: { queue: kundeservice } # or { user: id } or { number: '+47 ...' }
 *     joinEmpty: true
 *     leaveWhenEmpty: false
 *     progressiveStepSeconds: 5
 *     serviceLevelSeconds: 20
 *     openingHours: # days mon..sun or ranges of days (mon-fri); days not named are closed
 *       mon-fri: '08:00-11:30, 12:00-16:00' # or '08:00-16:00' or 'closed'; 24:00 ends a day
 *       sat: '10:00-14:00'
 *       exceptions: { '2026-12-24': closed, '2026-12-31': '08:00-12:00' }
 *     closedDestination: { number: '+47 22 33 44 99' } # where callers go while closed
 * ```
 *
 * Numbers go through `normalizeNumber`; numbers may be written as YAML numbers (`201`), but
 * quote any that start with 0. Unknown fields are errors, so typos are caught. Errors name the
 * field by its path (`queues[2].members[0].user`) and say what was expected; no number may
 * reach two things (extensions, mobiles, direct numbers and queue numbers are unique).
 */
import { readFile } from 'node:fs/promises'
import { extname } from 'node:path'
import type { Document, YAMLError } from 'yaml'
import { LineCounter, isMap, isNode, isScalar, isSeq, parseDocument } from 'yaml'
import { z } from 'zod'
import type { PhoneNumber } from '../../shared/ids'
import type { Destination } from '../../shared/model'
import { routingStrategies } from '../../shared/model'
import { formatNorwegianNumber, normalizeNumber } from '../../shared/phone'
import type {
  CompanyConfig,
  OpeningHours,
  QueueConfig,
  QueueMemberConfig,
  TimeRange,
  UserConfig,
  Weekday,
} from '../domain/config'
import { companyDefaults, queueDefaults } from '../domain/config'

// ---------------------------------------------------------------------------------------------
// Errors

export interface ConfigIssue {
  /** Where in the file, like `queues[2].members[0].user`; empty for the file as a whole. */
  path: string
  /** What is wrong, saying what was expected. */
  message: string
}

/** A company file that cannot be used: every problem found, each pointing at its field. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError'
  readonly file: string
  readonly issues: ConfigIssue[]

  /**
   * `lines`, when given, holds the line in the file of each issue (null where unknown); `what`
   * names the kind of file in the message.
   */
  constructor(
    file: string,
    issues: ConfigIssue[],
    lines: readonly (number | null)[] = [],
    what = 'company file',
  ) {
    const count = issues.length === 1 ? '1 problem' : `${issues.length} problems`
    const details = issues.map((issue, i) => {
      const line = lines[i] ?? null
      if (issue.path === '') return `  - ${issue.message}`
      return `  - ${issue.path}${line === null ? '' : ` (line ${line})`}: ${issue.message}`
    })
    super([`Cannot use ${what} ${file} (${count}):`, ...details].join('\n'))
    this.file = file
    this.issues = issues
  }
}

type PathKey = string | number
type Path = PathKey[]

interface Problem {
  path: Path
  message: string
}

/** `['queues', 2, 'openingHours', 'mon-fri']` → `queues[2].openingHours.mon-fri`. */
export function formatPath(path: readonly PathKey[]): string {
  let text = ''
  for (const key of path) {
    if (typeof key === 'number') text += `[${key}]`
    else if (/^[\p{L}\p{N}_$-]+$/u.test(key)) text += text === '' ? key : `.${key}`
    else text += `[${JSON.stringify(key)}]`
  }
  return text
}

type Locate = (path: Path) => number | null

function configError(file: string, problems: Problem[], locate: Locate): ConfigError {
  return new ConfigError(
    file,
    problems.map((p) => ({ path: formatPath(p.path), message: p.message })),
    problems.map((p) => locate(p.path)),
  )
}

// ---------------------------------------------------------------------------------------------
// Messages

/** A value as it appears in a message: strings quoted, lists and objects named. */
function show(value: unknown): string {
  if (value === undefined) return 'nothing'
  if (value === null) return 'null'
  if (typeof value === 'string') {
    return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value)
  }
  if (typeof value === 'number' || typeof value === 'boolean') return String(value)
  if (Array.isArray(value)) return 'a list'
  if (typeof value === 'object') return 'a set of fields'
  return typeof value
}

function expectation(what: string, input: unknown): string {
  if (input === undefined) return `this field is required (expected ${what})`
  return `expected ${what} but got ${show(input)}`
}

function distance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i)
  for (let i = 1; i <= a.length; i++) {
    const current = [i]
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1
      current[j] = Math.min(current[j - 1]! + 1, previous[j]! + 1, previous[j - 1]! + cost)
    }
    previous = current
  }
  return previous[b.length]!
}

/** The candidate closest to `word`, when one is close enough to be a likely typo. */
function closest(word: string, candidates: readonly string[]): string | null {
  const lower = word.toLowerCase()
  let best: string | null = null
  let bestDistance = Math.max(1, Math.floor(word.length / 4)) + 1
  for (const candidate of candidates) {
    const d = distance(lower, candidate.toLowerCase())
    if (d < bestDistance) {
      best = candidate
      bestDistance = d
    }
  }
  return best
}

function didYouMean(word: unknown, candidates: readonly string[]): string {
  if (typeof word !== 'string') return ''
  const match = closest(word, candidates)
  return match === null ? '' : `; did you mean "${match}"?`
}

const typeNames: Record<string, string> = {
  string: 'text',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
  object: 'a set of fields',
  record: 'a set of fields',
  array: 'a list',
  null: 'null',
}

/** Zod's issues in plain words; schemas with a better word for themselves say it themselves. */
function describeIssue(issue: z.core.$ZodRawIssue): string | undefined {
  switch (issue.code) {
    case 'invalid_type':
      return expectation(typeNames[issue.expected] ?? issue.expected, issue.input)
    case 'invalid_value': {
      const values = issue.values.map(String)
      const expected = values.length === 1 ? show(values[0]) : `one of ${values.join(', ')}`
      return `expected ${expected} but got ${show(issue.input)}${didYouMean(issue.input, values)}`
    }
    case 'too_small':
      if (issue.origin === 'string') return 'expected some text but got nothing (it is empty)'
      if (issue.origin === 'array') return `expected at least ${issue.minimum} items`
      return `expected ${issue.minimum} or more but got ${show(issue.input)}`
    case 'too_big':
      if (issue.origin === 'array') return `expected at most ${issue.maximum} items`
      return `expected ${issue.maximum} or less but got ${show(issue.input)}`
    default:
      return undefined
  }
}

// ---------------------------------------------------------------------------------------------
// Field schemas

/** An object whose unknown keys are errors, each reported at its own path with a suggestion. */
function strict<Shape extends z.core.$ZodLooseShape>(shape: Shape, what?: string) {
  const allowed = Object.keys(shape)
  const unknownField = z.custom(() => false, {
    error: (issue) => {
      const key = String(issue.path?.at(-1))
      const hint = closest(key, allowed)
      return hint === null
        ? `unknown field "${key}" (expected one of ${allowed.join(', ')})`
        : `unknown field "${key}" (did you mean "${hint}"?)`
    },
  })
  const described =
    what === undefined
      ? undefined
      : {
          error: (issue: z.core.$ZodRawIssue) =>
            issue.code === 'invalid_type' ? expectation(what, issue.input) : undefined,
        }
  return z.object(shape, described).catchall(unknownField)
}

const idPattern = /^[\p{L}\p{N}][\p{L}\p{N}._-]*$/u

function id(example: string) {
  return z.string().regex(idPattern, {
    error: (issue) =>
      `expected an id of letters, digits, ".", "_" and "-" like "${example}" but got ${show(issue.input)}`,
  })
}

const text = z.string().trim().min(1)

/** A whole number of at least `min`; `orNull` says what null means, when null is allowed. */
function whole(min: number, orNull?: string) {
  const what = orNull === undefined ? 'a whole number' : `a whole number or null (${orNull})`
  return z.int({ error: (issue) => expectation(what, issue.input) }).min(min, {
    error: (issue) => `expected ${what} of at least ${min} but got ${show(issue.input)}`,
  })
}

/** any: a full number or an extension; external: a full number; extension: 2–6 digits. */
type NumberKind = 'any' | 'external' | 'extension'

const numberExamples: Record<NumberKind, string> = {
  any: 'a phone number like +47 22 33 44 55 or an extension like 201',
  external: 'a phone number like +47 22 33 44 55',
  extension: 'an extension of 2 to 6 digits like 201',
}

function phone(kind: NumberKind) {
  return z.unknown().transform((raw, ctx): PhoneNumber => {
    const fail = (message: string) => {
      ctx.addIssue({ code: 'custom', message, input: raw })
      return z.NEVER
    }
    let written: string | null = null
    if (typeof raw === 'string') written = raw
    else if (typeof raw === 'number' && Number.isSafeInteger(raw) && raw >= 0) written = String(raw)
    const number = written === null ? null : normalizeNumber(written)
    if (number === null) return fail(expectation(numberExamples[kind], raw))
    const isExtension = !number.startsWith('+')
    if (kind === 'external' && isExtension) {
      return fail(`${expectation(numberExamples[kind], raw)}, which is an extension`)
    }
    if (kind === 'extension' && !isExtension) return fail(expectation(numberExamples[kind], raw))
    return number
  })
}

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone })
    return true
  } catch {
    return false
  }
}

const timeZone = z.string().refine(isTimeZone, {
  error: (issue) => expectation('an IANA time zone like Europe/Oslo', issue.input),
})

const destination = strict(
  {
    queue: id('kundeservice').optional(),
    user: id('kari.nordmann').optional(),
    number: phone('any').optional(),
  },
  'a destination like { queue: id }, { user: id } or { number: "+47 22 33 44 55" }',
).transform((given, ctx): Destination => {
  const kinds = (['queue', 'user', 'number'] as const).filter((k) => given[k] !== undefined)
  if (kinds.length !== 1) {
    ctx.addIssue({
      code: 'custom',
      input: given,
      message: `expected exactly one of queue, user or number but got ${
        kinds.length === 0 ? 'none' : kinds.join(' and ')
      }`,
    })
    return z.NEVER
  }
  if (given.queue !== undefined) return { kind: 'queue', queueId: given.queue }
  if (given.user !== undefined) return { kind: 'user', userId: given.user }
  return { kind: 'external', number: given.number! }
})

// ---------------------------------------------------------------------------------------------
// Opening hours

const weekdays: readonly Weekday[] = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun']
const hoursExample = 'opening hours like "08:00-16:00", "08:00-11:30, 12:00-16:00" or "closed"'

function isWeekday(text: string): text is Weekday {
  return (weekdays as readonly string[]).includes(text)
}

/** `mon` → [mon]; `mon-fri` → [mon … fri]; `fri-mon` wraps over the weekend. */
function parseDays(key: string): Weekday[] | null {
  const [first, last, ...rest] = key.split('-').map((part) => part.trim().toLowerCase())
  if (first === undefined || !isWeekday(first) || rest.length > 0) return null
  if (last === undefined) return [first]
  if (!isWeekday(last)) return null
  const days: Weekday[] = []
  for (let i = weekdays.indexOf(first); ; i = (i + 1) % 7) {
    days.push(weekdays[i]!)
    if (weekdays[i] === last) return days
  }
}

const clock = (minutes: number) =>
  `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`

/** `"08:00-11:30, 12:00-16:00"` → ranges in minutes since midnight; `"closed"` → none. */
function parseRanges(value: unknown): TimeRange[] | string {
  if (typeof value !== 'string') return expectation(hoursExample, value)
  if (value.trim().toLowerCase() === 'closed') return []
  const ranges: TimeRange[] = []
  for (const part of value.split(',').map((p) => p.trim())) {
    const match = /^(\d{1,2})[:.](\d{2})\s*[-–]\s*(\d{1,2})[:.](\d{2})$/.exec(part)
    if (!match) return `expected ${hoursExample} but got ${show(part)}`
    const [fromHours, fromMinutes, toHours, toMinutes] = match.slice(1).map(Number)
    const from = fromHours! * 60 + fromMinutes!
    const to = toHours! * 60 + toMinutes!
    const validFrom = fromHours! < 24 && fromMinutes! < 60
    const validTo = (toHours! < 24 && toMinutes! < 60) || to === 24 * 60
    if (!validFrom || !validTo) {
      const time = validFrom ? `${match[3]}:${match[4]}` : `${match[1]}:${match[2]}`
      return `expected times from 00:00 to 23:59 (24:00 only as an end) but got "${time}" in ${show(part)}`
    }
    if (from >= to) {
      const midnight =
        from > to
          ? ` (a range cannot pass midnight: write ${clock(from)}-24:00 and 00:00-${clock(to)} on the next day)`
          : ''
      return `expected a range that starts before it ends but got ${show(part)}${midnight}`
    }
    ranges.push({ from, to })
  }
  ranges.sort((a, b) => a.from - b.from)
  for (let i = 1; i < ranges.length; i++) {
    const [a, b] = [ranges[i - 1]!, ranges[i]!]
    if (b.from < a.to) {
      return `expected ranges that do not overlap but ${clock(a.from)}-${clock(a.to)} and ${clock(b.from)}-${clock(b.to)} do`
    }
  }
  return ranges
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function isDate(text: string): boolean {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text)
  if (!match) return false
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])]
  const date = new Date(Date.UTC(year, month - 1, day))
  return date.getUTCMonth() === month - 1 && date.getUTCDate() === day
}

const openingHoursExample = 'opening hours like { mon-fri: "08:00-16:00", sat: "10:00-14:00" }'

const openingHours = z.unknown().transform((raw, ctx): OpeningHours => {
  const report = (path: Path, message: string, input: unknown) =>
    ctx.addIssue({ code: 'custom', path, message, input })
  const hours: OpeningHours = { weekly: {}, exceptions: {} }
  if (!isRecord(raw)) {
    report([], expectation(openingHoursExample, raw), raw)
    return hours
  }
  const givenBy = new Map<Weekday, string>()
  for (const [key, value] of Object.entries(raw)) {
    if (key === 'exceptions') {
      if (!isRecord(value)) {
        report(
          [key],
          expectation('dates with their hours, like { 2026-12-24: closed }', value),
          value,
        )
        continue
      }
      for (const [date, dayHours] of Object.entries(value)) {
        if (!isDate(date)) {
          report([key, date], `expected a date like 2026-12-24 but got ${show(date)}`, date)
          continue
        }
        const ranges = parseRanges(dayHours)
        if (typeof ranges === 'string') report([key, date], ranges, dayHours)
        else hours.exceptions[date] = ranges
      }
      continue
    }
    const days = parseDays(key)
    if (days === null) {
      report(
        [key],
        `expected a day (${weekdays.join(', ')}), a range of days like mon-fri, or exceptions, but got ${show(key)}`,
        key,
      )
      continue
    }
    const ranges = parseRanges(value)
    if (typeof ranges === 'string') {
      report([key], ranges, value)
      continue
    }
    for (const day of days) {
      const earlier = givenBy.get(day)
      if (earlier !== undefined) {
        report([key], `${day} is given twice (also by ${earlier})`, value)
        continue
      }
      givenBy.set(day, key)
      hours.weekly[day] = ranges.map((range) => ({ ...range }))
    }
  }
  return hours
})

// ---------------------------------------------------------------------------------------------
// The file

const memberShape = strict(
  {
    user: id('kari.nordmann'),
    penalty: whole(0).default(0),
    loggedIn: z.boolean().default(true),
  },
  'a user id or a member like { user: kari.nordmann, penalty: 0, loggedIn: true }',
)
const member = z.preprocess((v) => (typeof v === 'string' ? { user: v } : v), memberShape)

const forwardOnNoAnswer = z.preprocess(
  (v) => (typeof v === 'string' || typeof v === 'number' ? { to: v } : v),
  strict(
    { to: phone('any'), afterSeconds: whole(1).optional() },
    'a number, or { to: "+47 912 34 567", afterSeconds: 20 }',
  ),
)

const userSchema = strict(
  {
    id: id('kari.nordmann'),
    firstName: text,
    lastName: text,
    extension: phone('extension'),
    mobile: phone('external').nullable().default(null),
    direct: phone('external').nullable().default(null),
    department: z.string().trim().default(''),
    presentableNumbers: z.array(phone('external')).default([]),
    forwardOnBusy: phone('any').nullable().default(null),
    forwardOnNoAnswer: forwardOnNoAnswer.nullable().default(null),
    extraTerminal: phone('any').nullable().default(null),
  },
  'a user like { id: kari.nordmann, firstName: Kari, lastName: Nordmann, extension: "201" }',
)

const queueSchema = strict(
  {
    id: id('sentralbord'),
    name: text,
    numbers: z.array(phone('any')).default([]),
    strategy: z.enum(routingStrategies),
    members: z.array(member).default([]),
    ringTimeoutSeconds: whole(1).default(queueDefaults.ringTimeoutSeconds),
    retryDelaySeconds: whole(0).default(queueDefaults.retryDelaySeconds),
    wrapUpSeconds: whole(0).default(queueDefaults.wrapUpSeconds),
    autoPauseAfter: whole(1, 'never').nullable().default(queueDefaults.autoPauseAfter),
    maxWaitSeconds: whole(1, 'no limit').nullable().default(queueDefaults.maxWaitSeconds),
    maxLength: whole(1, 'no limit').nullable().default(queueDefaults.maxLength),
    overflow: destination.nullable().default(queueDefaults.overflow),
    joinEmpty: z.boolean().default(queueDefaults.joinEmpty),
    leaveWhenEmpty: z.boolean().default(queueDefaults.leaveWhenEmpty),
    openingHours: openingHours.nullable().default(queueDefaults.openingHours),
    closedDestination: destination.nullable().default(queueDefaults.closedDestination),
    progressiveStepSeconds: whole(1).default(queueDefaults.progressiveStepSeconds),
    serviceLevelSeconds: whole(1).default(queueDefaults.serviceLevelSeconds),
  },
  'a queue like { id: sentralbord, name: Sentralbord, strategy: ring-all, members: [...] }',
)

const fileSchema = strict(
  {
    company: strict(
      {
        id: id('demo'),
        name: text,
        timeZone: timeZone.default(companyDefaults.timeZone),
      },
      'the company, like { id: demo, name: Nordlys Regnskap AS }',
    ),
    settings: strict({
      parkSlots: whole(0).default(companyDefaults.parkSlots),
      parkTimeoutSeconds: whole(1).default(companyDefaults.parkTimeoutSeconds),
      directRingSeconds: whole(1).default(companyDefaults.directRingSeconds),
      dialTimeoutSeconds: whole(1).default(companyDefaults.dialTimeoutSeconds),
    }).prefault({}),
    vip: z.array(phone('external')).default([]),
    users: z.array(userSchema).default([]),
    queues: z.array(queueSchema).default([]),
  },
  'a company file with company, users and queues',
)

type ParsedFile = z.output<typeof fileSchema>

function toCompanyConfig(file: ParsedFile): CompanyConfig {
  const { settings } = file
  const users = file.users.map((u): UserConfig => ({
    id: u.id,
    firstName: u.firstName,
    lastName: u.lastName,
    extension: u.extension,
    mobile: u.mobile,
    direct: u.direct,
    department: u.department,
    presentableNumbers: u.presentableNumbers,
    forwardOnBusy: u.forwardOnBusy,
    forwardOnNoAnswer:
      u.forwardOnNoAnswer === null
        ? null
        : {
            to: u.forwardOnNoAnswer.to,
            afterSeconds: u.forwardOnNoAnswer.afterSeconds ?? settings.directRingSeconds,
          },
    extraTerminal: u.extraTerminal,
  }))
  const queues = file.queues.map((q): QueueConfig => ({
    id: q.id,
    name: q.name,
    numbers: q.numbers,
    strategy: q.strategy,
    members: q.members.map((m): QueueMemberConfig => ({
      userId: m.user,
      penalty: m.penalty,
      loggedIn: m.loggedIn,
    })),
    ringTimeoutSeconds: q.ringTimeoutSeconds,
    retryDelaySeconds: q.retryDelaySeconds,
    wrapUpSeconds: q.wrapUpSeconds,
    autoPauseAfter: q.autoPauseAfter,
    maxWaitSeconds: q.maxWaitSeconds,
    maxLength: q.maxLength,
    overflow: q.overflow,
    joinEmpty: q.joinEmpty,
    leaveWhenEmpty: q.leaveWhenEmpty,
    openingHours: q.openingHours,
    closedDestination: q.closedDestination,
    progressiveStepSeconds: q.progressiveStepSeconds,
    serviceLevelSeconds: q.serviceLevelSeconds,
  }))
  return {
    id: file.company.id,
    name: file.company.name,
    timeZone: file.company.timeZone,
    users,
    queues,
    vipNumbers: file.vip,
    parkSlots: settings.parkSlots,
    parkTimeoutSeconds: settings.parkTimeoutSeconds,
    directRingSeconds: settings.directRingSeconds,
    dialTimeoutSeconds: settings.dialTimeoutSeconds,
  }
}

// ---------------------------------------------------------------------------------------------
// Cross-references

function valueAt(root: unknown, path: Path): unknown {
  let value = root
  for (const key of path) {
    if (Array.isArray(value) && typeof key === 'number') value = value[key]
    else if (isRecord(value)) value = value[key]
    else return undefined
  }
  return value
}

function readable(number: PhoneNumber): string {
  return number.startsWith('+47') && number.length === 11
    ? `+47 ${formatNorwegianNumber(number)}`
    : number
}

const destinationField = { queue: 'queue', user: 'user', external: 'number' } as const

/** Checks what the schema cannot see alone: ids, numbers and the references between them. */
function crossCheck(config: CompanyConfig, source: unknown): Problem[] {
  const problems: Problem[] = []
  const problem = (path: Path, message: string) => problems.push({ path, message })

  const userIndex = new Map<string, number>()
  config.users.forEach((user, i) => {
    const earlier = userIndex.get(user.id)
    if (earlier === undefined) userIndex.set(user.id, i)
    else problem(['users', i, 'id'], `the id "${user.id}" is already used by users[${earlier}]`)
  })
  const queueIndex = new Map<string, number>()
  config.queues.forEach((queue, i) => {
    const earlier = queueIndex.get(queue.id)
    if (earlier === undefined) queueIndex.set(queue.id, i)
    else problem(['queues', i, 'id'], `the id "${queue.id}" is already used by queues[${earlier}]`)
  })

  // No number may reach two things.
  const owners = new Map<PhoneNumber, { path: Path; what: string }>()
  const claim = (number: PhoneNumber, path: Path, what: string) => {
    const owner = owners.get(number)
    if (owner === undefined) {
      owners.set(number, { path, what })
      return
    }
    problem(
      path,
      `${readable(number)} is already ${owner.what} (${formatPath(owner.path)}); a number can reach only one user or queue`,
    )
  }
  config.users.forEach((user, i) => {
    claim(user.extension, ['users', i, 'extension'], `the extension of ${user.id}`)
    if (user.mobile !== null) claim(user.mobile, ['users', i, 'mobile'], `the mobile of ${user.id}`)
    if (user.direct !== null) {
      claim(user.direct, ['users', i, 'direct'], `the direct number of ${user.id}`)
    }
  })
  config.queues.forEach((queue, i) => {
    queue.numbers.forEach((number, j) => {
      claim(number, ['queues', i, 'numbers', j], `a number of the queue ${queue.id}`)
    })
  })

  // A user's forwards must not ring the user again.
  config.users.forEach((user, i) => {
    const own = new Set([user.extension, user.direct])
    const targets: [Path, PhoneNumber | null][] = [
      [['users', i, 'forwardOnBusy'], user.forwardOnBusy],
      [['users', i, 'forwardOnNoAnswer', 'to'], user.forwardOnNoAnswer?.to ?? null],
      [['users', i, 'extraTerminal'], user.extraTerminal],
    ]
    for (const [path, target] of targets) {
      if (target !== null && own.has(target)) {
        problem(
          path,
          `expected a number other than the user's own extension or direct number but got ${readable(target)}`,
        )
      }
    }
  })

  const userIds = [...userIndex.keys()]
  const queueIds = [...queueIndex.keys()]
  const checkDestination = (
    target: Destination | null,
    path: Path,
    ownQueue: string,
    loop: string,
  ) => {
    if (target === null) return
    const at = [...path, destinationField[target.kind]]
    if (target.kind === 'queue') {
      if (!queueIndex.has(target.queueId)) {
        const hint = didYouMean(target.queueId, queueIds)
        problem(at, `no queue "${target.queueId}" (expected one of ${queueIds.join(', ')})${hint}`)
      } else if (target.queueId === ownQueue) {
        problem(at, loop)
      }
    } else if (target.kind === 'user' && !userIndex.has(target.userId)) {
      problem(
        at,
        `no user "${target.userId}" (the destination must be a user of this company)${didYouMean(target.userId, userIds)}`,
      )
    }
  }

  config.queues.forEach((queue, i) => {
    const seen = new Map<string, number>()
    queue.members.forEach((m, j) => {
      const memberPath: Path = ['queues', i, 'members', j]
      const path =
        typeof valueAt(source, memberPath) === 'string' ? memberPath : [...memberPath, 'user']
      const earlier = seen.get(m.userId)
      if (earlier !== undefined) {
        problem(path, `${m.userId} is listed twice in this queue (also as members[${earlier}])`)
        return
      }
      seen.set(m.userId, j)
      if (!userIndex.has(m.userId)) {
        problem(
          path,
          `no user "${m.userId}" (queue members must be users of this company)${didYouMean(m.userId, userIds)}`,
        )
      }
    })
    checkDestination(
      queue.overflow,
      ['queues', i, 'overflow'],
      queue.id,
      'expected another queue: a queue cannot overflow to itself',
    )
    checkDestination(
      queue.closedDestination,
      ['queues', i, 'closedDestination'],
      queue.id,
      'expected another queue: a closed queue cannot send its callers to itself',
    )
  })
  return problems
}

// ---------------------------------------------------------------------------------------------
// Parsing and loading

function parseLocated(source: unknown, file: string, locate: Locate): CompanyConfig {
  if (source === null || source === undefined) {
    throw configError(
      file,
      [{ path: [], message: 'the file is empty (expected company, users and queues)' }],
      locate,
    )
  }
  const result = fileSchema.safeParse(source, { error: describeIssue })
  if (!result.success) {
    const problems = result.error.issues.map((issue) => ({
      path: issue.path.map((key) => (typeof key === 'symbol' ? String(key) : key)),
      message: issue.message,
    }))
    throw configError(file, problems, locate)
  }
  const config = toCompanyConfig(result.data)
  const problems = crossCheck(config, source)
  if (problems.length > 0) throw configError(file, problems, locate)
  return config
}

/**
 * Validates an already parsed company file (the value of its YAML or JSON) and normalises it
 * into the engine's configuration. Throws a ConfigError listing every problem found.
 */
export function parseCompanyConfig(source: unknown, file: string): CompanyConfig {
  return parseLocated(source, file, () => null)
}

function yamlLocator(doc: Document, lines: LineCounter): Locate {
  const lineOf = (node: unknown): number | null =>
    isNode(node) && node.range ? lines.linePos(node.range[0]).line : null
  return (path) => {
    let node: unknown = doc.contents
    let line = lineOf(node)
    for (const key of path) {
      if (isMap(node)) {
        const pair = node.items.find(
          (p) => String(isScalar(p.key) ? p.key.value : p.key) === String(key),
        )
        if (pair === undefined) break
        line = lineOf(pair.key) ?? line
        node = pair.value
      } else if (isSeq(node) && typeof key === 'number') {
        node = node.items[key]
        line = lineOf(node) ?? line
      } else {
        break
      }
    }
    return line
  }
}

function yamlProblem(error: YAMLError): { message: string; line: number | null } {
  const first = error.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '')
  const at = error.linePos?.[0]
  return at
    ? { message: `invalid YAML at line ${at.line}, column ${at.col}: ${first}`, line: at.line }
    : { message: `invalid YAML: ${first}`, line: null }
}

function jsonProblem(error: unknown, source: string): string {
  const message = error instanceof Error ? error.message : String(error)
  const position = /at position (\d+)/.exec(message)
  const reason = message.replace(/ in JSON at position \d+.*$/s, '')
  if (!position) return `invalid JSON: ${reason}`
  const before = source.slice(0, Number(position[1]))
  const line = before.split('\n').length
  const column = before.length - before.lastIndexOf('\n')
  return `invalid JSON at line ${line}, column ${column}: ${reason}`
}

function readProblem(error: unknown): string {
  const code = error instanceof Error && 'code' in error ? String(error.code) : null
  if (code === 'ENOENT') return 'the file does not exist'
  if (code === 'EISDIR') return 'expected a file but this is a directory'
  return `cannot read the file (${error instanceof Error ? error.message : String(error)})`
}

/**
 * Reads a company file: JSON when its name ends in .json, YAML otherwise. Every problem,
 * including a missing file or a syntax error, is thrown as a ConfigError.
 */
export async function loadCompanyFile(path: string): Promise<CompanyConfig> {
  let content: string
  try {
    content = (await readFile(path, 'utf8')).replace(/^\uFEFF/, '')
  } catch (error) {
    throw new ConfigError(path, [{ path: '', message: readProblem(error) }])
  }
  if (extname(path).toLowerCase() === '.json') {
    let source: unknown
    try {
      source = JSON.parse(content)
    } catch (error) {
      throw new ConfigError(path, [{ path: '', message: jsonProblem(error, content) }])
    }
    return parseCompanyConfig(source, path)
  }
  const lines = new LineCounter()
  const doc = parseDocument(content, { lineCounter: lines, prettyErrors: true })
  if (doc.errors.length > 0) {
    const problems = doc.errors.map(yamlProblem)
    throw new ConfigError(
      path,
      problems.map((p) => ({ path: '', message: p.message })),
      problems.map((p) => p.line),
    )
  }
  let source: unknown
  try {
    source = doc.toJS()
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error)
    throw new ConfigError(path, [{ path: '', message: `invalid YAML: ${message}` }])
  }
  return parseLocated(source, path, yamlLocator(doc, lines))
}
