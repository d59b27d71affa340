/**
 * Serves the built switchboard interface (the web switchboard) from a directory, so a browser
 * on another PC works exactly like the desktop app. Every path that is not a file gets
 * index.html (the interface routes on the client). Files are read once and kept in memory:
 * the build is a handful of small files and the core serves them to every operator's browser.
 */
import { readFile, realpath } from 'node:fs/promises'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { extname, join, sep } from 'node:path'
import { gzipSync } from 'node:zlib'

const contentTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
}

/**
 * The interface's own policy: scripts and styles only from here (React sets inline style
 * attributes, hence 'unsafe-inline' for styles alone), the API on the same origin, and no
 * framing (clickjacking a switchboard would put calls through).
 */
export const uiContentSecurityPolicy = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "connect-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ')

const securityHeaders = {
  'content-security-policy': uiContentSecurityPolicy,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'cross-origin-opener-policy': 'same-origin',
  'permissions-policy': 'camera=(), geolocation=(), payment=()',
}

interface CachedFile {
  body: Buffer
  gzip: Buffer | null
  type: string
}

export class StaticUi {
  /** Only files that exist are kept: arbitrary paths must not grow the cache. */
  private readonly cache = new Map<string, CachedFile>()
  private root: string | null = null

  constructor(private readonly dir: string) {}

  /** Answers GET/HEAD requests for the interface; false when the request is not for it. */
  async handle(req: IncomingMessage, res: ServerResponse, pathname: string): Promise<boolean> {
    if (req.method !== 'GET' && req.method !== 'HEAD') return false
    if (pathname.startsWith('/api/')) return false
    let file = await this.file(pathname)
    // Paths without an extension are the interface's own routes (/board, /directory).
    if (!file && extname(pathname) === '') file = await this.file('/index.html')
    if (!file) return false
    const immutable = pathname.startsWith('/assets/')
    const gzip = file.gzip !== null && /\bgzip\b/.test(req.headers['accept-encoding'] ?? '')
    const body = gzip ? file.gzip! : file.body
    res.writeHead(200, {
      ...securityHeaders,
      'content-type': file.type,
      'content-length': body.length,
      'cache-control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
      vary: 'accept-encoding',
      ...(gzip ? { 'content-encoding': 'gzip' } : {}),
    })
    res.end(req.method === 'HEAD' ? undefined : body)
    return true
  }

  /** Whether a build is there to serve (the core still runs without one: the API works). */
  async available(): Promise<boolean> {
    return (await this.file('/index.html')) !== null
  }

  private async file(pathname: string): Promise<CachedFile | null> {
    const cached = this.cache.get(pathname)
    if (cached) return cached
    const loaded = await this.load(pathname)
    if (loaded) this.cache.set(pathname, loaded)
    return loaded
  }

  private async load(pathname: string): Promise<CachedFile | null> {
    let decoded: string
    try {
      decoded = decodeURIComponent(pathname)
    } catch {
      return null
    }
    if (decoded.includes('\0')) return null
    try {
      this.root ??= await realpath(this.dir)
      // realpath resolves `..` and links; anything that lands outside the build is refused.
      const path = await realpath(join(this.root, decoded))
      if (!path.startsWith(this.root + sep)) return null
      const body = await readFile(path)
      const type = contentTypes[extname(path)] ?? 'application/octet-stream'
      const compressible = /^(text|application\/json|image\/svg)/.test(type) && body.length > 1024
      return { body, gzip: compressible ? gzipSync(body) : null, type }
    } catch {
      return null
    }
  }
}
