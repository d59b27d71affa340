import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Conf from 'conf'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { DesktopSettings } from '../../../src/preload/bridge'
import {
  defaultSettings,
  defaultShortcuts,
  languageForLocale,
  SettingsStore,
  type KeyValueStore,
} from '../../../src/main/settings'

let cwd: string

beforeEach(() => {
  cwd = mkdtempSync(join(tmpdir(), 'sentral-settings-'))
})

afterEach(() => {
  rmSync(cwd, { recursive: true, force: true })
})

/** conf is what electron-store wraps: the same file, format and API, without Electron. */
function openStore(): Conf & KeyValueStore {
  return new Conf({ cwd, configName: 'settings' })
}

const settingsFile = () => join(cwd, 'settings.json')
const readFile = () => JSON.parse(readFileSync(settingsFile(), 'utf8')) as Record<string, unknown>

describe('desktop settings', () => {
  it('starts from the defaults: local mode, Norwegian on a Norwegian system, default shortcuts', () => {
    const settings = new SettingsStore(openStore(), defaultSettings('nb-NO'))

    expect(settings.get()).toEqual({
      mode: 'local',
      serverUrl: 'http://127.0.0.1:5170',
      language: 'nb',
      theme: 'system',
      shortcuts: {
        'answer-next': 'CommandOrControl+Alt+A',
        'hang-up': 'CommandOrControl+Alt+H',
        transfer: 'CommandOrControl+Alt+O',
        'toggle-absent': 'CommandOrControl+Alt+F',
      },
    } satisfies DesktopSettings)
    expect(languageForLocale('nn')).toBe('nb')
    expect(languageForLocale('no')).toBe('nb')
    expect(languageForLocale('en-GB')).toBe('en')
    expect(languageForLocale('sv-SE')).toBe('en')
  })

  it('keeps saved settings across restarts (a new store on the same file)', () => {
    const first = new SettingsStore(openStore(), defaultSettings('en-US'))
    first.save({
      mode: 'remote',
      serverUrl: 'https://sentral.example.no/',
      theme: 'dark',
      shortcuts: { ...defaultShortcuts, 'hang-up': 'F9', transfer: null },
    })

    const second = new SettingsStore(openStore(), defaultSettings('en-US'))

    expect(second.get()).toEqual({
      mode: 'remote',
      serverUrl: 'https://sentral.example.no',
      language: 'en',
      theme: 'dark',
      shortcuts: { ...defaultShortcuts, 'hang-up': 'F9', transfer: null },
    })
    expect(readFile()).toMatchObject({ mode: 'remote', theme: 'dark' })
  })

  it('replaces each invalid saved value by its default, keeps the valid ones, and repairs the file', () => {
    writeFileSync(
      settingsFile(),
      JSON.stringify({
        mode: 'cloud',
        serverUrl: 'ftp://files.example.no',
        language: 'en',
        theme: 42,
        shortcuts: { 'answer-next': 'F8', 'hang-up': 'Q', transfer: 'Nonsense+X' },
      }),
    )

    const settings = new SettingsStore(openStore(), defaultSettings('nb-NO'))

    expect(settings.get()).toEqual({
      mode: 'local',
      serverUrl: 'http://127.0.0.1:5170',
      language: 'en',
      theme: 'system',
      shortcuts: {
        'answer-next': 'F8',
        'hang-up': 'CommandOrControl+Alt+H',
        transfer: 'CommandOrControl+Alt+O',
        'toggle-absent': 'CommandOrControl+Alt+F',
      },
    })
    expect(readFile()).toMatchObject({ mode: 'local', theme: 'system', language: 'en' })
  })

  it('refuses an invalid change and keeps what was saved', () => {
    const settings = new SettingsStore(openStore(), defaultSettings('nb-NO'))

    expect(() => settings.save({ mode: 'cloud' })).toThrow()
    expect(() => settings.save({ serverUrl: 'javascript:alert(1)' })).toThrow()
    expect(() => settings.save({ serverUrl: 'https://user:secret@sentral.example.no' })).toThrow()
    expect(() => settings.save({ windowBounds: { x: 0 } })).toThrow()
    expect(() =>
      settings.save({
        shortcuts: { ...defaultShortcuts, transfer: 'CommandOrControl+Alt+A' },
      }),
    ).toThrow('two actions cannot share a shortcut')
    // A letter alone would be swallowed in every application while Sentral runs.
    expect(() => settings.save({ shortcuts: { ...defaultShortcuts, transfer: 'T' } })).toThrow()

    expect(new SettingsStore(openStore(), defaultSettings('nb-NO')).get()).toEqual(
      defaultSettings('nb-NO'),
    )
  })

  it('tells listeners what changed', () => {
    const settings = new SettingsStore(openStore(), defaultSettings('nb-NO'))
    const changes: [string, string][] = []
    settings.onChange((next, previous) => changes.push([previous.language, next.language]))

    settings.save({ language: 'en' })

    expect(changes).toEqual([['nb', 'en']])
  })

  it('keeps the window bounds and the local core files, and ignores invalid saved ones', () => {
    const store = openStore()
    const settings = new SettingsStore(store, defaultSettings('nb-NO'))
    expect(settings.windowBounds()).toBeNull()
    expect(settings.localCore()).toEqual({ companyFile: null, accountsFile: null })

    settings.saveWindowBounds({ x: 10, y: 20, width: 1000, height: 700, maximized: true })
    store.set('localCore', { companyFile: '/srv/acme.yaml', accountsFile: null })

    const reopened = new SettingsStore(openStore(), defaultSettings('nb-NO'))
    expect(reopened.windowBounds()).toEqual({
      x: 10,
      y: 20,
      width: 1000,
      height: 700,
      maximized: true,
    })
    expect(reopened.localCore()).toEqual({ companyFile: '/srv/acme.yaml', accountsFile: null })

    store.set('windowBounds', { x: 'left', y: 0, width: 5, height: 5, maximized: false })
    store.set('localCore', { companyFile: 7 })
    expect(reopened.windowBounds()).toBeNull()
    expect(reopened.localCore()).toEqual({ companyFile: null, accountsFile: null })
  })
})
