/**
 * Transfer targets for what is typed: colleagues (with live status), queues, and the number
 * itself when it is one. The index is rebuilt only when the directory changes, so a keystroke
 * costs one pass over it.
 */
import { createSelector } from '@reduxjs/toolkit'
import type { QueueId } from '../../../../shared/ids'
import type { AgentView, QueueView, UserView } from '../../../../shared/model'
import { buildIndex, buildUserIndex, searchIndex } from '../../../../shared/directory-search'
import { normalizeNumber } from '../../../../shared/phone'
import type { RootState } from '../../app/store'
import {
  selectAgents,
  selectAgentsByQueue,
  selectQueueList,
  selectUserList,
  statusOf,
  type ColleagueStatus,
  type QueueAgents,
} from '../live/selectors'

export type Target =
  | { kind: 'user'; user: UserView; status: ColleagueStatus; agent: AgentView | undefined }
  | { kind: 'queue'; queue: QueueView; agents: QueueAgents }
  | { kind: 'external'; number: string }

export const resultLimit = 30

export const selectUserIndex = createSelector([selectUserList], (users) => buildUserIndex(users))
export const selectQueueIndex = createSelector([selectQueueList], (queues) =>
  buildIndex(queues, (q) => ({ text: q.name, numbers: q.numbers, sortKey: q.name })),
)

const selectQuery = (s: RootState) => s.transfer.query

/** Searches any query against the directory (the transfer box and the directory view share it). */
export function searchTargets(
  query: string,
  users: ReturnType<typeof selectUserIndex>,
  queues: ReturnType<typeof selectQueueIndex>,
  agents: Record<string, AgentView>,
  agentsByQueue: Map<QueueId, QueueAgents>,
  limit = resultLimit,
): Target[] {
  if (query.trim() === '') return []
  const targets: Target[] = searchIndex(users, query, limit).map((user) => ({
    kind: 'user',
    user,
    agent: agents[user.id],
    status: statusOf(agents[user.id]),
  }))
  for (const queue of searchIndex(queues, query, 5))
    targets.push({
      kind: 'queue',
      queue,
      agents: agentsByQueue.get(queue.id) ?? { available: 0, loggedIn: 0, paused: 0 },
    })
  // A number typed in full is a target of its own (an outside number), after any colleague
  // whose number it matches.
  const digits = query.replace(/[\s\-().]/g, '')
  const number = /^\+?\d{3,}$/.test(digits) ? normalizeNumber(digits) : null
  if (number !== null) targets.push({ kind: 'external', number })
  return targets
}

export const selectTargets = createSelector(
  [selectQuery, selectUserIndex, selectQueueIndex, selectAgents, selectAgentsByQueue],
  (query, users, queues, agents, byQueue) => searchTargets(query, users, queues, agents, byQueue),
)
