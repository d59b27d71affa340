/**
 * A test double of the Electron API the shell uses (src/main/electron-api.ts). It behaves as
 * Electron does where the shell relies on it (events with preventDefault, quit running
 * before-quit then will-quit, a new window emitting web-contents-created, IPC handlers
 * rejecting when they throw) and records everything the shell does, so tests assert on what
 * the user would see: window options, tray text and menu, notifications, shortcuts, messages
 * sent to the renderer.
 */
import { EventEmitter } from 'node:events'
import { PassThrough } from 'node:stream'
import type { ShellCommand } from '../../src/preload/bridge'
import type {
  BrowserWindowConstructorOptions,
  CoreProcess,
  CustomScheme,
  ElectronApi,
  ForkCore,
  ForkOptions,
  HeadersReceivedDetails,
  HeadersReceivedResponse,
  IpcEventLike,
  NotificationOptions,
  Rectangle,
  Scheduler,
  ShellApp,
  ShellGlobalShortcut,
  ShellImage,
  ShellIpcMain,
  ShellLog,
  ShellMenuItem,
  ShellNotification,
  ShellProtocol,
  ShellSafeStorage,
  ShellSession,
  ShellTray,
  ShellWebContents,
  ShellWindow,
} from '../../src/main/electron-api'
import type { KeyValueStore } from '../../src/main/settings'

export class FakeEvent {
  defaultPrevented = false
  preventDefault(): void {
    this.defaultPrevented = true
  }
}

export class FakeNavigationEvent extends FakeEvent {
  constructor(readonly url: string) {
    super()
  }
}

let nextContentsId = 1

export class FakeWebContents extends EventEmitter implements ShellWebContents {
  readonly id = nextContentsId++
  readonly sent: { channel: string; args: unknown[] }[] = []
  windowOpenHandler: ((details: { url: string }) => { action: 'deny' }) | null = null
  reloads = 0

  reload(): void {
    this.reloads += 1
  }

  send(channel: string, ...args: unknown[]): void {
    this.sent.push({ channel, args })
  }

  setWindowOpenHandler(handler: (details: { url: string }) => { action: 'deny' }): void {
    this.windowOpenHandler = handler
  }

  /** Emits a navigation event as Electron does; true when a listener refused it. */
  navigate(event: 'will-navigate' | 'will-frame-navigate' | 'will-redirect', url: string): boolean {
    const navigation = new FakeNavigationEvent(url)
    this.emit(event, navigation)
    return navigation.defaultPrevented
  }

  /** True when attaching a <webview> was refused. */
  attachWebview(): boolean {
    const event = new FakeEvent()
    this.emit('will-attach-webview', event, {}, {})
    return event.defaultPrevented
  }

  /** The shell commands sent to the renderer, in order. */
  commands(): ShellCommand[] {
    return this.sent
      .filter((message) => message.channel === 'shell:command')
      .map((message) => message.args[0] as ShellCommand)
  }

  /** An IPC event from this contents' top frame showing `url`. */
  ipcEvent(url: string, frame: { parent: unknown } = { parent: null }): IpcEventLike {
    return { sender: { id: this.id }, senderFrame: { url, parent: frame.parent } }
  }
}

export class FakeWindow extends EventEmitter implements ShellWindow {
  readonly webContents = new FakeWebContents()
  visible = false
  focusCount = 0
  minimized = false
  maximized = false
  destroyed = false
  loadedUrl: string | null = null
  overlay: { image: ShellImage | null; description: string } | null = null
  bounds: Rectangle

  constructor(readonly options: BrowserWindowConstructorOptions) {
    super()
    this.bounds = {
      x: options.x ?? 100,
      y: options.y ?? 100,
      width: options.width ?? 800,
      height: options.height ?? 600,
    }
  }

  show(): void {
    this.visible = true
  }
  hide(): void {
    this.visible = false
  }
  focus(): void {
    this.focusCount += 1
  }
  restore(): void {
    this.minimized = false
  }
  maximize(): void {
    this.maximized = true
  }
  isMinimized(): boolean {
    return this.minimized
  }
  isMaximized(): boolean {
    return this.maximized
  }
  isVisible(): boolean {
    return this.visible
  }
  isDestroyed(): boolean {
    return this.destroyed
  }
  getNormalBounds(): Rectangle {
    return { ...this.bounds }
  }
  loadURL(url: string): Promise<void> {
    this.loadedUrl = url
    return Promise.resolve()
  }
  setOverlayIcon(image: ShellImage | null, description: string): void {
    this.overlay = { image, description }
  }

  /** The user closes the window; false when a listener kept it open. */
  close(): boolean {
    const event = new FakeEvent()
    this.emit('close', event)
    if (event.defaultPrevented) return false
    this.destroyed = true
    this.emit('closed')
    return true
  }

  /** The user drags the window. */
  moveTo(bounds: Partial<Rectangle>): void {
    this.bounds = { ...this.bounds, ...bounds }
    this.emit('move')
  }
}

export class FakeMenu {
  constructor(readonly template: ShellMenuItem[]) {}

  labels(): string[] {
    return this.template.flatMap((item) => (item.label === undefined ? [] : [item.label]))
  }

  click(label: string): void {
    const item = this.template.find((candidate) => candidate.label === label)
    if (!item?.click) throw new Error(`no menu item "${label}" (have ${this.labels().join(', ')})`)
    item.click()
  }
}

export class FakeTray extends EventEmitter implements ShellTray {
  image: string
  toolTip = ''
  title = ''
  menu: FakeMenu | null = null
  destroyed = false

  constructor(image: string) {
    super()
    this.image = image
  }

  setImage(image: string): void {
    this.image = image
  }
  setToolTip(toolTip: string): void {
    this.toolTip = toolTip
  }
  setTitle(title: string): void {
    this.title = title
  }
  setContextMenu(menu: object | null): void {
    this.menu = menu instanceof FakeMenu ? menu : null
  }
  destroy(): void {
    this.destroyed = true
  }
}

export class FakeNotification extends EventEmitter implements ShellNotification {
  shown = false
  closed = false

  constructor(readonly options: NotificationOptions) {
    super()
  }

  show(): void {
    this.shown = true
  }
  close(): void {
    this.closed = true
  }
  /** The user clicks the notification. */
  click(): void {
    this.emit('click')
  }
}

export class FakeGlobalShortcut implements ShellGlobalShortcut {
  readonly registered = new Map<string, () => void>()
  /** Accelerators another application holds (register returns false). */
  readonly taken = new Set<string>()
  /** Accelerators the parser rejects (register throws). */
  readonly unparseable = new Set<string>()

  register(accelerator: string, callback: () => void): boolean {
    if (this.unparseable.has(accelerator)) throw new Error(`Failed to parse "${accelerator}"`)
    if (this.taken.has(accelerator) || this.registered.has(accelerator)) return false
    this.registered.set(accelerator, callback)
    return true
  }
  unregister(accelerator: string): void {
    this.registered.delete(accelerator)
  }
  unregisterAll(): void {
    this.registered.clear()
  }
  /** The user presses the keys, whatever application has focus; false when nothing listens. */
  press(accelerator: string): boolean {
    const callback = this.registered.get(accelerator)
    callback?.()
    return callback !== undefined
  }
}

/** Encrypts reversibly and visibly (so tests can tell ciphertext from the plain token). */
export class FakeSafeStorage implements ShellSafeStorage {
  available = true
  backend = 'gnome_libsecret'
  encryptCalls = 0

  isEncryptionAvailable(): boolean {
    return this.available
  }
  getSelectedStorageBackend(): string {
    return this.backend
  }
  encryptString(plainText: string): Buffer {
    this.encryptCalls += 1
    const bytes = Buffer.from(plainText, 'utf8').map((byte) => byte ^ 0x5a)
    return Buffer.concat([Buffer.from('v11'), bytes])
  }
  decryptString(encrypted: Buffer): string {
    if (encrypted.subarray(0, 3).toString() !== 'v11') throw new Error('Error while decrypting')
    return Buffer.from(encrypted.subarray(3).map((byte) => byte ^ 0x5a)).toString('utf8')
  }
}

type InvokeListener = (event: IpcEventLike, ...args: unknown[]) => unknown
type SendListener = (event: IpcEventLike, ...args: unknown[]) => void

export class FakeIpcMain implements ShellIpcMain {
  readonly handlers = new Map<string, InvokeListener>()
  readonly listeners = new Map<string, SendListener[]>()

  handle(channel: string, listener: InvokeListener): void {
    if (this.handlers.has(channel)) throw new Error(`second handler for ${channel}`)
    this.handlers.set(channel, listener)
  }
  on(channel: string, listener: SendListener): this {
    this.listeners.set(channel, [...(this.listeners.get(channel) ?? []), listener])
    return this
  }

  /** ipcRenderer.invoke as the renderer sees it: a throwing handler rejects the promise. */
  async invoke(channel: string, event: IpcEventLike, ...args: unknown[]): Promise<unknown> {
    const handler = this.handlers.get(channel)
    if (!handler) throw new Error(`No handler registered for '${channel}'`)
    return await handler(event, ...args)
  }

  /** ipcRenderer.send. */
  send(channel: string, event: IpcEventLike, ...args: unknown[]): void {
    for (const listener of this.listeners.get(channel) ?? []) listener(event, ...args)
  }
}

type PermissionRequestHandler = (
  contents: unknown,
  permission: string,
  callback: (granted: boolean) => void,
) => void
type HeadersListener = (
  details: HeadersReceivedDetails,
  callback: (response: HeadersReceivedResponse) => void,
) => void

export class FakeSession implements ShellSession {
  permissionRequestHandler: PermissionRequestHandler | null = null
  permissionCheckHandler: ((contents: unknown, permission: string) => boolean) | null = null
  headersListener: HeadersListener | null = null

  setPermissionRequestHandler(handler: PermissionRequestHandler): void {
    this.permissionRequestHandler = handler
  }
  setPermissionCheckHandler(handler: (contents: unknown, permission: string) => boolean): void {
    this.permissionCheckHandler = handler
  }
  readonly webRequest = {
    onHeadersReceived: (listener: HeadersListener): void => {
      this.headersListener = listener
    },
  }

  /** A page asks for a permission; resolves with the answer (true when nothing is set). */
  requestPermission(permission: string): Promise<boolean> {
    const handler = this.permissionRequestHandler
    if (!handler) return Promise.resolve(true)
    return new Promise((resolve) => handler(null, permission, resolve))
  }

  /** Runs a response through onHeadersReceived; returns the headers the page would get. */
  receiveHeaders(
    url: string,
    responseHeaders: Record<string, string[]> = {},
  ): HeadersReceivedResponse {
    let result: HeadersReceivedResponse | null = null
    this.headersListener?.({ url, resourceType: 'mainFrame', responseHeaders }, (response) => {
      result = response
    })
    if (result === null) throw new Error('onHeadersReceived did not answer')
    return result
  }
}

export class FakeProtocol implements ShellProtocol {
  readonly privileged: CustomScheme[] = []
  readonly handlers = new Map<string, (request: Request) => Response | Promise<Response>>()

  registerSchemesAsPrivileged(schemes: CustomScheme[]): void {
    this.privileged.push(...schemes)
  }
  handle(scheme: string, handler: (request: Request) => Response | Promise<Response>): void {
    this.handlers.set(scheme, handler)
  }
  /** A request the page makes for `url`. */
  async fetch(url: string): Promise<Response> {
    const handler = this.handlers.get(new URL(url).protocol.replace(/:$/, ''))
    if (!handler) throw new Error(`no handler for ${url}`)
    return await handler(new Request(url))
  }
}

export class FakeApp extends EventEmitter implements ShellApp {
  isPackaged = false
  lockAvailable = true
  locale = 'nb-NO'
  userData = '/tmp/sentral-fake-user-data'
  badgeCount = 0
  appUserModelId: string | null = null
  quitRequests = 0
  /** True once a quit went through (no before-quit listener refused it). */
  quitted = false

  requestSingleInstanceLock(): boolean {
    return this.lockAvailable
  }
  /** As Electron: before-quit (which may refuse), then will-quit. */
  quit(): void {
    this.quitRequests += 1
    const event = new FakeEvent()
    this.emit('before-quit', event)
    if (event.defaultPrevented) return
    this.emit('will-quit', new FakeEvent())
    this.quitted = true
  }
  whenReady(): Promise<void> {
    return Promise.resolve()
  }
  getPath(_name: 'userData'): string {
    return this.userData
  }
  getLocale(): string {
    return this.locale
  }
  setAppUserModelId(id: string): void {
    this.appUserModelId = id
  }
  setBadgeCount(count?: number): boolean {
    this.badgeCount = count ?? 0
    return true
  }
}

/** A core process that prints only what a test writes to it. */
export class FakeCoreProcess extends EventEmitter implements CoreProcess {
  readonly stdout = new PassThrough()
  readonly stderr = new PassThrough()
  killed = false

  constructor(
    readonly modulePath: string,
    readonly args: string[],
    readonly options: ForkOptions,
  ) {
    super()
  }

  /** Prints the line the real core logs once it listens. */
  listen(url: string): void {
    this.stdout.write(
      `${JSON.stringify({ level: 30, msg: `Sentral core 0.1.0 listening on ${url}`, url })}\n`,
    )
  }
  kill(): boolean {
    this.killed = true
    setImmediate(() => this.exit(null))
    return true
  }
  exit(code: number | null): void {
    this.stdout.end()
    this.stderr.end()
    this.emit('exit', code)
  }
}

export interface FakeElectronOptions {
  platform?: NodeJS.Platform
  forkCore?: ForkCore
}

export class FakeElectron implements ElectronApi {
  readonly platform: NodeJS.Platform
  readonly app = new FakeApp()
  readonly windows: FakeWindow[] = []
  readonly trays: FakeTray[] = []
  readonly notifications: FakeNotification[] = []
  readonly globalShortcut = new FakeGlobalShortcut()
  readonly safeStorage = new FakeSafeStorage()
  readonly ipcMain = new FakeIpcMain()
  readonly session = new FakeSession()
  readonly protocol = new FakeProtocol()
  readonly opened: string[] = []
  readonly coreProcesses: FakeCoreProcess[] = []
  notificationSupport = true
  workAreas: Rectangle[] = [{ x: 0, y: 0, width: 1920, height: 1080 }]
  readonly forkCore: ForkCore

  constructor(options: FakeElectronOptions = {}) {
    this.platform = options.platform ?? 'linux'
    this.forkCore =
      options.forkCore ??
      ((modulePath, args, forkOptions) => {
        const child = new FakeCoreProcess(modulePath, args, forkOptions)
        this.coreProcesses.push(child)
        return child
      })
  }

  createWindow(options: BrowserWindowConstructorOptions): FakeWindow {
    const window = new FakeWindow(options)
    this.windows.push(window)
    this.app.emit('web-contents-created', new FakeEvent(), window.webContents)
    return window
  }
  createTray(iconPath: string): FakeTray {
    const tray = new FakeTray(iconPath)
    this.trays.push(tray)
    return tray
  }
  buildMenu(template: ShellMenuItem[]): FakeMenu {
    return new FakeMenu(template)
  }
  notificationsSupported(): boolean {
    return this.notificationSupport
  }
  createNotification(options: NotificationOptions): FakeNotification {
    const notification = new FakeNotification(options)
    this.notifications.push(notification)
    return notification
  }
  createImageFromPath(path: string): ShellImage & { path: string } {
    return { path, isEmpty: () => false }
  }
  openExternal(url: string): Promise<void> {
    this.opened.push(url)
    return Promise.resolve()
  }
  displays(): { workArea: Rectangle }[] {
    return this.workAreas.map((workArea) => ({ workArea }))
  }

  get window(): FakeWindow {
    const window = this.windows.at(-1)
    if (!window) throw new Error('no window was created')
    return window
  }
  get tray(): FakeTray {
    const tray = this.trays.at(-1)
    if (!tray) throw new Error('no tray was created')
    return tray
  }
}

/** Timers that run when the test says so. */
export class ManualScheduler implements Scheduler {
  private now = 0
  private tasks: { at: number; seq: number; callback: () => void }[] = []
  private seq = 0

  schedule(callback: () => void, delayMs: number): () => void {
    const task = { at: this.now + delayMs, seq: this.seq++, callback }
    this.tasks.push(task)
    return () => {
      this.tasks = this.tasks.filter((candidate) => candidate !== task)
    }
  }

  get pending(): number {
    return this.tasks.length
  }

  advance(ms: number): void {
    const until = this.now + ms
    for (;;) {
      const due = this.tasks
        .filter((task) => task.at <= until)
        .sort((a, b) => a.at - b.at || a.seq - b.seq)[0]
      if (!due) break
      this.tasks = this.tasks.filter((task) => task !== due)
      this.now = due.at
      due.callback()
    }
    this.now = until
  }
}

export interface LogEntry {
  level: 'info' | 'warn' | 'error'
  message: string
  fields: Record<string, unknown> | undefined
}

export class RecordingLog implements ShellLog {
  readonly entries: LogEntry[] = []
  info(message: string, fields?: Record<string, unknown>): void {
    this.entries.push({ level: 'info', message, fields })
  }
  warn(message: string, fields?: Record<string, unknown>): void {
    this.entries.push({ level: 'warn', message, fields })
  }
  error(message: string, fields?: Record<string, unknown>): void {
    this.entries.push({ level: 'error', message, fields })
  }
  messages(level?: LogEntry['level']): string[] {
    return this.entries
      .filter((entry) => level === undefined || entry.level === level)
      .map((entry) => entry.message)
  }
}

/** settings.json in memory, for tests about the shell rather than the file. */
export class MemoryStore implements KeyValueStore {
  readonly data = new Map<string, unknown>()
  get(key: string): unknown {
    return structuredClone(this.data.get(key))
  }
  set(key: string, value: unknown): void {
    this.data.set(key, structuredClone(value))
  }
  delete(key: string): void {
    this.data.delete(key)
  }
}
