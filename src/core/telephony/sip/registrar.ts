/**
 * The registrar (RFC 3261 §10.3) for the companies' phones: a REGISTER is authenticated with
 * Digest (MD5 or SHA-256, digest.ts), its To must name the account it authenticated as, and
 * its Contacts become bindings that expire unless refreshed. Bindings are kept in memory: after
 * a restart phones register again within their refresh interval, as they do after any
 * registrar restart.
 *
 * Registered contacts are also kept alive (OPTIONS every `keepaliveMs`, as Kamailio's
 * nathelper does): a phone that stops answering is unregistered, so it is not offered calls
 * it can no longer ring for.
 */
import type { Logger } from 'pino'
import type { CompanySip, SipPhoneAccount } from '../../config/sip-file'
import type { Clock, TimerHandle } from '../../runtime/clock'
import { DigestAuthenticator } from './digest'
import { parseNameAddr, parseUri, splitList, GrammarError } from './grammar'
import { cseqNumber } from './dialog'
import { header, headerLines, type SipRequest } from './message'
import type { RequestContext, SipEndpoint } from './endpoint'
import { digestCredentials } from './request-checks'
import type { TransactionTransport } from './transactions/timers'

export interface Binding {
  companyId: string
  username: string
  userId: string
  /** The Contact URI, where requests for the user go. */
  contact: string
  /** The connection it registered over, for TCP (requests must reuse it, RFC 5626 spirit). */
  flow: TransactionTransport | null
  callId: string
  cseq: number
  expiresAt: number
  timer: TimerHandle
}

export interface RegistrarOptions {
  minExpires?: number
  maxExpires?: number
  defaultExpires?: number
  keepaliveMs?: number
}

export class Registrar {
  private readonly bindings = new Map<string, Binding[]>()
  private readonly byDomain = new Map<string, CompanySip>()
  private readonly auth = new Map<string, DigestAuthenticator>()
  private keepalive: TimerHandle | null = null
  private readonly minExpires: number
  private readonly maxExpires: number
  private readonly defaultExpires: number
  private readonly keepaliveMs: number

  constructor(
    private readonly endpoint: SipEndpoint,
    private readonly companies: readonly CompanySip[],
    private readonly clock: Clock,
    private readonly logger: Logger,
    options: RegistrarOptions = {},
    /** Told when a user's set of contacts changes (the switchboard shows phones online). */
    private readonly onChange: (companyId: string, userId: string) => void = () => {},
  ) {
    this.minExpires = options.minExpires ?? 60
    this.maxExpires = options.maxExpires ?? 3600
    this.defaultExpires = options.defaultExpires ?? 3600
    this.keepaliveMs = options.keepaliveMs ?? 30_000
    for (const company of companies) {
      this.byDomain.set(company.domain.toLowerCase(), company)
      this.auth.set(company.companyId, new DigestAuthenticator(company.domain, () => clock.now()))
    }
    endpoint.handle('REGISTER', (ctx) => this.register(ctx))
    this.scheduleKeepalive()
  }

  /** Bindings alive now. */
  get size(): number {
    let n = 0
    for (const list of this.bindings.values()) n += list.length
    return n
  }

  /** Where a user's phones can be reached now. */
  contactsOf(companyId: string, userId: string): Binding[] {
    const company = this.companies.find((c) => c.companyId === companyId)
    if (!company) return []
    const result: Binding[] = []
    for (const account of company.phones.values())
      if (account.userId === userId)
        result.push(...(this.bindings.get(bindingKey(companyId, account.username)) ?? []))
    return result
  }

  /** The account that sent a request from one of its registered contacts' flows or addresses. */
  accountOf(companyId: string, username: string): SipPhoneAccount | null {
    return this.companies.find((c) => c.companyId === companyId)?.phones.get(username) ?? null
  }

  close(): void {
    if (this.keepalive) this.clock.clearTimer(this.keepalive)
    this.keepalive = null
    for (const list of this.bindings.values())
      for (const binding of list) this.clock.clearTimer(binding.timer)
    this.bindings.clear()
  }

  /** The company a request is for: by its domain, or the only one there is. */
  companyFor(uri: string): CompanySip | null {
    const parsed = parseUri(uri)
    const host = parsed && 'host' in parsed ? parsed.host.toLowerCase() : null
    return (
      (host ? this.byDomain.get(host) : undefined) ??
      (this.companies.length === 1 ? this.companies[0]! : null)
    )
  }

  /**
   * The phone account a request is from, by its digest credentials (§22.2: a user agent server
   * challenges with 401). Without valid credentials it answers the challenge itself and
   * returns null.
   */
  authenticate(ctx: RequestContext, company: CompanySip): SipPhoneAccount | null {
    const { request } = ctx
    const authenticator = this.auth.get(company.companyId)!
    const credentials = digestCredentials(header(request, 'Authorization') ?? '')
    const challenge = (stale: boolean) => {
      ctx.respond(
        401,
        authenticator.challenges(stale).map((value) => ({ name: 'WWW-Authenticate', value })),
      )
      return null
    }
    if (!credentials) return challenge(false)
    const result = authenticator.verify(
      credentials,
      request.method,
      (username) => company.phones.get(username)?.credentials ?? null,
    )
    if (!result.ok) {
      this.logger.info(
        {
          company: company.companyId,
          method: request.method,
          username: credentials.get('username'),
          why: result.reason,
        },
        'sip authentication refused',
      )
      return challenge(result.stale)
    }
    return company.phones.get(result.username)!
  }

  private register(ctx: RequestContext): void {
    const { request } = ctx
    const company = this.companyFor(request.uri)
    if (!company) return ctx.respond(404)
    const account = this.authenticate(ctx, company)
    if (!account) return
    const to = parseNameAddr(header(request, 'To') ?? '')
    const aorUser = to instanceof GrammarError || !('user' in to.parsed) ? null : to.parsed.user
    // §10.3 step 6: one may only register bindings for the address one authenticated as.
    if (aorUser !== account.username) return ctx.respond(403)

    const key = bindingKey(company.companyId, account.username)
    const list = this.bindings.get(key) ?? []
    const callId = header(request, 'Call-ID') ?? ''
    const cseq = cseqNumber(request) ?? 0
    const contacts = headerLines(request, 'Contact').flatMap((line) => splitList(line))
    const expiresHeader = header(request, 'Expires')
    const defaultExpires =
      expiresHeader !== null && /^\d+$/.test(expiresHeader.trim())
        ? Number(expiresHeader.trim())
        : this.defaultExpires

    if (contacts.length === 1 && contacts[0] === '*') {
      // §10.3 step 6: "*" only with Expires: 0, and removes every binding.
      if (defaultExpires !== 0) return ctx.respond(400)
      for (const binding of list) this.clock.clearTimer(binding.timer)
      this.bindings.delete(key)
      this.onChange(company.companyId, account.userId)
      return ctx.respond(200)
    }

    const changes: { contact: string; expires: number }[] = []
    for (const value of contacts) {
      const parsed = parseNameAddr(value)
      if (parsed instanceof GrammarError) return ctx.respond(400)
      const given = parsed.params.get('expires')
      const expires = given !== undefined && given !== null ? Number(given) : defaultExpires
      if (!Number.isFinite(expires) || expires < 0) return ctx.respond(400)
      if (expires > 0 && expires < this.minExpires)
        return ctx.respond(423, [{ name: 'Min-Expires', value: String(this.minExpires) }])
      changes.push({ contact: parsed.uri, expires: Math.min(expires, this.maxExpires) })
    }

    const flow = ctx.inbound.reply.reliable ? ctx.inbound.reply : null
    for (const change of changes) {
      const at = list.findIndex((b) => b.contact === change.contact)
      const existing = at >= 0 ? list[at]! : null
      // §10.3 step 7: an older request of the same registration changes nothing.
      if (existing && existing.callId === callId && existing.cseq >= cseq) continue
      if (existing) {
        this.clock.clearTimer(existing.timer)
        list.splice(at, 1)
      }
      if (change.expires === 0) continue
      const binding: Binding = {
        companyId: company.companyId,
        username: account.username,
        userId: account.userId,
        contact: change.contact,
        flow,
        callId,
        cseq,
        expiresAt: this.clock.now() + change.expires * 1000,
        timer: this.clock.setTimer(this.clock.now() + change.expires * 1000, () =>
          this.remove(binding, 'expired'),
        ),
      }
      list.push(binding)
    }
    if (list.length > 0) this.bindings.set(key, list)
    else this.bindings.delete(key)
    if (changes.length > 0) {
      this.logger.info(
        { company: company.companyId, username: account.username, contacts: list.length },
        'sip registration',
      )
      this.onChange(company.companyId, account.userId)
    }
    const now = this.clock.now()
    ctx.respond(200, [
      ...list.map((b) => ({
        name: 'Contact',
        value: `<${b.contact}>;expires=${Math.max(0, Math.round((b.expiresAt - now) / 1000))}`,
      })),
      { name: 'Date', value: new Date(now).toUTCString() },
    ])
  }

  private remove(binding: Binding, why: string): void {
    const key = bindingKey(binding.companyId, binding.username)
    const list = this.bindings.get(key)
    if (!list) return
    const at = list.indexOf(binding)
    if (at < 0) return
    this.clock.clearTimer(binding.timer)
    list.splice(at, 1)
    if (list.length === 0) this.bindings.delete(key)
    this.logger.info(
      { company: binding.companyId, username: binding.username, contact: binding.contact, why },
      'sip binding removed',
    )
    this.onChange(binding.companyId, binding.userId)
  }

  private scheduleKeepalive(): void {
    this.keepalive = this.clock.setTimer(this.clock.now() + this.keepaliveMs, () => {
      this.keepalive = null
      for (const list of [...this.bindings.values()])
        for (const binding of [...list]) this.ping(binding)
      this.scheduleKeepalive()
    })
  }

  /** OPTIONS to a contact; no answer at all (Timer F, a broken flow) removes the binding. */
  private ping(binding: Binding): void {
    const transport = this.endpoint.transportTo(binding.contact, binding.flow)
    if (!transport) return
    this.endpoint.send(options(this.endpoint, binding.contact), transport, {
      onResponse: () => {},
      onTimeout: () => this.remove(binding, 'no answer to OPTIONS'),
    })
  }
}

function bindingKey(companyId: string, username: string): string {
  return `${companyId}\u0000${username}`
}

/** An out-of-dialog OPTIONS (§11) to `uri`. */
export function options(endpoint: SipEndpoint, uri: string): SipRequest {
  return {
    kind: 'request',
    method: 'OPTIONS',
    uri,
    version: 'SIP/2.0',
    headers: [
      { name: 'From', value: `<sip:sentral@${endpoint.host}>;tag=${endpoint.newTag()}` },
      { name: 'To', value: `<${uri}>` },
      { name: 'Call-ID', value: endpoint.newCallId() },
      { name: 'CSeq', value: '1 OPTIONS' },
      { name: 'Max-Forwards', value: '70' },
      { name: 'Accept', value: 'application/sdp' },
    ],
    body: Buffer.alloc(0),
  }
}
