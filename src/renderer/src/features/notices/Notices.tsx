/** Notices in a live region: errors are read out at once, the rest politely. */
import { useEffect } from 'react'
import { useTranslation } from 'react-i18next'
import { useAppDispatch, useAppSelector } from '../../app/hooks'
import { noticeDismissed } from './noticesSlice'

const showMs = 6000

export function Notices() {
  const { t, i18n } = useTranslation()
  const list = useAppSelector((s) => s.notices.list)
  const dispatch = useAppDispatch()
  useEffect(() => {
    if (list.length === 0) return
    const oldest = list[0]!
    const timer = setTimeout(() => dispatch(noticeDismissed(oldest.id)), showMs)
    return () => clearTimeout(timer)
  }, [list, dispatch])
  return (
    <div className="notices" aria-live="polite" data-testid="notices">
      {list.map((n) => {
        const text = i18n.exists(n.key)
          ? t(n.key as 'notice.transferred', n.values)
          : t('error.generic', { code: n.code ?? n.key.replace(/^error\./, '') })
        return (
          <div
            key={n.id}
            className={`notice notice-${n.kind}`}
            role={n.kind === 'error' ? 'alert' : 'status'}
          >
            <span>{text}</span>
            <button
              type="button"
              className="button-quiet"
              aria-label={t('notice.dismiss')}
              onClick={() => dispatch(noticeDismissed(n.id))}
            >
              ×
            </button>
          </div>
        )
      })}
    </div>
  )
}
