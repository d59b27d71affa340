/**
 * Today's queue figures, fetched while someone who may see the queue board is logged in: at
 * once, every 15 seconds, and two seconds after a caller leaves a queue (answered or not), so
 * the answered and unanswered counts follow the live figures closely.
 */
import { isAnyOf } from '@reduxjs/toolkit'
import type { AppStartListening } from '../../app/listeners'
import type { RootState } from '../../app/store'
import { deltaReceived, sessionEnded, snapshotReceived } from '../../services/core-events'
import { startOfDay } from '../../lib/time'
import { logoutRequested } from '../session/sessionSlice'
import { statisticsFailed, statisticsReceived, statisticsRequested } from './boardSlice'

const refreshMs = 15_000
const afterChangeMs = 2_000

export const seesQueueBoard = (s: RootState): boolean => {
  const me = s.session.me
  return !!me && (me.role !== 'user' || me.functions.includes('queue-board'))
}

/** A delta in which a caller left a queue or a call ended: the day's figures have moved. */
const figuresMoved = (action: unknown): boolean =>
  deltaReceived.match(action) &&
  action.payload.delta.deltas.some(
    (d) =>
      (d.entity === 'call' &&
        (d.op === 'remove' || (d.op === 'upsert' && d.call.state !== 'queued'))) ||
      d.entity === 'queue',
  )

export function addBoardListeners(startListening: AppStartListening): void {
  startListening({
    actionCreator: snapshotReceived,
    effect: async (_action, api) => {
      // One loop per session: a new snapshot (a reconnect) restarts it.
      api.cancelActiveListeners()
      if (!seesQueueBoard(api.getState())) return
      for (;;) {
        api.dispatch(statisticsRequested())
        const now = api.extra.now() + api.getState().live.offsetMs
        const result = await api.extra.core.request('stats:queues', {
          from: startOfDay(now),
          to: now,
        })
        if ('error' in result) api.dispatch(statisticsFailed())
        else api.dispatch(statisticsReceived({ stats: result.data, at: now }))
        const [moved] = await Promise.all([
          api.take(
            (action) => figuresMoved(action) || isAnyOf(logoutRequested, sessionEnded)(action),
            refreshMs,
          ),
          api.delay(afterChangeMs),
        ])
        if (moved && isAnyOf(logoutRequested, sessionEnded)(moved[0])) return
        if (moved) await api.delay(afterChangeMs)
      }
    },
  })
}
