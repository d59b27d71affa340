/**
 * Turning octets into SIP messages (RFC 3261 §7, §18.3), robust against everything in RFC 4475:
 * a datagram or a stream frame either becomes a message, or an answer the sender can act on
 * (400, 505, with as much of the request as was readable so the response can be addressed), or
 * is dropped (a broken response is never answered, §16.7). Nothing here throws.
 */
import {
  GrammarError,
  isToken,
  maxCSeq,
  parseCSeq,
  parseNameAddr,
  parseVia,
  splitList,
} from './grammar'
import { canonicalName, type SipHeader, type SipMessage, type SipRequest } from './message'

export type ParseResult =
  | {
      kind: 'message'
      message: SipMessage
      /** Octets after the message (ignored in a datagram). */ extra: number
    }
  /** A request that cannot be processed: answer it with `status` if `headers` allow (§8.2). */
  | {
      kind: 'reject'
      status: 400 | 505
      reason: string
      headers: SipHeader[]
      method: string | null
    }
  /** Not worth an answer: a broken response, or octets that are not SIP at all. */
  | { kind: 'drop'; reason: string }

/** Header fields that may appear once only (§7.3.1, §20); a second one makes the message invalid. */
const singleValued = new Set([
  'Call-ID',
  'Content-Length',
  'Content-Type',
  'CSeq',
  'From',
  'Max-Forwards',
  'To',
  'Expires',
])

const requiredInRequests = ['To', 'From', 'CSeq', 'Call-ID', 'Via']
const requiredInResponses = ['To', 'From', 'CSeq', 'Call-ID', 'Via']

/** Where the header section ends: the offset of the body, or -1 if not yet seen. */
export function headerEnd(data: Buffer, from = 0): { headers: number; body: number } | -1 {
  for (let i = from; i < data.length - 1; i++) {
    if (data[i] !== 10) continue // '\n'
    // CRLF CRLF, or a bare LF LF from a careless peer.
    if (data[i + 1] === 10) return { headers: i, body: i + 2 }
    if (data[i + 1] === 13 && data[i + 2] === 10) return { headers: i, body: i + 3 }
  }
  return -1
}

interface Head {
  startLine: string
  headers: SipHeader[]
}

/**
 * The lines of the header section (`data` up to `end`), each split at LF with the CR before it
 * removed. The section is decoded once and cut into lines: a header value is then a slice of
 * that text and keeps it alive while the value lives (a dialog's tags and target, a binding's
 * contact: one header section each, a kilobyte or so). Decoding each line on its own (as until
 * 4 December) kept less, but cost a call into the runtime per line, and since transactions that
 * wait out their timers keep bytes rather than messages (lingering.ts), little lives long
 * enough for the difference to matter.
 */
function headLines(data: Buffer, end: number): string[] {
  const lines = data.toString('utf8', 0, end).split('\n')
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!
    if (line.endsWith('\r')) lines[i] = line.slice(0, -1)
  }
  return lines
}

/** Unfolds and splits the header section (§7.3.1); leading blank lines are keep-alives (§7.5). */
function readHead(data: Buffer, end: number): Head | string {
  const lines = headLines(data, end)
  while (lines.length > 0 && lines[0] === '') lines.shift()
  const startLine = lines.shift()
  if (startLine === undefined) return 'empty message'
  const headers: SipHeader[] = []
  for (const line of lines) {
    if (line === '') continue
    if (line[0] === ' ' || line[0] === '\t') {
      const last = headers.at(-1)
      if (!last) return 'a continuation line before any header'
      last.value = `${last.value} ${line.trim()}`.trim()
      continue
    }
    const colon = line.indexOf(':')
    if (colon <= 0) return `"${line.slice(0, 40)}" is not a header field`
    const name = line.slice(0, colon).trimEnd()
    if (!isToken(name)) return `"${name}" is not a header name`
    headers.push({ name: canonicalName(name), value: line.slice(colon + 1).trim() })
  }
  return { startLine, headers }
}

const version = /^SIP\/(\d+)\.(\d+)$/i

/** Parses one message from the start of `data` (a datagram, or a frame of a stream). */
export function parseMessage(
  data: Buffer,
  transport: 'datagram' | 'stream' = 'datagram',
): ParseResult {
  const end = headerEnd(data)
  // A datagram without the blank line: the RFC allows none; take it all as the header section.
  const headEnd = end === -1 ? data.length : end.headers
  const bodyStart = end === -1 ? data.length : end.body
  const head = readHead(data, headEnd)
  if (typeof head === 'string') return { kind: 'drop', reason: head }
  const { startLine, headers } = head

  // ── start line (§7.1, §7.2): exactly one SP between the three parts ──
  if (/^SIP\//i.test(startLine))
    return parseResponse(startLine, headers, data, bodyStart, transport)
  const parts = startLine.split(' ')
  const method = parts[0] ?? ''
  const reject = (status: 400 | 505, reason: string): ParseResult => ({
    kind: 'reject',
    status,
    reason,
    headers,
    method: isToken(method) ? method : null,
  })
  if (parts.length !== 3 || !isToken(method))
    return reject(400, `malformed request line "${startLine.slice(0, 80)}"`)
  const [, uri, ver] = parts as [string, string, string]
  if (!version.test(ver)) return reject(400, `"${ver}" is not a SIP version`)
  if (ver.toUpperCase() !== 'SIP/2.0') return reject(505, `SIP version ${ver} is not supported`)
  if (uri === '' || uri.startsWith('<')) return reject(400, `"${uri}" is not a Request-URI`)
  if (!/^[A-Za-z][A-Za-z0-9+\-.]*:/.test(uri)) return reject(400, `"${uri}" is not a Request-URI`)

  const problem = checkHeaders(headers, requiredInRequests)
  if (problem) return reject(400, problem)
  const cseq = parseCSeq(valueOf(headers, 'CSeq')!)
  if (cseq instanceof GrammarError) return reject(400, cseq.message)
  if (cseq.method !== method)
    return reject(400, `CSeq method ${cseq.method} does not match ${method}`)
  const body = readBody(headers, data, bodyStart, transport)
  if (typeof body === 'string') return reject(400, body)
  const message: SipRequest = {
    kind: 'request',
    method,
    uri,
    version: 'SIP/2.0',
    headers,
    body: body.body,
  }
  return { kind: 'message', message, extra: data.length - body.end }
}

function parseResponse(
  startLine: string,
  headers: SipHeader[],
  data: Buffer,
  bodyStart: number,
  transport: 'datagram' | 'stream',
): ParseResult {
  // Status-Line = SIP-Version SP Status-Code SP Reason-Phrase (§7.2); the reason may be empty.
  const m = /^(SIP\/\d+\.\d+) (\d+)(?: (.*))?$/i.exec(startLine)
  if (!m || m[2]!.length !== 3)
    return { kind: 'drop', reason: `malformed status line "${startLine.slice(0, 80)}"` }
  if (m[1]!.toUpperCase() !== 'SIP/2.0') return { kind: 'drop', reason: `version ${m[1]}` }
  const status = Number(m[2])
  if (status < 100 || status > 699) return { kind: 'drop', reason: `status ${status}` }
  const problem = checkHeaders(headers, requiredInResponses)
  if (problem) return { kind: 'drop', reason: problem }
  const cseq = parseCSeq(valueOf(headers, 'CSeq')!)
  if (cseq instanceof GrammarError) return { kind: 'drop', reason: cseq.message }
  const body = readBody(headers, data, bodyStart, transport)
  if (typeof body === 'string') return { kind: 'drop', reason: body }
  return {
    kind: 'message',
    message: {
      kind: 'response',
      status,
      reason: m[3] ?? '',
      version: 'SIP/2.0',
      headers,
      body: body.body,
    },
    extra: data.length - body.end,
  }
}

function valueOf(headers: SipHeader[], name: string): string | null {
  for (const h of headers) if (h.name === name) return h.value
  return null
}

/** The checks every message must pass before anyone acts on it; a reason, or null. */
function checkHeaders(headers: SipHeader[], required: string[]): string | null {
  const seen = new Set<string>()
  for (const h of headers) {
    // (A second To or From hidden behind a comma fails to parse as one name-addr below.)
    if (singleValued.has(h.name) && seen.has(h.name)) return `more than one ${h.name}`
    seen.add(h.name)
  }
  for (const name of required) if (!seen.has(name)) return `no ${name} header`
  for (const h of headers) {
    switch (h.name) {
      case 'To':
      case 'From': {
        const addr = parseNameAddr(h.value)
        if (addr instanceof GrammarError) return `${h.name}: ${addr.message}`
        break
      }
      case 'Contact': {
        if (h.value.trim() === '*') break
        for (const part of splitList(h.value)) {
          if (part === '') return 'Contact: empty list element'
          const addr = parseNameAddr(part)
          if (addr instanceof GrammarError) return `Contact: ${addr.message}`
        }
        break
      }
      case 'Route':
      case 'Record-Route':
        for (const part of splitList(h.value)) {
          const addr = parseNameAddr(part)
          if (addr instanceof GrammarError) return `${h.name}: ${addr.message}`
        }
        break
      case 'Via':
        for (const part of splitList(h.value)) {
          if (part === '') return 'Via: empty list element'
          const via = parseVia(part)
          if (via instanceof GrammarError) return `Via: ${via.message}`
        }
        break
      case 'Call-ID':
        if (h.value === '' || /\s/.test(h.value)) return `"${h.value}" is not a Call-ID`
        break
      case 'Max-Forwards':
        // 1*DIGIT, so leading zeros are fine (RFC 4475 wsinv: 0068); the value is 0–255.
        if (!/^\d{1,10}$/.test(h.value) || Number(h.value) > 255)
          return `Max-Forwards "${h.value}" is not 0–255`
        break
      case 'CSeq': {
        const cseq = parseCSeq(h.value)
        if (cseq instanceof GrammarError) return cseq.message
        if (cseq.seq > maxCSeq) return 'CSeq too large'
        break
      }
      case 'Expires':
        // delta-seconds (§20.19); a value beyond 2³²−1 is nonsense rather than "forever".
        if (!/^\d{1,10}$/.test(h.value) || Number(h.value) > 2 ** 32 - 1)
          return `Expires "${h.value.slice(0, 20)}" is out of range`
        break
      default:
        break
    }
  }
  return null
}

/**
 * The body by Content-Length (§18.3, §20.14). In a datagram a missing length means "the rest";
 * a length larger than what arrived, a negative or malformed one, is an error. On a stream the
 * length is mandatory and frames the next message.
 */
function readBody(
  headers: SipHeader[],
  data: Buffer,
  bodyStart: number,
  transport: 'datagram' | 'stream',
): { body: Buffer; end: number } | string {
  const raw = valueOf(headers, 'Content-Length')
  if (raw === null) {
    if (transport === 'stream') return 'no Content-Length on a stream transport'
    return { body: data.subarray(bodyStart), end: data.length }
  }
  if (!/^\d{1,10}$/.test(raw)) return `Content-Length "${raw}" is not a length`
  const length = Number(raw)
  if (bodyStart + length > data.length)
    return `Content-Length ${length} is more than the ${data.length - bodyStart} octets that came`
  return { body: data.subarray(bodyStart, bodyStart + length), end: bodyStart + length }
}

/**
 * Frames messages on a stream transport (TCP, TLS; §18.3): octets in, whole messages out, by
 * the blank line and Content-Length. Keep-alive CRLFs between messages are skipped (RFC 5626
 * §3.5.1). A frame that cannot be framed (no usable Content-Length) poisons the stream: the
 * caller closes the connection.
 */
export class StreamFramer {
  private buffer: Buffer = Buffer.alloc(0)
  private broken: string | null = null

  constructor(private readonly maxMessageBytes = 65_536) {}

  /** Appends octets; returns the results of every message now complete. */
  push(chunk: Buffer): ParseResult[] {
    if (this.broken) return []
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk])
    const out: ParseResult[] = []
    for (;;) {
      let start = 0
      while (start < this.buffer.length && (this.buffer[start] === 13 || this.buffer[start] === 10))
        start++
      if (start > 0) this.buffer = this.buffer.subarray(start)
      if (this.buffer.length === 0) break
      const end = headerEnd(this.buffer)
      if (end === -1) {
        if (this.buffer.length > this.maxMessageBytes) this.fail('header section too large', out)
        break
      }
      const head = this.buffer.toString('latin1', 0, end.headers)
      const m = /(?:^|\n)(?:content-length|l)[ \t]*:[ \t]*(\S*)/i.exec(head)
      if (!m || !/^\d{1,10}$/.test(m[1]!)) {
        this.fail(m ? `Content-Length "${m[1]}" is not a length` : 'no Content-Length', out)
        break
      }
      const total = end.body + Number(m[1])
      if (total > this.maxMessageBytes) {
        this.fail(`a ${total}-octet message is too large`, out)
        break
      }
      if (this.buffer.length < total) break
      out.push(parseMessage(this.buffer.subarray(0, total), 'stream'))
      this.buffer = this.buffer.subarray(total)
    }
    return out
  }

  /** Why the stream can no longer be read, or null. */
  get error(): string | null {
    return this.broken
  }

  private fail(reason: string, out: ParseResult[]): void {
    this.broken = reason
    this.buffer = Buffer.alloc(0)
    out.push({ kind: 'drop', reason })
  }
}
