import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Conf from 'conf'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { LoginVault } from '../../../src/main/login-vault'
import type { RememberedLogin } from '../../../src/preload/bridge'
import { FakeSafeStorage } from '../../helpers/fake-electron'

let cwd: string
let now: number

beforeEach(() => {
  cwd = mkdtempSync(join(tmpdir(), 'sentral-login-'))
  now = Date.parse('2026-03-02T08:00:00Z')
})

afterEach(() => {
  rmSync(cwd, { recursive: true, force: true })
})

const login: RememberedLogin = {
  serverUrl: 'http://127.0.0.1:5170',
  username: 'kari.nordmann',
  token: 'session-token-4f9c2a',
  expiresAt: Date.parse('2026-03-02T20:00:00Z'),
}

function vault(safeStorage: FakeSafeStorage, platform: NodeJS.Platform = 'linux'): LoginVault {
  return new LoginVault(new Conf({ cwd, configName: 'settings' }), safeStorage, platform, () => now)
}

const fileText = () => {
  const file = join(cwd, 'settings.json')
  return existsSync(file) ? readFileSync(file, 'utf8') : ''
}

describe('remembering the login', () => {
  it('refuses on Linux when the only backend keeps secrets in plain text, and writes nothing', () => {
    const safeStorage = new FakeSafeStorage()
    safeStorage.backend = 'basic_text'

    expect(vault(safeStorage).remember(login)).toBe(false)

    expect(safeStorage.encryptCalls).toBe(0)
    expect(fileText()).not.toContain('kari.nordmann')
    expect(fileText()).not.toContain(login.token)
    expect(vault(safeStorage).recall()).toBeNull()
  })

  it('refuses when the system offers no encryption at all', () => {
    const safeStorage = new FakeSafeStorage()
    safeStorage.available = false

    expect(vault(safeStorage, 'win32').remember(login)).toBe(false)
    expect(fileText()).not.toContain(login.token)
  })

  it('keeps the token encrypted and gives it back after a restart', () => {
    const safeStorage = new FakeSafeStorage()

    expect(vault(safeStorage).remember(login)).toBe(true)

    expect(fileText()).toContain('kari.nordmann')
    expect(fileText()).not.toContain(login.token)
    expect(vault(safeStorage).recall()).toEqual(login)
  })

  it('only asks for the backend on Linux, where the plain-text one exists', () => {
    const safeStorage = new FakeSafeStorage()
    safeStorage.backend = 'basic_text'

    expect(vault(safeStorage, 'darwin').remember(login)).toBe(true)
  })

  it('forgets a login that expired, or that the keychain can no longer decrypt', () => {
    const safeStorage = new FakeSafeStorage()
    vault(safeStorage).remember(login)

    now = login.expiresAt
    expect(vault(safeStorage).recall()).toBeNull()
    expect(fileText()).not.toContain('kari.nordmann')

    now = Date.parse('2026-03-02T08:00:00Z')
    vault(safeStorage).remember(login)
    const otherKeychain = new FakeSafeStorage()
    otherKeychain.decryptString = () => {
      throw new Error('Error while decrypting the ciphertext provided to safeStorage.decryptString')
    }
    expect(vault(otherKeychain).recall()).toBeNull()
    expect(fileText()).not.toContain('kari.nordmann')
  })

  it('forgets on request', () => {
    const safeStorage = new FakeSafeStorage()
    vault(safeStorage).remember(login)

    vault(safeStorage).forget()

    expect(vault(safeStorage).recall()).toBeNull()
  })
})
