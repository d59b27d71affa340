// @vitest-environment happy-dom
/**
 * The switchboard's panels rendered with a real store: the waiting callers, the call panel and
 * the transfer search. Clicks and keys go through the real listeners to a recording core, so a
 * test sees the request a press would send.
 */
import { act, cleanup, fireEvent, screen, within } from '@testing-library/react'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest'
import type { CallView } from '../../../src/shared/model'
import { CallPanel } from '../../../src/renderer/src/features/switchboard/CallPanel'
import { WaitingList } from '../../../src/renderer/src/features/switchboard/WaitingList'
import { TransferSearch } from '../../../src/renderer/src/features/transfer/TransferSearch'
import { nb } from '../../../src/renderer/src/i18n/nb'
import {
  call,
  connected,
  ids,
  numbers,
  offered,
  recordingCore,
  settle,
  signedIn,
  snapshot,
  t0,
} from './fixtures'
import { giveElementsLayout, renderWithStore } from './render'

let takeLayoutBack: () => void
beforeAll(() => {
  takeLayoutBack = giveElementsLayout()
})
afterAll(() => takeLayoutBack())

beforeEach(() => {
  // The clock the wait times tick by; timeouts stay real so listeners run.
  vi.useFakeTimers({ now: t0, toFake: ['Date', 'setInterval', 'clearInterval'] })
})

afterEach(() => {
  cleanup()
  vi.useRealTimers()
})

const tick = (ms: number) =>
  act(() => {
    vi.advanceTimersByTime(ms)
  })

describe('the waiting callers', () => {
  const vip = call('vip', {
    vip: true,
    remote: { number: '+4791234567', name: 'Ola Nordmann', userId: null },
    waitingSince: t0 - 20_000,
    seq: 2,
  })
  const plain = call('plain', {
    remote: { number: '+4722334455', name: null, userId: null },
    waitingSince: t0 - 180_000,
    seq: 1,
  })
  const support = call('support', {
    queueId: ids.support,
    dialed: numbers.support,
    waitingSince: t0 - 60_000,
    seq: 3,
  })

  it('show the VIP first and marked, who calls, the queue, and a number dialled other than the queue’s', () => {
    // The plain caller dialled the company's main number, which is not the queue's own.
    const dialledMain = { ...plain, dialed: '+4722123499' }
    renderWithStore(<WaitingList />, {
      preloadedState: signedIn(snapshot({ calls: [dialledMain, vip] })),
    })
    const [first, second] = screen.getAllByTestId('waiting-row')
    const meta = (row: HTMLElement) => row.querySelector('.waiting-meta')!.textContent
    expect(first!.dataset.callId).toBe('vip')
    expect(within(first!).getByText(nb.switchboard.vip)).toBeTruthy()
    expect(within(first!).getByText('Ola Nordmann')).toBeTruthy()
    expect(first!.textContent).toContain('912 34 567')
    expect(meta(first!)).toBe('Sentralbord')
    expect(second!.textContent).not.toContain(nb.switchboard.vip)
    expect(within(second!).getByText('22 33 44 55')).toBeTruthy()
    expect(meta(second!)).toBe('Sentralbord · ringte 22 12 34 99')
    expect(screen.getByTestId('waiting-count').textContent).toBe('2 venter')
  })

  it('show how long each has waited, ticking every second', () => {
    renderWithStore(<WaitingList />, { preloadedState: signedIn(snapshot({ calls: [vip] })) })
    const time = () => screen.getByTestId('waiting-row').querySelector('.waiting-time')!.textContent
    tick(1_000)
    expect(time()).toBe('0:21')
    tick(1_000)
    expect(time()).toBe('0:22')
  })

  it('count the wait from the core’s clock, not the computer’s', () => {
    renderWithStore(<WaitingList />, {
      preloadedState: {
        ...signedIn(snapshot({ calls: [vip] })),
        live: { ...signedIn(snapshot({ calls: [vip] })).live!, offsetMs: 10_000 },
      },
    })
    tick(1_000)
    expect(screen.getByTestId('waiting-row').querySelector('.waiting-time')!.textContent).toBe(
      '0:31',
    )
  })

  it('show one queue when chosen, offering only my queues with their waiting count', () => {
    const { store } = renderWithStore(<WaitingList />, {
      preloadedState: signedIn(
        snapshot({
          calls: [vip, plain, support],
          queues: [
            { ...snapshot().queues[0]!, waiting: 2 },
            { ...snapshot().queues[1]!, waiting: 1 },
            { ...snapshot().queues[0]!, id: 'not-mine', name: 'Lønn', waiting: 4 },
          ],
        }),
      ),
    })
    const select = screen.getByRole<HTMLSelectElement>('combobox')
    expect([...select.options].map((o) => o.textContent)).toEqual([
      nb.switchboard.allQueues,
      'Sentralbord (2)',
      'Support (1)',
    ])
    fireEvent.change(select, { target: { value: ids.support } })
    expect(store.getState().switchboard.queueFilter).toBe(ids.support)
    expect(screen.getAllByTestId('waiting-row').map((r) => r.dataset.callId)).toEqual(['support'])
    // The total stays in the heading.
    expect(screen.getByTestId('waiting-count').textContent).toBe('3 venter')
  })

  it('Enter takes the first caller, or the one clicked; a double click takes that one', async () => {
    const core = recordingCore()
    renderWithStore(<WaitingList />, {
      core: () => core,
      preloadedState: signedIn(snapshot({ calls: [plain, vip] })),
    })
    const list = screen.getByRole('listbox')
    fireEvent.keyDown(list, { key: 'Enter', code: 'Enter' })
    const plainRow = screen.getAllByTestId('waiting-row')[1]!
    fireEvent.click(plainRow)
    expect(plainRow.getAttribute('aria-selected')).toBe('true')
    expect(list.getAttribute('aria-activedescendant')).toBe(plainRow.id)
    fireEvent.keyDown(list, { key: 'Enter', code: 'Enter' })
    fireEvent.doubleClick(screen.getAllByTestId('waiting-row')[0]!)
    await settle()
    expect(core.requests).toEqual([
      { event: 'call:pick', payload: { callId: 'vip' } },
      { event: 'call:pick', payload: { callId: 'plain' } },
      { event: 'call:pick', payload: { callId: 'vip' } },
    ])
  })

  it('render only the rows in view of 500 waiting callers', () => {
    const many = Array.from({ length: 500 }, (_, i) =>
      call(`c${i}`, { waitingSince: t0 - (500 - i) * 1000, seq: i }),
    )
    renderWithStore(<WaitingList />, { preloadedState: signedIn(snapshot({ calls: many })) })
    const rows = screen.getAllByTestId('waiting-row')
    expect(rows.length).toBeGreaterThan(0)
    expect(rows.length).toBeLessThan(50)
    expect(rows[0]!.dataset.callId).toBe('c0')
    expect(screen.getByTestId('waiting-count').textContent).toBe('500 venter')
  })

  it('say so when nobody waits, and are then no listbox', () => {
    renderWithStore(<WaitingList />, { preloadedState: signedIn(snapshot()) })
    expect(screen.getByText(nb.switchboard.noWaiting)).toBeTruthy()
    expect(screen.queryByRole('listbox')).toBeNull()
  })
})

describe('the call panel', () => {
  it('shows a call ringing for me with who calls, what they dialled, and Svar on Enter', () => {
    const ringing = offered('c1', ids.kari, {
      remote: { number: '+4791234567', name: 'Ola Nordmann', userId: null },
    })
    renderWithStore(<CallPanel />, { preloadedState: signedIn(snapshot({ calls: [ringing] })) })
    const offer = screen.getByTestId('offered-call')
    expect(within(offer).getByTestId('caller-name').textContent).toBe('Ola Nordmann')
    expect(offer.textContent).toContain('912 34 567')
    expect(offer.textContent).toContain('ringte Sentralbord (22 12 34 00)')
    const answer = within(offer).getByRole('button', { name: /^Svar/ })
    expect(answer.getAttribute('aria-keyshortcuts')).toBe('Enter')
    expect(within(answer).getByText('Enter').tagName).toBe('KBD')
  })

  it('offers Enter only on the first of two ringing calls', () => {
    renderWithStore(<CallPanel />, {
      preloadedState: signedIn(
        snapshot({
          calls: [
            offered('later', ids.kari, { waitingSince: t0 - 1_000 }),
            offered('first', ids.kari, { waitingSince: t0 - 50_000 }),
          ],
        }),
      ),
    })
    const answers = screen.getAllByRole('button', { name: /^Svar/ })
    expect(answers.map((b) => b.getAttribute('aria-keyshortcuts'))).toEqual(['Enter', null])
  })

  it('sends the answer once: the button waits while the core has not answered', async () => {
    const core = recordingCore({ answers: 'never' })
    const { store } = renderWithStore(<CallPanel />, {
      core: () => core,
      preloadedState: signedIn(snapshot({ calls: [offered('c1', ids.kari)] })),
    })
    const answer = screen.getByRole<HTMLButtonElement>('button', { name: /^Svar/ })
    fireEvent.click(answer)
    fireEvent.click(answer)
    await settle()
    expect(core.requests).toEqual([{ event: 'call:answer', payload: { callId: 'c1' } }])
    expect(store.getState().switchboard.pending).toEqual({ 'answer:c1': 'answer' })
    expect(answer.disabled).toBe(true)
  })

  it('shows the call in hand with its state, talk time and actions; Legg på hangs up', async () => {
    const core = recordingCore()
    renderWithStore(<CallPanel />, {
      core: () => core,
      preloadedState: signedIn(snapshot({ calls: [connected('c1', ids.kari)] })),
    })
    const active = screen.getByTestId('active-call')
    expect(within(active).getByTestId('call-state').textContent).toBe(nb.state.connected)
    // Answered 30 s before t0.
    tick(1_000)
    expect(active.textContent).toContain('0:31')
    for (const name of [nb.action.transfer, nb.action.hold, nb.action.park, nb.action.hangup])
      expect(within(active).getByRole('button', { name: new RegExp(`^${name}`) })).toBeTruthy()
    fireEvent.click(within(active).getByTestId('action-hangup'))
    await settle()
    expect(core.requests).toEqual([{ event: 'call:hangup', payload: { callId: 'c1' } }])
  })

  it('while consulting, offers to complete or go back, naming who is being asked', () => {
    const consulting: CallView = connected('c1', ids.kari, {
      state: 'consulting',
      consult: { target: { kind: 'user', userId: ids.bjorn }, state: 'ringing' },
    })
    renderWithStore(<CallPanel />, { preloadedState: signedIn(snapshot({ calls: [consulting] })) })
    expect(screen.getByTestId('consult').textContent).toBe('Ringer Bjørn Dahl …')
    expect(screen.getByTestId('action-transfer-complete')).toBeTruthy()
    expect(screen.getByTestId('action-transfer-cancel')).toBeTruthy()
    expect(screen.queryByTestId('action-hold')).toBeNull()
  })

  it('names the colleague, not me, on an internal call I am the calling party of', () => {
    // A consultation that went on after the caller hung up: Kari called Bjørn.
    const me = { number: '201', name: 'Kari Nordmann', userId: ids.kari }
    const internal: CallView = {
      ...connected('c2', ids.bjorn, { direction: 'internal', originatorId: ids.kari }),
      remote: me,
      remoteLegId: 'c2-kari',
      legs: [
        { id: 'c2-kari', state: 'connected', party: me, role: 'caller' },
        {
          id: 'c2-bjorn',
          state: 'connected',
          party: { number: '202', name: 'Bjørn Dahl', userId: ids.bjorn },
          role: 'agent',
        },
      ],
    }
    renderWithStore(<CallPanel />, { preloadedState: signedIn(snapshot({ calls: [internal] })) })
    expect(screen.getByTestId('caller-name').textContent).toBe('Bjørn Dahl')
  })

  it('says how to take a call when there is none', () => {
    renderWithStore(<CallPanel />, { preloadedState: signedIn(snapshot({ calls: [call('w')] })) })
    expect(screen.getByText(nb.switchboard.noCall)).toBeTruthy()
  })
})

describe('the transfer search', () => {
  const inHand = connected('c1', ids.kari)

  function renderSearch(callInHand: CallView | null = inHand) {
    const core = recordingCore()
    const view = renderWithStore(<TransferSearch call={callInHand} />, {
      core: () => core,
      preloadedState: signedIn(snapshot({ calls: callInHand ? [callInHand] : [] })),
    })
    const input = screen.getByTestId('transfer-search')
    const type = (text: string) => fireEvent.change(input, { target: { value: text } })
    return { ...view, core, input, type }
  }

  const badges = () =>
    screen
      .getAllByTestId('transfer-target')
      .map((row) => row.querySelector('.status')?.textContent ?? '')

  it('shows each colleague’s status: free, busy, or absent with why, until when and where calls go', () => {
    const { type } = renderSearch()
    type('dahl')
    expect(badges()).toEqual([nb.status.free])
    type('haugen')
    expect(badges()).toEqual([nb.status.busy])
    type('pedersen')
    // Knut is in a meeting until 14:00 (four hours after t0, 10:00 in Oslo).
    expect(badges()).toEqual(['Fravær: Møte til 14:00 · viderekoblet til 987 65 432'])
  })

  it('Enter transfers the caller blind to the highlighted colleague, Shift+Enter consults first', async () => {
    const { core, input, type } = renderSearch()
    type('regnskap')
    fireEvent.keyDown(input, { key: 'ArrowDown', code: 'ArrowDown' })
    fireEvent.keyDown(input, { key: 'Enter', code: 'Enter', shiftKey: true })
    await settle()
    type('dahl')
    fireEvent.keyDown(input, { key: 'Enter', code: 'Enter' })
    await settle()
    expect(core.requests).toEqual([
      {
        event: 'call:transfer',
        payload: { callId: 'c1', target: { kind: 'user', userId: ids.mona }, mode: 'consult' },
      },
      {
        event: 'call:transfer',
        payload: { callId: 'c1', target: { kind: 'user', userId: ids.bjorn }, mode: 'blind' },
      },
    ])
  })

  it('transfers to an outside number typed in full', async () => {
    const { core, input, type } = renderSearch()
    type('987 65 432')
    const rows = screen.getAllByTestId('transfer-target')
    expect(rows.at(-1)!.textContent).toContain('987 65 432')
    fireEvent.keyDown(input, { key: 'ArrowUp', code: 'ArrowUp' })
    fireEvent.keyDown(input, { key: 'Enter', code: 'Enter' })
    await settle()
    expect(core.requests).toEqual([
      {
        event: 'call:transfer',
        payload: {
          callId: 'c1',
          target: { kind: 'external', number: '+4798765432' },
          mode: 'blind',
        },
      },
    ])
  })

  it('is emptied after a transfer went through, and by Escape', async () => {
    const { input, type, store } = renderSearch()
    type('dahl')
    fireEvent.keyDown(input, { key: 'Enter', code: 'Enter' })
    await settle()
    expect((input as HTMLInputElement).value).toBe('')
    expect(store.getState().ui.focus?.target).toBe('waiting-list')
    type('mona')
    fireEvent.keyDown(input, { key: 'Escape', code: 'Escape' })
    expect((input as HTMLInputElement).value).toBe('')
    expect(screen.queryAllByTestId('transfer-target')).toEqual([])
  })

  it('only searches when there is no call to transfer', async () => {
    const { core, input, type } = renderSearch(null)
    expect(screen.getByText(nb.transfer.noCall)).toBeTruthy()
    type('dahl')
    expect(screen.getAllByTestId('transfer-target')).toHaveLength(1)
    fireEvent.keyDown(input, { key: 'Enter', code: 'Enter' })
    await settle()
    expect(core.requests).toEqual([])
  })

  it('says when nothing matches', () => {
    const { type } = renderSearch()
    type('xyq')
    expect(screen.getByText(nb.transfer.noResults)).toBeTruthy()
  })
})
