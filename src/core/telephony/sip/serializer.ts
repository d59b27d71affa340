/**
 * Messages to octets (§7): the start line, each header field on its own line, a Content-Length
 * that always matches the body (whatever the header list said), a blank line, the body.
 */
import type { SipHeader, SipMessage } from './message'

export function serialize(message: SipMessage): Buffer {
  const start =
    message.kind === 'request'
      ? `${message.method} ${message.uri} SIP/2.0`
      : `SIP/2.0 ${message.status} ${message.reason}`
  const lines = [start]
  for (const h of message.headers)
    if (h.name !== 'Content-Length') lines.push(`${h.name}: ${h.value}`)
  lines.push(`Content-Length: ${message.body.length}`, '', '')
  const head = Buffer.from(lines.join('\r\n'), 'utf8')
  return message.body.length === 0 ? head : Buffer.concat([head, message.body])
}

/**
 * A response to a request (§8.2.6): Via, From, To (with a tag added when the request had
 * none), Call-ID and CSeq copied; `headers` may be what a rejected request still had.
 */
export function responseFor(
  request: { headers: SipHeader[] },
  status: number,
  reason: string,
  options: { toTag?: string; extra?: SipHeader[]; body?: Buffer } = {},
): SipMessage {
  const copied: SipHeader[] = []
  for (const h of request.headers) {
    if (h.name === 'Via' || h.name === 'From' || h.name === 'Call-ID' || h.name === 'CSeq')
      copied.push({ name: h.name, value: h.value })
    else if (h.name === 'To') {
      const tagged = /;\s*tag\s*=/i.test(h.value)
      copied.push({
        name: 'To',
        value:
          tagged || !options.toTag || status === 100 ? h.value : `${h.value};tag=${options.toTag}`,
      })
    }
  }
  return {
    kind: 'response',
    status,
    reason,
    version: 'SIP/2.0',
    headers: [...copied, ...(options.extra ?? [])],
    body: options.body ?? Buffer.alloc(0),
  }
}

/** Whether a rejected request still has what a response must copy (§8.2.6.2). */
export function answerable(headers: SipHeader[]): boolean {
  const has = (name: string) => headers.some((h) => h.name === name)
  return has('Via') && has('From') && has('To') && has('Call-ID') && has('CSeq')
}
