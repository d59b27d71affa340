/**
 * The connection to the core, always on screen: connected, reconnecting, or offline with the
 * time of the last update (the copy on screen is kept, and marked stale, while offline).
 */
import { createSlice, type PayloadAction } from '@reduxjs/toolkit'
import {
  connectionAttempted,
  connectionEstablished,
  connectionFailed,
  connectionLost,
  deltaReceived,
  sessionEnded,
  snapshotReceived,
} from '../../services/core-events'
import { logoutRequested } from '../session/sessionSlice'

export type ConnectionStatus = 'idle' | 'connecting' | 'connected' | 'reconnecting' | 'offline'

export interface ConnectionState {
  status: ConnectionStatus
  /** When the status last changed. */
  since: number | null
  /** When the last snapshot or delta arrived (local clock). */
  lastUpdateAt: number | null
  attempts: number
  lastError: string | null
}

const initialState: ConnectionState = {
  status: 'idle',
  since: null,
  lastUpdateAt: null,
  attempts: 0,
  lastError: null,
}

/** Reconnecting turns into offline after this long without a connection. */
export const offlineAfterMs = 10_000

export const connectionSlice = createSlice({
  name: 'connection',
  initialState,
  reducers: {
    /** Reconnecting for too long (the listener's timer), or the browser went offline. */
    connectionGaveUp(state, action: PayloadAction<{ at: number }>) {
      if (state.status === 'connected' || state.status === 'idle') return
      state.status = 'offline'
      state.since = action.payload.at
    },
  },
  extraReducers: (builder) => {
    builder
      .addCase(connectionAttempted, (state, action) => {
        if (state.status === 'offline' || state.status === 'reconnecting') {
          state.attempts = action.payload.attempt ?? state.attempts + 1
          return
        }
        state.status = state.lastUpdateAt === null ? 'connecting' : 'reconnecting'
        state.since = action.payload.at
      })
      .addCase(connectionEstablished, (state, action) => {
        state.status = 'connected'
        state.since = action.payload.at
        state.attempts = 0
        state.lastError = null
      })
      .addCase(connectionLost, (state, action) => {
        state.status = 'reconnecting'
        state.since = action.payload.at
      })
      .addCase(connectionFailed, (state, action) => {
        state.lastError = action.payload.message
        if (state.status === 'connecting' || state.status === 'connected') {
          state.status = 'reconnecting'
          state.since = action.payload.at
        }
      })
      .addCase(snapshotReceived, (state, action) => {
        state.lastUpdateAt = action.payload.receivedAt
      })
      .addCase(deltaReceived, (state, action) => {
        state.lastUpdateAt = action.payload.receivedAt
      })
      .addCase(sessionEnded, () => initialState)
      .addCase(logoutRequested, () => initialState)
  },
})

export const { connectionGaveUp } = connectionSlice.actions
