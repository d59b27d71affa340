/**
 * Hand-made live state for the interface's tests: a small company (Nordlys) seen by Kari, an
 * operator of two queues, as a StateSnapshot turned into the store's live copy by the shared
 * rules. Each factory takes the fields a test cares about and fills in the rest.
 */
import { liveFromSnapshot } from '../../../src/shared/live-copy'
import type { CallId, QueueId, UserId } from '../../../src/shared/ids'
import type {
  AgentView,
  CallView,
  LegView,
  MissedCallView,
  QueueMembershipView,
  QueueView,
  UserView,
} from '../../../src/shared/model'
import type { LoginRequest, LoginResponse, Me, StateSnapshot } from '../../../src/shared/protocol'
import {
  setupStore,
  type AppStore,
  type RootState,
  type StoreOptions,
} from '../../../src/renderer/src/app/store'
import type {
  CoreClient,
  RequestEvent,
  Result,
} from '../../../src/renderer/src/services/core-client'
import { memoryStorage } from '../../../src/renderer/src/services/storage'

export const companyId = 'nordlys'
/** 10:00 in Oslo on a Monday: the instant the hand-made state describes. */
export const t0 = Date.UTC(2026, 2, 2, 9, 0, 0)

export const ids = {
  kari: 'kari',
  bjorn: 'bjorn',
  mona: 'mona',
  knut: 'knut',
  sentralbord: 'sentralbord',
  support: 'support',
} as const

export const numbers = {
  sentralbord: '+4722123400',
  support: '+4722123401',
  /** Kari's own direct line: a call to it is not a queue call. */
  kariDirect: '+4722123410',
}

export function user(
  id: UserId,
  firstName: string,
  lastName: string,
  overrides: Partial<UserView> = {},
): UserView {
  return {
    id,
    companyId,
    firstName,
    lastName,
    extension: '200',
    mobile: null,
    direct: null,
    department: 'Sentralbord',
    ...overrides,
  }
}

export function member(
  queueId: QueueId,
  overrides: Partial<QueueMembershipView> = {},
): QueueMembershipView {
  return { queueId, penalty: 0, loggedIn: true, paused: null, ...overrides }
}

export function agent(userId: UserId, overrides: Partial<AgentView> = {}): AgentView {
  return {
    userId,
    companyId,
    presence: 'available',
    activity: 'idle',
    absence: null,
    wrapUpUntil: null,
    queues: [],
    ...overrides,
  }
}

export function queue(
  id: QueueId,
  name: string,
  queueNumbers: string[],
  overrides: Partial<QueueView> = {},
): QueueView {
  return {
    id,
    companyId,
    name,
    numbers: queueNumbers,
    strategy: 'ring-all',
    open: true,
    waiting: 0,
    oldestWaitingSince: null,
    ...overrides,
  }
}

/** The caller's own leg. */
export function callerLeg(callId: CallId, number: string, name: string | null = null): LegView {
  return {
    id: `${callId}-caller`,
    state: 'ringing',
    party: { number, name, userId: null },
    role: 'caller',
  }
}

/** An inbound call waiting in the Sentralbord queue; every field can be overridden. */
export function call(id: CallId, overrides: Partial<CallView> = {}): CallView {
  const remote = overrides.remote ?? { number: '+4791234567', name: null, userId: null }
  return {
    id,
    companyId,
    direction: 'inbound',
    state: 'queued',
    remote,
    remoteLegId: `${id}-caller`,
    originatorId: null,
    dialed: numbers.sentralbord,
    presentedNumber: null,
    queueId: ids.sentralbord,
    vip: false,
    priority: 0,
    waitingSince: t0 - 60_000,
    seq: 1,
    startedAt: t0 - 60_000,
    answeredAt: null,
    agentId: null,
    offeredTo: [],
    consult: null,
    parkedSlot: null,
    conferenceId: null,
    legs: [callerLeg(id, remote.number, remote.name)],
    endReason: null,
    ...overrides,
  }
}

/** A queue call ringing on `userId`'s phone (an offer leg). */
export function offered(id: CallId, userId: UserId, overrides: Partial<CallView> = {}): CallView {
  const base = call(id, overrides)
  return {
    ...base,
    offeredTo: [userId],
    legs: [
      ...base.legs,
      {
        id: `${id}-offer-${userId}`,
        state: 'ringing',
        party: { number: '201', name: null, userId },
        role: 'offer',
      },
    ],
  }
}

/** A call `userId` has answered and is talking on. */
export function connected(id: CallId, userId: UserId, overrides: Partial<CallView> = {}): CallView {
  const base = call(id, {
    state: 'connected',
    agentId: userId,
    answeredAt: t0 - 30_000,
    ...overrides,
  })
  return {
    ...base,
    legs: [
      { ...base.legs[0]!, state: 'connected' },
      {
        id: `${id}-agent`,
        state: 'connected',
        party: { number: '201', name: null, userId },
        role: 'agent',
      },
    ],
    ...overrides,
  }
}

export function missed(callId: CallId, overrides: Partial<MissedCallView> = {}): MissedCallView {
  return {
    callId,
    companyId,
    queueId: ids.sentralbord,
    caller: { number: '+4799999999', name: null, userId: null },
    at: t0 - 600_000,
    outcome: 'abandoned',
    ...overrides,
  }
}

/** Kari, an operator of both queues with the switchboard and the queue board. */
export function me(overrides: Partial<Me> = {}): Me {
  return {
    userId: ids.kari,
    companyId,
    companyName: 'Nordlys Regnskap AS',
    username: 'kari.nordmann',
    firstName: 'Kari',
    lastName: 'Nordmann',
    role: 'operator',
    functions: ['switchboard', 'queue-board'],
    queueIds: [ids.sentralbord, ids.support],
    presentableNumbers: [numbers.sentralbord],
    ...overrides,
  }
}

/** The directory: Kari, and three colleagues who are free, on a call, and in a meeting. */
export const colleagues = {
  users: [
    user(ids.kari, 'Kari', 'Nordmann', { extension: '201', direct: numbers.kariDirect }),
    user(ids.bjorn, 'Bjørn', 'Dahl', {
      extension: '210',
      department: 'Regnskap',
      mobile: '+4791234500',
    }),
    user(ids.mona, 'Mona', 'Haugen', { extension: '211', department: 'Regnskap' }),
    user(ids.knut, 'Knut', 'Pedersen', { extension: '212', department: 'Lønn' }),
  ],
  agents: [
    agent(ids.kari, { queues: [member(ids.sentralbord), member(ids.support)] }),
    agent(ids.bjorn),
    agent(ids.mona, { presence: 'busy', activity: 'on-call' }),
    agent(ids.knut, {
      presence: 'absent',
      absence: {
        reason: 'meeting',
        note: null,
        since: t0 - 3_600_000,
        until: t0 + 4 * 3_600_000,
        forwardTo: '+4798765432',
      },
    }),
  ],
  queues: [
    queue(ids.sentralbord, 'Sentralbord', [numbers.sentralbord]),
    queue(ids.support, 'Support', [numbers.support]),
  ],
}

/** A snapshot as the core would send it: the company stream, with each call on it. */
export function snapshot(parts: Partial<StateSnapshot> = {}): StateSnapshot {
  const calls = parts.calls ?? []
  const missedCalls = parts.missed ?? []
  return {
    me: me(),
    at: t0,
    streams: { company: 1 },
    users: colleagues.users,
    agents: colleagues.agents,
    queues: colleagues.queues,
    calls,
    missed: missedCalls,
    callStreams: Object.fromEntries(calls.map((c) => [c.id, ['company']])),
    missedStreams: Object.fromEntries(missedCalls.map((m) => [m.callId, ['company']])),
    ...parts,
  }
}

/** The store's state for a signed-in user with this snapshot applied. */
export function signedIn(snap: StateSnapshot = snapshot()): Partial<RootState> {
  return {
    session: {
      status: 'signed-in',
      me: snap.me,
      token: 'token-of-this-test',
      expiresAt: snap.at + 8 * 3_600_000,
      serverUrl: '',
      error: null,
      endedBecause: null,
    },
    live: { data: liveFromSnapshot(snap), offsetMs: 0, resyncNeeded: false, gaps: 0 },
  }
}

/** A fresh store with memory storage (nothing leaks between tests through localStorage). */
export function freshStore(options: StoreOptions = {}): AppStore {
  return setupStore({
    settingsStorage: memoryStorage(),
    sessionStorage: memoryStorage(),
    ...options,
  })
}

export interface RecordedRequest {
  event: RequestEvent
  payload: unknown
}

/** Reads whose answer is a list: the stand-in answers them with an empty one. */
const listReads = new Set<RequestEvent>([
  'call:trail',
  'directory:search',
  'log:mine',
  'log:queues',
  'log:switchboard',
  'caller:history',
  'note:list',
  'stats:queues',
  'stats:agents',
  'admin:users',
  'admin:audit',
])

/**
 * A stand-in for the core client that records what the interface asks of the core. It answers
 * every command with `{ data: null }` (and every list read with an empty list) at once, or (with
 * `answers: 'never'`) not at all, so a test can look at what is in flight. The real client is
 * covered by the listener tests.
 */
export interface RecordingCore extends CoreClient {
  readonly requests: RecordedRequest[]
  readonly logins: LoginRequest[]
  resyncs: number
}

export function recordingCore(
  options: { answers?: 'at-once' | 'never'; login?: Result<LoginResponse> } = {},
): RecordingCore {
  const never = new Promise<never>(() => undefined)
  const requests: RecordedRequest[] = []
  const logins: LoginRequest[] = []
  const core: RecordingCore = {
    requests,
    logins,
    resyncs: 0,
    baseUrl: '',
    login(_url, request) {
      logins.push(request)
      return options.login ? Promise.resolve(options.login) : never
    },
    connect: () => undefined,
    disconnect: () => undefined,
    request(event, payload) {
      requests.push({ event, payload })
      if (options.answers === 'never') return never
      return Promise.resolve({ data: (listReads.has(event) ? [] : null) as never })
    },
    resync() {
      core.resyncs++
      return never
    },
    logout: () => Promise.resolve(),
  }
  return core
}

/** Lets pending promise callbacks (listener effects) run. */
export function settle(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0))
}
