/**
 * The logged-in interface: a header with the views, the connection state and the user, the
 * current view, and the dialogs and notices above it all.
 */
import { useEffect, useRef } from 'react'
import { useTranslation } from 'react-i18next'
import { useAppDispatch, useAppSelector } from '../../app/hooks'
import { QueueBoard } from '../board/QueueBoard'
import { ConnectionStatus, StaleBanner } from '../connection/ConnectionStatus'
import { DirectoryView } from '../directory/DirectoryView'
import { CallLogView } from '../logs/CallLogView'
import { QueueLogView } from '../logs/QueueLogView'
import { Notices } from '../notices/Notices'
import { OutgoingDialog } from '../outgoing/OutgoingDialog'
import { logoutRequested } from '../session/sessionSlice'
import { SettingsView } from '../settings/SettingsView'
import { StatusView } from '../status/StatusView'
import { SwitchboardView } from '../switchboard/SwitchboardView'
import { homeView, mayOpen } from './access'
import { CheatSheet } from './CheatSheet'
import { dialogOpened, viewChosen, views, type View } from './uiSlice'
import { useShortcuts } from './useShortcuts'

function ViewContent({ view }: { view: View }) {
  switch (view) {
    case 'switchboard':
      return <SwitchboardView />
    case 'board':
      return <QueueBoard />
    case 'directory':
      return <DirectoryView />
    case 'status':
      return <StatusView />
    case 'log':
      return <CallLogView />
    case 'queue-log':
      return <QueueLogView />
    case 'settings':
      return <SettingsView />
  }
}

export function Shell() {
  const { t } = useTranslation()
  const dispatch = useAppDispatch()
  const me = useAppSelector((s) => s.session.me)
  const view = useAppSelector((s) => s.ui.view)
  const dialog = useAppSelector((s) => s.ui.dialog)
  const fullScreen = useAppSelector((s) => s.ui.fullScreen && s.ui.view === 'board')
  useShortcuts()

  // On login, land where this user works. Later, a view they may not open (typed into the
  // address, or its key pressed) is refused with a reason rather than silently swapped.
  const landedFor = useRef<string | null>(null)
  useEffect(() => {
    if (!me || landedFor.current === me.userId) return
    landedFor.current = me.userId
    if (!mayOpen(me, view)) dispatch(viewChosen(homeView(me)))
  }, [me, view, dispatch])

  useEffect(() => {
    document.title = `${t(`nav.${view}`)} – Sentral`
  }, [view, t])

  // A new view takes the focus (screen readers start there, and Enter answers a call rather
  // than pressing the menu button again).
  const main = useRef<HTMLElement>(null)
  const shownView = useRef(view)
  useEffect(() => {
    if (shownView.current !== view) main.current?.focus()
    shownView.current = view
  }, [view])

  const allowed = mayOpen(me, view)
  return (
    <div className={fullScreen ? 'shell shell-full' : 'shell'}>
      <a className="skip-link" href="#main">
        {t('app.skip')}
      </a>
      <header className="topbar">
        <div className="brand">
          <span className="brand-mark" aria-hidden="true">
            S
          </span>
          <span className="brand-name">Sentral</span>
          <span className="brand-company">{me?.companyName}</span>
        </div>
        <nav aria-label={t('nav.label')} className="nav">
          {views
            .filter((v) => mayOpen(me, v))
            .map((v) => (
              <button
                key={v}
                type="button"
                className={v === view ? 'nav-item nav-item-current' : 'nav-item'}
                aria-current={v === view ? 'page' : undefined}
                onClick={() => dispatch(viewChosen(v))}
              >
                {t(`nav.${v}`)}
              </button>
            ))}
        </nav>
        <div className="topbar-end">
          <ConnectionStatus />
          <button
            type="button"
            className="button-quiet"
            onClick={() => dispatch(dialogOpened('cheat-sheet'))}
            aria-keyshortcuts="?"
          >
            {t('nav.shortcuts')} <kbd className="kbd">?</kbd>
          </button>
          <span className="me" data-testid="me">
            {me ? `${me.firstName} ${me.lastName}` : ''}
          </span>
          <button
            type="button"
            className="button-quiet"
            onClick={() => dispatch(logoutRequested())}
          >
            {t('nav.logout')}
          </button>
        </div>
      </header>
      <StaleBanner />
      <main id="main" ref={main} className="content" tabIndex={-1}>
        {allowed ? (
          <ViewContent view={view} />
        ) : (
          <section className="panel no-access" data-testid="no-access">
            <h1>{t(`nav.${view}`)}</h1>
            <p>{t('nav.noAccess', { view: t(`nav.${view}`).toLowerCase() })}</p>
          </section>
        )}
      </main>
      {dialog === 'cheat-sheet' ? <CheatSheet /> : null}
      {dialog === 'dial' || dialog === 'sms' ? <OutgoingDialog kind={dialog} /> : null}
      <Notices />
    </div>
  )
}
