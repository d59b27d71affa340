import { afterEach, describe, expect, it } from 'vitest'
import { defaultSettings } from '../../../src/main/settings'
import type { RememberedLogin } from '../../../src/preload/bridge'
import { appEntryUrl, launch, status, type Launched } from './shell-harness'

let launched: Launched | null = null
afterEach(async () => {
  await launched?.shell.core()?.stop()
  launched?.cleanup()
  launched = null
})

async function start(options: Parameters<typeof launch>[0] = {}): Promise<Launched> {
  launched = await launch({ settings: { mode: 'remote' }, ...options })
  return launched
}

const login: RememberedLogin = {
  serverUrl: 'http://127.0.0.1:5170',
  username: 'kari.nordmann',
  token: 'token-1',
  expiresAt: Date.now() + 3_600_000,
}

describe('who may use the bridge', () => {
  it('answers the main window’s own page', async () => {
    const { invoke } = await start()

    await expect(invoke('settings:load')).resolves.toMatchObject({ mode: 'remote' })
  })

  it('refuses a request from a page that is not the app', async () => {
    const { electron, log } = await start()
    const contents = electron.window.webContents

    await expect(
      electron.ipcMain.invoke('settings:load', contents.ipcEvent('https://evil.example/')),
    ).rejects.toThrow('refused')
    await expect(
      electron.ipcMain.invoke('login:recall', contents.ipcEvent('file:///tmp/page.html')),
    ).rejects.toThrow('refused')
    expect(log.messages('warn')).toContain('refused an IPC request from outside the app')
  })

  it('refuses a request from a subframe, even one showing the app', async () => {
    const { electron } = await start()
    const contents = electron.window.webContents

    await expect(
      electron.ipcMain.invoke('settings:load', contents.ipcEvent(appEntryUrl, { parent: {} })),
    ).rejects.toThrow('refused')
  })

  it('refuses a request from another web contents, and from a frame that is gone', async () => {
    const { electron } = await start()
    const other = electron.createWindow({})

    await expect(
      electron.ipcMain.invoke('settings:load', other.webContents.ipcEvent(appEntryUrl)),
    ).rejects.toThrow('refused')
    await expect(
      electron.ipcMain.invoke('settings:load', {
        sender: { id: electron.windows[0]!.webContents.id },
        senderFrame: null,
      }),
    ).rejects.toThrow('refused')
  })

  it('ignores a queue report from outside the app', async () => {
    const { electron } = await start()
    const contents = electron.window.webContents

    electron.ipcMain.send(
      'queues:status-reported',
      contents.ipcEvent('https://evil.example/'),
      status({ waiting: 99 }),
    )

    expect(electron.tray.toolTip).not.toContain('99')
  })
})

describe('what the bridge accepts', () => {
  it('rejects settings that do not match the contract, and saves nothing', async () => {
    const { invoke, store } = await start()

    await expect(invoke('settings:save', { mode: 'cloud' })).rejects.toThrow('settings:save')
    await expect(invoke('settings:save', { theme: 'dark', admin: true })).rejects.toThrow()
    await expect(invoke('settings:save', 'dark')).rejects.toThrow()
    await expect(invoke('settings:save')).rejects.toThrow()
    await expect(invoke('settings:save', { theme: 'dark' }, 'extra')).rejects.toThrow()

    expect(store.get('theme')).toBe('system')
    await expect(invoke('settings:load')).resolves.toMatchObject({
      mode: 'remote',
      theme: 'system',
    })
  })

  it('rejects a login without a token or with a server address that is not http(s)', async () => {
    const { invoke, store } = await start()

    await expect(invoke('login:remember', { ...login, token: '' })).rejects.toThrow()
    await expect(
      invoke('login:remember', { ...login, serverUrl: 'file:///etc/passwd' }),
    ).rejects.toThrow()

    expect(store.get('login')).toBeUndefined()
  })

  it('drops a malformed queue report', async () => {
    const { electron, report, log } = await start()

    report({ waiting: -1, offered: [], absent: false })
    report({ waiting: 2, offered: 'lots', absent: false } as never)

    expect(electron.tray.toolTip).toBe('Sentral – Ingen venter i køene dine')
    expect(electron.notifications).toHaveLength(0)
    expect(log.messages('warn')).toContain('ignored an invalid IPC message')
  })
})

describe('the verbs', () => {
  it('loads and saves settings', async () => {
    const { invoke } = await start()

    const saved = await invoke('settings:save', {
      serverUrl: 'https://sentral.example.no/',
      theme: 'dark',
    })

    expect(saved).toEqual({
      ...defaultSettings('nb-NO'),
      mode: 'remote',
      serverUrl: 'https://sentral.example.no',
      theme: 'dark',
    })
    await expect(invoke('settings:load')).resolves.toEqual(saved)
  })

  it('gives the server address in remote mode', async () => {
    const { invoke } = await start({
      settings: { mode: 'remote', serverUrl: 'https://sentral.example.no' },
    })

    await expect(invoke('core:address')).resolves.toBe('https://sentral.example.no')
  })

  it('remembers, recalls and forgets the login', async () => {
    const { invoke } = await start()

    await expect(invoke('login:remember', login)).resolves.toBe(true)
    await expect(invoke('login:recall')).resolves.toEqual(login)
    await invoke('login:forget')
    await expect(invoke('login:recall')).resolves.toBeNull()
  })

  it('does not remember the login where the keyring would keep it in plain text', async () => {
    const { invoke, store } = await start({
      prepare: (fake) => {
        fake.safeStorage.backend = 'basic_text'
      },
    })

    await expect(invoke('login:remember', login)).resolves.toBe(false)
    expect(store.get('login')).toBeUndefined()
  })
})
