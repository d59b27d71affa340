/**
 * Logging in, sessions and passwords. Sessions live in the store (as token hashes) so they
 * survive a restart; which sessions have a client connected right now is known only here.
 *
 * A session ends when it reaches its absolute end (12 hours by default; `refresh` starts a new
 * one, so the desktop app stays logged in through a working day), when no client has been
 * connected for the idle time (30 minutes by default), at logout, when the password changes,
 * and when the user is blocked or deleted.
 */
import type { Instant, UserId } from '../../shared/ids'
import type { Clock } from '../runtime/clock'
import type { SessionRecord, Store, UserRecord } from '../persistence/store'
import { hashPassword, newSessionToken, tokenHash, verifyPassword } from './credentials'
import { LoginThrottle } from './login-throttle'
import { describePasswordProblem, passwordProblem } from './password-policy'

export interface SessionPolicy {
  idleMs: number
  absoluteMs: number
}

export const defaultSessionPolicy: SessionPolicy = {
  idleMs: 30 * 60_000,
  absoluteMs: 12 * 3_600_000,
}

export type LoginFailure =
  | { code: 'INVALID_CREDENTIALS'; message: string }
  | { code: 'RATE_LIMITED'; message: string; retryAfterMs: number }
  | { code: 'ACCOUNT_BLOCKED'; message: string }

export interface Session {
  token: string
  record: SessionRecord
  user: UserRecord
}

export class AccountError extends Error {
  constructor(
    readonly code: 'INVALID_CREDENTIALS' | 'WEAK_PASSWORD' | 'UNAUTHENTICATED',
    message: string,
  ) {
    super(message)
    this.name = 'AccountError'
  }
}

export class AccountService {
  readonly throttle = new LoginThrottle()
  /** Clients connected per session (token hash): while any is, the session does not idle out. */
  private readonly connected = new Map<string, number>()

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    readonly policy: SessionPolicy = defaultSessionPolicy,
  ) {}

  async login(
    username: string,
    password: string,
    address: string,
  ): Promise<Session | LoginFailure> {
    const now = this.clock.now()
    const account = username.trim().toLowerCase()
    const verdict = this.throttle.check(account, address, now)
    if (!verdict.allowed) {
      return {
        code: 'RATE_LIMITED',
        message: 'too many failed attempts; wait and try again',
        retryAfterMs: verdict.retryAfterMs,
      }
    }
    const credential = await this.store.getCredentialByUsername(account)
    const ok = await verifyPassword(credential?.passwordHash ?? null, password)
    if (!credential || !ok) {
      this.throttle.failed(account, address, now)
      return { code: 'INVALID_CREDENTIALS', message: 'wrong username or password' }
    }
    const user = await this.store.getUser(credential.companyId, credential.userId)
    if (!user) {
      this.throttle.failed(account, address, now)
      return { code: 'INVALID_CREDENTIALS', message: 'wrong username or password' }
    }
    if (user.blocked)
      return {
        code: 'ACCOUNT_BLOCKED',
        message: 'this account is blocked; ask your contact person',
      }
    this.throttle.succeeded(account)
    return this.open(user, now)
  }

  private async open(user: UserRecord, now: Instant): Promise<Session> {
    const token = newSessionToken()
    const record: SessionRecord = {
      tokenHash: tokenHash(token),
      userId: user.id,
      companyId: user.companyId,
      createdAt: now,
      lastSeenAt: now,
      expiresAt: now + this.policy.absoluteMs,
    }
    await this.store.createSession(record)
    return { token, record, user }
  }

  /** The session for a token, if it is still valid; an expired one is deleted on the way. */
  async authenticate(token: string): Promise<Session | null> {
    if (typeof token !== 'string' || token.length < 20 || token.length > 200) return null
    const now = this.clock.now()
    const hash = tokenHash(token)
    const record = await this.store.getSession(hash)
    if (!record) return null
    const idle =
      (this.connected.get(hash) ?? 0) === 0 && now - record.lastSeenAt >= this.policy.idleMs
    if (now >= record.expiresAt || idle) {
      await this.store.deleteSession(hash)
      return null
    }
    const user = await this.store.getUser(record.companyId, record.userId)
    if (!user || user.blocked) {
      await this.store.deleteSession(hash)
      return null
    }
    return { token, record, user }
  }

  /** A client of this session connected or disconnected; the idle clock runs while none is. */
  async clientConnected(session: Session): Promise<void> {
    this.connected.set(
      session.record.tokenHash,
      (this.connected.get(session.record.tokenHash) ?? 0) + 1,
    )
    await this.store.touchSession(session.record.tokenHash, this.clock.now())
  }

  async clientDisconnected(session: Session): Promise<void> {
    const hash = session.record.tokenHash
    const left = (this.connected.get(hash) ?? 1) - 1
    if (left <= 0) this.connected.delete(hash)
    else this.connected.set(hash, left)
    await this.store.touchSession(hash, this.clock.now())
  }

  /** A new session in place of this one (new token, new absolute end). */
  async refresh(session: Session): Promise<Session> {
    const fresh = await this.open(session.user, this.clock.now())
    const clients = this.connected.get(session.record.tokenHash)
    if (clients) this.connected.set(fresh.record.tokenHash, clients)
    this.connected.delete(session.record.tokenHash)
    await this.store.deleteSession(session.record.tokenHash)
    return fresh
  }

  async logout(session: Session): Promise<void> {
    this.connected.delete(session.record.tokenHash)
    await this.store.deleteSession(session.record.tokenHash)
  }

  /** Changes the password and ends every session of the user; returns a new session for the caller. */
  async changePassword(session: Session, current: string, next: string): Promise<Session> {
    const credential = await this.store.getCredential(session.user.id)
    if (!credential || !(await verifyPassword(credential.passwordHash, current))) {
      throw new AccountError('INVALID_CREDENTIALS', 'the current password is wrong')
    }
    await this.setPassword(session.user.id, next)
    await this.store.deleteSessionsOfUser(session.user.id)
    return this.open(session.user, this.clock.now())
  }

  /** Sets a password after checking the policy (first start, a contact person for a user). */
  async setPassword(userId: UserId, password: string, store: Store = this.store): Promise<void> {
    const problem = passwordProblem(password)
    if (problem) throw new AccountError('WEAK_PASSWORD', describePasswordProblem(problem))
    await store.setPassword(userId, await hashPassword(password), this.clock.now())
  }

  /** Ends every session of a user (blocked, deleted, rights changed by force). */
  async endSessionsOf(userId: UserId): Promise<number> {
    return this.store.deleteSessionsOfUser(userId)
  }
}
