/**
 * The tray icon: how many callers wait in the user's queues (tooltip everywhere, the number
 * beside the icon on macOS, the dock or launcher badge on macOS and Linux, a taskbar overlay on
 * Windows), and a menu to show the window, go absent or available, and quit.
 */
import type { LanguageSetting, QueueStatusReport, ShellCommand } from '../preload/bridge'
import type { ElectronApi, ShellImage, ShellMenuItem, ShellTray, ShellWindow } from './electron-api'
import { messagesFor } from './messages'

export interface QueueTrayOptions {
  iconPath: string
  /** The icon with a red dot, while callers wait. */
  waitingIconPath: string
  /** A small dot for the Windows taskbar button while callers wait. */
  overlayIconPath: string
  language(): LanguageSetting
  window(): ShellWindow | null
  showWindow(): void
  sendCommand(command: ShellCommand): void
  quit(): void
}

type TrayElectron = Pick<
  ElectronApi,
  'platform' | 'app' | 'createTray' | 'buildMenu' | 'createImageFromPath'
>

export class QueueTray {
  private readonly tray: ShellTray
  private overlay: ShellImage | null = null
  private waiting = 0
  private absent = false

  constructor(
    private readonly electron: TrayElectron,
    private readonly options: QueueTrayOptions,
  ) {
    this.tray = electron.createTray(options.iconPath)
    // Windows and Linux: a click on the icon brings the switchboard forward.
    this.tray.on('click', () => options.showWindow())
    this.render()
  }

  update(report: Pick<QueueStatusReport, 'waiting' | 'absent'>): void {
    if (report.waiting === this.waiting && report.absent === this.absent) return
    this.waiting = report.waiting
    this.absent = report.absent
    this.render()
  }

  /** Redraws in the current language. */
  refresh(): void {
    this.render()
  }

  destroy(): void {
    this.tray.destroy()
  }

  private render(): void {
    const messages = messagesFor(this.options.language())
    const { platform } = this.electron
    this.tray.setImage(this.waiting > 0 ? this.options.waitingIconPath : this.options.iconPath)
    this.tray.setToolTip(`Sentral – ${messages.waiting(this.waiting)}`)
    if (platform === 'darwin') this.tray.setTitle(this.waiting > 0 ? String(this.waiting) : '')
    if (platform === 'darwin' || platform === 'linux') this.electron.app.setBadgeCount(this.waiting)
    if (platform === 'win32') {
      const window = this.options.window()
      if (window && !window.isDestroyed()) {
        this.overlay ??= this.electron.createImageFromPath(this.options.overlayIconPath)
        window.setOverlayIcon(
          this.waiting > 0 ? this.overlay : null,
          messages.overlay(this.waiting),
        )
      }
    }
    const template: ShellMenuItem[] = [
      { label: messages.showWindow, click: () => this.options.showWindow() },
      { type: 'separator' },
      this.absent
        ? {
            label: messages.setAvailable,
            click: () => this.options.sendCommand({ kind: 'set-available' }),
          }
        : {
            label: messages.setAbsent,
            click: () => this.options.sendCommand({ kind: 'set-absent' }),
          },
      { type: 'separator' },
      { label: messages.quit, click: () => this.options.quit() },
    ]
    this.tray.setContextMenu(this.electron.buildMenu(template))
  }
}
