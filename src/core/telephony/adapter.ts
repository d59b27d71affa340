/**
 * A telephony adapter turns the outside world into engine events and carries out the engine's
 * commands. The simulated network and (later) SIP both implement it; the engine cannot tell
 * them apart.
 */
import type { EngineError } from '../domain/errors'
import type { EngineInput, TelephonyCommand } from '../domain/io'

/** How an adapter hands events (and, for the simulation, the simulated users' commands) to the core. */
export type EngineSink = (input: EngineInput) => EngineError | null

export interface TelephonyAdapter {
  readonly name: string
  start(sink: EngineSink): void
  execute(command: TelephonyCommand): void
  stop(): void
}
