import { describe, expect, it } from 'vitest'
import type { TrailEntry } from '../../../src/shared/model'
import { forEachDatabase } from '../../helpers/databases'
import {
  companySettings,
  freshCompanyId,
  note,
  queueEvent,
  queueLog,
  t0,
  userLog,
} from './fixtures'

const minute = 60_000
const stored = { calledBackBy: null, calledBackAt: null }

forEachDatabase('calls, events, trails and notes', (db) => {
  async function company(): Promise<string> {
    const co = freshCompanyId()
    await db.store.saveCompany(companySettings(co))
    return co
  }

  describe('call log', () => {
    it("a user's log holds only that user's calls, newest first, paged by limit and before", async () => {
      const co = await company()
      const kari = `${co}:kari`
      const ola = `${co}:ola`
      const karis = [0, 1, 2, 3, 4].map((i) =>
        userLog(co, `k${i}`, kari, t0 + i * minute, {
          direction: i % 2 === 0 ? 'incoming' : 'outgoing',
          queueId: i === 2 ? 'salg' : null,
          queueName: i === 2 ? 'Salg' : null,
          presentedNumber: i === 1 ? '+4722000000' : null,
          answered: i !== 3,
          answeredAt: i !== 3 ? t0 + i * minute + 3_000 : null,
          talkMs: i !== 3 ? 12_345 : 0,
          transferredTo: i === 4 ? { kind: 'user', userId: ola } : null,
          counterpart: { number: `+479000000${i}`, name: i === 0 ? 'Per' : null, userId: null },
        }),
      )
      const olas = [userLog(co, 'o1', ola, t0 + 2 * minute + 1)]
      // Appended out of order, in two batches.
      await db.store.appendCallLog([karis[3], karis[0], ...olas].filter((r) => r !== undefined))
      await db.store.appendCallLog([karis[4], karis[2], karis[1]].filter((r) => r !== undefined))

      const all = await db.store.userCallLog(co, kari, { limit: 10 })
      expect(all).toEqual([...karis].reverse().map((r) => ({ ...r, ...stored })))

      const first = await db.store.userCallLog(co, kari, { limit: 2 })
      expect(first.map((r) => r.callId)).toEqual(['k4', 'k3'])
      const second = await db.store.userCallLog(co, kari, {
        limit: 2,
        before: first[first.length - 1]?.startedAt,
      })
      expect(second.map((r) => r.callId)).toEqual(['k2', 'k1'])
      const last = await db.store.userCallLog(co, kari, {
        limit: 2,
        before: second[second.length - 1]?.startedAt,
      })
      expect(last.map((r) => r.callId)).toEqual(['k0'])

      const window = await db.store.userCallLog(co, kari, {
        limit: 10,
        from: t0 + minute,
        to: t0 + 3 * minute,
      })
      expect(window.map((r) => r.callId)).toEqual(['k2', 'k1'])
      expect(await db.store.userCallLog(co, `${co}:nobody`, { limit: 10 })).toEqual([])
    })

    it("the switchboard log holds every user's calls of the company, newest first", async () => {
      const co = await company()
      const records = [
        userLog(co, 'a', `${co}:kari`, t0),
        userLog(co, 'b', `${co}:ola`, t0 + minute),
        userLog(co, 'c', `${co}:kari`, t0 + 2 * minute),
      ]
      await db.store.appendCallLog(records)
      const log = await db.store.allUserCallLogs(co, { limit: 10 })
      expect(log.map((r) => [r.callId, r.userId])).toEqual([
        ['c', `${co}:kari`],
        ['b', `${co}:ola`],
        ['a', `${co}:kari`],
      ])
      const page = await db.store.allUserCallLogs(co, { limit: 1, before: t0 + 2 * minute })
      expect(page.map((r) => r.callId)).toEqual(['b'])
    })

    it('appending the same record again stores it once', async () => {
      const co = await company()
      const record = userLog(co, 'x', `${co}:kari`, t0)
      const queued = queueLog(co, 'x', 'salg', t0)
      await db.store.appendCallLog([record, queued])
      await db.store.appendCallLog([record, queued])
      expect(await db.store.allUserCallLogs(co, { limit: 10 })).toHaveLength(1)
      expect(await db.store.queueCallLog(co, ['salg'], { limit: 10 })).toHaveLength(1)
    })

    it('the queue log holds only the queues asked for', async () => {
      const co = await company()
      const records = [
        queueLog(co, 'c1', 'salg', t0, {
          outcome: 'answered',
          answeredAt: t0 + 5_000,
          answeredBy: `${co}:kari`,
          waitMs: 5_000,
          talkMs: 40_000,
          vip: true,
          caller: { number: '+4790000001', name: 'VIP', userId: null },
        }),
        queueLog(co, 'c2', 'sentralbord', t0 + minute, {
          outcome: 'timeout',
          overflowTo: { kind: 'queue', queueId: 'salg' },
        }),
        queueLog(co, 'c2', 'salg', t0 + 2 * minute, {
          outcome: 'transferred',
          transferredTo: { kind: 'external', number: '+4791111111' },
        }),
        queueLog(co, 'c3', 'kveld', t0 + 3 * minute),
      ]
      await db.store.appendCallLog(records)
      const salg = await db.store.queueCallLog(co, ['salg'], { limit: 10 })
      expect(salg).toEqual([records[2], records[0]].map((r) => ({ ...r, ...stored })))
      const two = await db.store.queueCallLog(co, ['salg', 'sentralbord'], { limit: 10 })
      expect(two.map((r) => [r.callId, r.queueId])).toEqual([
        ['c2', 'salg'],
        ['c2', 'sentralbord'],
        ['c1', 'salg'],
      ])
      const paged = await db.store.queueCallLog(co, ['salg', 'sentralbord'], {
        limit: 1,
        before: t0 + 2 * minute,
      })
      expect(paged.map((r) => [r.callId, r.queueId])).toEqual([['c2', 'sentralbord']])
      expect(await db.store.queueCallLog(co, [], { limit: 10 })).toEqual([])
    })

    it("a caller's history holds that number's calls only, newest first", async () => {
      const co = await company()
      const kari = { number: '+4790000001', name: 'Kari', userId: null }
      const other = { number: '+4790000002', name: null, userId: null }
      await db.store.appendCallLog([
        queueLog(co, 'c1', 'salg', t0, { caller: kari }),
        queueLog(co, 'c2', 'salg', t0 + minute, { caller: other }),
        queueLog(co, 'c3', 'sentralbord', t0 + 2 * minute, { caller: kari }),
        queueLog(co, 'c4', 'salg', t0 + 3 * minute, { caller: kari }),
      ])
      const history = await db.store.callerHistory(co, kari.number, { limit: 10 })
      expect(history.map((r) => r.callId)).toEqual(['c4', 'c3', 'c1'])
      const page = await db.store.callerHistory(co, kari.number, {
        limit: 1,
        before: t0 + 3 * minute,
      })
      expect(page.map((r) => r.callId)).toEqual(['c3'])
      expect(await db.store.callerHistory(co, '+4799999999', { limit: 10 })).toEqual([])
    })

    it('a callback mark shows on the user and the queue records of the call, and the first stands', async () => {
      const co = await company()
      const kari = `${co}:kari`
      const ola = `${co}:ola`
      await db.store.appendCallLog([
        userLog(co, 'missed', kari, t0, { answered: false, answeredAt: null, talkMs: 0 }),
        queueLog(co, 'missed', 'salg', t0),
        queueLog(co, 'missed', 'sentralbord', t0),
        userLog(co, 'other', kari, t0 + minute),
        queueLog(co, 'other', 'salg', t0 + minute),
      ])
      await db.store.markCalledBack({
        companyId: co,
        callId: 'missed',
        by: ola,
        at: t0 + 10 * minute,
        how: 'marked',
      })
      await db.store.markCalledBack({
        companyId: co,
        callId: 'missed',
        by: kari,
        at: t0 + 20 * minute,
        how: 'reached',
      })
      const mark = { calledBackBy: ola, calledBackAt: t0 + 10 * minute }
      const users = await db.store.userCallLog(co, kari, { limit: 10 })
      expect(users.find((r) => r.callId === 'missed')).toMatchObject(mark)
      expect(users.find((r) => r.callId === 'other')).toMatchObject(stored)
      const queues = await db.store.queueCallLog(co, ['salg', 'sentralbord'], { limit: 10 })
      for (const r of queues.filter((q) => q.callId === 'missed')) expect(r).toMatchObject(mark)
      expect(queues.filter((q) => q.callId === 'missed')).toHaveLength(2)
      expect(queues.find((r) => r.callId === 'other')).toMatchObject(stored)
      expect(
        (await db.store.callerHistory(co, '+4798765432', { limit: 10 })).find(
          (r) => r.callId === 'missed',
        ),
      ).toMatchObject(mark)
    })
  })

  describe('queue events', () => {
    it('returns the events of [from, to), oldest first, same-millisecond ones in append order', async () => {
      const co = await company()
      const events = [
        queueEvent(co, t0, { kind: 'enter', callId: 'c1' }),
        queueEvent(co, t0 + 1_000, { kind: 'offer', callId: 'c1', agentId: `${co}:kari` }),
        queueEvent(co, t0 + 1_000, {
          kind: 'ring-no-answer',
          callId: 'c1',
          agentId: `${co}:kari`,
          reason: 'timeout',
        }),
        queueEvent(co, t0 + 1_000, { kind: 'offer', callId: 'c1', agentId: `${co}:ola` }),
        queueEvent(co, t0 + 5_000, {
          kind: 'exit-timeout',
          callId: 'c1',
          waitMs: 5_000,
          destination: { kind: 'queue', queueId: 'salg' },
        }),
        queueEvent(co, t0 + 9_000, {
          kind: 'pause',
          queueId: 'salg',
          callId: null,
          agentId: `${co}:ola`,
          callerNumber: null,
          reason: 'Lunsj',
        }),
      ]
      await db.store.appendQueueEvents(events.slice(0, 2))
      await db.store.appendQueueEvents(events.slice(2))
      expect(await db.store.queueEvents(co, t0, t0 + 10_000)).toEqual(events)
      expect(await db.store.queueEvents(co, t0 + 1_000, t0 + 9_000)).toEqual(events.slice(1, 5))
      expect(await db.store.queueEvents(co, t0 + 9_001, t0 + 20_000)).toEqual([])
    })
  })

  describe('trails', () => {
    it('saves, replaces and gets the routing trail of a call', async () => {
      const co = await company()
      const trail: TrailEntry[] = [
        {
          kind: 'route',
          at: t0,
          dialed: '+4722000000',
          to: { kind: 'queue', queueId: 'salg' },
          note: 'main',
        },
        {
          kind: 'offer',
          at: t0 + 10,
          queueId: 'salg',
          strategy: 'longest-idle',
          rankedBy: 'idle-ms',
          ranked: [
            { userId: `${co}:kari`, value: 120_000 },
            { userId: `${co}:ola`, value: 5_000 },
          ],
          chosen: [`${co}:kari`],
          skipped: [{ userId: `${co}:per`, reason: 'paused' }],
        },
        { kind: 'exit', at: t0 + 60_000, queueId: 'salg', reason: 'timeout', to: null },
      ]
      await db.store.saveTrail(co, 'c1', trail, t0 + 61_000)
      expect(await db.store.getTrail(co, 'c1')).toEqual(trail)
      const longer: TrailEntry[] = [
        ...trail,
        {
          kind: 'transfer',
          at: t0 + 61_000,
          by: `${co}:kari`,
          to: { kind: 'user', userId: `${co}:ola` },
          mode: 'blind',
        },
      ]
      await db.store.saveTrail(co, 'c1', longer, t0 + 62_000)
      expect(await db.store.getTrail(co, 'c1')).toEqual(longer)
      expect(await db.store.getTrail(co, 'c2')).toBeNull()
    })
  })

  describe('notes', () => {
    it('adds, lists newest first by number, and deletes notes', async () => {
      const co = await company()
      const author = `${co}:kari`
      const number = '+4790000001'
      const notes = [
        note(co, 'n1', number, author, t0),
        note(co, 'n2', number, author, t0 + minute),
        note(co, 'n3', '+4790000002', author, t0 + 2 * minute),
        note(co, 'n4', number, `${co}:ola`, t0 + 3 * minute),
      ]
      for (const n of notes) await db.store.addNote(n)
      expect(await db.store.notesFor(co, number)).toEqual([notes[3], notes[1], notes[0]])
      expect(await db.store.deleteNote(co, 'n2')).toBe(true)
      expect(await db.store.deleteNote(co, 'n2')).toBe(false)
      expect((await db.store.notesFor(co, number)).map((n) => n.id)).toEqual(['n4', 'n1'])
      expect((await db.store.notesFor(co, '+4790000002')).map((n) => n.id)).toEqual(['n3'])
      expect(await db.store.notesFor(co, '+4711111111')).toEqual([])
    })
  })
})
