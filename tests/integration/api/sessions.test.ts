/**
 * Sessions: logout, password change, refresh, idle and absolute ends, throttling — with a
 * virtual clock for the session's time (sockets and HTTP are real).
 */
import { expect, it } from 'vitest'
import { VirtualClock } from '../../../src/core/runtime/clock'
import { forEachDatabase } from '../../helpers/databases'
import {
  passwordFor,
  startTestCore,
  testCompany,
  waitFor,
  type TestCore,
} from '../../helpers/test-core'

const minute = 60_000

forEachDatabase('sessions', (db) => {
  async function withCore(
    fn: (core: TestCore, a: ReturnType<typeof testCompany>, clock: VirtualClock) => Promise<void>,
  ) {
    const a = testCompany('s')
    const clock = new VirtualClock(Date.UTC(2026, 10, 30, 8, 0, 0))
    const core = await startTestCore(db.store, [a], { clock })
    try {
      await fn(core, a, clock)
    } finally {
      await core.stop()
    }
  }

  async function connects(core: TestCore, token: string): Promise<boolean> {
    const socket = core.raw({ token })
    const outcome = await new Promise<boolean>((resolve) => {
      socket.once('state:snapshot', () => resolve(true))
      socket.once('connect_error', () => resolve(false))
    })
    socket.disconnect()
    await new Promise((r) => setTimeout(r, 50))
    return outcome
  }

  function post(core: TestCore, username: string, password: string) {
    return fetch(`${core.url}/api/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username, password }),
    })
  }

  it('ends after 30 idle minutes without a client, but not while a client is connected', async () => {
    await withCore(async (core, a, clock) => {
      const { token } = await core.login(a.usernames.op1)
      clock.advanceBy(29 * minute)
      expect(await connects(core, token)).toBe(true) // connecting touches the session
      clock.advanceBy(29 * minute)
      const socket = core.raw({ token })
      await waitFor(socket, 'state:snapshot')
      clock.advanceBy(120 * minute) // connected all along: no idle end
      expect(await connects(core, token)).toBe(true)
      socket.disconnect()
      await new Promise((r) => setTimeout(r, 100))
      clock.advanceBy(30 * minute)
      expect(await connects(core, token)).toBe(false)
    })
  })

  it('ends at its absolute end even with a client connected; refresh gives a new token and retires the old', async () => {
    await withCore(async (core, a, clock) => {
      const { token } = await core.login(a.usernames.op1)
      const { socket } = await core.client(a.usernames.op1)
      clock.advanceBy(11 * 60 * minute)
      const renewed = (await socket.emitWithAck('session:refresh')) as {
        data: { token: string; expiresAt: number }
      }
      expect(renewed.data.expiresAt).toBe(clock.now() + 12 * 60 * minute)
      expect(await connects(core, renewed.data.token)).toBe(true)
      clock.advanceBy(60 * minute + 1)
      expect(await connects(core, token)).toBe(false)
      expect(await connects(core, renewed.data.token)).toBe(true)
      clock.advanceBy(11 * 60 * minute)
      expect(await connects(core, renewed.data.token)).toBe(false)
    })
  })

  it('logout over HTTP ends the session and tells its connected client', async () => {
    await withCore(async (core, a) => {
      const { socket, login } = await core.client(a.usernames.user)
      const ended = waitFor<{ reason: string }>(socket, 'session:ended')
      const res = await fetch(`${core.url}/api/session`, {
        method: 'DELETE',
        headers: { authorization: `Bearer ${login.token}` },
      })
      expect(res.status).toBe(204)
      expect(await ended).toEqual({ reason: 'logout' })
      expect(await connects(core, login.token)).toBe(false)
    })
  })

  it('a password change ends every other session of the user and keeps the caller going with a new token', async () => {
    await withCore(async (core, a) => {
      const phone = await core.client(a.usernames.op2)
      const desk = await core.client(a.usernames.op2)
      const ended = waitFor<{ reason: string }>(phone.socket, 'session:ended')
      const weak = await core.command(desk.socket, 'account:change-password', {
        current: passwordFor,
        next: 'short',
      })
      expect(weak).toMatchObject({ error: { code: 'WEAK_PASSWORD' } })
      const wrong = await core.command(desk.socket, 'account:change-password', {
        current: 'not-my-password',
        next: 'a-much-better-passphrase',
      })
      expect(wrong).toMatchObject({ error: { code: 'INVALID_CREDENTIALS' } })
      const changed = (await core.command(desk.socket, 'account:change-password', {
        current: passwordFor,
        next: 'a-much-better-passphrase',
      })) as { data: { token: string } }
      expect(await ended).toEqual({ reason: 'password-changed' })
      expect(await connects(core, phone.login.token)).toBe(false)
      expect(await connects(core, changed.data.token)).toBe(true)
      expect((await post(core, a.usernames.op2, passwordFor)).status).toBe(401)
      expect((await post(core, a.usernames.op2, 'a-much-better-passphrase')).status).toBe(200)
    })
  })

  it('slows down repeated failures for an account, then lets the right password in again', async () => {
    await withCore(async (core, a, clock) => {
      for (let i = 0; i < 5; i++)
        expect((await post(core, a.usernames.boss, `wrong-password-${i}`)).status).toBe(401)
      const locked = await post(core, a.usernames.boss, passwordFor)
      expect(locked.status).toBe(429)
      expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(0)
      clock.advanceBy(2000)
      expect((await post(core, a.usernames.boss, passwordFor)).status).toBe(200)
    })
  })

  it('throttles an address that tries many usernames', async () => {
    await withCore(async (core) => {
      const statuses: number[] = []
      for (let i = 0; i < 25; i++)
        statuses.push((await post(core, `guess-${i}`, 'some-password-guess')).status)
      expect(statuses.slice(0, 20).every((s) => s === 401)).toBe(true)
      expect(statuses.slice(20).every((s) => s === 429)).toBe(true)
    })
  })
})
