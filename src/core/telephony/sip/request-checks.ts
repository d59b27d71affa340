/**
 * What a user agent server checks of a well-formed request before acting on it (RFC 3261
 * §8.2.1–§8.2.3), in the RFC's order: the method, the Request-URI's scheme, the extensions the
 * request requires, and the body it carries or asks for. The first failing check gives the
 * answer, with the headers that tell the sender what would work.
 */
import { parseUri, splitList } from './grammar'
import { header, headerLines, knownMethods, type SipHeader, type SipRequest } from './message'

export interface UasCapabilities {
  /** Methods this user agent handles (for 405 and Allow). */
  allow: readonly string[]
  /** Option tags understood (Supported; anything else in Require is refused with 420). */
  supported: readonly string[]
  /** Body types understood in requests that carry a session description. */
  accept: readonly string[]
}

export const defaultCapabilities: UasCapabilities = {
  allow: [
    'INVITE',
    'ACK',
    'CANCEL',
    'BYE',
    'OPTIONS',
    'REGISTER',
    'REFER',
    'NOTIFY',
    'INFO',
    'UPDATE',
  ],
  supported: ['timer', 'replaces'],
  accept: ['application/sdp', 'multipart/mixed'],
}

export interface Refusal {
  status: number
  reason: string
  headers: SipHeader[]
}

const sdpCarrying = new Set(['INVITE', 'ACK', 'UPDATE', 'PRACK'])

function mediaType(contentType: string): string {
  return contentType.split(';')[0]!.trim().toLowerCase()
}

/** null when the request may be processed; otherwise the response to send. */
export function checkRequest(
  request: SipRequest,
  caps: UasCapabilities = defaultCapabilities,
): Refusal | null {
  const method = request.method
  // §8.2.1: an unknown method is 501; a known one this agent does not handle is 405.
  if (!caps.allow.includes(method)) {
    const status = (knownMethods as readonly string[]).includes(method) ? 405 : 501
    return {
      status,
      reason: status === 405 ? 'Method Not Allowed' : 'Not Implemented',
      headers: [{ name: 'Allow', value: caps.allow.join(', ') }],
    }
  }
  // §8.2.2.1: a Request-URI scheme it does not understand is 416.
  const uri = parseUri(request.uri)
  if (!uri) return { status: 400, reason: 'Bad Request-URI', headers: [] }
  if (uri.scheme !== 'sip' && uri.scheme !== 'sips' && uri.scheme !== 'tel')
    return { status: 416, reason: 'Unsupported URI Scheme', headers: [] }
  // §19.1.5: headers in a Request-URI make no sense (RFC 4475 escruri).
  if ('headers' in uri && uri.headers.size > 0)
    return { status: 400, reason: 'Headers in the Request-URI', headers: [] }
  // §8.2.2.3: every option tag in Require must be understood (not for ACK and CANCEL).
  if (method !== 'ACK' && method !== 'CANCEL') {
    const required = headerLines(request, 'Require').flatMap(splitList).filter(Boolean)
    const unknown = required.filter((tag) => !caps.supported.includes(tag.toLowerCase()))
    if (unknown.length > 0)
      return {
        status: 420,
        reason: 'Bad Extension',
        headers: [{ name: 'Unsupported', value: unknown.join(', ') }],
      }
  }
  // §8.2.3: a body it cannot read is 415, with what it can.
  if (request.body.length > 0 && sdpCarrying.has(method)) {
    const type = header(request, 'Content-Type')
    const encoding = header(request, 'Content-Encoding')
    if (
      (type !== null && !caps.accept.includes(mediaType(type))) ||
      (encoding !== null && encoding.trim().toLowerCase() !== 'identity')
    )
      return {
        status: 415,
        reason: 'Unsupported Media Type',
        headers: [
          { name: 'Accept', value: caps.accept.join(', ') },
          { name: 'Accept-Encoding', value: 'identity' },
        ],
      }
  }
  // A session offer whose answer it could not write in any type the sender accepts is 406.
  if (method === 'INVITE') {
    const accept = headerLines(request, 'Accept').flatMap(splitList).filter(Boolean)
    const ok = (type: string) => {
      const t = mediaType(type)
      return t === 'application/sdp' || t === 'application/*' || t === '*/*'
    }
    if (accept.length > 0 && !accept.some(ok))
      return {
        status: 406,
        reason: 'Not Acceptable',
        headers: [{ name: 'Accept', value: 'application/sdp' }],
      }
  }
  return null
}

/**
 * The Digest credentials in an Authorization header (RFC 3261 §22.4, RFC 8760), or null when
 * the scheme is another (RFC 4475 regaut01: answer as if there were none, with a challenge).
 */
export function digestCredentials(value: string): Map<string, string> | null {
  const m = /^\s*([A-Za-z0-9\-.!%*_+`'~]+)\s+([\s\S]*)$/.exec(value)
  if (!m || m[1]!.toLowerCase() !== 'digest') return null
  const params = new Map<string, string>()
  for (const part of splitList(m[2]!)) {
    const eq = part.indexOf('=')
    if (eq <= 0) return null
    const name = part.slice(0, eq).trim().toLowerCase()
    let v = part.slice(eq + 1).trim()
    if (v.startsWith('"')) {
      if (!v.endsWith('"') || v.length < 2) return null
      v = v.slice(1, -1).replace(/\\(.)/g, '$1')
    }
    params.set(name, v)
  }
  return params
}
