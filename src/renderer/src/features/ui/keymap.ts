/**
 * Every keyboard shortcut, in one list: the key handler runs them and the cheat sheet (`?`)
 * shows them, so the two never disagree. Single keys work when no text field has the focus;
 * with Alt they work from inside one too (Alt+E hangs up while typing in the search).
 */
import type { AppDispatch, RootState } from '../../app/store'
import { selectFocusedCall, selectOffered, selectWaiting } from '../live/selectors'
import { commandIssued, cursorMoved } from '../switchboard/switchboardSlice'
import {
  dialogClosed,
  dialogOpened,
  focusRequested,
  fullScreenToggled,
  viewChosen,
  views,
  type View,
} from './uiSlice'
import type { nb } from '../../i18n/nb'

type ShortcutText = keyof typeof nb.shortcuts

export interface Shortcut {
  /** KeyboardEvent.code values that trigger it (layout-independent: Alt+A is å on a Mac). */
  codes: string[]
  /** Or KeyboardEvent.key values (for `?`, whose code differs between layouts). */
  keys?: string[]
  /** What the cheat sheet shows. */
  label: string
  text: ShortcutText
  run(state: RootState, dispatch: AppDispatch): boolean
}

/** The waiting caller the cursor is on, or the one who has waited longest. */
function cursorCaller(s: RootState) {
  const waiting = filteredWaiting(s)
  return waiting.find((c) => c.id === s.switchboard.cursorCallId) ?? waiting[0] ?? null
}

export function filteredWaiting(s: RootState) {
  const filter = s.switchboard.queueFilter
  const waiting = selectWaiting(s)
  return filter === 'all' ? waiting : waiting.filter((c) => c.queueId === filter)
}

function moveCursor(s: RootState, dispatch: AppDispatch, by: number): boolean {
  const waiting = filteredWaiting(s)
  if (waiting.length === 0) return false
  const at = waiting.findIndex((c) => c.id === s.switchboard.cursorCallId)
  const next =
    at < 0 ? (by > 0 ? 0 : waiting.length - 1) : Math.min(waiting.length - 1, Math.max(0, at + by))
  dispatch(cursorMoved(waiting[next]!.id))
  dispatch(focusRequested('waiting-list'))
  return true
}

function onFocusedCall(
  s: RootState,
  dispatch: AppDispatch,
  kind: 'hangup' | 'park' | 'transfer-complete' | 'transfer-cancel',
): boolean {
  const call = selectFocusedCall(s)
  if (!call) return false
  dispatch(commandIssued({ kind, callId: call.id }))
  return true
}

const viewKeys: [string, View][] = views.slice(0, 6).map((v, i) => [`Digit${i + 1}`, v])

export const shortcuts: Shortcut[] = [
  {
    codes: ['Enter', 'NumpadEnter'],
    label: 'Enter',
    text: 'answer',
    run: (s, dispatch) => {
      const offered = selectOffered(s)[0]
      if (!offered) return false
      dispatch(commandIssued({ kind: 'answer', callId: offered.id }))
      return true
    },
  },
  {
    codes: ['KeyP'],
    label: 'P',
    text: 'pick',
    run: (s, dispatch) => {
      const caller = cursorCaller(s)
      if (!caller) return false
      dispatch(commandIssued({ kind: 'pick', callId: caller.id }))
      return true
    },
  },
  {
    codes: ['ArrowDown', 'KeyJ'],
    label: '↓ / J',
    text: 'next',
    run: (s, dispatch) => moveCursor(s, dispatch, 1),
  },
  { codes: ['ArrowUp', 'KeyK'], label: '↑ / K', text: 'next', run: (s, d) => moveCursor(s, d, -1) },
  {
    codes: ['KeyT'],
    label: 'T',
    text: 'transfer',
    run: (_s, dispatch) => {
      dispatch(viewChosen('switchboard'))
      dispatch(focusRequested('transfer-search'))
      return true
    },
  },
  {
    codes: ['KeyH'],
    label: 'H',
    text: 'hold',
    run: (s, dispatch) => {
      const call = selectFocusedCall(s)
      if (!call) return false
      if (call.state === 'held') dispatch(commandIssued({ kind: 'resume', callId: call.id }))
      else if (call.state === 'connected')
        dispatch(commandIssued({ kind: 'hold', callId: call.id }))
      else return false
      return true
    },
  },
  { codes: ['KeyE'], label: 'E', text: 'hangup', run: (s, d) => onFocusedCall(s, d, 'hangup') },
  {
    codes: ['KeyC'],
    label: 'C',
    text: 'complete',
    run: (s, d) => onFocusedCall(s, d, 'transfer-complete'),
  },
  {
    codes: ['KeyX'],
    label: 'X',
    text: 'cancel',
    run: (s, d) => onFocusedCall(s, d, 'transfer-cancel'),
  },
  { codes: ['KeyL'], label: 'L', text: 'park', run: (s, d) => onFocusedCall(s, d, 'park') },
  {
    codes: ['KeyD'],
    label: 'D',
    text: 'dial',
    run: (_s, dispatch) => {
      dispatch(dialogOpened('dial'))
      return true
    },
  },
  {
    codes: ['KeyS'],
    label: 'S',
    text: 'sms',
    run: (s, dispatch) => {
      if (!s.session.me?.functions.includes('sms') && s.session.me?.role !== 'contact') return false
      dispatch(dialogOpened('sms'))
      return true
    },
  },
  ...viewKeys.map(([code, view]): Shortcut => ({
    codes: [code],
    label: code.slice(5),
    text: 'views',
    run: (_s, dispatch) => {
      dispatch(viewChosen(view))
      return true
    },
  })),
  {
    codes: ['KeyF'],
    label: 'F',
    text: 'fullScreen',
    run: (s, dispatch) => {
      if (s.ui.view !== 'board') return false
      dispatch(fullScreenToggled(!s.ui.fullScreen))
      return true
    },
  },
  {
    codes: [],
    keys: ['?'],
    label: '?',
    text: 'help',
    run: (s, dispatch) => {
      dispatch(s.ui.dialog === 'cheat-sheet' ? dialogClosed() : dialogOpened('cheat-sheet'))
      return true
    },
  },
]

/** The cheat sheet's rows: one per description, keys joined. */
export const cheatSheetRows: { keys: string[]; text: ShortcutText }[] = [
  ...shortcuts.reduce((rows, s) => {
    const row = rows.get(s.text)
    if (row) row.keys.push(s.label)
    else rows.set(s.text, { keys: [s.label], text: s.text })
    return rows
  }, new Map<ShortcutText, { keys: string[]; text: ShortcutText }>()),
]
  .map(([, row]) => (row.text === 'views' ? { ...row, keys: ['1 – 6'] } : row))
  .concat([
    { keys: ['Enter'], text: 'transferBlind' },
    { keys: ['Shift+Enter'], text: 'transferConsult' },
    { keys: ['Esc'], text: 'escape' },
  ])

function isTyping(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false
  if (target.isContentEditable) return true
  const tag = target.tagName
  if (tag === 'TEXTAREA' || tag === 'SELECT') return true
  if (tag !== 'INPUT') return false
  const type = (target as HTMLInputElement).type
  return type !== 'checkbox' && type !== 'radio' && type !== 'button' && type !== 'submit'
}

/** Runs the shortcut for a key press, if any; true when one ran (the event is then consumed). */
export function handleKey(event: KeyboardEvent, state: RootState, dispatch: AppDispatch): boolean {
  if (event.ctrlKey || event.metaKey || event.defaultPrevented || event.repeat) return false
  const typing = isTyping(event.target)
  if (typing && !event.altKey) return false
  // Buttons and links answer Enter themselves.
  if (!typing && (event.code === 'Enter' || event.code === 'NumpadEnter')) {
    const el = event.target as HTMLElement | null
    if (
      el &&
      (el.tagName === 'BUTTON' || el.tagName === 'A' || el.getAttribute('role') === 'listbox')
    )
      return false
  }
  if (state.session.status !== 'signed-in') return false
  if (state.ui.dialog !== null && state.ui.dialog !== 'cheat-sheet') return false
  for (const shortcut of shortcuts) {
    const hit = shortcut.codes.includes(event.code) || (shortcut.keys?.includes(event.key) ?? false)
    if (hit && shortcut.run(state, dispatch)) return true
  }
  return false
}
