import { EventEmitter } from 'node:events'
import { describe, expect, it } from 'vitest'
import { createBridge, type RendererIpc } from '../../../src/preload/create-bridge'
import type { ShellCommand } from '../../../src/preload/bridge'

/** ipcRenderer as the preload sees it, recording what it sends. */
class FakeIpcRenderer extends EventEmitter implements RendererIpc {
  readonly invoked: { channel: string; args: unknown[] }[] = []
  readonly sentMessages: { channel: string; args: unknown[] }[] = []
  replies = new Map<string, unknown>()

  invoke(channel: string, ...args: unknown[]): Promise<unknown> {
    this.invoked.push({ channel, args })
    return Promise.resolve(this.replies.get(channel))
  }
  send(channel: string, ...args: unknown[]): void {
    this.sentMessages.push({ channel, args })
  }
  /** Main sends a message to this page. */
  deliver(channel: string, payload: unknown): void {
    this.emit(channel, { sender: 'the IPC event, with its sender' }, payload)
  }
}

const environment = { platform: 'linux', versions: { electron: '44.11.5', chrome: '146.0' } }

describe('the preload bridge', () => {
  it('exposes verbs and plain values, never ipcRenderer', () => {
    const bridge = createBridge(new FakeIpcRenderer(), environment)

    expect(Object.keys(bridge).sort()).toEqual([
      'coreAddress',
      'forgetLogin',
      'loadSettings',
      'onCommand',
      'platform',
      'recallLogin',
      'rememberLogin',
      'reportQueueStatus',
      'saveSettings',
      'versions',
    ])
    expect(Object.values(bridge).some((value) => value instanceof EventEmitter)).toBe(false)
    expect(bridge.versions).toEqual({ electron: '44.11.5', chrome: '146.0' })
  })

  it('turns each verb into its channel', async () => {
    const ipc = new FakeIpcRenderer()
    ipc.replies.set('core:address', 'http://127.0.0.1:41234')
    const bridge = createBridge(ipc, environment)

    await expect(bridge.coreAddress()).resolves.toBe('http://127.0.0.1:41234')
    await bridge.saveSettings({ theme: 'dark' })
    await bridge.rememberLogin({ serverUrl: 'http://x', username: 'u', token: 't', expiresAt: 1 })
    bridge.reportQueueStatus({ waiting: 2, offered: [], absent: false })

    expect(ipc.invoked.map((call) => call.channel)).toEqual([
      'core:address',
      'settings:save',
      'login:remember',
    ])
    expect(ipc.invoked[1]!.args).toEqual([{ theme: 'dark' }])
    expect(ipc.sentMessages).toEqual([
      { channel: 'queues:status-reported', args: [{ waiting: 2, offered: [], absent: false }] },
    ])
  })

  it('hands the interface the command alone, and stops when unsubscribed', () => {
    const ipc = new FakeIpcRenderer()
    const bridge = createBridge(ipc, environment)
    const received: unknown[][] = []

    const unsubscribe = bridge.onCommand((...args) => received.push(args))
    ipc.deliver('shell:command', { kind: 'show-call', callId: 'call-1' } satisfies ShellCommand)
    unsubscribe()
    ipc.deliver('shell:command', { kind: 'hang-up' } satisfies ShellCommand)

    expect(received).toEqual([[{ kind: 'show-call', callId: 'call-1' }]])
    expect(ipc.listenerCount('shell:command')).toBe(0)
  })
})
