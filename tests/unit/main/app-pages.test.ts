import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { appPages, appProtocolHandler, contentSecurityPolicy } from '../../../src/main/app-pages'

let root: string
let rendererDir: string
let serve: (request: Request) => Promise<Response>

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'sentral-pages-'))
  rendererDir = join(root, 'renderer')
  mkdirSync(join(rendererDir, 'assets'), { recursive: true })
  writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>Sentral</title>')
  writeFileSync(join(rendererDir, 'assets', 'index-abc.js'), 'console.log(1)')
  writeFileSync(join(root, 'secret.txt'), 'settings and tokens')
  serve = appProtocolHandler(rendererDir)
})

afterEach(() => {
  rmSync(root, { recursive: true, force: true })
})

const get = (url: string, method = 'GET') => serve(new Request(url, { method }))

describe('the app scheme', () => {
  it('serves the built interface with its content type and the CSP', async () => {
    const page = await get('sentral://app/index.html')
    expect(page.status).toBe(200)
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8')
    expect(page.headers.get('content-security-policy')).toBe(contentSecurityPolicy)
    expect(page.headers.get('x-content-type-options')).toBe('nosniff')

    const script = await get('sentral://app/assets/index-abc.js')
    expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8')
    expect(await script.text()).toBe('console.log(1)')
  })

  it('answers the interface’s own routes with index.html, and unknown files with 404', async () => {
    expect(await (await get('sentral://app/')).text()).toContain('<title>')
    expect(await (await get('sentral://app/board')).text()).toContain('<title>')
    expect((await get('sentral://app/assets/missing.js')).status).toBe(404)
  })

  it('never serves a file outside the build', async () => {
    for (const url of [
      'sentral://app/../secret.txt',
      'sentral://app/%2e%2e/secret.txt',
      'sentral://app/assets/..%2f..%2fsecret.txt',
      'sentral://app/%2E%2E%5Csecret.txt',
    ]) {
      const response = await get(url)
      expect(await response.text(), url).not.toContain('settings and tokens')
    }
    symlinkSync(join(root, 'secret.txt'), join(rendererDir, 'link.txt'))
    expect((await get('sentral://app/link.txt')).status).toBe(404)
  })

  it('answers only its own host and only reads', async () => {
    expect((await get('sentral://other/index.html')).status).toBe(404)
    expect((await get('sentral://app/index.html', 'POST')).status).toBe(405)
    expect((await get('sentral://app/%E0%A4%A')).status).toBe(400)
  })
})

describe('what counts as the app', () => {
  it('is the app scheme’s own host in a build', () => {
    const pages = appPages(null)
    expect(pages.entryUrl).toBe('sentral://app/index.html')
    expect(pages.isAppUrl('sentral://app/board')).toBe(true)
    expect(pages.isAppUrl('sentral://evil/index.html')).toBe(false)
    expect(pages.isAppUrl('file:///app/out/renderer/index.html')).toBe(false)
    expect(pages.isAppUrl('https://app/')).toBe(false)
    expect(pages.isAppUrl('not a url')).toBe(false)
  })

  it('is the dev server’s origin in development', () => {
    const pages = appPages('http://localhost:5173/')
    expect(pages.isAppUrl('http://localhost:5173/src/main.tsx')).toBe(true)
    expect(pages.isAppUrl('http://localhost:5174/')).toBe(false)
    expect(pages.isAppUrl('sentral://app/index.html')).toBe(false)
  })
})
