/**
 * Commands to the core and what follows them: focus goes where the next action is (after an
 * answer, the transfer search; after a transfer or hang-up, the waiting callers), failures
 * become notices, and the caller's history and notes are fetched when a new caller is in focus.
 */
import { createSelector } from '@reduxjs/toolkit'
import type { AppStartListening } from '../../app/listeners'
import type { RootState } from '../../app/store'
import { selectCalls, selectFocusedCall, selectMyCalls } from '../live/selectors'
import { noticeShown } from '../notices/noticesSlice'
import { focusRequested } from '../ui/uiSlice'
import {
  callerInfoFailed,
  callerInfoReceived,
  callerLookedUp,
  noteAdded,
  noteSubmitted,
} from './callerSlice'
import { send } from './commands'
import { commandFailed, commandIssued, commandSucceeded } from './switchboardSlice'

const isOperator = (s: RootState) =>
  s.session.me?.role === 'operator' || s.session.me?.role === 'contact'
/** The outside caller in focus, per call: a new call from the same number fetches again. */
const focusedCaller = (s: RootState) => {
  const call = selectFocusedCall(s)
  return call && call.remote.userId === null
    ? { callId: call.id, number: call.remote.number }
    : null
}

/** The user's calls with the caller held while they consult a colleague or a number. */
const selectMyConsultations = createSelector([selectMyCalls], (calls) =>
  calls.filter((c) => c.state === 'consulting').map((c) => c.id),
)

export function addSwitchboardListeners(startListening: AppStartListening): void {
  // A consultation ends by the user's own hand (complete, cancel, hang up) with the caller's call
  // still there; the call gone means the caller hung up, and the user, still talking to the one
  // they asked, should hear it before they press C to put nobody through.
  startListening({
    predicate: (_action, current, previous) => {
      if (!isOperator(current)) return false
      const before = selectMyConsultations(previous)
      if (before.length === 0) return false
      const calls = selectCalls(current)
      return before.some((id) => calls[id] === undefined || calls[id].state === 'ended')
    },
    effect: (_action, api) => {
      api.dispatch(
        noticeShown({
          kind: 'info',
          key: 'notice.callerLeftConsult',
          values: {},
          at: api.extra.now(),
        }),
      )
      api.dispatch(focusRequested('call-panel'))
    },
  })

  startListening({
    actionCreator: commandIssued,
    effect: async (action, api) => {
      const command = action.payload
      const result = await send(api.extra.core, command)
      if ('error' in result) {
        api.dispatch(commandFailed({ command, error: result.error }))
        api.dispatch(
          noticeShown({
            kind: 'error',
            key: `error.${result.error.code}`,
            values: { command: command.kind },
            code: result.error.code,
            at: api.extra.now(),
          }),
        )
        return
      }
      const data = result.data as { slot?: number } | null
      api.dispatch(
        commandSucceeded(data?.slot !== undefined ? { command, slot: data.slot } : { command }),
      )
    },
  })

  startListening({
    actionCreator: commandSucceeded,
    effect: (action, api) => {
      const { command, slot } = action.payload
      const at = api.extra.now()
      switch (command.kind) {
        case 'answer':
        case 'pick':
        case 'retrieve':
          api.dispatch(focusRequested('transfer-search'))
          return
        case 'transfer':
          api.dispatch(
            noticeShown({
              kind: 'info',
              key: command.mode === 'blind' ? 'notice.transferred' : 'notice.consulting',
              values: {},
              at,
            }),
          )
          if (command.mode === 'blind') api.dispatch(focusRequested('waiting-list'))
          else api.dispatch(focusRequested('call-panel'))
          return
        case 'transfer-complete':
        case 'hangup':
          api.dispatch(focusRequested('waiting-list'))
          return
        case 'transfer-cancel':
          api.dispatch(noticeShown({ kind: 'info', key: 'notice.backWithCaller', values: {}, at }))
          api.dispatch(focusRequested('call-panel'))
          return
        case 'park':
          if (slot !== undefined)
            api.dispatch(noticeShown({ kind: 'info', key: 'notice.parked', values: { slot }, at }))
          api.dispatch(focusRequested('waiting-list'))
          return
        case 'sms':
          api.dispatch(noticeShown({ kind: 'info', key: 'notice.smsSent', values: {}, at }))
          return
        default:
          return
      }
    },
  })

  startListening({
    predicate: (_action, current, previous) =>
      isOperator(current) &&
      focusedCaller(current) !== null &&
      focusedCaller(current)?.callId !== focusedCaller(previous)?.callId,
    effect: async (_action, api) => {
      const number = focusedCaller(api.getState())?.number
      if (number === undefined) return
      api.dispatch(callerLookedUp(number))
      const [history, notes] = await Promise.all([
        api.extra.core.request('caller:history', { number, limit: 20 }),
        api.extra.core.request('note:list', { number }),
      ])
      if ('error' in history || 'error' in notes) api.dispatch(callerInfoFailed(number))
      else api.dispatch(callerInfoReceived({ number, history: history.data, notes: notes.data }))
    },
  })

  startListening({
    actionCreator: noteSubmitted,
    effect: async (action, api) => {
      const result = await api.extra.core.request('note:add', action.payload)
      if ('error' in result)
        api.dispatch(
          noticeShown({
            kind: 'error',
            key: `error.${result.error.code}`,
            values: {},
            code: result.error.code,
            at: api.extra.now(),
          }),
        )
      else api.dispatch(noteAdded(result.data))
    },
  })
}
