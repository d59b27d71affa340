/** A connection that stays down turns from "reconnecting" to "offline". */
import { isAnyOf } from '@reduxjs/toolkit'
import type { AppStartListening } from '../../app/listeners'
import { connectionFailed, connectionLost } from '../../services/core-events'
import { connectionGaveUp, offlineAfterMs } from './connectionSlice'

export function addConnectionListeners(startListening: AppStartListening): void {
  startListening({
    matcher: isAnyOf(connectionLost, connectionFailed),
    effect: async (_action, api) => {
      // One timer at a time: a later loss restarts it.
      api.cancelActiveListeners()
      await api.delay(offlineAfterMs)
      if (api.getState().connection.status !== 'connected')
        api.dispatch(connectionGaveUp({ at: api.extra.now() }))
    },
  })
}
