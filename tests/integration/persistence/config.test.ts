import { sql } from 'kysely'
import { describe, expect, it } from 'vitest'
import type { CompanyConfig } from '../../../src/core/domain/config'
import { importCompany } from '../../../src/core/persistence/sql-store'
import { forEachDatabase } from '../../helpers/databases'
import {
  accountsFor,
  companySettings,
  freshCompanyId,
  queueLog,
  realisticCompany,
  session,
  t0,
  tokenHash,
  uid,
  userLog,
  userRecord,
} from './fixtures'

forEachDatabase('schema and configuration', (db) => {
  async function imported(): Promise<CompanyConfig> {
    const config = realisticCompany(freshCompanyId())
    await importCompany(db.store, config, accountsFor(config))
    return config
  }

  describe('migrations', () => {
    it('apply again, from this and from a new connection, without change', async () => {
      const config = await imported()
      await db.store.migrate()
      const other = db.connect()
      await other.migrate()
      const { rows } = await sql<{
        n: number
      }>`select count(*) as n from kysely_migration`.execute(db.sql)
      expect(Number(rows[0]?.n)).toBe(1)
      expect(await other.loadCompanyConfig(config.id)).toEqual(config)
    })
  })

  describe('companies', () => {
    it('imports a whole company and loads back the same CompanyConfig', async () => {
      const config = await imported()
      const loaded = await db.store.loadCompanyConfig(config.id)
      expect(loaded).toEqual(config)
      // The order users and members were given in is kept, not sorted by id.
      expect(loaded?.users.map((u) => u.id)).toEqual(config.users.map((u) => u.id))
      expect(loaded?.queues[0]?.members.map((m) => m.userId)).toEqual(
        config.queues[0]?.members.map((m) => m.userId),
      )
    })

    it('stores the accounts given at import: lower-case username, role and functions', async () => {
      const config = await imported()
      const accounts = accountsFor(config)
      const users = await db.store.listUsers(config.id)
      expect(users.map((u) => u.username)).toEqual(accounts.map((a) => a.username.toLowerCase()))
      expect(users[0]).toMatchObject({ role: 'contact', blocked: false, companyId: config.id })
      expect(users[0]?.functions).toEqual(['switchboard', 'administration', 'statistics'])
      expect(users[2]).toMatchObject({ role: 'user', functions: ['switchboard'] })
    })

    it('re-import brings the store to the new config, removing what it no longer has', async () => {
      const config = await imported()
      const next: CompanyConfig = {
        ...config,
        name: 'Nytt navn AS',
        users: config.users.filter((u) => u.id !== uid(config.id, 'dag')),
        queues: config.queues
          .filter((q) => q.id !== 'kveld')
          .map((q) => ({
            ...q,
            members: q.members.filter((m) => m.userId !== uid(config.id, 'dag')),
          })),
        vipNumbers: ['+4790000003'],
        parkSlots: 2,
      }
      await importCompany(db.store, next, accountsFor(next))
      expect(await db.store.loadCompanyConfig(config.id)).toEqual(next)
      expect(await db.store.getUser(config.id, uid(config.id, 'dag'))).toBeNull()
    })

    it('lists, saves and deletes company settings', async () => {
      const id = freshCompanyId()
      const settings = {
        id,
        name: 'Liten AS',
        timeZone: 'Europe/Stockholm',
        vipNumbers: ['+46700000001'],
        parkSlots: 3,
        parkTimeoutSeconds: 60,
        directRingSeconds: 20,
        dialTimeoutSeconds: 30,
      }
      await db.store.saveCompany(settings)
      expect((await db.store.listCompanies()).find((c) => c.id === id)).toEqual(settings)
      expect(await db.store.loadCompanyConfig(id)).toEqual({ ...settings, users: [], queues: [] })
      await db.store.saveCompany({ ...settings, name: 'Større AS', vipNumbers: [] })
      expect((await db.store.listCompanies()).find((c) => c.id === id)).toMatchObject({
        name: 'Større AS',
        vipNumbers: [],
      })
      await db.store.setVipNumbers(id, ['+46700000002', '+46700000001'])
      expect((await db.store.loadCompanyConfig(id))?.vipNumbers).toEqual([
        '+46700000002',
        '+46700000001',
      ])
      await db.store.deleteCompany(id)
      expect((await db.store.listCompanies()).some((c) => c.id === id)).toBe(false)
      expect(await db.store.loadCompanyConfig(id)).toBeNull()
    })

    it('deleting a company deletes every row of it, logs included', async () => {
      const config = await imported()
      const anne = uid(config.id, 'anne')
      await db.store.setPassword(anne, 'hash', t0)
      await db.store.createSession(session(tokenHash(), config.id, anne))
      await db.store.setAbsence(config.id, anne, {
        reason: 'lunch',
        note: null,
        since: t0,
        until: null,
        forwardTo: null,
      })
      await db.store.appendCallLog([
        userLog(config.id, 'c1', anne, t0),
        queueLog(config.id, 'c1', 'salg', t0),
      ])
      await db.store.deleteCompany(config.id)
      for (const table of [
        'users',
        'queues',
        'queue_members',
        'queue_numbers',
        'vip_numbers',
        'absences',
        'sessions',
        'user_call_log',
        'queue_call_log',
      ] as const) {
        const row = await db.sql
          .selectFrom(table)
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .where('company_id', '=', config.id)
          .executeTakeFirstOrThrow()
        expect(Number(row.n), table).toBe(0)
      }
      expect(await db.store.getCredential(anne)).toBeNull()
    })

    it('rejects an import whose users lack an account, writing nothing', async () => {
      const config = realisticCompany(freshCompanyId())
      const accounts = accountsFor(config).slice(0, -1)
      await expect(importCompany(db.store, config, accounts)).rejects.toThrow(/no account/)
      expect(await db.store.loadCompanyConfig(config.id)).toBeNull()
      expect(await db.store.getUser(config.id, config.users[0]?.id ?? '')).toBeNull()
    })
  })

  describe('users', () => {
    it('saves, updates in place and lists users in a stable order', async () => {
      const co = freshCompanyId()
      await db.store.saveCompany(companySettings(co))
      const eva = userRecord(co, 'eva', { username: 'Eva.Lund@' + co, role: 'operator' })
      const ali = userRecord(co, 'ali')
      await db.store.saveUser(eva)
      await db.store.saveUser(ali)
      expect(await db.store.getUser(co, eva.id)).toEqual({
        ...eva,
        username: eva.username.toLowerCase(),
      })
      const updated = {
        ...eva,
        username: eva.username.toLowerCase(),
        mobile: '+4799999999',
        presentableNumbers: ['+4722000000', '+4799999999'],
        forwardOnBusy: '+4799999999',
        forwardOnNoAnswer: { to: '+4799999999', afterSeconds: 12 },
        extraTerminal: '+4799999999',
        functions: ['switchboard' as const, 'sms' as const],
        blocked: true,
      }
      await db.store.saveUser(updated)
      expect(await db.store.getUser(co, eva.id)).toEqual(updated)
      // Updating eva did not move her after ali.
      expect((await db.store.listUsers(co)).map((u) => u.id)).toEqual([eva.id, ali.id])
      await db.store.saveUser({ ...updated, presentableNumbers: [], forwardOnNoAnswer: null })
      expect(await db.store.getUser(co, eva.id)).toMatchObject({
        presentableNumbers: [],
        forwardOnNoAnswer: null,
      })
      expect(await db.store.getUser(co, 'nobody')).toBeNull()
    })

    it('refuses a username taken by another user, and a user id of another company', async () => {
      const a = freshCompanyId()
      const b = freshCompanyId()
      await db.store.saveCompany(companySettings(a))
      await db.store.saveCompany(companySettings(b))
      const eva = userRecord(a, 'eva')
      await db.store.saveUser(eva)
      await expect(
        db.store.saveUser(userRecord(b, 'ola', { username: eva.username.toUpperCase() })),
      ).rejects.toThrow()
      await expect(db.store.saveUser({ ...eva, companyId: b })).rejects.toThrow(/another company/)
      expect(await db.store.getUser(a, eva.id)).toMatchObject({ companyId: a })
      expect(await db.store.listUsers(b)).toEqual([])
    })

    it('deletes a user with credential, sessions, absence, memberships and numbers; logs stay', async () => {
      const config = await imported()
      const anne = uid(config.id, 'anne')
      const bjorn = uid(config.id, 'bjorn')
      const tokens = [tokenHash(), tokenHash()]
      const kept = tokenHash()
      await db.store.setPassword(anne, 'hash-a', t0)
      for (const token of tokens) await db.store.createSession(session(token, config.id, anne))
      await db.store.createSession(session(kept, config.id, bjorn))
      await db.store.setAbsence(config.id, anne, {
        reason: 'vacation',
        note: 'Syden',
        since: t0,
        until: t0 + 7 * 86_400_000,
        forwardTo: '201',
      })
      await db.store.appendCallLog([userLog(config.id, 'c-anne', anne, t0)])

      await db.store.deleteUser(config.id, anne)

      expect(await db.store.getUser(config.id, anne)).toBeNull()
      expect(await db.store.getCredential(anne)).toBeNull()
      expect(await db.store.getCredentialByUsername(`anne.hansen@${config.id}`)).toBeNull()
      for (const token of tokens) expect(await db.store.getSession(token)).toBeNull()
      expect(await db.store.getSession(kept)).not.toBeNull()
      expect(await db.store.listAbsences(config.id)).toEqual([])
      const memberships = await db.store.listMemberships(config.id)
      expect(memberships.some((m) => m.userId === anne)).toBe(false)
      expect(memberships.some((m) => m.userId === bjorn)).toBe(true)
      const loaded = await db.store.loadCompanyConfig(config.id)
      expect(loaded?.queues.flatMap((q) => q.members.map((m) => m.userId))).not.toContain(anne)
      const numbers = await db.sql
        .selectFrom('user_presentable_numbers')
        .select('number')
        .where('user_id', '=', anne)
        .execute()
      expect(numbers).toEqual([])
      // The call log is the company's record: it stays until the retention purge.
      const log = await db.store.userCallLog(config.id, anne, { limit: 10 })
      expect(log.map((r) => r.callId)).toEqual(['c-anne'])
    })

    it('deleteUser in the wrong company deletes nothing', async () => {
      const config = await imported()
      const anne = uid(config.id, 'anne')
      await db.store.deleteUser(freshCompanyId(), anne)
      expect(await db.store.getUser(config.id, anne)).not.toBeNull()
    })
  })

  describe('queues', () => {
    it('saves a new queue after the others and updates one in place', async () => {
      const config = await imported()
      const anne = uid(config.id, 'anne')
      const dag = uid(config.id, 'dag')
      const [sentralbord] = config.queues
      if (!sentralbord) throw new Error('fixture')
      const retur = {
        ...sentralbord,
        id: 'retur',
        name: 'Retur',
        numbers: ['+4722000020'],
        strategy: 'longest-idle' as const,
        members: [{ userId: dag, penalty: 0, loggedIn: false }],
        openingHours: null,
        overflow: null,
      }
      await db.store.saveQueue(config.id, retur)
      const renamed = {
        ...sentralbord,
        name: 'Resepsjon',
        numbers: ['+4722000009', '+4722000008'],
        members: [
          { userId: anne, penalty: 1, loggedIn: true },
          { userId: dag, penalty: 0, loggedIn: true },
        ],
        openingHours: { weekly: { sat: [{ from: 600, to: 840 }] }, exceptions: {} },
        closedDestination: { kind: 'user' as const, userId: anne },
      }
      await db.store.saveQueue(config.id, renamed)
      const queues = await db.store.listQueues(config.id)
      expect(queues.map((q) => q.id)).toEqual(['sentralbord', 'salg', 'kveld', 'retur'])
      expect(queues[0]).toEqual(renamed)
      expect(queues[3]).toEqual(retur)
      // The number the queue gave up can be taken by another queue of the company.
      await db.store.saveQueue(config.id, { ...retur, numbers: ['+4722000020', '+4722000000'] })
      expect((await db.store.listQueues(config.id))[3]?.numbers).toEqual([
        '+4722000020',
        '+4722000000',
      ])
    })

    it('refuses a number another queue of the company has, but not one of another company', async () => {
      const a = await imported()
      const b = await imported()
      const salg = a.queues[1]
      if (!salg) throw new Error('fixture')
      await expect(
        db.store.saveQueue(a.id, { ...salg, numbers: ['+4722000000'] }),
      ).rejects.toThrow()
      expect((await db.store.listQueues(a.id))[1]?.numbers).toEqual(['+4722000010'])
      expect((await db.store.listQueues(b.id)).map((q) => q.numbers)).toEqual(
        b.queues.map((q) => q.numbers),
      )
    })

    it('refuses a member who is not a user of the company', async () => {
      const a = await imported()
      const b = await imported()
      const kveld = a.queues[2]
      if (!kveld) throw new Error('fixture')
      const stranger = uid(b.id, 'anne')
      await expect(
        db.store.saveQueue(a.id, {
          ...kveld,
          members: [{ userId: stranger, penalty: 0, loggedIn: true }],
        }),
      ).rejects.toThrow()
      expect((await db.store.listQueues(a.id))[2]?.members).toEqual([])
    })

    it('deletes a queue with its numbers and memberships; its call log stays', async () => {
      const config = await imported()
      await db.store.appendCallLog([queueLog(config.id, 'c1', 'salg', t0)])
      await db.store.deleteQueue(config.id, 'salg')
      const queues = await db.store.listQueues(config.id)
      expect(queues.map((q) => q.id)).toEqual(['sentralbord', 'kveld'])
      expect((await db.store.listMemberships(config.id)).some((m) => m.queueId === 'salg')).toBe(
        false,
      )
      const numbers = await db.sql
        .selectFrom('queue_numbers')
        .select('number')
        .where('company_id', '=', config.id)
        .where('queue_id', '=', 'salg')
        .execute()
      expect(numbers).toEqual([])
      expect(await db.store.queueCallLog(config.id, ['salg'], { limit: 5 })).toHaveLength(1)
    })
  })

  describe('run-time state', () => {
    it('absences round trip, replace and clear', async () => {
      const config = await imported()
      const anne = uid(config.id, 'anne')
      const dag = uid(config.id, 'dag')
      const lunch = {
        reason: 'lunch' as const,
        note: null,
        since: t0,
        until: t0 + 1_800_000,
        forwardTo: null,
      }
      const travel = {
        reason: 'travel' as const,
        note: 'Bergen',
        since: t0,
        until: null,
        forwardTo: '+4791000001',
      }
      await db.store.setAbsence(config.id, dag, lunch)
      await db.store.setAbsence(config.id, anne, travel)
      const sorted = (await db.store.listAbsences(config.id)).sort((x, y) =>
        x.userId.localeCompare(y.userId),
      )
      expect(sorted).toEqual([
        { userId: anne, absence: travel },
        { userId: dag, absence: lunch },
      ])
      const sick = { ...lunch, reason: 'sick' as const, note: 'Influensa' }
      await db.store.setAbsence(config.id, dag, sick)
      await db.store.setAbsence(config.id, anne, null)
      expect(await db.store.listAbsences(config.id)).toEqual([{ userId: dag, absence: sick }])
    })

    it('membership state round trips and leaves the configured start state alone', async () => {
      const config = await imported()
      const anne = uid(config.id, 'anne')
      const bjorn = uid(config.id, 'bjorn')
      const initial = await db.store.listMemberships(config.id)
      expect(initial).toEqual([
        { queueId: 'sentralbord', userId: bjorn, loggedIn: false, paused: null },
        { queueId: 'sentralbord', userId: anne, loggedIn: true, paused: null },
        { queueId: 'sentralbord', userId: uid(config.id, 'cecilie'), loggedIn: true, paused: null },
        { queueId: 'salg', userId: uid(config.id, 'dag'), loggedIn: true, paused: null },
        { queueId: 'salg', userId: uid(config.id, 'cecilie'), loggedIn: true, paused: null },
      ])
      await db.store.setMembership(config.id, {
        queueId: 'sentralbord',
        userId: anne,
        loggedIn: true,
        paused: { reason: 'Lunsj', since: t0 },
      })
      await db.store.setMembership(config.id, {
        queueId: 'sentralbord',
        userId: bjorn,
        loggedIn: true,
        paused: null,
      })
      const after = await db.store.listMemberships(config.id)
      expect(after[0]).toEqual({
        queueId: 'sentralbord',
        userId: bjorn,
        loggedIn: true,
        paused: null,
      })
      expect(after[1]).toEqual({
        queueId: 'sentralbord',
        userId: anne,
        loggedIn: true,
        paused: { reason: 'Lunsj', since: t0 },
      })
      expect(after.slice(2)).toEqual(initial.slice(2))
      // The configuration still says how members start.
      expect(await db.store.loadCompanyConfig(config.id)).toEqual(config)
      // Saving the queue again keeps the state of members who stay.
      const sentralbord = config.queues[0]
      if (!sentralbord) throw new Error('fixture')
      await db.store.saveQueue(config.id, { ...sentralbord, name: 'Sentralbordet' })
      expect((await db.store.listMemberships(config.id))[1]?.paused).toEqual({
        reason: 'Lunsj',
        since: t0,
      })
      // State for someone who is not a member changes nothing.
      await db.store.setMembership(config.id, {
        queueId: 'kveld',
        userId: anne,
        loggedIn: true,
        paused: null,
      })
      expect(await db.store.listMemberships(config.id)).toHaveLength(5)
    })
  })
})
