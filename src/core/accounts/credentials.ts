/**
 * Password hashing and session tokens. Passwords: argon2id with m = 19 MiB, t = 2, p = 1 (the
 * OWASP minimum). Tokens: 256 random bits, handed to the client once; only their SHA-256 is
 * stored, so a copy of the database opens no session.
 */
import { createHash, randomBytes } from 'node:crypto'
import { hash, verify, type Options } from '@node-rs/argon2'

/** `Algorithm.Argon2id` is a const enum, which isolated modules cannot read: its value is 2. */
const argon2id = 2 as Options['algorithm']

export const argon2Options: Options = {
  algorithm: argon2id,
  memoryCost: 19_456,
  timeCost: 2,
  parallelism: 1,
}

export function hashPassword(password: string): Promise<string> {
  return hash(password, argon2Options)
}

/** A hash of nothing anyone knows: verifying against it costs what a real check costs. */
let decoy: Promise<string> | null = null

/**
 * Checks a password against a stored hash, or against a decoy when there is no such user, so
 * that an unknown user and a wrong password take the same time.
 */
export async function verifyPassword(
  storedHash: string | null,
  password: string,
): Promise<boolean> {
  decoy ??= hashPassword(randomBytes(32).toString('hex'))
  const target = storedHash ?? (await decoy)
  try {
    const ok = await verify(target, password)
    return ok && storedHash !== null
  } catch {
    return false
  }
}

export function newSessionToken(): string {
  return randomBytes(32).toString('base64url')
}

export function tokenHash(token: string): string {
  return createHash('sha256').update(token).digest('hex')
}
