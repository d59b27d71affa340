/**
 * The callers waiting in the operator's queues, in the order they will be served (VIP first,
 * then who has waited longest), across all queues or one. A listbox: arrow keys move the
 * cursor, Enter (or P anywhere) takes the caller. Virtualised: 500 waiting callers render only
 * the rows in view.
 */
import { createSelector } from '@reduxjs/toolkit'
import { useVirtualizer } from '@tanstack/react-virtual'
import { memo, useEffect, useRef } from 'react'
import { useTranslation } from 'react-i18next'
import type { CallView, QueueView } from '../../../../shared/model'
import { useAppDispatch, useAppSelector } from '../../app/hooks'
import type { RootState } from '../../app/store'
import { useNow } from '../../components/useNow'
import { formatDuration, formatPhone } from '../../i18n/format'
import { selectOffsetMs, selectQueueList, selectQueues, selectWaiting } from '../live/selectors'
import { useFocusTarget } from '../ui/useFocusTarget'
import { commandIssued, cursorMoved, queueFilterChosen } from './switchboardSlice'

const rowHeight = 56

const selectFiltered = createSelector(
  [selectWaiting, (s: RootState) => s.switchboard.queueFilter],
  (waiting, filter) => (filter === 'all' ? waiting : waiting.filter((c) => c.queueId === filter)),
)

const selectMyQueueList = createSelector(
  [selectQueueList, (s: RootState) => s.session.me],
  (queues, me) =>
    me?.role === 'contact' ? queues : queues.filter((q) => me?.queueIds.includes(q.id)),
)

const WaitingRow = memo(function WaitingRow({
  call,
  queue,
  position,
  selected,
  now,
  top,
}: {
  call: CallView
  queue: QueueView | undefined
  position: number
  selected: boolean
  now: number
  top: number
}) {
  const { t } = useTranslation()
  const dispatch = useAppDispatch()
  // The queue's own number goes without saying; a main number or direct line routed here does not.
  const viaOtherNumber = !(queue?.numbers.includes(call.dialed) ?? false)
  return (
    <div
      id={`waiting-${call.id}`}
      role="option"
      aria-selected={selected}
      aria-posinset={position + 1}
      className={`waiting-row${selected ? ' waiting-row-selected' : ''}${call.vip ? ' waiting-row-vip' : ''}`}
      style={{ transform: `translateY(${top}px)`, height: rowHeight }}
      data-testid="waiting-row"
      data-call-id={call.id}
      onClick={() => dispatch(cursorMoved(call.id))}
      onDoubleClick={() => dispatch(commandIssued({ kind: 'pick', callId: call.id }))}
    >
      <span className="waiting-caller">
        {call.vip ? <span className="vip-badge">{t('switchboard.vip')}</span> : null}
        <span className="waiting-name">{call.remote.name ?? formatPhone(call.remote.number)}</span>
        {call.remote.name ? (
          <span className="muted"> {formatPhone(call.remote.number)}</span>
        ) : null}
      </span>
      <span className="waiting-meta muted">
        {queue?.name ?? ''}
        {viaOtherNumber
          ? ` · ${t('switchboard.called', { target: formatPhone(call.dialed) })}`
          : ''}
      </span>
      <span
        className="waiting-time"
        aria-label={t('switchboard.waited', { time: formatDuration(now - call.waitingSince) })}
      >
        {formatDuration(now - call.waitingSince)}
      </span>
    </div>
  )
})

export function WaitingList() {
  const { t } = useTranslation()
  const dispatch = useAppDispatch()
  const waiting = useAppSelector(selectFiltered)
  const total = useAppSelector(selectWaiting).length
  const queues = useAppSelector(selectQueues)
  const myQueues = useAppSelector(selectMyQueueList)
  const filter = useAppSelector((s) => s.switchboard.queueFilter)
  const cursor = useAppSelector((s) => s.switchboard.cursorCallId)
  const offset = useAppSelector(selectOffsetMs)
  const now = useNow() + offset
  const scroller = useRef<HTMLDivElement>(null)
  useFocusTarget(scroller, 'waiting-list')

  const virtualizer = useVirtualizer({
    count: waiting.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => rowHeight,
    overscan: 8,
    // Before the first layout, assume a screenful (rows show on the first paint).
    initialRect: { width: 600, height: 800 },
  })
  const cursorIndex = waiting.findIndex((c) => c.id === cursor)
  const active = cursorIndex >= 0 ? waiting[cursorIndex] : undefined
  useEffect(() => {
    if (cursorIndex >= 0) virtualizer.scrollToIndex(cursorIndex)
  }, [cursorIndex, virtualizer])

  return (
    <section className="panel waiting" aria-labelledby="waiting-title">
      <header className="panel-header">
        <h2 id="waiting-title">
          {t('switchboard.waiting')}{' '}
          <span className="count" data-testid="waiting-count">
            {t('switchboard.waitingCount', { count: total })}
          </span>
        </h2>
        <label className="inline-field">
          <span className="visually-hidden">{t('switchboard.queueFilter')}</span>
          <select value={filter} onChange={(e) => dispatch(queueFilterChosen(e.target.value))}>
            <option value="all">{t('switchboard.allQueues')}</option>
            {myQueues.map((q) => (
              <option key={q.id} value={q.id}>
                {q.name} ({q.waiting})
              </option>
            ))}
          </select>
        </label>
      </header>
      <div
        ref={scroller}
        className="waiting-list"
        // A listbox only while it has callers in it (ARIA requires its options).
        role={waiting.length > 0 ? 'listbox' : undefined}
        tabIndex={waiting.length > 0 ? 0 : -1}
        aria-labelledby={waiting.length > 0 ? 'waiting-title' : undefined}
        aria-activedescendant={active ? `waiting-${active.id}` : undefined}
        data-testid="waiting-list"
        onKeyDown={(e) => {
          if (e.key === 'Enter' && !e.altKey) {
            const target = active ?? waiting[0]
            if (target) dispatch(commandIssued({ kind: 'pick', callId: target.id }))
            e.preventDefault()
          } else if (e.key === 'Home' || e.key === 'End') {
            const target = e.key === 'Home' ? waiting[0] : waiting.at(-1)
            if (target) dispatch(cursorMoved(target.id))
            e.preventDefault()
          }
        }}
      >
        {waiting.length === 0 ? (
          <p className="empty">{t('switchboard.noWaiting')}</p>
        ) : (
          <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
            {virtualizer.getVirtualItems().map((item) => {
              const call = waiting[item.index]!
              return (
                <WaitingRow
                  key={call.id}
                  call={call}
                  queue={call.queueId !== null ? queues[call.queueId] : undefined}
                  position={item.index}
                  selected={call.id === active?.id}
                  now={now}
                  top={item.start}
                />
              )
            })}
          </div>
        )}
      </div>
    </section>
  )
}
