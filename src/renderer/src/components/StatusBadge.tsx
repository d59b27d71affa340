/** A colleague's live status in words and colour: free, busy (and doing what), absent (why, until, forwarded). */
import { useTranslation } from 'react-i18next'
import type { ColleagueStatus } from '../features/live/selectors'
import { useAppSelector } from '../app/hooks'
import { formatPhone, formatTime, formatWhen } from '../i18n/format'
import { useNow } from './useNow'

export function StatusBadge({ status }: { status: ColleagueStatus }) {
  const { t } = useTranslation()
  const language = useAppSelector((s) => s.settings.language)
  const now = useNow()
  switch (status.kind) {
    case 'free':
      return <span className="status status-free">{t('status.free')}</span>
    case 'busy':
      return (
        <span className="status status-busy">
          {t('status.busy')}
          {status.activity !== 'idle' && status.activity !== 'on-call' ? (
            <span className="status-detail"> · {t(`activity.${status.activity}`)}</span>
          ) : null}
        </span>
      )
    case 'absent': {
      const { reason, until, forwardTo, note } = status.absence
      const sameDay = until !== null && until - now < 20 * 3600_000
      return (
        <span className="status status-absent">
          {t('status.absent')}: {t(`reason.${reason}`)}
          {note ? <span className="status-detail"> ({note})</span> : null}
          {until !== null ? (
            <span className="status-detail">
              {' '}
              {t('status.until', {
                time: sameDay ? formatTime(until, language) : formatWhen(until, now, language),
              })}
            </span>
          ) : null}
          {forwardTo ? (
            <span className="status-forward">
              {' '}
              · {t('status.forwarded', { number: formatPhone(forwardTo) })}
            </span>
          ) : null}
        </span>
      )
    }
    case 'unknown':
      return <span className="status status-unknown">{t('status.unknown')}</span>
  }
}
