/**
 * The headless core as a user runs it: the built `sentral-core` process, real ports, real
 * signals.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { io as connect } from 'socket.io-client'
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { StateDelta, StateSnapshot } from '../../src/shared/protocol'
import { explainSipp, freePort, runSipp } from '../helpers/sipp'

const cli = join(process.cwd(), 'out', 'core', 'cli.js')
const dir = mkdtempSync(join(tmpdir(), 'sentral-cli-'))
const children: ChildProcess[] = []

beforeAll(() => {
  execFileSync(process.execPath, ['scripts/build-core.mjs'], { stdio: 'inherit' })
}, 60_000)

afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL')
})

function file(name: string, content: string): string {
  const path = join(dir, name)
  writeFileSync(path, content)
  return path
}

function run(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [cli, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ...env },
    })
    children.push(child)
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()))
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    child.on('exit', (code) => resolve({ code, stdout, stderr }))
  })
}

/** Starts the core and resolves with its URL once it listens (from its JSON log). */
function start(
  args: string[],
): Promise<{ child: ChildProcess; url: string; lines: () => string[] }> {
  const child = spawn(process.execPath, [cli, ...args, '--port', '0', '--json-logs'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  children.push(child)
  const lines: string[] = []
  return new Promise((resolve, reject) => {
    let buffer = ''
    child.stdout.on('data', (d: Buffer) => {
      buffer += d.toString()
      const parts = buffer.split('\n')
      buffer = parts.pop()!
      for (const line of parts) {
        lines.push(line)
        const entry = JSON.parse(line) as { url?: string }
        if (entry.url) resolve({ child, url: entry.url, lines: () => lines })
      }
    })
    child.stderr.on('data', (d: Buffer) => reject(new Error(d.toString())))
    child.on('exit', (code) => reject(new Error(`exited with ${code}`)))
  })
}

const company = `
company: { id: test, name: Test AS }
users:
  - { id: anna, firstName: Anna, lastName: Ås, extension: '201' }
  - { id: bjorn, firstName: Bjørn, lastName: Berg, extension: '202' }
queues:
  - { id: front, name: Sentralbord, strategy: ring-all, numbers: ['+47 22 00 00 00'], members: [anna, bjorn] }
`

describe('sentral-core', () => {
  it('stops with exit code 2 and names the file, the field and what was expected', async () => {
    const bad = file('bad.yaml', company.replace('ring-all', 'fastest-first'))
    const result = await run(['check', '--company', bad])
    expect(result.code).toBe(2)
    expect(result.stderr).toContain(bad)
    expect(result.stderr).toContain('queues[0].strategy')
    expect(result.stderr).toMatch(/expected one of ring-all, round-robin/)
  })

  it('rejects a bad traffic file the same way', async () => {
    const good = file('good.yaml', company)
    const traffic = file('traffic.yaml', 'arrivals:\n  - { queue: nowhere, perHour: 10 }\n')
    const result = await run(['check', '--company', good, '--traffic', traffic])
    expect(result.code).toBe(2)
    expect(result.stderr).toContain(traffic)
    expect(result.stderr).toContain('arrivals[0].queue')
  })

  it('rejects a bad SIP file the same way', async () => {
    const good = file('good-for-sip.yaml', company)
    const id = /id: ([\w.-]+)/.exec(company)![1]!
    const sip = file(
      'sip.yaml',
      `companies:\n  ${id}:\n    domain: sip.test\n    trunks: [{ name: t, peers: [not-an-ip] }]\n`,
    )
    const result = await run(['check', '--company', good, '--sip-config', sip])
    expect(result.code).toBe(2)
    expect(result.stderr).toContain(sip)
    expect(result.stderr).toContain(`companies.${id}.trunks[0].peers[0]`)
    expect(result.stderr).toContain('expected an IP address')
  })

  it('rejects unknown options with exit code 2 and the usage', async () => {
    const result = await run(['demo', '--speed', 'ludicrous'])
    expect(result.code).toBe(2)
    expect(result.stderr).toContain('Usage:')
  })

  it('check accepts a valid file', async () => {
    const result = await run(['check', '--company', file('ok.yaml', company)])
    expect(result.code).toBe(0)
    expect(result.stdout).toContain('Test AS: 2 users, 1 queues')
  })

  it('runs with simulated traffic: calls flow on the socket and in the log, and SIGTERM stops it cleanly', async () => {
    const traffic = file(
      'fast.yaml',
      'seed: 1\narrivals:\n  - { queue: front, perHour: 7200 }\ntalkSeconds: { mean: 2, sd: 1 }\nanswerSeconds: { mean: 0.5, sd: 0.2 }\n',
    )
    const accounts = file(
      'accounts.yaml',
      'password: korrekt-hest-batteri\ncontacts: [anna]\nfunctions: { contact: [administration], operator: [switchboard], user: [] }\n',
    )
    const core = await start([
      'run',
      '--company',
      file('run.yaml', company),
      '--accounts',
      accounts,
      '--traffic',
      traffic,
      '--data-dir',
      join(dir, 'run'),
    ])
    const health = (await (await fetch(`${core.url}/healthz`)).json()) as { status: string }
    expect(health.status).toBe('ok')
    const socket = await loggedIn(core.url, 'bjorn', 'korrekt-hest-batteri')
    const snapshot = await new Promise<StateSnapshot>((resolve) =>
      socket.once('state:snapshot', resolve),
    )
    expect(snapshot.users.map((u) => u.firstName)).toEqual(['Anna', 'Bjørn'])
    expect(snapshot.me).toMatchObject({ userId: 'bjorn', role: 'operator' })
    const answered = await new Promise<StateDelta>((resolve) => {
      socket.on('state:delta', (d: StateDelta) => {
        if (
          d.deltas.some(
            (x) => x.entity === 'call' && x.op === 'upsert' && x.call.state === 'connected',
          )
        )
          resolve(d)
      })
    })
    expect(answered.seq).toBeGreaterThan(0)
    socket.disconnect()
    await new Promise((r) => setTimeout(r, 2500))
    const log = core.lines().map((l) => JSON.parse(l) as { msg: string })
    expect(log.some((l) => l.msg === 'caller waiting in Sentralbord')).toBe(true)
    expect(log.some((l) => l.msg.startsWith('answered by'))).toBe(true)
    expect(core.lines().join('\n')).not.toContain('korrekt-hest-batteri')
    const exit = new Promise<number | null>((resolve) => core.child.on('exit', resolve))
    core.child.kill('SIGTERM')
    expect(await exit).toBe(0)
  })

  it('demo starts the demo company from resources/ with its documented accounts', async () => {
    const core = await start(['demo', '--data-dir', join(dir, 'demo')])
    const socket = await loggedIn(core.url, 'eirik.fjeld', 'Nordlys-demo-2026')
    const snapshot = await new Promise<StateSnapshot>((resolve) =>
      socket.once('state:snapshot', resolve),
    )
    socket.disconnect()
    expect(snapshot.me.role).toBe('contact')
    expect(snapshot.users).toHaveLength(30)
    expect(new Set(snapshot.users.map((u) => u.department)).size).toBe(4)
    expect(snapshot.queues).toHaveLength(4)
    const exit = new Promise<number | null>((resolve) => core.child.on('exit', resolve))
    core.child.kill('SIGTERM')
    expect(await exit).toBe(0)
  })

  it('demo --sip takes registrations from the demo phones with the documented password', async () => {
    const port = await freePort()
    const core = await start([
      'demo',
      '--data-dir',
      join(dir, 'demo-sip'),
      '--sip',
      '--sip-listen',
      `127.0.0.1:${port}`,
    ])
    expect(core.lines().join('\n')).toMatch(/sip listening/)
    const result = await runSipp({
      scenario: 'register.xml',
      remote: `127.0.0.1:${port}`,
      csv: [['201', 'Nordlys-sip-2026', '5999']],
      calls: 1,
      authUri: 'demo.sentral.local',
      vars: { domain: 'demo.sentral.local' },
      timeoutMs: 10_000,
    })
    expect(result.code, explainSipp(result)).toBe(0)
    const wrong = await runSipp({
      scenario: 'register.xml',
      remote: `127.0.0.1:${port}`,
      csv: [['202', 'Nordlys-demo-2026', '5999']],
      calls: 1,
      authUri: 'demo.sentral.local',
      vars: { domain: 'demo.sentral.local' },
      timeoutMs: 5000,
    })
    expect(wrong.code).not.toBe(0)
    const metrics = await (await fetch(`${core.url}/metrics`)).text()
    expect(metrics).toMatch(/^sentral_sip_registrations 1$/m)
    const exit = new Promise<number | null>((resolve) => core.child.on('exit', resolve))
    core.child.kill('SIGTERM')
    expect(await exit).toBe(0)
  })

  it('admin create makes the first contact person of a company imported without accounts', async () => {
    const data = join(dir, 'admin')
    const first = await start(['run', '--company', file('plain.yaml', company), '--data-dir', data])
    const stopped = new Promise<number | null>((resolve) => first.child.on('exit', resolve))
    first.child.kill('SIGTERM')
    expect(await stopped).toBe(0)
    const weak = await run(
      [
        'admin',
        'create',
        '--company',
        'test',
        '--username',
        'sjefen',
        '--first',
        'Siri',
        '--last',
        'Sjef',
        '--extension',
        '299',
        '--data-dir',
        data,
      ],
      { SENTRAL_ADMIN_PASSWORD: 'qwerty123456' },
    )
    expect(weak.code).toBe(2)
    expect(weak.stderr).toContain('most common')
    const made = await run(
      [
        'admin',
        'create',
        '--company',
        'test',
        '--username',
        'sjefen',
        '--first',
        'Siri',
        '--last',
        'Sjef',
        '--extension',
        '299',
        '--data-dir',
        data,
      ],
      { SENTRAL_ADMIN_PASSWORD: 'en-lang-og-god-setning' },
    )
    expect(made.code).toBe(0)
    const core = await start(['run', '--data-dir', data])
    const socket = await loggedIn(core.url, 'sjefen', 'en-lang-og-god-setning')
    const snapshot = await new Promise<StateSnapshot>((resolve) =>
      socket.once('state:snapshot', resolve),
    )
    socket.disconnect()
    expect(snapshot.me).toMatchObject({ role: 'contact', firstName: 'Siri' })
    expect(snapshot.users.map((u) => u.firstName)).toContain('Siri')
    const exit = new Promise<number | null>((resolve) => core.child.on('exit', resolve))
    core.child.kill('SIGTERM')
    expect(await exit).toBe(0)
  })
})

async function loggedIn(url: string, username: string, password: string) {
  const res = await fetch(`${url}/api/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  })
  expect(res.status).toBe(200)
  const { token } = (await res.json()) as { token: string }
  return connect(url, { auth: { token }, transports: ['websocket'], reconnection: false })
}
