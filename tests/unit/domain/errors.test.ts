import { describe, expect, it } from 'vitest'
import type { EngineInput } from '../../../src/core/domain/io'
import { company, queue, user } from '../../helpers/company'
import { Harness } from '../../helpers/harness'
import { serialize } from '../../helpers/serialize'

const Q = '+4722000000'

function office() {
  const h = new Harness([
    company({
      users: [user('op', { presentableNumbers: [Q] }), user('kari'), user('ola')],
      queues: [
        queue('front', ['op'], { numbers: [Q] }),
        queue('back', ['ola'], { numbers: ['+4722000001'] }),
      ],
    }),
    company({
      id: 'other',
      users: [user('eve')],
      queues: [queue('evil', ['eve'], { numbers: ['+4733000000'] })],
    }),
  ])
  const waiting = h.arrive('+4791000001', '+4722000001') // waits in back, ringing ola
  const c = h.arrive('+4791000002', Q)
  h.answer('op')
  const frontWaiting = h.arrive('+4791000003', Q)
  return { h, c, waiting, frontWaiting }
}

describe('refused commands return a typed error and leave the state unchanged', () => {
  const cases: [
    string,
    (ids: { c: string; waiting: string; frontWaiting: string }) => EngineInput,
    string,
  ][] = [
    [
      'unknown company',
      ({ c }) => ({ type: 'call.hold', companyId: 'nope', userId: 'op', callId: c }),
      'UNKNOWN_COMPANY',
    ],
    [
      'unknown call',
      () => ({ type: 'call.hold', companyId: 'acme', userId: 'op', callId: 'call-999' }),
      'UNKNOWN_CALL',
    ],
    [
      'unknown user',
      ({ c }) => ({ type: 'call.hold', companyId: 'acme', userId: 'nobody', callId: c }),
      'UNKNOWN_USER',
    ],
    [
      'another user’s call',
      ({ c }) => ({ type: 'call.hold', companyId: 'acme', userId: 'kari', callId: c }),
      'NOT_YOUR_CALL',
    ],
    [
      'a call of another company',
      ({ c }) => ({ type: 'call.hold', companyId: 'other', userId: 'eve', callId: c }),
      'UNKNOWN_CALL',
    ],
    [
      'a user of another company',
      ({ c }) => ({ type: 'call.hold', companyId: 'acme', userId: 'eve', callId: c }),
      'UNKNOWN_USER',
    ],
    [
      'pick by a non-member',
      ({ waiting }) => ({ type: 'call.pick', companyId: 'acme', userId: 'kari', callId: waiting }),
      'NOT_A_MEMBER',
    ],
    [
      'pick while talking',
      ({ frontWaiting }) => ({
        type: 'call.pick',
        companyId: 'acme',
        userId: 'op',
        callId: frontWaiting,
      }),
      'AGENT_BUSY',
    ],
    [
      'resume a call that is not held',
      ({ c }) => ({ type: 'call.resume', companyId: 'acme', userId: 'op', callId: c }),
      'INVALID_STATE',
    ],
    [
      'complete with no consultation',
      ({ c }) => ({ type: 'transfer.complete', companyId: 'acme', userId: 'op', callId: c }),
      'INVALID_STATE',
    ],
    [
      'transfer to self',
      ({ c }) => ({
        type: 'transfer.blind',
        companyId: 'acme',
        userId: 'op',
        callId: c,
        target: { kind: 'user', userId: 'op' },
      }),
      'INVALID_TARGET',
    ],
    [
      'transfer to an unknown queue',
      ({ c }) => ({
        type: 'transfer.blind',
        companyId: 'acme',
        userId: 'op',
        callId: c,
        target: { kind: 'queue', queueId: 'evil' },
      }),
      'UNKNOWN_QUEUE',
    ],
    [
      'transfer to a non-number',
      ({ c }) => ({
        type: 'transfer.blind',
        companyId: 'acme',
        userId: 'op',
        callId: c,
        target: { kind: 'external', number: 'drop table' },
      }),
      'INVALID_NUMBER',
    ],
    [
      'dial presenting a number not allowed',
      () => ({
        type: 'call.dial',
        companyId: 'acme',
        userId: 'kari',
        to: '23456789',
        presentedNumber: Q,
      }),
      'NUMBER_NOT_ALLOWED',
    ],
    [
      'dial while talking',
      () => ({
        type: 'call.dial',
        companyId: 'acme',
        userId: 'op',
        to: '23456789',
        presentedNumber: Q,
      }),
      'AGENT_BUSY',
    ],
    [
      'log in to a queue one is not a member of',
      () => ({ type: 'queue.login', companyId: 'acme', userId: 'kari', queueId: 'front' }),
      'NOT_A_MEMBER',
    ],
    [
      'pause without a reason',
      () => ({ type: 'queue.pause', companyId: 'acme', userId: 'op', queueId: null, reason: '  ' }),
      'INVALID_ARGUMENT',
    ],
    [
      'absence that ended in the past',
      () => ({ type: 'absence.set', companyId: 'acme', userId: 'kari', reason: 'lunch', until: 0 }),
      'INVALID_ARGUMENT',
    ],
    [
      'answer a leg that is not ringing',
      () => ({ type: 'leg.answered', companyId: 'acme', legId: 'caller-2' }),
      'INVALID_STATE',
    ],
    [
      'an unknown leg',
      () => ({ type: 'leg.hung-up', companyId: 'acme', legId: 'leg-404' }),
      'UNKNOWN_LEG',
    ],
    [
      'a caller leg id already in use',
      () => ({
        type: 'caller.arrived',
        companyId: 'acme',
        legId: 'caller-1',
        from: '91000000',
        to: Q,
      }),
      'DUPLICATE_ID',
    ],
    [
      'a call to nothing dialable',
      () => ({
        type: 'caller.arrived',
        companyId: 'acme',
        legId: 'x',
        from: '91000000',
        to: 'sip:abc',
      }),
      'INVALID_NUMBER',
    ],
    [
      'callback for a call that is not missed',
      ({ c }) => ({ type: 'callback.mark', companyId: 'acme', userId: 'op', callId: c }),
      'NOT_MISSED',
    ],
  ]

  for (const [what, input, code] of cases) {
    it(`${what} → ${code}`, () => {
      const { h, ...ids } = office()
      const before = serialize(h.state)
      const commandsBefore = h.commands.length
      const error = h.attempt(input(ids))
      expect(error?.code).toBe(code)
      expect(serialize(h.state)).toEqual(before)
      expect(h.commands.length).toBe(commandsBefore)
    })
  }

  it('refuses a clock that goes backwards', () => {
    const { h } = office()
    h.now -= 1
    expect(h.attempt({ type: 'tick' })?.code).toBe('CLOCK_WENT_BACKWARDS')
  })
})
