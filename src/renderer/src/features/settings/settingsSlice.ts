/** Language and theme, chosen in settings and kept between sessions. */
import { createSlice, type PayloadAction } from '@reduxjs/toolkit'
import type { LanguageSetting, ThemeSetting } from '../../../../preload/bridge'

export interface SettingsState {
  language: LanguageSetting
  theme: ThemeSetting
}

export const defaultSettings: SettingsState = { language: 'nb', theme: 'system' }

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
    settingsLoaded(_state, action: PayloadAction<SettingsState>) {
      return action.payload
    },
  },
})

export const { languageChosen, themeChosen, settingsLoaded } = settingsSlice.actions
