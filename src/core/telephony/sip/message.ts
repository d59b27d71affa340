/**
 * SIP messages as values (RFC 3261 §7): a start line, header fields in the order they came,
 * and a body of octets. Header names are kept in their canonical long form, so `v:`, `Via:` and
 * `VIA:` are the same field; values are unfolded (§7.3.1) and trimmed, otherwise as received.
 */

export interface SipHeader {
  /** Canonical name: `Via`, `Call-ID`, `Content-Length`, or the name as received if unknown. */
  name: string
  value: string
}

interface SipMessageBase {
  /** `SIP/2.0` (other versions never get this far: see the parser). */
  version: string
  headers: SipHeader[]
  body: Buffer
}

export interface SipRequest extends SipMessageBase {
  kind: 'request'
  method: string
  /** The Request-URI as it appeared on the request line. */
  uri: string
}

export interface SipResponse extends SipMessageBase {
  kind: 'response'
  status: number
  reason: string
}

export type SipMessage = SipRequest | SipResponse

/** Compact forms (RFC 3261 §7.3.3 and the extensions that define one). */
const compact: Record<string, string> = {
  a: 'Accept-Contact',
  b: 'Referred-By',
  c: 'Content-Type',
  d: 'Request-Disposition',
  e: 'Content-Encoding',
  f: 'From',
  i: 'Call-ID',
  j: 'Reject-Contact',
  k: 'Supported',
  l: 'Content-Length',
  m: 'Contact',
  n: 'Identity-Info',
  o: 'Event',
  r: 'Refer-To',
  s: 'Subject',
  t: 'To',
  u: 'Allow-Events',
  v: 'Via',
  x: 'Session-Expires',
  y: 'Identity',
}

const known = [
  'Accept',
  'Accept-Encoding',
  'Accept-Language',
  'Alert-Info',
  'Allow',
  'Authentication-Info',
  'Authorization',
  'Call-ID',
  'Call-Info',
  'Contact',
  'Content-Disposition',
  'Content-Encoding',
  'Content-Language',
  'Content-Length',
  'Content-Type',
  'CSeq',
  'Date',
  'Error-Info',
  'Event',
  'Expires',
  'From',
  'In-Reply-To',
  'Max-Forwards',
  'Min-Expires',
  'Min-SE',
  'MIME-Version',
  'Organization',
  'P-Asserted-Identity',
  'P-Preferred-Identity',
  'Priority',
  'Privacy',
  'Proxy-Authenticate',
  'Proxy-Authorization',
  'Proxy-Require',
  'RAck',
  'Reason',
  'Record-Route',
  'Refer-To',
  'Referred-By',
  'Reply-To',
  'Require',
  'Retry-After',
  'Route',
  'RSeq',
  'Server',
  'Session-Expires',
  'Subject',
  'Supported',
  'Timestamp',
  'To',
  'Unsupported',
  'User-Agent',
  'Via',
  'Warning',
  'WWW-Authenticate',
  ...Object.values(compact),
]
const canonicalByLower = new Map(known.map((name) => [name.toLowerCase(), name]))

/** The canonical form of a header name as received (case-insensitive, §7.3.1). */
export function canonicalName(name: string): string {
  if (name.length === 1) {
    const long = compact[name.toLowerCase()]
    if (long) return long
  }
  return canonicalByLower.get(name.toLowerCase()) ?? name
}

/** The first value of a header field, or null. */
export function header(message: SipMessage, name: string): string | null {
  for (const h of message.headers) if (h.name === name) return h.value
  return null
}

/** Every field line of a header, in order (not split at commas: see grammar.splitList). */
export function headerLines(message: SipMessage, name: string): string[] {
  const lines: string[] = []
  for (const h of message.headers) if (h.name === name) lines.push(h.value)
  return lines
}

/** Methods this core's user agents know (RFC 3261 and the extensions it takes part in). */
export const knownMethods = [
  'INVITE',
  'ACK',
  'CANCEL',
  'BYE',
  'OPTIONS',
  'REGISTER',
  'INFO',
  'UPDATE',
  'PRACK',
  'REFER',
  'NOTIFY',
  'SUBSCRIBE',
  'MESSAGE',
] as const

/** Reason phrases (RFC 3261 §21 and the extensions' codes this core sends). */
export const reasonPhrases: Record<number, string> = {
  100: 'Trying',
  180: 'Ringing',
  181: 'Call Is Being Forwarded',
  182: 'Queued',
  183: 'Session Progress',
  200: 'OK',
  202: 'Accepted',
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  406: 'Not Acceptable',
  407: 'Proxy Authentication Required',
  408: 'Request Timeout',
  415: 'Unsupported Media Type',
  416: 'Unsupported URI Scheme',
  420: 'Bad Extension',
  422: 'Session Interval Too Small',
  423: 'Interval Too Brief',
  480: 'Temporarily Unavailable',
  481: 'Call/Transaction Does Not Exist',
  482: 'Loop Detected',
  483: 'Too Many Hops',
  484: 'Address Incomplete',
  486: 'Busy Here',
  487: 'Request Terminated',
  488: 'Not Acceptable Here',
  491: 'Request Pending',
  500: 'Server Internal Error',
  501: 'Not Implemented',
  503: 'Service Unavailable',
  505: 'Version Not Supported',
  513: 'Message Too Large',
  600: 'Busy Everywhere',
  603: 'Decline',
}
