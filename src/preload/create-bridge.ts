/**
 * Builds `window.sentral` from a renderer-side IPC port. It imports nothing at runtime but the
 * channel names, so index.ts hands it the real ipcRenderer and tests hand it a double.
 */
import type { SentralBridge, ShellCommand } from './bridge'
import {
  shellCommandChannel,
  type InvokeChannel,
  type InvokeChannels,
  type SendChannel,
  type SendChannels,
} from './ipc-channels'

type IpcListener = (event: unknown, ...args: unknown[]) => void

/** The slice of ipcRenderer the bridge uses; it never leaves this module. */
export interface RendererIpc {
  invoke(channel: string, ...args: unknown[]): Promise<unknown>
  send(channel: string, ...args: unknown[]): void
  on(channel: string, listener: IpcListener): unknown
  removeListener(channel: string, listener: IpcListener): unknown
}

export interface BridgeEnvironment {
  platform: string
  versions: { electron?: string | undefined; chrome?: string | undefined }
}

export function createBridge(ipc: RendererIpc, environment: BridgeEnvironment): SentralBridge {
  // Main is the one party on the other end and validates what it receives; its replies are
  // typed by the channel map, which is the contract both sides compile against.
  const invoke = <C extends InvokeChannel>(
    channel: C,
    ...args: Parameters<InvokeChannels[C]>
  ): Promise<ReturnType<InvokeChannels[C]>> =>
    ipc.invoke(channel, ...args) as Promise<ReturnType<InvokeChannels[C]>>
  const send = <C extends SendChannel>(channel: C, ...args: Parameters<SendChannels[C]>): void =>
    ipc.send(channel, ...args)

  return {
    platform: environment.platform,
    versions: {
      electron: environment.versions.electron ?? 'unknown',
      chrome: environment.versions.chrome ?? 'unknown',
    },
    loadSettings: () => invoke('settings:load'),
    saveSettings: (patch) => invoke('settings:save', patch),
    coreAddress: () => invoke('core:address'),
    rememberLogin: (login) => invoke('login:remember', login),
    recallLogin: () => invoke('login:recall'),
    forgetLogin: () => invoke('login:forget'),
    reportQueueStatus: (report) => send('queues:status-reported', report),
    onCommand(listener) {
      // The IPC event (with its sender) stays here: the interface only sees the command.
      const forward: IpcListener = (_event, command) => listener(command as ShellCommand)
      ipc.on(shellCommandChannel, forward)
      return () => {
        ipc.removeListener(shellCommandChannel, forward)
      }
    },
  }
}
