/**
 * Where the user is: the view, the dialogs, and where the keyboard focus should go next (after
 * answering, the transfer search; after a transfer, the next caller).
 */
import { createSlice, type PayloadAction } from '@reduxjs/toolkit'
import { sessionClosed } from '../session/sessionSlice'

export const views = [
  'switchboard',
  'board',
  'directory',
  'status',
  'log',
  'queue-log',
  'settings',
] as const
export type View = (typeof views)[number]

export type FocusTarget = 'transfer-search' | 'waiting-list' | 'call-panel' | 'directory-search'
export type Dialog = 'cheat-sheet' | 'dial' | 'sms' | null

export interface UiState {
  view: View
  dialog: Dialog
  /** `seq` changes on every request, so asking for the same target twice still moves focus. */
  focus: { target: FocusTarget; seq: number } | null
  fullScreen: boolean
  /** The number the dial or SMS dialog opens with. */
  prefill: string
}

const initialState: UiState = {
  view: 'switchboard',
  dialog: null,
  focus: null,
  fullScreen: false,
  prefill: '',
}

export const uiSlice = createSlice({
  name: 'ui',
  initialState,
  reducers: {
    viewChosen(state, action: PayloadAction<View>) {
      state.view = action.payload
      state.dialog = null
    },
    dialogOpened(state, action: PayloadAction<Exclude<Dialog, null>>) {
      state.dialog = action.payload
      state.prefill = ''
    },
    numberDialogOpened(state, action: PayloadAction<{ dialog: 'dial' | 'sms'; to: string }>) {
      state.dialog = action.payload.dialog
      state.prefill = action.payload.to
    },
    dialogClosed(state) {
      state.dialog = null
    },
    focusRequested(state, action: PayloadAction<FocusTarget>) {
      state.focus = { target: action.payload, seq: (state.focus?.seq ?? 0) + 1 }
    },
    fullScreenToggled(state, action: PayloadAction<boolean>) {
      state.fullScreen = action.payload
    },
  },
  extraReducers: (builder) => {
    builder.addMatcher(sessionClosed, () => initialState)
  },
})

export const {
  viewChosen,
  dialogOpened,
  numberDialogOpened,
  dialogClosed,
  focusRequested,
  fullScreenToggled,
} = uiSlice.actions
