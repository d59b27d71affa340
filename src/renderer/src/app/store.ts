/**
 * The store: one slice per feature, effects in listener middleware. `setupStore` takes the
 * services (the core client, the desktop bridge, storage, the clock) so a test builds a fresh
 * store against a real core, or a store with a preloaded state and no core at all.
 */
import {
  combineReducers,
  configureStore,
  createListenerMiddleware,
  type ThunkDispatch,
  type UnknownAction,
} from '@reduxjs/toolkit'
import type { SentralBridge } from '../../../preload/bridge'
import { createCoreClient, type CoreClient } from '../services/core-client'
import { browserStorage, type KeyValueStorage } from '../services/storage'
import { boardSlice } from '../features/board/boardSlice'
import { connectionSlice } from '../features/connection/connectionSlice'
import { liveSlice } from '../features/live/liveSlice'
import { logsSlice } from '../features/logs/logsSlice'
import { noticesSlice } from '../features/notices/noticesSlice'
import { sessionSlice } from '../features/session/sessionSlice'
import { settingsSlice } from '../features/settings/settingsSlice'
import { callerSlice } from '../features/switchboard/callerSlice'
import { switchboardSlice } from '../features/switchboard/switchboardSlice'
import { transferSlice } from '../features/transfer/transferSlice'
import { uiSlice } from '../features/ui/uiSlice'
import { addAppListeners } from './listeners'

const rootReducer = combineReducers({
  [sessionSlice.name]: sessionSlice.reducer,
  [connectionSlice.name]: connectionSlice.reducer,
  [liveSlice.name]: liveSlice.reducer,
  [switchboardSlice.name]: switchboardSlice.reducer,
  [transferSlice.name]: transferSlice.reducer,
  [callerSlice.name]: callerSlice.reducer,
  [boardSlice.name]: boardSlice.reducer,
  [logsSlice.name]: logsSlice.reducer,
  [noticesSlice.name]: noticesSlice.reducer,
  [settingsSlice.name]: settingsSlice.reducer,
  [uiSlice.name]: uiSlice.reducer,
})

export type RootState = ReturnType<typeof rootReducer>

export interface Services {
  core: CoreClient
  /** The desktop app's bridge; null in the web switchboard. */
  bridge: SentralBridge | null
  /** Settings that outlive the session (localStorage in the browser). */
  settingsStorage: KeyValueStorage
  /** The session token for this tab only (sessionStorage). */
  sessionStorage: KeyValueStorage
  now: () => number
}

export type AppDispatch = ThunkDispatch<RootState, Services, UnknownAction>

export interface StoreOptions {
  preloadedState?: Partial<RootState>
  core?: (dispatch: AppDispatch, now: () => number) => CoreClient
  bridge?: SentralBridge | null
  settingsStorage?: KeyValueStorage
  sessionStorage?: KeyValueStorage
  now?: () => number
}

export function setupStore(options: StoreOptions = {}) {
  // Filled in below, once the store exists to dispatch into; listeners read it when they run.
  const services = {} as Services
  const listeners = createListenerMiddleware<RootState, AppDispatch, Services>({ extra: services })
  addAppListeners(listeners.startListening)
  const store = configureStore({
    reducer: rootReducer,
    ...(options.preloadedState ? { preloadedState: options.preloadedState } : {}),
    middleware: (getDefault) =>
      getDefault({
        thunk: { extraArgument: services },
        // The live copy is large and replaced wholesale by snapshots; the development-time
        // checks would walk all of it on every delta.
        immutableCheck: { ignoredPaths: ['live'] },
        serializableCheck: { ignoredPaths: ['live'] },
      }).prepend(listeners.middleware),
  })
  const now = options.now ?? Date.now
  Object.assign(services, {
    core: (options.core ?? createCoreClient)(store.dispatch, now),
    bridge: options.bridge ?? null,
    settingsStorage: options.settingsStorage ?? browserStorage.settings(),
    sessionStorage: options.sessionStorage ?? browserStorage.session(),
    now,
  } satisfies Services)
  return store
}

export type AppStore = ReturnType<typeof setupStore>
