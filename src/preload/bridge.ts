/**
 * What the preload exposes to the interface as `window.sentral`: a narrow set of verbs, never
 * ipcRenderer itself. The web switchboard runs the same interface without it, so every use in
 * the renderer is optional.
 */

export type ThemeSetting = 'system' | 'light' | 'dark'
export type LanguageSetting = 'nb' | 'en'

/** Global shortcut actions: they work while another application has focus. */
export const shortcutActions = ['answer-next', 'hang-up', 'transfer', 'toggle-absent'] as const
export type ShortcutAction = (typeof shortcutActions)[number]

export interface DesktopSettings {
  /** 'local' starts the bundled routing core; 'remote' connects to `serverUrl`. */
  mode: 'local' | 'remote'
  serverUrl: string
  language: LanguageSetting
  theme: ThemeSetting
  /** Electron accelerators, e.g. 'CommandOrControl+Alt+A'; null turns the shortcut off. */
  shortcuts: Record<ShortcutAction, string | null>
}

/** What the interface tells the shell so the tray and notifications can follow the queues. */
export interface QueueStatusReport {
  /** Callers waiting in the user's queues. */
  waiting: number
  /** Calls offered (ringing) to this user right now; a notification is shown for new ones. */
  offered: {
    callId: string
    callerName: string | null
    callerNumber: string
    queueName: string | null
  }[]
  /** Whether the user is absent now (the tray menu offers the opposite). */
  absent: boolean
}

/** A command from the shell to the interface: a global shortcut, the tray menu or a notification. */
export type ShellCommand =
  | { kind: 'answer-next' }
  | { kind: 'hang-up' }
  | { kind: 'transfer' }
  | { kind: 'toggle-absent' }
  | { kind: 'set-absent' }
  | { kind: 'set-available' }
  | { kind: 'show-call'; callId: string }

export interface RememberedLogin {
  serverUrl: string
  username: string
  token: string
  expiresAt: number
}

export interface SentralBridge {
  platform: string
  versions: { electron: string; chrome: string }
  loadSettings(): Promise<DesktopSettings>
  saveSettings(patch: Partial<DesktopSettings>): Promise<DesktopSettings>
  /** The address of the core to talk to: the bundled core's in local mode, else `serverUrl`. */
  coreAddress(): Promise<string>
  /**
   * Keeps the session token encrypted with the OS keychain (safeStorage). Resolves false, and
   * stores nothing, when the only available backend would keep it in plain text.
   */
  rememberLogin(login: RememberedLogin): Promise<boolean>
  recallLogin(): Promise<RememberedLogin | null>
  forgetLogin(): Promise<void>
  reportQueueStatus(report: QueueStatusReport): void
  /** Subscribes to shell commands; returns the unsubscribe function. */
  onCommand(listener: (command: ShellCommand) => void): () => void
}
