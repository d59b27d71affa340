/**
 * Slows down password guessing. Per account: after 5 failures in a row each further attempt
 * must wait (1 s, 2 s, 4 s … up to 15 minutes), and no more than 100 failed attempts per hour
 * are ever processed. Per address: after 20 failures in 10 minutes the address waits a minute.
 * Attempts refused here never reach the password check. Time comes from the injected clock.
 */
export interface ThrottleVerdict {
  allowed: boolean
  retryAfterMs: number
}

const hour = 3_600_000
const accountFreeFailures = 5
const accountMaxBackoffMs = 15 * 60_000
const accountHourlyLimit = 100
const addressWindowMs = 10 * 60_000
const addressLimit = 20
const addressLockMs = 60_000

interface AccountRecord {
  /** Failed attempts processed in the last hour (times). */
  failures: number[]
  consecutive: number
  notBefore: number
}

interface AddressRecord {
  failures: number[]
  notBefore: number
}

export class LoginThrottle {
  private readonly accounts = new Map<string, AccountRecord>()
  private readonly addresses = new Map<string, AddressRecord>()

  check(account: string, address: string, now: number): ThrottleVerdict {
    const a = this.account(account, now)
    const b = this.address(address, now)
    let waitUntil = Math.max(a.notBefore, b.notBefore)
    if (a.failures.length >= accountHourlyLimit)
      waitUntil = Math.max(waitUntil, a.failures[0]! + hour)
    return waitUntil > now
      ? { allowed: false, retryAfterMs: waitUntil - now }
      : { allowed: true, retryAfterMs: 0 }
  }

  failed(account: string, address: string, now: number): void {
    const a = this.account(account, now)
    a.failures.push(now)
    a.consecutive++
    if (a.consecutive >= accountFreeFailures) {
      a.notBefore =
        now + Math.min(accountMaxBackoffMs, 1000 * 2 ** (a.consecutive - accountFreeFailures))
    }
    const b = this.address(address, now)
    b.failures.push(now)
    if (b.failures.length >= addressLimit) b.notBefore = now + addressLockMs
  }

  /** The right password ends the back-off; the hour's count of failures stays. */
  succeeded(account: string): void {
    const a = this.accounts.get(account)
    if (!a) return
    a.consecutive = 0
    a.notBefore = 0
  }

  private account(key: string, now: number): AccountRecord {
    let a = this.accounts.get(key)
    if (!a) this.accounts.set(key, (a = { failures: [], consecutive: 0, notBefore: 0 }))
    while (a.failures.length > 0 && a.failures[0]! <= now - hour) a.failures.shift()
    return a
  }

  private address(key: string, now: number): AddressRecord {
    let b = this.addresses.get(key)
    if (!b) this.addresses.set(key, (b = { failures: [], notBefore: 0 }))
    while (b.failures.length > 0 && b.failures[0]! <= now - addressWindowMs) b.failures.shift()
    return b
  }

  /** Forget records with nothing left in them (called now and then). */
  sweep(now: number): void {
    for (const [key, a] of this.accounts)
      if (a.failures.length === 0 && a.notBefore <= now) this.accounts.delete(key)
    for (const [key, b] of this.addresses)
      if (b.failures.length === 0 && b.notBefore <= now) this.addresses.delete(key)
  }
}
