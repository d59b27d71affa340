import { describe, expect, it } from 'vitest'
import { queueDefaults } from '../../../src/core/domain/config'
import type { AuditEntry } from '../../../src/core/persistence/store'
import { defaultRetention } from '../../../src/core/persistence/store'
import { forEachDatabase } from '../../helpers/databases'
import {
  companySettings,
  day,
  freshCompanyId,
  note,
  queueEvent,
  queueLog,
  session,
  t0,
  tokenHash,
  userLog,
  userRecord,
} from './fixtures'

forEachDatabase('retention, purge, audit and transactions', (db) => {
  async function company(): Promise<string> {
    const co = freshCompanyId()
    await db.store.saveCompany(companySettings(co))
    return co
  }

  /** One record of every purged kind, ending (or written) exactly at `at`, labelled `label`. */
  async function recordsAt(co: string, label: string, at: number): Promise<void> {
    await db.store.appendCallLog([
      userLog(co, label, `${co}:kari`, at - 64_000),
      queueLog(co, label, 'salg', at - 30_000),
    ])
    await db.store.appendQueueEvents([queueEvent(co, at, { callId: label })])
    await db.store.saveTrail(
      co,
      label,
      [{ kind: 'pick', at, userId: `${co}:kari`, queueId: 'salg' }],
      at,
    )
    await db.store.addNote(note(co, label, '+4790000001', `${co}:kari`, at))
  }

  async function survivors(co: string) {
    const page = { limit: 100 }
    return {
      userLogs: (await db.store.allUserCallLogs(co, page)).map((r) => r.callId).sort(),
      queueLogs: (await db.store.queueCallLog(co, ['salg'], page)).map((r) => r.callId).sort(),
      queueEvents: (await db.store.queueEvents(co, 0, Number.MAX_SAFE_INTEGER))
        .map((e) => e.callId ?? '')
        .sort(),
      notes: (await db.store.notesFor(co, '+4790000001')).map((n) => n.id).sort(),
      trails: (
        await Promise.all(
          ['d29', 'd30-1ms', 'd30', 'd31'].map(async (id) =>
            (await db.store.getTrail(co, id)) !== null ? id : null,
          ),
        )
      ).filter((id) => id !== null),
    }
  }

  describe('retention', () => {
    it('has the defaults until set, then what was set', async () => {
      const co = await company()
      expect(await db.store.getRetention(co)).toEqual(defaultRetention)
      expect(defaultRetention).toEqual({ userLogDays: 30, queueHistoryDays: 90, notesDays: 90 })
      await db.store.setRetention(co, { userLogDays: 30, queueHistoryDays: 45, notesDays: 14 })
      expect(await db.store.getRetention(co)).toEqual({
        userLogDays: 30,
        queueHistoryDays: 45,
        notesDays: 14,
      })
      await db.store.setRetention(co, { userLogDays: 30, queueHistoryDays: 60, notesDays: 7 })
      expect(await db.store.getRetention(co)).toEqual({
        userLogDays: 30,
        queueHistoryDays: 60,
        notesDays: 7,
      })
      expect(await db.store.getRetention(await company())).toEqual(defaultRetention)
    })
  })

  describe('purge', () => {
    it('at 30 days: keeps what is 29 days (or 30 days less 1 ms) old, deletes 30 and 31', async () => {
      const co = await company()
      await db.store.setRetention(co, { userLogDays: 30, queueHistoryDays: 30, notesDays: 30 })
      const now = t0 + 100 * day
      await recordsAt(co, 'd29', now - 29 * day)
      await recordsAt(co, 'd30-1ms', now - 30 * day + 1)
      await recordsAt(co, 'd30', now - 30 * day)
      await recordsAt(co, 'd31', now - 31 * day)

      const result = await db.store.purge(co, now)
      expect(result).toEqual({
        userLogs: 2,
        queueLogs: 2,
        queueEvents: 2,
        notes: 2,
        trails: 2,
        sessions: 0,
      })
      const kept = ['d29', 'd30-1ms'].sort()
      expect(await survivors(co)).toEqual({
        userLogs: kept,
        queueLogs: kept,
        queueEvents: kept,
        notes: kept,
        trails: ['d29', 'd30-1ms'],
      })
      // Nothing more to do at the same instant; 1 ms short of a day on, the older one goes.
      expect(Object.values(await db.store.purge(co, now)).every((n) => n === 0)).toBe(true)
      expect(await db.store.purge(co, now + day - 1)).toMatchObject({ userLogs: 1, queueLogs: 1 })
      expect((await survivors(co)).userLogs).toEqual(['d29'])
    })

    it('each kind follows its own setting', async () => {
      const co = await company()
      await db.store.setRetention(co, { userLogDays: 30, queueHistoryDays: 60, notesDays: 7 })
      const now = t0 + 100 * day
      await recordsAt(co, 'd29', now - 29 * day)
      await recordsAt(co, 'd31', now - 31 * day)
      expect(await db.store.purge(co, now)).toEqual({
        userLogs: 1,
        queueLogs: 0,
        queueEvents: 0,
        notes: 2,
        trails: 0,
        sessions: 0,
      })
      expect(await survivors(co)).toEqual({
        userLogs: ['d29'],
        queueLogs: ['d29', 'd31'],
        queueEvents: ['d29', 'd31'],
        notes: [],
        trails: ['d29', 'd31'],
      })
    })

    it('uses the defaults when no retention was set (user logs 30 days, the rest 90)', async () => {
      const co = await company()
      const now = t0 + 200 * day
      await recordsAt(co, 'd31', now - 31 * day)
      await recordsAt(co, 'd91', now - 91 * day)
      expect(await db.store.purge(co, now)).toEqual({
        userLogs: 2,
        queueLogs: 1,
        queueEvents: 1,
        notes: 1,
        trails: 1,
        sessions: 0,
      })
    })

    it('deletes sessions at their expiry, not before, whatever their idle time', async () => {
      const co = await company()
      const kari = userRecord(co, 'kari')
      await db.store.saveUser(kari)
      const now = t0 + day
      const expired = session(tokenHash(), co, kari.id, { expiresAt: now - 1 })
      const endsNow = session(tokenHash(), co, kari.id, { expiresAt: now })
      const live = session(tokenHash(), co, kari.id, { expiresAt: now + 1, lastSeenAt: t0 })
      for (const s of [expired, endsNow, live]) await db.store.createSession(s)
      expect(await db.store.purge(co, now)).toMatchObject({ sessions: 2 })
      expect(await db.store.getSession(expired.tokenHash)).toBeNull()
      expect(await db.store.getSession(endsNow.tokenHash)).toBeNull()
      expect(await db.store.getSession(live.tokenHash)).toEqual(live)
    })

    it('touches only the company it is asked for', async () => {
      const a = await company()
      const b = await company()
      const now = t0 + 100 * day
      await recordsAt(a, 'd31', now - 31 * day)
      await recordsAt(b, 'd31', now - 31 * day)
      const bUser = userRecord(b, 'kari')
      await db.store.saveUser(bUser)
      const bSession = session(tokenHash(), b, bUser.id, { expiresAt: now - 1 })
      await db.store.createSession(bSession)
      await db.store.setRetention(a, { userLogDays: 30, queueHistoryDays: 30, notesDays: 30 })
      await db.store.setRetention(b, { userLogDays: 30, queueHistoryDays: 30, notesDays: 30 })
      expect(await db.store.purge(a, now)).toMatchObject({ userLogs: 1, notes: 1, sessions: 0 })
      expect(await survivors(b)).toEqual({
        userLogs: ['d31'],
        queueLogs: ['d31'],
        queueEvents: ['d31'],
        notes: ['d31'],
        trails: ['d31'],
      })
      expect(await db.store.getSession(bSession.tokenHash)).not.toBeNull()
    })
  })

  describe('audit', () => {
    it('appends and pages the audit log newest first', async () => {
      const co = await company()
      const entries: AuditEntry[] = [0, 1, 2, 3, 4].map((i) => ({
        id: `a${i}`,
        companyId: co,
        actorId: i === 0 ? null : `${co}:kari`,
        action: i === 0 ? 'company.create' : 'user.update',
        entity: i === 0 ? 'company' : 'user',
        entityId: i === 0 ? co : `${co}:ola`,
        before: i === 0 ? null : { department: 'Salg', presentableNumbers: ['+4722000000'] },
        after: { department: `Avd ${i}`, blocked: i === 4, nested: { n: i } },
        at: t0 + i * 1_000,
      }))
      for (const e of [entries[2], entries[0], entries[4], entries[1], entries[3]])
        if (e) await db.store.appendAudit(e)
      expect(await db.store.auditLog(co, { limit: 10 })).toEqual([...entries].reverse())
      const first = await db.store.auditLog(co, { limit: 2 })
      expect(first.map((e) => e.id)).toEqual(['a4', 'a3'])
      const next = await db.store.auditLog(co, { limit: 2, before: first[1]?.at })
      expect(next.map((e) => e.id)).toEqual(['a2', 'a1'])
      const window = await db.store.auditLog(co, { limit: 10, from: t0 + 1_000, to: t0 + 3_000 })
      expect(window.map((e) => e.id)).toEqual(['a2', 'a1'])
    })

    it('stores an undefined before or after as null', async () => {
      const co = await company()
      await db.store.appendAudit({
        id: 'x',
        companyId: co,
        actorId: null,
        action: 'purge',
        entity: 'company',
        entityId: co,
        before: undefined,
        after: 'text',
        at: t0,
      })
      expect(await db.store.auditLog(co, { limit: 1 })).toMatchObject([
        { before: null, after: 'text' },
      ])
    })
  })

  describe('transactions', () => {
    it('a transaction that throws leaves nothing behind', async () => {
      const co = freshCompanyId()
      const failure = new Error('boom')
      await expect(
        db.store.transaction(async (tx) => {
          await tx.saveCompany(companySettings(co))
          await tx.saveUser(userRecord(co, 'kari'))
          await tx.setPassword(`${co}:kari`, 'h', t0)
          await tx.appendCallLog([userLog(co, 'c1', `${co}:kari`, t0)])
          await tx.appendQueueEvents([queueEvent(co, t0)])
          await tx.appendAudit({
            id: 'a',
            companyId: co,
            actorId: null,
            action: 'x',
            entity: 'y',
            entityId: 'z',
            before: null,
            after: null,
            at: t0,
          })
          // A nested transaction joins the outer one: it is rolled back too.
          await tx.transaction((inner) => inner.setRetention(co, defaultRetention))
          throw failure
        }),
      ).rejects.toBe(failure)
      expect(await db.store.loadCompanyConfig(co)).toBeNull()
      expect((await db.store.listCompanies()).some((c) => c.id === co)).toBe(false)
      expect(await db.store.getCredential(`${co}:kari`)).toBeNull()
      for (const table of [
        'user_call_log',
        'queue_events',
        'audit_log',
        'retention',
        'users',
      ] as const) {
        const rows = await db.sql
          .selectFrom(table)
          .select('company_id')
          .where('company_id', '=', co)
          .execute()
        expect(rows, table).toEqual([])
      }
    })

    it('a transaction that resolves commits everything and returns its value', async () => {
      const co = freshCompanyId()
      const value = await db.store.transaction(async (tx) => {
        await tx.saveCompany(companySettings(co))
        await tx.saveUser(userRecord(co, 'kari'))
        return tx.listUsers(co)
      })
      expect(value.map((u) => u.id)).toEqual([`${co}:kari`])
      expect(await db.store.getUser(co, `${co}:kari`)).not.toBeNull()
    })

    it('a failing statement inside a method rolls the whole method back', async () => {
      const co = await company()
      await db.store.saveUser(userRecord(co, 'kari'))
      const before = await db.store.listQueues(co)
      // The second member is not a user: the queue row written first must not stay.
      await expect(
        db.store.saveQueue(co, {
          ...queueDefaults,
          id: 'ny',
          name: 'Ny',
          numbers: ['+4722000099'],
          strategy: 'linear',
          members: [
            { userId: `${co}:kari`, penalty: 0, loggedIn: true },
            { userId: `${co}:ghost`, penalty: 0, loggedIn: true },
          ],
        }),
      ).rejects.toThrow()
      expect(await db.store.listQueues(co)).toEqual(before)
    })
  })
})
