/**
 * The operator's switchboard: waiting callers on the left, the call in hand and the transfer
 * search in the middle, the caller's history and notes, parked and missed calls on the right.
 */
import { useTranslation } from 'react-i18next'
import { useAppDispatch, useAppSelector } from '../../app/hooks'
import { useNow } from '../../components/useNow'
import { formatDuration, formatPhone, formatWhen } from '../../i18n/format'
import {
  selectFocusedCall,
  selectMissed,
  selectOffsetMs,
  selectParked,
  selectQueues,
} from '../live/selectors'
import { TransferSearch } from '../transfer/TransferSearch'
import { dialogOpened } from '../ui/uiSlice'
import { CallerInfo } from './CallerInfo'
import { CallPanel } from './CallPanel'
import { commandIssued } from './switchboardSlice'
import { WaitingList } from './WaitingList'

function Parked() {
  const { t } = useTranslation()
  const dispatch = useAppDispatch()
  const parked = useAppSelector(selectParked)
  const offset = useAppSelector(selectOffsetMs)
  const now = useNow() + offset
  if (parked.length === 0) return null
  return (
    <section className="panel" aria-labelledby="parked-title">
      <h2 id="parked-title">{t('switchboard.parked')}</h2>
      <ul className="plain-list">
        {parked.map((c) => (
          <li key={c.id} className="row-between">
            <span>
              {t('switchboard.slot', { slot: c.parkedSlot })}:{' '}
              {c.remote.name ?? formatPhone(c.remote.number)}{' '}
              <span className="muted">{formatDuration(now - c.waitingSince)}</span>
            </span>
            <button
              type="button"
              className="button"
              onClick={() => dispatch(commandIssued({ kind: 'retrieve', slot: c.parkedSlot! }))}
            >
              {t('action.retrieve')}
            </button>
          </li>
        ))}
      </ul>
    </section>
  )
}

function Missed() {
  const { t } = useTranslation()
  const dispatch = useAppDispatch()
  const missed = useAppSelector(selectMissed)
  const queues = useAppSelector(selectQueues)
  const language = useAppSelector((s) => s.settings.language)
  const now = useNow()
  return (
    <section className="panel missed" aria-labelledby="missed-title">
      <h2 id="missed-title">
        {t('switchboard.missed')} <span className="count">{missed.length}</span>
      </h2>
      {missed.length === 0 ? (
        <p className="empty">{t('switchboard.noMissed')}</p>
      ) : (
        <ul className="plain-list" data-testid="missed-list">
          {missed.slice(0, 50).map((m) => (
            <li key={m.callId} className="row-between">
              <span>
                {m.caller.name ?? formatPhone(m.caller.number)}
                <span className="muted small">
                  {' '}
                  · {queues[m.queueId]?.name ?? ''} · {formatWhen(m.at, now, language)}
                </span>
              </span>
              <button
                type="button"
                className="button-quiet"
                onClick={() => dispatch(commandIssued({ kind: 'callback-mark', callId: m.callId }))}
              >
                {t('action.callbackMark')}
              </button>
            </li>
          ))}
        </ul>
      )}
    </section>
  )
}

export function SwitchboardView() {
  const { t } = useTranslation()
  const dispatch = useAppDispatch()
  const focused = useAppSelector(selectFocusedCall)
  return (
    <div className="switchboard">
      <h1 className="visually-hidden">{t('switchboard.title')}</h1>
      <WaitingList />
      <div className="column">
        <CallPanel />
        <TransferSearch call={focused} />
        <div className="row-actions">
          <button
            type="button"
            className="button-quiet"
            onClick={() => dispatch(dialogOpened('dial'))}
          >
            {t('action.dial')} <kbd className="kbd">D</kbd>
          </button>
        </div>
      </div>
      <div className="column">
        {focused ? <CallerInfo call={focused} /> : null}
        <Parked />
        <Missed />
      </div>
    </div>
  )
}
