/**
 * The part of Electron the main process uses, as narrow interfaces. Every module of the shell
 * receives these instead of importing `electron`, so the whole shell runs in plain Node under
 * test with a double (tests/helpers/fake-electron.ts); only index.ts passes the real module.
 *
 * Methods use method syntax on purpose: Electron's own classes declare many event overloads and
 * richer parameter types, and method parameters are compared bivariantly, so the real objects
 * satisfy these interfaces without casts.
 */
import type { BrowserWindowConstructorOptions, CustomScheme, Rectangle } from 'electron'

export type { BrowserWindowConstructorOptions, CustomScheme, Rectangle }

/** An event whose default action (quitting, navigating, closing) can be refused. */
export interface PreventableEvent {
  preventDefault(): void
}

export interface NavigationEvent extends PreventableEvent {
  readonly url: string
}

/** An opaque image handle (Electron's NativeImage). */
export interface ShellImage {
  isEmpty(): boolean
}

export interface ShellFrame {
  readonly url: string
  /** null for the top frame of a page. */
  readonly parent: unknown
}

/** What main needs to know about the sender of an IPC message. */
export interface IpcEventLike {
  readonly sender: { readonly id: number }
  /** null when the frame navigated away or was destroyed before the message was handled. */
  readonly senderFrame: ShellFrame | null
}

export interface ShellWebContents {
  readonly id: number
  send(channel: string, ...args: unknown[]): void
  setWindowOpenHandler(handler: (details: { url: string }) => { action: 'deny' }): void
  on(event: 'will-navigate', listener: (event: NavigationEvent) => void): unknown
  on(event: 'will-frame-navigate', listener: (event: NavigationEvent) => void): unknown
  on(event: 'will-redirect', listener: (event: NavigationEvent) => void): unknown
  on(event: 'will-attach-webview', listener: (event: PreventableEvent) => void): unknown
  on(
    event: 'render-process-gone',
    listener: (event: unknown, details: { reason: string }) => void,
  ): unknown
  reload(): void
}

export interface ShellWindow {
  readonly webContents: ShellWebContents
  show(): void
  hide(): void
  focus(): void
  restore(): void
  maximize(): void
  isMinimized(): boolean
  isMaximized(): boolean
  isVisible(): boolean
  isDestroyed(): boolean
  getNormalBounds(): Rectangle
  loadURL(url: string): Promise<void>
  /** Windows only: a small image over the taskbar button. */
  setOverlayIcon(overlay: ShellImage | null, description: string): void
  on(event: 'ready-to-show', listener: () => void): unknown
  on(event: 'close', listener: (event: PreventableEvent) => void): unknown
  on(event: 'closed', listener: () => void): unknown
  on(event: 'move', listener: () => void): unknown
  on(event: 'resize', listener: () => void): unknown
  on(event: 'maximize', listener: () => void): unknown
  on(event: 'unmaximize', listener: () => void): unknown
  /** Windows: the OS session ends (shutdown, restart, log off) without before-quit. */
  on(event: 'session-end', listener: () => void): unknown
}

/** A menu entry; a subset of Electron's MenuItemConstructorOptions. */
export interface ShellMenuItem {
  label?: string
  type?: 'normal' | 'separator'
  enabled?: boolean
  click?: () => void
}

/** An opaque built menu (Electron's Menu). */
export type ShellMenu = object

export interface ShellTray {
  setImage(iconPath: string): void
  setToolTip(toolTip: string): void
  /** macOS only: text beside the icon in the menu bar. */
  setTitle(title: string): void
  setContextMenu(menu: ShellMenu | null): void
  on(event: 'click', listener: () => void): unknown
  destroy(): void
}

export interface NotificationOptions {
  title: string
  body: string
  silent?: boolean
  urgency?: 'normal' | 'critical' | 'low'
  timeoutType?: 'default' | 'never'
}

export interface ShellNotification {
  show(): void
  close(): void
  on(event: 'click', listener: () => void): unknown
}

export interface ShellGlobalShortcut {
  /** False when another application holds the accelerator; throws when it cannot be parsed. */
  register(accelerator: string, callback: () => void): boolean
  unregister(accelerator: string): void
  unregisterAll(): void
}

export interface ShellSafeStorage {
  isEncryptionAvailable(): boolean
  /** Linux only. */
  getSelectedStorageBackend(): string
  encryptString(plainText: string): Buffer
  decryptString(encrypted: Buffer): string
}

export interface HeadersReceivedDetails {
  readonly url: string
  readonly resourceType?: string
  readonly responseHeaders?: Record<string, string[]>
}

export interface HeadersReceivedResponse {
  cancel?: boolean
  responseHeaders?: Record<string, string | string[]>
}

export interface ShellSession {
  setPermissionRequestHandler(
    handler: (contents: unknown, permission: string, callback: (granted: boolean) => void) => void,
  ): void
  setPermissionCheckHandler(handler: (contents: unknown, permission: string) => boolean): void
  readonly webRequest: {
    onHeadersReceived(
      listener: (
        details: HeadersReceivedDetails,
        callback: (response: HeadersReceivedResponse) => void,
      ) => void,
    ): void
  }
}

export interface ShellProtocol {
  registerSchemesAsPrivileged(schemes: CustomScheme[]): void
  handle(scheme: string, handler: (request: Request) => Response | Promise<Response>): void
}

export interface ShellIpcMain {
  handle(channel: string, listener: (event: IpcEventLike, ...args: unknown[]) => unknown): void
  on(channel: string, listener: (event: IpcEventLike, ...args: unknown[]) => void): unknown
}

export interface ShellApp {
  readonly isPackaged: boolean
  requestSingleInstanceLock(): boolean
  quit(): void
  whenReady(): Promise<unknown>
  getPath(name: 'userData'): string
  getLocale(): string
  setAppUserModelId(id: string): void
  /** macOS and Linux (Unity): the count on the dock or launcher icon. */
  setBadgeCount(count?: number): boolean
  on(event: 'second-instance', listener: () => void): unknown
  on(event: 'activate', listener: () => void): unknown
  on(event: 'before-quit', listener: (event: PreventableEvent) => void): unknown
  on(event: 'will-quit', listener: () => void): unknown
  on(
    event: 'web-contents-created',
    listener: (event: unknown, contents: ShellWebContents) => void,
  ): unknown
}

/** A child process running the routing core: Electron's UtilityProcess or Node's ChildProcess. */
export interface CoreProcess {
  readonly stdout: NodeJS.ReadableStream | null
  readonly stderr: NodeJS.ReadableStream | null
  kill(): boolean
  once(event: 'exit', listener: (code: number | null) => void): unknown
}

export interface ForkOptions {
  env: Record<string, string | undefined>
  /** Shown in the OS task manager. */
  serviceName: string
}

/** `utilityProcess.fork`, or `child_process.fork` in tests; stdio is always piped. */
export type ForkCore = (modulePath: string, args: string[], options: ForkOptions) => CoreProcess

export interface ElectronApi {
  readonly platform: NodeJS.Platform
  readonly app: ShellApp
  createWindow(options: BrowserWindowConstructorOptions): ShellWindow
  createTray(iconPath: string): ShellTray
  buildMenu(template: ShellMenuItem[]): ShellMenu
  notificationsSupported(): boolean
  createNotification(options: NotificationOptions): ShellNotification
  readonly globalShortcut: ShellGlobalShortcut
  readonly safeStorage: ShellSafeStorage
  readonly ipcMain: ShellIpcMain
  readonly session: ShellSession
  readonly protocol: ShellProtocol
  createImageFromPath(path: string): ShellImage
  openExternal(url: string): Promise<void>
  displays(): { workArea: Rectangle }[]
  forkCore: ForkCore
}

/** Where the shell writes what went wrong; the composition root sends it to the console. */
export interface ShellLog {
  info(message: string, fields?: Record<string, unknown>): void
  warn(message: string, fields?: Record<string, unknown>): void
  error(message: string, fields?: Record<string, unknown>): void
}

export type Cancel = () => void

/** Timers, injected so debouncing and restart back-off are tested without waiting. */
export interface Scheduler {
  schedule(callback: () => void, delayMs: number): Cancel
}

export const systemScheduler: Scheduler = {
  schedule(callback, delayMs) {
    const timer = setTimeout(callback, delayMs)
    return () => clearTimeout(timer)
  },
}
