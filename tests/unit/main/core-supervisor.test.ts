import { fork } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import {
  CoreSupervisor,
  coreUrlFromLogLine,
  type CoreSupervisorOptions,
  type SupervisorState,
} from '../../../src/main/core-supervisor'
import type { ForkCore } from '../../../src/main/electron-api'
import { RecordingLog } from '../../helpers/fake-electron'

const stub = join(__dirname, '..', '..', 'fixtures', 'core-stub.mjs')

/** child_process.fork standing in for utilityProcess.fork: a real process with piped stdio. */
const forkNode: ForkCore = (modulePath, args, { env }) =>
  fork(modulePath, args, { env, stdio: 'pipe' })

let dir: string
let startsFile: string
const supervisors: CoreSupervisor[] = []

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'sentral-core-supervisor-'))
  startsFile = join(dir, 'starts.jsonl')
})

afterEach(async () => {
  await Promise.all(supervisors.splice(0).map((supervisor) => supervisor.stop()))
  rmSync(dir, { recursive: true, force: true })
})

function supervise(
  mode: string,
  overrides: Partial<CoreSupervisorOptions> = {},
): { supervisor: CoreSupervisor; states: SupervisorState[]; log: RecordingLog } {
  const states: SupervisorState[] = []
  const log = new RecordingLog()
  const supervisor = new CoreSupervisor({
    fork: forkNode,
    modulePath: stub,
    args: ['demo', '--data-dir', join(dir, 'core'), '--json-logs'],
    env: { ...process.env, CORE_STUB_MODE: mode, CORE_STUB_STARTS: startsFile },
    backoff: { initialMs: 50, maxMs: 200 },
    readyTimeoutMs: 5000,
    stopTimeoutMs: 3000,
    log,
    onStateChange: (state) => states.push(state),
    ...overrides,
  })
  supervisors.push(supervisor)
  return { supervisor, states, log }
}

function starts(): { pid: number; args: string[] }[] {
  return readFileSync(startsFile, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as { pid: number; args: string[] })
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

async function until(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out waiting')
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

describe('reading the core address from its log', () => {
  it('takes the url of the "Sentral core … listening" line', () => {
    const line = JSON.stringify({
      level: 30,
      msg: 'Sentral core 0.1.0 listening on http://127.0.0.1:41234',
      url: 'http://127.0.0.1:41234',
    })
    expect(coreUrlFromLogLine(line)).toBe('http://127.0.0.1:41234')
  })

  it('ignores other lines, other messages with a url, and urls that are not http', () => {
    expect(coreUrlFromLogLine('Sentral core listening on http://127.0.0.1:1')).toBeNull()
    expect(coreUrlFromLogLine('{"msg":"migrations applied","url":"http://127.0.0.1:1"}')).toBeNull()
    expect(coreUrlFromLogLine('{"msg":"Sentral core","url":"file:///etc/passwd"}')).toBeNull()
    expect(coreUrlFromLogLine('{"msg":"Sentral core","url":42}')).toBeNull()
    expect(coreUrlFromLogLine('{not json')).toBeNull()
  })
})

describe('the bundled core in a child process', () => {
  it('starts the core with the given command and a free port, and resolves with its address', async () => {
    const { supervisor } = supervise('serve')

    const url = await supervisor.start()

    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
    expect(supervisor.state).toBe('running')
    const response = await fetch(`${url}/healthz`)
    expect(response.ok).toBe(true)
    expect(starts()[0]?.args).toEqual([
      'demo',
      '--data-dir',
      join(dir, 'core'),
      '--json-logs',
      '--port',
      '0',
    ])
    await expect(supervisor.address()).resolves.toBe(url)
  })

  it('starts the core again after it crashes, on the same port, and answers with the new process', async () => {
    const { supervisor, states, log } = supervise('crash-once')
    const first = await supervisor.start()
    const firstPid = starts()[0]!.pid

    await until(() => starts().length === 2 && supervisor.state === 'running')

    const second = await supervisor.address()
    expect(second).toBe(first)
    const health = (await (await fetch(`${second}/healthz`)).json()) as { pid: number }
    expect(health.pid).not.toBe(firstPid)
    expect(health.pid).toBe(starts()[1]!.pid)
    expect(starts()[1]!.args.slice(-2)).toEqual(['--port', new URL(first).port])
    expect(states).toEqual(['starting', 'running', 'backing-off', 'starting', 'running'])
    expect(log.messages('warn')).toContain('the bundled core exited; starting it again')
  })

  it('waits for the restart when asked for the address while the core is down', async () => {
    const { supervisor } = supervise('crash-once', { backoff: { initialMs: 300, maxMs: 300 } })
    await supervisor.start()
    await until(() => supervisor.state === 'backing-off')

    const address = supervisor.address()

    await expect(address).resolves.toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
    expect(starts()).toHaveLength(2)
  })

  it('stops the core with SIGTERM on quit and does not start it again', async () => {
    const { supervisor, states } = supervise('serve')
    await supervisor.start()
    const { pid } = starts()[0]!

    await supervisor.stop()

    expect(supervisor.state).toBe('stopped')
    expect(states.slice(-2)).toEqual(['stopping', 'stopped'])
    await until(() => !isRunning(pid))
    await new Promise((resolve) => setTimeout(resolve, 200))
    expect(starts()).toHaveLength(1)
    await expect(supervisor.address()).rejects.toThrow('stopped')
  })

  it('gives up at once when the core refuses its configuration (exit code 2)', async () => {
    const { supervisor } = supervise('config-error')

    await expect(supervisor.start()).rejects.toThrow(
      /cannot use its configuration[\s\S]*acme\.yaml/,
    )

    expect(supervisor.state).toBe('failed')
    expect(starts()).toHaveLength(1)
  })

  it('kills a core that never reports its address, retries, and gives up after the last attempt', async () => {
    const { supervisor, log } = supervise('silent', {
      readyTimeoutMs: 300,
      maxFailedStarts: 2,
    })

    await expect(supervisor.start()).rejects.toThrow('did not start (2 attempts)')

    expect(starts()).toHaveLength(2)
    await until(() => starts().every(({ pid }) => !isRunning(pid)))
    expect(log.messages('warn')).toContain(
      'the bundled core reported no address in time; killing it',
    )
  })
})
