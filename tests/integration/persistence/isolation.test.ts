/**
 * Two companies with the same queue ids, call ids, note ids, phone numbers and times: no query
 * of one ever returns, changes or deletes a row of the other.
 */
import { beforeAll, expect, it } from 'vitest'
import type { CompanyConfig } from '../../../src/core/domain/config'
import { importCompany } from '../../../src/core/persistence/sql-store'
import type { CompanyId } from '../../../src/shared/ids'
import { forEachDatabase } from '../../helpers/databases'
import {
  accountsFor,
  day,
  freshCompanyId,
  note,
  queueEvent,
  queueLog,
  realisticCompany,
  session,
  t0,
  tokenHash,
  uid,
  userLog,
} from './fixtures'

const caller = '+4798765432'
const page = { limit: 100 }

forEachDatabase('two companies', (db) => {
  let a: CompanyConfig
  let b: CompanyConfig
  const tokens = new Map<CompanyId, string>()

  async function populate(config: CompanyConfig, offset: number) {
    const co = config.id
    await importCompany(db.store, config, accountsFor(config))
    const anne = uid(co, 'anne')
    await db.store.setPassword(anne, `hash-${co}`, t0)
    const token = tokenHash()
    tokens.set(co, token)
    await db.store.createSession(session(token, co, anne, { expiresAt: t0 + offset }))
    await db.store.setAbsence(co, anne, {
      reason: 'meeting',
      note: co,
      since: t0,
      until: null,
      forwardTo: null,
    })
    await db.store.setMembership(co, {
      queueId: 'salg',
      userId: uid(co, 'dag'),
      loggedIn: false,
      paused: { reason: co, since: t0 },
    })
    await db.store.appendCallLog([
      userLog(co, 'c1', anne, t0 + offset),
      queueLog(co, 'c1', 'salg', t0 + offset, { queueName: co }),
      queueLog(co, 'c1', 'sentralbord', t0 + offset, { queueName: co }),
    ])
    await db.store.appendQueueEvents([queueEvent(co, t0 + offset, { queueId: 'salg', reason: co })])
    await db.store.saveTrail(co, 'c1', [{ kind: 'direct', at: t0, userId: anne, terminals: 2 }], t0)
    await db.store.addNote(note(co, 'n1', caller, anne, t0 + offset))
    await db.store.appendAudit({
      id: 'a1',
      companyId: co,
      actorId: anne,
      action: 'user.update',
      entity: 'user',
      entityId: anne,
      before: null,
      after: co,
      at: t0 + offset,
    })
  }

  beforeAll(async () => {
    a = realisticCompany(freshCompanyId('a'))
    b = realisticCompany(freshCompanyId('b'))
    await populate(a, 1)
    await populate(b, 2)
    await db.store.setRetention(b.id, { userLogDays: 30, queueHistoryDays: 40, notesDays: 50 })
  })

  it('every read returns the asked company only', async () => {
    for (const [mine, theirs] of [
      [a, b],
      [b, a],
    ] as const) {
      const co = mine.id
      const other = theirs.id
      expect(await db.store.loadCompanyConfig(co)).toEqual(mine)
      expect((await db.store.listUsers(co)).every((u) => u.companyId === co)).toBe(true)
      expect(await db.store.getUser(co, uid(other, 'anne'))).toBeNull()
      expect(await db.store.listQueues(co)).toEqual(mine.queues)
      expect(await db.store.listAbsences(co)).toEqual([
        {
          userId: uid(co, 'anne'),
          absence: { reason: 'meeting', note: co, since: t0, until: null, forwardTo: null },
        },
      ])
      const memberships = await db.store.listMemberships(co)
      expect(memberships.every((m) => m.userId.startsWith(`${co}:`))).toBe(true)
      expect(memberships.find((m) => m.queueId === 'salg' && m.paused !== null)?.paused).toEqual({
        reason: co,
        since: t0,
      })
      expect(await db.store.userCallLog(co, uid(other, 'anne'), page)).toEqual([])
      const users = await db.store.allUserCallLogs(co, page)
      expect(users.map((r) => r.companyId)).toEqual([co])
      const queues = await db.store.queueCallLog(co, ['salg', 'sentralbord'], page)
      expect(queues.map((r) => r.queueName)).toEqual([co, co])
      const history = await db.store.callerHistory(co, caller, page)
      expect(history.map((r) => r.companyId)).toEqual([co, co])
      const events = await db.store.queueEvents(co, 0, t0 + day)
      expect(events.map((e) => e.reason)).toEqual([co])
      expect(await db.store.getTrail(co, 'c1')).toEqual([
        { kind: 'direct', at: t0, userId: uid(co, 'anne'), terminals: 2 },
      ])
      expect((await db.store.notesFor(co, caller)).map((n) => n.companyId)).toEqual([co])
      expect((await db.store.auditLog(co, page)).map((e) => e.after)).toEqual([co])
      expect(await db.store.getCredential(uid(co, 'anne'))).toMatchObject({
        companyId: co,
        passwordHash: `hash-${co}`,
      })
    }
    expect(await db.store.getRetention(a.id)).toMatchObject({ queueHistoryDays: 90 })
    expect(await db.store.getRetention(b.id)).toMatchObject({ queueHistoryDays: 40 })
  })

  it("no write to one company changes the other's rows", async () => {
    // Everything below is aimed at a, with ids b also has.
    await db.store.markCalledBack({
      companyId: a.id,
      callId: 'c1',
      by: uid(a.id, 'anne'),
      at: t0 + 5,
      how: 'marked',
    })
    expect(await db.store.deleteNote(a.id, 'n1')).toBe(true)
    await db.store.deleteUser(a.id, uid(b.id, 'bjorn'))
    await db.store.setAbsence(a.id, uid(b.id, 'anne'), null)
    await db.store.setMembership(a.id, {
      queueId: 'salg',
      userId: uid(b.id, 'dag'),
      loggedIn: true,
      paused: null,
    })
    await db.store.deleteQueue(a.id, 'salg')
    await db.store.setVipNumbers(a.id, [])
    await db.store.saveTrail(a.id, 'c1', [], t0)
    await db.store.purge(a.id, t0 + 1000 * day)

    expect(await db.store.loadCompanyConfig(b.id)).toEqual(b)
    expect(await db.store.listAbsences(b.id)).toHaveLength(1)
    expect(
      (await db.store.listMemberships(b.id)).find((m) => m.userId === uid(b.id, 'dag'))?.paused,
    ).toEqual({ reason: b.id, since: t0 })
    const bLogs = await db.store.queueCallLog(b.id, ['salg', 'sentralbord'], page)
    expect(bLogs).toHaveLength(2)
    for (const r of bLogs) expect(r.calledBackAt).toBeNull()
    expect((await db.store.allUserCallLogs(b.id, page))[0]?.calledBackAt).toBeNull()
    expect(await db.store.notesFor(b.id, caller)).toHaveLength(1)
    expect(await db.store.getTrail(b.id, 'c1')).toHaveLength(1)
    expect(await db.store.queueEvents(b.id, 0, t0 + day)).toHaveLength(1)
    expect(await db.store.auditLog(b.id, page)).toHaveLength(1)
    expect(await db.store.getSession(tokens.get(b.id) ?? '')).not.toBeNull()

    // And a really did change.
    expect(await db.store.getSession(tokens.get(a.id) ?? '')).toBeNull()
    expect(await db.store.notesFor(a.id, caller)).toEqual([])
    expect((await db.store.listQueues(a.id)).map((q) => q.id)).toEqual(['sentralbord', 'kveld'])

    await db.store.deleteCompany(a.id)
    expect(await db.store.loadCompanyConfig(a.id)).toBeNull()
    expect(await db.store.loadCompanyConfig(b.id)).toEqual(b)
    expect(await db.store.allUserCallLogs(b.id, page)).toHaveLength(1)
    expect(await db.store.getCredential(uid(b.id, 'anne'))).not.toBeNull()
  })
})
