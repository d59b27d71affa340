/**
 * The queue board (køtavle): per queue, agents free, callers waiting, the longest wait now,
 * answered and unanswered today and the service level. Large type, readable across a room;
 * F (or the button) fills the screen for a wall display.
 */
import { createSelector } from '@reduxjs/toolkit'
import { useEffect } from 'react'
import { useTranslation } from 'react-i18next'
import { useAppDispatch, useAppSelector } from '../../app/hooks'
import type { RootState } from '../../app/store'
import { useNow } from '../../components/useNow'
import {
  formatDuration,
  formatPercent,
  formatPhone,
  formatTime,
  formatWhen,
} from '../../i18n/format'
import {
  selectAgentsByQueue,
  selectMissed,
  selectOffsetMs,
  selectQueueList,
  selectWaitingByQueue,
} from '../live/selectors'
import { fullScreenToggled } from '../ui/uiSlice'

const selectRows = createSelector(
  [selectQueueList, selectAgentsByQueue, (s: RootState) => s.board.today],
  (queues, agents, today) =>
    queues.map((queue) => {
      const stats = today[queue.id]
      return {
        queue,
        agents: agents.get(queue.id) ?? { available: 0, loggedIn: 0, paused: 0 },
        answered: stats?.answered ?? null,
        unanswered: stats ? stats.abandoned + stats.timedOut : null,
        serviceLevel: stats?.serviceLevel ?? null,
      }
    }),
)

export function QueueBoard() {
  const { t } = useTranslation()
  const dispatch = useAppDispatch()
  const rows = useAppSelector(selectRows)
  const waitingByQueue = useAppSelector(selectWaitingByQueue)
  const missed = useAppSelector(selectMissed)
  const fullScreen = useAppSelector((s) => s.ui.fullScreen)
  const fetchedAt = useAppSelector((s) => s.board.fetchedAt)
  const language = useAppSelector((s) => s.settings.language)
  const offset = useAppSelector(selectOffsetMs)
  const now = useNow() + offset

  // The browser's full screen follows the store (F, the button, or Escape leaving it).
  useEffect(() => {
    const doc = document
    if (fullScreen && !doc.fullscreenElement)
      void doc.documentElement.requestFullscreen?.().catch(() => undefined)
    if (!fullScreen && doc.fullscreenElement) void doc.exitFullscreen?.().catch(() => undefined)
    const onChange = () => {
      if (!doc.fullscreenElement && fullScreen) dispatch(fullScreenToggled(false))
    }
    doc.addEventListener('fullscreenchange', onChange)
    return () => doc.removeEventListener('fullscreenchange', onChange)
  }, [fullScreen, dispatch])

  return (
    <div className={fullScreen ? 'board board-full' : 'board'} data-testid="queue-board">
      <header className="board-header">
        <h1>{t('board.title')}</h1>
        <span className="muted">
          {fetchedAt !== null ? t('board.updated', { time: formatTime(fetchedAt, language) }) : ''}
        </span>
        <button
          type="button"
          className="button"
          aria-pressed={fullScreen}
          aria-keyshortcuts="F"
          onClick={() => dispatch(fullScreenToggled(!fullScreen))}
        >
          {fullScreen ? t('board.exitFullScreen') : t('board.fullScreen')}{' '}
          <kbd className="kbd">F</kbd>
        </button>
      </header>
      {rows.length === 0 ? <p className="empty">{t('board.none')}</p> : null}
      <div className="board-grid">
        {rows.map(({ queue, agents, answered, unanswered, serviceLevel }) => {
          const longest = queue.oldestWaitingSince !== null ? now - queue.oldestWaitingSince : null
          const waiting = waitingByQueue.get(queue.id) ?? []
          return (
            <section
              key={queue.id}
              className={`board-card${queue.waiting > 0 && agents.available === 0 ? ' board-card-alert' : ''}`}
              aria-labelledby={`board-${queue.id}`}
              data-testid="board-queue"
              data-queue-id={queue.id}
            >
              <h2 id={`board-${queue.id}`}>
                {queue.name}
                {!queue.open ? <span className="tag tag-closed">{t('board.closed')}</span> : null}
              </h2>
              <dl className="figures">
                <div className="figure">
                  <dt>{t('board.available')}</dt>
                  <dd>
                    <span data-testid="figure-available">{agents.available}</span>
                    <span className="figure-sub muted">
                      {t('board.loggedIn', { count: agents.loggedIn })}
                    </span>
                  </dd>
                </div>
                <div className={`figure${queue.waiting > 0 ? ' figure-hot' : ''}`}>
                  <dt>{t('board.waiting')}</dt>
                  <dd data-testid="figure-waiting">{queue.waiting}</dd>
                </div>
                <div className="figure">
                  <dt>{t('board.longest')}</dt>
                  <dd className="tabular" data-testid="figure-longest">
                    {longest !== null ? formatDuration(longest) : '–'}
                  </dd>
                </div>
                <div className="figure">
                  <dt>{t('board.answered')}</dt>
                  <dd data-testid="figure-answered">{answered ?? '–'}</dd>
                </div>
                <div className="figure">
                  <dt>{t('board.unanswered')}</dt>
                  <dd data-testid="figure-unanswered">{unanswered ?? '–'}</dd>
                </div>
                <div className="figure">
                  <dt>{t('board.serviceLevel')}</dt>
                  <dd data-testid="figure-service-level">
                    {formatPercent(serviceLevel, language)}
                  </dd>
                </div>
              </dl>
              {waiting.length > 0 ? (
                <ol className="board-waiting" aria-label={t('board.waitingCallers')}>
                  {waiting.slice(0, 5).map((c) => (
                    <li key={c.id}>
                      {c.vip ? <span className="vip-badge">{t('switchboard.vip')}</span> : null}
                      <span>{c.remote.name ?? formatPhone(c.remote.number)}</span>
                      <span className="tabular">{formatDuration(now - c.waitingSince)}</span>
                    </li>
                  ))}
                </ol>
              ) : null}
            </section>
          )
        })}
      </div>
      {missed.length > 0 ? (
        <section className="board-missed" aria-labelledby="board-missed-title">
          <h2 id="board-missed-title">{t('board.missed')}</h2>
          <ul className="plain-list columns">
            {missed.slice(0, 12).map((m) => (
              <li key={m.callId}>
                {formatWhen(m.at, now, language)} · {m.caller.name ?? formatPhone(m.caller.number)}
              </li>
            ))}
          </ul>
        </section>
      ) : null}
    </div>
  )
}
