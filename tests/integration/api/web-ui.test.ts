/**
 * The web switchboard: the core serves the built interface at / with a strict policy, sends
 * the interface's own routes to index.html, caches hashed assets for good, and never serves a
 * file outside the build.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { request } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gunzipSync } from 'node:zlib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openDatabase } from '../../../src/core/persistence/database'
import { SqlStore } from '../../../src/core/persistence/sql-store'
import { startTestCore, testCompany, type TestCore } from '../../helpers/test-core'

/** A raw GET, so paths like /../ reach the server unnormalised. */
function get(base: string, path: string, headers: Record<string, string> = {}) {
  const url = new URL(base)
  return new Promise<{
    status: number
    headers: Record<string, string | string[] | undefined>
    body: Buffer
  }>((resolve, reject) => {
    const req = request(
      { host: url.hostname, port: url.port, path, method: 'GET', headers },
      (res) => {
        const chunks: Buffer[] = []
        res.on('data', (c: Buffer) => chunks.push(c))
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks),
          }),
        )
      },
    )
    req.on('error', reject)
    req.end()
  })
}

describe('the web switchboard', () => {
  const root = mkdtempSync(join(tmpdir(), 'sentral-ui-'))
  const build = join(root, 'renderer')
  let core: TestCore
  let store: SqlStore

  beforeAll(async () => {
    mkdirSync(join(build, 'assets'), { recursive: true })
    writeFileSync(
      join(build, 'index.html'),
      '<!doctype html><title>Sentral</title><div id="root"></div>',
    )
    writeFileSync(
      join(build, 'assets', 'index-abc123.js'),
      `console.log(${JSON.stringify('x'.repeat(4000))})`,
    )
    writeFileSync(join(root, 'secret.txt'), 'not for the web')
    store = new SqlStore(openDatabase({ file: join(root, 'sentral.db') }))
    await store.migrate()
    core = await startTestCore(store, [testCompany('web')], { uiDir: build })
  })
  afterAll(async () => {
    await core.stop()
  })

  it('serves index.html at / with a strict content security policy', async () => {
    const res = await get(core.url, '/')
    expect(res.status).toBe(200)
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8')
    expect(res.body.toString()).toContain('<div id="root">')
    const csp = String(res.headers['content-security-policy'])
    expect(csp).toContain("script-src 'self'")
    expect(csp).toContain("frame-ancestors 'none'")
    expect(csp).not.toContain('unsafe-eval')
    expect(res.headers['x-content-type-options']).toBe('nosniff')
    expect(res.headers['cache-control']).toBe('no-cache')
  })

  it('answers the interface’s own routes with index.html, and unknown files with 404', async () => {
    expect((await get(core.url, '/board')).body.toString()).toContain('<div id="root">')
    expect((await get(core.url, '/assets/missing.js')).status).toBe(404)
  })

  it('caches hashed assets for a year and compresses them for clients that accept gzip', async () => {
    const res = await get(core.url, '/assets/index-abc123.js', { 'accept-encoding': 'gzip, br' })
    expect(res.status).toBe(200)
    expect(res.headers['content-type']).toBe('text/javascript; charset=utf-8')
    expect(res.headers['cache-control']).toContain('immutable')
    expect(res.headers['content-encoding']).toBe('gzip')
    expect(gunzipSync(res.body).toString()).toContain('xxxx')
  })

  it('never serves a file outside the build', async () => {
    for (const path of [
      '/../secret.txt',
      '/%2e%2e/secret.txt',
      '/assets/%2e%2e/%2e%2e/secret.txt',
      '/%00',
    ])
      expect((await get(core.url, path)).body.toString()).not.toContain('not for the web')
  })

  it('keeps the API answering JSON beside it, and lets the desktop app log in cross-origin', async () => {
    const api = await get(core.url, '/api/nothing')
    expect(api.status).toBe(404)
    expect(JSON.parse(api.body.toString())).toMatchObject({ error: { code: 'NOT_FOUND' } })
    const preflight = await fetch(`${core.url}/api/session`, { method: 'OPTIONS' })
    expect(preflight.status).toBe(204)
    expect(preflight.headers.get('access-control-allow-origin')).toBe('*')
    expect(preflight.headers.get('access-control-allow-headers')).toContain('content-type')
  })
})
