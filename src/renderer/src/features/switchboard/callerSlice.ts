/** What the switchboard knows about a caller's number: earlier calls and operators' notes. */
import { createSlice, type PayloadAction } from '@reduxjs/toolkit'
import type { PhoneNumber } from '../../../../shared/ids'
import type { CallerNote, QueueLogEntry } from '../../../../shared/protocol'
import { sessionClosed } from '../session/sessionSlice'

export interface CallerInfo {
  history: QueueLogEntry[] | null
  notes: CallerNote[] | null
  status: 'loading' | 'loaded' | 'failed'
}

export interface CallerState {
  byNumber: Record<PhoneNumber, CallerInfo>
}

const initialState: CallerState = { byNumber: {} }
/** Numbers kept; the oldest looked-up numbers are forgotten first. */
const keep = 50

export const callerSlice = createSlice({
  name: 'caller',
  initialState,
  reducers: {
    callerLookedUp(state, action: PayloadAction<PhoneNumber>) {
      const known = state.byNumber[action.payload]
      // What is known stays on screen while it is fetched again.
      if (known) {
        known.status = 'loading'
        return
      }
      const numbers = Object.keys(state.byNumber)
      if (numbers.length >= keep) delete state.byNumber[numbers[0]!]
      state.byNumber[action.payload] = { history: null, notes: null, status: 'loading' }
    },
    callerInfoReceived(
      state,
      action: PayloadAction<{ number: PhoneNumber; history: QueueLogEntry[]; notes: CallerNote[] }>,
    ) {
      const { number, history, notes } = action.payload
      state.byNumber[number] = { history, notes, status: 'loaded' }
    },
    callerInfoFailed(state, action: PayloadAction<PhoneNumber>) {
      const info = state.byNumber[action.payload]
      if (info) info.status = 'failed'
    },
    noteSubmitted(_state, _action: PayloadAction<{ number: PhoneNumber; text: string }>) {},
    noteAdded(state, action: PayloadAction<CallerNote>) {
      const info = state.byNumber[action.payload.number]
      if (info?.notes) info.notes.unshift(action.payload)
    },
  },
  extraReducers: (builder) => {
    builder.addMatcher(sessionClosed, () => initialState)
  },
})

export const { callerLookedUp, callerInfoReceived, callerInfoFailed, noteSubmitted, noteAdded } =
  callerSlice.actions
