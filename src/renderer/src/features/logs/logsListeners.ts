/**
 * Call logs are read when their view opens, when older entries are asked for, and again
 * shortly after one of the user's calls ends while the log is on screen.
 */
import type { AppStartListening } from '../../app/listeners'
import type { RootState } from '../../app/store'
import { deltaReceived } from '../../services/core-events'
import { viewChosen } from '../ui/uiSlice'
import { logFailed, logRequested, myLogReceived, pageSize, queueLogReceived } from './logsSlice'

/** The instant to page from: strictly older than the last entry shown. */
function before(s: RootState, log: 'mine' | 'queues'): number | undefined {
  const last =
    log === 'mine' ? s.logs.mine.entries.at(-1)?.startedAt : s.logs.queues.entries.at(-1)?.enteredAt
  return last
}

export function addLogsListeners(startListening: AppStartListening): void {
  startListening({
    actionCreator: viewChosen,
    effect: (action, api) => {
      if (action.payload === 'log') api.dispatch(logRequested({ log: 'mine', older: false }))
      if (action.payload === 'queue-log')
        api.dispatch(logRequested({ log: 'queues', older: false }))
    },
  })

  startListening({
    actionCreator: logRequested,
    effect: async (action, api) => {
      const { log, older } = action.payload
      const page = { limit: pageSize, ...(older ? { before: before(api.getState(), log) } : {}) }
      if (log === 'mine') {
        const result = await api.extra.core.request('log:mine', page)
        if ('error' in result) api.dispatch(logFailed({ log }))
        else api.dispatch(myLogReceived({ entries: result.data, older }))
      } else {
        const result = await api.extra.core.request('log:queues', page)
        if ('error' in result) api.dispatch(logFailed({ log }))
        else api.dispatch(queueLogReceived({ entries: result.data, older }))
      }
    },
  })

  startListening({
    predicate: (action, state) =>
      deltaReceived.match(action) &&
      (state.ui.view === 'log' || state.ui.view === 'queue-log') &&
      action.payload.delta.deltas.some((d) => d.entity === 'call' && d.op === 'remove'),
    effect: async (_action, api) => {
      api.cancelActiveListeners()
      // Call-log records are stored as the call ends; give the store a moment, merge bursts.
      await api.delay(750)
      const view = api.getState().ui.view
      if (view === 'log') api.dispatch(logRequested({ log: 'mine', older: false }))
      if (view === 'queue-log') api.dispatch(logRequested({ log: 'queues', older: false }))
    },
  })
}
