/**
 * The SIP stack of the core, assembled: endpoint (transports, transactions), registrar and
 * back-to-back user agent, on a clock that counts its timers so /metrics can show that nothing
 * is left behind when the calls are over.
 */
import type { Logger } from 'pino'
import type { CompanyId } from '../../../shared/ids'
import type { CompanySip } from '../../config/sip-file'
import type { CompanyConfig } from '../../domain/config'
import type { Clock, TimerHandle } from '../../runtime/clock'
import { B2bua } from './b2bua'
import { SipEndpoint } from './endpoint'
import { Registrar } from './registrar'
import { TrunkMonitor } from './trunk-monitor'
import type { SipTimers } from './transactions/timers'

export interface SipOptions {
  host: string
  port: number
  companies: CompanySip[]
  configOf: (companyId: CompanyId) => CompanyConfig | undefined
  remoteLegOf: (companyId: CompanyId, callId: string) => string | undefined
  clock: Clock
  logger: Logger
  timers?: SipTimers
  /** SIP over TLS (RFC 3261 §26.2) with this certificate and key (PEM), on `port` (5061). */
  tls?: { cert: string; key: string; port: number }
  /** How often registered phones are sent OPTIONS (default 30 s). */
  keepaliveMs?: number
  /** RFC 4028 session interval asked for and the least accepted, seconds (1800 and 90). */
  sessionExpires?: number
  minSessionExpires?: number
  /** Admission control (see B2buaOptions): most live SIP legs, and the event-loop lag (ms)
   * above which new callers are refused with 503. */
  maxLegs?: number
  maxLagMs?: number
}

export interface SipCounts {
  transactions: { client: number; server: number }
  dialogs: number
  legs: number
  timers: number
  registrations: number
}

export interface SipHandle {
  port: number
  trunks: TrunkMonitor
  /** The TLS port, 0 without a certificate. */
  tlsPort: number
  endpoint: SipEndpoint
  registrar: Registrar
  b2bua: B2bua
  adapterFor: B2bua['adapterFor']
  counts(): SipCounts
  metrics(): string
  close(): Promise<void>
}

/** A clock that knows how many of its timers are still to fire. */
export class CountingClock implements Clock {
  private readonly live = new Set<TimerHandle>()

  constructor(private readonly inner: Clock) {}

  get pending(): number {
    return this.live.size
  }

  now(): number {
    return this.inner.now()
  }

  setTimer(at: number, fn: () => void): TimerHandle {
    const handle: TimerHandle = this.inner.setTimer(at, () => {
      this.live.delete(handle)
      fn()
    })
    this.live.add(handle)
    return handle
  }

  clearTimer(handle: TimerHandle): void {
    this.live.delete(handle)
    this.inner.clearTimer(handle)
  }

  clearAll(): void {
    for (const handle of this.live) this.inner.clearTimer(handle)
    this.live.clear()
  }
}

export async function startSip(options: SipOptions): Promise<SipHandle> {
  const clock = new CountingClock(options.clock)
  const logger = options.logger.child({ module: 'sip' })
  const endpoint = new SipEndpoint({
    host: options.host,
    port: options.port,
    clock,
    logger,
    ...(options.timers ? { timers: options.timers } : {}),
    ...(options.tls ? { tls: options.tls } : {}),
  })
  const registrar = new Registrar(endpoint, options.companies, clock, logger, {
    ...(options.keepaliveMs !== undefined ? { keepaliveMs: options.keepaliveMs } : {}),
  })
  const trunks = new TrunkMonitor(endpoint, options.companies, clock, logger, options.keepaliveMs)
  const lag = new LagGauge(clock)
  const maxLagMs = options.maxLagMs ?? 500
  const b2bua = new B2bua({
    endpoint,
    registrar,
    companies: options.companies,
    configOf: options.configOf,
    remoteLegOf: options.remoteLegOf,
    clock,
    logger,
    ...(options.timers ? { timers: options.timers } : {}),
    ...(options.sessionExpires !== undefined ? { sessionExpires: options.sessionExpires } : {}),
    ...(options.minSessionExpires !== undefined
      ? { minSessionExpires: options.minSessionExpires }
      : {}),
    ...(options.maxLegs !== undefined ? { maxLegs: options.maxLegs } : {}),
    overloaded: () => lag.lagMs > maxLagMs,
  })
  await endpoint.listen()
  // The keepalives (registrar, trunks) and the lag gauge are always pending while SIP runs.
  const counts = (): SipCounts => ({
    transactions: endpoint.transactions.size,
    dialogs: b2bua.counts.dialogs,
    legs: b2bua.counts.legs,
    timers: clock.pending - 2 - (trunks.trunks.length > 0 ? 1 : 0) - registrar.size,
    registrations: registrar.size,
  })
  return {
    port: endpoint.port,
    trunks,
    tlsPort: endpoint.transport.securePort,
    endpoint,
    registrar,
    b2bua,
    adapterFor: (companyId) => b2bua.adapterFor(companyId),
    counts,
    metrics: () => {
      const c = counts()
      return [
        '# HELP sentral_sip_transactions Live SIP transactions.',
        '# TYPE sentral_sip_transactions gauge',
        `sentral_sip_transactions{kind="client"} ${c.transactions.client}`,
        `sentral_sip_transactions{kind="server"} ${c.transactions.server}`,
        '# HELP sentral_sip_dialogs Live SIP dialogs.',
        '# TYPE sentral_sip_dialogs gauge',
        `sentral_sip_dialogs ${c.dialogs}`,
        '# HELP sentral_sip_legs SIP call legs the engine knows.',
        '# TYPE sentral_sip_legs gauge',
        `sentral_sip_legs ${c.legs}`,
        '# HELP sentral_sip_timers SIP timers pending (besides registrations and keepalive).',
        '# TYPE sentral_sip_timers gauge',
        `sentral_sip_timers ${c.timers}`,
        '# HELP sentral_sip_registrations Registered phone contacts.',
        '# TYPE sentral_sip_registrations gauge',
        `sentral_sip_registrations ${c.registrations}`,
        '# HELP sentral_sip_trunk_up Whether an outbound trunk answers OPTIONS (1) or not (0).',
        '# TYPE sentral_sip_trunk_up gauge',
        ...trunks.trunks.map(
          (t) => `sentral_sip_trunk_up{company="${t.companyId}",trunk="${t.name}"} ${t.up ? 1 : 0}`,
        ),
        '# HELP sentral_sip_refused_total Callers refused with 503 (the core full or behind).',
        '# TYPE sentral_sip_refused_total counter',
        `sentral_sip_refused_total ${b2bua.refused}`,
        '',
      ].join('\n')
    },
    close: async () => {
      lag.stop()
      trunks.stop()
      b2bua.close()
      registrar.close()
      await endpoint.close()
      clock.clearAll()
    },
  }
}

/**
 * How far behind the event loop is: a timer every 100 ms notes how late it fired, and the
 * gauge keeps the latest lateness, decaying so one slow moment does not refuse calls for long.
 */
export class LagGauge {
  lagMs = 0
  private timer: TimerHandle

  constructor(
    private readonly clock: Clock,
    private readonly everyMs = 100,
  ) {
    this.timer = this.schedule(clock.now() + everyMs)
  }

  stop(): void {
    this.clock.clearTimer(this.timer)
  }

  private schedule(at: number): TimerHandle {
    return this.clock.setTimer(at, () => {
      const late = Math.max(0, this.clock.now() - at)
      this.lagMs = Math.max(late, this.lagMs / 2)
      this.timer = this.schedule(this.clock.now() + this.everyMs)
    })
  }
}
