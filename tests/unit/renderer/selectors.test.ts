/**
 * What the screens read from the live copy: the waiting callers in the order the engine serves
 * them, the calls ringing for and held by this user, each queue's available agents, and the
 * transfer search's targets.
 */
import { describe, expect, it } from 'vitest'
import {
  counterpartOf,
  selectAgentsByQueue,
  selectFocusedCall,
  selectMyCalls,
  selectOffered,
  selectWaiting,
  statusOf,
} from '../../../src/renderer/src/features/live/selectors'
import { selectTargets } from '../../../src/renderer/src/features/transfer/search'
import { searchTyped } from '../../../src/renderer/src/features/transfer/transferSlice'
import { callFocused } from '../../../src/renderer/src/features/switchboard/switchboardSlice'
import {
  agent,
  call,
  colleagues,
  connected,
  freshStore,
  ids,
  member,
  offered,
  recordingCore,
  signedIn,
  snapshot,
  t0,
} from './fixtures'

const stateWith = (parts: Parameters<typeof snapshot>[0]) =>
  freshStore({
    core: () => recordingCore({ answers: 'never' }),
    preloadedState: signedIn(snapshot(parts)),
  }).getState()

describe('the waiting callers', () => {
  it('are served VIP first, then by priority, then who has waited longest, then who came first', () => {
    const s = stateWith({
      calls: [
        call('long-wait', { waitingSince: t0 - 600_000, seq: 1 }),
        call('same-time-later', { waitingSince: t0 - 60_000, seq: 9 }),
        call('same-time-first', { waitingSince: t0 - 60_000, seq: 8 }),
        call('priority', { priority: 5, waitingSince: t0 - 10_000, seq: 10 }),
        call('vip', { vip: true, waitingSince: t0 - 1_000, seq: 11 }),
      ],
    })
    expect(selectWaiting(s).map((c) => c.id)).toEqual([
      'vip',
      'priority',
      'long-wait',
      'same-time-first',
      'same-time-later',
    ])
  })

  it('are only callers in a queue, not calls being talked on, parked or ringing someone directly', () => {
    const s = stateWith({
      calls: [
        call('queued'),
        connected('talking', ids.kari),
        call('parked', { state: 'parked', parkedSlot: 1 }),
        call('direct', { state: 'ringing', queueId: null }),
      ],
    })
    expect(selectWaiting(s).map((c) => c.id)).toEqual(['queued'])
  })
})

describe('the calls ringing for me', () => {
  it('are the calls with an offer leg ringing on my phone, in queue order', () => {
    const s = stateWith({
      calls: [
        offered('mine', ids.kari, { waitingSince: t0 - 5_000 }),
        offered('mine-vip', ids.kari, { vip: true, waitingSince: t0 - 1_000 }),
        offered('someone-else', ids.bjorn),
        call('waiting-only'),
      ],
    })
    expect(selectOffered(s).map((c) => c.id)).toEqual(['mine-vip', 'mine'])
  })

  it('leave out an offer whose leg to me has stopped ringing', () => {
    const ringing = offered('c1', ids.kari)
    const stopped = {
      ...ringing,
      legs: ringing.legs.map((l) => (l.role === 'offer' ? { ...l, state: 'ended' as const } : l)),
    }
    expect(selectOffered(stateWith({ calls: [stopped] }))).toEqual([])
  })
})

describe('my calls', () => {
  it('are the calls I talk on, hold or placed, newest first; not ones ringing for me or waiting', () => {
    const s = stateWith({
      calls: [
        connected('older', ids.kari, { answeredAt: t0 - 90_000 }),
        connected('newer', ids.kari, { answeredAt: t0 - 10_000, state: 'held' }),
        connected('bjorns', ids.bjorn),
        offered('ringing', ids.kari),
        call('outgoing', {
          direction: 'outbound',
          state: 'dialing',
          originatorId: ids.kari,
          queueId: null,
          startedAt: t0 - 5_000,
        }),
      ],
    })
    expect(selectMyCalls(s).map((c) => c.id)).toEqual(['outgoing', 'newer', 'older'])
  })

  it('bring the chosen call into focus, or else the newest', () => {
    const store = freshStore({
      core: () => recordingCore({ answers: 'never' }),
      preloadedState: signedIn(
        snapshot({
          calls: [
            connected('older', ids.kari, { answeredAt: t0 - 90_000, state: 'held' }),
            connected('newer', ids.kari, { answeredAt: t0 - 10_000 }),
          ],
        }),
      ),
    })
    expect(selectFocusedCall(store.getState())?.id).toBe('newer')
    store.dispatch(callFocused('older'))
    expect(selectFocusedCall(store.getState())?.id).toBe('older')
    store.dispatch(callFocused('gone'))
    expect(selectFocusedCall(store.getState())?.id).toBe('newer')
  })
})

describe('a queue’s agents', () => {
  it('count as available only when logged in, not paused, present, idle and not absent', () => {
    const q = ids.sentralbord
    const paused = { reason: 'Lunsj', since: t0 }
    const absence = {
      reason: 'lunch' as const,
      note: null,
      since: t0,
      until: null,
      forwardTo: null,
    }
    const s = stateWith({
      agents: [
        agent('free', { queues: [member(q)] }),
        agent('logged-out', { queues: [member(q, { loggedIn: false })] }),
        agent('paused', { queues: [member(q, { paused })] }),
        agent('busy', { presence: 'busy', activity: 'on-call', queues: [member(q)] }),
        agent('wrap-up', { activity: 'wrap-up', queues: [member(q)] }),
        agent('absent', { presence: 'absent', absence, queues: [member(q)] }),
        agent('other-queue', { queues: [member(ids.support)] }),
      ],
    })
    expect(selectAgentsByQueue(s).get(q)).toEqual({ available: 1, loggedIn: 5, paused: 1 })
    expect(selectAgentsByQueue(s).get(ids.support)).toEqual({
      available: 1,
      loggedIn: 1,
      paused: 0,
    })
  })

  it('a colleague’s status is absent before busy, busy while doing anything, else free', () => {
    const [kari, bjorn, mona, knut] = colleagues.agents
    expect(statusOf(kari)).toEqual({ kind: 'free' })
    expect(statusOf(bjorn)).toEqual({ kind: 'free' })
    expect(statusOf(mona)).toEqual({ kind: 'busy', activity: 'on-call' })
    expect(statusOf(knut)).toEqual({ kind: 'absent', absence: knut!.absence })
    expect(statusOf(agent('x', { activity: 'wrap-up' }))).toEqual({
      kind: 'busy',
      activity: 'wrap-up',
    })
    expect(statusOf(undefined)).toEqual({ kind: 'unknown' })
  })
})

describe('transfer targets', () => {
  const targetsFor = (query: string) => {
    const store = freshStore({
      core: () => recordingCore({ answers: 'never' }),
      preloadedState: signedIn(snapshot()),
    })
    store.dispatch(searchTyped(query))
    return selectTargets(store.getState())
  }

  it('are colleagues with their live status, found by name however it is spelt', () => {
    const targets = targetsFor('bjorn')
    expect(targets).toHaveLength(1)
    expect(targets[0]).toMatchObject({
      kind: 'user',
      user: { id: ids.bjorn },
      status: { kind: 'free' },
    })
    expect(targetsFor('pedersen')[0]).toMatchObject({
      kind: 'user',
      user: { id: ids.knut },
      status: { kind: 'absent', absence: { reason: 'meeting', forwardTo: '+4798765432' } },
    })
  })

  it('include every colleague of a department, and a queue with its agents', () => {
    expect(
      targetsFor('regnskap').map((t) => (t.kind === 'user' ? t.user.lastName : t.kind)),
    ).toEqual(['Dahl', 'Haugen'])
    expect(targetsFor('support')).toEqual([
      {
        kind: 'queue',
        queue: colleagues.queues[1],
        agents: { available: 1, loggedIn: 1, paused: 0 },
      },
    ])
  })

  it('end with the number itself when digits are typed, after the colleague it belongs to', () => {
    const targets = targetsFor('912 34 500')
    expect(targets.map((t) => t.kind)).toEqual(['user', 'external'])
    expect(targets[1]).toEqual({ kind: 'external', number: '+4791234500' })
    expect(targetsFor('+46 8 123 456 78').at(-1)).toEqual({
      kind: 'external',
      number: '+46812345678',
    })
  })

  it('are none for an empty search, and no outside number for letters', () => {
    expect(targetsFor('   ')).toEqual([])
    expect(targetsFor('xyq')).toEqual([])
  })
})

describe('the party at the other end', () => {
  const kari = { number: '201', name: 'Kari Nordmann', userId: ids.kari }
  const bjorn = { number: '202', name: 'Bjørn Dahl', userId: ids.bjorn }

  it('is the caller on a call that came in', () => {
    const c = connected('c1', ids.kari)
    expect(counterpartOf(c, ids.kari)).toBe(c.remote)
  })

  it('is the colleague called, ringing or answered, when I placed the call', () => {
    const ringing = call('c2', {
      direction: 'internal',
      state: 'ringing',
      remote: kari,
      remoteLegId: 'c2-kari',
      legs: [
        { id: 'c2-kari', state: 'connected', party: kari, role: 'caller' },
        { id: 'c2-bjorn', state: 'ringing', party: bjorn, role: 'offer' },
      ],
    })
    expect(counterpartOf(ringing, ids.kari)).toEqual(bjorn)
    // For the colleague, the other end is Kari, who called.
    expect(counterpartOf(ringing, ids.bjorn)).toEqual(kari)
    expect(counterpartOf(ringing, null)).toEqual(kari)
  })
})
