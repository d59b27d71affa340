/**
 * OPTIONS keepalive of the trunks the core sends calls to (RFC 3261 §11, as SBCs and Kamailio's
 * dispatcher probe their gateways): every `everyMs` each outbound trunk is asked; one that
 * stops answering is marked down (logged, and 0 in /metrics) and up again on its next answer.
 * Any response counts as an answer: a trunk that says 403 or 404 to OPTIONS is still there.
 */
import type { Logger } from 'pino'
import type { CompanySip } from '../../config/sip-file'
import type { Clock, TimerHandle } from '../../runtime/clock'
import type { SipEndpoint } from './endpoint'
import { options } from './registrar'

export interface TrunkState {
  companyId: string
  name: string
  uri: string
  up: boolean
}

export class TrunkMonitor {
  readonly trunks: TrunkState[]
  private timer: TimerHandle | null = null

  constructor(
    private readonly endpoint: SipEndpoint,
    companies: readonly CompanySip[],
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly everyMs = 30_000,
  ) {
    this.trunks = companies.flatMap((c) =>
      c.trunks.flatMap((t) =>
        t.outbound
          ? [
              {
                companyId: c.companyId,
                name: t.name,
                uri: `sip:${t.outbound.host}:${t.outbound.port}`,
                up: true,
              },
            ]
          : [],
      ),
    )
    if (this.trunks.length > 0) this.schedule()
  }

  stop(): void {
    if (this.timer) this.clock.clearTimer(this.timer)
    this.timer = null
  }

  private schedule(): void {
    this.timer = this.clock.setTimer(this.clock.now() + this.everyMs, () => {
      this.timer = null
      for (const trunk of this.trunks) this.probe(trunk)
      this.schedule()
    })
  }

  private probe(trunk: TrunkState): void {
    const transport = this.endpoint.transportTo(trunk.uri)
    if (!transport) return
    this.endpoint.send(options(this.endpoint, trunk.uri), transport, {
      onResponse: (response) => {
        if (response.status < 200 || trunk.up) return
        trunk.up = true
        this.logger.info({ company: trunk.companyId, trunk: trunk.name }, 'sip trunk is up again')
      },
      onTimeout: () => {
        if (!trunk.up) return
        trunk.up = false
        this.logger.warn(
          { company: trunk.companyId, trunk: trunk.name, uri: trunk.uri },
          'sip trunk does not answer OPTIONS: marked down',
        )
      },
    })
  }
}
