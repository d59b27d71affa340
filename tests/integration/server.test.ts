import { afterEach, describe, expect, it } from 'vitest'
import type { StateDelta, StateSnapshot } from '../../src/shared/protocol'
import { company, queue, user } from '../helpers/company'
import { next, startCore, type Client } from '../helpers/core-server'

const Q = '+4722000000'
const acme = company({
  users: [user('anna'), user('bjorn')],
  queues: [queue('front', ['anna', 'bjorn'], { numbers: [Q], strategy: 'ring-all' })],
})
const other = company({
  id: 'other',
  users: [user('eve')],
  queues: [queue('evil', ['eve'], { numbers: ['+4733000000'] })],
})

let core: Awaited<ReturnType<typeof startCore>>
afterEach(async () => core?.close())

async function connectWithSnapshot(
  companyId: string,
): Promise<{ socket: Client; snapshot: StateSnapshot }> {
  const socket = core.rawClient({ companyId })
  const snapshot = await next<StateSnapshot>(socket, 'state:snapshot')
  return { socket, snapshot }
}

describe('the headless core over Socket.IO', () => {
  it('sends a snapshot on connect, then numbered deltas that both clients receive', async () => {
    core = await startCore([acme, other])
    const a = await connectWithSnapshot('acme')
    const b = await connectWithSnapshot('acme')
    expect(a.snapshot.seq).toBe(0)
    expect(a.snapshot.snapshot.users.map((u) => u.id)).toEqual(['anna', 'bjorn'])
    const deltaA = next<StateDelta>(a.socket, 'state:delta')
    const deltaB = next<StateDelta>(b.socket, 'state:delta')
    core.runtime.dispatch({
      type: 'caller.arrived',
      companyId: 'acme',
      legId: 'l1',
      from: '91000001',
      to: Q,
    })
    const [da, db] = await Promise.all([deltaA, deltaB])
    expect(da).toEqual(db)
    expect(da.seq).toBe(1)
    const call = da.deltas.find((d) => d.entity === 'call')
    expect(call && call.op === 'upsert' && call.call).toMatchObject({
      state: 'queued',
      remote: { number: '+4791000001' },
      offeredTo: ['anna', 'bjorn'],
    })
    const again = next<StateDelta>(a.socket, 'state:delta')
    core.runtime.dispatch({ type: 'leg.hung-up', companyId: 'acme', legId: 'l1' })
    expect((await again).seq).toBe(2)
  })

  it('a late joiner’s snapshot contains the live call and the seq it is current to', async () => {
    core = await startCore([acme])
    core.runtime.dispatch({
      type: 'caller.arrived',
      companyId: 'acme',
      legId: 'l1',
      from: '91000001',
      to: Q,
    })
    const { snapshot } = await connectWithSnapshot('acme')
    expect(snapshot.seq).toBe(core.app.seq('acme'))
    expect(snapshot.snapshot.calls).toHaveLength(1)
    expect(snapshot.snapshot.queues[0]).toMatchObject({ id: 'front', waiting: 1 })
  })

  it('never sends one company’s state to another company’s clients', async () => {
    core = await startCore([acme, other])
    const mine = await connectWithSnapshot('other')
    const received: StateDelta[] = []
    mine.socket.on('state:delta', (d) => received.push(d))
    const theirs = await connectWithSnapshot('acme')
    const seen = next<StateDelta>(theirs.socket, 'state:delta')
    core.runtime.dispatch({
      type: 'caller.arrived',
      companyId: 'acme',
      legId: 'l1',
      from: '91000001',
      to: Q,
    })
    await seen
    await new Promise((r) => setTimeout(r, 50))
    expect(received).toEqual([])
    expect(mine.snapshot.snapshot.users.map((u) => u.id)).toEqual(['eve'])
  })

  it('answers resync with a fresh snapshot and call:trail with the why-trail', async () => {
    core = await startCore([acme])
    const { socket } = await connectWithSnapshot('acme')
    core.runtime.dispatch({
      type: 'caller.arrived',
      companyId: 'acme',
      legId: 'l1',
      from: '91000001',
      to: Q,
    })
    const snap = await socket.emitWithAck('state:resync')
    expect('data' in snap && snap.data.snapshot.calls.length).toBe(1)
    const callId = 'data' in snap ? snap.data.snapshot.calls[0]!.id : ''
    const trail = await socket.emitWithAck('call:trail', { callId })
    expect('data' in trail && trail.data.map((e) => e.kind)).toEqual(['route', 'offer'])
  })

  it('rejects bad payloads and unknown events with an error code, and keeps serving', async () => {
    core = await startCore([acme])
    const { socket } = await connectWithSnapshot('acme')
    const bad = await socket.emitWithAck('call:trail', { callId: 42 } as never)
    expect(bad).toEqual({
      error: { code: 'BAD_REQUEST', message: expect.stringContaining('callId') as string },
    })
    const missing = await socket.emitWithAck('call:trail', { callId: 'nope' })
    expect('error' in missing && missing.error.code).toBe('NOT_FOUND')
    const unknown = await (
      socket as unknown as { emitWithAck: (e: string, p: unknown) => Promise<unknown> }
    ).emitWithAck('call:explode', {})
    expect(unknown).toMatchObject({ error: { code: 'UNKNOWN_EVENT' } })
    const fine = await socket.emitWithAck('state:resync')
    expect('data' in fine).toBe(true)
  })

  it('refuses a handshake for an unknown company or without one', async () => {
    core = await startCore([acme])
    for (const auth of [{ companyId: 'nope' }, {}]) {
      const socket = core.rawClient(auth)
      const error = await new Promise<Error>((resolve) => socket.once('connect_error', resolve))
      expect(error.message).toMatch(/UNKNOWN_COMPANY|BAD_REQUEST/)
    }
  })

  it('serves GET /healthz', async () => {
    core = await startCore([acme])
    core.runtime.dispatch({
      type: 'caller.arrived',
      companyId: 'acme',
      legId: 'l1',
      from: '91000001',
      to: Q,
    })
    const res = await fetch(`${core.url}/healthz`)
    expect(res.status).toBe(200)
    expect(await res.json()).toMatchObject({ status: 'ok', companies: 1, calls: 1 })
    expect((await fetch(`${core.url}/nope`)).status).toBe(404)
  })
})
