/**
 * The pieces of RFC 3261 §25's grammar that the core reads: tokens, quoted strings, lists,
 * URIs, name-addr / addr-spec with parameters, Via and CSeq. Every reader returns null (or a
 * GrammarError) for text that does not match, never throws, because every byte comes from the
 * network.
 */

export class GrammarError {
  constructor(readonly message: string) {}
}

/** token = 1*(alphanum / "-" / "." / "!" / "%" / "*" / "_" / "+" / "`" / "'" / "~") (§25.1) */
const tokenChar = /^[A-Za-z0-9\-.!%*_+`'~]+$/
export function isToken(text: string): boolean {
  return tokenChar.test(text)
}

const lws = (c: string | undefined) => c === ' ' || c === '\t' || c === '\r' || c === '\n'

/**
 * Splits a header value at the commas that separate list elements (§7.3.1), not those inside
 * quoted strings or angle brackets. Empty elements are kept (the caller decides; §7.3.1 says
 * none may be empty).
 */
export function splitList(value: string): string[] {
  // Most values are one element (a Via, a Contact): no comma, nothing to walk.
  if (!value.includes(',')) return [value.trim()]
  const parts: string[] = []
  let start = 0
  let quoted = false
  let angle = 0
  for (let i = 0; i < value.length; i++) {
    const c = value[i]
    if (quoted) {
      if (c === '\\') i++
      else if (c === '"') quoted = false
    } else if (c === '"') quoted = true
    else if (c === '<') angle++
    else if (c === '>') angle = Math.max(0, angle - 1)
    else if (c === ',' && angle === 0) {
      parts.push(value.slice(start, i).trim())
      start = i + 1
    }
  }
  parts.push(value.slice(start).trim())
  return parts
}

/** Reads a quoted string at `at` (which must be `"`): its unescaped text and where it ends. */
export function readQuoted(text: string, at: number): { value: string; end: number } | null {
  let value = ''
  for (let i = at + 1; i < text.length; i++) {
    const c = text[i]!
    if (c === '\\') {
      if (i + 1 >= text.length) return null
      value += text[++i]
    } else if (c === '"') return { value, end: i + 1 }
    else value += c
  }
  return null
}

/** Parsed parameters are read-only: an empty set is one shared map, not a new one each time. */
export type Params = ReadonlyMap<string, string | null>
const noParams: Params = new Map()
const noHeaders: ReadonlyMap<string, string> = new Map()

/**
 * `*( SEMI generic-param )` (§25.1): `;name`, `;name=value`, `;name="quoted"`, with LWS allowed
 * around `;` and `=`. Names are compared case-insensitively, so they are kept lower-cased.
 */
export function readParams(text: string): Params | GrammarError {
  let i = 0
  const skip = () => {
    while (lws(text[i])) i++
  }
  skip()
  if (i >= text.length) return noParams
  const params = new Map<string, string | null>()
  while (i < text.length) {
    if (text[i] !== ';') return new GrammarError(`expected ";" at "${text.slice(i, i + 20)}"`)
    i++
    skip()
    const nameStart = i
    while (i < text.length && !lws(text[i]) && text[i] !== '=' && text[i] !== ';') i++
    const name = text.slice(nameStart, i)
    if (!isToken(name)) return new GrammarError(`"${name}" is not a parameter name`)
    skip()
    let value: string | null = null
    if (text[i] === '=') {
      i++
      skip()
      if (text[i] === '"') {
        const q = readQuoted(text, i)
        if (!q) return new GrammarError('unterminated quoted parameter value')
        value = q.value
        i = q.end
      } else {
        const valueStart = i
        // gen-value is a token, a host or a quoted string; IPv6 references carry ':' and '[]'.
        while (i < text.length && !lws(text[i]) && text[i] !== ';') i++
        value = text.slice(valueStart, i)
        if (value === '' || !/^[A-Za-z0-9\-.!%*_+`'~:[\]]+$/.test(value))
          return new GrammarError(`"${value}" is not a parameter value`)
      }
    }
    params.set(name.toLowerCase(), value)
    skip()
  }
  return params
}

// ───────────────────────────── URIs (§19.1) ─────────────────────────────

export interface SipUri {
  scheme: 'sip' | 'sips'
  /** Unescaped user part (%-escapes decoded, §19.1.2), or null. */
  user: string | null
  password: string | null
  host: string
  port: number | null
  params: Params
  /** The `?` headers, names as written, values unescaped. */
  headers: ReadonlyMap<string, string>
}

export interface TelUri {
  scheme: 'tel'
  number: string
  params: Params
}

/** Any other scheme: kept as written (unksm2 in RFC 4475 carries such URIs in headers). */
export interface OtherUri {
  scheme: string
  opaque: string
}

export type Uri = SipUri | TelUri | OtherUri

function unescape(text: string): string | null {
  if (!text.includes('%')) return text
  try {
    return decodeURIComponent(text)
  } catch {
    // A `%` not followed by two hex digits (RFC 4475 esc02's display names are quoted, but a
    // bare one in a user part is simply kept).
    return text.replace(/%([0-9A-Fa-f]{2})/g, (_, hex: string) =>
      String.fromCharCode(parseInt(hex, 16)),
    )
  }
}

const hostname =
  /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?\.)*[A-Za-z](?:[A-Za-z0-9-]*[A-Za-z0-9])?\.?$/
const ipv4 = /^(?:\d{1,3}\.){3}\d{1,3}$/
const ipv6 = /^\[[0-9A-Fa-f:.]+\]$/

export function isHost(host: string): boolean {
  if (ipv4.test(host)) return host.split('.').every((n) => Number(n) <= 255)
  return ipv6.test(host) || hostname.test(host)
}

/** `host[:port]`; null if either part is malformed. */
export function readHostPort(text: string): { host: string; port: number | null } | null {
  let host = text
  let port: number | null = null
  const colon = text.startsWith('[') ? text.indexOf(':', text.indexOf(']')) : text.lastIndexOf(':')
  if (colon >= 0) {
    host = text.slice(0, colon)
    const digits = text.slice(colon + 1)
    if (!/^\d{1,5}$/.test(digits) || Number(digits) > 65535) return null
    port = Number(digits)
  }
  return isHost(host) ? { host, port } : null
}

export function parseUri(text: string): Uri | null {
  const colon = text.indexOf(':')
  if (colon <= 0) return null
  const scheme = text.slice(0, colon).toLowerCase()
  if (!/^[a-z][a-z0-9+\-.]*$/.test(scheme)) return null
  const rest = text.slice(colon + 1)
  if (/\s/.test(text)) return null
  if (scheme === 'sip' || scheme === 'sips') return parseSipUri(scheme, rest)
  if (scheme === 'tel') {
    const semi = rest.indexOf(';')
    const number = semi < 0 ? rest : rest.slice(0, semi)
    if (!/^\+?[0-9A-Fa-f*#\-.()]+$/.test(number)) return null
    const params = semi < 0 ? noParams : readParams(rest.slice(semi))
    return params instanceof GrammarError ? null : { scheme: 'tel', number, params }
  }
  return rest === '' ? null : { scheme, opaque: rest }
}

function parseSipUri(scheme: 'sip' | 'sips', rest: string): SipUri | null {
  // The user part may hold ';', '?' and ',' (user-unreserved, §25.1; RFC 4475 intmeth), but
  // never an unescaped '@': the first '@' ends it.
  const at = rest.indexOf('@')
  let userinfo: string | null = null
  let hostPart = rest
  if (at >= 0) {
    userinfo = rest.slice(0, at)
    hostPart = rest.slice(at + 1)
  }
  let user: string | null = null
  let password: string | null = null
  if (userinfo !== null) {
    const c = userinfo.indexOf(':')
    user = unescape(c < 0 ? userinfo : userinfo.slice(0, c))
    password = c < 0 ? null : unescape(userinfo.slice(c + 1))
    if (user === null || user === '') return null
  }
  const q = hostPart.indexOf('?')
  const beforeHeaders = q < 0 ? hostPart : hostPart.slice(0, q)
  const semi = beforeHeaders.indexOf(';')
  const hp = readHostPort(semi < 0 ? beforeHeaders : beforeHeaders.slice(0, semi))
  if (!hp) return null
  const params = semi < 0 ? noParams : readParams(beforeHeaders.slice(semi))
  if (params instanceof GrammarError) return null
  let headers = noHeaders
  if (q >= 0) {
    const read = new Map<string, string>()
    for (const pair of hostPart.slice(q + 1).split('&')) {
      const eq = pair.indexOf('=')
      if (eq <= 0) return null
      read.set(pair.slice(0, eq), unescape(pair.slice(eq + 1)) ?? '')
    }
    headers = read
  }
  return { scheme, user, password, host: hp.host, port: hp.port, params, headers }
}

// ───────────────────────────── name-addr / addr-spec (§20.10, §25.1) ─────────────────────────────

export interface NameAddr {
  displayName: string | null
  /** The URI text as written (inside the angle brackets when there were any). */
  uri: string
  parsed: Uri
  /** Header parameters (tag, expires, q, ...), after the address. */
  params: Params
}

/**
 * `( name-addr / addr-spec ) *( SEMI param )` as in From, To, Contact, Route, Refer-To.
 * A display name is a quoted string or tokens separated by LWS; inside `< >` the URI has no
 * whitespace at either end (RFC 4475 badaspec). Without `< >`, the URI may not contain ',', ';'
 * or '?' (§20): a ';' starts the header parameters, and '?' makes it invalid (regbadct).
 */
export function parseNameAddr(value: string): NameAddr | GrammarError {
  return remembered(nameAddrs, value, readNameAddr)
}

function readNameAddr(value: string): NameAddr | GrammarError {
  const text = value.trim()
  /** Where `<` is, or -1 for a bare addr-spec. */
  let i: number
  let displayName: string | null = null
  if (text.startsWith('"')) {
    const q = readQuoted(text, 0)
    if (!q) return new GrammarError('unterminated quoted display name')
    displayName = q.value
    i = q.end
    while (lws(text[i])) i++
    if (text[i] !== '<') return new GrammarError('a quoted display name must be followed by <uri>')
  } else {
    const lt = text.indexOf('<')
    if (lt > 0) {
      const words = text.slice(0, lt).trim()
      if (words !== '' && !words.split(/[ \t]+/).every(isToken))
        return new GrammarError(`display name "${words}" must be quoted`)
      displayName = words === '' ? null : words
      i = lt
    } else if (lt === 0) i = 0
    else i = -1
  }
  let uri: string
  let rest: string
  if (i >= 0) {
    const gt = text.indexOf('>', i)
    if (gt < 0) return new GrammarError('missing ">"')
    uri = text.slice(i + 1, gt)
    if (uri !== uri.trim() || uri === '')
      return new GrammarError(`"<${uri}>" has whitespace in the URI`)
    rest = text.slice(gt + 1)
  } else {
    const semi = text.indexOf(';')
    // SEMI = SWS ";" SWS: whitespace before the first parameter belongs to neither.
    uri = (semi < 0 ? text : text.slice(0, semi)).trimEnd()
    rest = semi < 0 ? '' : text.slice(semi)
    if (/[\s,?]/.test(uri)) return new GrammarError(`"${uri}" must be enclosed in < >`)
  }
  const parsed = parseUri(uri)
  if (!parsed) return new GrammarError(`"${uri}" is not a URI`)
  const params = readParams(rest)
  if (params instanceof GrammarError) return params
  return { displayName, uri, parsed, params }
}

// ───────────────────────────── Via (§20.42) ─────────────────────────────

export interface Via {
  protocol: string
  version: string
  transport: string
  host: string
  port: number | null
  params: Params
  /** The branch parameter, or null (RFC 2543 peers send none). */
  branch: string | null
}

/** One via-parm: `SIP / 2.0 / UDP host[:port] *( ; param )`, LWS allowed around each '/'. */
export function parseVia(value: string): Via | GrammarError {
  return remembered(vias, value, readVia)
}

function readVia(value: string): Via | GrammarError {
  const m =
    /^([A-Za-z0-9\-.!%*_+`'~]+)\s*\/\s*([A-Za-z0-9\-.!%*_+`'~]+)\s*\/\s*([A-Za-z0-9\-.!%*_+`'~]+)\s+([^\s;]+)\s*(;[\s\S]*)?$/.exec(
      value.trim(),
    )
  if (!m) return new GrammarError(`"${value}" is not a Via value`)
  const hp = readHostPort(m[4]!)
  if (!hp) return new GrammarError(`"${m[4]}" is not host[:port]`)
  const params = readParams(m[5] ?? '')
  if (params instanceof GrammarError) return params
  return {
    protocol: m[1]!.toUpperCase(),
    version: m[2]!,
    transport: m[3]!.toUpperCase(),
    host: hp.host,
    port: hp.port,
    params,
    branch: params.get('branch') ?? null,
  }
}

// ───────────────────────────── CSeq (§20.16) ─────────────────────────────

/** CSeq numbers are below 2³¹ (§8.1.1.5). */
export const maxCSeq = 2 ** 31 - 1

export function parseCSeq(value: string): { seq: number; method: string } | GrammarError {
  const m = /^(\d{1,10})\s+(\S+)$/.exec(value.trim())
  if (!m) return new GrammarError(`"${value}" is not a CSeq`)
  const seq = Number(m[1])
  if (seq > maxCSeq) return new GrammarError(`CSeq ${m[1]} is not below 2^31`)
  if (!isToken(m[2]!)) return new GrammarError(`"${m[2]}" is not a method`)
  return { seq, method: m[2]! }
}

// ───────────────────────────── parsed values, remembered ─────────────────────────────
// One message's To, From and Via are read by the parser's checks, the transaction layer (which
// transaction), the dialog layer (which dialog: the tags) and the B2BUA, and a dialog's later
// requests repeat them: each text is parsed once and the result shared. Shared results are
// read-only (nobody changes a parsed value; they build new ones). Bounded: cleared when full.

const rememberedLimit = 4096
const nameAddrs = new Map<string, NameAddr | GrammarError>()
const vias = new Map<string, Via | GrammarError>()

function remembered<T>(cache: Map<string, T>, value: string, read: (value: string) => T): T {
  let result = cache.get(value)
  if (result === undefined) {
    // Parsed from a copy: what is cut from it (and kept, as the key and in the result) then
    // holds the copy, not the whole message the value was cut from.
    const own = ownCopy(value)
    result = read(own)
    if (cache.size >= rememberedLimit) cache.clear()
    cache.set(own, result)
  }
  return result
}

/** Forgets every remembered value (for measuring what the rest of the stack keeps). */
export function forgetRemembered(): void {
  nameAddrs.clear()
  vias.clear()
}

/**
 * A copy of `text` that holds nothing else. V8 cuts a substring out of its string without
 * copying, and the piece keeps the whole string alive: a header value remembered here, or
 * anything parsed from it and kept, would keep the text of its whole message (kilobytes, where
 * the value is tens of bytes). Prefixing makes a new string, and slicing the prefix off
 * flattens it into one of its own.
 */
function ownCopy(text: string): string {
  return (' ' + text).slice(1)
}
