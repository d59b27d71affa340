import { describe, expect, it } from 'vitest'
import {
  hashPassword,
  newSessionToken,
  tokenHash,
  verifyPassword,
} from '../../../src/core/accounts/credentials'
import { LoginThrottle } from '../../../src/core/accounts/login-throttle'
import { passwordProblem } from '../../../src/core/accounts/password-policy'

describe('password policy', () => {
  it('takes 12 to 128 characters, counting letters not bytes', () => {
    expect(passwordProblem('elleve-tegn')).toBe('TOO_SHORT')
    expect(passwordProblem('tolv-tegn-ok')).toBeNull()
    expect(passwordProblem('æøåæøåæøåæøå')).toBeNull()
    expect(passwordProblem('x'.repeat(128) + 'y')).toBe('TOO_LONG')
    expect(passwordProblem('x'.repeat(128))).toBeNull()
  })

  it('refuses the most common passwords whatever their case', () => {
    expect(passwordProblem('qwerty123456')).toBe('TOO_COMMON')
    expect(passwordProblem('QWERTY123456')).toBe('TOO_COMMON')
    expect(passwordProblem('1qaz2wsx3edc')).toBe('TOO_COMMON')
    expect(passwordProblem('blåbærsyltetøy')).toBeNull()
  })
})

describe('hashes and tokens', () => {
  it('hashes with argon2id at m=19 MiB, t=2, p=1 and verifies only the right password', async () => {
    const hash = await hashPassword('korrekt-hest-batteri')
    expect(hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/)
    expect(await verifyPassword(hash, 'korrekt-hest-batteri')).toBe(true)
    expect(await verifyPassword(hash, 'Korrekt-hest-batteri')).toBe(false)
    expect(await verifyPassword(null, 'korrekt-hest-batteri')).toBe(false)
    expect(await hashPassword('korrekt-hest-batteri')).not.toBe(hash)
  })

  it('makes tokens of at least 128 random bits and stores only their hash', () => {
    const token = newSessionToken()
    expect(Buffer.from(token, 'base64url').length).toBeGreaterThanOrEqual(16)
    expect(newSessionToken()).not.toBe(token)
    expect(tokenHash(token)).toMatch(/^[0-9a-f]{64}$/)
    expect(tokenHash(token)).not.toContain(token)
  })
})

describe('login throttle', () => {
  it('lets five failures through, then makes each further attempt wait longer', () => {
    const t = new LoginThrottle()
    let now = 0
    for (let i = 0; i < 5; i++) {
      expect(t.check('kari', 'ip', now).allowed).toBe(true)
      t.failed('kari', 'ip', now)
    }
    const waits: number[] = []
    for (let i = 0; i < 4; i++) {
      const verdict = t.check('kari', 'ip', now)
      expect(verdict.allowed).toBe(false)
      waits.push(verdict.retryAfterMs)
      now += verdict.retryAfterMs
      t.failed('kari', 'ip', now)
    }
    expect(waits).toEqual([1000, 2000, 4000, 8000])
    expect(t.check('ola', 'other-ip', now).allowed).toBe(true)
    t.succeeded('kari')
    expect(t.check('kari', 'ip', now).allowed).toBe(true)
  })

  it('never processes more than 100 failed attempts for one account in any hour, from any number of addresses', () => {
    const t = new LoginThrottle()
    const processed: number[] = []
    let now = 0
    for (let i = 0; i < 20_000; i++) {
      now += 1000
      const address = `10.0.${i % 250}.${i % 7}`
      if (!t.check('kari', address, now).allowed) continue
      processed.push(now)
      t.failed('kari', address, now)
      if (processed.length % 3 === 0) t.succeeded('kari') // a legitimate login now and then resets the back-off
    }
    let worst = 0
    for (let i = 0, j = 0; i < processed.length; i++) {
      while (processed[j]! <= processed[i]! - 3_600_000) j++
      worst = Math.max(worst, i - j + 1)
    }
    expect(worst).toBeLessThanOrEqual(100)
    expect(worst).toBeGreaterThan(50)
  })

  it('locks an address for a minute after 20 failures in 10 minutes', () => {
    const t = new LoginThrottle()
    for (let i = 0; i < 20; i++) t.failed(`user-${i}`, '192.0.2.1', i * 1000)
    expect(t.check('someone', '192.0.2.1', 20_000)).toEqual({
      allowed: false,
      retryAfterMs: 59_000,
    })
    expect(t.check('someone', '192.0.2.1', 79_000).allowed).toBe(true)
    expect(t.check('someone', '192.0.2.2', 20_000).allowed).toBe(true)
  })
})
