/** Every feature's effects, registered on the one listener middleware. */
import type { TypedStartListening } from '@reduxjs/toolkit'
import { addBoardListeners } from '../features/board/boardListeners'
import { addConnectionListeners } from '../features/connection/connectionListeners'
import { addDesktopListeners } from '../features/desktop/desktopListeners'
import { addLiveListeners } from '../features/live/liveListeners'
import { addLogsListeners } from '../features/logs/logsListeners'
import { addSessionListeners } from '../features/session/sessionListeners'
import { addSettingsListeners } from '../features/settings/settingsListeners'
import { addSwitchboardListeners } from '../features/switchboard/switchboardListeners'
import type { AppDispatch, RootState, Services } from './store'

export type AppStartListening = TypedStartListening<RootState, AppDispatch, Services>

export function addAppListeners(startListening: AppStartListening): void {
  addSettingsListeners(startListening)
  addSessionListeners(startListening)
  addConnectionListeners(startListening)
  addLiveListeners(startListening)
  addSwitchboardListeners(startListening)
  addBoardListeners(startListening)
  addLogsListeners(startListening)
  addDesktopListeners(startListening)
}
