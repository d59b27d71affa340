/**
 * Language and theme, chosen in settings and kept between sessions; in the desktop app also the
 * shell's own settings (local or remote core, server address, global shortcuts).
 */
import { createSlice, type PayloadAction } from '@reduxjs/toolkit'
import type { DesktopSettings, LanguageSetting, ThemeSetting } from '../../../../preload/bridge'

export interface SettingsState {
  language: LanguageSetting
  theme: ThemeSetting
  /** The desktop app's settings; null in the web switchboard. */
  desktop: DesktopSettings | null
  desktopError: string | null
}

export const defaultSettings: SettingsState = {
  language: 'nb',
  theme: 'system',
  desktop: null,
  desktopError: null,
}

export const settingsSlice = createSlice({
  name: 'settings',
  initialState: defaultSettings,
  reducers: {
    languageChosen(state, action: PayloadAction<LanguageSetting>) {
      state.language = action.payload
    },
    themeChosen(state, action: PayloadAction<ThemeSetting>) {
      state.theme = action.payload
    },
    settingsLoaded(state, action: PayloadAction<Pick<SettingsState, 'language' | 'theme'>>) {
      state.language = action.payload.language
      state.theme = action.payload.theme
    },
    desktopSettingsLoaded(state, action: PayloadAction<DesktopSettings>) {
      state.desktop = action.payload
      state.desktopError = null
    },
    desktopSettingsSubmitted(_state, _action: PayloadAction<Partial<DesktopSettings>>) {},
    desktopSettingsRefused(state, action: PayloadAction<string>) {
      state.desktopError = action.payload
    },
  },
})

export const {
  languageChosen,
  themeChosen,
  settingsLoaded,
  desktopSettingsLoaded,
  desktopSettingsSubmitted,
  desktopSettingsRefused,
} = settingsSlice.actions
