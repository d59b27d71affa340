/** Starts the desktop shell on the Electron double, as index.ts does on the real Electron. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { DesktopSettings, QueueStatusReport, ShellCommand } from '../../../src/preload/bridge'
import type { InvokeChannel } from '../../../src/preload/ipc-channels'
import { startShell, type Shell, type ShellDeps } from '../../../src/main/shell'
import {
  FakeElectron,
  type FakeElectronOptions,
  ManualScheduler,
  MemoryStore,
  RecordingLog,
} from '../../helpers/fake-electron'

export const appEntryUrl = 'sentral://app/index.html'

export interface Launched {
  electron: FakeElectron
  shell: Shell
  store: MemoryStore
  log: RecordingLog
  scheduler: ManualScheduler
  rendererDir: string
  /** ipcRenderer.invoke from the main window's page. */
  invoke: (channel: InvokeChannel, ...args: unknown[]) => Promise<unknown>
  /** The renderer reports the queues (ipcRenderer.send). */
  report: (report: QueueStatusReport) => void
  commands: () => ShellCommand[]
  cleanup: () => void
}

export interface LaunchOptions extends FakeElectronOptions {
  settings?: Partial<DesktopSettings>
  store?: MemoryStore
  prepare?: (electron: FakeElectron) => void
  deps?: Partial<ShellDeps>
}

export async function launch(options: LaunchOptions = {}): Promise<Launched> {
  const electron = new FakeElectron(options)
  options.prepare?.(electron)
  const store = options.store ?? new MemoryStore()
  for (const [key, value] of Object.entries(options.settings ?? {})) store.set(key, value)
  const root = mkdtempSync(join(tmpdir(), 'sentral-shell-'))
  const rendererDir = join(root, 'renderer')
  mkdirSync(rendererDir)
  writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>Sentral</title>')
  const log = new RecordingLog()
  const scheduler = new ManualScheduler()
  electron.app.userData = join(root, 'user-data')
  const shell = startShell({
    electron,
    paths: {
      preload: '/app/out/preload/index.js',
      rendererDir,
      devServerUrl: null,
      resourcesDir: '/app/resources',
      coreModule: '/app/out/core/cli.js',
    },
    store,
    env: { PATH: '/usr/bin' },
    log,
    scheduler,
    ...options.deps,
  })
  if (!shell) throw new Error('the shell did not start (single instance lock?)')
  await shell.ready
  const window = () => electron.window
  return {
    electron,
    shell,
    store,
    log,
    scheduler,
    rendererDir,
    invoke: (channel, ...args) =>
      electron.ipcMain.invoke(channel, window().webContents.ipcEvent(appEntryUrl), ...args),
    report: (report) =>
      electron.ipcMain.send(
        'queues:status-reported',
        window().webContents.ipcEvent(appEntryUrl),
        report,
      ),
    commands: () => window().webContents.commands(),
    cleanup: () => rmSync(root, { recursive: true, force: true }),
  }
}

export function status(partial: Partial<QueueStatusReport> = {}): QueueStatusReport {
  return { waiting: 0, offered: [], absent: false, ...partial }
}
