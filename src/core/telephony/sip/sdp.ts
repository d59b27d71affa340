/**
 * The little the B2BUA needs of SDP (RFC 4566, RFC 3264). The core carries no media: it
 * passes each side's session description to the other, and only rewrites the direction
 * attribute to put a party on hold (RFC 3264 §8.4: sendonly towards the held party).
 */

export type Direction = 'sendrecv' | 'sendonly' | 'recvonly' | 'inactive'

const directionLine = /^a=(sendrecv|sendonly|recvonly|inactive)\r?$/gm

/**
 * A description as bytes of its own. Buffer.from gives short texts a slice of Node's shared
 * 8 KB pool, and a slice keeps its whole pool chunk alive: descriptions live as long as their
 * call and the transactions that sent them (32 s after it ends), and under load the chunks
 * they pinned were most of the core's memory outside the JavaScript heap.
 */
export function sdpBytes(text: string): Buffer {
  const bytes = Buffer.allocUnsafeSlow(Buffer.byteLength(text, 'utf8'))
  bytes.write(text, 'utf8')
  return bytes
}

/** The session description with every direction attribute set to `direction`. */
export function withDirection(sdp: Buffer, direction: Direction): Buffer {
  const text = sdp.toString('utf8')
  if (directionLine.test(text)) {
    directionLine.lastIndex = 0
    return sdpBytes(text.replace(directionLine, `a=${direction}`))
  }
  const eol = text.includes('\r\n') ? '\r\n' : '\n'
  const body = text.endsWith(eol) ? text : text + eol
  // No attribute means sendrecv (RFC 3264 §5.1); add one at the end of every media section.
  return sdpBytes(body.replace(/(^m=[^\n]*\n(?:(?!m=)[^\n]*\n)*)/gm, `$1a=${direction}${eol}`))
}

/** The answer's direction to an offer's (RFC 3264 §6.1): sendonly is answered recvonly. */
export function answerDirection(offer: Direction): Direction {
  if (offer === 'sendonly') return 'recvonly'
  if (offer === 'recvonly') return 'sendonly'
  return offer
}

export function directionOf(sdp: Buffer): Direction {
  const m = /^a=(sendrecv|sendonly|recvonly|inactive)\r?$/m.exec(sdp.toString('utf8'))
  return (m?.[1] as Direction | undefined) ?? 'sendrecv'
}

/** Whether two descriptions are the same session apart from direction and origin (o=). */
export function sameSession(a: Buffer | null, b: Buffer | null): boolean {
  if (a === null || b === null) return a === b
  const strip = (sdp: Buffer) =>
    sdp
      .toString('utf8')
      .replace(directionLine, '')
      .replace(/^o=.*$/m, '')
      .replace(/\r/g, '')
      .trim()
  return strip(a) === strip(b)
}

/**
 * One origin per leg (RFC 3264 §8): whatever partner's description a leg is given, it comes
 * from the same o= username and session id, and the version goes up by one whenever the
 * description changes, so the phone knows to look at it again (some ignore an unchanged version).
 */
export class SdpOrigin {
  private version = 0
  private last: Buffer | null = null
  private stamped: Buffer | null = null

  constructor(
    private readonly sessionId: number,
    private readonly host: string,
  ) {}

  stamp(sdp: Buffer): Buffer {
    if (this.last && this.stamped && this.last.equals(sdp)) return this.stamped
    const changed =
      !this.last || !(sameSession(this.last, sdp) && directionOf(this.last) === directionOf(sdp))
    if (changed || this.version === 0) this.version++
    this.last = sdp
    this.stamped = sdpBytes(
      withOrigin(
        sdp.toString('utf8'),
        `o=sentral ${this.sessionId} ${this.version} IN IP4 ${this.host}`,
      ),
    )
    return this.stamped
  }
}

/** Line terminators as a multiline regular expression sees them: LF, CR, U+2028, U+2029. */
const isLineEnd = (code: number) => code === 10 || code === 13 || code === 0x2028 || code === 0x2029

/**
 * `text` with its first o= line replaced by `origin` (the line's end kept as it was), or as it
 * was when there is none. This is `replace(/^o=.*$/m, origin)`, spelled out: a call stamps two
 * descriptions, and the expression was most of what stamping cost.
 */
export function withOrigin(text: string, origin: string): string {
  let at = text.indexOf('o=')
  while (at > 0 && !isLineEnd(text.charCodeAt(at - 1))) at = text.indexOf('o=', at + 1)
  if (at < 0) return text
  let end = at + 2
  while (end < text.length && !isLineEnd(text.charCodeAt(end))) end++
  return text.slice(0, at) + origin + text.slice(end)
}

/**
 * A description for a leg whose other side has none yet (a call the switchboard places before
 * the far end answers): no address to send to, nothing flows (RFC 3264 §8.4's 0.0.0.0 is also
 * understood by older phones).
 */
export function placeholderSdp(host: string, session: number): Buffer {
  return sdpBytes(
    [
      'v=0',
      `o=sentral ${session} 1 IN IP4 ${host}`,
      's=Sentral',
      'c=IN IP4 0.0.0.0',
      't=0 0',
      'm=audio 9 RTP/AVP 8 0 101',
      'a=rtpmap:8 PCMA/8000',
      'a=rtpmap:0 PCMU/8000',
      'a=rtpmap:101 telephone-event/8000',
      'a=inactive',
      '',
    ].join('\r\n'),
  )
}
