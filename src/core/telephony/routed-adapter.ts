/**
 * One company on two networks at once: SIP for the phones that are registered and the trunk's
 * callers, the simulated network for everyone else (the demo runs real phones beside simulated
 * traffic). Each leg stays with the network that made it; a ring goes to SIP when SIP claims it
 * (the user has a registered phone, or the call is already a SIP call), else to the simulation.
 */
import type { LegId } from '../../shared/ids'
import type { TelephonyCommand } from '../domain/io'
import type { EngineSink, TelephonyAdapter } from './adapter'

export interface ClaimingAdapter extends TelephonyAdapter {
  claims(command: TelephonyCommand): boolean
  owns(legId: LegId): boolean
}

export class RoutedAdapter implements TelephonyAdapter {
  readonly name: string

  constructor(
    private readonly preferred: ClaimingAdapter,
    private readonly fallback: TelephonyAdapter,
  ) {
    this.name = `${preferred.name}+${fallback.name}`
  }

  start(sink: EngineSink): void {
    this.preferred.start(sink)
    this.fallback.start(sink)
  }

  execute(command: TelephonyCommand): void {
    if (command.type === 'bridge' || command.type === 'conference') {
      // A bridge may join a SIP leg and a simulated one: each network does its part.
      if (this.preferred.claims(command)) this.preferred.execute(command)
      this.fallback.execute(command)
      return
    }
    if (this.preferred.claims(command)) this.preferred.execute(command)
    else this.fallback.execute(command)
  }

  stop(): void {
    this.preferred.stop()
    this.fallback.stop()
  }
}
