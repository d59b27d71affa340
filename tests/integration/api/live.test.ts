/**
 * Live state over the socket: per-stream sequence numbers without gaps, a client's copy built
 * from snapshot + deltas equal to a fresh snapshot, and a dropped connection that comes back
 * with what it missed.
 */
import { io as connect } from 'socket.io-client'
import { expect, it } from 'vitest'
import { LiveCopy } from '../../../src/shared/live-copy'
import type { StateDelta, StateSnapshot } from '../../../src/shared/protocol'
import { forEachDatabase } from '../../helpers/databases'
import { startTestCore, testCompany, type Client, type TestCore } from '../../helpers/test-core'

/** A client's copy (the shared LiveCopy), counting gaps instead of resyncing. */
class ClientCopy {
  gaps = 0
  readonly copy: LiveCopy

  constructor(snapshot: StateSnapshot) {
    this.copy = new LiveCopy(snapshot)
  }

  get seqs() {
    return this.copy.seqs
  }

  apply(d: StateDelta): void {
    if (!this.copy.apply(d)) this.gaps++
  }

  static view(s: {
    calls: unknown[]
    agents: unknown[]
    users: unknown[]
    queues: unknown[]
    missed: unknown[]
  }) {
    const sorted = (list: unknown[]) => list.map((o) => JSON.stringify(o)).sort()
    return {
      calls: sorted(s.calls),
      agents: sorted(s.agents),
      users: sorted(s.users),
      queues: sorted(s.queues),
      missed: sorted(s.missed),
    }
  }

  view() {
    const c = this.copy.data
    return ClientCopy.view({
      calls: Object.values(c.calls),
      agents: Object.values(c.agents),
      users: Object.values(c.users),
      queues: Object.values(c.queues),
      missed: Object.values(c.missed),
    })
  }
}

forEachDatabase('live state', (db) => {
  async function withCore(
    fn: (core: TestCore, a: ReturnType<typeof testCompany>) => Promise<void>,
    options: { recoveryMs?: number } = {},
  ) {
    const a = testCompany('live')
    const core = await startTestCore(db.store, [a], options)
    try {
      await fn(core, a)
    } finally {
      await core.stop()
    }
  }

  /** Calls that arrive, ring, get answered, wait, give up, and end, in both queues. */
  async function traffic(core: TestCore, a: ReturnType<typeof testCompany>, label: string) {
    const rt = core.core.runtime
    const companyId = a.id
    for (let i = 0; i < 4; i++)
      rt.dispatch({
        type: 'caller.arrived',
        companyId,
        legId: `${label}-${i}`,
        from: `9100000${i}`,
        to: i % 2 ? a.numbers.queueB : a.numbers.queueA,
      })
    const co = rt.state.companies.get(companyId)!
    for (const leg of [...co.legs.values()])
      if (leg.role === 'offer') rt.dispatch({ type: 'leg.answered', companyId, legId: leg.id })
    rt.dispatch({ type: 'leg.hung-up', companyId, legId: `${label}-0` })
    rt.dispatch({ type: 'leg.hung-up', companyId, legId: `${label}-3` })
    rt.dispatch({ type: 'leg.hung-up', companyId, legId: `${label}-2` })
    await core.core.app.recorder.flushed()
    await new Promise((r) => setTimeout(r, 150))
  }

  it('every role’s copy from snapshot + deltas equals a fresh snapshot, with no gap in any stream', async () => {
    await withCore(async (core, a) => {
      for (const who of [a.usernames.user, a.usernames.op1, a.usernames.boss]) {
        const client = await core.client(who)
        const copy = new ClientCopy(client.snapshot)
        client.socket.on('state:delta', (d: StateDelta) => copy.apply(d))
        await traffic(core, a, `t-${who}`)
        const fresh = (await client.socket.emitWithAck('state:resync')) as { data: StateSnapshot }
        expect(copy.gaps).toBe(0)
        expect(copy.view()).toEqual(ClientCopy.view(fresh.data))
        expect(copy.seqs).toEqual(fresh.data.streams)
        client.socket.disconnect()
      }
    })
  })

  it('a client whose connection drops comes back with what it missed, in order', async () => {
    await withCore(async (core, a) => {
      const { token } = await core.login(a.usernames.boss)
      const socket: Client = connect(core.url, {
        auth: { token },
        transports: ['websocket'],
        reconnectionDelay: 50,
        reconnectionDelayMax: 100,
      })
      const snapshot = await new Promise<StateSnapshot>((resolve) =>
        socket.once('state:snapshot', resolve),
      )
      const copy = new ClientCopy(snapshot)
      let snapshots = 0
      socket.on('state:snapshot', () => snapshots++)
      socket.on('state:delta', (d: StateDelta) => copy.apply(d))
      await traffic(core, a, 'before')
      const back = new Promise<void>((resolve) => socket.io.once('reconnect', () => resolve()))
      socket.io.engine.close() // the network drops; the client reconnects by itself
      await traffic(core, a, 'during')
      await back
      await new Promise((r) => setTimeout(r, 200))
      expect(socket.recovered).toBe(true)
      expect(snapshots).toBe(0)
      expect(copy.gaps).toBe(0)
      const fresh = (await socket.emitWithAck('state:resync')) as { data: StateSnapshot }
      expect(copy.view()).toEqual(ClientCopy.view(fresh.data))
      socket.disconnect()
    })
  })

  it('a company nobody watches publishes nothing; the next client gets a snapshot, then exact deltas', async () => {
    const recoveryMs = 100
    await withCore(
      async (core, a) => {
        // Nobody has ever connected: calls come and go, and no stream moves on.
        await traffic(core, a, 'unwatched')
        const first = await core.client(a.usernames.boss)
        expect(Object.values(first.snapshot.streams).every((seq) => seq === 0)).toBe(true)
        const live = first.snapshot.calls.map((c) => c.id)
        expect(live.length).toBeGreaterThan(0)

        // Watched from here: a call from the unwatched time ends and must leave every stream
        // it is on (the core knows them again), and new traffic flows.
        const op = await core.client(a.usernames.op1)
        const copies = [first, op].map((client) => {
          const copy = new ClientCopy(client.snapshot)
          client.socket.on('state:delta', (d: StateDelta) => copy.apply(d))
          return { client, copy }
        })
        const rt = core.core.runtime
        const co = rt.state.companies.get(a.id)!
        for (const leg of [...co.legs.values()])
          if (leg.role === 'caller')
            rt.dispatch({ type: 'leg.hung-up', companyId: a.id, legId: leg.id })
        await traffic(core, a, 'watched')
        let seqs: Record<string, number> = {}
        for (const { client, copy } of copies) {
          const fresh = (await client.socket.emitWithAck('state:resync')) as {
            data: StateSnapshot
          }
          expect(copy.gaps).toBe(0)
          expect(copy.view()).toEqual(ClientCopy.view(fresh.data))
          expect(fresh.data.calls.some((c) => live.includes(c.id))).toBe(false)
          if (client === first) seqs = fresh.data.streams
          client.socket.disconnect()
        }
        expect(seqs.calls).toBeGreaterThan(0)

        // Everyone left and their recovery time is over: quiet again, no stream moves on.
        await new Promise((r) => setTimeout(r, 3 * recoveryMs))
        await traffic(core, a, 'unwatched-again')
        const again = await core.client(a.usernames.boss)
        expect(again.snapshot.streams).toEqual(seqs)
        expect(again.snapshot.calls.length).toBeGreaterThan(0)
      },
      { recoveryMs },
    )
  })
})
