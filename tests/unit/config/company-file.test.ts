import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  ConfigError,
  loadCompanyFile,
  parseCompanyConfig,
} from '../../../src/core/config/company-file'
import type { CompanyConfig } from '../../../src/core/domain/config'
import { companyDefaults, queueDefaults } from '../../../src/core/domain/config'
import { routingStrategies } from '../../../src/shared/model'
import { Harness, T0 } from '../../helpers/harness'

const demoPath = fileURLToPath(new URL('../../../resources/demo/company.yaml', import.meta.url))

let dir = ''
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sentral-company-file-'))
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

async function fileWith(name: string, content: string): Promise<string> {
  const path = join(dir, name)
  await writeFile(path, content, 'utf8')
  return path
}

type Fields = Record<string, unknown>

/** A small valid company file, as its parsed YAML would be; tests break one thing at a time. */
function source(): { company: Fields; users: Fields[]; queues: Fields[]; [key: string]: unknown } {
  return {
    company: { id: 'test', name: 'Test AS' },
    users: [
      {
        id: 'kari.nordmann',
        firstName: 'Kari',
        lastName: 'Nordmann',
        extension: '201',
        direct: '+47 22 33 44 01',
      },
      { id: 'ola.hansen', firstName: 'Ola', lastName: 'Hansen', extension: '202' },
    ],
    queues: [
      {
        id: 'sentralbord',
        name: 'Sentralbord',
        numbers: ['+47 22 33 44 00'],
        strategy: 'ring-all',
        members: ['kari.nordmann', { user: 'ola.hansen', penalty: 1 }],
      },
    ],
  }
}

function errorOf(run: () => unknown): ConfigError {
  try {
    run()
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError)
    return error as ConfigError
  }
  throw new Error('expected a ConfigError, but the configuration was accepted')
}

async function loadError(path: string): Promise<ConfigError> {
  try {
    await loadCompanyFile(path)
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError)
    return error as ConfigError
  }
  throw new Error('expected a ConfigError, but the file was accepted')
}

/** The one issue of a configuration that has exactly one problem. */
function issueOf(src: unknown) {
  const error = errorOf(() => parseCompanyConfig(src, 'company.yaml'))
  expect(error.issues).toHaveLength(1)
  return error.issues[0]!
}

describe('the demo company', () => {
  let demo: CompanyConfig
  beforeAll(async () => {
    demo = await loadCompanyFile(demoPath)
  })

  it('has about 30 users in 4 departments and 4 queues with 4 different strategies', () => {
    expect(demo.name).toBe('Nordlys Regnskap AS')
    expect(demo.users.length).toBeGreaterThanOrEqual(28)
    expect(demo.users.length).toBeLessThanOrEqual(32)
    expect(new Set(demo.users.map((u) => u.department))).toEqual(
      new Set(['Sentralbord', 'Regnskap', 'Lønn', 'Rådgivning']),
    )
    expect(demo.queues).toHaveLength(4)
    expect(new Set(demo.queues.map((q) => q.strategy)).size).toBe(4)
    for (const q of demo.queues) expect(q.members.length).toBeGreaterThan(0)
    expect(demo.vipNumbers.length).toBeGreaterThanOrEqual(3)
    expect(demo.vipNumbers.length).toBeLessThanOrEqual(5)
  })

  it('uses Norwegian names and numbers, normalised', () => {
    const names = demo.users.map((u) => `${u.firstName} ${u.lastName}`).join(' ')
    expect(names).toMatch(/æ/)
    expect(names).toMatch(/ø/)
    expect(names).toMatch(/å|Å/)
    for (const user of demo.users) {
      expect(user.extension).toMatch(/^2\d\d$/)
      if (user.mobile !== null) expect(user.mobile).toMatch(/^\+47[49]\d{7}$/)
      if (user.direct !== null) expect(user.direct).toMatch(/^\+47\d{8}$/)
    }
    expect(demo.users.some((u) => u.extraTerminal !== null)).toBe(true)
    expect(demo.users.some((u) => u.forwardOnNoAnswer !== null)).toBe(true)
  })

  it('keeps the switchboard open at every hour and sends the closed queues there', () => {
    const front = demo.queues.find((q) => q.id === 'sentralbord')!
    const allDay = [{ from: 0, to: 24 * 60 }]
    expect(front.openingHours?.weekly).toEqual({
      mon: allDay,
      tue: allDay,
      wed: allDay,
      thu: allDay,
      fri: allDay,
      sat: allDay,
      sun: allDay,
    })
    const mainNumber = front.numbers[0]!
    const receptionists = demo.users.filter((u) => u.department === 'Sentralbord')
    for (const r of receptionists) expect(r.presentableNumbers).toContain(mainNumber)
    for (const q of demo.queues.filter((q) => q.id !== 'sentralbord')) {
      expect(q.openingHours?.weekly.mon).toEqual([{ from: 8 * 60, to: 16 * 60 }])
      expect(q.openingHours?.weekly.sun).toBeUndefined()
      expect(q.closedDestination).toEqual({ kind: 'queue', queueId: 'sentralbord' })
    }
    const overflowing = demo.queues.filter(
      (q) => q.maxWaitSeconds !== null && q.overflow?.kind === 'queue',
    )
    expect(overflowing.length).toBeGreaterThan(0)
  })

  it('runs in the engine: the main number rings a receptionist, a closed queue goes there', () => {
    const h = new Harness(demo)
    const front = demo.queues.find((q) => q.id === 'sentralbord')!
    const receptionists = front.members.filter((m) => m.penalty === 0).map((m) => m.userId)
    h.arrive('+4791111111', front.numbers[0]!)
    expect(receptionists.some((id) => h.ringingFor(id).length > 0)).toBe(true)

    const sunday = new Harness(demo, { now: T0 - 24 * 3_600_000 }) // Sunday 10:00 in Oslo
    const payroll = demo.queues.find((q) => q.strategy === 'round-robin')!
    const call = sunday.arrive('+4791111112', payroll.numbers[0]!)
    expect(sunday.waiting('sentralbord')).toContain(call)
    expect(sunday.waiting(payroll.id)).not.toContain(call)
  })
})

describe('a valid file', () => {
  it('gets the defaults for everything it leaves out', () => {
    const config = parseCompanyConfig(
      {
        company: { id: 'mini', name: 'Mini AS' },
        users: [{ id: 'kari', firstName: 'Kari', lastName: 'Nordmann', extension: '201' }],
        queues: [{ id: 'q', name: 'Q', strategy: 'random', members: ['kari'] }],
      },
      'mini.yaml',
    )
    expect(config).toEqual({
      id: 'mini',
      name: 'Mini AS',
      timeZone: companyDefaults.timeZone,
      vipNumbers: [],
      parkSlots: companyDefaults.parkSlots,
      parkTimeoutSeconds: companyDefaults.parkTimeoutSeconds,
      directRingSeconds: companyDefaults.directRingSeconds,
      dialTimeoutSeconds: companyDefaults.dialTimeoutSeconds,
      users: [
        {
          id: 'kari',
          firstName: 'Kari',
          lastName: 'Nordmann',
          extension: '201',
          mobile: null,
          direct: null,
          department: '',
          presentableNumbers: [],
          forwardOnBusy: null,
          forwardOnNoAnswer: null,
          extraTerminal: null,
        },
      ],
      queues: [
        {
          ...queueDefaults,
          id: 'q',
          name: 'Q',
          numbers: [],
          strategy: 'random',
          members: [{ userId: 'kari', penalty: 0, loggedIn: true }],
        },
      ],
    } satisfies CompanyConfig)
  })

  it('takes settings, normalises every number and converts destinations', () => {
    const src = source()
    Object.assign(src, {
      settings: { directRingSeconds: 30, parkSlots: 4 },
      vip: ['0047 900 00 001', 90000002],
    })
    Object.assign(src.users[1]!, {
      mobile: '912 34 567',
      forwardOnNoAnswer: '+47 912 34 567',
      forwardOnBusy: '201',
      extraTerminal: 4791234567,
      presentableNumbers: ['22 33 44 00'],
    })
    src.queues.push({
      id: 'kundeservice',
      name: 'Kundeservice',
      strategy: 'ring-progressively',
      maxWaitSeconds: 60,
      overflow: { queue: 'sentralbord' },
      closedDestination: { user: 'kari.nordmann' },
    })
    Object.assign(src.queues[0]!, { closedDestination: { number: '+47 22 33 44 99' } })
    const config = parseCompanyConfig(src, 'test.yaml')
    expect(config.parkSlots).toBe(4)
    expect(config.directRingSeconds).toBe(30)
    expect(config.vipNumbers).toEqual(['+4790000001', '+4790000002'])
    expect(config.users[0]!.direct).toBe('+4722334401')
    expect(config.users[1]).toMatchObject({
      mobile: '+4791234567',
      forwardOnNoAnswer: { to: '+4791234567', afterSeconds: 30 },
      forwardOnBusy: '201',
      extraTerminal: '+4791234567',
      presentableNumbers: ['+4722334400'],
    })
    expect(config.queues[0]!.numbers).toEqual(['+4722334400'])
    expect(config.queues[0]!.members).toEqual([
      { userId: 'kari.nordmann', penalty: 0, loggedIn: true },
      { userId: 'ola.hansen', penalty: 1, loggedIn: true },
    ])
    expect(config.queues[0]!.closedDestination).toEqual({
      kind: 'external',
      number: '+4722334499',
    })
    expect(config.queues[1]).toMatchObject({
      maxWaitSeconds: 60,
      overflow: { kind: 'queue', queueId: 'sentralbord' },
      closedDestination: { kind: 'user', userId: 'kari.nordmann' },
    })
  })

  it('reads opening hours: days, ranges of days, split days, closed days and exceptions', () => {
    const src = source()
    src.queues[0]!.openingHours = {
      'mon-thu': '08:00-11:30, 12:00-16:00',
      fri: '08.00–14.00',
      sat: 'closed',
      sun: '22:00-24:00',
      exceptions: { '2026-12-24': 'closed', '2026-12-31': '08:00-12:00' },
    }
    const hours = parseCompanyConfig(src, 'test.yaml').queues[0]!.openingHours
    const split = [
      { from: 480, to: 690 },
      { from: 720, to: 960 },
    ]
    expect(hours).toEqual({
      weekly: {
        mon: split,
        tue: split,
        wed: split,
        thu: split,
        fri: [{ from: 480, to: 840 }],
        sat: [],
        sun: [{ from: 1320, to: 1440 }],
      },
      exceptions: { '2026-12-24': [], '2026-12-31': [{ from: 480, to: 720 }] },
    })
  })

  it('reads a range of days that wraps over the weekend', () => {
    const src = source()
    src.queues[0]!.openingHours = { 'fri-mon': '10:00-14:00' }
    const weekly = parseCompanyConfig(src, 'test.yaml').queues[0]!.openingHours!.weekly
    expect(Object.keys(weekly).sort()).toEqual(['fri', 'mon', 'sat', 'sun'])
  })

  it('loads JSON by its extension', async () => {
    const path = await fileWith('company.json', JSON.stringify(source()))
    const config = await loadCompanyFile(path)
    expect(config.id).toBe('test')
    expect(config.queues[0]!.numbers).toEqual(['+4722334400'])
  })
})

describe('errors point at the field and say what was expected', () => {
  it('an unknown strategy lists the strategies', () => {
    const src = source()
    src.queues[0]!.strategy = 'fastest'
    expect(issueOf(src)).toEqual({
      path: 'queues[0].strategy',
      message: `expected one of ${routingStrategies.join(', ')} but got "fastest"`,
    })
  })

  it('a strategy with a typo gets a suggestion', () => {
    const src = source()
    src.queues[0]!.strategy = 'round-robbin'
    expect(issueOf(src).message).toMatch(/but got "round-robbin"; did you mean "round-robin"\?$/)
  })

  it('a bad phone number shows an example', () => {
    const src = source()
    src.users[1]!.mobile = 'abc'
    expect(issueOf(src)).toEqual({
      path: 'users[1].mobile',
      message: 'expected a phone number like +47 22 33 44 55 but got "abc"',
    })
  })

  it('a full number is not an extension, and an extension is not a full number', () => {
    const src = source()
    src.users[1]!.extension = '+47 22 33 44 02'
    expect(issueOf(src)).toEqual({
      path: 'users[1].extension',
      message: 'expected an extension of 2 to 6 digits like 201 but got "+47 22 33 44 02"',
    })
    const other = source()
    other.users[1]!.direct = '2002'
    expect(issueOf(other).path).toBe('users[1].direct')
    expect(issueOf(other).message).toContain('which is an extension')
  })

  it('a queue member who is not a user, in the object form and the short form', () => {
    const src = source()
    src.queues[0]!.members = ['kari.nordmann', { user: 'per.hansen' }]
    expect(issueOf(src)).toEqual({
      path: 'queues[0].members[1].user',
      message: 'no user "per.hansen" (queue members must be users of this company)',
    })
    const short = source()
    short.queues[0]!.members = ['kari.nordmann', 'ola.hansn']
    expect(issueOf(short)).toEqual({
      path: 'queues[0].members[1]',
      message:
        'no user "ola.hansn" (queue members must be users of this company); did you mean "ola.hansen"?',
    })
  })

  it('a user listed twice in one queue', () => {
    const src = source()
    src.queues[0]!.members = ['kari.nordmann', 'ola.hansen', { user: 'kari.nordmann' }]
    expect(issueOf(src)).toEqual({
      path: 'queues[0].members[2].user',
      message: 'kari.nordmann is listed twice in this queue (also as members[0])',
    })
  })

  it('a number that reaches two things', () => {
    const src = source()
    src.queues[0]!.numbers = ['+47 22 33 44 01']
    expect(issueOf(src)).toEqual({
      path: 'queues[0].numbers[0]',
      message:
        '+47 22 33 44 01 is already the direct number of kari.nordmann (users[0].direct); a number can reach only one user or queue',
    })
    const extensions = source()
    extensions.users[1]!.extension = '201'
    expect(issueOf(extensions).path).toBe('users[1].extension')
    expect(issueOf(extensions).message).toContain('the extension of kari.nordmann')
    const mobiles = source()
    mobiles.users[0]!.mobile = '+47 912 34 567'
    mobiles.users[1]!.mobile = '91234567'
    expect(issueOf(mobiles).path).toBe('users[1].mobile')
  })

  it('duplicate ids', () => {
    const src = source()
    src.users[1]!.id = 'kari.nordmann'
    src.queues[0]!.members = ['kari.nordmann']
    expect(issueOf(src)).toEqual({
      path: 'users[1].id',
      message: 'the id "kari.nordmann" is already used by users[0]',
    })
    const queues = source()
    queues.queues.push({ id: 'sentralbord', name: 'Igjen', strategy: 'linear' })
    expect(issueOf(queues).path).toBe('queues[1].id')
  })

  it('an unknown key, with a suggestion when it looks like a typo', () => {
    const src = source()
    src.users[1]!.mobil = '+47 912 34 567'
    expect(issueOf(src)).toEqual({
      path: 'users[1].mobil',
      message: 'unknown field "mobil" (did you mean "mobile"?)',
    })
    const top = { ...source(), telephony: {} }
    expect(issueOf(top)).toEqual({
      path: 'telephony',
      message: 'unknown field "telephony" (expected one of company, settings, vip, users, queues)',
    })
  })

  it('a missing required field', () => {
    const src = source()
    delete src.users[1]!.firstName
    expect(issueOf(src)).toEqual({
      path: 'users[1].firstName',
      message: 'this field is required (expected text)',
    })
  })

  it('a setting of the wrong kind', () => {
    const src = source()
    src.queues[0]!.ringTimeoutSeconds = '15s'
    expect(issueOf(src)).toEqual({
      path: 'queues[0].ringTimeoutSeconds',
      message: 'expected a whole number but got "15s"',
    })
    const zero = source()
    zero.queues[0]!.maxWaitSeconds = 0
    expect(issueOf(zero).message).toBe(
      'expected a whole number or null (no limit) of at least 1 but got 0',
    )
    const flag = source()
    flag.queues[0]!.joinEmpty = 'yes'
    expect(issueOf(flag).message).toBe('expected true or false but got "yes"')
  })

  it('an unknown time zone', () => {
    const src = source()
    Object.assign(src.company, { timeZone: 'Europe/Olso' })
    expect(issueOf(src)).toEqual({
      path: 'company.timeZone',
      message: 'expected an IANA time zone like Europe/Oslo but got "Europe/Olso"',
    })
  })

  it.each([
    ['16:00-08:00', 'expected a range that starts before it ends but got "16:00-08:00"'],
    ['08:00-08:00', 'expected a range that starts before it ends but got "08:00-08:00"'],
    ['08:00-25:00', 'expected times from 00:00 to 23:59 (24:00 only as an end) but got "25:00"'],
    ['08:60-16:00', 'but got "08:60"'],
    ['24:00-24:00', 'but got "24:00"'],
    ['8-16', 'expected opening hours like "08:00-16:00"'],
    ['08:00-12:00, 11:00-16:00', 'expected ranges that do not overlap but 08:00-12:00 and'],
  ])('a bad time range: %s', (hours, message) => {
    const src = source()
    src.queues[0]!.openingHours = { 'mon-fri': hours }
    const issue = issueOf(src)
    expect(issue.path).toBe('queues[0].openingHours.mon-fri')
    expect(issue.message).toContain(message)
  })

  it('a range that passes midnight says how to split it', () => {
    const src = source()
    src.queues[0]!.openingHours = { fri: '22:00-02:00' }
    expect(issueOf(src).message).toContain('write 22:00-24:00 and 00:00-02:00 on the next day')
  })

  it('a bad day, a day given twice and a bad date', () => {
    const day = source()
    day.queues[0]!.openingHours = { monday: '08:00-16:00' }
    expect(issueOf(day)).toEqual({
      path: 'queues[0].openingHours.monday',
      message:
        'expected a day (mon, tue, wed, thu, fri, sat, sun), a range of days like mon-fri, or exceptions, but got "monday"',
    })
    const twice = source()
    twice.queues[0]!.openingHours = { 'mon-fri': '08:00-16:00', wed: 'closed' }
    expect(issueOf(twice)).toEqual({
      path: 'queues[0].openingHours.wed',
      message: 'wed is given twice (also by mon-fri)',
    })
    const date = source()
    date.queues[0]!.openingHours = { exceptions: { '2026-02-30': 'closed' } }
    expect(issueOf(date)).toEqual({
      path: 'queues[0].openingHours.exceptions.2026-02-30',
      message: 'expected a date like 2026-12-24 but got "2026-02-30"',
    })
  })

  it('destinations: unknown queue or user, two kinds at once, a queue overflowing to itself', () => {
    const queue = source()
    queue.queues[0]!.overflow = { queue: 'kundesenter' }
    expect(issueOf(queue)).toEqual({
      path: 'queues[0].overflow.queue',
      message: 'no queue "kundesenter" (expected one of sentralbord)',
    })
    const user = source()
    user.queues[0]!.closedDestination = { user: 'per.hansen' }
    expect(issueOf(user).path).toBe('queues[0].closedDestination.user')
    expect(issueOf(user).message).toContain('no user "per.hansen"')
    const both = source()
    both.queues[0]!.overflow = { queue: 'sentralbord', user: 'kari.nordmann' }
    expect(issueOf(both)).toEqual({
      path: 'queues[0].overflow',
      message: 'expected exactly one of queue, user or number but got queue and user',
    })
    const self = source()
    self.queues[0]!.overflow = { queue: 'sentralbord' }
    expect(issueOf(self)).toEqual({
      path: 'queues[0].overflow.queue',
      message: 'expected another queue: a queue cannot overflow to itself',
    })
  })

  it('a forward that would ring the same user again', () => {
    const src = source()
    src.users[0] = { ...src.users[0]!, forwardOnBusy: '201' }
    expect(issueOf(src).path).toBe('users[0].forwardOnBusy')
  })

  it('every problem at once, and a message that names the file, the fields and what was expected', () => {
    const src = source()
    src.queues[0]!.strategy = 'fastest'
    src.users[1]!.mobile = 'abc'
    const error = errorOf(() => parseCompanyConfig(src, 'companies/test.yaml'))
    expect(error.file).toBe('companies/test.yaml')
    expect(error.issues.map((i) => i.path).sort()).toEqual([
      'queues[0].strategy',
      'users[1].mobile',
    ])
    expect(error.message).toContain('companies/test.yaml')
    expect(error.message).toContain('2 problems')
    expect(error.message).toContain('users[1].mobile: expected a phone number')
    expect(error.message).toContain('queues[0].strategy: expected one of ring-all')
  })

  it('an empty file or one that is not a set of fields', () => {
    expect(issueOf(null)).toEqual({
      path: '',
      message: 'the file is empty (expected company, users and queues)',
    })
    expect(issueOf(['company']).message).toBe(
      'expected a company file with company, users and queues but got a list',
    )
  })
})

describe('loading files', () => {
  it('names the line of a field in a YAML file', async () => {
    const path = await fileWith(
      'strategy.yaml',
      [
        'company: { id: test, name: Test AS }',
        'users:',
        '  - { id: kari, firstName: Kari, lastName: Nordmann, extension: 201 }',
        'queues:',
        '  - id: front',
        '    name: Front',
        '    strategy: fastest',
        '    members: [kari]',
      ].join('\n'),
    )
    const error = await loadError(path)
    expect(error.issues).toEqual([
      {
        path: 'queues[0].strategy',
        message: `expected one of ${routingStrategies.join(', ')} but got "fastest"`,
      },
    ])
    expect(error.message).toContain('queues[0].strategy (line 7): expected one of')
  })

  it('reports a YAML syntax error with its line', async () => {
    const path = await fileWith(
      'syntax.yaml',
      'company:\n  id: test\n  name: Test: AS\nusers: []\n',
    )
    const error = await loadError(path)
    expect(error.file).toBe(path)
    expect(error.issues).toHaveLength(1)
    expect(error.issues[0]!.path).toBe('')
    expect(error.issues[0]!.message).toMatch(/^invalid YAML at line 3, column \d+: /)
    expect(error.message).toContain(path)
  })

  it('reports a JSON syntax error with its line', async () => {
    const path = await fileWith('broken.json', '{\n  "company": { "id": "x" },\n}\n')
    const error = await loadError(path)
    expect(error.issues[0]!.message).toMatch(/^invalid JSON at line 3, column \d+: /)
  })

  it('reports a missing file', async () => {
    const path = join(dir, 'nope.yaml')
    const error = await loadError(path)
    expect(error.file).toBe(path)
    expect(error.issues).toEqual([{ path: '', message: 'the file does not exist' }])
  })
})
