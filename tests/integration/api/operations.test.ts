/**
 * Running the core: the retention purge on the core's own clock, /metrics, oversized messages,
 * statistics through the API, and HTTPS/WSS.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { request } from 'node:https'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pino from 'pino'
import { io as connect } from 'socket.io-client'
import { expect, it } from 'vitest'
import { startCore } from '../../../src/core/host'
import { VirtualClock } from '../../../src/core/runtime/clock'
import type { QueueStatistics, UserLogEntry } from '../../../src/shared/protocol'
import { forEachDatabase } from '../../helpers/databases'
import { selfSignedCertificate } from '../../helpers/certificate'
import { addCompany, startTestCore, testCompany, type TestCore } from '../../helpers/test-core'

const day = 24 * 3_600_000

forEachDatabase('operations', (db) => {
  async function answeredAndAbandoned(
    core: TestCore,
    a: ReturnType<typeof testCompany>,
    label: string,
  ) {
    const rt = core.core.runtime
    rt.dispatch({
      type: 'caller.arrived',
      companyId: a.id,
      legId: `${label}-1`,
      from: '91000001',
      to: a.numbers.queueA,
    })
    const offer = [...rt.state.companies.get(a.id)!.legs.values()].find((l) => l.role === 'offer')!
    rt.dispatch({ type: 'leg.answered', companyId: a.id, legId: offer.id })
    rt.dispatch({ type: 'leg.hung-up', companyId: a.id, legId: `${label}-1` })
    rt.dispatch({
      type: 'caller.arrived',
      companyId: a.id,
      legId: `${label}-2`,
      from: '91000002',
      to: a.numbers.queueB,
    })
    rt.dispatch({ type: 'leg.hung-up', companyId: a.id, legId: `${label}-2` })
    await core.core.app.recorder.flushed()
  }

  it('the purge job deletes users’ call logs at 30 days and queue history at the period the contact person set', async () => {
    const a = testCompany('ret')
    const clock = new VirtualClock(Date.UTC(2026, 0, 5, 9, 0, 0))
    const core = await startTestCore(db.store, [a], { clock, purgeEveryMs: day })
    try {
      await answeredAndAbandoned(core, a, 'old')
      const boss = await core.client(a.usernames.boss)
      expect(
        await core.command(boss.socket, 'admin:retention-set', {
          queueHistoryDays: 45,
          notesDays: 10,
        }),
      ).toEqual({ data: null })
      await core.command(boss.socket, 'note:add', { number: '91000001', text: 'Ringer om faktura' })
      const op1 = await core.client(a.usernames.op1)
      const logOf = async () =>
        ((await op1.socket.emitWithAck('log:mine', {})) as { data: UserLogEntry[] }).data.length
      const queueLog = async () =>
        ((await op1.socket.emitWithAck('log:queues', {})) as { data: unknown[] }).data.length
      const notes = async () =>
        ((await op1.socket.emitWithAck('note:list', { number: '91000001' })) as { data: unknown[] })
          .data.length
      expect([await logOf(), await queueLog(), await notes()]).toEqual([1, 1, 1])
      // The purge runs on the core's timer and finishes when the database has answered: what
      // it deletes is awaited by polling; what it keeps is checked after it has had a while
      // (a slow purge can only make those checks pass late, never fail them wrongly).
      const advance = async (days: number) => {
        clock.advanceBy(days * day)
        await new Promise((r) => setTimeout(r, 100))
      }
      const soon = { timeout: 5000, interval: 50 }
      await advance(9)
      expect(await notes()).toBe(1)
      await advance(1) // day 10: the note is as old as notes may be
      await expect.poll(notes, soon).toBe(0)
      await advance(19) // day 29
      expect(await logOf()).toBe(1)
      await advance(1) // day 30
      await expect.poll(logOf, soon).toBe(0)
      expect(await queueLog()).toBe(1)
      await advance(15) // day 45
      await expect.poll(queueLog, soon).toBe(0)
    } finally {
      await core.stop()
    }
  })

  it('serves statistics to the contact person that agree with what happened', async () => {
    const a = testCompany('stat')
    const core = await startTestCore(db.store, [a])
    try {
      const from = Date.now() - 1000
      await answeredAndAbandoned(core, a, 's1')
      await answeredAndAbandoned(core, a, 's2')
      const boss = await core.client(a.usernames.boss)
      const stats = (await boss.socket.emitWithAck('stats:queues', {
        from,
        to: Date.now() + 1000,
      })) as { data: QueueStatistics[] }
      const byId = new Map(stats.data.map((q) => [q.queueId, q]))
      expect(byId.get('a')).toMatchObject({
        offered: 2,
        answered: 2,
        abandoned: 0,
        serviceLevel: 1,
      })
      expect(byId.get('b')).toMatchObject({ offered: 2, answered: 0, abandoned: 2, abandonRate: 1 })
      const agents = (await boss.socket.emitWithAck('stats:agents', {
        from,
        to: Date.now() + 1000,
      })) as { data: { userId: string; offered: number; answered: number; calls: unknown[] }[] }
      expect(agents.data.find((x) => x.userId === a.ids.op1)).toMatchObject({
        offered: 2,
        answered: 2,
        calls: [expect.anything(), expect.anything()],
      })
    } finally {
      await core.stop()
    }
  })

  it('reports metrics in Prometheus format', async () => {
    const a = testCompany('met')
    const core = await startTestCore(db.store, [a])
    try {
      await core.client(a.usernames.op1)
      core.core.runtime.dispatch({
        type: 'caller.arrived',
        companyId: a.id,
        legId: 'm-1',
        from: '91000001',
        to: a.numbers.queueB,
      })
      core.core.runtime.dispatch({
        type: 'queue.logout',
        companyId: a.id,
        userId: a.ids.op2,
        queueId: 'b',
      })
      const text = await (await fetch(`${core.url}/metrics`)).text()
      expect(text).toContain('# TYPE sentral_connected_clients gauge')
      expect(text).toMatch(/^sentral_connected_clients 1$/m)
      expect(text).toContain(`sentral_calls{company="${a.id}",state="queued"} 1`)
      expect(text).toContain(`sentral_queue_waiting{company="${a.id}",queue="b"} 1`)
      expect(text).toMatch(/^sentral_event_loop_lag_seconds \d/m)
    } finally {
      await core.stop()
    }
  })

  it('drops a client that sends an oversized message and keeps serving the others', async () => {
    const a = testCompany('big')
    const core = await startTestCore(db.store, [a])
    try {
      const big = await core.client(a.usernames.op1)
      const other = await core.client(a.usernames.op2)
      const dropped = new Promise<string>((resolve) => big.socket.once('disconnect', resolve))
      big.socket.emit(
        'note:add',
        { requestId: 'x'.repeat(10), number: '91000001', text: 'x'.repeat(200_000) },
        () => undefined,
      )
      expect(await dropped).toMatch(/transport/)
      expect(await other.socket.emitWithAck('log:mine', {})).toEqual({ data: [] })
    } finally {
      await core.stop()
    }
  })
})

it('serves HTTPS and WSS when given a certificate and key', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sentral-tls-'))
  try {
    const tls = selfSignedCertificate(dir)
    const { openDatabase } = await import('../../../src/core/persistence/database')
    const { SqlStore } = await import('../../../src/core/persistence/sql-store')
    const store = new SqlStore(openDatabase({ file: join(dir, 'tls.sqlite') }))
    await store.migrate()
    const a = testCompany('tls')
    await addCompany(store, a, Date.now())
    const core = await startCore({
      store,
      dataDir: dir,
      host: '127.0.0.1',
      port: 0,
      logger: pino({ level: 'silent' }),
      version: 'test',
      tls,
    })
    try {
      expect(core.url).toMatch(/^https:/)
      const body = JSON.stringify({
        username: a.usernames.op1,
        password: 'korrekt-hest-batteri-stift',
      })
      const token = await new Promise<string>((resolve, reject) => {
        const req = request(
          `${core.url}/api/session`,
          {
            method: 'POST',
            rejectUnauthorized: false,
            headers: { 'content-type': 'application/json' },
          },
          (res) => {
            let text = ''
            res.on('data', (d: Buffer) => (text += d.toString()))
            res.on('end', () => resolve((JSON.parse(text) as { token: string }).token))
          },
        )
        req.on('error', reject)
        req.end(body)
      })
      const socket = connect(core.url, {
        auth: { token },
        transports: ['websocket'],
        rejectUnauthorized: false,
        reconnection: false,
      })
      const snapshot = await new Promise<{ me: { userId: string } }>((resolve) =>
        socket.once('state:snapshot', resolve),
      )
      socket.disconnect()
      expect(snapshot.me.userId).toBe(a.ids.op1)
    } finally {
      await core.stop()
      await store.close()
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})
