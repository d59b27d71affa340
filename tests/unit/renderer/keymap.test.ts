// @vitest-environment happy-dom
/**
 * The keyboard map: single keys work the switchboard when no text field has the focus, and with
 * Alt from inside one. Key presses are real DOM events on real elements; what a shortcut does is
 * seen in the store and in the requests that reach the (recording) core.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { handleKey } from '../../../src/renderer/src/features/ui/keymap'
import { dialogOpened, views } from '../../../src/renderer/src/features/ui/uiSlice'
import {
  cursorMoved,
  queueFilterChosen,
} from '../../../src/renderer/src/features/switchboard/switchboardSlice'
import type { AppStore } from '../../../src/renderer/src/app/store'
import {
  call,
  connected,
  freshStore,
  ids,
  me,
  offered,
  recordingCore,
  settle,
  signedIn,
  snapshot,
  t0,
} from './fixtures'

/** Presses a key on `target` (in the document); true when a shortcut consumed it. */
function press(store: AppStore, target: Element, init: KeyboardEventInit): boolean {
  let handled = false
  const listener = (event: KeyboardEvent) => {
    handled = handleKey(event, store.getState(), store.dispatch)
  }
  window.addEventListener('keydown', listener)
  target.dispatchEvent(new KeyboardEvent('keydown', { bubbles: true, cancelable: true, ...init }))
  window.removeEventListener('keydown', listener)
  return handled
}

function element<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Record<string, string> = {},
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag)
  for (const [name, value] of Object.entries(attributes)) el.setAttribute(name, value)
  document.body.append(el)
  return el
}

function switchboard(parts: Parameters<typeof snapshot>[0] = {}) {
  const core = recordingCore()
  const store = freshStore({ core: () => core, preloadedState: signedIn(snapshot(parts)) })
  return { core, store }
}

const enter = { code: 'Enter', key: 'Enter' }
const p = { code: 'KeyP', key: 'p' }

afterEach(() => {
  document.body.replaceChildren()
})

describe('Enter', () => {
  it('answers the call ringing for me that the queue would serve first, and the search takes the focus', async () => {
    const { core, store } = switchboard({
      calls: [
        offered('plain', ids.kari, { waitingSince: t0 - 90_000 }),
        offered('vip', ids.kari, { vip: true, waitingSince: t0 - 5_000 }),
      ],
    })
    expect(press(store, document.body, enter)).toBe(true)
    await settle()
    expect(core.requests).toEqual([{ event: 'call:answer', payload: { callId: 'vip' } }])
    expect(store.getState().ui.focus?.target).toBe('transfer-search')
  })

  it('is not taken when nothing rings for me', () => {
    const { core, store } = switchboard({ calls: [call('waiting'), offered('bjorns', ids.bjorn)] })
    expect(press(store, document.body, enter)).toBe(false)
    expect(core.requests).toEqual([])
  })

  it('is left to a focused button, which answers Enter itself', () => {
    const { core, store } = switchboard({ calls: [offered('c1', ids.kari)] })
    expect(press(store, element('button'), enter)).toBe(false)
    expect(core.requests).toEqual([])
  })

  it('in a text field types, unless Alt is held', async () => {
    const { core, store } = switchboard({ calls: [offered('c1', ids.kari)] })
    const search = element('input', { type: 'search' })
    expect(press(store, search, enter)).toBe(false)
    expect(press(store, element('textarea'), enter)).toBe(false)
    expect(core.requests).toEqual([])
    expect(press(store, search, { ...enter, altKey: true })).toBe(true)
    await settle()
    expect(core.requests).toEqual([{ event: 'call:answer', payload: { callId: 'c1' } }])
  })
})

describe('P', () => {
  const waiting = [
    call('newest', { waitingSince: t0 - 5_000 }),
    call('longest', { waitingSince: t0 - 300_000 }),
    call('support', { queueId: ids.support, dialed: '+4722123401', waitingSince: t0 - 1_000 }),
  ]

  it('picks the caller who has waited longest', () => {
    const { core, store } = switchboard({ calls: waiting })
    expect(press(store, document.body, p)).toBe(true)
    expect(core.requests).toEqual([{ event: 'call:pick', payload: { callId: 'longest' } }])
  })

  it('picks the caller under the cursor, within the queue shown', () => {
    const { core, store } = switchboard({ calls: waiting })
    store.dispatch(cursorMoved('newest'))
    press(store, document.body, p)
    store.dispatch(queueFilterChosen(ids.support))
    press(store, document.body, p)
    expect(core.requests.map((r) => r.payload)).toEqual([
      { callId: 'newest' },
      { callId: 'support' },
    ])
  })

  it('is typed, not run, in a text field; a checkbox is not a text field', () => {
    const { core, store } = switchboard({ calls: waiting })
    expect(press(store, element('input'), p)).toBe(false)
    expect(press(store, element('input', { type: 'checkbox' }), p)).toBe(true)
    expect(core.requests).toHaveLength(1)
  })

  it('does nothing with nobody waiting', () => {
    const { core, store } = switchboard()
    expect(press(store, document.body, p)).toBe(false)
    expect(core.requests).toEqual([])
  })
})

describe('other keys', () => {
  it('↓ and J move the cursor down the waiting callers, ↑ and K up, stopping at the ends', () => {
    const { store } = switchboard({
      calls: [
        call('first', { waitingSince: t0 - 30_000 }),
        call('second', { waitingSince: t0 - 20_000 }),
      ],
    })
    const cursor = () => store.getState().switchboard.cursorCallId
    press(store, document.body, { code: 'ArrowDown', key: 'ArrowDown' })
    expect(cursor()).toBe('first')
    press(store, document.body, { code: 'KeyJ', key: 'j' })
    press(store, document.body, { code: 'KeyJ', key: 'j' })
    expect(cursor()).toBe('second')
    press(store, document.body, { code: 'KeyK', key: 'k' })
    expect(cursor()).toBe('first')
    expect(store.getState().ui.focus?.target).toBe('waiting-list')
  })

  it('H holds the call in hand and resumes it when held; E hangs up', () => {
    const { core, store } = switchboard({ calls: [connected('c1', ids.kari)] })
    press(store, document.body, { code: 'KeyH', key: 'h' })
    press(store, document.body, { code: 'KeyE', key: 'e' })
    const held = switchboard({ calls: [connected('c2', ids.kari, { state: 'held' })] })
    press(held.store, document.body, { code: 'KeyH', key: 'h' })
    expect([...core.requests, ...held.core.requests]).toEqual([
      { event: 'call:hold', payload: { callId: 'c1' } },
      { event: 'call:hangup', payload: { callId: 'c1' } },
      { event: 'call:resume', payload: { callId: 'c2' } },
    ])
  })

  it('? opens the cheat sheet and closes it again', () => {
    const { store } = switchboard()
    const question = { code: 'Minus', key: '?', shiftKey: true }
    expect(press(store, document.body, question)).toBe(true)
    expect(store.getState().ui.dialog).toBe('cheat-sheet')
    press(store, document.body, question)
    expect(store.getState().ui.dialog).toBeNull()
  })

  it('1 to 6 switch to the views in menu order', () => {
    const { store } = switchboard()
    const seen = [1, 2, 3, 4, 5, 6].map((n) => {
      press(store, document.body, { code: `Digit${n}`, key: String(n) })
      return store.getState().ui.view
    })
    expect(seen).toEqual(views.slice(0, 6))
    expect(press(store, document.body, { code: 'Digit7', key: '7' })).toBe(false)
  })

  it('S opens the SMS dialog only for those with the SMS function', () => {
    const { store } = switchboard()
    expect(press(store, document.body, { code: 'KeyS', key: 's' })).toBe(false)
    const sms = freshStore({
      core: () => recordingCore(),
      preloadedState: signedIn(snapshot({ me: me({ functions: ['switchboard', 'sms'] }) })),
    })
    expect(press(sms, document.body, { code: 'KeyS', key: 's' })).toBe(true)
    expect(sms.getState().ui.dialog).toBe('sms')
  })
})

describe('no shortcut runs', () => {
  it('while signed out, with Ctrl or Cmd held, or while a dialog other than the cheat sheet is open', () => {
    const signedOut = freshStore({ core: () => recordingCore() })
    expect(press(signedOut, document.body, { code: 'Digit2', key: '2' })).toBe(false)

    const { core, store } = switchboard({ calls: [offered('c1', ids.kari)] })
    expect(press(store, document.body, { ...enter, ctrlKey: true })).toBe(false)
    expect(press(store, document.body, { ...enter, metaKey: true })).toBe(false)
    store.dispatch(dialogOpened('dial'))
    expect(press(store, document.body, enter)).toBe(false)
    expect(core.requests).toEqual([])
    expect(store.getState().ui.view).toBe('switchboard')
  })
})
