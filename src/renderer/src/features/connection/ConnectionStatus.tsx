/** The connection state, always visible in the header; announced when it changes. */
import { useTranslation } from 'react-i18next'
import { useAppSelector } from '../../app/hooks'
import { formatTime } from '../../i18n/format'

export function ConnectionStatus() {
  const { t } = useTranslation()
  const { status, lastUpdateAt } = useAppSelector((s) => s.connection)
  const language = useAppSelector((s) => s.settings.language)
  const text =
    status === 'offline'
      ? lastUpdateAt !== null
        ? t('connection.offline', { time: formatTime(lastUpdateAt, language, true) })
        : t('connection.offlineNever')
      : t(`connection.${status}`)
  return (
    <div
      className={`connection connection-${status}`}
      role="status"
      aria-live="polite"
      data-testid="connection"
    >
      <span className="connection-dot" aria-hidden="true" />
      {text}
    </div>
  )
}

/** Over the content while not connected: what is shown may be stale. */
export function StaleBanner() {
  const { t } = useTranslation()
  const { status, lastUpdateAt } = useAppSelector((s) => s.connection)
  const language = useAppSelector((s) => s.settings.language)
  if (
    status === 'connected' ||
    status === 'idle' ||
    status === 'connecting' ||
    lastUpdateAt === null
  )
    return null
  return (
    <div className="stale-banner" role="alert">
      {t('connection.stale', { time: formatTime(lastUpdateAt, language, true) })}
    </div>
  )
}
