// @vitest-environment happy-dom
/**
 * The other screens rendered with a real store: the queue board, the login, the shell with its
 * rights, status badges, the connection and notices.
 */
import { act, cleanup, fireEvent, screen, within } from '@testing-library/react'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest'
import type { QueueStatistics } from '../../../src/shared/protocol'
import { StatusBadge } from '../../../src/renderer/src/components/StatusBadge'
import { QueueBoard } from '../../../src/renderer/src/features/board/QueueBoard'
import { ConnectionStatus } from '../../../src/renderer/src/features/connection/ConnectionStatus'
import { Notices } from '../../../src/renderer/src/features/notices/Notices'
import { noticeShown } from '../../../src/renderer/src/features/notices/noticesSlice'
import { LoginView } from '../../../src/renderer/src/features/session/LoginView'
import { Shell } from '../../../src/renderer/src/features/ui/Shell'
import { defaultSettings } from '../../../src/renderer/src/features/settings/settingsSlice'
import { nb } from '../../../src/renderer/src/i18n/nb'
import {
  agent,
  call,
  colleagues,
  ids,
  me,
  member,
  missed,
  queue,
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

function stats(queueId: string, figures: Partial<QueueStatistics>): QueueStatistics {
  return {
    queueId,
    name: queueId,
    offered: 0,
    answered: 0,
    abandoned: 0,
    timedOut: 0,
    overflowed: 0,
    serviceLevel: null,
    serviceLevelCountingAbandons: null,
    averageSpeedOfAnswerMs: null,
    abandonRate: null,
    longestAnsweredWaitMs: 0,
    longestWaitNowMs: null,
    ...figures,
  }
}

describe('the queue board', () => {
  const paused = { reason: 'Lunsj', since: t0 - 600_000 }
  const board = () =>
    renderWithStore(<QueueBoard />, {
      preloadedState: {
        ...signedIn(
          snapshot({
            queues: [
              queue(ids.sentralbord, 'Sentralbord', ['+4722123400'], {
                waiting: 2,
                oldestWaitingSince: t0 - 125_000,
              }),
              queue(ids.support, 'Support', ['+4722123401'], {
                open: false,
                waiting: 1,
                oldestWaitingSince: t0 - 5_000,
              }),
            ],
            agents: [
              agent(ids.kari, {
                queues: [member(ids.sentralbord), member(ids.support, { paused })],
              }),
              agent(ids.bjorn, { queues: [member(ids.sentralbord, { paused })] }),
              agent(ids.mona, {
                presence: 'busy',
                activity: 'on-call',
                queues: [member(ids.sentralbord)],
              }),
              agent(ids.knut, { queues: [member(ids.sentralbord, { loggedIn: false })] }),
            ],
            calls: [
              call('long', { waitingSince: t0 - 125_000 }),
              call('vip', {
                vip: true,
                waitingSince: t0 - 30_000,
                remote: { number: '+4791234567', name: 'Ola Nordmann', userId: null },
              }),
              call('support-caller', { queueId: ids.support, waitingSince: t0 - 5_000 }),
            ],
            missed: [missed('m1', { caller: { number: '+4799999999', name: null, userId: null } })],
          }),
        ),
        board: {
          today: {
            [ids.sentralbord]: stats(ids.sentralbord, {
              answered: 7,
              abandoned: 2,
              timedOut: 1,
              serviceLevel: 0.8,
            }),
          },
          fetchedAt: t0,
          status: 'idle',
        },
      },
    })

  const card = (queueId: string) =>
    screen.getAllByTestId('board-queue').find((c) => c.dataset.queueId === queueId)!
  const figure = (queueId: string, name: string) =>
    within(card(queueId)).getByTestId(`figure-${name}`).textContent

  it('shows per queue who is free, who waits and for how long, and today’s figures', () => {
    board()
    tick(1_000)
    const q = ids.sentralbord
    expect(figure(q, 'available')).toBe('1')
    expect(card(q).textContent).toContain('3 pålogget')
    expect(figure(q, 'waiting')).toBe('2')
    expect(figure(q, 'longest')).toBe('2:06')
    expect(figure(q, 'answered')).toBe('7')
    expect(figure(q, 'unanswered')).toBe('3')
    expect(figure(q, 'service-level')).toMatch(/^80\s%$/)
  })

  it('lists the waiting callers in the order served, VIP first', () => {
    board()
    const items = within(card(ids.sentralbord)).getAllByRole('listitem')
    expect(
      items.map((li) => li.querySelector('span:not(.vip-badge):not(.tabular)')?.textContent),
    ).toEqual(['Ola Nordmann', '912 34 567'])
    expect(within(items[0]!).getByText(nb.switchboard.vip)).toBeTruthy()
  })

  it('marks a queue closed, shows dashes for figures not fetched, and alerts when callers wait with nobody free', () => {
    board()
    const support = card(ids.support)
    expect(within(support).getByText(nb.board.closed)).toBeTruthy()
    expect(figure(ids.support, 'answered')).toBe('–')
    expect(figure(ids.support, 'service-level')).toBe('–')
    expect(support.classList.contains('board-card-alert')).toBe(true)
    expect(card(ids.sentralbord).classList.contains('board-card-alert')).toBe(false)
  })

  it('lists today’s unanswered calls', () => {
    board()
    expect(screen.getByText(nb.board.missed)).toBeTruthy()
    expect(screen.getByText(/999 99 999/).textContent).toContain('09:50')
  })

  it('fills the screen from its button', () => {
    const { store } = board()
    fireEvent.click(screen.getByRole('button', { name: new RegExp(nb.board.fullScreen) }))
    expect(store.getState().ui.fullScreen).toBe(true)
    expect(screen.getByTestId('queue-board').classList.contains('board-full')).toBe(true)
  })
})

describe('the login', () => {
  const signedOut = (session: object) => ({
    preloadedState: {
      session: {
        ...signedIn().session!,
        status: 'signed-out' as const,
        me: null,
        token: null,
        ...session,
      },
    },
  })

  it('says the username or password was wrong', () => {
    renderWithStore(
      <LoginView desktop={false} serverUrl="" />,
      signedOut({
        error: { code: 'INVALID_CREDENTIALS', message: 'wrong' },
      }),
    )
    expect(screen.getByRole('alert').textContent).toBe(nb.error.INVALID_CREDENTIALS)
  })

  it('says why the last session ended', () => {
    renderWithStore(
      <LoginView desktop={false} serverUrl="" />,
      signedOut({ endedBecause: 'expired' }),
    )
    expect(screen.getByText(nb.login.ended.expired)).toBeTruthy()
  })

  it('sends the trimmed username and the password, waits, and shows the core’s refusal', async () => {
    const core = recordingCore({
      login: { error: { code: 'INVALID_CREDENTIALS', message: 'wrong' } },
    })
    renderWithStore(<LoginView desktop={false} serverUrl="https://sentral.example" />, {
      core: () => core,
    })
    fireEvent.change(screen.getByLabelText(nb.login.username), {
      target: { value: '  kari.nordmann ' },
    })
    fireEvent.change(screen.getByLabelText(nb.login.password), { target: { value: 'hemmelig' } })
    fireEvent.submit(screen.getByRole('button', { name: nb.login.submit }))
    await act(settle)
    expect(core.logins).toEqual([{ username: 'kari.nordmann', password: 'hemmelig' }])
    expect(screen.getByRole('alert').textContent).toBe(nb.error.INVALID_CREDENTIALS)
  })

  it('keeps the button busy while the core has not answered', () => {
    renderWithStore(<LoginView desktop={false} serverUrl="" />, {
      core: () => recordingCore({ answers: 'never' }),
    })
    fireEvent.change(screen.getByLabelText(nb.login.username), { target: { value: 'kari' } })
    fireEvent.change(screen.getByLabelText(nb.login.password), { target: { value: 'x' } })
    fireEvent.submit(screen.getByRole('button', { name: nb.login.submit }))
    const busy = screen.getByRole<HTMLButtonElement>('button', { name: nb.login.submitting })
    expect(busy.disabled).toBe(true)
  })

  it('offers to remember the login only in the desktop app', () => {
    const web = renderWithStore(<LoginView desktop={false} serverUrl="" />)
    expect(screen.queryByLabelText(nb.login.remember)).toBeNull()
    web.unmount()
    renderWithStore(<LoginView desktop serverUrl="" />)
    expect(screen.getByLabelText(nb.login.remember)).toBeTruthy()
  })

  it('while a kept session is tried, can be cancelled back to the form', () => {
    const core = recordingCore()
    const { store } = renderWithStore(<LoginView desktop={false} serverUrl="" />, {
      ...signedOut({ status: 'restoring', token: 'kept' }),
      core: () => core,
    })
    expect(screen.getByRole('status').textContent).toBe(nb.login.restoring)
    fireEvent.click(screen.getByRole('button', { name: nb.login.cancel }))
    expect(store.getState().session).toMatchObject({ status: 'signed-out', token: null })
    expect(screen.getByRole('button', { name: nb.login.submit })).toBeTruthy()
  })
})

describe('the shell', () => {
  it('lands a user without the switchboard function in the directory, and refuses the switchboard with a reason', () => {
    const { store } = renderWithStore(<Shell />, {
      preloadedState: signedIn(
        snapshot({ me: me({ role: 'user', functions: ['sms'], queueIds: [] }) }),
      ),
    })
    expect(store.getState().ui.view).toBe('directory')
    const nav = screen.getByRole('navigation')
    expect(within(nav).queryByRole('button', { name: nb.nav.switchboard })).toBeNull()
    expect(within(nav).queryByRole('button', { name: nb.nav.board })).toBeNull()
    expect(
      within(nav).getByRole('button', { name: nb.nav.directory }).getAttribute('aria-current'),
    ).toBe('page')

    fireEvent.keyDown(document.body, { code: 'Digit1', key: '1' })
    const refusal = screen.getByTestId('no-access')
    expect(refusal.textContent).toContain(
      nb.nav.noAccess.replace('{{view}}', nb.nav.switchboard.toLowerCase()),
    )
  })

  it('gives an operator the switchboard, and ? opens the cheat sheet of the same keys', () => {
    renderWithStore(<Shell />, { preloadedState: signedIn(snapshot()) })
    expect(screen.queryByTestId('no-access')).toBeNull()
    expect(screen.getByTestId('waiting-list')).toBeTruthy()
    fireEvent.keyDown(document.body, { code: 'Minus', key: '?', shiftKey: true })
    const sheet = screen.getByRole('dialog')
    expect(within(sheet).getByText(nb.shortcuts.answer)).toBeTruthy()
    const answerRow = within(sheet).getByText(nb.shortcuts.answer).closest('tr')!
    expect(answerRow.querySelector('kbd')!.textContent).toBe('Enter')
  })

  it('shows who is logged in and the connection', () => {
    renderWithStore(<Shell />, { preloadedState: signedIn(snapshot()) })
    expect(screen.getByTestId('me').textContent).toBe('Kari Nordmann')
    expect(screen.getByTestId('connection').textContent).toBe(nb.connection.idle)
  })
})

describe('a status badge', () => {
  const badge = (
    status: Parameters<typeof StatusBadge>[0]['status'],
    language: 'nb' | 'en' = 'nb',
  ) => {
    const { container } = renderWithStore(<StatusBadge status={status} />, {
      language,
      preloadedState: { settings: { ...defaultSettings, language } },
    })
    return container.textContent
  }
  const [, , , knut] = colleagues.agents
  const meeting = knut!.absence!

  it('says free, or busy and with what unless simply on a call', () => {
    expect(badge({ kind: 'free' })).toBe(nb.status.free)
    expect(badge({ kind: 'busy', activity: 'on-call' })).toBe(nb.status.busy)
    expect(badge({ kind: 'busy', activity: 'wrap-up' })).toBe(
      `${nb.status.busy} · ${nb.activity['wrap-up']}`,
    )
    expect(badge({ kind: 'unknown' })).toBe(nb.status.unknown)
  })

  it('says absent, why, until when today and where calls go, in either language', () => {
    expect(badge({ kind: 'absent', absence: meeting })).toBe(
      'Fravær: Møte til 14:00 · viderekoblet til 987 65 432',
    )
    expect(badge({ kind: 'absent', absence: meeting }, 'en')).toBe(
      'Absent: Meeting until 14:00 · forwarded to 987 65 432',
    )
  })

  it('gives the date of an absence that ends on another day, and the note', () => {
    const holiday = {
      ...meeting,
      reason: 'vacation' as const,
      note: 'Syden',
      until: Date.UTC(2026, 2, 5, 9, 0),
      forwardTo: null,
    }
    expect(badge({ kind: 'absent', absence: holiday })).toBe(
      'Fravær: Ferie (Syden) til 5. mars 2026, 10:00',
    )
    expect(badge({ kind: 'absent', absence: { ...holiday, note: null, until: null } })).toBe(
      'Fravær: Ferie',
    )
  })
})

describe('the connection status', () => {
  it('is offline with the time of the last update when the connection is gone', () => {
    renderWithStore(<ConnectionStatus />, {
      preloadedState: {
        connection: {
          status: 'offline',
          since: t0 + 20_000,
          lastUpdateAt: t0 + 5_000,
          attempts: 3,
          lastError: null,
        },
      },
    })
    expect(screen.getByTestId('connection').textContent).toBe('Frakoblet – sist oppdatert 10:00:05')
  })
})

describe('notices', () => {
  it('read a known error as its sentence, an unknown code as the generic one, and can be dismissed', () => {
    const { store } = renderWithStore(<Notices />)
    act(() => {
      store.dispatch(
        noticeShown({
          kind: 'error',
          key: 'error.UNKNOWN_CALL',
          values: {},
          code: 'UNKNOWN_CALL',
          at: t0,
        }),
      )
      store.dispatch(
        // A code newer than this build: no sentence for it yet.
        noticeShown({
          kind: 'error',
          key: 'error.SOMETHING_NEW',
          values: {},
          at: t0,
        }),
      )
      store.dispatch(
        noticeShown({ kind: 'info', key: 'notice.parked', values: { slot: 3 }, at: t0 }),
      )
    })
    expect(screen.getAllByRole('alert').map((n) => n.firstChild!.textContent)).toEqual([
      nb.error.UNKNOWN_CALL,
      nb.error.generic.replace('{{code}}', 'SOMETHING_NEW'),
    ])
    expect(screen.getByRole('status').firstChild!.textContent).toBe(
      nb.notice.parked.replace('{{slot}}', '3'),
    )
    fireEvent.click(screen.getAllByRole('button', { name: nb.notice.dismiss })[0]!)
    expect(screen.getAllByRole('alert')).toHaveLength(1)
  })
})
