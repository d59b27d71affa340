/**
 * SMS gateways (sub-supplier in the service terms §10): the core hands a message to one and
 * gets the gateway's id back. An SMPP adapter for a real SMS centre implements the same
 * interface; the demo and the tests use the outbox, which keeps messages instead of sending them.
 */
import { randomUUID } from 'node:crypto'
import type { CompanyId, PhoneNumber, UserId } from '../../shared/ids'

export interface SmsMessage {
  companyId: CompanyId
  senderId: UserId
  /** The presented number (the receiver sees and can answer this). */
  from: PhoneNumber
  to: PhoneNumber
  text: string
}

export interface SmsGateway {
  readonly name: string
  /** Resolves with the gateway's message id once it has accepted the message. */
  send(message: SmsMessage): Promise<{ id: string }>
}

/** Keeps the last messages in memory instead of sending them (demo, tests). */
export class OutboxSmsGateway implements SmsGateway {
  readonly name = 'outbox'
  private readonly sent: (SmsMessage & { id: string })[] = []

  constructor(private readonly keep = 1000) {}

  send(message: SmsMessage): Promise<{ id: string }> {
    const id = randomUUID()
    this.sent.push({ ...message, id })
    if (this.sent.length > this.keep) this.sent.shift()
    return Promise.resolve({ id })
  }

  /** Messages accepted so far, oldest first. */
  messages(): readonly (SmsMessage & { id: string })[] {
    return this.sent
  }
}
