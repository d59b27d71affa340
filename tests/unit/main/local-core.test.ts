import { fork } from 'node:child_process'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import type { ForkCore } from '../../../src/main/electron-api'
import { MemoryStore } from '../../helpers/fake-electron'
import { launch, type Launched } from './shell-harness'

const stub = join(__dirname, '..', '..', 'fixtures', 'core-stub.mjs')

let launched: Launched | null = null
afterEach(async () => {
  await launched?.shell.core()?.stop()
  launched?.cleanup()
  launched = null
})

async function start(options: Parameters<typeof launch>[0] = {}): Promise<Launched> {
  launched = await launch(options)
  return launched
}

interface ForkCall {
  modulePath: string
  args: string[]
  env: Record<string, string | undefined>
  pid: number | undefined
}

/** Forks the stub core with Node wherever the shell asks for out/core/cli.js. */
function forkStub(calls: ForkCall[]): ForkCore {
  return (modulePath, args, { env }) => {
    const child = fork(stub, args, { env: { ...process.env, ...env }, stdio: 'pipe' })
    calls.push({ modulePath, args, env, pid: child.pid })
    return child
  }
}

function isRunning(pid: number | undefined): boolean {
  if (pid === undefined) return false
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
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}

describe('local mode', () => {
  it('starts the bundled core with the demo company and gives the interface its address', async () => {
    const calls: ForkCall[] = []
    const { invoke, electron } = await start({ forkCore: forkStub(calls) })

    const address = await invoke('core:address')

    expect(address).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
    const health = (await (await fetch(`${String(address)}/healthz`)).json()) as { pid: number }
    expect(health.pid).toBe(calls[0]!.pid)
    expect(calls).toHaveLength(1)
    expect(calls[0]).toMatchObject({
      modulePath: '/app/out/core/cli.js',
      args: [
        'demo',
        '--data-dir',
        join(electron.app.userData, 'core'),
        '--json-logs',
        '--port',
        '0',
      ],
      env: { SENTRAL_RESOURCES: '/app/resources', PATH: '/usr/bin' },
    })
  })

  it('runs the company file set in the settings instead of the demo', async () => {
    const store = new MemoryStore()
    store.set('localCore', {
      companyFile: '/srv/acme.yaml',
      accountsFile: '/srv/acme-accounts.yaml',
    })

    const { electron } = await start({ store })

    expect(electron.coreProcesses[0]!.args).toEqual([
      'run',
      '--company',
      '/srv/acme.yaml',
      '--accounts',
      '/srv/acme-accounts.yaml',
      '--data-dir',
      join(electron.app.userData, 'core'),
      '--json-logs',
      '--port',
      '0',
    ])
  })

  it('stops the core before the app quits', async () => {
    const calls: ForkCall[] = []
    const { invoke, electron } = await start({ forkCore: forkStub(calls) })
    await invoke('core:address')

    electron.app.quit()
    expect(electron.app.quitted).toBe(false)

    await until(() => electron.app.quitted)
    expect(isRunning(calls[0]!.pid)).toBe(false)
    expect(electron.app.quitRequests).toBe(2)
  })

  it('stops the core when the user switches to a remote server, and starts it on the way back', async () => {
    const { invoke, electron } = await start()
    electron.coreProcesses[0]!.listen('http://127.0.0.1:40001')
    await expect(invoke('core:address')).resolves.toBe('http://127.0.0.1:40001')

    await invoke('settings:save', { mode: 'remote', serverUrl: 'https://sentral.example.no' })
    expect(electron.coreProcesses[0]!.killed).toBe(true)
    await expect(invoke('core:address')).resolves.toBe('https://sentral.example.no')

    await invoke('settings:save', { mode: 'local' })
    await until(() => electron.coreProcesses.length === 2)
    electron.coreProcesses[1]!.listen('http://127.0.0.1:40002')
    await expect(invoke('core:address')).resolves.toBe('http://127.0.0.1:40002')
  })

  it('tells the interface when the core cannot start, and tries again when asked again', async () => {
    const { invoke, electron } = await start()
    const address = invoke('core:address')
    electron.coreProcesses[0]!.stderr.write('sentral-core: Cannot use company file acme.yaml\n')
    await new Promise((resolve) => setImmediate(resolve))
    electron.coreProcesses[0]!.exit(2)

    await expect(address).rejects.toThrow('cannot use its configuration')

    const retry = invoke('core:address')
    await until(() => electron.coreProcesses.length === 2)
    electron.coreProcesses[1]!.listen('http://127.0.0.1:40003')
    await expect(retry).resolves.toBe('http://127.0.0.1:40003')
  })

  it('saves the window position in the settings after the user moves it', async () => {
    const { electron, scheduler, store } = await start({ settings: { mode: 'remote' } })

    electron.window.moveTo({ x: 420, y: 42 })
    scheduler.advance(1000)

    expect(store.get('windowBounds')).toEqual({
      x: 420,
      y: 42,
      width: 1280,
      height: 800,
      maximized: false,
    })
  })
})
