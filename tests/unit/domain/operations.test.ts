import { describe, expect, it } from 'vitest'
import { company, queue, user } from '../../helpers/company'
import type { Destination } from '../../../src/shared/model'
import { Harness } from '../../helpers/harness'

const Q = '+4722000000'
const R = '+4722000001'

function office() {
  return new Harness(
    company({
      users: [
        user('op', { direct: '+4722001000', presentableNumbers: [Q] }),
        user('op2'),
        user('kari', { direct: '+4722001001', mobile: '+4791111111' }),
        user('ola', { direct: '+4722001002' }),
      ],
      queues: [
        queue('front', ['op', 'op2'], { numbers: [Q], wrapUpSeconds: 10 }),
        queue('sales', ['ola'], { numbers: [R] }),
      ],
    }),
  )
}

/** A caller reaches the operator through the front queue; op2 is logged out so op gets it. */
function connected(h: Harness, from = '+4791000001') {
  h.send({ type: 'queue.logout', companyId: 'acme', userId: 'op2', queueId: 'front' })
  const c = h.arrive(from, Q)
  h.answer('op')
  return c
}

function by(callId: string): { companyId: string; userId: string; callId: string }
function by<T extends object>(
  callId: string,
  extra: T,
): { companyId: string; userId: string; callId: string } & T
function by(callId: string, extra: object = {}) {
  return { companyId: 'acme', userId: 'op', callId, ...extra }
}

describe('answer and pick', () => {
  it('an operator answers the offered call from the switchboard', () => {
    const h = office()
    const c = h.arrive('+4791000001', Q)
    const out = h.send({ type: 'offer.answer', ...by(c) })
    expect(h.call(c)).toMatchObject({ state: 'connected', agentId: 'op' })
    expect(out.commands.map((c) => c.type)).toEqual(expect.arrayContaining(['answer', 'bridge']))
    expect(h.ringingFor('op2')).toEqual([])
  })

  it('an operator picks a specific waiting caller, not the first in line', () => {
    const h = office()
    h.send({
      type: 'queue.pause',
      companyId: 'acme',
      userId: 'op',
      queueId: null,
      reason: 'picking',
    })
    h.send({
      type: 'queue.pause',
      companyId: 'acme',
      userId: 'op2',
      queueId: null,
      reason: 'picking',
    })
    h.arrive('+4791000001', Q)
    const second = h.arrive('+4791000002', Q)
    h.send({ type: 'call.pick', ...by(second) })
    expect(h.call(second)).toMatchObject({ state: 'connected', agentId: 'op' })
    expect(h.waiting('front')).toHaveLength(1)
    const ring = h.commands.find((c) => c.type === 'ring' && c.callId === second && c.autoAnswer)
    expect(ring).toBeDefined()
    expect(h.trail(second)).toContainEqual(expect.objectContaining({ kind: 'pick', userId: 'op' }))
  })

  it('a pick by a non-member is refused and changes nothing', () => {
    const h = office()
    const c = h.arrive('+4791000001', R)
    expect(h.attempt({ type: 'call.pick', ...by(c) })?.code).toBe('NOT_A_MEMBER')
    expect(h.call(c)!.state).toBe('queued')
  })
})

describe('hold and resume', () => {
  it('holds and resumes the caller, logging both for the queue', () => {
    const h = office()
    const c = connected(h)
    const hold = h.send({ type: 'call.hold', ...by(c) })
    expect(hold.commands.filter((x) => x.type === 'hold')).toHaveLength(2)
    expect(h.call(c)!.state).toBe('held')
    expect(h.agent('op').activity).toBe('on-hold')
    h.send({ type: 'call.resume', ...by(c) })
    expect(h.call(c)!.state).toBe('connected')
    expect(h.logKinds(c)).toEqual(['enter', 'offer', 'connect', 'hold', 'unhold'])
  })

  it('an operator with a caller on hold may take another call, but not resume while talking', () => {
    const h = office()
    const first = connected(h)
    h.send({ type: 'call.hold', ...by(first) })
    const second = h.arrive('+4791000002', '+4722001000')
    h.answer('op')
    expect(h.attempt({ type: 'call.resume', ...by(first) })?.code).toBe('AGENT_BUSY')
    h.hangUpCaller(second)
    h.send({ type: 'call.resume', ...by(first) })
    expect(h.call(first)!.state).toBe('connected')
  })
})

describe('blind transfer', () => {
  it('to a colleague: the operator is freed, the colleague rings and answers', () => {
    const h = office()
    const c = connected(h)
    h.send({ type: 'transfer.blind', ...by(c, { target: { kind: 'user', userId: 'kari' } }) })
    expect(h.agent('op').activity).toBe('wrap-up')
    expect(h.call(c)!.state).toBe('ringing')
    h.answer('kari')
    expect(h.call(c)).toMatchObject({ state: 'connected', agentId: 'kari' })
    expect(h.agent('kari').presence).toBe('busy')
    expect(h.logKinds(c)).toEqual(['enter', 'offer', 'connect', 'transfer'])
    h.hangUpCaller(c)
    const op = h.records(c).find((r) => r.kind === 'user' && r.userId === 'op')
    expect(op).toMatchObject({
      answered: true,
      queueName: 'Queue front',
      transferredTo: { kind: 'user', userId: 'kari' },
    })
    const kari = h.records(c).find((r) => r.kind === 'user' && r.userId === 'kari')
    expect(kari).toMatchObject({
      answered: true,
      counterpart: { number: '+4791000001' },
      queueId: null,
    })
    expect(h.records(c).find((r) => r.kind === 'queue')).toMatchObject({
      answeredBy: 'op',
      transferredTo: { kind: 'user', userId: 'kari' },
    })
  })

  it('keeps showing the original caller and the number they dialled through the transfer', () => {
    const h = office()
    const c = connected(h, '+4791234567')
    h.send({ type: 'transfer.blind', ...by(c, { target: { kind: 'user', userId: 'kari' } }) })
    const ring = h.ringingFor('kari')[0]!
    expect(ring.callerId.number).toBe('+4791234567')
    expect(ring.dialed).toBe(Q)
  })

  it('to a queue: the caller waits in that queue and is answered there', () => {
    const h = office()
    const c = connected(h)
    h.send({ type: 'transfer.blind', ...by(c, { target: { kind: 'queue', queueId: 'sales' } }) })
    expect(h.call(c)!.queueId).toBe('sales')
    h.answer('ola')
    expect(h.call(c)!.agentId).toBe('ola')
  })

  it('to an external number', () => {
    const h = office()
    const c = connected(h)
    h.send({
      type: 'transfer.blind',
      ...by(c, { target: { kind: 'external', number: '+4723232323' } }),
    })
    const ring = h.ringingNumber('+4723232323')[0]!
    h.send({ type: 'leg.answered', companyId: 'acme', legId: ring.legId })
    expect(h.call(c)).toMatchObject({ state: 'connected', agentId: null })
  })

  it('a transfer the colleague does not answer comes back to the operator', () => {
    const h = office()
    const c = connected(h)
    h.send({ type: 'transfer.blind', ...by(c, { target: { kind: 'user', userId: 'kari' } }) })
    h.advance(25_000)
    expect(h.ringingFor('kari')).toEqual([])
    expect(h.ringingFor('op')[0]!.callId).toBe(c)
    expect(h.trail(c)).toContainEqual(
      expect.objectContaining({ kind: 'recall', userId: 'op', reason: 'transfer-not-answered' }),
    )
    h.answer('op')
    expect(h.call(c)!.agentId).toBe('op')
  })

  it('if the operator does not take the recall either, the caller goes back first in the queue', () => {
    const h = office()
    const c = connected(h)
    h.send({ type: 'transfer.blind', ...by(c, { target: { kind: 'user', userId: 'kari' } }) })
    h.advance(25_000)
    h.advance(25_000)
    expect(h.call(c)).toMatchObject({ state: 'queued', queueId: 'front' })
  })

  it('a transfer to a busy colleague is refused and the caller stays with the operator', () => {
    const h = office()
    h.arrive('+4791000009', '+4722001001')
    h.answer('kari')
    const c = connected(h)
    expect(
      h.attempt({ type: 'transfer.blind', ...by(c, { target: { kind: 'user', userId: 'kari' } }) })
        ?.code,
    ).toBe('TARGET_BUSY')
    expect(h.call(c)).toMatchObject({ state: 'connected', agentId: 'op' })
  })

  it('an external number that is a colleague’s is treated as the colleague', () => {
    const h = office()
    const c = connected(h)
    h.send({
      type: 'transfer.blind',
      ...by(c, { target: { kind: 'external', number: '91111111' } }),
    })
    expect(h.ringingFor('kari')).toHaveLength(1)
  })
})

describe('attended transfer', () => {
  it('consult, the colleague answers, complete: the caller is with the colleague', () => {
    const h = office()
    const c = connected(h)
    h.send({ type: 'transfer.consult', ...by(c, { target: { kind: 'user', userId: 'kari' } }) })
    expect(h.call(c)).toMatchObject({ state: 'consulting', consult: { state: 'ringing' } })
    expect(h.agent('op').activity).toBe('consulting')
    h.answer('kari')
    expect(h.call(c)!.consult!.state).toBe('connected')
    h.send({ type: 'transfer.complete', ...by(c) })
    expect(h.call(c)).toMatchObject({ state: 'connected', agentId: 'kari', consult: null })
    expect(h.agent('op').presence).toBe('available')
    expect(h.logKinds(c).at(-1)).toBe('transfer')
  })

  it('cancel returns the caller to the operator and the colleague stops ringing', () => {
    const h = office()
    const c = connected(h)
    h.send({ type: 'transfer.consult', ...by(c, { target: { kind: 'user', userId: 'kari' } }) })
    h.send({ type: 'transfer.cancel', ...by(c) })
    expect(h.call(c)).toMatchObject({ state: 'connected', agentId: 'op', consult: null })
    expect(h.ringingFor('kari')).toEqual([])
    const callerLeg = h.call(c)!.legs.find((l) => l.role === 'caller')!
    expect(callerLeg.state).toBe('connected')
  })

  it('cancel after the colleague answered also returns the caller', () => {
    const h = office()
    const c = connected(h)
    h.send({ type: 'transfer.consult', ...by(c, { target: { kind: 'user', userId: 'kari' } }) })
    h.answer('kari')
    h.send({ type: 'transfer.cancel', ...by(c) })
    expect(h.call(c)).toMatchObject({ state: 'connected', agentId: 'op' })
    expect(h.agent('kari').presence).toBe('available')
  })

  it('a consulted colleague who does not answer returns the caller to the operator', () => {
    const h = office()
    const c = connected(h)
    h.send({ type: 'transfer.consult', ...by(c, { target: { kind: 'user', userId: 'kari' } }) })
    h.advance(25_000)
    expect(h.call(c)).toMatchObject({ state: 'connected', agentId: 'op', consult: null })
  })

  it('completing while the colleague still rings leaves the caller ringing them, with recall to the operator', () => {
    const h = office()
    const c = connected(h)
    h.send({ type: 'transfer.consult', ...by(c, { target: { kind: 'user', userId: 'kari' } }) })
    h.advance(5000)
    h.send({ type: 'transfer.complete', ...by(c) })
    expect(h.call(c)!.state).toBe('ringing')
    expect(h.agent('op').presence).toBe('available')
    h.advance(20_000)
    expect(h.ringingFor('op')[0]!.callId).toBe(c)
  })

  it('the operator hanging up during the consultation hands the caller over', () => {
    const h = office()
    const c = connected(h)
    h.send({ type: 'transfer.consult', ...by(c, { target: { kind: 'user', userId: 'kari' } }) })
    h.answer('kari')
    h.hangUpAgent(c)
    expect(h.call(c)).toMatchObject({ state: 'connected', agentId: 'kari' })
  })

  describe('the caller hangs up during the consultation', () => {
    /** The one live call besides `except` that has `userId`'s leg in it. */
    function callOf(h: Harness, userId: string, except: string) {
      const co = h.state.companies.get('acme')!
      const calls = [...co.calls.values()].filter(
        (c) => c.id !== except && c.legIds.some((id) => co.legs.get(id)?.ownerId === userId),
      )
      expect(calls, `${userId} is on one other call`).toHaveLength(1)
      return h.call(calls[0]!.id)!
    }
    function legOf(h: Harness, callId: string, userId: string): string {
      return h.call(callId)!.legs.find((l) => l.party.userId === userId)!.id
    }
    /**
     * The operator, talking to a queue caller, consults `target`; `meanwhile` happens (by default
     * five seconds of ringing); then the caller hangs up. Returns the caller's call and the
     * consultation's own.
     */
    function callerLeavesConsultation(
      h: Harness,
      target: Destination,
      meanwhile: () => void = () => h.advance(5000),
    ) {
      const c = connected(h)
      h.send({ type: 'transfer.consult', ...by(c, { target }) })
      meanwhile()
      h.hangUpCaller(c)
      return { c, next: callOf(h, 'op', c) }
    }
    const kari: Destination = { kind: 'user', userId: 'kari' }
    const outside: Destination = { kind: 'external', number: '+4723232323' }

    it('the operator and the colleague go on talking, in an internal call of their own', () => {
      const h = office()
      const c = connected(h)
      const opLeg = legOf(h, c, 'op')
      h.advance(10_000)
      const consultAt = h.now
      h.send({ type: 'transfer.consult', ...by(c, { target: { kind: 'user', userId: 'kari' } }) })
      const kariLeg = h.ringingFor('kari')[0]!.legId
      h.advance(3000)
      h.answer('kari')
      h.advance(20_000)
      const split = h.commands.length
      h.hangUpCaller(c)

      // The caller's call is over, with the caller's records only.
      expect(h.call(c)).toBeUndefined()
      expect(h.ended(c)).toMatchObject({ state: 'ended', endReason: 'caller-hung-up' })
      expect(h.logKinds(c).at(-1)).toBe('complete-caller')
      const records = h.records(c)
      expect(records.map((r) => (r.kind === 'user' ? r.userId : r.queueId))).toEqual([
        'op',
        'front',
      ])
      expect(records[0]).toMatchObject({ direction: 'incoming', talkMs: 33_000 })
      expect(h.agent('op').wrapUpUntil).toBe(h.now + 10_000)

      // Their legs go on: nothing ends them, and the adapters hear the call they are in now.
      const next = callOf(h, 'op', c)
      expect(next).toMatchObject({
        direction: 'internal',
        state: 'connected',
        originatorId: 'op',
        agentId: 'kari',
        remote: { userId: 'op' },
        remoteLegId: opLeg,
      })
      expect(next.legs.map((l) => [l.id, l.state])).toEqual([
        [opLeg, 'connected'],
        [kariLeg, 'connected'],
      ])
      const after = h.commands.slice(split)
      expect(after.filter((cmd) => cmd.type === 'end').map((cmd) => cmd.legId)).toEqual([])
      expect(after).toContainEqual(
        expect.objectContaining({ type: 'bridge', callId: next.id, a: opLeg, b: kariLeg }),
      )
      expect(h.agent('op').presence).toBe('busy')
      expect(h.agent('kari').presence).toBe('busy')
      expect(h.trail(next.id)).toContainEqual(
        expect.objectContaining({ kind: 'route', to: { kind: 'user', userId: 'kari' } }),
      )

      // When they finish, the consultation has its own records: from the consult on.
      h.advance(5000)
      h.send({ type: 'leg.hung-up', companyId: 'acme', legId: opLeg })
      expect(h.call(next.id)).toBeUndefined()
      expect(h.ended(next.id)!.endReason).not.toBeNull()
      const opRecord = h.records(next.id).find((r) => r.kind === 'user' && r.userId === 'op')
      expect(opRecord).toMatchObject({ startedAt: consultAt, answeredAt: consultAt })
      const own = h
        .records(next.id)
        .map((r) =>
          r.kind === 'user'
            ? [r.userId, r.direction, r.counterpart.userId, r.answered, r.talkMs]
            : [r.queueId],
        )
      expect(own).toEqual([
        ['op', 'outgoing', 'kari', true, 5000],
        ['kari', 'incoming', 'op', true, 25_000],
      ])
      expect(h.agent('kari').presence).toBe('available')
    })

    it('a colleague still ringing goes on ringing, and answering connects them with the operator', () => {
      const h = office()
      const { next } = callerLeavesConsultation(h, kari)
      const kariLeg = h.ringingFor('kari')[0]!.legId
      expect(next).toMatchObject({ direction: 'internal', state: 'ringing', offeredTo: ['kari'] })
      expect(h.legState(kariLeg)).toBe('ringing')
      h.send({ type: 'leg.answered', companyId: 'acme', legId: kariLeg })
      expect(h.call(next.id)).toMatchObject({ state: 'connected', agentId: 'kari' })
    })

    it('a colleague who does not answer ends the consultation when the ring time is up', () => {
      const h = office()
      const { next } = callerLeavesConsultation(h, kari)
      h.advance(19_000)
      expect(h.call(next.id)!.state).toBe('ringing')
      h.advance(1000)
      expect(h.call(next.id)).toBeUndefined()
      expect(h.records(next.id)).toContainEqual(
        expect.objectContaining({ userId: 'kari', answered: false }),
      )
      expect(h.agent('op').activity).not.toBe('on-call')
    })

    it('an outside number still ringing goes on ringing as the operator’s outgoing call', () => {
      const h = office()
      const { next } = callerLeavesConsultation(h, outside)
      const far = h.ringingNumber('+4723232323')[0]!.legId
      expect(next).toMatchObject({ direction: 'outbound', state: 'dialing', agentId: 'op' })
      expect(h.legState(far)).toBe('ringing')
      h.send({ type: 'leg.answered', companyId: 'acme', legId: far })
      expect(h.call(next.id)).toMatchObject({ state: 'connected', remoteLegId: far })
      // Answered in time: the consultation's ring time no longer ends it.
      h.advance(60_000)
      expect(h.call(next.id)!.state).toBe('connected')
    })

    it('an outside number that never answers is given up when the consultation’s ring time is up', () => {
      const h = office()
      const { next } = callerLeavesConsultation(h, outside)
      h.advance(19_000)
      expect(h.call(next.id)!.state).toBe('dialing')
      h.advance(1000)
      expect(h.call(next.id)).toBeUndefined()
      expect(h.ended(next.id)!.endReason).toBe('no-answer')
      expect(h.agent('op').activity).not.toBe('on-call')
    })

    it('an outside number consulted stays on the line as the operator’s outgoing call', () => {
      const h = office()
      let far = ''
      const { next } = callerLeavesConsultation(h, outside, () => {
        far = h.ringingNumber('+4723232323')[0]!.legId
        h.send({ type: 'leg.answered', companyId: 'acme', legId: far })
        h.advance(4000)
      })
      const opLeg = legOf(h, next.id, 'op')
      expect(next).toMatchObject({
        direction: 'outbound',
        state: 'connected',
        agentId: 'op',
        remote: { number: '+4723232323' },
        remoteLegId: far,
      })
      h.advance(6000)
      h.send({ type: 'leg.hung-up', companyId: 'acme', legId: far })
      expect(h.call(next.id)).toBeUndefined()
      expect(h.legState(opLeg)).toBeUndefined()
      expect(h.records(next.id)).toEqual([
        expect.objectContaining({ userId: 'op', direction: 'outgoing', talkMs: 6000 }),
      ])
    })
  })

  it('a queue cannot be consulted', () => {
    const h = office()
    const c = connected(h)
    expect(
      h.attempt({
        type: 'transfer.consult',
        ...by(c, { target: { kind: 'queue', queueId: 'sales' } }),
      })?.code,
    ).toBe('INVALID_TARGET')
  })
})

describe('park and retrieve', () => {
  it('parks a call in the first free slot; a colleague retrieves it', () => {
    const h = office()
    const c = connected(h)
    h.send({ type: 'call.park', ...by(c) })
    expect(h.call(c)).toMatchObject({ state: 'parked', parkedSlot: 0, agentId: null })
    expect(h.agent('op').presence).toBe('available')
    h.send({ type: 'call.retrieve', companyId: 'acme', userId: 'kari', slot: 0 })
    expect(h.call(c)).toMatchObject({ state: 'connected', agentId: 'kari', parkedSlot: null })
  })

  it('a parked call nobody retrieves rings the operator who parked it', () => {
    const h = office()
    const c = connected(h)
    h.send({ type: 'call.park', ...by(c) })
    h.advance(120_000)
    expect(h.ringingFor('op')[0]!.callId).toBe(c)
    expect(h.trail(c)).toContainEqual(
      expect.objectContaining({ kind: 'recall', reason: 'park-timeout' }),
    )
  })

  it('refuses to retrieve from an empty slot', () => {
    const h = office()
    expect(
      h.attempt({ type: 'call.retrieve', companyId: 'acme', userId: 'kari', slot: 3 })?.code,
    ).toBe('UNKNOWN_SLOT')
    expect(
      h.attempt({ type: 'call.retrieve', companyId: 'acme', userId: 'kari', slot: 99 })?.code,
    ).toBe('UNKNOWN_SLOT')
  })
})

describe('hang-up', () => {
  it('by the caller: complete-caller in the queue log, wrap-up for the agent', () => {
    const h = office()
    const c = connected(h)
    h.advance(42_000)
    h.hangUpCaller(c)
    expect(h.ended(c)!.endReason).toBe('caller-hung-up')
    expect(h.queueLog.at(-1)).toMatchObject({
      kind: 'complete-caller',
      agentId: 'op',
      talkMs: 42_000,
    })
    expect(h.agent('op').activity).toBe('wrap-up')
  })

  it('by the agent from the switchboard: complete-agent and the caller leg is ended', () => {
    const h = office()
    const c = connected(h)
    const out = h.send({ type: 'call.hangup', ...by(c) })
    expect(h.ended(c)!.endReason).toBe('agent-hung-up')
    expect(h.queueLog.at(-1)!.kind).toBe('complete-agent')
    expect(out.commands).toContainEqual(expect.objectContaining({ type: 'end', legId: 'caller-1' }))
  })

  it('a caller who hangs up while waiting has abandoned: one queue record, no user records', () => {
    const h = office()
    const c = h.arrive('+4791000001', Q) // rings op and op2? linear: op only
    h.advance(8000)
    h.hangUpCaller(c)
    expect(h.logKinds(c)).toEqual(['enter', 'offer', 'abandon'])
    expect(h.records(c)).toEqual([
      expect.objectContaining({ kind: 'queue', outcome: 'abandoned', waitMs: 8000 }),
    ])
  })
})

describe('outgoing calls', () => {
  it('presents a number the user may present; the far end answers', () => {
    const h = office()
    h.send({
      type: 'call.dial',
      companyId: 'acme',
      userId: 'op',
      to: '23 45 67 89',
      presentedNumber: Q,
    })
    const ring = h.ringingNumber('+4723456789')[0]!
    expect(ring.presentedNumber).toBe(Q)
    h.send({ type: 'leg.answered', companyId: 'acme', legId: ring.legId })
    expect(h.call(ring.callId)).toMatchObject({
      state: 'connected',
      direction: 'outbound',
      agentId: 'op',
    })
    h.advance(3000)
    h.hangUpCaller(ring.callId)
    expect(h.records(ring.callId)).toEqual([
      expect.objectContaining({
        kind: 'user',
        userId: 'op',
        direction: 'outgoing',
        answered: true,
        presentedNumber: Q,
        talkMs: 3000,
      }),
    ])
  })

  it('refuses a presented number the user may not present', () => {
    const h = office()
    expect(
      h.attempt({
        type: 'call.dial',
        companyId: 'acme',
        userId: 'kari',
        to: '23456789',
        presentedNumber: Q,
      })?.code,
    ).toBe('NUMBER_NOT_ALLOWED')
    expect(h.commands).toEqual([])
  })

  it('a user may present their own mobile and direct number', () => {
    const h = office()
    h.send({
      type: 'call.dial',
      companyId: 'acme',
      userId: 'kari',
      to: '23456789',
      presentedNumber: '+4791111111',
    })
    h.send({
      type: 'call.hangup',
      companyId: 'acme',
      userId: 'kari',
      callId: h.ringingNumber('+4723456789')[0]!.callId,
    })
    h.send({
      type: 'call.dial',
      companyId: 'acme',
      userId: 'kari',
      to: '23456789',
      presentedNumber: '22001001',
    })
  })

  it('an unanswered outgoing call gives up after the dial timeout', () => {
    const h = office()
    h.send({
      type: 'call.dial',
      companyId: 'acme',
      userId: 'op',
      to: '23456789',
      presentedNumber: Q,
    })
    const ring = h.ringingNumber('+4723456789')[0]!
    h.advance(60_000)
    expect(h.ended(ring.callId)!.endReason).toBe('no-answer')
    expect(h.agent('op').presence).toBe('available')
  })
})

describe('conference', () => {
  it('creates a conference, adds a colleague and an outside party, and falls back to a call when they leave', () => {
    const h = office()
    const c = connected(h)
    h.send({ type: 'conference.create', ...by(c) })
    expect(h.call(c)!.state).toBe('conference')
    h.send({ type: 'conference.add', ...by(c, { target: { kind: 'user', userId: 'kari' } }) })
    h.answer('kari')
    h.send({
      type: 'conference.add',
      ...by(c, { target: { kind: 'external', number: '+4723000000' } }),
    })
    const ext = h.ringingNumber('+4723000000')[0]!
    h.send({ type: 'leg.answered', companyId: 'acme', legId: ext.legId })
    const mixes = h.commands.flatMap((x) => (x.type === 'conference' ? [x.legIds] : []))
    expect(mixes.at(-1)).toHaveLength(4)
    h.send({ type: 'conference.remove', ...by(c, { legId: ext.legId }) })
    h.send({ type: 'call.hangup', companyId: 'acme', userId: 'kari', callId: c })
    expect(h.call(c)).toMatchObject({ state: 'connected', agentId: 'op', conferenceId: null })
  })

  it('ends the conference for everyone', () => {
    const h = office()
    const c = connected(h)
    h.send({ type: 'conference.create', ...by(c) })
    h.send({ type: 'conference.add', ...by(c, { target: { kind: 'user', userId: 'kari' } }) })
    h.answer('kari')
    h.send({ type: 'conference.end', ...by(c) })
    expect(h.ended(c)!.endReason).toBe('conference-ended')
    expect(h.agent('kari').presence).toBe('available')
    expect(h.agent('op').presence).toBe('available')
  })

  it('the operator can leave and the colleague keeps the caller', () => {
    const h = office()
    const c = connected(h)
    h.send({ type: 'conference.create', ...by(c) })
    h.send({ type: 'conference.add', ...by(c, { target: { kind: 'user', userId: 'kari' } }) })
    h.answer('kari')
    h.send({ type: 'call.hangup', ...by(c) })
    expect(h.call(c)).toMatchObject({ state: 'connected', agentId: 'kari' })
  })
})

describe('missed calls and callback', () => {
  it('a missed queue call joins the worklist once, however many members it rang', () => {
    const h = new Harness(
      company({
        users: [user('a'), user('b'), user('c')],
        queues: [queue('q', ['a', 'b', 'c'], { numbers: [Q], strategy: 'ring-all' })],
      }),
    )
    const c = h.arrive('+4791000001', Q)
    h.hangUpCaller(c)
    const co = h.state.companies.get('acme')!
    expect([...co.missed.keys()]).toEqual([c])
    expect(h.records(c).filter((r) => r.kind === 'user')).toEqual([])
  })

  it('marking a missed call as called back records who did it and clears it', () => {
    const h = office()
    const c = h.arrive('+4791000001', Q)
    h.hangUpCaller(c)
    const out = h.send({ type: 'callback.mark', companyId: 'acme', userId: 'op2', callId: c })
    expect(out.callbacks).toEqual([
      expect.objectContaining({ callId: c, by: 'op2', how: 'marked' }),
    ])
    expect(
      h.attempt({ type: 'callback.mark', companyId: 'acme', userId: 'op2', callId: c })?.code,
    ).toBe('NOT_MISSED')
  })

  it('reaching the caller later closes their missed calls automatically', () => {
    const h = office()
    const c = h.arrive('+4791000001', Q)
    h.hangUpCaller(c)
    const dial = h.send({
      type: 'call.dial',
      companyId: 'acme',
      userId: 'op',
      to: '+4791000001',
      presentedNumber: Q,
    })
    const ring = dial.commands.flatMap((x) =>
      x.type === 'ring' && x.to.kind === 'external' ? [x] : [],
    )[0]!
    const out = h.send({ type: 'leg.answered', companyId: 'acme', legId: ring.legId })
    expect(out.callbacks).toEqual([
      expect.objectContaining({ callId: c, by: 'op', how: 'reached' }),
    ])
    expect(h.state.companies.get('acme')!.missed.size).toBe(0)
  })
})
