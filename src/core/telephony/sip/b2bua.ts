/**
 * The back-to-back user agent: the SIP side of the routing core. It is a telephony adapter like
 * the simulated network: SIP becomes engine events (a trunk INVITE is a caller arriving, a 200
 * from a phone is a leg answered, CANCEL and BYE are hang-ups) and engine commands become SIP
 * (ring: INVITEs forked to every registered contact; answer: 200 to the caller; hold, resume
 * and transfers: re-INVITEs; end: CANCEL, a final response or BYE). The engine cannot tell a
 * SIP call from a simulated one, so the why-trail and the logs are the same.
 *
 * Each engine leg is one SIP leg: an incoming one (we are the UAS: the caller's INVITE) or an
 * outgoing one (we are the UAC: one INVITE per contact, "forks", the first 200 wins). The core
 * carries no media: session descriptions pass from one leg to the other, and a leg whose
 * partner changes (a transfer) is re-INVITEd with the new partner's description, so no phone
 * needs to support REFER (RFC 3725's third-party call control, flow III in spirit).
 */
import type { Logger } from 'pino'
import type { CompanyId, LegId, PhoneNumber } from '../../../shared/ids'
import type { Destination } from '../../../shared/model'
import { normalizeNumber } from '../../../shared/phone'
import type { CompanySip } from '../../config/sip-file'
import type { CompanyConfig } from '../../domain/config'
import type { EngineError } from '../../domain/errors'
import type { EngineInput, LegEndReason, TelephonyCommand } from '../../domain/io'
import { presentableNumbers } from '../../domain/operations'
import type { Clock, TimerHandle } from '../../runtime/clock'
import type { EngineSink, TelephonyAdapter } from '../adapter'
import { cseqNumber, Dialog, dialogKey, sipUriOf, tagOf } from './dialog'
import type { RequestContext, SipEndpoint } from './endpoint'
import { keepBytes, keptBuffer, type KeptBytes } from './kept-bytes'
import { parseNameAddr, GrammarError, type SipUri } from './grammar'
import { header, reasonPhrases, type SipHeader, type SipRequest, type SipResponse } from './message'
import type { Registrar } from './registrar'
import {
  answerDirection,
  directionOf,
  placeholderSdp,
  sameSession,
  SdpOrigin,
  withDirection,
} from './sdp'
import { responseFor } from './serializer'
import type { ClientTransaction } from './transactions/client-transactions'
import type { InviteServerTransaction } from './transactions/server-transactions'
import type { SipTimers, TransactionTransport } from './transactions/timers'
import { defaultTimers } from './transactions/timers'

export interface B2buaOptions {
  endpoint: SipEndpoint
  registrar: Registrar
  companies: readonly CompanySip[]
  /** The company's current configuration (numbers, extensions), for REFER targets and trunks. */
  configOf: (companyId: CompanyId) => CompanyConfig | undefined
  /**
   * The engine's leg for the other party of a call (the caller): a ring names only the call,
   * and its INVITE should offer the caller's own session description.
   */
  remoteLegOf: (companyId: CompanyId, callId: string) => LegId | undefined
  clock: Clock
  logger: Logger
  timers?: SipTimers
  /** Session interval we ask for and accept (RFC 4028), seconds. */
  sessionExpires?: number
  /** The smallest session interval we accept (RFC 4028 §5: at least 90). */
  minSessionExpires?: number
  /**
   * Admission control: new callers are refused with 503 (and Retry-After) while this many SIP
   * legs are live, or while `overloaded()` says the core is falling behind, so a flood makes
   * the core refuse calls rather than run out of memory or answer nobody in time.
   */
  maxLegs?: number
  overloaded?: () => boolean
}

interface Fork {
  /**
   * The leg this branch rings for, until the leg is forgotten. The branch's transaction may
   * outlive the call by 32 s (Timer M, absorbing 2xx retransmissions) and reaches the leg only
   * through here, so a finished call is not kept in memory that long.
   */
  leg: Leg | null
  contact: string
  transport: TransactionTransport
  /**
   * The branch's INVITE, until its final response: then there is nothing left to CANCEL or to
   * build the dialog from, and the branch only answers 2xx retransmissions with `ack`.
   */
  invite: SipRequest | null
  /** cancelled: CANCEL sent, its 487 (or a 2xx that crossed it) still to come. */
  state: 'calling' | 'proceeding' | 'cancelled' | 'answered' | 'done'
  /** The leg ended before any provisional: CANCEL as soon as one comes (§9.1). */
  cancelWanted: boolean
  /**
   * The ACK for the branch's 2xx, as sent (sent again for a retransmitted 2xx). The branch is
   * kept that long (Timer M, 32 s) by its transaction: it holds no more than it needs for that.
   */
  ack: KeptBytes | null
}

interface Leg {
  id: LegId
  companyId: CompanyId
  callId: string | null
  direction: 'in' | 'out'
  /** early: not answered yet; confirmed: answered; ended: the engine has forgotten it. */
  state: 'early' | 'confirmed' | 'ended'
  /** The user whose phone this leg rings (outgoing legs to a user). */
  userId: string | null
  // Incoming legs
  invite: InviteServerTransaction | null
  request: SipRequest | null
  tag: string
  provisionalSent: boolean
  answerPending: boolean
  // Outgoing legs
  forks: Fork[]
  // Both
  dialog: Dialog | null
  transport: TransactionTransport | null
  /** What the device last described (its offer or answer). */
  remoteSdp: Buffer | null
  /** What we last gave the device (before its o= line is made this leg's own). */
  sentSdp: Buffer | null
  origin: SdpOrigin
  /** The description of the partner this leg should be connected to, and whether it is held. */
  base: Buffer | null
  held: boolean
  peer: LegId | null
  reinvite: ClientTransaction | null
  /** A renegotiation was wanted while a re-INVITE was in flight. */
  dirty: boolean
  /** Our 2xx to an INVITE, retransmitted until its ACK (§13.3.1.4). */
  pending2xx: { response: SipResponse; timer: TimerHandle; interval: number; until: number } | null
  byeAfterAck: boolean
  /** A REFER from this phone is being carried out: its NOTIFY goes before any BYE. */
  referring: boolean
  /** A call dialled on this phone: it is answered when the far end is bridged to it. */
  originating: boolean
  /**
   * Rung with auto-answer (a pick, a retrieve, a call placed from the switchboard): the engine
   * has connected this leg already, so the phone's 2xx is not news to it, and a phone that
   * refuses has dropped a call rather than declined an offer.
   */
  connectedByCore: boolean
  /** What the engine asked this outgoing leg to ring (to ring it again, told to pick up). */
  ringing: Extract<TelephonyCommand, { type: 'ring' }> | null
  /**
   * RFC 4028: when the session expires unless refreshed, and who refreshes; `timer` is null
   * while our refresh is on its way.
   */
  session: { interval: number; weRefresh: boolean; timer: TimerHandle | null } | null
}

const placeholderSession = Date.now() % 1_000_000

export class B2bua {
  private readonly legs = new Map<LegId, Leg>()
  private readonly byDialog = new Map<string, Leg>()
  private readonly byInvite = new Map<InviteServerTransaction, Leg>()
  private readonly byCall = new Map<string, Set<Leg>>()
  private readonly sinks = new Map<CompanyId, EngineSink>()
  private readonly soon = new Set<Leg>()
  /** Calls being dialled on a phone, by user, while the engine places them (one step). */
  private readonly originating = new Map<string, Leg>()
  private readonly timers: SipTimers
  private readonly sessionExpires: number
  private readonly minSessionExpires: number
  private nextLeg = 0
  /** Callers refused with 503 because the core was full or falling behind. */
  refused = 0

  constructor(private readonly o: B2buaOptions) {
    this.timers = o.timers ?? defaultTimers
    this.sessionExpires = o.sessionExpires ?? 1800
    this.minSessionExpires = o.minSessionExpires ?? 90
    const e = o.endpoint
    e.handle('INVITE', (ctx) => this.onInvite(ctx))
    e.handle('ACK', (ctx) => this.onAck(ctx))
    e.handle('CANCEL', (ctx) => this.onCancel(ctx))
    e.handle('BYE', (ctx) => this.onBye(ctx))
    e.handle('UPDATE', (ctx) => this.onUpdate(ctx))
    e.handle('REFER', (ctx) => this.onRefer(ctx))
    for (const method of ['INFO', 'NOTIFY'])
      e.handle(method, (ctx) => ctx.respond(this.inDialog(ctx.request) ? 200 : 481))
  }

  /** The adapter the runtime attaches for one company. */
  adapterFor(companyId: CompanyId): TelephonyAdapter & {
    claims(command: TelephonyCommand): boolean
    owns(legId: LegId): boolean
  } {
    return {
      name: 'sip',
      start: (sink) => this.sinks.set(companyId, sink),
      execute: (command) => this.execute(command),
      stop: () => this.stopCompany(companyId),
      claims: (command) => this.claims(command),
      owns: (legId) => this.legs.has(legId),
    }
  }

  /** Live SIP legs and dialogs (for /metrics: none may be left when calls are over). */
  get counts(): { legs: number; dialogs: number; reinvites: number } {
    let reinvites = 0
    for (const leg of this.legs.values()) if (leg.reinvite || leg.dirty) reinvites++
    return {
      legs: this.legs.size,
      dialogs: this.byDialog.size,
      reinvites: reinvites + this.soon.size,
    }
  }

  /** Whether this adapter should carry out a ring (the rest go to the simulated network). */
  claims(command: TelephonyCommand): boolean {
    if (command.type === 'bridge') return this.legs.has(command.a) || this.legs.has(command.b)
    if (command.type === 'conference') return command.legIds.some((id) => this.legs.has(id))
    if (command.type !== 'ring') return this.legs.has(command.legId)
    if (command.to.kind === 'user' && this.originating.has(command.to.userId)) return true
    if (command.callerId.userId !== null && this.originating.has(command.callerId.userId))
      return true
    if (command.to.kind === 'user')
      return this.o.registrar.contactsOf(command.companyId, command.to.userId).length > 0
    const trunk = this.outboundTrunk(command.companyId)
    return trunk !== null && (this.byCall.get(command.callId)?.size ?? 0) > 0
  }

  close(): void {
    for (const leg of [...this.legs.values()]) this.end(leg, 'call-ended')
    for (const leg of [...this.legs.values()]) this.forget(leg)
  }

  // ───────────────────────────── engine commands ─────────────────────────────

  execute(command: TelephonyCommand): void {
    try {
      switch (command.type) {
        case 'ring':
          return this.ring(command)
        case 'progress': {
          const leg = this.legs.get(command.legId)
          if (leg?.direction === 'in' && leg.state === 'early') this.sendProvisional(leg)
          return
        }
        case 'answer': {
          const leg = this.legs.get(command.legId)
          if (leg?.direction === 'out' && leg.state === 'early') return this.answerOnPhone(leg)
          if (leg?.direction !== 'in' || leg.state !== 'early') return
          // The partner's description comes with the bridge that follows in the same step; a
          // caller answered with nobody to talk to gets a description with nothing flowing.
          leg.answerPending = true
          queueMicrotask(() => {
            if (leg.answerPending && leg.state === 'early')
              this.answer(leg, placeholderSdp(this.o.endpoint.host, placeholderSession))
          })
          return
        }
        case 'bridge':
          this.inCall(command.callId, command.a, command.b)
          return this.bridge(command.a, command.b)
        case 'hold':
        case 'resume': {
          const leg = this.legs.get(command.legId)
          if (!leg) return
          leg.held = command.type === 'hold'
          this.renegotiateSoon(leg)
          return
        }
        case 'end': {
          const leg = this.legs.get(command.legId)
          if (leg) this.end(leg, command.reason)
          return
        }
        case 'conference':
          // The core has no mixer: the legs stay connected in signalling, each to the call.
          this.o.logger.info({ call: command.callId }, 'sip conference: no media mixer')
          return
      }
    } catch (error) {
      this.o.logger.error({ err: error, command: command.type }, 'sip command failed')
    }
  }

  private ring(command: Extract<TelephonyCommand, { type: 'ring' }>): void {
    if (command.to.kind === 'user') {
      // The engine places a call dialled on a phone. For an outside number it rings the
      // dialler's own phone first, to answer by itself: that phone is the one dialling.
      const self = this.originating.get(command.to.userId)
      if (self && self.callId === null && command.autoAnswer)
        return this.adopt(self, command.legId, command.callId)
      // For a colleague, the dialler is the call's caller: the phone's leg is that one.
      const dialler = command.callerId.userId
      const pending =
        dialler !== null && dialler !== command.to.userId
          ? this.originating.get(dialler)
          : undefined
      const remote = pending ? this.o.remoteLegOf(command.companyId, command.callId) : undefined
      if (pending && pending.callId === null && remote !== undefined && !this.legs.has(remote))
        this.adopt(pending, remote, command.callId)
    }
    const leg = this.newLeg(command.companyId, command.legId, 'out', command.callId)
    leg.userId = command.to.kind === 'user' ? command.to.userId : null
    leg.connectedByCore = command.autoAnswer
    leg.ringing = command
    const targets = this.targetsOf(command)
    if (targets.length === 0) {
      this.forget(leg)
      this.emitLater({
        type: 'leg.failed',
        companyId: command.companyId,
        legId: command.legId,
        reason: command.to.kind === 'user' ? 'not registered' : 'no trunk',
      })
      return
    }
    this.fork(leg, command, targets)
  }

  /**
   * Answered from the switchboard while the phone rings: the engine has connected the leg. The
   * phone is asked to pick up by itself: its ringing INVITE is CANCELled and a new one sent with
   * answer-after=0 (desk phones and softphones honour it for calls from their own PBX). If its
   * user picks up first, that answer is the one taken (a 2xx that crosses the CANCEL, §9.1).
   */
  private answerOnPhone(leg: Leg): void {
    leg.connectedByCore = true
    const command = leg.ringing
    if (!command || command.to.kind !== 'user' || command.autoAnswer) return
    const ringing = [...leg.forks]
    const again = { ...command, autoAnswer: true }
    // One device picks up, not all of them: the first one that rang, else the first registered.
    const targets = this.targetsOf(again)
    const first = ringing.find((f) => f.state === 'proceeding')?.contact
    const target = targets.find((t) => t.contact === first) ?? targets[0]
    if (target) this.fork(leg, again, [target])
    for (const fork of ringing) this.cancelFork(fork)
  }

  /** Where a ring goes: every registered contact of the user, or the trunk for a number. */
  private targetsOf(
    command: Extract<TelephonyCommand, { type: 'ring' }>,
  ): { contact: string; transport: TransactionTransport }[] {
    const targets: { contact: string; transport: TransactionTransport }[] = []
    if (command.to.kind === 'user') {
      for (const b of this.o.registrar.contactsOf(command.companyId, command.to.userId)) {
        const transport = this.o.endpoint.transportTo(b.contact, b.flow)
        if (transport) targets.push({ contact: b.contact, transport })
      }
    } else {
      const trunk = this.outboundTrunk(command.companyId)
      if (trunk) {
        const contact = `sip:${command.to.number}@${trunk.host}:${trunk.port}`
        const transport = this.o.endpoint.transportTo(contact)
        if (transport) targets.push({ contact, transport })
      }
    }
    return targets
  }

  /** One INVITE per target, each a branch of the leg (the first to answer wins). */
  private fork(
    leg: Leg,
    command: Extract<TelephonyCommand, { type: 'ring' }>,
    targets: { contact: string; transport: TransactionTransport }[],
  ): void {
    const sdp = this.offerFor(command.companyId, command.callId, command.callerId.userId)
    const domain = this.companySip(command.companyId)?.domain ?? this.o.endpoint.host
    const caller = command.callerId
    const fromName = caller.name ? `"${caller.name.replace(/["\\]/g, '')}" ` : ''
    const presented = command.to.kind === 'external' ? command.presentedNumber : null
    const fromNumber = presented ?? caller.number
    for (const target of targets) {
      const extra: SipHeader[] = [
        { name: 'Contact', value: this.o.endpoint.contact },
        { name: 'Supported', value: 'timer' },
        { name: 'Session-Expires', value: String(this.sessionExpires) },
        { name: 'Allow', value: 'INVITE, ACK, CANCEL, BYE, OPTIONS, REFER, NOTIFY, UPDATE' },
        { name: 'Content-Type', value: 'application/sdp' },
      ]
      if (presented)
        extra.push({ name: 'P-Asserted-Identity', value: `<sip:${presented}@${domain}>` })
      if (command.autoAnswer)
        extra.push(
          { name: 'Call-Info', value: `<sip:${this.o.endpoint.host}>;answer-after=0` },
          { name: 'Alert-Info', value: '<http://127.0.0.1>;info=alert-autoanswer' },
        )
      const invite: SipRequest = {
        kind: 'request',
        method: 'INVITE',
        uri: target.contact,
        version: 'SIP/2.0',
        headers: [
          { name: 'From', value: `${fromName}<sip:${fromNumber}@${domain}>;tag=${leg.tag}` },
          { name: 'To', value: `<${target.contact}>` },
          { name: 'Call-ID', value: this.o.endpoint.newCallId() },
          { name: 'CSeq', value: '1 INVITE' },
          { name: 'Max-Forwards', value: '70' },
          ...extra,
        ],
        body: leg.origin.stamp(sdp),
      }
      const fork: Fork = {
        leg,
        contact: target.contact,
        transport: target.transport,
        invite,
        state: 'calling',
        cancelWanted: false,
        ack: null,
      }
      leg.forks.push(fork)
      this.o.endpoint.send(invite, target.transport, {
        onResponse: (response) => this.onForkResponse(fork, response),
        onTimeout: () => this.onForkFailed(fork, 408),
      })
    }
    leg.sentSdp = sdp
  }

  /**
   * The engine may move legs to another call (a consultation going on after the caller hung
   * up) and says so with a bridge: from then on they belong to the call they are bridged in.
   */
  private inCall(callId: string, ...ids: LegId[]): void {
    for (const id of ids) {
      const leg = this.legs.get(id)
      if (leg && leg.callId !== callId) this.joinCall(leg, callId)
    }
  }

  private bridge(a: LegId, b: LegId): void {
    const first = this.legs.get(a)
    const second = this.legs.get(b)
    if (first) first.peer = b
    if (second) second.peer = a
    for (const [leg, other] of [
      [first, second],
      [second, first],
    ] as const) {
      if (!leg) continue
      const sdp = other?.remoteSdp ?? null
      if (
        leg.direction === 'in' &&
        leg.state === 'early' &&
        (leg.answerPending || leg.originating)
      ) {
        this.answer(leg, sdp ?? placeholderSdp(this.o.endpoint.host, placeholderSession))
        leg.base = sdp
        continue
      }
      if (sdp) leg.base = sdp
    }
    if (first) this.renegotiateSoon(first)
    if (second) this.renegotiateSoon(second)
  }

  private end(leg: Leg, reason: LegEndReason): void {
    if (leg.state === 'ended') return
    const wasConfirmed = leg.state === 'confirmed'
    leg.state = 'ended'
    if (leg.direction === 'out' && !wasConfirmed) {
      for (const fork of leg.forks) this.cancelFork(fork)
    } else if (leg.direction === 'in' && !wasConfirmed) {
      leg.invite?.respond(this.finalFor(leg, endStatus(reason)))
    } else this.bye(leg)
    this.forget(leg)
  }

  // ───────────────────────────── incoming requests ─────────────────────────────

  private onInvite(ctx: RequestContext): void {
    const { request } = ctx
    if (tagOf(header(request, 'To') ?? '') !== null) return this.onReinvite(ctx)
    const source = ctx.inbound.source.address
    const dialed = userPart(request.uri)
    const number = dialed ? normalizeNumber(dialed) : null
    const phoneCompany = this.phoneCompany(request)
    if (phoneCompany) return this.onPhoneInvite(ctx, phoneCompany, number)
    const company = this.trunkCompany(source, number)
    if (!company) {
      this.o.logger.info({ source, dialed }, 'sip INVITE refused: not from a trunk')
      return ctx.respond(403)
    }
    if (!number) return ctx.respond(404)
    if (this.refuseWhenFull(ctx)) return
    const se = this.sessionRequest(request)
    if (se === 'too-small')
      return ctx.respond(422, [{ name: 'Min-SE', value: String(this.minSessionExpires) }])
    const from = parseNameAddr(header(request, 'From') ?? '')
    const fromUser =
      from instanceof GrammarError ? null : ((from.parsed as Partial<SipUri>).user ?? null)
    const callerNumber = (fromUser && normalizeNumber(fromUser)) ?? fromUser ?? 'anonymous'
    const leg = this.inboundLeg(ctx, company.companyId)
    const error = this.emit({
      type: 'caller.arrived',
      companyId: company.companyId,
      legId: leg.id,
      from: callerNumber,
      fromName: from instanceof GrammarError ? null : from.displayName,
      to: number,
    })
    if (error && leg.state === 'early') {
      this.o.logger.info({ dialed: number, code: error.code }, 'sip caller refused by the engine')
      leg.invite.respond(this.finalFor(leg, error.code === 'INVALID_NUMBER' ? 404 : 480))
      this.forget(leg)
    }
  }

  /**
   * The company whose phone sent an INVITE: its From user is one of the company's phone
   * accounts (trunk callers come with their own numbers). Its credentials are checked next.
   */
  private phoneCompany(request: SipRequest): CompanySip | null {
    const company = this.o.registrar.companyFor(request.uri)
    const from = sipUriOf(header(request, 'From') ?? '')
    return company && from?.user && company.phones.has(from.user) ? company : null
  }

  /**
   * A call dialled on a desk phone or softphone: once the phone proves who it is, it becomes
   * the engine's outgoing call by that user, presenting their first number (the switchboard
   * chooses among them; a phone cannot). The phone's INVITE is the call's own leg: it hears
   * ringback while the far end rings and is answered with the far end's description.
   */
  private onPhoneInvite(ctx: RequestContext, company: CompanySip, number: PhoneNumber | null) {
    const account = this.o.registrar.authenticate(ctx, company)
    if (!account) return
    if (!number) return ctx.respond(484)
    if (this.refuseWhenFull(ctx)) return
    const user = this.o.configOf(company.companyId)?.users.find((u) => u.id === account.userId)
    const presented = user ? presentableNumbers(user)[0] : undefined
    if (!presented) return ctx.respond(403)
    const leg = this.inboundLeg(ctx, company.companyId)
    leg.userId = account.userId
    leg.originating = true
    this.originating.set(account.userId, leg)
    const error = this.emit({
      type: 'call.dial',
      companyId: company.companyId,
      userId: account.userId,
      to: number,
      presentedNumber: presented,
    })
    this.originating.delete(account.userId)
    if (leg.callId !== null && !error) return
    const status =
      error?.code === 'INVALID_NUMBER'
        ? 484
        : error?.code === 'AGENT_BUSY'
          ? 486
          : error?.code === 'INVALID_TARGET' || error?.code === 'NUMBER_NOT_ALLOWED'
            ? 403
            : 480
    this.o.logger.info({ user: account.userId, code: error?.code }, 'sip call from a phone refused')
    if (leg.state === 'early') leg.invite.respond(this.finalFor(leg, status))
    leg.state = 'ended'
    this.forget(leg)
  }

  /** A new incoming leg for an INVITE that starts a call (a trunk caller or a phone dialling). */
  private inboundLeg(
    ctx: RequestContext,
    companyId: CompanyId,
  ): Leg & {
    invite: InviteServerTransaction
  } {
    const invite = ctx.transaction as InviteServerTransaction
    const leg = Object.assign(this.newLeg(companyId, this.newLegId(), 'in', null), {
      invite,
      request: ctx.request,
      tag: ctx.tag,
      transport: ctx.inbound.reply,
      remoteSdp: ctx.request.body.length > 0 ? ctx.request.body : null,
    })
    this.byInvite.set(invite, leg)
    return leg
  }

  /** Admission control: 503 with Retry-After while the core is full or falling behind. */
  private refuseWhenFull(ctx: RequestContext): boolean {
    if (this.legs.size < (this.o.maxLegs ?? 10_000) && !this.o.overloaded?.()) return false
    this.refused++
    ctx.respond(503, [{ name: 'Retry-After', value: '5' }])
    return true
  }

  /** A phone's INVITE becomes the engine leg `id` of `callId` (see onPhoneInvite). */
  private adopt(leg: Leg, id: LegId, callId: string): void {
    this.legs.delete(leg.id)
    leg.id = id
    this.legs.set(id, leg)
    this.joinCall(leg, callId)
    this.sendProvisional(leg)
  }

  private onReinvite(ctx: RequestContext): void {
    const leg = this.inDialog(ctx.request)
    if (!leg?.dialog || leg.state !== 'confirmed') return ctx.respond(481)
    if (!leg.dialog.acceptRemoteSeq(ctx.request)) return ctx.respond(500)
    // Glare (§14.1): our own re-INVITE is in flight.
    if (leg.reinvite || leg.pending2xx)
      return ctx.respond(491, [{ name: 'Retry-After', value: '1' }])
    this.refreshSession(leg, ctx.request)
    const offer = ctx.request.body.length > 0 ? ctx.request.body : null
    const peer = leg.peer ? this.legs.get(leg.peer) : undefined
    const tx = ctx.transaction as InviteServerTransaction
    const answerWith = (sdp: Buffer | null) => {
      leg.sentSdp = sdp ?? leg.sentSdp
      this.send2xx(leg, tx, ctx.request, leg.sentSdp)
    }
    if (!offer) return answerWith(leg.sentSdp)
    leg.remoteSdp = offer
    if (!peer || peer.state !== 'confirmed' || peer.reinvite || !peer.dialog) {
      // Nobody to pass it to (the caller is alone, or the partner busy renegotiating): answer
      // with what the leg already has, in the direction the offer asks for.
      const base = leg.sentSdp ?? placeholderSdp(this.o.endpoint.host, placeholderSession)
      return answerWith(withDirection(base, answerDirection(directionOf(offer))))
    }
    // Hold, resume and codec changes pass through to the partner (§14), answered with its answer.
    peer.base = offer
    this.sendReinvite(peer, offer, (response) => {
      if (response.status >= 200 && response.status < 300) answerWith(peer.remoteSdp)
      else tx.respond(this.finalFor(leg, response.status === 491 ? 491 : 488, ctx.request))
    })
  }

  private onAck(ctx: RequestContext): void {
    const leg = this.inDialog(ctx.request)
    if (!leg?.pending2xx) return
    if (cseqNumber(ctx.request) !== cseqNumber(leg.pending2xx.response)) return
    this.o.clock.clearTimer(leg.pending2xx.timer)
    leg.pending2xx = null
    const answered = ctx.request.body.length > 0
    if (answered) leg.remoteSdp = ctx.request.body
    if (leg.byeAfterAck) {
      leg.byeAfterAck = false
      this.bye(leg)
    } else if (answered && leg.peer !== null) {
      // A delayed offer (§13.2.1: no description in the INVITE, ours in the 200, theirs in the
      // ACK): the partner was rung with a placeholder and is now given this side's media.
      this.bridge(leg.id, leg.peer)
    } else if (leg.dirty) this.renegotiate(leg)
  }

  private onCancel(ctx: RequestContext): void {
    const invite = this.o.endpoint.transactions.inviteFor(ctx.request)
    const leg = invite ? this.byInvite.get(invite) : undefined
    if (!invite || !leg) return ctx.respond(481)
    ctx.respond(200)
    if (leg.state !== 'early') return
    // §9.2: the INVITE is answered 487 and the caller has given up: an abandon for the engine.
    invite.respond(this.finalFor(leg, 487))
    leg.state = 'ended'
    this.forget(leg)
    this.emit({ type: 'leg.hung-up', companyId: leg.companyId, legId: leg.id })
  }

  private onBye(ctx: RequestContext): void {
    const leg = this.inDialog(ctx.request)
    if (!leg) return ctx.respond(481)
    ctx.respond(200)
    this.hungUp(leg)
  }

  private onUpdate(ctx: RequestContext): void {
    const leg = this.inDialog(ctx.request)
    if (!leg) return ctx.respond(481)
    // UPDATE refreshes the session (RFC 4028 §9); an offer in it is answered with what we have.
    this.refreshSession(leg, ctx.request)
    const extra = this.sessionHeaders(leg)
    if (ctx.request.body.length > 0 && leg.sentSdp)
      return ctx.respond(
        200,
        [...extra, { name: 'Content-Type', value: 'application/sdp' }],
        leg.origin.stamp(leg.sentSdp),
      )
    ctx.respond(200, extra)
  }

  /**
   * REFER from a phone in a call (RFC 3515): the transfer button of a desk phone. It becomes
   * the engine's blind transfer by that user; the phone hears how it went in a NOTIFY.
   */
  private onRefer(ctx: RequestContext): void {
    const leg = this.inDialog(ctx.request)
    if (!leg?.dialog) return ctx.respond(481)
    const referTo = header(ctx.request, 'Refer-To')
    const uri = referTo ? sipUriOf(referTo) : null
    if (!uri?.user) return ctx.respond(400)
    if ([...uri.headers.keys()].some((k) => k.toLowerCase() === 'replaces'))
      // Attended transfers are ordered from the switchboard; a phone's own consultation call
      // does not pass through the core, so there is nothing here to replace.
      return ctx.respond(501)
    if (!leg.userId || !leg.callId) return ctx.respond(403)
    const target = this.destination(leg.companyId, uri.user)
    if (!target) return ctx.respond(404)
    ctx.respond(202)
    leg.referring = true
    const error = this.emit({
      type: 'transfer.blind',
      companyId: leg.companyId,
      userId: leg.userId,
      callId: leg.callId,
      target,
    })
    // The engine has ended this phone's part already (a blind transfer releases it): tell the
    // phone how the transfer went first, then hang up (RFC 3515 §2.4.5).
    this.notifyRefer(leg, error ? 503 : 200, () => {
      leg.referring = false
      if (leg.byeAfterAck) {
        leg.byeAfterAck = false
        this.bye(leg)
      }
    })
  }

  // ───────────────────────────── outgoing legs ─────────────────────────────

  private onForkResponse(fork: Fork, response: SipResponse): void {
    const status = response.status
    if (status < 200) {
      if (fork.state === 'calling') fork.state = 'proceeding'
      if (fork.cancelWanted) this.cancelFork(fork)
      return
    }
    if (status >= 300) return this.onForkFailed(fork, status)
    // A 2xx: a retransmission gets the same ACK again (§13.2.2.4).
    if (fork.ack !== null) return fork.transport.send(keptBuffer(fork.ack))
    const invite = fork.invite
    if (!invite) return
    fork.invite = null
    const dialog = Dialog.asUac(invite, response)
    fork.ack = keepBytes(
      this.o.endpoint.sendAck(
        dialog.request('ACK', [], undefined, cseqNumber(invite) ?? 1),
        fork.transport,
      ),
    )
    const wasWaiting = fork.state !== 'done' && fork.state !== 'answered'
    fork.state = 'answered'
    const leg = fork.leg
    if (leg === null || leg.state !== 'early' || !wasWaiting) {
      // Answered after the leg ended or another branch won: hang this branch up at once.
      this.byeDialog(dialog, fork.transport)
      return
    }
    leg.state = 'confirmed'
    leg.dialog = dialog
    leg.transport = fork.transport
    leg.remoteSdp = response.body.length > 0 ? response.body : null
    this.byDialog.set(dialog.key, leg)
    for (const other of leg.forks) if (other !== fork) this.cancelFork(other)
    this.startSession(leg, response, true)
    if (leg.connectedByCore) {
      // The engine bridged this leg when it rang it, before the phone had described its
      // media (its partner was answered with a placeholder): now the partner can be given it.
      if (leg.peer !== null) this.bridge(leg.id, leg.peer)
      return
    }
    const error = this.emit({ type: 'leg.answered', companyId: leg.companyId, legId: leg.id })
    if (error && leg.state === 'confirmed') {
      this.o.logger.info({ leg: leg.id, code: error.code }, 'sip answer refused by the engine')
      this.bye(leg)
      this.forget(leg)
    }
  }

  private onForkFailed(fork: Fork, status: number): void {
    if (fork.state === 'done' || fork.state === 'answered') return
    fork.state = 'done'
    fork.invite = null
    const leg = fork.leg
    if (leg === null || leg.state !== 'early' || leg.forks.some((f) => f.state !== 'done')) return
    // Every branch failed: busy and decline are a reject, the rest a failure (both are "no
    // answer" for the queue, which offers the next member).
    leg.state = 'ended'
    this.forget(leg)
    if ((status === 486 || status === 600 || status === 603) && !leg.connectedByCore)
      this.emit({
        type: 'leg.rejected',
        companyId: leg.companyId,
        legId: leg.id,
        reason: status === 603 ? 'declined' : 'busy',
      })
    else
      this.emit({
        type: 'leg.failed',
        companyId: leg.companyId,
        legId: leg.id,
        reason: `${status} ${reasonPhrases[status] ?? ''}`.trim(),
      })
  }

  /** CANCEL a branch (§9.1): only once it has answered provisionally; a 2xx that crosses gets BYE. */
  private cancelFork(fork: Fork): void {
    if (fork.state === 'calling') {
      fork.cancelWanted = true
      return
    }
    const invite = fork.invite
    if (fork.state !== 'proceeding' || !invite) return
    fork.cancelWanted = false
    fork.state = 'cancelled'
    const cancel: SipRequest = {
      kind: 'request',
      method: 'CANCEL',
      uri: invite.uri,
      version: 'SIP/2.0',
      headers: [
        invite.headers.find((h) => h.name === 'Via')!,
        ...invite.headers.filter((h) => h.name === 'Route'),
        { name: 'From', value: header(invite, 'From') ?? '' },
        { name: 'To', value: header(invite, 'To') ?? '' },
        { name: 'Call-ID', value: header(invite, 'Call-ID') ?? '' },
        { name: 'CSeq', value: `${cseqNumber(invite) ?? 1} CANCEL` },
        { name: 'Max-Forwards', value: '70' },
      ],
      body: Buffer.alloc(0),
    }
    this.o.endpoint.transactions.send(cancel, fork.transport, {
      onResponse: () => {},
      onTimeout: () => {},
    })
  }

  // ───────────────────────────── answering, re-INVITEs, BYE ─────────────────────────────

  private sendProvisional(leg: Leg): void {
    if (leg.provisionalSent || !leg.invite || !leg.request) return
    leg.provisionalSent = true
    leg.invite.respond(
      responseFor(leg.request, 180, 'Ringing', {
        toTag: leg.tag,
        extra: [{ name: 'Contact', value: this.o.endpoint.contact }],
      }) as SipResponse,
    )
  }

  private answer(leg: Leg, sdp: Buffer): void {
    // An INVITE that has had its final response cannot be answered again.
    if (!leg.invite || !leg.request || leg.invite.state !== 'proceeding') return
    leg.answerPending = false
    leg.state = 'confirmed'
    leg.dialog = Dialog.asUas(leg.request, leg.tag, 'confirmed')
    this.byDialog.set(leg.dialog.key, leg)
    leg.sentSdp = sdp
    const se = this.sessionRequest(leg.request)
    if (typeof se === 'number')
      leg.session = {
        interval: se,
        weRefresh: false,
        timer: this.sessionTimer(leg, se),
      }
    this.send2xx(leg, leg.invite, leg.request, sdp)
  }

  /** A 2xx to an INVITE, retransmitted at T1, 2·T1 … T2 until the ACK, for 64·T1 (§13.3.1.4). */
  private send2xx(
    leg: Leg,
    tx: InviteServerTransaction,
    request: SipRequest,
    sdp: Buffer | null,
  ): void {
    if (tx.state !== 'proceeding') return
    const response = responseFor(request, 200, 'OK', {
      toTag: leg.tag,
      extra: [
        { name: 'Contact', value: this.o.endpoint.contact },
        { name: 'Allow', value: 'INVITE, ACK, CANCEL, BYE, OPTIONS, REFER, NOTIFY, UPDATE' },
        ...this.sessionHeaders(leg),
        ...(sdp ? [{ name: 'Content-Type', value: 'application/sdp' }] : []),
      ],
      ...(sdp ? { body: leg.origin.stamp(sdp) } : {}),
    }) as SipResponse
    tx.respond(response)
    if (!leg.transport) return
    const transport = leg.transport
    if (transport.reliable) {
      // Over TCP the 2xx is not retransmitted, but the ACK is still awaited before a BYE.
      leg.pending2xx = {
        response,
        interval: 0,
        until: 0,
        timer: this.o.clock.setTimer(this.o.clock.now() + 64 * this.timers.t1, () =>
          this.noAck(leg),
        ),
      }
      return
    }
    const pending = {
      response,
      interval: this.timers.t1,
      until: this.o.clock.now() + 64 * this.timers.t1,
      timer: null as unknown as TimerHandle,
    }
    const again = () => {
      if (this.o.clock.now() >= pending.until) return this.noAck(leg)
      transport.send(response)
      pending.interval = Math.min(pending.interval * 2, this.timers.t2)
      pending.timer = this.o.clock.setTimer(this.o.clock.now() + pending.interval, again)
    }
    pending.timer = this.o.clock.setTimer(this.o.clock.now() + pending.interval, again)
    leg.pending2xx = pending
  }

  /** No ACK for our 2xx: the session is not established (§13.3.1.4), end it with BYE. */
  private noAck(leg: Leg): void {
    leg.pending2xx = null
    this.o.logger.info({ leg: leg.id }, 'sip: no ACK for 200, ending the call')
    leg.byeAfterAck = false
    this.bye(leg)
    this.hungUp(leg)
  }

  /**
   * One engine step may resume a leg and bridge it to someone new: renegotiate once, after the
   * step's commands are all in, with the leg's final partner and hold state.
   */
  private renegotiateSoon(leg: Leg): void {
    if (this.soon.size === 0) queueMicrotask(() => this.flushRenegotiations())
    this.soon.add(leg)
  }

  private flushRenegotiations(): void {
    const legs = [...this.soon]
    this.soon.clear()
    for (const leg of legs) this.renegotiate(leg)
  }

  /** Bring a leg's session in line with its partner and hold state, one re-INVITE at a time. */
  private renegotiate(leg: Leg): void {
    if (leg.state !== 'confirmed' || !leg.dialog) return
    if (leg.reinvite || leg.pending2xx) {
      leg.dirty = true
      return
    }
    leg.dirty = false
    const base = leg.base ?? leg.sentSdp
    if (!base) return
    const wanted = leg.held ? withDirection(base, 'sendonly') : base
    const current = leg.sentSdp
    // The usual case (a leg bridged once, then its ACK): what it has is what it should have, byte
    // for byte, which is cheaper to see than comparing the sessions line by line.
    if (current !== null && (current === wanted || current.equals(wanted))) return
    if (
      current &&
      sameSession(current, wanted) &&
      directionOf(current) === directionOf(wanted) &&
      !(leg.held && directionOf(current) === 'sendrecv')
    )
      return
    this.sendReinvite(leg, wanted, () => {})
  }

  private sendReinvite(leg: Leg, sdp: Buffer, done: (response: SipResponse) => void): void {
    if (!leg.dialog || !leg.transport) return
    const dialog = leg.dialog
    const transport = leg.transport
    const request = dialog.request(
      'INVITE',
      [
        { name: 'Contact', value: this.o.endpoint.contact },
        ...this.sessionHeaders(leg),
        { name: 'Content-Type', value: 'application/sdp' },
      ],
      leg.origin.stamp(sdp),
    )
    const seq = dialog.localSeq
    let settled = false
    let ack: SipRequest | null = null
    leg.reinvite = this.o.endpoint.send(request, transport, {
      onResponse: (response) => {
        if (response.status < 200) return
        // Every 2xx (retransmissions too) is ACKed, with the same ACK each time, so the phone
        // sees a retransmission and not a new request (§13.2.2.4); the rest happens once.
        if (response.status < 300) {
          ack ??= dialog.request('ACK', [], undefined, seq)
          this.o.endpoint.sendAck(ack, transport)
        }
        if (settled) return
        settled = true
        leg.reinvite = null
        if (leg.byeAfterAck) {
          leg.byeAfterAck = false
          done(response)
          return this.bye(leg)
        }
        if (response.status < 300) {
          leg.sentSdp = sdp
          // A held phone's answer (recvonly) is not what its partner should be given later.
          if (response.body.length > 0 && !leg.held) leg.remoteSdp = response.body
          this.startSession(leg, response, leg.direction === 'out')
        } else if (response.status === 481 || response.status === 408) {
          // The dialog is gone at the other end (§14.1): the call is over for this leg.
          done(response)
          return this.hungUp(leg)
        }
        done(response)
        if (leg.dirty) this.renegotiate(leg)
      },
      onTimeout: () => {
        if (settled) return
        settled = true
        leg.reinvite = null
        leg.byeAfterAck = false
        done({ ...responseFor(request, 408, 'Request Timeout'), kind: 'response' } as SipResponse)
        this.hungUp(leg)
      },
    })
  }

  /** BYE for a leg's dialog (waits for the ACK of our 2xx first, §15). */
  private bye(leg: Leg): void {
    if (!leg.dialog || !leg.transport) return
    // Not across a transaction still open on the dialog: our 2xx awaiting its ACK (§15), or our
    // re-INVITE awaiting its answer (its ACK goes first, then the BYE).
    if ((leg.pending2xx && leg.direction === 'in') || leg.reinvite || leg.referring) {
      leg.byeAfterAck = true
      return
    }
    this.stopSession(leg)
    this.byeDialog(leg.dialog, leg.transport)
    this.byDialog.delete(leg.dialog.key)
  }

  private byeDialog(dialog: Dialog, transport: TransactionTransport): void {
    dialog.state = 'terminated'
    this.o.endpoint.send(dialog.request('BYE'), transport, {
      onResponse: () => {},
      onTimeout: () => {},
    })
  }

  /** The other side hung up (BYE, a dead session, a failed refresh): tell the engine. */
  private hungUp(leg: Leg): void {
    if (leg.dialog) this.byDialog.delete(leg.dialog.key)
    this.stopSession(leg)
    if (leg.state === 'ended') return this.forget(leg)
    leg.state = 'ended'
    this.forget(leg)
    this.emit({ type: 'leg.hung-up', companyId: leg.companyId, legId: leg.id })
  }

  private notifyRefer(leg: Leg, status: number, then: () => void): void {
    if (!leg.dialog || !leg.transport) return then()
    const body = Buffer.from(`SIP/2.0 ${status} ${reasonPhrases[status] ?? ''}\r\n`, 'utf8')
    this.o.endpoint.send(
      leg.dialog.request(
        'NOTIFY',
        [
          { name: 'Contact', value: this.o.endpoint.contact },
          { name: 'Event', value: 'refer' },
          { name: 'Subscription-State', value: 'terminated;reason=noresource' },
          { name: 'Content-Type', value: 'message/sipfrag;version=2.0' },
        ],
        body,
      ),
      leg.transport,
      {
        onResponse: (response) => {
          if (response.status >= 200) then()
        },
        onTimeout: then,
      },
    )
  }

  // ───────────────────────────── session timers (RFC 4028) ─────────────────────────────

  /** The interval an INVITE asks for, 'too-small', or null when it asks for none. */
  private sessionRequest(request: SipRequest): number | 'too-small' | null {
    const value = header(request, 'Session-Expires')
    if (!value) return null
    const interval = Number(/^\s*(\d+)/.exec(value)?.[1] ?? NaN)
    if (!Number.isFinite(interval)) return null
    if (interval < this.minSessionExpires) return 'too-small'
    return Math.min(interval, this.sessionExpires)
  }

  private sessionHeaders(leg: Leg): SipHeader[] {
    if (!leg.session) return []
    const refresher = leg.direction === 'in' ? 'uac' : leg.session.weRefresh ? 'uac' : 'uas'
    return [
      { name: 'Session-Expires', value: `${leg.session.interval};refresher=${refresher}` },
      ...(leg.direction === 'in' ? [{ name: 'Require', value: 'timer' }] : []),
    ]
  }

  /** After a 2xx from the phone (we are the UAC): who refreshes, and when the session lapses. */
  private startSession(leg: Leg, response: SipResponse, weAreUac: boolean): void {
    if (!weAreUac) return
    const value = header(response, 'Session-Expires')
    if (!value) return
    const interval = Number(/^\s*(\d+)/.exec(value)?.[1] ?? NaN)
    if (!Number.isFinite(interval) || interval <= 0) return
    const weRefresh = !/refresher\s*=\s*uas/i.test(value)
    this.stopSession(leg)
    leg.session = {
      interval,
      weRefresh,
      timer: weRefresh
        ? this.o.clock.setTimer(this.o.clock.now() + (interval * 1000) / 2, () => {
            // Fired: the refresh's 2xx starts the next interval (startSession).
            if (leg.session) leg.session.timer = null
            this.refreshNow(leg)
          })
        : this.sessionTimer(leg, interval),
    }
  }

  private refreshNow(leg: Leg): void {
    if (!leg.session || leg.state !== 'confirmed') return
    const sdp = leg.sentSdp
    if (!sdp) return
    if (leg.reinvite) {
      // A re-INVITE is in flight and refreshes the session itself.
      return
    }
    this.sendReinvite(leg, sdp, () => {})
  }

  /** The other side refreshes: it must within the interval, or we end the call (§10). */
  private sessionTimer(leg: Leg, interval: number): TimerHandle {
    const grace = Math.min(32, interval / 3)
    return this.o.clock.setTimer(this.o.clock.now() + (interval - grace) * 1000, () => {
      this.o.logger.info({ leg: leg.id }, 'sip session expired: the other side is gone')
      leg.session = null
      this.bye(leg)
      this.hungUp(leg)
    })
  }

  private refreshSession(leg: Leg, request: SipRequest): void {
    if (!leg.session) return
    this.clearSessionTimer(leg)
    const se = this.sessionRequest(request)
    const interval = typeof se === 'number' ? se : leg.session.interval
    leg.session = { interval, weRefresh: false, timer: this.sessionTimer(leg, interval) }
  }

  private stopSession(leg: Leg): void {
    this.clearSessionTimer(leg)
    leg.session = null
  }

  private clearSessionTimer(leg: Leg): void {
    if (leg.session && leg.session.timer !== null) this.o.clock.clearTimer(leg.session.timer)
  }

  // ───────────────────────────── bookkeeping ─────────────────────────────

  private newLegId(): LegId {
    return `sip-${(++this.nextLeg).toString(36)}-${this.o.endpoint.newTag()}`
  }

  private newLeg(companyId: CompanyId, id: LegId, direction: 'in' | 'out', callId: string | null) {
    const leg: Leg = {
      id,
      companyId,
      callId,
      direction,
      state: 'early',
      userId: null,
      invite: null,
      request: null,
      tag: this.o.endpoint.newTag(),
      provisionalSent: false,
      answerPending: false,
      forks: [],
      dialog: null,
      transport: null,
      remoteSdp: null,
      sentSdp: null,
      origin: new SdpOrigin(Math.floor(Math.random() * 1e9), this.o.endpoint.host),
      base: null,
      held: false,
      peer: null,
      reinvite: null,
      dirty: false,
      pending2xx: null,
      byeAfterAck: false,
      referring: false,
      originating: false,
      connectedByCore: false,
      ringing: null,
      session: null,
    }
    this.legs.set(id, leg)
    if (callId) this.joinCall(leg, callId)
    return leg
  }

  private joinCall(leg: Leg, callId: string): void {
    this.leaveCall(leg)
    leg.callId = callId
    let set = this.byCall.get(callId)
    if (!set) this.byCall.set(callId, (set = new Set()))
    set.add(leg)
  }

  private leaveCall(leg: Leg): void {
    if (!leg.callId) return
    const set = this.byCall.get(leg.callId)
    set?.delete(leg)
    if (set?.size === 0) this.byCall.delete(leg.callId)
  }

  /** The engine no longer knows the leg: drop it from every index but what is still finishing. */
  private forget(leg: Leg): void {
    this.legs.delete(leg.id)
    for (const fork of leg.forks) fork.leg = null
    if (leg.invite) this.byInvite.delete(leg.invite)
    this.leaveCall(leg)
    if (leg.dialog && !leg.pending2xx && !leg.byeAfterAck) this.byDialog.delete(leg.dialog.key)
    if (leg.state === 'ended' && !leg.byeAfterAck) {
      if (leg.pending2xx) this.o.clock.clearTimer(leg.pending2xx.timer)
      leg.pending2xx = null
      this.stopSession(leg)
      if (leg.dialog) this.byDialog.delete(leg.dialog.key)
    }
  }

  private inDialog(request: SipRequest): Leg | null {
    const tag = tagOf(header(request, 'To') ?? '')
    const callId = header(request, 'Call-ID')
    if (!tag || !callId) return null
    return this.byDialog.get(dialogKey(callId, tag)) ?? null
  }

  private emit(input: EngineInput): EngineError | null {
    const sink = this.sinks.get((input as { companyId: CompanyId }).companyId)
    return sink ? sink(input) : null
  }

  /**
   * From inside a command: the engine is mid-step, so the event waits for it to finish. It
   * waits for a timer, not a microtask: a queue whose members have no phone registered would
   * otherwise re-offer in a loop that never lets the event loop breathe.
   */
  private emitLater(input: EngineInput): void {
    this.o.clock.setTimer(this.o.clock.now(), () => this.emit(input))
  }

  /**
   * The description a new leg of a call is offered: the operator's for a consultation, else
   * the caller's, or a placeholder when the call has no SIP caller (a call the switchboard
   * places, a simulated caller).
   */
  private offerFor(companyId: CompanyId, callId: string, fromUser: string | null): Buffer {
    const remote = this.legs.get(this.o.remoteLegOf(companyId, callId) ?? '')
    if (remote && remote.callId === null) this.joinCall(remote, callId)
    // A consultation rings on behalf of the operator, who will talk to it: offer theirs.
    if (fromUser !== null)
      for (const leg of this.byCall.get(callId) ?? [])
        if (leg.direction === 'out' && leg.userId === fromUser && leg.remoteSdp)
          return leg.remoteSdp
    for (const leg of this.byCall.get(callId) ?? [])
      if (leg.direction === 'in' && leg.remoteSdp) return leg.remoteSdp
    return placeholderSdp(this.o.endpoint.host, placeholderSession)
  }

  private finalFor(leg: Leg, status: number, request = leg.request): SipResponse {
    return responseFor(request!, status, reasonPhrases[status] ?? 'Error', {
      toTag: leg.tag,
    }) as SipResponse
  }

  private companySip(companyId: CompanyId): CompanySip | undefined {
    return this.o.companies.find((c) => c.companyId === companyId)
  }

  private outboundTrunk(companyId: CompanyId): { host: string; port: number } | null {
    return this.companySip(companyId)?.trunks.find((t) => t.outbound)?.outbound ?? null
  }

  /** Which company a trunk INVITE is for: a trunk with this peer, whose company has the number. */
  private trunkCompany(source: string, number: PhoneNumber | null): CompanySip | null {
    const candidates = this.o.companies.filter((c) =>
      c.trunks.some((t) => t.peers.includes(source)),
    )
    if (candidates.length <= 1 || !number) return candidates[0] ?? null
    return (
      candidates.find((c) => {
        const config = this.o.configOf(c.companyId)
        return (
          config?.queues.some((q) => q.numbers.includes(number)) ||
          config?.users.some((u) => u.direct === number || u.extension === number)
        )
      }) ??
      candidates[0] ??
      null
    )
  }

  /** A transfer target named by a phone: a colleague's extension or number, a queue, or outside. */
  private destination(companyId: CompanyId, user: string): Destination | null {
    const config = this.o.configOf(companyId)
    const number = normalizeNumber(user)
    if (!config || !number) return null
    const colleague = config.users.find(
      (u) => u.extension === number || u.direct === number || u.mobile === number,
    )
    if (colleague) return { kind: 'user', userId: colleague.id }
    const queue = config.queues.find((q) => q.numbers.includes(number))
    if (queue) return { kind: 'queue', queueId: queue.id }
    return { kind: 'external', number }
  }

  private stopCompany(companyId: CompanyId): void {
    this.sinks.delete(companyId)
    for (const leg of [...this.legs.values()])
      if (leg.companyId === companyId) this.end(leg, 'call-ended')
  }
}

/** What an unanswered caller hears when the engine ends the call (§21). */
function endStatus(reason: LegEndReason): number {
  switch (reason) {
    case 'busy':
      return 486
    case 'not-found':
      return 404
    case 'withdrawn':
      return 487
    default:
      return 480
  }
}

function userPart(uri: string): string | null {
  const m = /^sips?:([^@;?]+)@/i.exec(uri)
  if (!m) return null
  try {
    return decodeURIComponent(m[1]!)
  } catch {
    return m[1]!
  }
}
