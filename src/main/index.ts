/**
 * The Electron main process: the composition root. It hands the real `electron` module, an
 * electron-store for the settings and the file layout of the build to the shell (shell.ts);
 * everything else lives in modules that never import `electron` and are tested without it.
 */
import { fork as forkNode } from 'node:child_process'
import { join } from 'node:path'
import {
  app,
  BrowserWindow,
  globalShortcut,
  ipcMain,
  Menu,
  nativeImage,
  Notification,
  protocol,
  safeStorage,
  screen,
  session,
  shell,
  Tray,
  utilityProcess,
} from 'electron'
import Store from 'electron-store'
import type { ElectronApi, ForkCore, ShellLog } from './electron-api'
import { startShell } from './shell'

const log: ShellLog = {
  info: (message, fields) => console.info(`sentral: ${message}`, fields ?? ''),
  warn: (message, fields) => console.warn(`sentral: ${message}`, fields ?? ''),
  error: (message, fields) => console.error(`sentral: ${message}`, fields ?? ''),
}

/**
 * The core runs in an Electron utility process. In development its native module
 * (better-sqlite3) is usually built for the system Node rather than Electron; SENTRAL_CORE_NODE
 * names a Node binary to run the core with instead (never in a packaged app).
 */
const coreNode = app.isPackaged ? undefined : process.env.SENTRAL_CORE_NODE
const forkCore: ForkCore = coreNode
  ? (modulePath, args, { env }) =>
      forkNode(modulePath, args, { env, execPath: coreNode, stdio: 'pipe' })
  : (modulePath, args, { env, serviceName }) =>
      utilityProcess.fork(modulePath, args, { env, serviceName, stdio: 'pipe' })

const electron: ElectronApi = {
  platform: process.platform,
  app,
  createWindow: (options) => new BrowserWindow(options),
  createTray: (iconPath) => new Tray(iconPath),
  buildMenu: (template) => Menu.buildFromTemplate(template),
  notificationsSupported: () => Notification.isSupported(),
  createNotification: (options) => new Notification(options),
  globalShortcut,
  safeStorage,
  ipcMain,
  // The default session exists only once the app is ready; the shell reads it after that.
  get session() {
    return session.defaultSession
  },
  protocol,
  createImageFromPath: (path) => nativeImage.createFromPath(path),
  openExternal: (url) => shell.openExternal(url),
  displays: () => screen.getAllDisplays(),
  forkCore,
}

const out = join(__dirname, '..')

startShell({
  electron,
  paths: {
    preload: join(out, 'preload', 'index.js'),
    rendererDir: join(out, 'renderer'),
    devServerUrl: process.env.ELECTRON_RENDERER_URL ?? null,
    resourcesDir: app.isPackaged ? process.resourcesPath : join(app.getAppPath(), 'resources'),
    coreModule: join(out, 'core', 'cli.js'),
  },
  store: new Store({ name: 'settings', clearInvalidConfig: true }),
  env: process.env,
  log,
})
