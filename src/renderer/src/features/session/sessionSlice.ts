/**
 * Who is logged in. The token lives here and in the tab's sessionStorage; `me` comes with the
 * login and is refreshed by every snapshot (rights may change while logged in).
 */
import { createSlice, isAnyOf, type PayloadAction } from '@reduxjs/toolkit'
import type { Me } from '../../../../shared/protocol'
import type { ClientError } from '../../services/core-client'
import { sessionEnded, snapshotReceived, type SessionEndReason } from '../../services/core-events'

export type SessionStatus = 'signed-out' | 'signing-in' | 'restoring' | 'signed-in'

export interface SessionState {
  status: SessionStatus
  me: Me | null
  token: string | null
  expiresAt: number | null
  serverUrl: string
  error: ClientError | null
  /** Why the last session ended, when the core ended it. */
  endedBecause: SessionEndReason | null
}

const initialState: SessionState = {
  status: 'signed-out',
  me: null,
  token: null,
  expiresAt: null,
  serverUrl: '',
  error: null,
  endedBecause: null,
}

export interface LoginSubmission {
  username: string
  password: string
  serverUrl: string
  /** Desktop app: keep the session in the OS keychain. */
  remember: boolean
}

const signedOut = (serverUrl: string, endedBecause: SessionEndReason | null): SessionState => ({
  ...initialState,
  serverUrl,
  endedBecause,
})

export const sessionSlice = createSlice({
  name: 'session',
  initialState,
  reducers: {
    loginSubmitted(state, action: PayloadAction<LoginSubmission>) {
      state.status = 'signing-in'
      state.serverUrl = action.payload.serverUrl
      state.error = null
      state.endedBecause = null
    },
    loginSucceeded(state, action: PayloadAction<{ token: string; expiresAt: number; me: Me }>) {
      state.status = 'signed-in'
      state.token = action.payload.token
      state.expiresAt = action.payload.expiresAt
      state.me = action.payload.me
      state.error = null
    },
    loginFailed(state, action: PayloadAction<ClientError>) {
      state.status = 'signed-out'
      state.error = action.payload
    },
    /** A token kept from before (a reload, or the desktop app's keychain) is being tried. */
    sessionRestoring(state, action: PayloadAction<{ token: string; serverUrl: string }>) {
      state.status = 'restoring'
      state.token = action.payload.token
      state.serverUrl = action.payload.serverUrl
    },
    logoutRequested(state) {
      return signedOut(state.serverUrl, null)
    },
  },
  extraReducers: (builder) => {
    builder
      .addCase(snapshotReceived, (state, action) => {
        state.me = action.payload.snapshot.me
        if (state.status === 'restoring') state.status = 'signed-in'
      })
      .addCase(sessionEnded, (state, action) => signedOut(state.serverUrl, action.payload.reason))
  },
})

export const { loginSubmitted, loginSucceeded, loginFailed, sessionRestoring, logoutRequested } =
  sessionSlice.actions

/** The session is over, by the user or by the core: everything that was theirs is forgotten. */
export const sessionClosed = isAnyOf(logoutRequested, sessionEnded)
