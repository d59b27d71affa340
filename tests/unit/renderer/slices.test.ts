/**
 * The interface's slices through a real store (setupStore): what each past-tense action does
 * to the state. The core is either absent (an unconnected real client) or a stand-in that never
 * answers, so only the reducers and the listeners' first steps run.
 */
import { afterEach, describe, expect, it, vi } from 'vitest'
import type { StateDelta } from '../../../src/shared/protocol'
import {
  connectionGaveUp,
  offlineAfterMs,
} from '../../../src/renderer/src/features/connection/connectionSlice'
import { noticeShown } from '../../../src/renderer/src/features/notices/noticesSlice'
import {
  loginFailed,
  loginSubmitted,
  loginSucceeded,
  logoutRequested,
  sessionRestoring,
} from '../../../src/renderer/src/features/session/sessionSlice'
import {
  commandFailed,
  commandIssued,
  commandSucceeded,
  cursorMoved,
  queueFilterChosen,
} from '../../../src/renderer/src/features/switchboard/switchboardSlice'
import {
  highlightMoved,
  highlightSet,
  searchTyped,
} from '../../../src/renderer/src/features/transfer/transferSlice'
import { focusRequested, viewChosen } from '../../../src/renderer/src/features/ui/uiSlice'
import { myLogReceived } from '../../../src/renderer/src/features/logs/logsSlice'
import {
  connectionAttempted,
  connectionEstablished,
  connectionFailed,
  connectionLost,
  deltaReceived,
  sessionEnded,
  snapshotReceived,
} from '../../../src/renderer/src/services/core-events'
import { memoryStorage } from '../../../src/renderer/src/services/storage'
import {
  call,
  freshStore,
  ids,
  me,
  recordingCore,
  settle,
  signedIn,
  snapshot,
  t0,
} from './fixtures'

const upsert = (stream: string, seq: number, id: string): StateDelta => ({
  stream,
  seq,
  at: t0 + seq,
  deltas: [{ entity: 'call', op: 'upsert', companyId: 'nordlys', call: call(id) }],
})

const callIds = (store: ReturnType<typeof freshStore>) =>
  Object.keys(store.getState().live.data?.calls ?? {}).sort()

describe('the live copy', () => {
  it('is built from a snapshot, with the core’s clock offset, and follows the next delta on a stream', () => {
    const store = freshStore({ core: () => recordingCore({ answers: 'never' }) })
    const snap = snapshot({ calls: [call('c1')], streams: { company: 1, 'queue:sentralbord': 7 } })
    store.dispatch(snapshotReceived({ snapshot: snap, receivedAt: snap.at + 250 }))
    expect(callIds(store)).toEqual(['c1'])
    expect(store.getState().live.offsetMs).toBe(-250)

    store.dispatch(deltaReceived({ delta: upsert('queue:sentralbord', 8, 'c2'), receivedAt: t0 }))
    expect(callIds(store)).toEqual(['c1', 'c2'])
    expect(store.getState().live.data?.seqs).toEqual({ company: 1, 'queue:sentralbord': 8 })
    expect(store.getState().live.resyncNeeded).toBe(false)
  })

  it('ignores a delta it has already applied', () => {
    const store = freshStore({ core: () => recordingCore({ answers: 'never' }) })
    store.dispatch(
      snapshotReceived({ snapshot: snapshot({ calls: [call('c1')] }), receivedAt: t0 }),
    )
    store.dispatch(deltaReceived({ delta: upsert('company', 2, 'c2'), receivedAt: t0 }))
    store.dispatch(deltaReceived({ delta: upsert('company', 2, 'c3'), receivedAt: t0 }))
    store.dispatch(deltaReceived({ delta: upsert('company', 1, 'c4'), receivedAt: t0 }))
    expect(callIds(store)).toEqual(['c1', 'c2'])
    expect(store.getState().live.resyncNeeded).toBe(false)
    expect(store.getState().live.gaps).toBe(0)
  })

  it('stops at a gap, ignores every delta until a fresh snapshot, then follows again', () => {
    const store = freshStore({ core: () => recordingCore({ answers: 'never' }) })
    store.dispatch(
      snapshotReceived({ snapshot: snapshot({ calls: [call('c1')] }), receivedAt: t0 }),
    )
    store.dispatch(deltaReceived({ delta: upsert('company', 3, 'c3'), receivedAt: t0 }))
    expect(store.getState().live).toMatchObject({ resyncNeeded: true, gaps: 1 })
    // Even the delta that would have been next is not applied on a copy known to be incomplete.
    store.dispatch(deltaReceived({ delta: upsert('company', 2, 'c2'), receivedAt: t0 }))
    expect(callIds(store)).toEqual(['c1'])

    const fresh = snapshot({ calls: [call('c1'), call('c2'), call('c3')], streams: { company: 3 } })
    store.dispatch(snapshotReceived({ snapshot: fresh, receivedAt: t0 }))
    expect(store.getState().live.resyncNeeded).toBe(false)
    store.dispatch(deltaReceived({ delta: upsert('company', 4, 'c4'), receivedAt: t0 }))
    expect(callIds(store)).toEqual(['c1', 'c2', 'c3', 'c4'])
  })

  it('asks the core for one resync however many deltas follow the gap', () => {
    const core = recordingCore({ answers: 'never' })
    const store = freshStore({ core: () => core })
    store.dispatch(snapshotReceived({ snapshot: snapshot(), receivedAt: t0 }))
    expect(core.resyncs).toBe(0)
    for (const seq of [5, 6, 7])
      store.dispatch(deltaReceived({ delta: upsert('company', seq, `c${seq}`), receivedAt: t0 }))
    expect(core.resyncs).toBe(1)
  })

  it('stays marked when the resync fails (no connection), so the next delta tries again', async () => {
    const store = freshStore()
    store.dispatch(snapshotReceived({ snapshot: snapshot(), receivedAt: t0 }))
    store.dispatch(deltaReceived({ delta: upsert('company', 9, 'c9'), receivedAt: t0 }))
    await settle()
    expect(store.getState().live.resyncNeeded).toBe(true)
    expect(callIds(store)).toEqual([])
  })

  it('ignores deltas before the first snapshot', () => {
    const store = freshStore({ core: () => recordingCore({ answers: 'never' }) })
    store.dispatch(deltaReceived({ delta: upsert('company', 1, 'c1'), receivedAt: t0 }))
    expect(store.getState().live.data).toBeNull()
  })
})

describe('the connection', () => {
  it('goes connecting → connected → reconnecting → offline, remembering the last update', () => {
    const store = freshStore({ core: () => recordingCore({ answers: 'never' }) })
    store.dispatch(connectionAttempted({ at: t0 }))
    expect(store.getState().connection).toMatchObject({ status: 'connecting', since: t0 })
    store.dispatch(connectionEstablished({ at: t0 + 10, recovered: false }))
    expect(store.getState().connection).toMatchObject({ status: 'connected', since: t0 + 10 })
    store.dispatch(snapshotReceived({ snapshot: snapshot(), receivedAt: t0 + 20 }))
    store.dispatch(deltaReceived({ delta: upsert('company', 2, 'c2'), receivedAt: t0 + 30 }))
    expect(store.getState().connection.lastUpdateAt).toBe(t0 + 30)

    store.dispatch(connectionLost({ at: t0 + 40, reason: 'transport close' }))
    expect(store.getState().connection).toMatchObject({ status: 'reconnecting', since: t0 + 40 })
    store.dispatch(connectionAttempted({ at: t0 + 50, attempt: 1 }))
    expect(store.getState().connection).toMatchObject({ status: 'reconnecting', attempts: 1 })
    store.dispatch(connectionGaveUp({ at: t0 + 60 }))
    expect(store.getState().connection).toMatchObject({
      status: 'offline',
      since: t0 + 60,
      lastUpdateAt: t0 + 30,
    })
  })

  it('keeps counting attempts while offline, and is connected again when one succeeds', () => {
    const store = freshStore({ core: () => recordingCore({ answers: 'never' }) })
    store.dispatch(connectionAttempted({ at: t0 }))
    store.dispatch(connectionFailed({ at: t0 + 1, message: 'xhr poll error' }))
    expect(store.getState().connection).toMatchObject({
      status: 'reconnecting',
      lastError: 'xhr poll error',
    })
    store.dispatch(connectionGaveUp({ at: t0 + 2 }))
    store.dispatch(connectionAttempted({ at: t0 + 3, attempt: 4 }))
    expect(store.getState().connection).toMatchObject({ status: 'offline', attempts: 4 })
    store.dispatch(connectionEstablished({ at: t0 + 4, recovered: true }))
    expect(store.getState().connection).toMatchObject({
      status: 'connected',
      attempts: 0,
      lastError: null,
    })
  })

  it('is not declared offline while connected or before any attempt', () => {
    const store = freshStore({ core: () => recordingCore({ answers: 'never' }) })
    store.dispatch(connectionGaveUp({ at: t0 }))
    expect(store.getState().connection.status).toBe('idle')
    store.dispatch(connectionAttempted({ at: t0 }))
    store.dispatch(connectionEstablished({ at: t0, recovered: false }))
    store.dispatch(connectionGaveUp({ at: t0 + 1 }))
    expect(store.getState().connection.status).toBe('connected')
  })

  describe('a lost connection', () => {
    afterEach(() => {
      vi.useRealTimers()
    })

    it(`turns offline when it has not come back within ${offlineAfterMs / 1000} s`, async () => {
      vi.useFakeTimers()
      const store = freshStore({ core: () => recordingCore({ answers: 'never' }), now: () => t0 })
      store.dispatch(connectionAttempted({ at: t0 }))
      store.dispatch(connectionEstablished({ at: t0, recovered: false }))
      store.dispatch(connectionLost({ at: t0, reason: 'transport close' }))
      await vi.advanceTimersByTimeAsync(offlineAfterMs - 1)
      expect(store.getState().connection.status).toBe('reconnecting')
      await vi.advanceTimersByTimeAsync(1)
      expect(store.getState().connection).toMatchObject({ status: 'offline', since: t0 })
    })

    it('stays connected when it comes back in time', async () => {
      vi.useFakeTimers()
      const store = freshStore({ core: () => recordingCore({ answers: 'never' }) })
      store.dispatch(connectionAttempted({ at: t0 }))
      store.dispatch(connectionEstablished({ at: t0, recovered: false }))
      store.dispatch(connectionLost({ at: t0, reason: 'transport close' }))
      await vi.advanceTimersByTimeAsync(offlineAfterMs / 2)
      store.dispatch(connectionEstablished({ at: t0, recovered: true }))
      await vi.advanceTimersByTimeAsync(offlineAfterMs)
      expect(store.getState().connection.status).toBe('connected')
    })
  })
})

describe('the switchboard’s commands', () => {
  const answer = { kind: 'answer', callId: 'c1' } as const

  it('are pending until they fail, and the failure names the command', () => {
    const store = freshStore({ core: () => recordingCore({ answers: 'never' }) })
    store.dispatch(commandIssued(answer))
    store.dispatch(commandIssued({ kind: 'pause', queueId: null, reason: 'Lunsj' }))
    expect(store.getState().switchboard.pending).toEqual({
      'answer:c1': 'answer',
      'pause:all': 'pause',
    })

    const error = { code: 'UNKNOWN_CALL', message: 'no such call' } as const
    store.dispatch(commandFailed({ command: answer, error }))
    expect(store.getState().switchboard.pending).toEqual({ 'pause:all': 'pause' })
    expect(store.getState().switchboard.lastError).toEqual({ ...error, command: 'answer' })

    store.dispatch(commandIssued({ kind: 'hold', callId: 'c2' }))
    expect(store.getState().switchboard.lastError).toBeNull()
  })

  it('put the answered or picked call in focus when they succeed', () => {
    const store = freshStore({ core: () => recordingCore({ answers: 'never' }) })
    store.dispatch(commandIssued({ kind: 'pick', callId: 'c7' }))
    store.dispatch(commandSucceeded({ command: { kind: 'pick', callId: 'c7' } }))
    expect(store.getState().switchboard).toMatchObject({ focusedCallId: 'c7', pending: {} })
    store.dispatch(commandSucceeded({ command: { kind: 'hold', callId: 'c8' } }))
    expect(store.getState().switchboard.focusedCallId).toBe('c7')
  })

  it('forget the cursor when another queue is chosen', () => {
    const store = freshStore({ core: () => recordingCore({ answers: 'never' }) })
    store.dispatch(cursorMoved('c3'))
    store.dispatch(queueFilterChosen(ids.support))
    expect(store.getState().switchboard).toMatchObject({
      queueFilter: ids.support,
      cursorCallId: null,
    })
  })
})

describe('the transfer search', () => {
  it('wraps the highlight around the results in both directions', () => {
    const store = freshStore({ core: () => recordingCore({ answers: 'never' }) })
    store.dispatch(searchTyped('kari'))
    store.dispatch(highlightMoved({ by: -1, count: 3 }))
    expect(store.getState().transfer.highlighted).toBe(2)
    store.dispatch(highlightMoved({ by: 1, count: 3 }))
    expect(store.getState().transfer.highlighted).toBe(0)
    store.dispatch(highlightMoved({ by: 1, count: 0 }))
    expect(store.getState().transfer.highlighted).toBe(0)
  })

  it('starts at the first result when the text changes', () => {
    const store = freshStore({ core: () => recordingCore({ answers: 'never' }) })
    store.dispatch(searchTyped('ka'))
    store.dispatch(highlightSet(2))
    store.dispatch(searchTyped('kar'))
    expect(store.getState().transfer).toEqual({ query: 'kar', highlighted: 0 })
  })

  it('is emptied by a transfer that went through, and by nothing else', () => {
    const store = freshStore({ core: () => recordingCore({ answers: 'never' }) })
    store.dispatch(searchTyped('bjørn'))
    store.dispatch(commandSucceeded({ command: { kind: 'hold', callId: 'c1' } }))
    expect(store.getState().transfer.query).toBe('bjørn')
    const transfer = {
      kind: 'transfer',
      callId: 'c1',
      target: { kind: 'user', userId: ids.bjorn },
      mode: 'blind',
    } as const
    store.dispatch(commandSucceeded({ command: transfer }))
    expect(store.getState().transfer).toEqual({ query: '', highlighted: 0 })
  })
})

describe('the session', () => {
  it('is signing in after a submission, which clears the last error and why the last one ended', () => {
    const store = freshStore({
      core: () => recordingCore({ answers: 'never' }),
      preloadedState: {
        session: {
          ...signedIn().session!,
          status: 'signed-out',
          me: null,
          token: null,
          error: { code: 'INVALID_CREDENTIALS', message: 'wrong' },
          endedBecause: 'expired',
        },
      },
    })
    store.dispatch(
      loginSubmitted({
        username: 'kari.nordmann',
        password: 'x',
        serverUrl: 'https://sentral.example',
        remember: false,
      }),
    )
    expect(store.getState().session).toMatchObject({
      status: 'signing-in',
      serverUrl: 'https://sentral.example',
      error: null,
      endedBecause: null,
    })
  })

  it('is signed in with the token and the user after a login succeeds, signed out with the error after one fails', () => {
    const store = freshStore({ core: () => recordingCore({ answers: 'never' }) })
    const kari = me()
    store.dispatch(loginSucceeded({ token: 'tok', expiresAt: t0 + 1000, me: kari }))
    expect(store.getState().session).toMatchObject({
      status: 'signed-in',
      token: 'tok',
      expiresAt: t0 + 1000,
      me: kari,
    })
    const other = freshStore({ core: () => recordingCore({ answers: 'never' }) })
    other.dispatch(loginFailed({ code: 'RATE_LIMITED', message: 'slow down' }))
    expect(other.getState().session).toMatchObject({
      status: 'signed-out',
      error: { code: 'RATE_LIMITED' },
    })
  })

  it('a kept session is restored by the first snapshot, which also brings the user', () => {
    const store = freshStore({ core: () => recordingCore({ answers: 'never' }) })
    store.dispatch(sessionRestoring({ token: 'kept', serverUrl: '' }))
    expect(store.getState().session.status).toBe('restoring')
    const snap = snapshot({ me: me({ functions: ['switchboard'] }) })
    store.dispatch(snapshotReceived({ snapshot: snap, receivedAt: t0 }))
    expect(store.getState().session).toMatchObject({ status: 'signed-in', me: snap.me })
  })

  it('ended by the core says why, keeps the server address and drops the live copy and connection', () => {
    const store = freshStore({
      core: () => recordingCore({ answers: 'never' }),
      preloadedState: {
        ...signedIn(snapshot({ calls: [call('c1')] })),
        session: { ...signedIn().session!, serverUrl: 'https://sentral.example' },
      },
    })
    store.dispatch(connectionAttempted({ at: t0 }))
    store.dispatch(connectionEstablished({ at: t0, recovered: false }))
    store.dispatch(sessionEnded({ reason: 'password-changed' }))
    expect(store.getState().session).toMatchObject({
      status: 'signed-out',
      me: null,
      token: null,
      serverUrl: 'https://sentral.example',
      endedBecause: 'password-changed',
    })
    expect(store.getState().live.data).toBeNull()
    expect(store.getState().connection.status).toBe('idle')
  })

  it('logging out forgets the user’s calls, searches, logs, views and the kept token', () => {
    const sessionStorage = memoryStorage({
      'sentral.session': JSON.stringify({ token: 'token-of-this-test', serverUrl: '' }),
    })
    const store = freshStore({
      core: () => recordingCore({ answers: 'never' }),
      sessionStorage,
      preloadedState: signedIn(snapshot({ calls: [call('c1')] })),
    })
    store.dispatch(commandIssued({ kind: 'hold', callId: 'c1' }))
    store.dispatch(searchTyped('mona'))
    store.dispatch(viewChosen('board'))
    store.dispatch(focusRequested('transfer-search'))
    store.dispatch(myLogReceived({ entries: [], older: false }))
    store.dispatch(logoutRequested())
    const s = store.getState()
    expect(s.session).toMatchObject({ status: 'signed-out', me: null, token: null })
    expect(s.live.data).toBeNull()
    expect(s.switchboard.pending).toEqual({})
    expect(s.transfer.query).toBe('')
    expect(s.ui).toMatchObject({ view: 'switchboard', focus: null })
    expect(sessionStorage.get('sentral.session')).toBeNull()
  })
})

describe('notices', () => {
  it('keep the four newest', () => {
    const store = freshStore({ core: () => recordingCore({ answers: 'never' }) })
    for (let i = 1; i <= 6; i++)
      store.dispatch(noticeShown({ kind: 'info', key: 'notice.transferred', values: {}, at: i }))
    expect(store.getState().notices.list.map((n) => n.at)).toEqual([3, 4, 5, 6])
  })
})
