/**
 * The main side of the channel map (src/preload/ipc-channels.ts). Every message is checked
 * twice before a handler sees it: the sender must be the main window's own page, and the
 * payload must match its zod schema. A refused request rejects in the renderer; a refused
 * one-way message is dropped and logged.
 */
import { z } from 'zod'
import type {
  InvokeChannel,
  InvokeChannels,
  SendChannel,
  SendChannels,
} from '../preload/ipc-channels'
import type { IpcEventLike, ShellIpcMain, ShellLog } from './electron-api'
import { serverUrlSchema, settingsPatchSchema } from './settings'

const text = (max: number) => z.string().max(max)

export const rememberedLoginSchema = z
  .object({
    serverUrl: serverUrlSchema,
    username: text(200).min(1),
    token: text(8192).min(1),
    expiresAt: z.number().finite(),
  })
  .strict()

export const queueStatusReportSchema = z
  .object({
    waiting: z.number().int().min(0).max(1_000_000),
    offered: z
      .array(
        z
          .object({
            callId: text(200).min(1),
            callerName: text(200).nullable(),
            callerNumber: text(100),
            queueName: text(200).nullable(),
          })
          .strict(),
      )
      .max(100),
    absent: z.boolean(),
  })
  .strict()

/** The arguments of each request, typed by the channel map so the two cannot drift apart. */
export const invokeArgumentSchemas: {
  [C in InvokeChannel]: z.ZodType<Parameters<InvokeChannels[C]>>
} = {
  'settings:load': z.tuple([]),
  'settings:save': z.tuple([settingsPatchSchema]),
  'core:address': z.tuple([]),
  'login:remember': z.tuple([rememberedLoginSchema]),
  'login:recall': z.tuple([]),
  'login:forget': z.tuple([]),
}

export const sendArgumentSchemas: {
  [C in SendChannel]: z.ZodType<Parameters<SendChannels[C]>>
} = {
  'queues:status-reported': z.tuple([queueStatusReportSchema]),
}

type Awaitable<T> = T | Promise<T>

export type InvokeHandlers = {
  [C in InvokeChannel]: (
    ...args: Parameters<InvokeChannels[C]>
  ) => Awaitable<ReturnType<InvokeChannels[C]>>
}

export type SendHandlers = {
  [C in SendChannel]: (...args: Parameters<SendChannels[C]>) => void
}

/** Thrown into the renderer's promise; carries no detail beyond what the renderer sent. */
export class IpcRefusedError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'IpcRefusedError'
  }
}

export interface IpcRegistration {
  ipcMain: ShellIpcMain
  isTrustedSender: (event: IpcEventLike) => boolean
  invoke: InvokeHandlers
  send: SendHandlers
  log: ShellLog
}

export function registerIpc(registration: IpcRegistration): void {
  for (const channel of Object.keys(invokeArgumentSchemas) as InvokeChannel[])
    handleInvoke(registration, channel)
  for (const channel of Object.keys(sendArgumentSchemas) as SendChannel[])
    handleSend(registration, channel)
}

function handleInvoke<C extends InvokeChannel>(registration: IpcRegistration, channel: C): void {
  const { ipcMain, isTrustedSender, log } = registration
  const schema: z.ZodType<Parameters<InvokeChannels[C]>> = invokeArgumentSchemas[channel]
  const handler: InvokeHandlers[C] = registration.invoke[channel]
  ipcMain.handle(channel, async (event, ...args) => {
    if (!isTrustedSender(event)) {
      log.warn('refused an IPC request from outside the app', {
        channel,
        url: event.senderFrame?.url,
      })
      throw new IpcRefusedError(`${channel}: refused`)
    }
    const parsed = schema.safeParse(args)
    if (!parsed.success) {
      log.warn('refused an invalid IPC request', { channel })
      throw new IpcRefusedError(`${channel}: ${z.prettifyError(parsed.error)}`)
    }
    return await handler(...parsed.data)
  })
}

function handleSend<C extends SendChannel>(registration: IpcRegistration, channel: C): void {
  const { ipcMain, isTrustedSender, log } = registration
  const schema: z.ZodType<Parameters<SendChannels[C]>> = sendArgumentSchemas[channel]
  const handler: SendHandlers[C] = registration.send[channel]
  ipcMain.on(channel, (event, ...args) => {
    if (!isTrustedSender(event)) {
      log.warn('ignored an IPC message from outside the app', {
        channel,
        url: event.senderFrame?.url,
      })
      return
    }
    const parsed = schema.safeParse(args)
    if (!parsed.success) {
      log.warn('ignored an invalid IPC message', {
        channel,
        problem: z.prettifyError(parsed.error),
      })
      return
    }
    handler(...parsed.data)
  })
}
