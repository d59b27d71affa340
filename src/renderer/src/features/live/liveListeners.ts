/** A gap in a stream: ask the core for a fresh snapshot, once, however many deltas follow. */
import type { AppStartListening } from '../../app/listeners'
import { deltaReceived, snapshotReceived } from '../../services/core-events'
import { resyncFailed } from './liveSlice'

export function addLiveListeners(startListening: AppStartListening): void {
  let inFlight = false
  startListening({
    actionCreator: deltaReceived,
    effect: async (_action, api) => {
      if (!api.getState().live.resyncNeeded || inFlight) return
      inFlight = true
      try {
        const result = await api.extra.core.resync()
        if ('error' in result) api.dispatch(resyncFailed({ message: result.error.message }))
        else api.dispatch(snapshotReceived({ snapshot: result.data, receivedAt: api.extra.now() }))
      } finally {
        inFlight = false
      }
    },
  })
}
