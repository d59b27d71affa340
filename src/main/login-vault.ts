/**
 * The remembered login: the session token encrypted with the OS keychain through safeStorage,
 * beside the server, user name and expiry in settings.json. When the only backend would keep
 * the token in plain text (Linux without a keyring: 'basic_text'), nothing is written and the
 * interface is told so; a switchboard session must not sit readable in a file.
 */
import { z } from 'zod'
import type { RememberedLogin } from '../preload/bridge'
import type { ShellSafeStorage } from './electron-api'
import { settingsKeys, type KeyValueStore } from './settings'

const storedLoginSchema = z.object({
  serverUrl: z.string(),
  username: z.string(),
  expiresAt: z.number(),
  /** safeStorage ciphertext, base64. */
  encryptedToken: z.string().min(1),
})

export class LoginVault {
  constructor(
    private readonly store: KeyValueStore,
    private readonly safeStorage: ShellSafeStorage,
    private readonly platform: NodeJS.Platform,
    private readonly now: () => number = Date.now,
  ) {}

  /** Whether a token would be encrypted by the OS rather than obfuscated with a fixed key. */
  canEncrypt(): boolean {
    if (!this.safeStorage.isEncryptionAvailable()) return false
    return (
      this.platform !== 'linux' || this.safeStorage.getSelectedStorageBackend() !== 'basic_text'
    )
  }

  remember(login: RememberedLogin): boolean {
    if (!this.canEncrypt()) return false
    const encryptedToken = this.safeStorage.encryptString(login.token).toString('base64')
    this.store.set(settingsKeys.login, {
      serverUrl: login.serverUrl,
      username: login.username,
      expiresAt: login.expiresAt,
      encryptedToken,
    } satisfies z.infer<typeof storedLoginSchema>)
    return true
  }

  /** The remembered login, or null when there is none, it expired or cannot be decrypted. */
  recall(): RememberedLogin | null {
    const parsed = storedLoginSchema.safeParse(this.store.get(settingsKeys.login))
    if (!parsed.success) return null
    const { serverUrl, username, expiresAt, encryptedToken } = parsed.data
    if (expiresAt <= this.now()) {
      this.forget()
      return null
    }
    if (!this.canEncrypt()) return null
    try {
      const token = this.safeStorage.decryptString(Buffer.from(encryptedToken, 'base64'))
      return { serverUrl, username, expiresAt, token }
    } catch {
      // Another user's keychain, or a reinstalled OS: the token is gone for good.
      this.forget()
      return null
    }
  }

  forget(): void {
    this.store.delete(settingsKeys.login)
  }
}
