/**
 * A native notification for each call offered to the user, with the caller and the queue.
 * Clicking it brings the window forward on that call. A call is notified once per offer: the
 * renderer reports the offered calls again on every change, and only calls that were not in the
 * previous report are new. A notification is closed when its call stops ringing for the user,
 * and kept referenced until then (a collected Notification loses its click handler).
 */
import type { LanguageSetting, QueueStatusReport, ShellCommand } from '../preload/bridge'
import type { ElectronApi, ShellNotification } from './electron-api'
import { messagesFor } from './messages'

export interface CallNotifierOptions {
  language(): LanguageSetting
  showWindow(): void
  sendCommand(command: ShellCommand): void
}

type NotifierElectron = Pick<ElectronApi, 'notificationsSupported' | 'createNotification'>

export class CallNotifier {
  private readonly shown = new Map<string, ShellNotification | null>()

  constructor(
    private readonly electron: NotifierElectron,
    private readonly options: CallNotifierOptions,
  ) {}

  update(offered: QueueStatusReport['offered']): void {
    const current = new Set(offered.map((call) => call.callId))
    for (const [callId, notification] of this.shown) {
      if (current.has(callId)) continue
      notification?.close()
      this.shown.delete(callId)
    }
    for (const call of offered) {
      if (this.shown.has(call.callId)) continue
      this.shown.set(call.callId, this.notify(call))
    }
  }

  /** Closes every notification (on quit, or when the user logs out). */
  clear(): void {
    this.update([])
  }

  private notify(call: QueueStatusReport['offered'][number]): ShellNotification | null {
    if (!this.electron.notificationsSupported()) return null
    const messages = messagesFor(this.options.language())
    const notification = this.electron.createNotification({
      title: messages.offeredTitle(call.callerName ?? call.callerNumber),
      body: messages.offeredBody(call.queueName, call.callerNumber),
      urgency: 'critical',
      timeoutType: 'never',
    })
    notification.on('click', () => {
      this.options.showWindow()
      this.options.sendCommand({ kind: 'show-call', callId: call.callId })
    })
    notification.show()
    return notification
  }
}
