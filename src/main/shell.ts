/**
 * The desktop shell, assembled from its parts with Electron passed in: one instance, one secure
 * window on the interface, the tray, notifications for offered calls, global shortcuts, the
 * settings and remembered login, and in local mode the bundled routing core. index.ts calls
 * this with the real `electron`; tests call it with tests/helpers/fake-electron.ts.
 *
 * Closing the window hides it: the switchboard keeps notifying and answering shortcuts from the
 * tray until the user quits (tray menu, Cmd+Q, or the OS session ending).
 */
import { join } from 'node:path'
import type { DesktopSettings, ShellCommand } from '../preload/bridge'
import { shellCommandChannel } from '../preload/ipc-channels'
import { appPages, appProtocolHandler, appScheme, appSchemePrivileges } from './app-pages'
import { CallNotifier } from './call-notifier'
import { CoreSupervisor, type CoreSupervisorOptions } from './core-supervisor'
import type { ElectronApi, Scheduler, ShellLog, ShellWindow } from './electron-api'
import { systemScheduler } from './electron-api'
import { GlobalShortcuts } from './global-shortcuts'
import { registerIpc } from './ipc'
import { LoginVault } from './login-vault'
import { QueueTray } from './queue-tray'
import { hardenContents, hardenSession, isTrustedSender, secureWebPreferences } from './security'
import { defaultSettings, type KeyValueStore, SettingsStore } from './settings'
import { restoredBounds, WindowStateKeeper } from './window-state'

export const appUserModelId = 'no.sentral.app'

export interface ShellPaths {
  /** out/preload/index.js */
  preload: string
  /** out/renderer, served as sentral://app/ */
  rendererDir: string
  /** ELECTRON_RENDERER_URL in development, else null. */
  devServerUrl: string | null
  /** resources/ in development, process.resourcesPath when packaged (demo/, icons/). */
  resourcesDir: string
  /** out/core/cli.js */
  coreModule: string
}

export interface ShellDeps {
  electron: ElectronApi
  paths: ShellPaths
  /** electron-store in the app, conf in tests. */
  store: KeyValueStore
  /** The environment the bundled core inherits. */
  env: Record<string, string | undefined>
  log: ShellLog
  scheduler?: Scheduler
  now?: () => number
  /** Timings for the bundled core (tests shorten them). */
  core?: Pick<
    CoreSupervisorOptions,
    'backoff' | 'readyTimeoutMs' | 'stopTimeoutMs' | 'stableMs' | 'maxFailedStarts'
  >
}

export interface Shell {
  /** Settles once the window, tray, shortcuts and IPC are in place. */
  readonly ready: Promise<void>
  /** The bundled core in local mode, else null. */
  core(): CoreSupervisor | null
}

/** Starts the shell; null when another instance runs (it is brought forward instead). */
export function startShell(deps: ShellDeps): Shell | null {
  const { electron, paths, log } = deps
  const { app, platform } = electron
  const scheduler = deps.scheduler ?? systemScheduler

  if (!app.requestSingleInstanceLock()) {
    app.quit()
    return null
  }
  // Both before 'ready': the scheme's privileges, and the identity Windows shows notifications
  // under.
  electron.protocol.registerSchemesAsPrivileged([appSchemePrivileges])
  if (platform === 'win32') app.setAppUserModelId(appUserModelId)

  const pages = appPages(paths.devServerUrl)
  const openExternal = (url: string) => electron.openExternal(url)
  const icon = (name: string) => join(paths.resourcesDir, 'icons', name)

  let settings: SettingsStore | null = null
  let window: ShellWindow | null = null
  let tray: QueueTray | null = null
  let notifier: CallNotifier | null = null
  let shortcuts: GlobalShortcuts | null = null
  let core: CoreSupervisor | null = null
  let coreStopped: Promise<void> = Promise.resolve()
  let quitting = false

  const language = () => settings?.get().language ?? 'en'

  const sendCommand = (command: ShellCommand) => {
    if (window && !window.isDestroyed()) window.webContents.send(shellCommandChannel, command)
  }

  const showWindow = () => {
    if (!settings) return
    if (!window || window.isDestroyed()) window = createMainWindow(settings)
    if (window.isMinimized()) window.restore()
    window.show()
    window.focus()
  }

  function createMainWindow(current: SettingsStore): ShellWindow {
    const bounds = restoredBounds(
      current.windowBounds(),
      electron.displays().map((display) => display.workArea),
    )
    const created = electron.createWindow({
      ...(bounds.x !== undefined && bounds.y !== undefined ? { x: bounds.x, y: bounds.y } : {}),
      width: bounds.width,
      height: bounds.height,
      minWidth: 800,
      minHeight: 560,
      show: false,
      title: 'Sentral',
      autoHideMenuBar: true,
      ...(platform === 'linux' ? { icon: icon('icon.png') } : {}),
      webPreferences: secureWebPreferences(paths.preload, !app.isPackaged),
    })
    hardenContents(created.webContents, pages, openExternal)
    new WindowStateKeeper(current, scheduler).track(created)
    created.on('ready-to-show', () => {
      if (bounds.maximized) created.maximize()
      created.show()
    })
    created.on('close', (event) => {
      if (quitting) return
      event.preventDefault()
      created.hide()
    })
    created.on('session-end', () => {
      quitting = true
    })
    // A crashed interface would leave a blank switchboard: load it again.
    created.webContents.on('render-process-gone', (_event, details) => {
      log.error('the interface process is gone', { reason: details.reason })
      if (details.reason !== 'clean-exit' && !created.isDestroyed()) created.webContents.reload()
    })
    created.on('closed', () => {
      if (window === created) window = null
    })
    created.loadURL(pages.entryUrl).catch((error: unknown) => {
      log.error('could not load the interface', { url: pages.entryUrl, error: String(error) })
    })
    return created
  }

  function coreArgs(current: SettingsStore): string[] {
    const { companyFile, accountsFile } = current.localCore()
    const common = ['--data-dir', join(app.getPath('userData'), 'core'), '--json-logs']
    if (companyFile === null) return ['demo', ...common]
    return [
      'run',
      '--company',
      companyFile,
      ...(accountsFile !== null ? ['--accounts', accountsFile] : []),
      ...common,
    ]
  }

  /** Starts the bundled core once the previous one (if any) has fully stopped. */
  function startCore(current: SettingsStore): CoreSupervisor {
    if (core) return core
    const supervisor = new CoreSupervisor({
      ...deps.core,
      fork: electron.forkCore,
      modulePath: paths.coreModule,
      args: coreArgs(current),
      env: { ...deps.env, SENTRAL_RESOURCES: paths.resourcesDir },
      scheduler,
      log,
    })
    core = supervisor
    void coreStopped.then(() => {
      if (core !== supervisor || supervisor.state !== 'idle') return
      supervisor.start().catch((error: unknown) => {
        log.error('the bundled core is not available', { error: String(error) })
      })
    })
    return supervisor
  }

  function stopCore(): Promise<void> {
    const supervisor = core
    core = null
    // A core that is still shutting down from an earlier switch is waited for as well.
    if (supervisor)
      coreStopped = Promise.all([coreStopped, supervisor.stop()]).then(() => undefined)
    return coreStopped
  }

  async function coreAddress(current: SettingsStore): Promise<string> {
    const { mode, serverUrl } = current.get()
    if (mode === 'remote') return serverUrl
    // Asking again after the core gave up is the interface's "try again".
    if (core?.state === 'failed') void stopCore()
    return startCore(current).address()
  }

  function applyShortcuts(value: DesktopSettings['shortcuts']): void {
    for (const problem of shortcuts?.apply(value) ?? [])
      log.warn('a global shortcut could not be registered', { ...problem })
  }

  function settingsChanged(next: DesktopSettings, previous: DesktopSettings): void {
    if (JSON.stringify(next.shortcuts) !== JSON.stringify(previous.shortcuts))
      applyShortcuts(next.shortcuts)
    if (next.language !== previous.language) tray?.refresh()
    if (next.mode !== previous.mode && settings) {
      if (next.mode === 'local') startCore(settings)
      else void stopCore()
    }
  }

  app.on('second-instance', showWindow)
  app.on('activate', showWindow)
  // Every web contents, not only the main window's, gets the same limits.
  app.on('web-contents-created', (_event, contents) =>
    hardenContents(contents, pages, openExternal),
  )
  app.on('before-quit', (event) => {
    quitting = true
    if (!core) return
    // Quit once the core has shut down cleanly (its database closed), then quit for real.
    event.preventDefault()
    void stopCore().finally(() => app.quit())
  })
  app.on('will-quit', () => {
    shortcuts?.clear()
    electron.globalShortcut.unregisterAll()
    notifier?.clear()
    tray?.destroy()
  })

  const ready = app.whenReady().then(() => {
    const current = new SettingsStore(deps.store, defaultSettings(app.getLocale()))
    settings = current
    const vault = new LoginVault(deps.store, electron.safeStorage, platform, deps.now)
    hardenSession(electron.session, pages)
    electron.protocol.handle(appScheme, appProtocolHandler(paths.rendererDir))
    registerIpc({
      ipcMain: electron.ipcMain,
      isTrustedSender: (event) => isTrustedSender(event, window?.webContents ?? null, pages),
      log,
      invoke: {
        'settings:load': () => current.get(),
        'settings:save': (patch) => current.save(patch),
        'core:address': () => coreAddress(current),
        'login:remember': (login) => vault.remember(login),
        'login:recall': () => vault.recall(),
        'login:forget': () => vault.forget(),
      },
      send: {
        'queues:status-reported': (report) => {
          tray?.update(report)
          notifier?.update(report.offered)
        },
      },
    })
    window = createMainWindow(current)
    tray = new QueueTray(electron, {
      iconPath: icon('tray.png'),
      waitingIconPath: icon('tray-waiting.png'),
      overlayIconPath: icon('overlay.png'),
      language,
      window: () => window,
      showWindow,
      sendCommand,
      quit: () => app.quit(),
    })
    notifier = new CallNotifier(electron, { language, showWindow, sendCommand })
    shortcuts = new GlobalShortcuts(electron.globalShortcut, sendCommand)
    applyShortcuts(current.get().shortcuts)
    current.onChange(settingsChanged)
    if (current.get().mode === 'local') startCore(current)
  })

  return { ready, core: () => core }
}
