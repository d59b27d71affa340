/**
 * The Electron security checklist (https://www.electronjs.org/docs/latest/tutorial/security),
 * every item that applies to a window showing our own interface:
 *  - context isolation, the sandbox, no Node integration anywhere, web security on, no insecure
 *    content, no experimental features or Blink flags, no <webview> (§2–§10, §12);
 *  - a strict Content-Security-Policy, sent as a header for the app's own pages (§7);
 *  - navigation limited to the app's own pages, <webview> attachment refused, new windows
 *    denied (https links go to the browser) (§13–§15);
 *  - every permission request and check denied (§5);
 *  - IPC accepted only from the main window's top frame showing the app (§17);
 *  - the interface served over a custom scheme, not file:// (§18).
 */
import type { ElectronApi, IpcEventLike, ShellSession, ShellWebContents } from './electron-api'
import { type AppPages, contentSecurityPolicy } from './app-pages'
import type { BrowserWindowConstructorOptions } from './electron-api'

export function secureWebPreferences(
  preloadPath: string,
  devTools: boolean,
): NonNullable<BrowserWindowConstructorOptions['webPreferences']> {
  return {
    preload: preloadPath,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    experimentalFeatures: false,
    webviewTag: false,
    navigateOnDragDrop: false,
    safeDialogs: true,
    devTools,
  }
}

const hardened = new WeakSet<ShellWebContents>()

/** Navigation, redirects, <webview> and new windows: only the app's own pages, never more. */
export function hardenContents(
  contents: ShellWebContents,
  pages: AppPages,
  openExternal: ElectronApi['openExternal'],
): void {
  if (hardened.has(contents)) return
  hardened.add(contents)
  const limit = (event: { url: string; preventDefault(): void }) => {
    if (!pages.isAppUrl(event.url)) event.preventDefault()
  }
  contents.on('will-navigate', limit)
  contents.on('will-frame-navigate', limit)
  contents.on('will-redirect', limit)
  contents.on('will-attach-webview', (event) => event.preventDefault())
  contents.setWindowOpenHandler(({ url }) => {
    // A link meant for a new window (a help page, a map) opens in the user's browser; nothing
    // but https, so no file:, smb: or custom handlers are launched from the interface.
    if (isHttpsUrl(url)) void openExternal(url).catch(() => undefined)
    return { action: 'deny' }
  })
}

function isHttpsUrl(url: string): boolean {
  try {
    return new URL(url).protocol === 'https:'
  } catch {
    return false
  }
}

/** Permissions denied, and the CSP header added to the app's own pages. */
export function hardenSession(session: ShellSession, pages: AppPages): void {
  session.setPermissionRequestHandler((_contents, _permission, callback) => callback(false))
  session.setPermissionCheckHandler(() => false)
  session.webRequest.onHeadersReceived((details, callback) => {
    if (!pages.isAppUrl(details.url)) {
      callback({})
      return
    }
    const headers: Record<string, string | string[]> = {}
    for (const [name, value] of Object.entries(details.responseHeaders ?? {})) {
      // Ours replaces any policy the dev server may send; header names are case-insensitive.
      if (name.toLowerCase() !== 'content-security-policy') headers[name] = value
    }
    headers['Content-Security-Policy'] = [contentSecurityPolicy]
    callback({ responseHeaders: headers })
  })
}

/**
 * Whether an IPC message comes from the main window's top frame showing the app's own page.
 * Anything else (another window, an iframe, a page navigated elsewhere) is not the interface.
 */
export function isTrustedSender(
  event: IpcEventLike,
  mainContents: ShellWebContents | null,
  pages: AppPages,
): boolean {
  const frame = event.senderFrame
  return (
    mainContents !== null &&
    event.sender.id === mainContents.id &&
    frame !== null &&
    frame.parent === null &&
    pages.isAppUrl(frame.url)
  )
}
