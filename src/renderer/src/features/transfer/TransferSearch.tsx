/**
 * One search box over the directory and the queues, forgiving Norwegian spelling. Each result
 * shows live status, so the operator sees busy, absent or forwarded before putting a caller
 * through. Enter transfers blind, Shift+Enter consults first, Escape clears.
 */
import { memo, useRef } from 'react'
import { useTranslation } from 'react-i18next'
import type { CallView, Destination } from '../../../../shared/model'
import { useAppDispatch, useAppSelector } from '../../app/hooks'
import { StatusBadge } from '../../components/StatusBadge'
import { formatPhone } from '../../i18n/format'
import { commandIssued } from '../switchboard/switchboardSlice'
import { focusRequested } from '../ui/uiSlice'
import { useFocusTarget } from '../ui/useFocusTarget'
import { selectTargets, type Target } from './search'
import { highlightMoved, highlightSet, searchCleared, searchTyped } from './transferSlice'

export function destinationOf(target: Target): Destination {
  switch (target.kind) {
    case 'user':
      return { kind: 'user', userId: target.user.id }
    case 'queue':
      return { kind: 'queue', queueId: target.queue.id }
    case 'external':
      return { kind: 'external', number: target.number }
  }
}

export function targetKey(target: Target): string {
  switch (target.kind) {
    case 'user':
      return `u-${target.user.id}`
    case 'queue':
      return `q-${target.queue.id}`
    case 'external':
      return `x-${target.number}`
  }
}

export const TargetRow = memo(function TargetRow({ target }: { target: Target }) {
  const { t } = useTranslation()
  switch (target.kind) {
    case 'user': {
      const u = target.user
      return (
        <>
          <span className="target-name">
            {u.firstName} {u.lastName}
          </span>
          <span className="target-meta muted">
            {u.extension}
            {u.department ? ` · ${u.department}` : ''}
            {u.mobile ? ` · ${formatPhone(u.mobile)}` : ''}
          </span>
          <StatusBadge status={target.status} />
        </>
      )
    }
    case 'queue':
      return (
        <>
          <span className="target-name">
            <span className="tag">{t('transfer.queue')}</span> {target.queue.name}
          </span>
          <span className="target-meta muted">
            {target.queue.numbers.map(formatPhone).join(', ')}
          </span>
          <span className="status status-queue">
            {t('transfer.agentsFree', { count: target.agents.available })} ·{' '}
            {t('switchboard.waitingCount', { count: target.queue.waiting })}
          </span>
        </>
      )
    case 'external':
      return (
        <>
          <span className="target-name">
            <span className="tag">{t('transfer.external')}</span> {formatPhone(target.number)}
          </span>
          <span />
          <span />
        </>
      )
  }
})

export function TransferSearch({ call }: { call: CallView | null }) {
  const { t } = useTranslation()
  const dispatch = useAppDispatch()
  const query = useAppSelector((s) => s.transfer.query)
  const highlighted = useAppSelector((s) => s.transfer.highlighted)
  const targets = useAppSelector(selectTargets)
  const input = useRef<HTMLInputElement>(null)
  useFocusTarget(input, 'transfer-search')
  const current = targets[Math.min(highlighted, targets.length - 1)]
  const canTransfer = call !== null && (call.state === 'connected' || call.state === 'held')

  const transfer = (target: Target, mode: 'blind' | 'consult') => {
    if (!call || !canTransfer) return
    dispatch(
      commandIssued({ kind: 'transfer', callId: call.id, target: destinationOf(target), mode }),
    )
  }

  return (
    // data-results-for names the query the results on screen answer (tests and bench:ui wait on it).
    <section className="panel transfer" aria-labelledby="transfer-title" data-results-for={query}>
      <header className="panel-header">
        <h2 id="transfer-title">{t('transfer.label')}</h2>
        <span className="muted small">
          {canTransfer ? t('transfer.hint') : t('transfer.noCall')}
        </span>
      </header>
      <input
        ref={input}
        className="search-input"
        type="search"
        role="combobox"
        aria-expanded={targets.length > 0}
        aria-controls={targets.length > 0 ? 'transfer-results' : undefined}
        aria-autocomplete="list"
        aria-activedescendant={current ? `target-${targetKey(current)}` : undefined}
        aria-labelledby="transfer-title"
        placeholder={t('transfer.placeholder')}
        autoComplete="off"
        spellCheck={false}
        value={query}
        data-testid="transfer-search"
        onChange={(e) => dispatch(searchTyped(e.target.value))}
        onKeyDown={(e) => {
          if (e.altKey) return
          if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
            dispatch(highlightMoved({ by: e.key === 'ArrowDown' ? 1 : -1, count: targets.length }))
            e.preventDefault()
          } else if (e.key === 'Enter') {
            if (current) transfer(current, e.shiftKey ? 'consult' : 'blind')
            e.preventDefault()
          } else if (e.key === 'Escape') {
            if (query !== '') dispatch(searchCleared())
            else dispatch(focusRequested('call-panel'))
            e.preventDefault()
          }
        }}
      />
      <div className="visually-hidden" aria-live="polite">
        {query ? t('transfer.results', { count: targets.length }) : ''}
      </div>
      {query !== '' && targets.length === 0 ? (
        <p className="empty">{t('transfer.noResults')}</p>
      ) : null}
      {targets.length > 0 ? (
        <ul
          id="transfer-results"
          role="listbox"
          className="targets"
          aria-labelledby="transfer-title"
        >
          {targets.map((target, i) => (
            <li
              key={targetKey(target)}
              id={`target-${targetKey(target)}`}
              role="option"
              aria-selected={current === target}
              className={current === target ? 'target target-highlighted' : 'target'}
              data-testid="transfer-target"
              onMouseEnter={() => dispatch(highlightSet(i))}
              onClick={(e) => transfer(target, e.shiftKey ? 'consult' : 'blind')}
            >
              <TargetRow target={target} />
            </li>
          ))}
        </ul>
      ) : null}
    </section>
  )
}
