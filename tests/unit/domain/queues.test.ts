import { describe, expect, it } from 'vitest'
import { deltasOf } from '../../../src/core/domain/engine'
import { company, queue, user } from '../../helpers/company'
import { Harness } from '../../helpers/harness'

const Q = '+4722000000'
const R = '+4722000001'

describe('queue order', () => {
  function oneAgent(
    extra: Parameters<typeof company>[0] extends infer C ? Partial<C & object> : never = {},
  ) {
    return new Harness(
      company({
        users: [user('anna')],
        queues: [queue('q', ['anna'], { numbers: [Q] })],
        ...extra,
      }),
    )
  }

  it('serves callers in order of arrival', () => {
    const h = oneAgent()
    const first = h.arrive('+4791000001', Q)
    h.answer('anna')
    h.advance(1000)
    const second = h.arrive('+4791000002', Q)
    h.advance(1000)
    const third = h.arrive('+4791000003', Q)
    expect(h.waiting('q')).toEqual([second, third])
    h.hangUpCaller(first)
    expect(h.ringingFor('anna')[0]!.callId).toBe(second)
  })

  it('offers a VIP caller before callers who waited longer', () => {
    const h = oneAgent({ vipNumbers: ['+4799999999'] })
    const busy = h.arrive('+4791000001', Q)
    h.answer('anna')
    const early = h.arrive('+4791000002', Q)
    h.advance(30_000)
    const vip = h.arrive('+4799999999', Q)
    expect(h.waiting('q')).toEqual([vip, early])
    expect(h.call(vip)!.vip).toBe(true)
    h.hangUpCaller(busy)
    expect(h.ringingFor('anna')[0]!.callId).toBe(vip)
  })

  it('orders by caller priority after VIP, then by arrival', () => {
    const h = oneAgent({ vipNumbers: ['+4799999999'] })
    h.arrive('+4791000001', Q)
    h.answer('anna')
    const normal = h.arrive('+4791000002', Q)
    const urgent = h.arrive('+4791000003', Q, { priority: 5 })
    const vip = h.arrive('+4799999999', Q)
    const urgent2 = h.arrive('+4791000004', Q, { priority: 5 })
    expect(h.waiting('q')).toEqual([vip, urgent, urgent2, normal])
  })

  it('a member of several queues is offered the caller who has waited longest across them', () => {
    const h = new Harness(
      company({
        users: [user('anna'), user('bjorn')],
        queues: [
          queue('q', ['anna'], { numbers: [Q] }),
          queue('r', ['anna', 'bjorn'], { numbers: [R] }),
        ],
      }),
    )
    const busyQ = h.arrive('+4791000001', Q)
    h.answer('anna')
    h.send({ type: 'queue.logout', companyId: 'acme', userId: 'bjorn', queueId: 'r' })
    const inR = h.arrive('+4791000002', R) // waits longest
    h.advance(10_000)
    const inQ = h.arrive('+4791000003', Q)
    h.hangUpCaller(busyQ)
    expect(h.ringingFor('anna')[0]!.callId).toBe(inR)
    expect(h.waiting('q')).toEqual([inQ])
  })

  it('a VIP in one queue goes before an older caller in another queue for a shared member', () => {
    const h = new Harness(
      company({
        users: [user('anna')],
        vipNumbers: ['+4799999999'],
        queues: [queue('q', ['anna'], { numbers: [Q] }), queue('r', ['anna'], { numbers: [R] })],
      }),
    )
    const busy = h.arrive('+4791000001', Q)
    h.answer('anna')
    h.arrive('+4791000002', R)
    h.advance(10_000)
    const vip = h.arrive('+4799999999', Q)
    h.hangUpCaller(busy)
    expect(h.ringingFor('anna')[0]!.callId).toBe(vip)
  })

  it('does not offer a later caller ahead of one waiting out its retry delay', () => {
    const h = new Harness(
      company({
        users: [user('anna'), user('bjorn')],
        queues: [
          queue('q', ['anna', 'bjorn'], {
            numbers: [Q],
            ringTimeoutSeconds: 10,
            retryDelaySeconds: 5,
          }),
        ],
      }),
    )
    h.send({ type: 'queue.logout', companyId: 'acme', userId: 'bjorn', queueId: 'q' })
    const first = h.arrive('+4791000001', Q)
    h.advance(10_000) // anna does not answer; first waits out its retry delay
    expect(h.ringingFor('anna')).toEqual([])
    h.arrive('+4791000002', Q)
    h.send({ type: 'queue.login', companyId: 'acme', userId: 'bjorn', queueId: 'q' })
    expect(h.ringingFor('bjorn')).toEqual([])
    h.advance(5000)
    expect(h.ringingFor('bjorn')[0]?.callId ?? h.ringingFor('anna')[0]?.callId).toBe(first)
  })

  it('after a member does not answer, the caller is offered to the next member', () => {
    const h = new Harness(
      company({
        users: [user('anna'), user('bjorn')],
        queues: [queue('q', ['anna', 'bjorn'], { numbers: [Q], ringTimeoutSeconds: 10 })],
      }),
    )
    const c = h.arrive('+4791000001', Q)
    h.advance(10_000)
    expect(h.ringingFor('anna')).toEqual([])
    expect(h.ringingFor('bjorn')[0]!.callId).toBe(c)
    expect(h.logKinds(c)).toEqual(['enter', 'offer', 'ring-no-answer', 'offer'])
    const trail = h.trail(c)!
    const second = trail.filter((e) => e.kind === 'offer')[1]!
    expect(second.kind === 'offer' && second.skipped).toEqual([
      { userId: 'anna', reason: 'no-answer-this-call' },
    ])
  })

  it('an agent rejecting an offer sends the caller to the next member without auto-pausing', () => {
    const h = new Harness(
      company({
        users: [user('anna'), user('bjorn')],
        queues: [queue('q', ['anna', 'bjorn'], { numbers: [Q], autoPauseAfter: 1 })],
      }),
    )
    const c = h.arrive('+4791000001', Q)
    h.send({ type: 'offer.reject', companyId: 'acme', userId: 'anna', callId: c })
    expect(h.ringingFor('bjorn')[0]!.callId).toBe(c)
    expect(h.agent('anna').queues[0]!.paused).toBeNull()
    expect(h.logKinds(c)).toContain('reject')
  })
})

describe('overflow, closing and empty queues', () => {
  it('a caller who waits past max wait overflows to the overflow queue, keeping their waiting time', () => {
    const h = new Harness(
      company({
        users: [user('anna'), user('bjorn')],
        queues: [
          queue('q', ['anna'], {
            numbers: [Q],
            maxWaitSeconds: 60,
            overflow: { kind: 'queue', queueId: 'r' },
          }),
          queue('r', ['bjorn'], { numbers: [R] }),
        ],
      }),
    )
    h.send({ type: 'queue.logout', companyId: 'acme', userId: 'anna', queueId: 'q' })
    h.send({ type: 'queue.logout', companyId: 'acme', userId: 'bjorn', queueId: 'r' })
    const c = h.arrive('+4791000001', Q)
    const arrivedAt = h.now
    h.advance(59_999)
    expect(h.call(c)!.queueId).toBe('q')
    h.advance(1)
    expect(h.call(c)!.queueId).toBe('r')
    expect(h.call(c)!.waitingSince).toBe(arrivedAt)
    const exit = h.queueLog.find((e) => e.kind === 'exit-timeout')!
    expect(exit).toMatchObject({
      queueId: 'q',
      waitMs: 60_000,
      destination: { kind: 'queue', queueId: 'r' },
    })
    h.send({ type: 'queue.login', companyId: 'acme', userId: 'bjorn', queueId: 'r' })
    h.answer('bjorn')
    h.hangUpCaller(c)
    const qRecord = h.records(c).find((r) => r.kind === 'queue' && r.queueId === 'q')
    expect(qRecord).toMatchObject({
      outcome: 'timeout',
      overflowTo: { kind: 'queue', queueId: 'r' },
    })
    expect(h.records(c).find((r) => r.kind === 'queue' && r.queueId === 'r')).toMatchObject({
      outcome: 'answered',
      answeredBy: 'bjorn',
    })
  })

  it('a caller who finds the queue full goes to the overflow destination', () => {
    const h = new Harness(
      company({
        users: [user('anna')],
        queues: [
          queue('q', ['anna'], {
            numbers: [Q],
            maxLength: 1,
            overflow: { kind: 'external', number: '+4723000000' },
          }),
        ],
      }),
    )
    h.arrive('+4791000001', Q) // ringing anna, waiting
    const second = h.arrive('+4791000002', Q)
    expect(h.call(second)!.state).toBe('ringing')
    expect(h.ringingNumber('+4723000000')[0]!.callId).toBe(second)
    expect(h.queueLog.filter((e) => e.kind === 'exit-full')).toHaveLength(1)
  })

  it('without an overflow destination a full queue refuses the caller as busy', () => {
    const h = new Harness(
      company({
        users: [user('anna')],
        queues: [queue('q', ['anna'], { numbers: [Q], maxLength: 1 })],
      }),
    )
    h.arrive('+4791000001', Q)
    const second = h.arrive('+4791000002', Q)
    expect(h.ended(second)!.endReason).toBe('queue-full')
    const end = h.commands.find((c) => c.type === 'end' && c.legId === 'caller-2')
    expect(end).toMatchObject({ reason: 'busy' })
  })

  it('join-empty off: a caller cannot join a queue nobody staffs and overflows to a user', () => {
    const h = new Harness(
      company({
        users: [user('anna'), user('bjorn')],
        queues: [
          queue('q', ['anna'], {
            numbers: [Q],
            joinEmpty: false,
            overflow: { kind: 'user', userId: 'bjorn' },
          }),
        ],
      }),
    )
    h.send({
      type: 'queue.pause',
      companyId: 'acme',
      userId: 'anna',
      queueId: 'q',
      reason: 'lunsj',
    })
    const c = h.arrive('+4791000001', Q)
    expect(h.ringingFor('bjorn')[0]!.callId).toBe(c)
    expect(h.queueLog.find((e) => e.kind === 'exit-empty')).toMatchObject({
      reason: 'join',
      destination: { kind: 'user', userId: 'bjorn' },
    })
  })

  it('leave-when-empty: waiting callers leave when the last present member logs out', () => {
    const h = new Harness(
      company({
        users: [user('anna')],
        queues: [
          queue('q', ['anna'], { numbers: [Q], leaveWhenEmpty: true, ringTimeoutSeconds: 5 }),
        ],
      }),
    )
    const c = h.arrive('+4791000001', Q)
    h.send({ type: 'queue.logout', companyId: 'acme', userId: 'anna', queueId: 'q' })
    expect(h.ended(c)!.endReason).toBe('queue-empty')
    expect(h.logKinds(c)).toEqual(['enter', 'offer', 'exit-empty'])
  })

  it('outside opening hours a caller goes to the closed destination', () => {
    const weekdays = { from: 8 * 60, to: 16 * 60 }
    const h = new Harness(
      company({
        users: [user('anna'), user('vakt', { mobile: '+4790000009' })],
        queues: [
          queue('q', ['anna'], {
            numbers: [Q],
            openingHours: {
              weekly: { mon: [weekdays], tue: [weekdays] },
              exceptions: { '2026-12-01': [] },
            },
            closedDestination: { kind: 'user', userId: 'vakt' },
          }),
        ],
      }),
      { now: Date.UTC(2026, 10, 30, 14, 59, 0) }, // Monday 15:59 in Oslo
    )
    const open = h.arrive('+4791000001', Q)
    expect(h.call(open)!.state).toBe('queued')
    h.advance(60_000) // 16:00
    const closed = h.arrive('+4791000002', Q)
    expect(h.ringingFor('vakt')[0]!.callId).toBe(closed)
    expect(h.trail(closed)![1]).toMatchObject({
      kind: 'closed',
      queueId: 'q',
      to: { kind: 'user', userId: 'vakt' },
    })
    h.advance(17 * 3600_000) // Tuesday 09:00, but 1 December is an exception: closed all day
    const holiday = h.arrive('+4791000003', Q)
    expect(h.logKinds(holiday)).toEqual(['exit-closed'])
  })

  it('subscribers hear when a queue closes at the end of its opening hours', () => {
    const day = { from: 8 * 60, to: 16 * 60 }
    const h = new Harness(
      company({
        users: [user('anna')],
        queues: [
          queue('q', ['anna'], {
            numbers: [Q],
            openingHours: { weekly: { mon: [day] }, exceptions: {} },
          }),
        ],
      }),
      { now: Date.UTC(2026, 10, 30, 14, 58, 30) }, // Monday 15:58:30 in Oslo
    )
    const openAt = (out: ReturnType<Harness['advance']>) =>
      deltasOf(h.state, out.changes).flatMap((d) =>
        d.entity === 'queue' && d.op === 'upsert' ? [d.queue.open] : [],
      )
    expect(openAt(h.advance(60_000))).toEqual([])
    expect(openAt(h.advance(60_000))).toEqual([false])
  })

  it('an overflow loop between two full queues ends instead of spinning', () => {
    const h = new Harness(
      company({
        users: [user('anna')],
        queues: [
          queue('q', ['anna'], {
            numbers: [Q],
            maxLength: 0,
            overflow: { kind: 'queue', queueId: 'r' },
          }),
          queue('r', ['anna'], {
            numbers: [R],
            maxLength: 0,
            overflow: { kind: 'queue', queueId: 'q' },
          }),
        ],
      }),
    )
    const c = h.arrive('+4791000001', Q)
    expect(h.ended(c)!.endReason).toBe('queue-full')
  })
})
