/**
 * The live copy of the core's state: a snapshot, then deltas applied by the shared rules of
 * src/shared/live-copy.ts. A gap in any stream stops applying (the listener asks for a
 * resync); a replayed delta is ignored. Kept while offline, so the directory stays usable.
 */
import { createSlice, type PayloadAction } from '@reduxjs/toolkit'
import { applyDelta, liveFromSnapshot, type LiveData } from '../../../../shared/live-copy'
import { deltaReceived, sessionEnded, snapshotReceived } from '../../services/core-events'
import { logoutRequested } from '../session/sessionSlice'

export interface LiveState {
  data: LiveData | null
  /** The core's clock minus ours, so wait times tick from the core's instants. */
  offsetMs: number
  /** A gap was seen: deltas are ignored until a fresh snapshot arrives. */
  resyncNeeded: boolean
  gaps: number
}

const initialState: LiveState = { data: null, offsetMs: 0, resyncNeeded: false, gaps: 0 }

export const liveSlice = createSlice({
  name: 'live',
  initialState,
  reducers: {
    resyncFailed(state, _action: PayloadAction<{ message: string }>) {
      // Stay marked: the next delta tries again.
      state.resyncNeeded = true
    },
  },
  extraReducers: (builder) => {
    builder
      .addCase(snapshotReceived, (state, action) => {
        const { snapshot, receivedAt } = action.payload
        state.data = liveFromSnapshot(snapshot)
        state.offsetMs = snapshot.at - receivedAt
        state.resyncNeeded = false
      })
      .addCase(deltaReceived, (state, action) => {
        if (!state.data || state.resyncNeeded) return
        if (applyDelta(state.data, action.payload.delta) === 'gap') {
          state.resyncNeeded = true
          state.gaps++
        }
      })
      .addCase(sessionEnded, () => initialState)
      .addCase(logoutRequested, () => initialState)
  },
})

export const { resyncFailed } = liveSlice.actions
