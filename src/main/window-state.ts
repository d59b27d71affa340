/**
 * The main window's position: restored on start when it is still on a connected display (a
 * laptop away from its second monitor must not open the window off screen), saved while the
 * user moves or resizes it (debounced) and when the window closes.
 */
import type { Rectangle, Scheduler, ShellWindow } from './electron-api'
import type { SettingsStore, WindowBounds } from './settings'

export const defaultWindowSize = { width: 1280, height: 800 }

/** Enough of the window (a title bar's worth) lies within some display's work area. */
function isReachable(bounds: Rectangle, workAreas: readonly Rectangle[]): boolean {
  return workAreas.some((area) => {
    const width =
      Math.min(bounds.x + bounds.width, area.x + area.width) - Math.max(bounds.x, area.x)
    const height =
      Math.min(bounds.y + bounds.height, area.y + area.height) - Math.max(bounds.y, area.y)
    return width >= 100 && height >= 40
  })
}

export function restoredBounds(
  saved: WindowBounds | null,
  workAreas: readonly Rectangle[],
): Partial<Rectangle> & { width: number; height: number; maximized: boolean } {
  if (!saved) return { ...defaultWindowSize, maximized: false }
  const { x, y, width, height, maximized } = saved
  if (isReachable(saved, workAreas)) return { x, y, width, height, maximized }
  return { width, height, maximized }
}

export class WindowStateKeeper {
  private cancelPending: (() => void) | null = null

  constructor(
    private readonly settings: Pick<SettingsStore, 'saveWindowBounds'>,
    private readonly scheduler: Scheduler,
    private readonly delayMs = 500,
  ) {}

  track(window: ShellWindow): void {
    const schedule = () => {
      this.cancelPending?.()
      this.cancelPending = this.scheduler.schedule(() => {
        this.cancelPending = null
        this.save(window)
      }, this.delayMs)
    }
    window.on('move', schedule)
    window.on('resize', schedule)
    window.on('maximize', schedule)
    window.on('unmaximize', schedule)
    window.on('close', () => {
      this.cancelPending?.()
      this.cancelPending = null
      this.save(window)
    })
  }

  private save(window: ShellWindow): void {
    if (window.isDestroyed() || window.isMinimized()) return
    this.settings.saveWindowBounds({ ...window.getNormalBounds(), maximized: window.isMaximized() })
  }
}
