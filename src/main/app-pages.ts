/**
 * Where the interface comes from and what counts as the app's own page. The built interface is
 * served from out/renderer over a custom scheme, `sentral://app/`, rather than file:// (which
 * would give the page a shared, privileged origin: Electron security checklist §18). In
 * development it comes from the electron-vite dev server (ELECTRON_RENDERER_URL).
 */
import { readFile, realpath } from 'node:fs/promises'
import { extname, resolve, sep } from 'node:path'
import type { CustomScheme } from './electron-api'

export const appScheme = 'sentral'
export const appHost = 'app'

/** Registered before the app is ready: a standard, secure scheme with fetch support. */
export const appSchemePrivileges: CustomScheme = {
  scheme: appScheme,
  privileges: { standard: true, secure: true, supportFetchAPI: true, codeCache: true },
}

/**
 * Scripts and styles only from the app itself (React sets inline style attributes, hence
 * 'unsafe-inline' for styles alone); the core may be anywhere the user points the app at, so
 * connections go to any http(s) or ws(s) address; no plugins, no framing, no forms posting away.
 */
export const contentSecurityPolicy = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self'",
  "media-src 'self'",
  "connect-src 'self' http: https: ws: wss:",
  "worker-src 'self'",
  "object-src 'none'",
  "frame-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ')

export interface AppPages {
  /** The URL the main window loads. */
  readonly entryUrl: string
  /** Whether `url` is one of the app's own pages (for navigation, IPC senders and the CSP). */
  isAppUrl(url: string): boolean
}

export function appPages(devServerUrl: string | null): AppPages {
  if (devServerUrl) {
    const origin = new URL(devServerUrl).origin
    return {
      entryUrl: devServerUrl,
      isAppUrl: (url) => parseUrl(url)?.origin === origin,
    }
  }
  return {
    entryUrl: `${appScheme}://${appHost}/index.html`,
    isAppUrl: (url) => {
      const parsed = parseUrl(url)
      return parsed?.protocol === `${appScheme}:` && parsed.host === appHost
    },
  }
}

function parseUrl(url: string): URL | null {
  try {
    return new URL(url)
  } catch {
    return null
  }
}

const contentTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.mp3': 'audio/mpeg',
  '.ogg': 'audio/ogg',
  '.wav': 'audio/wav',
  '.wasm': 'application/wasm',
  '.txt': 'text/plain; charset=utf-8',
}

const securityHeaders = {
  'content-security-policy': contentSecurityPolicy,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-cache',
}

function status(code: number, text: string): Response {
  return new Response(text, {
    status: code,
    headers: { ...securityHeaders, 'content-type': 'text/plain; charset=utf-8' },
  })
}

/**
 * The `sentral://app/…` handler: files under `rendererDir` only (a path that resolves outside
 * it, through `..` or a symbolic link, is refused), with the CSP header on every response.
 * Paths without an extension are the interface's own routes and get index.html.
 */
export function appProtocolHandler(rendererDir: string): (request: Request) => Promise<Response> {
  const rootPromise = realpath(rendererDir).catch(() => resolve(rendererDir))
  return async (request) => {
    const url = parseUrl(request.url)
    if (!url || url.host !== appHost) return status(404, 'not found')
    if (request.method !== 'GET' && request.method !== 'HEAD') return status(405, 'GET only')
    let pathname: string
    try {
      pathname = decodeURIComponent(url.pathname)
    } catch {
      return status(400, 'bad path')
    }
    if (pathname.includes('\0')) return status(400, 'bad path')
    const root = await rootPromise
    const inside = async (relative: string): Promise<string | null> => {
      try {
        const file = await realpath(resolve(root, `.${relative}`))
        return file.startsWith(root + sep) ? file : null
      } catch {
        return null
      }
    }
    let file = await inside(pathname === '/' ? '/index.html' : pathname)
    if (file === null && extname(pathname) === '') file = await inside('/index.html')
    if (file === null) return status(404, 'not found')
    let body: Buffer
    try {
      body = await readFile(file)
    } catch {
      return status(404, 'not found')
    }
    return new Response(request.method === 'HEAD' ? null : new Uint8Array(body), {
      status: 200,
      headers: {
        ...securityHeaders,
        'content-type': contentTypes[extname(file).toLowerCase()] ?? 'application/octet-stream',
      },
    })
  }
}
