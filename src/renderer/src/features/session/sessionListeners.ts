/**
 * Logging in and out, and keeping the session across a reload (this tab's sessionStorage) or,
 * in the desktop app when asked, across restarts (the OS keychain through the bridge).
 */
import { appStarted } from '../../app/actions'
import type { AppStartListening } from '../../app/listeners'
import { sessionEnded } from '../../services/core-events'
import { noticeShown } from '../notices/noticesSlice'
import {
  loginFailed,
  loginSubmitted,
  loginSucceeded,
  logoutRequested,
  sessionRestoring,
} from './sessionSlice'

const tokenKey = 'sentral.session'

interface KeptSession {
  token: string
  serverUrl: string
}

function parseKept(text: string | null): KeptSession | null {
  if (!text) return null
  try {
    const value = JSON.parse(text) as Partial<KeptSession>
    return typeof value.token === 'string' && typeof value.serverUrl === 'string'
      ? { token: value.token, serverUrl: value.serverUrl }
      : null
  } catch {
    return null
  }
}

export function addSessionListeners(startListening: AppStartListening): void {
  startListening({
    actionCreator: appStarted,
    effect: async (_action, api) => {
      const { bridge, sessionStorage } = api.extra
      const kept = parseKept(sessionStorage.get(tokenKey))
      if (kept) {
        api.dispatch(sessionRestoring(kept))
        return
      }
      const remembered = bridge ? await bridge.recallLogin().catch(() => null) : null
      if (remembered && remembered.expiresAt > api.extra.now())
        api.dispatch(sessionRestoring({ token: remembered.token, serverUrl: remembered.serverUrl }))
    },
  })

  startListening({
    actionCreator: sessionRestoring,
    effect: (action, api) => {
      api.extra.core.connect(action.payload.serverUrl, action.payload.token)
    },
  })

  startListening({
    actionCreator: loginSubmitted,
    effect: async (action, api) => {
      const { username, password, serverUrl, remember } = action.payload
      const result = await api.extra.core.login(serverUrl, { username, password })
      if ('error' in result) {
        api.dispatch(loginFailed(result.error))
        return
      }
      const { token, expiresAt, me } = result.data
      api.extra.sessionStorage.set(tokenKey, JSON.stringify({ token, serverUrl }))
      if (remember && api.extra.bridge) {
        const kept = await api.extra.bridge
          .rememberLogin({ serverUrl, username, token, expiresAt })
          .catch(() => false)
        if (!kept)
          api.dispatch(
            noticeShown({
              kind: 'info',
              key: 'notice.notRemembered',
              values: {},
              at: api.extra.now(),
            }),
          )
      }
      api.dispatch(loginSucceeded({ token, expiresAt, me }))
      api.extra.core.connect(serverUrl, token)
    },
  })

  startListening({
    actionCreator: logoutRequested,
    effect: async (_action, api) => {
      const token = api.getOriginalState().session.token
      api.extra.sessionStorage.remove(tokenKey)
      await api.extra.bridge?.forgetLogin().catch(() => undefined)
      if (token) await api.extra.core.logout(token)
    },
  })

  startListening({
    actionCreator: sessionEnded,
    effect: async (_action, api) => {
      api.extra.sessionStorage.remove(tokenKey)
      api.extra.core.disconnect()
      await api.extra.bridge?.forgetLogin().catch(() => undefined)
    },
  })
}
