import { describe, expect, it } from 'vitest'
import type { RoutingStrategy, TrailEntry } from '../../../src/shared/model'
import { company, queue, user } from '../../helpers/company'
import { Harness } from '../../helpers/harness'

const Q = '+4722000000'
const everyone = ['anna', 'bjorn', 'cecilie']

function setup(
  strategy: RoutingStrategy,
  extra: Parameters<typeof queue>[2] = {},
  members: Parameters<typeof queue>[1] = everyone,
) {
  return new Harness(
    company({
      users: everyone.map((id) => user(id)),
      queues: [queue('q', members, { strategy, numbers: [Q], ...extra })],
    }),
  )
}

function ringing(h: Harness): string[] {
  return everyone.filter((u) => h.ringingFor(u).length > 0)
}

/** Answer whatever rings for `userId`, talk for `talkMs`, and let the caller hang up. */
function serve(h: Harness, userId: string, talkMs: number) {
  const callId = h.answer(userId)
  h.advance(talkMs)
  h.hangUpCaller(callId)
}

function lastOffer(h: Harness, callId: string): Extract<TrailEntry, { kind: 'offer' }> {
  const offers = h
    .trail(callId)!
    .filter((e): e is Extract<TrailEntry, { kind: 'offer' }> => e.kind === 'offer')
  return offers[offers.length - 1]!
}

describe('routing strategies', () => {
  it('ring-all rings every free member of the queue at once', () => {
    const h = setup('ring-all')
    h.arrive('+4791000001', Q)
    expect(ringing(h)).toEqual(everyone)
  })

  it('ring-all withdraws every other offer in the same step as the first answer', () => {
    const h = setup('ring-all')
    const callId = h.arrive('+4791000001', Q)
    const out = h.send({
      type: 'leg.answered',
      companyId: 'acme',
      legId: h.ringingFor('bjorn')[0]!.legId,
    })
    expect(ringing(h)).toEqual([])
    expect(h.call(callId)!.agentId).toBe('bjorn')
    const withdrawn = out.commands.filter(
      (c) => c.type === 'end' && c.reason === 'answered-elsewhere',
    )
    expect(withdrawn).toHaveLength(2)
  })

  it('a late answer from a withdrawn offer is refused and connects nobody', () => {
    const h = setup('ring-all')
    const callId = h.arrive('+4791000001', Q)
    const annaLeg = h.ringingFor('anna')[0]!.legId
    h.answer('bjorn')
    const error = h.attempt({ type: 'leg.answered', companyId: 'acme', legId: annaLeg })
    expect(error?.code).toBe('UNKNOWN_LEG')
    expect(h.call(callId)!.agentId).toBe('bjorn')
    expect(h.agent('anna').presence).toBe('available')
  })

  it('linear offers the first free member in list order and skips busy ones', () => {
    const h = setup('linear')
    h.arrive('+4791000001', Q)
    expect(ringing(h)).toEqual(['anna'])
    h.answer('anna')
    h.arrive('+4791000002', Q)
    expect(ringing(h)).toEqual(['bjorn'])
  })

  it('round-robin remembers who was offered last and continues after them', () => {
    const h = setup('round-robin')
    const offered: string[] = []
    for (let i = 0; i < 4; i++) {
      h.arrive(`+479100000${i}`, Q)
      const [who] = ringing(h)
      offered.push(who!)
      serve(h, who!, 1000)
    }
    expect(offered).toEqual(['anna', 'bjorn', 'cecilie', 'anna'])
  })

  it('longest-idle offers the member whose last call ended longest ago', () => {
    const h = setup('longest-idle')
    const c1 = h.arrive('+4791000001', Q)
    h.answer('anna')
    const c2 = h.arrive('+4791000002', Q)
    h.answer('bjorn')
    h.advance(5000)
    h.hangUpCaller(c2) // bjorn idle from +5 s
    const c3 = h.arrive('+4791000003', Q)
    expect(ringing(h)).toEqual(['cecilie']) // never had a call: idle longest
    h.answer('cecilie')
    h.advance(1000)
    h.hangUpCaller(c3) // cecilie idle from +6 s
    h.advance(4000)
    h.hangUpCaller(c1) // anna idle from +10 s
    const c4 = h.arrive('+4791000004', Q)
    expect(ringing(h)).toEqual(['bjorn'])
    const offer = lastOffer(h, c4)
    expect(offer.rankedBy).toBe('idle-ms')
    expect(offer.ranked.map((r) => r.userId)).toEqual(['bjorn', 'cecilie', 'anna'])
    expect(offer.ranked.map((r) => r.value)).toEqual([5000, 4000, 0])
  })

  // Large queues are ranked by a different sort than small ones (routing.ts, sortedTier): both
  // must put the highest figure first and keep list order among equals.
  it.each([40, 100])('ranks a tier of %i members by idle time, equals in list order', (size) => {
    const ids = Array.from({ length: size }, (_, i) => `m${String(i).padStart(3, '0')}`)
    const h = new Harness(
      company({
        users: ids.map((id) => user(id)),
        queues: [queue('q', ids, { strategy: 'longest-idle', numbers: [Q] })],
      }),
    )
    // Every third member takes a call, with talk times that leave them idle for different
    // lengths of time; the others never had one and tie (idle since the start of time).
    for (let k = 0; k < size / 3; k++) {
      const c = h.arrive(`+47910${String(k).padStart(5, '0')}`, Q)
      const offered = ids.find((id) => h.ringingFor(id).length > 0)!
      h.answer(offered)
      h.advance(1000 + ((k * 7919) % 13) * 100)
      h.hangUpCaller(c)
    }
    const c = h.arrive('+4791099999', Q)
    const offer = lastOffer(h, c)
    expect(offer.ranked).toHaveLength(size)
    const position = (id: string) => ids.indexOf(id)
    for (let i = 1; i < offer.ranked.length; i++) {
      const [before, after] = [offer.ranked[i - 1]!, offer.ranked[i]!]
      expect(before.value).toBeGreaterThanOrEqual(after.value)
      if (before.value === after.value)
        expect(position(before.userId)).toBeLessThan(position(after.userId))
    }
    // The ranking is not trivially the list order: those who took calls come last.
    expect(new Set(offer.ranked.map((r) => r.value)).size).toBeGreaterThan(size / 4)
    expect(h.ringingFor(offer.ranked[0]!.userId)).toHaveLength(1)
  })

  it('fewest-calls offers the member who has answered fewest calls', () => {
    const h = setup('fewest-calls')
    h.send({ type: 'queue.logout', companyId: 'acme', userId: 'bjorn', queueId: 'q' })
    for (const [i, who] of ['anna', 'cecilie', 'anna'].entries()) {
      h.arrive(`+479100000${i}`, Q)
      expect(ringing(h)).toEqual([who])
      serve(h, who, 1000)
    }
    h.send({ type: 'queue.login', companyId: 'acme', userId: 'bjorn', queueId: 'q' })
    const c = h.arrive('+4791000009', Q)
    expect(ringing(h)).toEqual(['bjorn'])
    expect(lastOffer(h, c).ranked).toEqual([
      { userId: 'bjorn', value: 0 },
      { userId: 'cecilie', value: 1 },
      { userId: 'anna', value: 2 },
    ])
  })

  it('least-talk-time offers the member with the least talk time', () => {
    const h = setup('least-talk-time')
    for (const [who, talk] of [
      ['anna', 30_000],
      ['bjorn', 5_000],
      ['cecilie', 60_000],
    ] as const) {
      h.arrive('+4791000001', Q)
      expect(ringing(h)).toEqual([who])
      serve(h, who, talk)
    }
    h.arrive('+4791000002', Q)
    expect(ringing(h)).toEqual(['bjorn'])
  })

  it('talk time excludes time on hold', () => {
    const h = setup('least-talk-time')
    const c = h.arrive('+4791000001', Q)
    h.answer('anna')
    h.advance(10_000)
    h.send({ type: 'call.hold', companyId: 'acme', userId: 'anna', callId: c })
    h.advance(60_000)
    h.send({ type: 'call.resume', companyId: 'acme', userId: 'anna', callId: c })
    h.advance(5_000)
    h.hangUpCaller(c)
    expect(h.state.companies.get('acme')!.agents.get('anna')!.talkMs).toBe(15_000)
  })

  it('random picks deterministically from the seed and spreads calls over members', () => {
    const run = (seed: number) => {
      const h = new Harness(
        company({
          users: everyone.map((id) => user(id)),
          queues: [queue('q', everyone, { strategy: 'random', numbers: [Q] })],
        }),
        { seed },
      )
      const picks: string[] = []
      for (let i = 0; i < 30; i++) {
        h.arrive('+4791000001', Q)
        const [who] = ringing(h)
        picks.push(who!)
        serve(h, who!, 100)
      }
      return picks
    }
    const a = run(1)
    expect(run(1)).toEqual(a)
    expect(run(2)).not.toEqual(a)
    for (const who of everyone) expect(a.filter((p) => p === who).length).toBeGreaterThan(3)
  })

  it('ring-progressively adds one more member every step until all ring', () => {
    const h = setup('ring-progressively', { progressiveStepSeconds: 5, ringTimeoutSeconds: 60 })
    h.arrive('+4791000001', Q)
    expect(ringing(h)).toEqual(['anna'])
    h.advance(5000)
    expect(ringing(h)).toEqual(['anna', 'bjorn'])
    h.advance(5000)
    expect(ringing(h)).toEqual(everyone)
    h.answer('cecilie')
    expect(ringing(h)).toEqual([])
  })
})

describe('penalty tiers', () => {
  const tiers = [
    { userId: 'anna', penalty: 0, loggedIn: true },
    { userId: 'bjorn', penalty: 0, loggedIn: true },
    { userId: 'cecilie', penalty: 5, loggedIn: true },
  ]

  it('offers a higher tier only when nobody in a better tier is free', () => {
    const h = setup('ring-all', {}, tiers)
    const c1 = h.arrive('+4791000001', Q)
    expect(ringing(h)).toEqual(['anna', 'bjorn'])
    expect(lastOffer(h, c1).skipped).toEqual([{ userId: 'cecilie', reason: 'penalty-tier' }])
    h.answer('anna')
    h.arrive('+4791000002', Q)
    expect(ringing(h)).toEqual(['bjorn'])
    h.answer('bjorn')
    h.arrive('+4791000003', Q)
    expect(ringing(h)).toEqual(['cecilie'])
  })
})

describe('the day the figures are of', () => {
  /** Anna, Bjørn and Cecilie in a fewest-calls queue, from `now`. */
  function dayOf(now: number) {
    return new Harness(
      company({
        users: everyone.map((id) => user(id)),
        queues: [queue('q', everyone, { strategy: 'fewest-calls', numbers: [Q] })],
      }),
      { now },
    )
  }

  /** A caller arrives, and hangs up unanswered: what the offer was ranked by. */
  function rankedNow(h: Harness): { userId: string; value: number }[] {
    const c = h.arrive('+4791000099', Q)
    const ranked = lastOffer(h, c).ranked
    h.hangUpCaller(c)
    return ranked
  }

  it('fewest-calls counts the calls answered since local midnight', () => {
    // 22:00 in Oslo (UTC+1): Anna and Bjørn answer two calls each, Cecilie one.
    const h = dayOf(Date.UTC(2026, 10, 30, 21, 0, 0))
    for (const who of ['anna', 'bjorn', 'cecilie', 'anna', 'bjorn']) {
      h.arrive('+4791000001', Q)
      serve(h, who, 1000)
    }
    h.now = Date.UTC(2026, 10, 30, 22, 59, 0) // 23:59
    h.send({ type: 'tick' })
    expect(rankedNow(h).map((r) => r.value)).toEqual([1, 2, 2])
    h.now = Date.UTC(2026, 10, 30, 23, 0, 30) // 00:00:30 on 1 December
    h.send({ type: 'tick' })
    expect(rankedNow(h)).toEqual([
      { userId: 'anna', value: 0 },
      { userId: 'bjorn', value: 0 },
      { userId: 'cecilie', value: 0 },
    ])
  })

  it('least-talk-time starts again at midnight too, and midnight follows daylight saving', () => {
    // 29 March 2026: Oslo moves from UTC+1 to UTC+2 at 01:00 UTC; that day's midnight is 22:00 UTC.
    const h = new Harness(
      company({
        users: everyone.map((id) => user(id)),
        queues: [queue('q', everyone, { strategy: 'least-talk-time', numbers: [Q] })],
      }),
      { now: Date.UTC(2026, 2, 29, 0, 30, 0) }, // 01:30 local, before the change
    )
    h.now = Date.UTC(2026, 2, 29, 11, 0, 0)
    h.send({ type: 'tick' })
    h.arrive('+4791000001', Q)
    serve(h, 'anna', 60_000)
    h.now = Date.UTC(2026, 2, 29, 21, 59, 0) // 23:59 summer time
    h.send({ type: 'tick' })
    expect(rankedNow(h).find((r) => r.userId === 'anna')?.value).toBe(60_000)
    h.now = Date.UTC(2026, 2, 29, 22, 0, 1) // 00:00:01 on 30 March
    h.send({ type: 'tick' })
    expect(rankedNow(h).map((r) => r.value)).toEqual([0, 0, 0])
  })
})
