/**
 * Password rules (OWASP ASVS level 2): 12 to 128 characters, and not one of the 10,000 most
 * common passwords (the head of zxcvbn's frequency-ordered list), compared without case.
 * No composition rules: a long passphrase beats "Passw0rd!".
 */
import { dictionary } from '@zxcvbn-ts/language-common'

export const minPasswordLength = 12
export const maxPasswordLength = 128

let common: Set<string> | null = null

function commonPasswords(): Set<string> {
  common ??= new Set(dictionary['passwords-common'].slice(0, 10_000).map((p) => p.toLowerCase()))
  return common
}

export type PasswordProblem = 'TOO_SHORT' | 'TOO_LONG' | 'TOO_COMMON'

export function passwordProblem(password: string): PasswordProblem | null {
  const length = [...password].length
  if (length < minPasswordLength) return 'TOO_SHORT'
  if (length > maxPasswordLength) return 'TOO_LONG'
  if (commonPasswords().has(password.toLowerCase())) return 'TOO_COMMON'
  return null
}

export function describePasswordProblem(problem: PasswordProblem): string {
  switch (problem) {
    case 'TOO_SHORT':
      return `a password needs at least ${minPasswordLength} characters`
    case 'TOO_LONG':
      return `a password may have at most ${maxPasswordLength} characters`
    case 'TOO_COMMON':
      return 'this password is among the most common ones; choose another'
  }
}
