import { describe, expect, it } from 'vitest'
import { company, queue, user } from '../../helpers/company'
import { Harness } from '../../helpers/harness'

const Q = '+4722000000'

describe('wrap-up, pause and auto-pause', () => {
  it('a member in wrap-up is skipped until it ends, with the reason in the why-trail', () => {
    const h = new Harness(
      company({
        users: [user('anna')],
        queues: [queue('q', ['anna'], { numbers: [Q], wrapUpSeconds: 30 })],
      }),
    )
    const c1 = h.arrive('+4791000001', Q)
    h.answer('anna')
    h.advance(10_000)
    h.hangUpCaller(c1)
    expect(h.agent('anna').activity).toBe('wrap-up')
    const c2 = h.arrive('+4791000002', Q)
    expect(h.ringingFor('anna')).toEqual([])
    expect(h.trail(c2)!.at(-1)).toMatchObject({
      kind: 'no-agent',
      skipped: [{ userId: 'anna', reason: 'wrap-up' }],
    })
    h.advance(29_999)
    expect(h.ringingFor('anna')).toEqual([])
    h.advance(1)
    expect(h.ringingFor('anna')[0]!.callId).toBe(c2)
  })

  it('direct calls do not start wrap-up', () => {
    const h = new Harness(
      company({
        users: [user('anna', { direct: '+4722001001' })],
        queues: [queue('q', ['anna'], { numbers: [Q], wrapUpSeconds: 30 })],
      }),
    )
    const c = h.arrive('+4791000001', '+4722001001')
    h.answer('anna')
    h.hangUpCaller(c)
    expect(h.agent('anna').activity).toBe('idle')
  })

  it('pauses a member in every queue after N unanswered offers in a row', () => {
    const h = new Harness(
      company({
        users: [user('anna'), user('bjorn')],
        queues: [
          queue('q', ['anna', 'bjorn'], {
            numbers: [Q],
            autoPauseAfter: 2,
            ringTimeoutSeconds: 10,
          }),
          queue('r', ['anna'], { numbers: ['+4722000001'] }),
        ],
      }),
    )
    h.send({ type: 'queue.logout', companyId: 'acme', userId: 'bjorn', queueId: 'q' })
    h.arrive('+4791000001', Q)
    h.advance(10_000) // first miss; offered again at once (new round)
    expect(h.agent('anna').queues.every((q) => q.paused === null)).toBe(true)
    h.advance(10_000) // second miss
    expect(h.agent('anna').queues.map((q) => q.paused?.reason)).toEqual([
      'auto-pause: unanswered offers',
      'auto-pause: unanswered offers',
    ])
    expect(h.queueLog.filter((e) => e.kind === 'pause').map((e) => e.queueId)).toEqual(['q', 'r'])
    expect(h.ringingFor('anna')).toEqual([])
  })

  it('a paused member is skipped with the reason, and offered again after unpausing', () => {
    const h = new Harness(
      company({ users: [user('anna')], queues: [queue('q', ['anna'], { numbers: [Q] })] }),
    )
    h.send({
      type: 'queue.pause',
      companyId: 'acme',
      userId: 'anna',
      queueId: null,
      reason: 'lunsj',
    })
    const c = h.arrive('+4791000001', Q)
    expect(h.trail(c)!.at(-1)).toMatchObject({
      kind: 'no-agent',
      skipped: [{ userId: 'anna', reason: 'paused' }],
    })
    expect(h.agent('anna').queues[0]!.paused).toMatchObject({ reason: 'lunsj' })
    h.send({ type: 'queue.unpause', companyId: 'acme', userId: 'anna', queueId: null })
    expect(h.ringingFor('anna')[0]!.callId).toBe(c)
    expect(h.queueLog.filter((e) => e.agentId === 'anna').map((e) => e.kind)).toEqual([
      'pause',
      'unpause',
      'offer',
    ])
  })

  it('pausing withdraws an offer that is ringing and the caller goes to someone else', () => {
    const h = new Harness(
      company({
        users: [user('anna'), user('bjorn')],
        queues: [queue('q', ['anna', 'bjorn'], { numbers: [Q] })],
      }),
    )
    const c = h.arrive('+4791000001', Q)
    expect(h.ringingFor('anna')).toHaveLength(1)
    h.send({ type: 'queue.pause', companyId: 'acme', userId: 'anna', queueId: 'q', reason: 'møte' })
    expect(h.ringingFor('anna')).toEqual([])
    expect(h.ringingFor('bjorn')[0]!.callId).toBe(c)
  })
})

describe('absence and forwarding', () => {
  const users = () => [
    user('anna', { direct: '+4722001001', extension: '201' }),
    user('bjorn', { direct: '+4722001002', extension: '202', forwardOnBusy: '+4790000002' }),
    user('cecilie', {
      direct: '+4722001003',
      extension: '203',
      forwardOnNoAnswer: { to: '+4790000003', afterSeconds: 12 },
    }),
    user('dag', { direct: '+4722001004', extension: '204', extraTerminal: '+4790000004' }),
  ]

  it('an absent member is skipped in queues with the reason; the absence ends by itself at its time', () => {
    const h = new Harness(
      company({ users: users(), queues: [queue('q', ['anna'], { numbers: [Q] })] }),
    )
    h.send({
      type: 'absence.set',
      companyId: 'acme',
      userId: 'anna',
      reason: 'meeting',
      until: h.now + 60_000,
    })
    expect(h.agent('anna')).toMatchObject({
      presence: 'absent',
      absence: { reason: 'meeting', until: h.now + 60_000 },
    })
    const c = h.arrive('+4791000001', Q)
    expect(h.trail(c)!.at(-1)).toMatchObject({
      kind: 'no-agent',
      skipped: [{ userId: 'anna', reason: 'absent' }],
    })
    h.advance(60_000)
    expect(h.agent('anna').presence).toBe('available')
    expect(h.ringingFor('anna')[0]!.callId).toBe(c)
  })

  it('a direct call to an absent user with a forward number goes to that number', () => {
    const h = new Harness(company({ users: users(), queues: [] }))
    h.send({
      type: 'absence.set',
      companyId: 'acme',
      userId: 'anna',
      reason: 'travel',
      forwardTo: '91 23 45 67',
    })
    const c = h.arrive('+4791000001', '+4722001001')
    expect(h.ringingFor('anna')).toEqual([])
    expect(h.ringingNumber('+4791234567')[0]!.callId).toBe(c)
    expect(h.trail(c)).toContainEqual(
      expect.objectContaining({ kind: 'forward', reason: 'absent', to: '+4791234567' }),
    )
  })

  it('forward on busy sends a direct call for a busy user to their forward number', () => {
    const h = new Harness(company({ users: users(), queues: [] }))
    h.arrive('+4791000001', '+4722001002')
    h.answer('bjorn')
    const second = h.arrive('+4791000002', '+4722001002')
    expect(h.ringingNumber('+4790000002')[0]!.callId).toBe(second)
  })

  it('a direct call to a busy user without forward-on-busy is refused as busy and logged as missed for them', () => {
    const h = new Harness(company({ users: users(), queues: [] }))
    h.arrive('+4791000001', '+4722001001')
    h.answer('anna')
    const second = h.arrive('+4791000002', '+4722001001')
    expect(h.ended(second)!.endReason).toBe('busy')
    expect(h.records(second)).toEqual([
      expect.objectContaining({ kind: 'user', userId: 'anna', answered: false }),
    ])
  })

  it('forward on no answer moves the call after the configured seconds', () => {
    const h = new Harness(company({ users: users(), queues: [] }))
    const c = h.arrive('+4791000001', '+4722001003')
    h.advance(11_999)
    expect(h.ringingFor('cecilie')).toHaveLength(1)
    h.advance(1)
    expect(h.ringingFor('cecilie')).toEqual([])
    expect(h.ringingNumber('+4790000003')[0]!.callId).toBe(c)
  })

  it('the extra terminal rings together with the phone, and answering either one wins', () => {
    const h = new Harness(
      company({ users: users(), queues: [queue('q', ['dag'], { numbers: [Q] })] }),
    )
    const c = h.arrive('+4791000001', Q)
    expect(h.ringingFor('dag')).toHaveLength(1)
    const extra = h.ringingNumber('+4790000004')
    expect(extra).toHaveLength(1)
    h.send({ type: 'leg.answered', companyId: 'acme', legId: extra[0]!.legId })
    expect(h.ringingFor('dag')).toEqual([])
    expect(h.call(c)!.agentId).toBe('dag')
    expect(h.agent('dag').presence).toBe('busy')
  })

  it('rejecting on one terminal leaves the other ringing', () => {
    const h = new Harness(company({ users: users(), queues: [] }))
    const c = h.arrive('+4791000001', '+4722001004')
    h.send({
      type: 'leg.rejected',
      companyId: 'acme',
      legId: h.ringingFor('dag')[0]!.legId,
      reason: 'busy',
    })
    expect(h.ringingNumber('+4790000004')[0]!.callId).toBe(c)
    expect(h.call(c)!.state).toBe('ringing')
  })

  it('an extension dialled internally reaches the user', () => {
    const h = new Harness(company({ users: users(), queues: [] }))
    h.send({
      type: 'call.dial',
      companyId: 'acme',
      userId: 'anna',
      to: '202',
      presentedNumber: '+4722001001',
    })
    expect(h.ringingFor('bjorn')).toHaveLength(1)
    expect(h.agent('anna').presence).toBe('busy')
  })
})
