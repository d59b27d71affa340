/**
 * Short messages for the operator: what failed and why, what just happened. Read out by screen
 * readers (an aria-live region), gone by themselves after a while.
 */
import { createSlice, type PayloadAction } from '@reduxjs/toolkit'
import type { ClientErrorCode } from '../../services/core-client'

export interface Notice {
  id: number
  kind: 'error' | 'info'
  /** An i18n key under `notice.` or `error.`, with its values. */
  key: string
  values: Record<string, string | number>
  code?: ClientErrorCode
  at: number
}

export interface NoticesState {
  list: Notice[]
  nextId: number
}

const initialState: NoticesState = { list: [], nextId: 1 }
const keep = 4

export const noticesSlice = createSlice({
  name: 'notices',
  initialState,
  reducers: {
    noticeShown(state, action: PayloadAction<Omit<Notice, 'id'>>) {
      state.list.push({ ...action.payload, id: state.nextId++ })
      if (state.list.length > keep) state.list.splice(0, state.list.length - keep)
    },
    noticeDismissed(state, action: PayloadAction<number>) {
      state.list = state.list.filter((n) => n.id !== action.payload)
    },
  },
})

export const { noticeShown, noticeDismissed } = noticesSlice.actions
