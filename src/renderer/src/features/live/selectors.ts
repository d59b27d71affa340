/**
 * Views of the live copy the screens need, memoised: the waiting callers in fair order, the
 * calls offered to and held by this user, each colleague's status, each queue's agents.
 */
import { createSelector } from '@reduxjs/toolkit'
import type { CallId, QueueId, UserId } from '../../../../shared/ids'
import type {
  AgentView,
  CallView,
  MissedCallView,
  Party,
  QueueView,
  UserView,
} from '../../../../shared/model'
import type { RootState } from '../../app/store'

const none = {}
export const selectMe = (s: RootState) => s.session.me
export const selectMyId = (s: RootState) => s.session.me?.userId ?? null
export const selectUsers = (s: RootState): Record<UserId, UserView> => s.live.data?.users ?? none
export const selectAgents = (s: RootState): Record<UserId, AgentView> => s.live.data?.agents ?? none
export const selectQueues = (s: RootState): Record<QueueId, QueueView> =>
  s.live.data?.queues ?? none
export const selectCalls = (s: RootState): Record<CallId, CallView> => s.live.data?.calls ?? none
export const selectMissedById = (s: RootState): Record<CallId, MissedCallView> =>
  s.live.data?.missed ?? none
export const selectOffsetMs = (s: RootState) => s.live.offsetMs

export const selectUserList = createSelector([selectUsers], (users) =>
  Object.values(users).sort(
    (a, b) =>
      a.lastName.localeCompare(b.lastName, 'nb') || a.firstName.localeCompare(b.firstName, 'nb'),
  ),
)

export const selectQueueList = createSelector([selectQueues], (queues) =>
  Object.values(queues).sort((a, b) => a.name.localeCompare(b.name, 'nb')),
)

/** The engine's queue order: VIP first, then priority, then who has waited longest. */
export function queueOrder(a: CallView, b: CallView): number {
  return (
    Number(b.vip) - Number(a.vip) ||
    b.priority - a.priority ||
    a.waitingSince - b.waitingSince ||
    a.seq - b.seq
  )
}

/** Callers waiting in the queues this user sees, across all of them, in the order served. */
export const selectWaiting = createSelector([selectCalls], (calls) =>
  Object.values(calls)
    .filter((c) => c.state === 'queued' && c.queueId !== null)
    .sort(queueOrder),
)

export const selectWaitingByQueue = createSelector([selectWaiting], (waiting) => {
  const byQueue = new Map<QueueId, CallView[]>()
  for (const call of waiting) {
    const list = byQueue.get(call.queueId!) ?? []
    list.push(call)
    byQueue.set(call.queueId!, list)
  }
  return byQueue
})

/** Calls ringing for this user: queue offers, direct calls, transfers, recalls. */
export const selectOffered = createSelector([selectCalls, selectMyId], (calls, me) =>
  me === null
    ? []
    : Object.values(calls)
        .filter(
          (c) =>
            c.offeredTo.includes(me) &&
            (c.state === 'queued' || c.state === 'ringing') &&
            c.legs.some((l) => l.state === 'ringing' && l.party.userId === me),
        )
        .sort(queueOrder),
)

/**
 * Who is at the other end of the call for this user: the remote party, unless that is the user
 * themselves (an internal call they placed, or a consultation that went on after the caller hung
 * up), then the colleague they called.
 */
export function counterpartOf(call: CallView, me: UserId | null): Party {
  if (me === null || call.remote.userId !== me) return call.remote
  const other = call.legs.find(
    (l) => l.id !== call.remoteLegId && l.state !== 'ended' && l.party.userId !== me,
  )
  return other?.party ?? call.remote
}

/** Whether this user is a party to the call (talking, holding, consulting, dialling, in conference). */
export function isMine(call: CallView, me: UserId): boolean {
  if (call.state === 'ended' || call.state === 'queued' || call.state === 'parked') return false
  if (call.agentId === me) return true
  if (call.originatorId === me && (call.state === 'dialing' || call.state === 'connected'))
    return true
  return call.legs.some(
    (l) =>
      l.party.userId === me && l.state !== 'ended' && l.state !== 'ringing' && l.role !== 'offer',
  )
}

/** This user's own calls, newest first. */
export const selectMyCalls = createSelector([selectCalls, selectMyId], (calls, me) =>
  me === null
    ? []
    : Object.values(calls)
        .filter((c) => isMine(c, me))
        .sort((a, b) => (b.answeredAt ?? b.startedAt) - (a.answeredAt ?? a.startedAt)),
)

export const selectParked = createSelector([selectCalls], (calls) =>
  Object.values(calls)
    .filter((c) => c.state === 'parked' && c.parkedSlot !== null)
    .sort((a, b) => a.parkedSlot! - b.parkedSlot!),
)

export const selectMissed = createSelector([selectMissedById], (missed) =>
  Object.values(missed).sort((a, b) => b.at - a.at),
)

export type ColleagueStatus =
  | { kind: 'free' }
  | { kind: 'busy'; activity: AgentView['activity'] }
  | { kind: 'absent'; absence: NonNullable<AgentView['absence']> }
  | { kind: 'unknown' }

export function statusOf(agent: AgentView | undefined): ColleagueStatus {
  if (!agent) return { kind: 'unknown' }
  if (agent.absence) return { kind: 'absent', absence: agent.absence }
  if (agent.presence === 'busy' || agent.activity !== 'idle')
    return { kind: 'busy', activity: agent.activity }
  return { kind: 'free' }
}

export interface QueueAgents {
  /** Logged in, not paused, present and idle: could take the next caller now. */
  available: number
  /** Logged in to the queue (busy or not). */
  loggedIn: number
  paused: number
}

/** Per queue: how many members could take a caller now (the queue board's first figure). */
export const selectAgentsByQueue = createSelector([selectAgents], (agents) => {
  const byQueue = new Map<QueueId, QueueAgents>()
  for (const agent of Object.values(agents))
    for (const m of agent.queues) {
      const row = byQueue.get(m.queueId) ?? { available: 0, loggedIn: 0, paused: 0 }
      if (m.loggedIn) {
        row.loggedIn++
        if (m.paused) row.paused++
        else if (agent.presence === 'available' && agent.activity === 'idle' && !agent.absence)
          row.available++
      }
      byQueue.set(m.queueId, row)
    }
  return byQueue
})

/** The user's own agent state (absence, queue memberships). */
export const selectMyAgent = createSelector([selectAgents, selectMyId], (agents, me) =>
  me === null ? null : (agents[me] ?? null),
)

/** Callers waiting in the queues this user is a member of (the tray's figure). */
export const selectWaitingInMyQueues = createSelector([selectWaiting, selectMe], (waiting, me) => {
  const mine = new Set(me?.queueIds ?? [])
  return waiting.filter((c) => c.queueId !== null && mine.has(c.queueId)).length
})

const selectFocusedCallId = (s: RootState) => s.switchboard.focusedCallId

/** The call the call panel shows: the one chosen, else the newest of the user's own. */
export const selectFocusedCall = createSelector(
  [selectMyCalls, selectFocusedCallId],
  (mine, focused) => mine.find((c) => c.id === focused) ?? mine[0] ?? null,
)
