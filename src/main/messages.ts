/** The few texts the shell shows itself (tray, notifications), in the interface's language. */
import type { LanguageSetting } from '../preload/bridge'

export interface ShellMessages {
  waiting(count: number): string
  showWindow: string
  setAbsent: string
  setAvailable: string
  quit: string
  offeredTitle(caller: string): string
  offeredBody(queue: string | null, number: string): string
  overlay(count: number): string
}

const nb: ShellMessages = {
  waiting: (count) =>
    count === 0
      ? 'Ingen venter i køene dine'
      : count === 1
        ? '1 innringer venter i køene dine'
        : `${count} innringere venter i køene dine`,
  showWindow: 'Vis Sentral',
  setAbsent: 'Sett fraværende',
  setAvailable: 'Sett tilgjengelig',
  quit: 'Avslutt Sentral',
  offeredTitle: (caller) => `Anrop fra ${caller}`,
  offeredBody: (queue, number) =>
    queue ? `Kø: ${queue} · ${number}` : `Direkte til deg · ${number}`,
  overlay: (count) => `${count} venter`,
}

const en: ShellMessages = {
  waiting: (count) =>
    count === 0
      ? 'No one waiting in your queues'
      : count === 1
        ? '1 caller waiting in your queues'
        : `${count} callers waiting in your queues`,
  showWindow: 'Show Sentral',
  setAbsent: 'Set absent',
  setAvailable: 'Set available',
  quit: 'Quit Sentral',
  offeredTitle: (caller) => `Call from ${caller}`,
  offeredBody: (queue, number) =>
    queue ? `Queue: ${queue} · ${number}` : `Direct to you · ${number}`,
  overlay: (count) => `${count} waiting`,
}

export function messagesFor(language: LanguageSetting): ShellMessages {
  return language === 'nb' ? nb : en
}
