/**
 * Administration through the API: changes reach the engine, the audit log and the affected
 * users' live sessions at once.
 */
import { expect, it } from 'vitest'
import type { StateSnapshot, UserAdminView } from '../../../src/shared/protocol'
import { forEachDatabase } from '../../helpers/databases'
import { startTestCore, testCompany, waitFor, type TestCore } from '../../helpers/test-core'

forEachDatabase('administration', (db) => {
  async function withCore(
    fn: (core: TestCore, a: ReturnType<typeof testCompany>) => Promise<void>,
  ) {
    const a = testCompany('adm')
    const core = await startTestCore(db.store, [a])
    try {
      await fn(core, a)
    } finally {
      await core.stop()
    }
  }

  async function userOf(
    core: TestCore,
    boss: Awaited<ReturnType<TestCore['client']>>,
    userId: string,
  ): Promise<UserAdminView> {
    const users = (await boss.socket.emitWithAck('admin:users', {})) as { data: UserAdminView[] }
    return users.data.find((u) => u.id === userId)!
  }

  it('creates a user who can log in, appears in everyone’s directory and is in the audit log', async () => {
    await withCore(async (core, a) => {
      const boss = await core.client(a.usernames.boss)
      const user = await core.client(a.usernames.user)
      const heard = waitFor<{ deltas: { entity: string; op: string }[] }>(
        user.socket,
        'state:delta',
        (d) => d.deltas.some((x) => x.entity === 'user' && x.op === 'upsert'),
      )
      const saved = (await core.command(boss.socket, 'admin:user-save', {
        user: {
          username: `${a.id}.ny`,
          firstName: 'Nina',
          lastName: 'Ny',
          extension: '299',
          mobile: '912 34 567',
          direct: null,
          department: 'Salg',
          role: 'operator',
          functions: ['switchboard'],
          blocked: false,
          presentableNumbers: [],
          forwardOnBusy: null,
          forwardOnNoAnswer: null,
          extraTerminal: null,
        },
        password: 'en-helt-ny-passordsetning',
      })) as { data: UserAdminView }
      expect(saved.data).toMatchObject({ firstName: 'Nina', mobile: '+4791234567' })
      await heard
      expect(core.core.runtime.snapshot(a.id)!.users.map((u) => u.firstName)).toContain('Nina')
      expect((await core.login(`${a.id}.ny`, 'en-helt-ny-passordsetning')).me.firstName).toBe(
        'Nina',
      )
      const audit = (await boss.socket.emitWithAck('admin:audit', {})) as {
        data: { action: string; actorId: string; after: { firstName: string } }[]
      }
      expect(audit.data[0]).toMatchObject({
        action: 'user.create',
        actorId: a.ids.boss,
        after: { firstName: 'Nina' },
      })
    })
  })

  it('blocking a user disconnects their live clients within a second and refuses their next login', async () => {
    await withCore(async (core, a) => {
      const boss = await core.client(a.usernames.boss)
      const op1 = await core.client(a.usernames.op1)
      const ended = waitFor<{ reason: string }>(op1.socket, 'session:ended', () => true, 1000)
      const disconnected = new Promise<void>((resolve) =>
        op1.socket.once('disconnect', () => resolve()),
      )
      const before = await userOf(core, boss, a.ids.op1)
      expect(
        await core.command(boss.socket, 'admin:user-save', { user: { ...before, blocked: true } }),
      ).toMatchObject({ data: { blocked: true } })
      expect(await ended).toEqual({ reason: 'blocked' })
      await disconnected
      const res = await fetch(`${core.url}/api/session`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: a.usernames.op1, password: 'korrekt-hest-batteri-stift' }),
      })
      expect(res.status).toBe(403)
    })
  })

  it('making a user an operator of a queue gives their client that queue’s stream at once', async () => {
    await withCore(async (core, a) => {
      const boss = await core.client(a.usernames.boss)
      const user = await core.client(a.usernames.user)
      expect(Object.keys(user.snapshot.streams)).not.toContain('queue:a')
      const fresh = waitFor<StateSnapshot>(
        user.socket,
        'state:snapshot',
        (s) => 'queue:a' in s.streams,
        1000,
      )
      const me = await userOf(core, boss, a.ids.user)
      await core.command(boss.socket, 'admin:user-save', { user: { ...me, role: 'operator' } })
      await core.command(boss.socket, 'admin:queue-save', {
        queue: {
          id: 'a',
          name: 'Sentralbord',
          numbers: [a.numbers.queueA],
          strategy: 'ring-all',
          members: [
            { userId: a.ids.op1, penalty: 0 },
            { userId: a.ids.user, penalty: 0 },
          ],
          ringTimeoutSeconds: 20,
          retryDelaySeconds: 0,
          wrapUpSeconds: 0,
          autoPauseAfter: null,
          maxWaitSeconds: null,
          maxLength: null,
          overflow: null,
          joinEmpty: true,
          leaveWhenEmpty: false,
          serviceLevelSeconds: 20,
          progressiveStepSeconds: 5,
        },
      })
      const snapshot = await fresh
      expect(snapshot.me).toMatchObject({ role: 'operator', queueIds: ['a'] })
      core.core.runtime.dispatch({
        type: 'caller.arrived',
        companyId: a.id,
        legId: 'adm-1',
        from: '91234567',
        to: a.numbers.queueA,
      })
      const offered = core.core.runtime.snapshot(a.id)!.calls[0]!.offeredTo
      expect(offered.sort()).toEqual([a.ids.op1, a.ids.user].sort())
    })
  })

  it('deleting a user ends their sessions and removes them everywhere', async () => {
    await withCore(async (core, a) => {
      const boss = await core.client(a.usernames.boss)
      const op2 = await core.client(a.usernames.op2)
      const ended = waitFor<{ reason: string }>(op2.socket, 'session:ended', () => true, 1000)
      expect(await core.command(boss.socket, 'admin:user-delete', { userId: a.ids.op2 })).toEqual({
        data: null,
      })
      expect(await ended).toEqual({ reason: 'deleted' })
      expect(core.core.runtime.snapshot(a.id)!.users.map((u) => u.id)).not.toContain(a.ids.op2)
      expect(await db.store.getCredential(a.ids.op2)).toBeNull()
      expect(
        await core.command(boss.socket, 'admin:user-delete', { userId: a.ids.boss }),
      ).toMatchObject({ error: { code: 'INVALID_ARGUMENT' } })
    })
  })

  it('refuses a number that is taken, and a weak password, and changes nothing', async () => {
    await withCore(async (core, a) => {
      const boss = await core.client(a.usernames.boss)
      const me = await userOf(core, boss, a.ids.user)
      expect(
        await core.command(boss.socket, 'admin:user-save', { user: { ...me, extension: '202' } }),
      ).toMatchObject({ error: { code: 'CONFLICT' } })
      expect(
        await core.command(boss.socket, 'admin:user-save', { user: me, password: 'qwerty123456' }),
      ).toMatchObject({ error: { code: 'WEAK_PASSWORD' } })
      expect((await userOf(core, boss, a.ids.user)).extension).toBe('201')
    })
  })

  it('sets the VIP list: a VIP caller goes first', async () => {
    await withCore(async (core, a) => {
      const boss = await core.client(a.usernames.boss)
      expect(await core.command(boss.socket, 'admin:vip-set', { numbers: ['900 00 001'] })).toEqual(
        { data: null },
      )
      await core.command(boss.socket, 'queue:logout', { queueId: 'a' })
      const op1 = await core.client(a.usernames.op1)
      await core.command(op1.socket, 'queue:pause', { queueId: 'a', reason: 'møte' })
      core.core.runtime.dispatch({
        type: 'caller.arrived',
        companyId: a.id,
        legId: 'v-1',
        from: '91111111',
        to: a.numbers.queueA,
      })
      core.core.runtime.dispatch({
        type: 'caller.arrived',
        companyId: a.id,
        legId: 'v-2',
        from: '90000001',
        to: a.numbers.queueA,
      })
      const waiting = core.core.runtime.state.companies
        .get(a.id)!
        .queues.get('a')!
        .waiting.map((c) => c.remote.number)
      expect(waiting).toEqual(['+4790000001', '+4791111111'])
    })
  })

  it('records every change anyone makes in the audit log, with before and after', async () => {
    await withCore(async (core, a) => {
      const op1 = await core.client(a.usernames.op1)
      await core.command(op1.socket, 'presence:set-absence', {
        reason: 'meeting',
        note: 'Styremøte',
        until: null,
        forwardTo: null,
      })
      await core.command(op1.socket, 'queue:pause', { queueId: 'a', reason: 'lunsj' })
      await core.command(op1.socket, 'note:add', { number: '91000001', text: 'Vil ha tilbud' })
      const boss = await core.client(a.usernames.boss)
      const audit = (await boss.socket.emitWithAck('admin:audit', {})) as {
        data: { action: string; actorId: string; before: unknown; after: unknown }[]
      }
      const byAction = new Map(audit.data.map((e) => [e.action, e]))
      expect(byAction.get('absence.set')).toMatchObject({
        actorId: a.ids.op1,
        before: null,
        after: { reason: 'meeting', note: 'Styremøte' },
      })
      expect(byAction.get('queue.pause')).toMatchObject({
        actorId: a.ids.op1,
        before: [{ queueId: 'a', paused: null }],
        after: [{ queueId: 'a', paused: { reason: 'lunsj' } }],
      })
      expect(byAction.get('note.add')).toMatchObject({
        actorId: a.ids.op1,
        after: { text: 'Vil ha tilbud' },
      })
    })
  })
})
