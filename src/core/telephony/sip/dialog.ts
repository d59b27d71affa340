/**
 * Dialogs (RFC 3261 §12): the peer-to-peer relationship an INVITE sets up, identified by the
 * Call-ID and both tags. A dialog knows where in-dialog requests go (the remote target, through
 * the route set), numbers them (CSeq), and checks the numbers of what arrives.
 */
import { parseNameAddr, splitList, GrammarError, type SipUri } from './grammar'
import { header, headerLines, type SipHeader, type SipRequest, type SipResponse } from './message'

export interface DialogId {
  callId: string
  localTag: string
  remoteTag: string
}

export class Dialog {
  localSeq: number
  remoteSeq: number | null
  state: 'early' | 'confirmed' | 'terminated'

  constructor(
    readonly id: DialogId,
    /** From (UAC) or To (UAS) of the dialog's INVITE, as this side writes it, with its tag. */
    readonly localUri: string,
    readonly remoteUri: string,
    public remoteTarget: string,
    /** Route set, in the order requests must traverse it (§12.1.1, §12.1.2). */
    readonly routeSet: string[],
    localSeq: number,
    remoteSeq: number | null,
    state: 'early' | 'confirmed',
  ) {
    this.localSeq = localSeq
    this.remoteSeq = remoteSeq
    this.state = state
  }

  get key(): string {
    return dialogKey(this.id.callId, this.id.localTag)
  }

  /** A UAS's dialog (§12.1.1): route set = Record-Route as received, target = the Contact. */
  static asUas(request: SipRequest, localTag: string, state: 'early' | 'confirmed'): Dialog {
    const from = header(request, 'From') ?? ''
    const to = header(request, 'To') ?? ''
    return new Dialog(
      { callId: header(request, 'Call-ID') ?? '', localTag, remoteTag: tagOf(from) ?? '' },
      `${to};tag=${localTag}`,
      from,
      contactUri(request) ?? uriOf(from) ?? '',
      recordRoutes(request),
      Math.floor(Math.random() * 10_000) + 1,
      cseqNumber(request),
      state,
    )
  }

  /** A UAC's dialog (§12.1.2): route set = Record-Route reversed, target = the 2xx's Contact. */
  static asUac(request: SipRequest, response: SipResponse): Dialog {
    const from = header(request, 'From') ?? ''
    const to = header(response, 'To') ?? ''
    return new Dialog(
      {
        callId: header(request, 'Call-ID') ?? '',
        localTag: tagOf(from) ?? '',
        remoteTag: tagOf(to) ?? '',
      },
      from,
      to,
      contactUri(response) ?? request.uri,
      recordRoutes(response).reverse(),
      cseqNumber(request) ?? 1,
      null,
      response.status < 200 ? 'early' : 'confirmed',
    )
  }

  /**
   * Whether an in-dialog request's CSeq is acceptable (§12.2.2): lower than the last one is out
   * of order (answer 500); the first one sets the remote sequence.
   */
  acceptRemoteSeq(request: SipRequest): boolean {
    const seq = cseqNumber(request)
    if (seq === null) return false
    if (this.remoteSeq !== null && seq <= this.remoteSeq && request.method !== 'ACK') return false
    if (request.method !== 'ACK') this.remoteSeq = seq
    return true
  }

  /**
   * A new in-dialog request (§12.2.1.1). The caller adds Via (with a fresh branch) and Contact.
   * `seq` is given for ACK (the INVITE's number) and CANCEL; otherwise the next number.
   */
  request(method: string, extra: SipHeader[] = [], body?: Buffer, seq?: number): SipRequest {
    const number = seq ?? ++this.localSeq
    // Loose routing (§12.2.1.1): the target stays the Request-URI and the routes go in Route;
    // a strict router first in the set takes the Request-URI's place.
    const first = this.routeSet[0]
    const strict = first !== undefined && !/;\s*lr\b/i.test(first)
    const uri = strict ? (uriOf(first) ?? this.remoteTarget) : this.remoteTarget
    const routes = strict ? [...this.routeSet.slice(1), `<${this.remoteTarget}>`] : this.routeSet
    return {
      kind: 'request',
      method,
      uri,
      version: 'SIP/2.0',
      headers: [
        ...routes.map((value) => ({ name: 'Route', value })),
        { name: 'From', value: this.localUri },
        { name: 'To', value: this.remoteUri },
        { name: 'Call-ID', value: this.id.callId },
        { name: 'CSeq', value: `${number} ${method}` },
        { name: 'Max-Forwards', value: '70' },
        ...extra,
      ],
      body: body ?? Buffer.alloc(0),
    }
  }

  /** Where the next hop is: the first Route, or the remote target. */
  get nextHop(): string {
    const first = this.routeSet[0]
    return (first !== undefined ? uriOf(first) : null) ?? this.remoteTarget
  }
}

export function dialogKey(callId: string, localTag: string): string {
  return `${callId}\u0000${localTag}`
}

export function tagOf(nameAddr: string): string | null {
  const parsed = parseNameAddr(nameAddr)
  if (parsed instanceof GrammarError) return null
  return parsed.params.get('tag') ?? null
}

export function uriOf(nameAddr: string): string | null {
  const parsed = parseNameAddr(nameAddr)
  return parsed instanceof GrammarError ? null : parsed.uri
}

/** The SIP URI of a name-addr, parsed, or null. */
export function sipUriOf(nameAddr: string): SipUri | null {
  const parsed = parseNameAddr(nameAddr)
  if (parsed instanceof GrammarError) return null
  const uri = parsed.parsed
  return uri.scheme === 'sip' || uri.scheme === 'sips' ? (uri as SipUri) : null
}

export function contactUri(message: SipRequest | SipResponse): string | null {
  const contact = header(message, 'Contact')
  if (!contact) return null
  const first = splitList(contact)[0]
  return first ? uriOf(first) : null
}

function recordRoutes(message: SipRequest | SipResponse): string[] {
  return headerLines(message, 'Record-Route').flatMap((line) => splitList(line))
}

export function cseqNumber(message: SipRequest | SipResponse): number | null {
  const m = /^\s*(\d+)/.exec(header(message, 'CSeq') ?? '')
  return m ? Number(m[1]) : null
}
