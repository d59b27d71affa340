/**
 * The desktop app's shell follows the queues (tray count, notifications for offered calls) and
 * sends back global shortcuts, tray choices and notification clicks as commands. In the web
 * switchboard there is no bridge and none of this runs.
 */
import type { ShellCommand, QueueStatusReport } from '../../../../preload/bridge'
import { appStarted } from '../../app/actions'
import type { AppStartListening } from '../../app/listeners'
import type { AppDispatch, RootState } from '../../app/store'
import {
  selectFocusedCall,
  selectMyAgent,
  selectOffered,
  selectQueues,
  selectWaiting,
  selectWaitingInMyQueues,
} from '../live/selectors'
import { callFocused, commandIssued } from '../switchboard/switchboardSlice'
import { focusRequested, viewChosen } from '../ui/uiSlice'

export function queueStatusOf(s: RootState): QueueStatusReport {
  const queues = selectQueues(s)
  return {
    waiting: selectWaitingInMyQueues(s),
    offered: selectOffered(s).map((c) => ({
      callId: c.id,
      callerName: c.remote.name,
      callerNumber: c.remote.number,
      queueName: c.queueId !== null ? (queues[c.queueId]?.name ?? null) : null,
    })),
    absent: (selectMyAgent(s)?.absence ?? null) !== null,
  }
}

/** What a shell command means here; the same actions the keyboard and buttons dispatch. */
export function handleShellCommand(
  command: ShellCommand,
  s: RootState,
  dispatch: AppDispatch,
): void {
  switch (command.kind) {
    case 'answer-next': {
      const offered = selectOffered(s)[0]
      const waiting = selectWaiting(s)[0]
      if (offered) dispatch(commandIssued({ kind: 'answer', callId: offered.id }))
      else if (waiting) dispatch(commandIssued({ kind: 'pick', callId: waiting.id }))
      return
    }
    case 'hang-up': {
      const call = selectFocusedCall(s)
      if (call) dispatch(commandIssued({ kind: 'hangup', callId: call.id }))
      return
    }
    case 'transfer':
      dispatch(viewChosen('switchboard'))
      dispatch(focusRequested('transfer-search'))
      return
    case 'toggle-absent':
      if (selectMyAgent(s)?.absence) dispatch(commandIssued({ kind: 'absence-clear' }))
      else dispatch(absentNow())
      return
    case 'set-absent':
      dispatch(absentNow())
      return
    case 'set-available':
      dispatch(commandIssued({ kind: 'absence-clear' }))
      return
    case 'show-call':
      dispatch(viewChosen('switchboard'))
      dispatch(callFocused(command.callId))
      return
  }
}

const absentNow = () =>
  commandIssued({ kind: 'absence-set', reason: 'other', note: null, until: null, forwardTo: null })

export function addDesktopListeners(startListening: AppStartListening): void {
  startListening({
    actionCreator: appStarted,
    effect: (_action, api) => {
      const bridge = api.extra.bridge
      if (!bridge) return
      bridge.onCommand((command) => handleShellCommand(command, api.getState(), api.dispatch))
    },
  })

  let last = ''
  startListening({
    predicate: (_action, current, previous) =>
      current.live !== previous.live || current.session !== previous.session,
    effect: (_action, api) => {
      const bridge = api.extra.bridge
      if (!bridge || api.getState().session.status !== 'signed-in') return
      const report = queueStatusOf(api.getState())
      const text = JSON.stringify(report)
      if (text === last) return
      last = text
      bridge.reportQueueStatus(report)
    },
  })
}
