/**
 * The company directory with live status (the busy-lamp field): everyone, or what the search
 * finds, virtualised so two thousand people scroll as smoothly as twenty.
 */
import { useVirtualizer } from '@tanstack/react-virtual'
import { useDeferredValue, useMemo, useRef, useState } from 'react'
import { useTranslation } from 'react-i18next'
import { searchIndex } from '../../../../shared/directory-search'
import { useAppDispatch, useAppSelector } from '../../app/hooks'
import { StatusBadge } from '../../components/StatusBadge'
import { formatPhone } from '../../i18n/format'
import { selectAgents, selectUserList, statusOf } from '../live/selectors'
import { selectUserIndex } from '../transfer/search'
import { numberDialogOpened } from '../ui/uiSlice'
import { useFocusTarget } from '../ui/useFocusTarget'

const rowHeight = 52

export function DirectoryView() {
  const { t } = useTranslation()
  const dispatch = useAppDispatch()
  const users = useAppSelector(selectUserList)
  const index = useAppSelector(selectUserIndex)
  const agents = useAppSelector(selectAgents)
  const [query, setQuery] = useState('')
  const deferred = useDeferredValue(query)
  const shown = useMemo(
    () => (deferred.trim() === '' ? users : searchIndex(index, deferred, users.length)),
    [deferred, users, index],
  )
  const scroller = useRef<HTMLDivElement>(null)
  const input = useRef<HTMLInputElement>(null)
  useFocusTarget(input, 'directory-search')
  const virtualizer = useVirtualizer({
    count: shown.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => rowHeight,
    overscan: 10,
    initialRect: { width: 900, height: 800 },
  })
  return (
    <section className="panel directory" aria-labelledby="directory-title">
      <header className="panel-header">
        <h1 id="directory-title">{t('directory.title')}</h1>
        <span className="muted" aria-live="polite">
          {t('directory.count', { count: shown.length })}
        </span>
      </header>
      <label className="field">
        <span className="visually-hidden">{t('directory.search')}</span>
        <input
          ref={input}
          className="search-input"
          type="search"
          placeholder={t('directory.placeholder')}
          value={query}
          autoComplete="off"
          spellCheck={false}
          data-testid="directory-search"
          onChange={(e) => setQuery(e.target.value)}
        />
      </label>
      <div className="directory-head" aria-hidden="true">
        <span>{t('directory.name')}</span>
        <span>{t('directory.extension')}</span>
        <span>{t('directory.mobile')}</span>
        <span>{t('directory.department')}</span>
        <span>{t('directory.status')}</span>
      </div>
      <div ref={scroller} className="directory-list" role="list" aria-labelledby="directory-title">
        <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
          {virtualizer.getVirtualItems().map((item) => {
            const user = shown[item.index]!
            const name = `${user.firstName} ${user.lastName}`
            return (
              <div
                key={user.id}
                role="listitem"
                className="directory-row"
                style={{ transform: `translateY(${item.start}px)`, height: rowHeight }}
                data-testid="directory-row"
                data-user-id={user.id}
              >
                <span className="directory-name">{name}</span>
                <span>{user.extension}</span>
                <span>{formatPhone(user.mobile)}</span>
                <span>{user.department}</span>
                <span className="directory-status">
                  <StatusBadge status={statusOf(agents[user.id])} />
                  <button
                    type="button"
                    className="button-quiet"
                    aria-label={t('directory.call', { name })}
                    onClick={() =>
                      dispatch(numberDialogOpened({ dialog: 'dial', to: user.extension }))
                    }
                  >
                    ☎
                  </button>
                </span>
              </div>
            )
          })}
        </div>
      </div>
    </section>
  )
}
