/** My call log: incoming and outgoing calls with name, number, time, queue, answered or not. */
import { useTranslation } from 'react-i18next'
import { useAppDispatch, useAppSelector } from '../../app/hooks'
import { useNow } from '../../components/useNow'
import { formatDuration, formatPhone, formatWhen } from '../../i18n/format'
import { selectUsers } from '../live/selectors'
import { logRequested } from './logsSlice'

export function CallLogView() {
  const { t } = useTranslation()
  const dispatch = useAppDispatch()
  const { entries, status, more } = useAppSelector((s) => s.logs.mine)
  const users = useAppSelector(selectUsers)
  const language = useAppSelector((s) => s.settings.language)
  const now = useNow()
  const nameOf = (id: string | null) => {
    const u = id !== null ? users[id] : undefined
    return u ? `${u.firstName} ${u.lastName}` : ''
  }
  return (
    <section className="panel log" aria-labelledby="log-title" aria-busy={status === 'loading'}>
      <header className="panel-header">
        <h1 id="log-title">{t('log.mine')}</h1>
        <button
          type="button"
          className="button"
          onClick={() => dispatch(logRequested({ log: 'mine', older: false }))}
        >
          {t('action.refresh')}
        </button>
      </header>
      {entries.length === 0 && status !== 'loading' ? (
        <p className="empty">{t('log.empty')}</p>
      ) : null}
      {entries.length > 0 ? (
        <table className="table" data-testid="my-log">
          <thead>
            <tr>
              <th scope="col">{t('log.when')}</th>
              <th scope="col">{t('log.direction')}</th>
              <th scope="col">{t('log.who')}</th>
              <th scope="col">{t('log.number')}</th>
              <th scope="col">{t('log.queue')}</th>
              <th scope="col">{t('log.answered')}</th>
              <th scope="col">{t('log.duration')}</th>
              <th scope="col">{t('log.transferredTo')}</th>
            </tr>
          </thead>
          <tbody>
            {entries.map((e) => (
              <tr
                key={`${e.callId}-${e.startedAt}`}
                data-testid="my-log-row"
                data-call-id={e.callId}
              >
                <td>{formatWhen(e.startedAt, now, language)}</td>
                <td>{e.direction === 'incoming' ? t('log.incoming') : t('log.outgoing')}</td>
                <td>
                  {e.counterpart.userId ? nameOf(e.counterpart.userId) : (e.counterpart.name ?? '')}
                  {e.calledBackBy ? (
                    <span className="muted small">
                      {' '}
                      {t('log.calledBack', { name: nameOf(e.calledBackBy) })}
                    </span>
                  ) : null}
                </td>
                <td>{formatPhone(e.counterpart.number)}</td>
                <td>{e.queueName ?? ''}</td>
                <td className={e.answered ? '' : 'text-warn'}>
                  {e.answered ? t('log.answered') : t('log.notAnswered')}
                </td>
                <td className="tabular">{e.answered ? formatDuration(e.talkMs) : ''}</td>
                <td>
                  {e.transferredTo?.kind === 'user'
                    ? nameOf(e.transferredTo.userId)
                    : e.transferredTo?.kind === 'external'
                      ? formatPhone(e.transferredTo.number)
                      : (e.transferredTo?.queueId ?? '')}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {more ? (
        <button
          type="button"
          className="button"
          onClick={() => dispatch(logRequested({ log: 'mine', older: true }))}
        >
          {t('log.loadMore')}
        </button>
      ) : null}
    </section>
  )
}
