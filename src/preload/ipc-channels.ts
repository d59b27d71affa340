/**
 * The one channel map shared by main and preload (after @electron-toolkit/typed-ipc, written by
 * hand). Channel names are `domain:verb`. The preload is sandboxed and may load nothing but
 * `electron`, so this file holds types and string constants only; main validates every payload
 * with the zod schemas in src/main/ipc-schemas.ts, which are checked against these types.
 */
import type { DesktopSettings, QueueStatusReport, RememberedLogin, ShellCommand } from './bridge'

/** Renderer → main requests with a reply (`ipcRenderer.invoke` / `ipcMain.handle`). */
export interface InvokeChannels {
  'settings:load': () => DesktopSettings
  'settings:save': (patch: Partial<DesktopSettings>) => DesktopSettings
  'core:address': () => string
  'login:remember': (login: RememberedLogin) => boolean
  'login:recall': () => RememberedLogin | null
  'login:forget': () => void
}

/** Renderer → main messages without a reply (`ipcRenderer.send` / `ipcMain.on`). */
export interface SendChannels {
  'queues:status-reported': (report: QueueStatusReport) => void
}

/** Main → renderer messages (`webContents.send` / `ipcRenderer.on`). */
export interface RendererChannels {
  'shell:command': (command: ShellCommand) => void
}

export type InvokeChannel = keyof InvokeChannels
export type SendChannel = keyof SendChannels
export type RendererChannel = keyof RendererChannels

export const shellCommandChannel = 'shell:command' satisfies RendererChannel
