/**
 * My status: absence with a reason, until when and a forward number (and back again), and my
 * queues: logged in or out, paused with a reason.
 */
import { useState } from 'react'
import { useTranslation } from 'react-i18next'
import { absenceReasons, type AbsenceReason } from '../../../../shared/model'
import { useAppDispatch, useAppSelector } from '../../app/hooks'
import { StatusBadge } from '../../components/StatusBadge'
import { formatTime } from '../../i18n/format'
import { selectMyAgent, selectQueues, statusOf } from '../live/selectors'
import { commandIssued } from '../switchboard/switchboardSlice'

/** `datetime-local` value → instant (the browser's zone is the user's, in Norway). */
function parseLocal(value: string): number | null {
  if (value === '') return null
  const at = new Date(value).getTime()
  return Number.isNaN(at) ? null : at
}

export function StatusView() {
  const { t } = useTranslation()
  const dispatch = useAppDispatch()
  const agent = useAppSelector(selectMyAgent)
  const queues = useAppSelector(selectQueues)
  const language = useAppSelector((s) => s.settings.language)
  const [reason, setReason] = useState<AbsenceReason>('meeting')
  const [until, setUntil] = useState('')
  const [forwardTo, setForwardTo] = useState('')
  const [note, setNote] = useState('')
  const [pauseReason, setPauseReason] = useState('')
  const absence = agent?.absence ?? null

  return (
    <div className="status-view">
      <section className="panel" aria-labelledby="status-title">
        <h1 id="status-title">{t('myStatus.title')}</h1>
        <p className="status-now" data-testid="my-status">
          {t('myStatus.now')}: <StatusBadge status={statusOf(agent ?? undefined)} />
        </p>
        {absence ? (
          <>
            <p className="muted">
              {t('myStatus.absentSince', { time: formatTime(absence.since, language) })}
            </p>
            <button
              type="button"
              className="button button-primary"
              onClick={() => dispatch(commandIssued({ kind: 'absence-clear' }))}
            >
              {t('myStatus.back')}
            </button>
          </>
        ) : (
          <form
            className="form"
            aria-labelledby="absence-title"
            onSubmit={(e) => {
              e.preventDefault()
              dispatch(
                commandIssued({
                  kind: 'absence-set',
                  reason,
                  note: note.trim() === '' ? null : note.trim(),
                  until: parseLocal(until),
                  forwardTo: forwardTo.trim() === '' ? null : forwardTo.trim(),
                }),
              )
            }}
          >
            <h2 id="absence-title">{t('myStatus.setAbsence')}</h2>
            <label className="field">
              <span>{t('myStatus.reason')}</span>
              <select
                value={reason}
                onChange={(e) => setReason(e.target.value as AbsenceReason)}
                data-testid="absence-reason"
              >
                {absenceReasons.map((r) => (
                  <option key={r} value={r}>
                    {t(`reason.${r}`)}
                  </option>
                ))}
              </select>
            </label>
            <label className="field">
              <span>{t('myStatus.until')}</span>
              <input
                type="datetime-local"
                value={until}
                onChange={(e) => setUntil(e.target.value)}
                aria-describedby="until-hint"
                data-testid="absence-until"
              />
              <span id="until-hint" className="muted small">
                {t('myStatus.untilHint')}
              </span>
            </label>
            <label className="field">
              <span>{t('myStatus.forwardTo')}</span>
              <input
                type="tel"
                value={forwardTo}
                onChange={(e) => setForwardTo(e.target.value)}
                aria-describedby="forward-hint"
                data-testid="absence-forward"
              />
              <span id="forward-hint" className="muted small">
                {t('myStatus.forwardHint')}
              </span>
            </label>
            <label className="field">
              <span>{t('myStatus.note')}</span>
              <input
                type="text"
                value={note}
                maxLength={200}
                onChange={(e) => setNote(e.target.value)}
              />
            </label>
            <button type="submit" className="button button-primary" data-testid="absence-save">
              {t('myStatus.save')}
            </button>
          </form>
        )}
      </section>
      <section className="panel" aria-labelledby="my-queues-title">
        <h2 id="my-queues-title">{t('myStatus.queues')}</h2>
        {!agent || agent.queues.length === 0 ? (
          <p className="muted">{t('myStatus.noQueues')}</p>
        ) : (
          <>
            <label className="field">
              <span>{t('myStatus.pauseReason')}</span>
              <input
                type="text"
                value={pauseReason}
                maxLength={100}
                onChange={(e) => setPauseReason(e.target.value)}
              />
            </label>
            <ul className="plain-list">
              {agent.queues.map((m) => (
                <li key={m.queueId} className="row-between" data-testid="my-queue">
                  <span>
                    <strong>{queues[m.queueId]?.name ?? m.queueId}</strong>{' '}
                    <span className="muted">
                      {m.loggedIn
                        ? m.paused
                          ? t('myStatus.paused', { reason: m.paused.reason })
                          : t('myStatus.loggedIn')
                        : t('myStatus.loggedOut')}
                    </span>
                  </span>
                  <span className="actions">
                    <button
                      type="button"
                      className="button"
                      onClick={() =>
                        dispatch(
                          commandIssued({
                            kind: m.loggedIn ? 'queue-logout' : 'queue-login',
                            queueId: m.queueId,
                          }),
                        )
                      }
                    >
                      {m.loggedIn ? t('myStatus.logout') : t('myStatus.login')}
                    </button>
                    {m.loggedIn ? (
                      <button
                        type="button"
                        className="button"
                        onClick={() =>
                          dispatch(
                            m.paused
                              ? commandIssued({ kind: 'unpause', queueId: m.queueId })
                              : commandIssued({
                                  kind: 'pause',
                                  queueId: m.queueId,
                                  reason: pauseReason.trim() || t('myStatus.pauseReason'),
                                }),
                          )
                        }
                      >
                        {m.paused ? t('myStatus.unpause') : t('myStatus.pause')}
                      </button>
                    ) : null}
                  </span>
                </li>
              ))}
            </ul>
          </>
        )}
      </section>
    </div>
  )
}
