/**
 * A leg is one party's connection to the call: the caller's trunk leg, an offer ringing an
 * agent's phone, the agent's answered leg, a consult leg, a conference participant.
 *
 * ```
 *   ringing ──answer──▶ connected ⇄ held
 *      │                   │         │
 *      └──cancel / reject / no answer / hang-up──▶ ended
 * ```
 */
import type { LegState } from '../../shared/model'
import { IllegalTransition } from './errors'
import type { Leg } from './state'

const allowed: Record<LegState, readonly LegState[]> = {
  ringing: ['connected', 'ended'],
  connected: ['held', 'ended'],
  held: ['connected', 'ended'],
  ended: [],
}

/** Returns the talk time of the segment that ended, if the leg stopped talking (else 0). */
export function transitionLeg(leg: Leg, to: LegState, now: number): number {
  if (!allowed[leg.state].includes(to)) throw new IllegalTransition('leg', leg.state, to)
  let talkedMs = 0
  if (leg.talkingSince !== null && to !== 'connected') {
    talkedMs = now - leg.talkingSince
    leg.talkingSince = null
  }
  if (to === 'connected') {
    leg.talkingSince = now
    if (leg.answeredAt === null) leg.answeredAt = now
  }
  leg.state = to
  return talkedMs
}
