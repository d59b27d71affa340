/**
 * The interface's effects against a real routing core: a fresh store per test with the real
 * core client (HTTP login, Socket.IO), a real core on port 0 over SQLite, and callers placed in
 * the core's engine. What a test asserts is the store's state, as the screens would read it.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import type { StateDelta } from '../../../src/shared/protocol'
import { appStarted } from '../../../src/renderer/src/app/actions'
import { setupStore, type AppStore, type RootState } from '../../../src/renderer/src/app/store'
import {
  counterpartOf,
  selectMyCalls,
  selectOffered,
} from '../../../src/renderer/src/features/live/selectors'
import {
  loginSubmitted,
  logoutRequested,
} from '../../../src/renderer/src/features/session/sessionSlice'
import {
  commandIssued,
  type Command,
} from '../../../src/renderer/src/features/switchboard/switchboardSlice'
import { searchTyped } from '../../../src/renderer/src/features/transfer/transferSlice'
import { viewChosen } from '../../../src/renderer/src/features/ui/uiSlice'
import { createCoreClient } from '../../../src/renderer/src/services/core-client'
import { deltaReceived } from '../../../src/renderer/src/services/core-events'
import { memoryStorage, type KeyValueStorage } from '../../../src/renderer/src/services/storage'
import { TestDatabase } from '../../helpers/databases'
import {
  passwordFor,
  startTestCore,
  testCompany,
  type TestCompany,
  type TestCore,
} from '../../helpers/test-core'

/** Resolves with the store's state once `test` holds; fails after `ms` naming what it awaited. */
function waitFor(
  store: AppStore,
  what: string,
  test: (s: RootState) => boolean,
  ms = 5_000,
): Promise<RootState> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      unsubscribe()
      reject(new Error(`waited ${ms} ms for ${what}`))
    }, ms)
    const check = () => {
      const state = store.getState()
      if (!test(state)) return
      clearTimeout(timer)
      unsubscribe()
      resolve(state)
    }
    const unsubscribe = store.subscribe(check)
    check()
  })
}

// One SQLite database for the file; each test has its own core and company on it.
const db = new TestDatabase('sqlite')
beforeAll(() => db.open())
afterAll(() => db.close())

let core: TestCore
let a: TestCompany
const stores: AppStore[] = []

beforeEach(async () => {
  a = testCompany('ui')
  core = await startTestCore(db.store, [a])
})

afterEach(async () => {
  for (const store of stores.splice(0)) store.dispatch(logoutRequested())
  await core.stop()
})

function freshStore(sessionStorage: KeyValueStorage = memoryStorage()): AppStore {
  const store = setupStore({ sessionStorage, settingsStorage: memoryStorage() })
  stores.push(store)
  return store
}

async function signIn(username: string, sessionStorage?: KeyValueStorage): Promise<AppStore> {
  const store = freshStore(sessionStorage)
  store.dispatch(
    loginSubmitted({ username, password: passwordFor, serverUrl: core.url, remember: false }),
  )
  await waitFor(store, `${username} signed in with a live copy`, (s) => {
    if (s.session.error) throw new Error(`login failed: ${s.session.error.code}`)
    return s.session.status === 'signed-in' && s.live.data !== null
  })
  return store
}

let legs = 0
/** A caller from the outside network dials `to`; resolves with the call's id as `store` sees it. */
async function callerDials(store: AppStore, to: string, from = '91234567'): Promise<string> {
  const before = new Set(Object.keys(store.getState().live.data?.calls ?? {}))
  core.core.runtime.dispatch({
    type: 'caller.arrived',
    companyId: a.id,
    legId: `net-${++legs}`,
    from,
    to,
  })
  const s = await waitFor(store, 'the new call in the live copy', (s) =>
    Object.keys(s.live.data?.calls ?? {}).some((id) => !before.has(id)),
  )
  return Object.keys(s.live.data!.calls).find((id) => !before.has(id))!
}

async function answered(store: AppStore, callId: string): Promise<void> {
  store.dispatch(commandIssued({ kind: 'answer', callId }))
  await waitFor(store, 'the call connected to me', (s) =>
    selectMyCalls(s).some((c) => c.id === callId && c.state === 'connected'),
  )
}

describe('logging in', () => {
  it('signs in, keeps the token for this tab, connects and receives the live copy', async () => {
    const sessionStorage = memoryStorage()
    const store = await signIn(a.usernames.op1, sessionStorage)
    const s = store.getState()
    expect(s.session.me).toMatchObject({ userId: a.ids.op1, role: 'operator' })
    expect(s.connection.status).toBe('connected')
    expect(Object.keys(s.live.data!.queues)).toContain(a.ids.queueA)
    expect(Object.keys(s.live.data!.users).sort()).toEqual(Object.values(a.ids).slice(0, 4).sort())
    expect(JSON.parse(sessionStorage.get('sentral.session')!)).toEqual({
      token: s.session.token,
      serverUrl: core.url,
    })
  })

  it('is refused with INVALID_CREDENTIALS for a wrong password, and nothing is kept', async () => {
    const sessionStorage = memoryStorage()
    const store = freshStore(sessionStorage)
    store.dispatch(
      loginSubmitted({
        username: a.usernames.op1,
        password: 'not-the-password',
        serverUrl: core.url,
        remember: false,
      }),
    )
    const s = await waitFor(store, 'the refusal', (s) => s.session.error !== null)
    expect(s.session).toMatchObject({
      status: 'signed-out',
      error: { code: 'INVALID_CREDENTIALS' },
    })
    expect(sessionStorage.get('sentral.session')).toBeNull()
  })

  it('after a reload, the tab’s kept session is restored without a password', async () => {
    const sessionStorage = memoryStorage()
    await signIn(a.usernames.op1, sessionStorage)
    const reloaded = freshStore(sessionStorage)
    reloaded.dispatch(appStarted())
    expect(reloaded.getState().session.status).toBe('restoring')
    const s = await waitFor(
      reloaded,
      'the restored session',
      (s) => s.session.status === 'signed-in',
    )
    expect(s.session.me?.userId).toBe(a.ids.op1)
    expect(s.live.data).not.toBeNull()
  })

  it('fetches today’s queue figures for someone who sees the queue board', async () => {
    const store = await signIn(a.usernames.op1)
    const s = await waitFor(store, 'the figures', (s) => s.board.fetchedAt !== null)
    expect(Object.keys(s.board.today)).toContain(a.ids.queueA)
  })
})

describe('the session ending', () => {
  it('when the password is changed elsewhere, signs out with the reason and forgets the live copy and token', async () => {
    const sessionStorage = memoryStorage()
    const store = await signIn(a.usernames.op1, sessionStorage)
    const elsewhere = await core.client(a.usernames.op1)
    expect(
      await core.command(elsewhere.socket, 'account:change-password', {
        current: passwordFor,
        next: 'Fjordhest-Lysfyr-2026-Kveld!',
      }),
    ).toMatchObject({ data: { token: expect.any(String) as string } })
    const s = await waitFor(store, 'the session ended', (s) => s.session.status === 'signed-out')
    expect(s.session).toMatchObject({ me: null, token: null, endedBecause: 'password-changed' })
    expect(s.live.data).toBeNull()
    expect(sessionStorage.get('sentral.session')).toBeNull()
  })

  it('ended by the core, forgets what the user had open, so the next person on the tab sees none of it', async () => {
    const store = await signIn(a.usernames.op1)
    store.dispatch(viewChosen('log'))
    store.dispatch(searchTyped('ola'))
    await waitFor(store, 'the log read', (s) => s.logs.mine.status === 'idle')
    const elsewhere = await core.client(a.usernames.op1)
    await core.command(elsewhere.socket, 'account:change-password', {
      current: passwordFor,
      next: 'Fjordhest-Lysfyr-2026-Kveld!',
    })
    const s = await waitFor(store, 'the session ended', (s) => s.session.status === 'signed-out')
    expect(s.ui.view).toBe('switchboard')
    expect(s.transfer.query).toBe('')
    expect(s.logs.mine.entries).toEqual([])
    expect(s.switchboard.pending).toEqual({})
  })

  it('after logging out, the connection is idle, not reconnecting', async () => {
    const store = await signIn(a.usernames.op1)
    store.dispatch(logoutRequested())
    await new Promise((resolve) => setTimeout(resolve, 200))
    expect(store.getState().connection.status).toBe('idle')
  })

  it('a request in flight when the connection is closed resolves OFFLINE instead of throwing', async () => {
    const { token } = await core.login(a.usernames.op1)
    const client = createCoreClient(freshStore().dispatch)
    client.connect(core.url, token)
    const inFlight = client.request('log:mine', {})
    client.disconnect()
    await expect(inFlight).resolves.toMatchObject({ error: { code: 'OFFLINE' } })
  })

  it('logging out ends the session at the core: its token no longer connects', async () => {
    const store = await signIn(a.usernames.op1)
    const token = store.getState().session.token!
    store.dispatch(logoutRequested())
    await new Promise((resolve) => setTimeout(resolve, 200))
    const socket = core.raw({ token })
    const refusal = await new Promise<string>((resolve) => {
      socket.on('connect_error', (e) => resolve(e.message))
      socket.on('connect', () => resolve('connected'))
    })
    expect(refusal).toBe('UNAUTHENTICATED')
  })
})

describe('a caller', () => {
  it('rings in the interface of the operator it is offered to', async () => {
    const store = await signIn(a.usernames.op1)
    const callId = await callerDials(store, a.numbers.queueA)
    const s = await waitFor(store, 'the offer', (s) => selectOffered(s).length > 0)
    expect(selectOffered(s).map((c) => c.id)).toEqual([callId])
    expect(selectOffered(s)[0]).toMatchObject({
      remote: { number: '+4791234567' },
      dialed: a.numbers.queueA,
      queueId: a.ids.queueA,
    })
  })

  it('answered, is the operator’s call in focus, and the transfer search takes the keyboard', async () => {
    const store = await signIn(a.usernames.op1)
    const callId = await callerDials(store, a.numbers.queueA)
    await answered(store, callId)
    const s = await waitFor(store, 'the answer acknowledged', (s) => s.ui.focus !== null)
    expect(s.switchboard).toMatchObject({ focusedCallId: callId, pending: {}, lastError: null })
    expect(s.ui.focus?.target).toBe('transfer-search')
    expect(selectOffered(s)).toEqual([])
  })

  it('in focus, brings the caller’s earlier calls and notes', async () => {
    const store = await signIn(a.usernames.op1)
    const callId = await callerDials(store, a.numbers.queueA)
    await answered(store, callId)
    const s = await waitFor(
      store,
      'the caller information',
      (s) => s.caller.byNumber['+4791234567']?.status === 'loaded',
    )
    expect(s.caller.byNumber['+4791234567']).toMatchObject({ history: [], notes: [] })
  })

  it('transferred blind, rings for the colleague and leaves the operator free for the next caller', async () => {
    const op1 = await signIn(a.usernames.op1)
    const op2 = await signIn(a.usernames.op2)
    const callId = await callerDials(op1, a.numbers.queueA)
    await answered(op1, callId)
    op1.dispatch(searchTyped('Andersen'))
    op1.dispatch(
      commandIssued({
        kind: 'transfer',
        callId,
        target: { kind: 'user', userId: a.ids.op2 },
        mode: 'blind',
      }),
    )
    const colleague = await waitFor(op2, 'the transferred call ringing for op2', (s) =>
      selectOffered(s).some((c) => c.id === callId),
    )
    expect(selectOffered(colleague)[0]?.remote.number).toBe('+4791234567')
    const s = await waitFor(op1, 'the call gone from op1', (s) => selectMyCalls(s).length === 0)
    expect(s.notices.list.map((n) => n.key)).toContain('notice.transferred')
    expect(s.ui.focus?.target).toBe('waiting-list')
    expect(s.transfer.query).toBe('')
  })

  it('consulting when the caller hangs up: says so, and keeps the operator with the one they asked', async () => {
    const op1 = await signIn(a.usernames.op1)
    const callId = await callerDials(op1, a.numbers.queueA)
    await answered(op1, callId)
    op1.dispatch(
      commandIssued({
        kind: 'transfer',
        callId,
        target: { kind: 'user', userId: a.ids.op2 },
        mode: 'consult',
      }),
    )
    await waitFor(op1, 'the consultation', (s) =>
      selectMyCalls(s).some((c) => c.id === callId && c.state === 'consulting'),
    )
    expect(op1.getState().notices.list.map((n) => n.key)).not.toContain('notice.callerLeftConsult')
    core.core.runtime.dispatch({ type: 'leg.hung-up', companyId: a.id, legId: `net-${legs}` })
    const s = await waitFor(op1, 'the notice', (s) =>
      s.notices.list.some((n) => n.key === 'notice.callerLeftConsult'),
    )
    const mine = selectMyCalls(s)
    expect(mine).toHaveLength(1)
    expect(mine[0]).toMatchObject({ direction: 'internal', originatorId: a.ids.op1 })
    expect(counterpartOf(mine[0]!, a.ids.op1).userId).toBe(a.ids.op2)
    expect(s.ui.focus?.target).toBe('call-panel')
  })

  it('that the core does not know, answered, becomes a notice with the core’s reason', async () => {
    const store = await signIn(a.usernames.op1)
    const command: Command = { kind: 'answer', callId: 'no-such-call' }
    store.dispatch(commandIssued(command))
    expect(store.getState().switchboard.pending).toEqual({ 'answer:no-such-call': 'answer' })
    const s = await waitFor(store, 'the notice', (s) => s.notices.list.length > 0)
    expect(s.switchboard).toMatchObject({
      pending: {},
      lastError: { code: 'UNKNOWN_CALL', command: 'answer' },
    })
    expect(s.notices.list).toMatchObject([
      { kind: 'error', key: 'error.UNKNOWN_CALL', code: 'UNKNOWN_CALL' },
    ])
  })

  it('answered and hung up, is in my call log when I open it', async () => {
    const store = await signIn(a.usernames.op1)
    const callId = await callerDials(store, a.numbers.queueA)
    await answered(store, callId)
    store.dispatch(commandIssued({ kind: 'hangup', callId }))
    await waitFor(store, 'the call ended', (s) => selectMyCalls(s).length === 0)
    await core.core.app.recorder.flushed()
    store.dispatch(viewChosen('log'))
    expect(store.getState().logs.mine.status).toBe('loading')
    const s = await waitFor(store, 'my log', (s) => s.logs.mine.status === 'idle')
    expect(s.logs.mine.entries).toMatchObject([
      { callId, direction: 'incoming', answered: true, counterpart: { number: '+4791234567' } },
    ])
  })
})

describe('a gap in the live stream', () => {
  it('is healed with a fresh snapshot from the core, after which deltas apply again', async () => {
    const store = await signIn(a.usernames.op1)
    const seq = store.getState().live.data!.seqs.company!
    const skipped: StateDelta = { stream: 'company', seq: seq + 5, at: Date.now(), deltas: [] }
    store.dispatch(deltaReceived({ delta: skipped, receivedAt: Date.now() }))
    expect(store.getState().live.resyncNeeded).toBe(true)
    const s = await waitFor(store, 'the resync', (s) => !s.live.resyncNeeded)
    expect(s.live.gaps).toBe(1)
    expect(s.live.data!.seqs.company).toBe(seq)
    const callId = await callerDials(store, a.numbers.queueA)
    expect(store.getState().live.data!.calls[callId]).toBeDefined()
  })
})
