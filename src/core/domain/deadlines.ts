/** What happens when a deadline falls due. Each checks its token: a stale deadline does nothing. */
import { endCall, endLeg, exitQueue, queueOfferUnanswered, endOffer, notAnswered } from './calls'
import type { Ctx } from './context'
import { isOpen, localTime, nextDayCheck, nextMinute } from './opening-hours'
import { consultEnded, parkTimedOut } from './operations'
import { clearAbsence } from './presence'
import type { Call, CompanyState, Offer } from './state'
import type { TimerEntry } from './timers'

export function fireDeadline(ctx: Ctx, entry: TimerEntry): void {
  const co = ctx.co
  switch (entry.kind) {
    case 'offer-timeout': {
      const call = callOf(co, entry)
      if (!call) return
      const offer = offerWithToken(call.offers, entry.token)
      if (!offer) return
      if (offer.queueId !== null) return queueOfferUnanswered(ctx, call, offer, 'no-answer')
      endOffer(ctx, call, offer, 'no-answer')
      if (call.offers.length === 0 && call.state === 'ringing') notAnswered(ctx, call, 'no-answer')
      return
    }
    case 'retry': {
      const call = callOf(co, entry)
      if (call?.state === 'queued' && call.queueId !== null) ctx.markDirty(call.queueId)
      return
    }
    case 'wrap-up-end': {
      const agent = co.agents.get(entry.ref)
      if (!agent || agent.wrapUpToken !== entry.token) return
      agent.wrapUpUntil = null
      ctx.touchAgent(agent)
      return
    }
    case 'max-wait': {
      const call = callOf(co, entry)
      if (call?.state === 'queued' && call.queueToken === entry.token)
        exitQueue(ctx, call, 'timeout')
      return
    }
    case 'progressive-step': {
      const call = callOf(co, entry)
      if (call?.state !== 'queued' || call.queueToken !== entry.token) return
      const queue = co.queues.get(call.queueId!)!
      if (call.progressiveCount < queue.memberIds.length) {
        call.progressiveCount++
        ctx.schedule(
          'progressive-step',
          ctx.now + queue.config.progressiveStepSeconds * 1000,
          call.id,
          entry.token,
        )
        ctx.markDirty(queue)
      }
      return
    }
    case 'absence-end': {
      const agent = co.agents.get(entry.ref)
      if (agent?.absence && agent.absenceToken === entry.token) clearAbsence(ctx, agent)
      return
    }
    case 'park-timeout': {
      const call = co.calls.get(entry.ref)
      if (call?.state === 'parked' && call.parkToken === entry.token) parkTimedOut(ctx, call)
      return
    }
    case 'consult-timeout': {
      const call = co.calls.get(entry.ref)
      if (call?.consult && call.consult.token === entry.token && call.consult.state === 'ringing') {
        consultEnded(ctx, call, 'transfer-not-answered')
      }
      return
    }
    case 'dial-timeout': {
      const call = co.calls.get(entry.ref)
      if (call?.state === 'dialing') endCall(ctx, call, 'no-answer')
      return
    }
    case 'hours-check': {
      // Queues open and close with the clock, not with an event: look once a minute.
      if (!co.config.queues.some((q) => q.openingHours !== null)) {
        co.hoursChecking = false
        return
      }
      for (const queue of co.queues.values()) {
        const hours = queue.config.openingHours
        if (!hours) continue
        const open = isOpen(co, hours, ctx.now)
        if (open !== queue.wasOpen) {
          queue.wasOpen = open
          ctx.touchQueue(queue)
        }
      }
      ctx.schedule('hours-check', nextMinute(ctx.now), co.id, 0)
      return
    }
    case 'day-start': {
      // A new local day: fewest-calls and least-talk-time rank by today's figures, so that a
      // colleague who joins (or comes back from leave) is not offered every call until they
      // have caught up with what the others answered in the months the core has been running.
      const today = localTime(co.config.timeZone, ctx.now).date
      if (today !== co.day) {
        co.day = today
        for (const agent of co.agents.values()) {
          agent.answeredCalls = 0
          agent.talkMs = 0
        }
      }
      ctx.schedule('day-start', nextDayCheck(co.config.timeZone, ctx.now), co.id, 0)
      return
    }
    case 'invite-timeout': {
      const leg = co.legs.get(entry.ref)
      const call = leg ? co.calls.get(leg.callId) : undefined
      if (
        !leg ||
        !call?.conference ||
        leg.state !== 'ringing' ||
        !call.conference.invited.includes(leg.id)
      )
        return
      endLeg(ctx, call, leg, 'no-answer')
      call.conference.invited = call.conference.invited.filter((id) => id !== leg.id)
      return
    }
  }
}

function offerWithToken(offers: readonly Offer[], token: number): Offer | undefined {
  for (let i = 0; i < offers.length; i++) if (offers[i]!.token === token) return offers[i]
  return undefined
}

/**
 * The live call a deadline names (undefined once it has ended). By id, not by reference: a
 * cancelled deadline stays in the heap until it falls due (up to a queue's maximum wait), and a
 * reference would keep the ended call, its legs and its trail in memory all that time.
 */
function callOf(co: CompanyState, entry: TimerEntry): Call | undefined {
  return co.calls.get(entry.ref)
}
