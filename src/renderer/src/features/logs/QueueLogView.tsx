/**
 * The queue log of the operator's queues: caller, queue, who answered (or the outcome), wait,
 * duration, who it was transferred to, and the overflow destination.
 */
import { useTranslation } from 'react-i18next'
import type { Destination } from '../../../../shared/model'
import { useAppDispatch, useAppSelector } from '../../app/hooks'
import { useNow } from '../../components/useNow'
import { formatDuration, formatPhone, formatWhen } from '../../i18n/format'
import { selectQueues, selectUsers } from '../live/selectors'
import { logRequested } from './logsSlice'

export function QueueLogView() {
  const { t } = useTranslation()
  const dispatch = useAppDispatch()
  const { entries, status, more } = useAppSelector((s) => s.logs.queues)
  const users = useAppSelector(selectUsers)
  const queues = useAppSelector(selectQueues)
  const language = useAppSelector((s) => s.settings.language)
  const now = useNow()
  const nameOf = (id: string | null) => {
    const u = id !== null ? users[id] : undefined
    return u ? `${u.firstName} ${u.lastName}` : ''
  }
  const describe = (d: Destination | null) =>
    d === null
      ? ''
      : d.kind === 'user'
        ? nameOf(d.userId)
        : d.kind === 'queue'
          ? (queues[d.queueId]?.name ?? d.queueId)
          : formatPhone(d.number)
  return (
    <section className="panel log" aria-labelledby="qlog-title" aria-busy={status === 'loading'}>
      <header className="panel-header">
        <h1 id="qlog-title">{t('log.queues')}</h1>
        <button
          type="button"
          className="button"
          onClick={() => dispatch(logRequested({ log: 'queues', older: false }))}
        >
          {t('action.refresh')}
        </button>
      </header>
      {entries.length === 0 && status !== 'loading' ? (
        <p className="empty">{t('log.empty')}</p>
      ) : null}
      {entries.length > 0 ? (
        <table className="table" data-testid="queue-log">
          <thead>
            <tr>
              <th scope="col">{t('log.when')}</th>
              <th scope="col">{t('log.who')}</th>
              <th scope="col">{t('log.queue')}</th>
              <th scope="col">{t('log.answeredBy')}</th>
              <th scope="col">{t('log.wait')}</th>
              <th scope="col">{t('log.duration')}</th>
              <th scope="col">{t('log.transferredTo')}</th>
              <th scope="col">{t('log.overflow')}</th>
            </tr>
          </thead>
          <tbody>
            {entries.map((e) => (
              <tr key={`${e.callId}-${e.queueId}-${e.enteredAt}`} data-testid="queue-log-row">
                <td>{formatWhen(e.enteredAt, now, language)}</td>
                <td>
                  {e.caller.name ?? formatPhone(e.caller.number)}
                  {e.vip ? <span className="vip-badge">{t('switchboard.vip')}</span> : null}
                  {e.calledBackBy ? (
                    <span className="muted small">
                      {' '}
                      {t('log.calledBack', { name: nameOf(e.calledBackBy) })}
                    </span>
                  ) : null}
                </td>
                <td>{e.queueName}</td>
                <td className={e.answeredBy ? '' : 'text-warn'}>
                  {e.answeredBy ? nameOf(e.answeredBy) : t(`log.outcome.${e.outcome}`)}
                </td>
                <td className="tabular">{formatDuration(e.waitMs)}</td>
                <td className="tabular">{e.answeredBy ? formatDuration(e.talkMs) : ''}</td>
                <td>{describe(e.transferredTo)}</td>
                <td>{describe(e.overflowTo)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {more ? (
        <button
          type="button"
          className="button"
          onClick={() => dispatch(logRequested({ log: 'queues', older: true }))}
        >
          {t('log.loadMore')}
        </button>
      ) : null}
    </section>
  )
}
