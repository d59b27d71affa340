/**
 * HTTP Digest authentication as SIP uses it (RFC 3261 §22.4), with RFC 8760's SHA-256 beside
 * MD5: phones that know SHA-256 pick it, older ones fall back to MD5. Credentials are stored as
 * HA1 (the hash of user:realm:password), never as the password. Nonces carry their own issue
 * time and a keyed hash of it, so the registrar needs no table of nonces and a forged or stale
 * one is recognised.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto'

export type DigestAlgorithm = 'MD5' | 'SHA-256'

/** HA1 of a user for both algorithms. */
export interface StoredCredentials {
  md5: string
  sha256: string
}

function hash(algorithm: DigestAlgorithm, text: string): string {
  return createHash(algorithm === 'MD5' ? 'md5' : 'sha256')
    .update(text, 'utf8')
    .digest('hex')
}

export function ha1(
  algorithm: DigestAlgorithm,
  username: string,
  realm: string,
  password: string,
): string {
  return hash(algorithm, `${username}:${realm}:${password}`)
}

export function credentialsFor(
  username: string,
  realm: string,
  password: string,
): StoredCredentials {
  return {
    md5: ha1('MD5', username, realm, password),
    sha256: ha1('SHA-256', username, realm, password),
  }
}

export type DigestResult =
  | { ok: true; username: string }
  /** stale: the nonce was ours but too old; the phone may retry with a fresh one (§22.4). */
  | { ok: false; stale: boolean; reason: string }

export class DigestAuthenticator {
  private readonly secret = randomBytes(32)

  constructor(
    readonly realm: string,
    private readonly now: () => number,
    /** How long a nonce may be used. */
    private readonly nonceLifetimeMs = 300_000,
  ) {}

  /**
   * The WWW-Authenticate values for a 401, one per algorithm (RFC 8760 §2.4). MD5 comes first:
   * many phones (and sipp) read only the first challenge and know only MD5, while those that
   * know SHA-256 look through all of them for it.
   */
  challenges(stale = false): string[] {
    const nonce = this.nonce()
    return (['MD5', 'SHA-256'] as const).map(
      (algorithm) =>
        `Digest realm="${this.realm}", nonce="${nonce}", algorithm=${algorithm}, qop="auth"` +
        (stale ? ', stale=true' : ''),
    )
  }

  /**
   * Checks an Authorization header's parameters (already split by digestCredentials) against
   * the stored HA1 of the user they name.
   */
  verify(
    params: Map<string, string>,
    method: string,
    lookup: (username: string) => StoredCredentials | null,
  ): DigestResult {
    const username = params.get('username')
    const nonce = params.get('nonce')
    const uri = params.get('uri')
    const response = params.get('response')
    if (!username || !nonce || !uri || !response)
      return { ok: false, stale: false, reason: 'incomplete credentials' }
    if (params.get('realm') !== this.realm)
      return { ok: false, stale: false, reason: 'another realm' }
    const algorithm = (params.get('algorithm') ?? 'MD5').toUpperCase()
    if (algorithm !== 'MD5' && algorithm !== 'SHA-256')
      return { ok: false, stale: false, reason: `algorithm ${algorithm} is not offered` }
    const age = this.nonceAge(nonce)
    if (age === null) return { ok: false, stale: false, reason: 'not our nonce' }
    const stored = lookup(username)
    if (!stored) return { ok: false, stale: false, reason: 'unknown user' }
    const a1 = algorithm === 'MD5' ? stored.md5 : stored.sha256
    const a2 = hash(algorithm, `${method}:${uri}`)
    const qop = params.get('qop')
    let expected: string
    if (qop === undefined) expected = hash(algorithm, `${a1}:${nonce}:${a2}`)
    else if (qop === 'auth') {
      const nc = params.get('nc')
      const cnonce = params.get('cnonce')
      if (!nc || !cnonce) return { ok: false, stale: false, reason: 'qop=auth needs nc and cnonce' }
      expected = hash(algorithm, `${a1}:${nonce}:${nc}:${cnonce}:auth:${a2}`)
    } else return { ok: false, stale: false, reason: `qop ${qop} is not offered` }
    const given = Buffer.from(response.toLowerCase(), 'latin1')
    const wanted = Buffer.from(expected, 'latin1')
    if (given.length !== wanted.length || !timingSafeEqual(given, wanted))
      return { ok: false, stale: false, reason: 'wrong password' }
    // A correct answer to an old nonce: the password is right, the phone should just retry.
    if (age > this.nonceLifetimeMs) return { ok: false, stale: true, reason: 'stale nonce' }
    return { ok: true, username }
  }

  private nonce(): string {
    const issued = this.now().toString(16)
    return `${issued}.${this.sign(issued)}`
  }

  /** How old a nonce we issued is, or null if we did not issue it. */
  private nonceAge(nonce: string): number | null {
    const dot = nonce.indexOf('.')
    if (dot <= 0) return null
    const issued = nonce.slice(0, dot)
    const mac = Buffer.from(nonce.slice(dot + 1), 'latin1')
    const expected = Buffer.from(this.sign(issued), 'latin1')
    if (mac.length !== expected.length || !timingSafeEqual(mac, expected)) return null
    const at = parseInt(issued, 16)
    return Number.isFinite(at) ? this.now() - at : null
  }

  private sign(text: string): string {
    return createHmac('sha256', this.secret)
      .update(`${this.realm}:${text}`)
      .digest('base64url')
      .slice(0, 22)
  }
}
