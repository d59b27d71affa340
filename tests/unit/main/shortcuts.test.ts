import { afterEach, describe, expect, it } from 'vitest'
import { isGlobalAccelerator } from '../../../src/main/accelerator'
import { defaultShortcuts } from '../../../src/main/settings'
import { launch, type Launched } from './shell-harness'

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

describe('global shortcuts', () => {
  it('registers the default shortcuts on start', async () => {
    const { electron } = await start()

    expect([...electron.globalShortcut.registered.keys()].sort()).toEqual([
      'CommandOrControl+Alt+A',
      'CommandOrControl+Alt+F',
      'CommandOrControl+Alt+H',
      'CommandOrControl+Alt+O',
    ])
  })

  it('sends the action to the interface when pressed, while another application has focus', async () => {
    const { electron, commands } = await start()
    electron.window.close()

    electron.globalShortcut.press('CommandOrControl+Alt+A')
    electron.globalShortcut.press('CommandOrControl+Alt+H')
    electron.globalShortcut.press('CommandOrControl+Alt+O')
    electron.globalShortcut.press('CommandOrControl+Alt+F')

    expect(commands()).toEqual([
      { kind: 'answer-next' },
      { kind: 'hang-up' },
      { kind: 'transfer' },
      { kind: 'toggle-absent' },
    ])
  })

  it('registers the shortcuts saved in the settings', async () => {
    const { electron, commands } = await start({
      settings: {
        mode: 'remote',
        shortcuts: { ...defaultShortcuts, 'answer-next': 'F8', transfer: null },
      },
    })

    expect(electron.globalShortcut.registered.has('F8')).toBe(true)
    expect(electron.globalShortcut.registered.has('CommandOrControl+Alt+A')).toBe(false)
    expect(electron.globalShortcut.registered.has('CommandOrControl+Alt+O')).toBe(false)
    electron.globalShortcut.press('F8')
    expect(commands()).toEqual([{ kind: 'answer-next' }])
  })

  it('registers again when the shortcuts change, releasing the old keys', async () => {
    const { electron, invoke, commands } = await start()

    await invoke('settings:save', {
      shortcuts: { ...defaultShortcuts, 'hang-up': 'Shift+F10' },
    })

    expect(electron.globalShortcut.registered.has('CommandOrControl+Alt+H')).toBe(false)
    expect(electron.globalShortcut.press('CommandOrControl+Alt+H')).toBe(false)
    electron.globalShortcut.press('Shift+F10')
    expect(commands()).toEqual([{ kind: 'hang-up' }])
    expect(electron.globalShortcut.registered.size).toBe(4)
  })

  it('reports a shortcut another application holds, and registers the others', async () => {
    const { electron, log } = await start({
      prepare: (fake) => {
        fake.globalShortcut.taken.add('CommandOrControl+Alt+H')
      },
    })

    expect(electron.globalShortcut.registered.size).toBe(3)
    expect(log.entries).toContainEqual({
      level: 'warn',
      message: 'a global shortcut could not be registered',
      fields: { action: 'hang-up', accelerator: 'CommandOrControl+Alt+H', reason: 'taken' },
    })
  })

  it('reports, and does not throw for, an accelerator Electron cannot parse', async () => {
    const { electron, log } = await start({
      prepare: (fake) => {
        fake.globalShortcut.unparseable.add('CommandOrControl+Alt+O')
      },
    })

    expect(electron.globalShortcut.registered.size).toBe(3)
    expect(log.entries.map((entry) => entry.fields)).toContainEqual({
      action: 'transfer',
      accelerator: 'CommandOrControl+Alt+O',
      reason: 'invalid',
    })
  })

  it('releases every shortcut when the app quits', async () => {
    const { electron } = await start()

    electron.app.quit()

    expect(electron.globalShortcut.registered.size).toBe(0)
  })
})

describe('accelerators', () => {
  it('accepts modifier combinations, and function or media keys alone', () => {
    for (const accelerator of [
      'CommandOrControl+Alt+A',
      'Ctrl+Shift+F12',
      'Alt+Space',
      'Super+Plus',
      'F9',
      'MediaPlayPause',
      'CmdOrCtrl+num5',
    ])
      expect(isGlobalAccelerator(accelerator), accelerator).toBe(true)
  })

  it('refuses keys that would swallow typing everywhere, unknown names and repeats', () => {
    for (const accelerator of [
      'A',
      '5',
      'Space',
      '',
      'Hyper+A',
      'Ctrl+Ctrl+A',
      'Ctrl+F25',
      'Ctrl+',
      'Ctrl+Alt',
    ])
      expect(isGlobalAccelerator(accelerator), accelerator).toBe(false)
  })
})
