/**
 * Digest authentication (RFC 3261 §22.4 with RFC 8760's SHA-256): answers computed the way a
 * phone computes them are accepted for both algorithms, and everything else is refused with
 * the reason, stale nonces marked stale so the phone retries without asking its user.
 */
import { createHash } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { credentialsFor, DigestAuthenticator } from '../../../src/core/telephony/sip/digest'
import { digestCredentials } from '../../../src/core/telephony/sip/request-checks'

const realm = 'sip.nordlys.test'
const h = (algorithm: 'md5' | 'sha256', text: string) =>
  createHash(algorithm).update(text).digest('hex')

/** What a phone sends back for a challenge: RFC 2617 §3.2.2 with qop=auth. */
function phoneAnswer(
  challenge: string,
  user: string,
  password: string,
  options: { uri?: string; method?: string; nc?: string; cnonce?: string } = {},
): Map<string, string> {
  const params = digestCredentials(challenge.replace(/^Digest/, 'Digest'))!
  const algorithm = params.get('algorithm')!
  const hash = algorithm === 'MD5' ? 'md5' : 'sha256'
  const uri = options.uri ?? `sip:${realm}`
  const nc = options.nc ?? '00000001'
  const cnonce = options.cnonce ?? 'f00dcafe'
  const ha1 = h(hash, `${user}:${params.get('realm')}:${password}`)
  const ha2 = h(hash, `${options.method ?? 'REGISTER'}:${uri}`)
  const response = h(hash, `${ha1}:${params.get('nonce')}:${nc}:${cnonce}:auth:${ha2}`)
  const header = `Digest username="${user}", realm="${params.get('realm')}", nonce="${params.get(
    'nonce',
  )}", uri="${uri}", response="${response}", algorithm=${algorithm}, qop=auth, nc=${nc}, cnonce="${cnonce}"`
  return digestCredentials(header)!
}

describe('digest authentication', () => {
  let now = Date.UTC(2026, 11, 2, 9)
  const auth = new DigestAuthenticator(realm, () => now, 300_000)
  const stored = new Map([['201', credentialsFor('201', realm, 'riktig-passord')]])
  const lookup = (u: string) => stored.get(u) ?? null

  it('offers MD5 first and SHA-256 second, both with qop=auth and one nonce', () => {
    const [md5, sha] = auth.challenges()
    expect(md5).toMatch(
      /^Digest realm="sip\.nordlys\.test", nonce="[^"]+", algorithm=MD5, qop="auth"$/,
    )
    expect(sha).toMatch(/algorithm=SHA-256/)
    expect(digestCredentials(md5!)!.get('nonce')).toBe(digestCredentials(sha!)!.get('nonce'))
  })

  it.each(['MD5', 'SHA-256'])('accepts a correct %s answer', (algorithm) => {
    const challenge = auth.challenges().find((c) => c.includes(`algorithm=${algorithm}`))!
    const answer = phoneAnswer(challenge, '201', 'riktig-passord')
    expect(auth.verify(answer, 'REGISTER', lookup)).toEqual({ ok: true, username: '201' })
  })

  it('stores HA1 only, and it is the RFC 2617 hash of user:realm:password', () => {
    expect(stored.get('201')).toEqual({
      md5: h('md5', `201:${realm}:riktig-passord`),
      sha256: h('sha256', `201:${realm}:riktig-passord`),
    })
  })

  it.each(['MD5', 'SHA-256'])('refuses a wrong password with %s', (algorithm) => {
    const challenge = auth.challenges().find((c) => c.includes(`algorithm=${algorithm}`))!
    const answer = phoneAnswer(challenge, '201', 'feil-passord')
    expect(auth.verify(answer, 'REGISTER', lookup)).toMatchObject({
      ok: false,
      stale: false,
      reason: 'wrong password',
    })
  })

  it('refuses an answer for another method (the digest covers the method) and unknown users', () => {
    const challenge = auth.challenges()[1]!
    const invite = phoneAnswer(challenge, '201', 'riktig-passord', { method: 'INVITE' })
    expect(auth.verify(invite, 'REGISTER', lookup)).toMatchObject({ ok: false })
    const stranger = phoneAnswer(challenge, '999', 'riktig-passord')
    expect(auth.verify(stranger, 'REGISTER', lookup)).toMatchObject({ reason: 'unknown user' })
  })

  it('refuses nonces it did not issue, and another realm', () => {
    const forged = auth
      .challenges()[0]!
      .replace(/nonce="[^"]+"/, 'nonce="18c0ffee.AAAAAAAAAAAAAAAAAAAAAA"')
    expect(
      auth.verify(phoneAnswer(forged, '201', 'riktig-passord'), 'REGISTER', lookup),
    ).toMatchObject({
      reason: 'not our nonce',
    })
    const other = new DigestAuthenticator('other.test', () => now)
    const theirs = phoneAnswer(other.challenges()[0]!, '201', 'riktig-passord')
    expect(auth.verify(theirs, 'REGISTER', lookup)).toMatchObject({ reason: 'another realm' })
  })

  it('marks a correct answer to an expired nonce stale, so the phone retries quietly', () => {
    const challenge = auth.challenges()[0]!
    now += 300_001
    const answer = phoneAnswer(challenge, '201', 'riktig-passord')
    expect(auth.verify(answer, 'REGISTER', lookup)).toMatchObject({ ok: false, stale: true })
    expect(auth.challenges(true)[0]).toMatch(/stale=true$/)
  })
})
