/**
 * The call lifecycle. One guarded transition function; handlers check the state before they
 * act, so an illegal move here is a bug and throws.
 *
 * ```
 *                 ┌─────────── overflow / requeue ───────────┐
 *                 ▼                                           │
 *   arrival ─▶ queued ──answer/pick──▶ connected ◀──resume── held
 *     │           ▲  │                  │  │ │ └──hold────────▶ held
 *     │  transfer │  └─exit (no dest)─┐ │  │ └─consult─▶ consulting ─cancel / no answer─▶ connected
 *     ▼  to queue │                   │ │  │                │ complete (target answered) ─▶ connected
 *   ringing ──────┴──answer──────────▶│ │  │                └ complete (still ringing) ──▶ ringing
 *     ▲  └──no answer: forward/recall─┘ │  ├─park──▶ parked ─retrieve─▶ connected
 *     └────── blind transfer to user ───┘  │          └─timeout─▶ ringing (recall)
 *   dialing ──answer──▶ connected          └─conference─▶ conference ─one party left─▶ connected
 *   every state except ended ──hang-up / failure──▶ ended
 * ```
 */
import type { CallState } from '../../shared/model'
import { IllegalTransition } from './errors'
import type { Call } from './state'

const allowed: Record<CallState, readonly CallState[]> = {
  queued: ['queued', 'ringing', 'connected', 'ended'],
  ringing: ['ringing', 'queued', 'connected', 'ended'],
  dialing: ['connected', 'ended'],
  connected: [
    'held',
    'consulting',
    'parked',
    'conference',
    'ringing',
    'queued',
    'connected',
    'ended',
  ],
  held: ['connected', 'consulting', 'parked', 'ringing', 'queued', 'ended'],
  consulting: ['connected', 'ringing', 'ended'],
  parked: ['connected', 'ringing', 'queued', 'ended'],
  conference: ['connected', 'conference', 'ended'],
  ended: [],
}

export function canTransition(from: CallState, to: CallState): boolean {
  return allowed[from].includes(to)
}

export function transitionCall(call: Call, to: CallState): void {
  if (!canTransition(call.state, to)) throw new IllegalTransition('call', call.state, to)
  call.state = to
}

/** States in which the remote party is with one of the company's users. */
export function isAnsweredState(state: CallState): boolean {
  return state === 'connected' || state === 'held' || state === 'consulting'
}
