// @vitest-environment happy-dom
/**
 * In the desktop app the interface reads and writes the shell's settings through the bridge
 * (the preload's verbs, faked here behind the same interface: the Electron shell is outside
 * the renderer), and follows the shell's commands (global shortcuts, tray, notifications).
 */
import { act, cleanup, fireEvent, screen, waitFor } from '@testing-library/react'
import { afterEach, describe, expect, it } from 'vitest'
import type {
  DesktopSettings,
  QueueStatusReport,
  SentralBridge,
  ShellCommand,
} from '../../../src/preload/bridge'
import { appStarted } from '../../../src/renderer/src/app/actions'
import { SettingsView } from '../../../src/renderer/src/features/settings/SettingsView'
import { snapshotReceived } from '../../../src/renderer/src/services/core-events'
import { call, ids, offered, recordingCore, signedIn, snapshot, t0 } from './fixtures'
import { renderWithStore } from './render'

function fakeBridge(initial: DesktopSettings) {
  let settings = initial
  const saved: Partial<DesktopSettings>[] = []
  const reports: QueueStatusReport[] = []
  const listeners = new Set<(c: ShellCommand) => void>()
  const bridge: SentralBridge = {
    platform: 'linux',
    versions: { electron: 'test', chrome: 'test' },
    loadSettings: () => Promise.resolve(settings),
    saveSettings: (patch) => {
      saved.push(patch)
      settings = { ...settings, ...patch }
      return Promise.resolve(settings)
    },
    coreAddress: () => Promise.resolve('http://127.0.0.1:5170'),
    rememberLogin: () => Promise.resolve(false),
    recallLogin: () => Promise.resolve(null),
    forgetLogin: () => Promise.resolve(),
    reportQueueStatus: (report) => void reports.push(report),
    onCommand: (listener) => {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
  }
  return { bridge, saved, reports, send: (c: ShellCommand) => listeners.forEach((l) => l(c)) }
}

const desktop: DesktopSettings = {
  mode: 'local',
  serverUrl: 'http://127.0.0.1:5170',
  language: 'en',
  theme: 'dark',
  shortcuts: {
    'answer-next': 'CommandOrControl+Alt+A',
    'hang-up': 'CommandOrControl+Alt+H',
    transfer: 'CommandOrControl+Alt+O',
    'toggle-absent': 'CommandOrControl+Alt+F',
  },
}

describe('the desktop app’s settings', () => {
  afterEach(cleanup)

  it('are read from the shell at start: language and theme follow them', async () => {
    const shell = fakeBridge(desktop)
    const { store } = renderWithStore(<SettingsView />, { bridge: shell.bridge })
    act(() => {
      store.dispatch(appStarted())
    })
    await waitFor(() => expect(store.getState().settings.desktop).toEqual(desktop))
    expect(store.getState().settings).toMatchObject({ language: 'en', theme: 'dark' })
  })

  it('change a global shortcut through the shell, which keeps it', async () => {
    const shell = fakeBridge(desktop)
    const { store } = renderWithStore(<SettingsView />, { bridge: shell.bridge })
    act(() => {
      store.dispatch(appStarted())
    })
    const form = await screen.findByTestId('desktop-settings')
    const hangUp = form.querySelectorAll('input[type="text"]')[1] as HTMLInputElement
    expect(hangUp.value).toBe('CommandOrControl+Alt+H')
    fireEvent.change(hangUp, { target: { value: 'CommandOrControl+Shift+E' } })
    fireEvent.submit(form)
    await waitFor(() =>
      expect(store.getState().settings.desktop?.shortcuts['hang-up']).toBe(
        'CommandOrControl+Shift+E',
      ),
    )
    expect(shell.saved.at(-1)).toMatchObject({
      mode: 'local',
      shortcuts: { 'hang-up': 'CommandOrControl+Shift+E', transfer: 'CommandOrControl+Alt+O' },
    })
  })

  it('are not shown in the web switchboard, where there is no shell', () => {
    renderWithStore(<SettingsView />)
    expect(screen.queryByTestId('desktop-settings')).toBeNull()
  })
})

describe('the desktop shell and the queues', () => {
  afterEach(cleanup)

  it('hears what rings for the user and how many wait, and answers on the global shortcut', async () => {
    const shell = fakeBridge(desktop)
    const core = recordingCore({ answers: 'never' })
    const ringing = offered('c-1', ids.kari, {
      remote: { number: '+4790011223', name: 'Per Hansen', userId: null },
    })
    const snap = snapshot({ calls: [ringing, call('c-2')] })
    const { store } = renderWithStore(<SettingsView />, {
      bridge: shell.bridge,
      core: () => core,
      preloadedState: signedIn(),
    })
    act(() => {
      store.dispatch(appStarted())
      // Any change to the live copy makes the interface tell the shell.
      store.dispatch(snapshotReceived({ snapshot: snap, receivedAt: t0 }))
    })
    await waitFor(() => expect(shell.reports.length).toBeGreaterThan(0))
    expect(shell.reports.at(-1)).toEqual({
      waiting: 2,
      offered: [
        {
          callId: 'c-1',
          callerName: 'Per Hansen',
          callerNumber: '+4790011223',
          queueName: 'Sentralbord',
        },
      ],
      absent: false,
    })
    act(() => shell.send({ kind: 'answer-next' }))
    expect(core.requests.map((r) => [r.event, r.payload])).toContainEqual([
      'call:answer',
      { callId: 'c-1' },
    ])
  })
})
