/** Settings are read at start and written when changed: the desktop app's store, or localStorage. */
import { isAnyOf } from '@reduxjs/toolkit'
import { appStarted } from '../../app/actions'
import type { AppStartListening } from '../../app/listeners'
import { logoutRequested } from '../session/sessionSlice'
import {
  defaultSettings,
  desktopSettingsLoaded,
  desktopSettingsRefused,
  desktopSettingsSubmitted,
  languageChosen,
  settingsLoaded,
  themeChosen,
  type SettingsState,
} from './settingsSlice'

const key = 'sentral.settings'
const languages = new Set(['nb', 'en'])
const themes = new Set(['system', 'light', 'dark'])

/** Whatever was stored, only valid values survive; the rest are defaults. */
export function parseSettings(value: unknown): Pick<SettingsState, 'language' | 'theme'> {
  const v = (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>
  return {
    language: languages.has(v.language as string)
      ? (v.language as SettingsState['language'])
      : defaultSettings.language,
    theme: themes.has(v.theme as string)
      ? (v.theme as SettingsState['theme'])
      : defaultSettings.theme,
  }
}

export function addSettingsListeners(startListening: AppStartListening): void {
  startListening({
    actionCreator: appStarted,
    effect: async (_action, api) => {
      const { bridge, settingsStorage } = api.extra
      if (bridge) {
        const desktop = await bridge.loadSettings().catch(() => null)
        if (desktop) {
          api.dispatch(settingsLoaded(parseSettings(desktop)))
          api.dispatch(desktopSettingsLoaded(desktop))
        }
        return
      }
      let stored: unknown
      try {
        stored = JSON.parse(settingsStorage.get(key) ?? 'null')
      } catch {
        stored = null
      }
      const browserLanguage = globalThis.navigator?.language?.startsWith('en') ? 'en' : 'nb'
      api.dispatch(settingsLoaded(parseSettings(stored ?? { language: browserLanguage })))
    },
  })

  startListening({
    matcher: isAnyOf(languageChosen, themeChosen),
    effect: async (_action, api) => {
      const { language, theme } = api.getState().settings
      if (api.extra.bridge)
        await api.extra.bridge.saveSettings({ language, theme }).catch(() => undefined)
      else api.extra.settingsStorage.set(key, JSON.stringify({ language, theme }))
    },
  })

  startListening({
    actionCreator: desktopSettingsSubmitted,
    effect: async (action, api) => {
      const bridge = api.extra.bridge
      const before = api.getState().settings.desktop
      if (!bridge || !before) return
      try {
        const saved = await bridge.saveSettings(action.payload)
        api.dispatch(desktopSettingsLoaded(saved))
        // Another core: this session belongs to the old one. Start over against the new one.
        if (saved.mode !== before.mode || saved.serverUrl !== before.serverUrl) {
          api.dispatch(logoutRequested())
          globalThis.location?.reload()
        }
      } catch (error) {
        api.dispatch(desktopSettingsRefused(error instanceof Error ? error.message : String(error)))
      }
    },
  })
}
