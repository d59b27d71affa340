/** Call logs read from the core: the user's own, and the queue log of the operator's queues. */
import { createSlice, type PayloadAction } from '@reduxjs/toolkit'
import type { QueueLogEntry, UserLogEntry } from '../../../../shared/protocol'
import { sessionClosed } from '../session/sessionSlice'

export type LogKind = 'mine' | 'queues'

interface Page<T> {
  entries: T[]
  status: 'idle' | 'loading' | 'failed'
  /** More older entries may exist. */
  more: boolean
}

export interface LogsState {
  mine: Page<UserLogEntry>
  queues: Page<QueueLogEntry>
}

export const pageSize = 100
const empty = { entries: [], status: 'idle', more: false } as const
const initialState: LogsState = {
  mine: { ...empty, entries: [] },
  queues: { ...empty, entries: [] },
}

export const logsSlice = createSlice({
  name: 'logs',
  initialState,
  reducers: {
    logRequested(state, action: PayloadAction<{ log: LogKind; older: boolean }>) {
      state[action.payload.log].status = 'loading'
    },
    myLogReceived(state, action: PayloadAction<{ entries: UserLogEntry[]; older: boolean }>) {
      const { entries, older } = action.payload
      state.mine = {
        entries: older ? [...state.mine.entries, ...entries] : entries,
        status: 'idle',
        more: entries.length === pageSize,
      }
    },
    queueLogReceived(state, action: PayloadAction<{ entries: QueueLogEntry[]; older: boolean }>) {
      const { entries, older } = action.payload
      state.queues = {
        entries: older ? [...state.queues.entries, ...entries] : entries,
        status: 'idle',
        more: entries.length === pageSize,
      }
    },
    logFailed(state, action: PayloadAction<{ log: LogKind }>) {
      state[action.payload.log].status = 'failed'
    },
  },
  extraReducers: (builder) => {
    builder.addMatcher(sessionClosed, () => initialState)
  },
})

export const { logRequested, myLogReceived, queueLogReceived, logFailed } = logsSlice.actions
