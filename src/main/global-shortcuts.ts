/**
 * The global shortcuts from the settings: answer next, hang up, transfer, toggle absent. They
 * fire while another application has focus, so an operator answers from the CRM without
 * switching windows. Registration is redone whenever the shortcuts change; a shortcut that
 * cannot be had (another application holds it, or two actions share it) is reported and
 * skipped, never thrown, so one bad key does not cost the others.
 */
import type { DesktopSettings, ShellCommand, ShortcutAction } from '../preload/bridge'
import { shortcutActions } from '../preload/bridge'
import { isGlobalAccelerator } from './accelerator'
import type { ShellGlobalShortcut } from './electron-api'

export interface ShortcutProblem {
  action: ShortcutAction
  accelerator: string
  reason: 'invalid' | 'taken' | 'duplicate'
}

export class GlobalShortcuts {
  private registered: string[] = []

  constructor(
    private readonly globalShortcut: ShellGlobalShortcut,
    private readonly sendCommand: (command: ShellCommand) => void,
  ) {}

  /** Replaces the registered shortcuts with `shortcuts`; returns the ones that failed. */
  apply(shortcuts: DesktopSettings['shortcuts']): ShortcutProblem[] {
    this.clear()
    const problems: ShortcutProblem[] = []
    const claimed = new Set<string>()
    for (const action of shortcutActions) {
      const accelerator = shortcuts[action]
      if (accelerator === null) continue
      const key = accelerator.toLowerCase()
      if (!isGlobalAccelerator(accelerator)) {
        problems.push({ action, accelerator, reason: 'invalid' })
        continue
      }
      if (claimed.has(key)) {
        problems.push({ action, accelerator, reason: 'duplicate' })
        continue
      }
      let ok: boolean
      try {
        ok = this.globalShortcut.register(accelerator, () => this.sendCommand({ kind: action }))
      } catch {
        problems.push({ action, accelerator, reason: 'invalid' })
        continue
      }
      if (!ok) {
        problems.push({ action, accelerator, reason: 'taken' })
        continue
      }
      claimed.add(key)
      this.registered.push(accelerator)
    }
    return problems
  }

  /** Unregisters this app's shortcuts only. */
  clear(): void {
    for (const accelerator of this.registered) this.globalShortcut.unregister(accelerator)
    this.registered = []
  }
}
