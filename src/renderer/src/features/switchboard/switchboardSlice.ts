/**
 * The operator's work: which of their calls is in focus, which waiting caller the cursor is
 * on, and the commands on their way to the core (their buttons wait; a second press is not
 * sent twice).
 */
import { createSlice, type PayloadAction } from '@reduxjs/toolkit'
import type { CallId, LegId, QueueId } from '../../../../shared/ids'
import type { AbsenceReason, Destination } from '../../../../shared/model'
import type { ClientError } from '../../services/core-client'
import { sessionClosed } from '../session/sessionSlice'

/** Commands on one call that need nothing but its id. */
export const callCommands = [
  'answer',
  'reject',
  'pick',
  'hold',
  'resume',
  'hangup',
  'transfer-complete',
  'transfer-cancel',
  'park',
  'conference-create',
  'conference-end',
  'callback-mark',
] as const
export type CallCommand = (typeof callCommands)[number]

export type Command =
  | { kind: CallCommand; callId: CallId }
  | { kind: 'transfer'; callId: CallId; target: Destination; mode: 'blind' | 'consult' }
  | { kind: 'conference-add'; callId: CallId; target: Destination }
  | { kind: 'conference-remove'; callId: CallId; legId: LegId }
  | { kind: 'retrieve'; slot: number }
  | { kind: 'dial'; to: string; presentedNumber: string }
  | { kind: 'sms'; to: string; presentedNumber: string; text: string }
  | {
      kind: 'absence-set'
      reason: AbsenceReason
      note: string | null
      until: number | null
      forwardTo: string | null
    }
  | { kind: 'absence-clear' }
  | { kind: 'queue-login' | 'queue-logout'; queueId: QueueId }
  | { kind: 'pause'; queueId: QueueId | null; reason: string }
  | { kind: 'unpause'; queueId: QueueId | null }

export type CommandKind = Command['kind']

export interface SwitchboardState {
  /** The call the call panel shows (one of the user's own). */
  focusedCallId: CallId | null
  /** The waiting caller the cursor is on (Enter picks it). */
  cursorCallId: CallId | null
  queueFilter: QueueId | 'all'
  /** In-flight commands by key (`kind:callId`). */
  pending: Record<string, CommandKind>
  lastError: (ClientError & { command: CommandKind }) | null
}

const initialState: SwitchboardState = {
  focusedCallId: null,
  cursorCallId: null,
  queueFilter: 'all',
  pending: {},
  lastError: null,
}

export function commandKey(command: Command): string {
  switch (command.kind) {
    case 'retrieve':
      return `retrieve:${command.slot}`
    case 'dial':
    case 'sms':
    case 'absence-set':
    case 'absence-clear':
      return command.kind
    case 'queue-login':
    case 'queue-logout':
    case 'pause':
    case 'unpause':
      return `${command.kind}:${command.queueId ?? 'all'}`
    default:
      return `${command.kind}:${command.callId}`
  }
}

export const switchboardSlice = createSlice({
  name: 'switchboard',
  initialState,
  reducers: {
    commandIssued(state, action: PayloadAction<Command>) {
      state.pending[commandKey(action.payload)] = action.payload.kind
      state.lastError = null
    },
    commandSucceeded(state, action: PayloadAction<{ command: Command; slot?: number }>) {
      delete state.pending[commandKey(action.payload.command)]
      const c = action.payload.command
      if ((c.kind === 'answer' || c.kind === 'pick') && c.callId) state.focusedCallId = c.callId
    },
    commandFailed(state, action: PayloadAction<{ command: Command; error: ClientError }>) {
      delete state.pending[commandKey(action.payload.command)]
      state.lastError = { ...action.payload.error, command: action.payload.command.kind }
    },
    callFocused(state, action: PayloadAction<CallId | null>) {
      state.focusedCallId = action.payload
    },
    cursorMoved(state, action: PayloadAction<CallId | null>) {
      state.cursorCallId = action.payload
    },
    queueFilterChosen(state, action: PayloadAction<QueueId | 'all'>) {
      state.queueFilter = action.payload
      state.cursorCallId = null
    },
  },
  extraReducers: (builder) => {
    builder.addMatcher(sessionClosed, () => initialState)
  },
})

export const {
  commandIssued,
  commandSucceeded,
  commandFailed,
  callFocused,
  cursorMoved,
  queueFilterChosen,
} = switchboardSlice.actions
