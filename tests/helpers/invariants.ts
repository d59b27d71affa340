/**
 * The engine's invariants, checked after every step in the unit and property tests.
 * Throws with a description of the first violation found.
 */
import { skipReason } from '../../src/core/domain/agents'
import { compareWaiting } from '../../src/core/domain/calls'
import { skipCode } from '../../src/core/domain/trail'
import type { EngineState } from '../../src/core/domain/state'

export function checkInvariants(state: EngineState): void {
  for (const co of state.companies.values()) {
    const inQueue = new Map<string, string>()
    for (const [queueId, queue] of co.queues) {
      for (let i = 0; i < queue.waiting.length; i++) {
        const call = queue.waiting[i]!
        if (call.state !== 'queued')
          fail(`call ${call.id} is in queue ${queueId} but ${call.state}`)
        if (call.queueId !== queueId)
          fail(`call ${call.id} waits in ${queueId} but says ${call.queueId}`)
        if (inQueue.has(call.id)) fail(`call ${call.id} waits in two queues`)
        inQueue.set(call.id, queueId)
        if (i > 0 && compareWaiting(queue.waiting[i - 1]!, call) > 0)
          fail(`queue ${queueId} is out of order at ${i}`)
        if (co.calls.get(call.id) !== call) fail(`queued call ${call.id} is not live`)
      }
    }
    for (const call of co.calls.values()) {
      if (call.companyId !== co.id) fail(`call ${call.id} of ${call.companyId} sits in ${co.id}`)
      if (call.state === 'ended') fail(`ended call ${call.id} still live`)
      if (call.state === 'queued' && !inQueue.has(call.id))
        fail(`call ${call.id} is queued but in no queue`)
      const remote = co.legs.get(call.remoteLegId)
      if (!remote || remote.callId !== call.id) fail(`call ${call.id} has no live remote leg`)
      let partners = 0
      for (const legId of call.legIds) {
        const leg = co.legs.get(legId)
        if (!leg) fail(`call ${call.id} lists dead leg ${legId}`)
        if (leg.callId !== call.id)
          fail(`leg ${legId} belongs to ${leg.callId}, listed by ${call.id}`)
        if (
          (leg.role === 'agent' || leg.role === 'callee') &&
          leg.id !== call.remoteLegId &&
          (leg.state === 'connected' || leg.state === 'held')
        ) {
          partners++
        }
      }
      // A caller is never connected to two agents (a conference is the one deliberate exception).
      if (call.state !== 'conference' && partners > 1)
        fail(`call ${call.id} is connected to ${partners} parties`)
      if (call.remoteLeg?.id !== call.remoteLegId)
        fail(`call ${call.id} remote leg is not the one its id names`)
      if ((call.partnerLeg?.id ?? null) !== call.partnerLegId)
        fail(`call ${call.id} partner leg is not the one its id names`)
      if (call.partnerLegId !== null && !co.legs.has(call.partnerLegId))
        fail(`call ${call.id} partner leg is dead`)
      if (['connected', 'held', 'consulting'].includes(call.state) && call.partnerLegId === null) {
        fail(`call ${call.id} is ${call.state} without a partner`)
      }
      if ((call.state === 'queued' || call.state === 'parked') && call.partnerLegId !== null) {
        fail(`call ${call.id} is ${call.state} but has a partner`)
      }
      for (const offer of call.offers) {
        for (const leg of offer.legs) {
          if (leg.state !== 'ended' && co.legs.get(leg.id) !== leg)
            fail(`offer leg ${leg.id} of ${call.id} is live but not among the company's legs`)
          if (leg.state !== 'ended' && leg.state !== 'ringing')
            fail(`offer leg ${leg.id} of ${call.id} is ${leg.state}`)
        }
        if (!offer.legs.some((leg) => co.legs.has(leg.id)))
          fail(`offer of ${call.id} to ${offer.userId} has no live leg`)
      }
      if (
        call.state === 'parked' &&
        (call.parkedSlot === null || co.parkSlots[call.parkedSlot] !== call.id)
      ) {
        fail(`parked call ${call.id} is not in its slot`)
      }
    }
    for (const [legId, leg] of co.legs) {
      const call = co.calls.get(leg.callId)
      if (!call || !call.legIds.includes(legId))
        fail(`leg ${legId} is live but its call ${leg.callId} does not list it`)
      if (leg.ownerId !== null && !co.agents.get(leg.ownerId)?.legs.includes(leg))
        fail(`leg ${legId} is not listed by its owner`)
    }
    for (const queue of co.queues.values()) {
      const present = queue.members.filter((m) => m.membership.present).length
      const idle = queue.members.filter((m) => m.membership.idle).length
      if (present !== queue.presentCount || idle !== queue.idleCount)
        fail(`queue ${queue.config.id} counts drifted`)
      // Routing takes a member's index for their order, and reads penalties from the queue.
      queue.members.forEach((m, i) => {
        if (m.membership.order !== i || queue.memberPenalties[i] !== m.membership.penalty)
          fail(`queue ${queue.config.id} member ${i} is out of place or has a stale penalty`)
        // The queue's codes are its part of the company's codes, where refreshAgent writes.
        if (
          queue.memberCodes.buffer !== co.memberCodes.buffer ||
          queue.memberCodes.byteOffset + i !== m.membership.slot
        )
          fail(`queue ${queue.config.id} member ${i} code is not in the company's codes`)
      })
    }
    for (const agent of co.agents.values()) {
      const counts = { ringing: 0, connected: 0, held: 0 }
      for (const leg of agent.legs) {
        const state = co.legs.get(leg.id) === leg ? leg.state : undefined
        if (state === 'ringing' || state === 'connected' || state === 'held') counts[state]++
      }
      if (
        counts.ringing !== agent.ringing ||
        counts.connected !== agent.connected ||
        counts.held !== agent.held
      ) {
        fail(
          `agent ${agent.user.id} leg counts drifted: ${JSON.stringify(counts)} vs ${agent.ringing}/${agent.connected}/${agent.held}`,
        )
      }
      if (!agent.stale) {
        // Flags of an agent not awaiting refresh must be exact.
        const free =
          agent.absence === null &&
          agent.legs.length === 0 &&
          !(agent.wrapUpUntil !== null && agent.wrapUpUntil > state.now)
        for (const m of agent.memberships.values()) {
          const present = m.loggedIn && m.paused === null && agent.absence === null
          if (m.present !== present || m.idle !== (present && free))
            fail(`agent ${agent.user.id} flags in ${m.queueId} are stale`)
          const reason = skipReason(agent, m, null, state.now)
          const code = co.queues.get(m.queueId)!.memberCodes[m.order]
          if (code !== (reason === null ? 0 : skipCode[reason]))
            fail(`agent ${agent.user.id} code in ${m.queueId} is stale`)
        }
      }
      let talking = 0
      for (const leg of agent.legs) {
        if (co.legs.get(leg.id) !== leg) fail(`agent ${agent.user.id} lists dead leg ${leg.id}`)
        if (leg.ownerId !== agent.user.id)
          fail(`agent ${agent.user.id} lists ${leg.id} owned by ${leg.ownerId}`)
        if (leg.state === 'connected') talking++
      }
      // An agent never has two calls in talk at once; a held call does not count.
      if (talking > 1) fail(`agent ${agent.user.id} is talking on ${talking} legs`)
    }
    co.parkSlots.forEach((callId, slot) => {
      if (callId !== null && co.calls.get(callId)?.parkedSlot !== slot)
        fail(`park slot ${slot} holds ${callId} which is not parked there`)
    })
  }
}

function fail(message: string): never {
  throw new Error(`invariant violated: ${message}`)
}
