/**
 * Data for the persistence tests. Every test works in a company of its own (the suite's store
 * is shared), and user ids and usernames carry the company id because both are unique across
 * companies.
 */
import { randomBytes } from 'node:crypto'
import type { CompanyConfig, QueueConfig, UserConfig } from '../../../src/core/domain/config'
import type { ImportAccount } from '../../../src/core/persistence/sql-store'
import type {
  CallerNote,
  CompanySettings,
  SessionRecord,
  UserRecord,
} from '../../../src/core/persistence/store'
import type { CompanyId, Instant, QueueId, UserId } from '../../../src/shared/ids'
import type {
  QueueCallLogRecord,
  QueueLogEvent,
  UserCallLogRecord,
} from '../../../src/shared/model'

export const day = 24 * 60 * 60 * 1000
/** A fixed instant: 2026-03-02T09:00:00Z. No test reads the real clock. */
export const t0: Instant = Date.UTC(2026, 2, 2, 9, 0, 0)

const run = randomBytes(3).toString('hex')
let counter = 0

/** A company id no other test uses. */
export function freshCompanyId(label = 'co'): CompanyId {
  counter += 1
  return `${label}-${run}-${counter}`
}

/** The id of the company's user `name`. */
export function uid(companyId: CompanyId, name: string): UserId {
  return `${companyId}:${name}`
}

/** A realistic company: forwarding, extra terminals, tiers, opening hours, overflow, VIPs. */
export function realisticCompany(id: CompanyId): CompanyConfig {
  const u = (name: string) => uid(id, name)
  const users: UserConfig[] = [
    {
      id: u('cecilie'),
      firstName: 'Cecilie',
      lastName: 'Berg',
      extension: '203',
      mobile: '+4740000003',
      direct: '+4722000203',
      department: 'Salg',
      presentableNumbers: [],
      forwardOnBusy: null,
      forwardOnNoAnswer: { to: '+4740000003', afterSeconds: 15 },
      extraTerminal: '+4740000003',
    },
    {
      id: u('anne'),
      firstName: 'Anne',
      lastName: 'Hansen',
      extension: '201',
      mobile: '+4791000001',
      direct: '+4722000201',
      department: 'Sentralbord',
      presentableNumbers: ['+4722000000', '+4722000010'],
      forwardOnBusy: '202',
      forwardOnNoAnswer: { to: '+4791000001', afterSeconds: 20 },
      extraTerminal: '+4791000001',
    },
    {
      id: u('dag'),
      firstName: 'Dag',
      lastName: 'Ødegård',
      extension: '204',
      mobile: null,
      direct: null,
      department: 'Lager',
      presentableNumbers: [],
      forwardOnBusy: null,
      forwardOnNoAnswer: null,
      extraTerminal: null,
    },
    {
      id: u('bjorn'),
      firstName: 'Bjørn',
      lastName: 'Aas',
      extension: '202',
      mobile: '+4792000002',
      direct: null,
      department: 'Sentralbord',
      presentableNumbers: ['+4722000000'],
      forwardOnBusy: '+4792000002',
      forwardOnNoAnswer: null,
      extraTerminal: null,
    },
  ]
  const base = {
    ringTimeoutSeconds: 15,
    retryDelaySeconds: 2,
    wrapUpSeconds: 0,
    autoPauseAfter: null,
    maxWaitSeconds: null,
    maxLength: null,
    overflow: null,
    joinEmpty: true,
    leaveWhenEmpty: false,
    openingHours: null,
    closedDestination: null,
    progressiveStepSeconds: 5,
    serviceLevelSeconds: 20,
  }
  const queues: QueueConfig[] = [
    {
      ...base,
      id: 'sentralbord',
      name: 'Sentralbord',
      numbers: ['+4722000000', '+4722000009'],
      strategy: 'ring-all',
      members: [
        { userId: u('bjorn'), penalty: 0, loggedIn: false },
        { userId: u('anne'), penalty: 0, loggedIn: true },
        { userId: u('cecilie'), penalty: 1, loggedIn: true },
      ],
      ringTimeoutSeconds: 20,
      wrapUpSeconds: 10,
      autoPauseAfter: 3,
      maxWaitSeconds: 180,
      maxLength: 12,
      overflow: { kind: 'queue', queueId: 'salg' },
      openingHours: {
        weekly: {
          mon: [{ from: 480, to: 960 }],
          tue: [{ from: 480, to: 960 }],
          wed: [{ from: 480, to: 960 }],
          thu: [{ from: 480, to: 960 }],
          fri: [
            { from: 480, to: 690 },
            { from: 720, to: 900 },
          ],
        },
        exceptions: { '2026-12-24': [{ from: 540, to: 720 }], '2026-12-25': [] },
      },
      closedDestination: { kind: 'external', number: '+4791000009' },
      serviceLevelSeconds: 30,
    },
    {
      ...base,
      id: 'salg',
      name: 'Salg',
      numbers: ['+4722000010'],
      strategy: 'round-robin',
      members: [
        { userId: u('dag'), penalty: 2, loggedIn: true },
        { userId: u('cecilie'), penalty: 0, loggedIn: true },
      ],
      overflow: { kind: 'user', userId: u('anne') },
      joinEmpty: false,
      leaveWhenEmpty: true,
    },
    {
      ...base,
      id: 'kveld',
      name: 'Kveldsvakt',
      numbers: [],
      strategy: 'ring-progressively',
      members: [],
      progressiveStepSeconds: 8,
    },
  ]
  return {
    id,
    name: `Firma ${id}`,
    timeZone: 'Europe/Oslo',
    users,
    queues,
    vipNumbers: ['+4790000002', '+4790000001'],
    parkSlots: 6,
    parkTimeoutSeconds: 90,
    directRingSeconds: 30,
    dialTimeoutSeconds: 45,
  }
}

export function accountsFor(config: CompanyConfig): ImportAccount[] {
  return config.users.map((u, i) => ({
    userId: u.id,
    username: `${u.firstName}.${u.lastName}@${config.id}`.replace(/ /g, ''),
    role: i === 0 ? 'contact' : i === 1 ? 'operator' : 'user',
    functions: i === 0 ? ['switchboard', 'administration', 'statistics'] : ['switchboard'],
  }))
}

export function userRecord(
  companyId: CompanyId,
  name: string,
  overrides: Partial<UserRecord> = {},
): UserRecord {
  return {
    id: uid(companyId, name),
    companyId,
    firstName: name,
    lastName: 'Testesen',
    extension: String(100 + name.length),
    mobile: null,
    direct: null,
    department: 'Test',
    presentableNumbers: [],
    forwardOnBusy: null,
    forwardOnNoAnswer: null,
    extraTerminal: null,
    username: `${name}@${companyId}`,
    role: 'user',
    functions: ['switchboard'],
    blocked: false,
    ...overrides,
  }
}

export function userLog(
  companyId: CompanyId,
  callId: string,
  userId: UserId,
  startedAt: Instant,
  overrides: Partial<UserCallLogRecord> = {},
): UserCallLogRecord {
  return {
    kind: 'user',
    companyId,
    callId,
    userId,
    direction: 'incoming',
    counterpart: { number: '+4798765432', name: 'Kari Nordmann', userId: null },
    dialed: '+4722000201',
    queueId: null,
    queueName: null,
    presentedNumber: null,
    startedAt,
    answeredAt: startedAt + 4_000,
    endedAt: startedAt + 64_000,
    answered: true,
    talkMs: 60_000,
    transferredTo: null,
    ...overrides,
  }
}

export function queueLog(
  companyId: CompanyId,
  callId: string,
  queueId: QueueId,
  enteredAt: Instant,
  overrides: Partial<QueueCallLogRecord> = {},
): QueueCallLogRecord {
  return {
    kind: 'queue',
    companyId,
    callId,
    queueId,
    queueName: `Kø ${queueId}`,
    caller: { number: '+4798765432', name: null, userId: null },
    dialed: '+4722000000',
    vip: false,
    enteredAt,
    answeredAt: null,
    answeredBy: null,
    endedAt: enteredAt + 30_000,
    waitMs: 30_000,
    talkMs: 0,
    outcome: 'abandoned',
    transferredTo: null,
    overflowTo: null,
    ...overrides,
  }
}

export function queueEvent(
  companyId: CompanyId,
  at: Instant,
  overrides: Partial<QueueLogEvent> = {},
): QueueLogEvent {
  return {
    at,
    companyId,
    queueId: 'sentralbord',
    kind: 'enter',
    callId: 'c1',
    agentId: null,
    callerNumber: '+4798765432',
    waitMs: null,
    talkMs: null,
    reason: null,
    destination: null,
    ...overrides,
  }
}

export function session(
  tokenHash: string,
  companyId: CompanyId,
  userId: UserId,
  overrides: Partial<SessionRecord> = {},
): SessionRecord {
  return {
    tokenHash,
    userId,
    companyId,
    createdAt: t0,
    lastSeenAt: t0,
    expiresAt: t0 + 12 * 60 * 60 * 1000,
    ...overrides,
  }
}

export function note(
  companyId: CompanyId,
  id: string,
  number: string,
  authorId: UserId,
  createdAt: Instant,
): CallerNote {
  return { id, companyId, number, authorId, text: `Notat ${id}`, createdAt }
}

/** A unique token hash (hex, as the real ones). */
export function tokenHash(): string {
  return randomBytes(32).toString('hex')
}

/** A company's settings without users and queues, as saveCompany takes them. */
export function companySettings(id: CompanyId): CompanySettings {
  const { users: _users, queues: _queues, ...settings } = realisticCompany(id)
  return settings
}
