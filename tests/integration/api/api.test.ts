/**
 * The core's API end to end: real database (both), real HTTP and Socket.IO, real clients.
 */
import { expect, it } from 'vitest'
import type { StateDelta } from '../../../src/shared/protocol'
import { forEachDatabase } from '../../helpers/databases'
import {
  collectDeltas,
  startTestCore,
  testCompany,
  waitFor,
  type TestCore,
} from '../../helpers/test-core'

forEachDatabase('the API', (db) => {
  async function withCore(
    fn: (
      core: TestCore,
      a: ReturnType<typeof testCompany>,
      b: ReturnType<typeof testCompany>,
    ) => Promise<void>,
  ) {
    const a = testCompany('a')
    const b = testCompany('b')
    const core = await startTestCore(db.store, [a, b])
    try {
      await fn(core, a, b)
    } finally {
      await core.stop()
    }
  }

  it('logs in with the right password; an unknown user and a wrong password get the same answer', async () => {
    await withCore(async (core, a) => {
      const ok = await core.login(a.usernames.op1)
      expect(ok.me).toMatchObject({ userId: a.ids.op1, role: 'operator', queueIds: ['a'] })
      expect(ok.token.length).toBeGreaterThanOrEqual(40)
      const wrong = await fetch(`${core.url}/api/session`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: a.usernames.op1, password: 'not-the-password-at-all' }),
      })
      const unknown = await fetch(`${core.url}/api/session`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'nobody.here', password: 'not-the-password-at-all' }),
      })
      expect(wrong.status).toBe(401)
      expect(unknown.status).toBe(401)
      expect(await wrong.json()).toEqual(await unknown.json())
    })
  })

  it('refuses a socket without a valid token', async () => {
    await withCore(async (core) => {
      for (const auth of [{}, { token: 'x'.repeat(43) }]) {
        const socket = core.raw(auth)
        const error = await new Promise<Error>((resolve) => socket.once('connect_error', resolve))
        expect(error.message).toBe('UNAUTHENTICATED')
      }
    })
  })

  it('an operator sees their queue’s caller, answers it, and another operator in another queue never sees it', async () => {
    await withCore(async (core, a) => {
      const op1 = await core.client(a.usernames.op1)
      const op2 = await core.client(a.usernames.op2)
      expect(Object.keys(op1.snapshot.streams).sort()).toEqual(
        ['board', 'company', 'queue:a', `user:${a.ids.op1}`].sort(),
      )
      const seenByOp2 = collectDeltas(op2.socket)
      const offered = waitFor<StateDelta>(op1.socket, 'state:delta', (d) =>
        d.deltas.some(
          (x) => x.entity === 'call' && x.op === 'upsert' && x.call.offeredTo.includes(a.ids.op1),
        ),
      )
      core.core.runtime.dispatch({
        type: 'caller.arrived',
        companyId: a.id,
        legId: 'net-1',
        from: '91234567',
        to: a.numbers.queueA,
      })
      const delta = await offered
      const call = delta.deltas.find((x) => x.entity === 'call' && x.op === 'upsert')!
      const callId = call.entity === 'call' && call.op === 'upsert' ? call.call.id : ''
      const connected = waitFor<StateDelta>(op1.socket, 'state:delta', (d) =>
        d.deltas.some(
          (x) => x.entity === 'call' && x.op === 'upsert' && x.call.state === 'connected',
        ),
      )
      expect(await core.command(op1.socket, 'call:answer', { callId })).toEqual({ data: null })
      await connected
      await new Promise((r) => setTimeout(r, 100))
      const callDeltasForOp2 = seenByOp2.flatMap((d) => d.deltas).filter((x) => x.entity === 'call')
      expect(callDeltasForOp2).toEqual([])
      // op2 sees op1 become busy on the company stream (the busy lamp), but not the call itself.
      const op1Agent = seenByOp2
        .flatMap((d) => d.deltas)
        .filter((x) => x.entity === 'agent' && x.agent.userId === a.ids.op1)
      expect(op1Agent.at(-1)).toMatchObject({ agent: { presence: 'busy' } })
    })
  })

  it('a retried command with the same requestId is applied once', async () => {
    await withCore(async (core, a) => {
      const op1 = await core.client(a.usernames.op1)
      const first = await (
        op1.socket as unknown as { emitWithAck: (e: string, p: unknown) => Promise<unknown> }
      ).emitWithAck('queue:pause', { requestId: 'same-key-123', queueId: 'a', reason: 'lunsj' })
      expect(first).toEqual({ data: null })
      await core.command(op1.socket, 'queue:unpause', { queueId: 'a' })
      const retried = await (
        op1.socket as unknown as { emitWithAck: (e: string, p: unknown) => Promise<unknown> }
      ).emitWithAck('queue:pause', { requestId: 'same-key-123', queueId: 'a', reason: 'lunsj' })
      expect(retried).toEqual({ data: null })
      const agent = core.core.runtime.snapshot(a.id)!.agents.find((x) => x.userId === a.ids.op1)!
      expect(agent.queues[0]!.paused).toBeNull()
    })
  })

  it('rejects bad payloads, unknown events and commands outside the role, and keeps serving', async () => {
    await withCore(async (core, a) => {
      const user = await core.client(a.usernames.user)
      const emit = (e: string, p: unknown) =>
        (
          user.socket as unknown as { emitWithAck: (e: string, p: unknown) => Promise<unknown> }
        ).emitWithAck(e, p)
      expect(await emit('call:hold', { requestId: 'abcdefgh', callId: 42 })).toMatchObject({
        error: { code: 'BAD_REQUEST', message: expect.stringContaining('callId') as string },
      })
      expect(await emit('call:explode', {})).toMatchObject({ error: { code: 'UNKNOWN_EVENT' } })
      expect(await core.command(user.socket, 'call:pick', { callId: 'x' })).toMatchObject({
        error: { code: 'FORBIDDEN' },
      })
      expect(
        await core.command(user.socket, 'admin:user-delete', { userId: a.ids.op1 }),
      ).toMatchObject({ error: { code: 'FORBIDDEN' } })
      expect(await emit('log:mine', {})).toMatchObject({ data: [] })
    })
  })
})
