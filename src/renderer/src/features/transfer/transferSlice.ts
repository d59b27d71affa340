/** The transfer target search: what is typed and which result is highlighted. */
import { createSlice, type PayloadAction } from '@reduxjs/toolkit'
import { sessionClosed } from '../session/sessionSlice'
import { commandSucceeded } from '../switchboard/switchboardSlice'

export interface TransferState {
  query: string
  highlighted: number
}

const initialState: TransferState = { query: '', highlighted: 0 }

export const transferSlice = createSlice({
  name: 'transfer',
  initialState,
  reducers: {
    searchTyped(state, action: PayloadAction<string>) {
      state.query = action.payload
      state.highlighted = 0
    },
    highlightMoved(state, action: PayloadAction<{ by: number; count: number }>) {
      const { by, count } = action.payload
      if (count === 0) return
      state.highlighted = (state.highlighted + by + count) % count
    },
    highlightSet(state, action: PayloadAction<number>) {
      state.highlighted = action.payload
    },
    searchCleared() {
      return initialState
    },
  },
  extraReducers: (builder) => {
    builder
      // A transfer that went through empties the search for the next caller.
      .addCase(commandSucceeded, (state, action) =>
        action.payload.command.kind === 'transfer' ? initialState : state,
      )
      .addMatcher(sessionClosed, () => initialState)
  },
})

export const { searchTyped, highlightMoved, highlightSet, searchCleared } = transferSlice.actions
