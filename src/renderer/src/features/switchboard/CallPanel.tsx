/**
 * The calls that concern this operator: what is ringing for them (with the number the caller
 * dialled), and the call in hand with its actions. One calm panel, not a stack of pop-ups.
 */
import { useRef } from 'react'
import { useTranslation } from 'react-i18next'
import type { CallView, Destination, Party } from '../../../../shared/model'
import { useAppDispatch, useAppSelector } from '../../app/hooks'
import { Kbd } from '../../components/Kbd'
import { useNow } from '../../components/useNow'
import { formatDuration, formatPhone } from '../../i18n/format'
import {
  counterpartOf,
  selectFocusedCall,
  selectMyId,
  selectMyCalls,
  selectOffered,
  selectOffsetMs,
  selectQueues,
  selectUsers,
} from '../live/selectors'
import { focusRequested } from '../ui/uiSlice'
import { useFocusTarget } from '../ui/useFocusTarget'
import { callFocused, commandIssued, type CallCommand } from './switchboardSlice'

function useDescribeDestination() {
  const users = useAppSelector(selectUsers)
  const queues = useAppSelector(selectQueues)
  return (d: Destination) => {
    switch (d.kind) {
      case 'user': {
        const u = users[d.userId]
        return u ? `${u.firstName} ${u.lastName}` : d.userId
      }
      case 'queue':
        return queues[d.queueId]?.name ?? d.queueId
      case 'external':
        return formatPhone(d.number)
    }
  }
}

/** What the caller dialled, in words: the queue's name, or the number. */
function useDialed(call: CallView): string {
  const queues = useAppSelector(selectQueues)
  const queue = call.queueId !== null ? queues[call.queueId] : undefined
  return queue?.numbers.includes(call.dialed)
    ? `${queue.name} (${formatPhone(call.dialed)})`
    : formatPhone(call.dialed)
}

const nameOrNumber = (party: Party) => party.name ?? formatPhone(party.number)

/** Who the user is talking to (or being called by), by name when known, with the number. */
function CallerLine({ call }: { call: CallView }) {
  const { t } = useTranslation()
  const party = counterpartOf(call, useAppSelector(selectMyId))
  return (
    <div className="caller-line">
      {call.vip ? <span className="vip-badge">{t('switchboard.vip')}</span> : null}
      <span className="caller-name" data-testid="caller-name">
        {nameOrNumber(party)}
      </span>
      {party.name ? <span className="caller-number">{formatPhone(party.number)}</span> : null}
    </div>
  )
}

function OfferedCall({ call, first }: { call: CallView; first: boolean }) {
  const { t } = useTranslation()
  const dispatch = useAppDispatch()
  const offset = useAppSelector(selectOffsetMs)
  const now = useNow() + offset
  const dialed = useDialed(call)
  const pending = useAppSelector((s) => s.switchboard.pending[`answer:${call.id}`] !== undefined)
  return (
    <article className="offer" data-testid="offered-call" aria-label={t('switchboard.offered')}>
      <div className="offer-ring" aria-hidden="true" />
      <div className="offer-body">
        <CallerLine call={call} />
        <div className="muted">
          {t('switchboard.called', { target: dialed })} ·{' '}
          {t('switchboard.waited', { time: formatDuration(now - call.waitingSince) })}
        </div>
      </div>
      <div className="actions">
        <button
          type="button"
          className="button button-answer"
          disabled={pending}
          onClick={() => dispatch(commandIssued({ kind: 'answer', callId: call.id }))}
          aria-keyshortcuts={first ? 'Enter' : undefined}
        >
          {t('action.answer')} {first ? <Kbd>Enter</Kbd> : null}
        </button>
        <button
          type="button"
          className="button"
          onClick={() => dispatch(commandIssued({ kind: 'reject', callId: call.id }))}
        >
          {t('action.reject')}
        </button>
      </div>
    </article>
  )
}

function ActionButton({
  call,
  kind,
  label,
  shortcut,
  tone = 'normal',
}: {
  call: CallView
  kind: CallCommand
  label: string
  shortcut?: string
  tone?: 'normal' | 'danger' | 'primary'
}) {
  const dispatch = useAppDispatch()
  const pending = useAppSelector((s) => s.switchboard.pending[`${kind}:${call.id}`] !== undefined)
  return (
    <button
      type="button"
      className={`button${tone === 'danger' ? ' button-danger' : tone === 'primary' ? ' button-primary' : ''}`}
      disabled={pending}
      aria-keyshortcuts={shortcut}
      data-testid={`action-${kind}`}
      onClick={() => dispatch(commandIssued({ kind, callId: call.id }))}
    >
      {label} {shortcut ? <Kbd>{shortcut}</Kbd> : null}
    </button>
  )
}

function ActiveCall({ call }: { call: CallView }) {
  const { t } = useTranslation()
  const dispatch = useAppDispatch()
  const offset = useAppSelector(selectOffsetMs)
  const now = useNow() + offset
  const describe = useDescribeDestination()
  const dialed = useDialed(call)
  const me = useAppSelector((s) => s.session.me)
  const panel = useRef<HTMLElement>(null)
  useFocusTarget(panel, 'call-panel')
  const mayConference = me?.role === 'contact' || me?.functions.includes('conference')
  return (
    <article
      ref={panel}
      tabIndex={-1}
      className={`active-call active-call-${call.state}`}
      data-testid="active-call"
      data-state={call.state}
      aria-labelledby={`call-${call.id}-title`}
    >
      <header>
        <h3 id={`call-${call.id}-title`} className="visually-hidden">
          {t('switchboard.myCalls')}
        </h3>
        <CallerLine call={call} />
        <span className={`state-pill state-${call.state}`} data-testid="call-state">
          {t(`state.${call.state}`)}
        </span>
      </header>
      <dl className="facts">
        <div>
          <dt>{t('switchboard.talking')}</dt>
          <dd className="tabular">{formatDuration(now - (call.answeredAt ?? call.startedAt))}</dd>
        </div>
        <div>
          <dt>{call.direction === 'outbound' ? t('outgoing.from') : t('switchboard.dialed')}</dt>
          <dd>{call.direction === 'outbound' ? formatPhone(call.presentedNumber) : dialed}</dd>
        </div>
      </dl>
      {call.consult ? (
        <p className="consult" data-testid="consult">
          {call.consult.state === 'ringing'
            ? t('switchboard.consultRinging', { target: describe(call.consult.target) })
            : t('switchboard.consultWith', { target: describe(call.consult.target) })}
        </p>
      ) : null}
      {call.state === 'conference' ? (
        <p>
          {t('switchboard.conferenceWith', {
            count: call.legs.filter((l) => l.state !== 'ended').length,
          })}
        </p>
      ) : null}
      <div className="actions">
        {call.state === 'connected' ? (
          <>
            <button
              type="button"
              className="button button-primary"
              onClick={() => dispatch(focusRequested('transfer-search'))}
              aria-keyshortcuts="T"
            >
              {t('action.transfer')} <Kbd>T</Kbd>
            </button>
            <ActionButton call={call} kind="hold" label={t('action.hold')} shortcut="H" />
            <ActionButton call={call} kind="park" label={t('action.park')} shortcut="L" />
            {mayConference ? (
              <ActionButton call={call} kind="conference-create" label={t('action.conference')} />
            ) : null}
          </>
        ) : null}
        {call.state === 'held' ? (
          <ActionButton
            call={call}
            kind="resume"
            label={t('action.resume')}
            shortcut="H"
            tone="primary"
          />
        ) : null}
        {call.state === 'consulting' ? (
          <>
            <ActionButton
              call={call}
              kind="transfer-complete"
              label={t('action.complete')}
              shortcut="C"
              tone="primary"
            />
            <ActionButton
              call={call}
              kind="transfer-cancel"
              label={t('action.cancel')}
              shortcut="X"
            />
          </>
        ) : null}
        {call.state === 'conference' ? (
          <ActionButton call={call} kind="conference-end" label={t('action.conferenceEnd')} />
        ) : null}
        <ActionButton
          call={call}
          kind="hangup"
          label={t('action.hangup')}
          shortcut="E"
          tone="danger"
        />
      </div>
    </article>
  )
}

export function CallPanel() {
  const { t } = useTranslation()
  const dispatch = useAppDispatch()
  const offered = useAppSelector(selectOffered)
  const mine = useAppSelector(selectMyCalls)
  const focused = useAppSelector(selectFocusedCall)
  const me = useAppSelector(selectMyId)
  return (
    <section className="panel calls" aria-labelledby="calls-title">
      <h2 id="calls-title" className="visually-hidden">
        {t('switchboard.myCalls')}
      </h2>
      <div aria-live="assertive" className="offers">
        {offered.map((call, i) => (
          <OfferedCall key={call.id} call={call} first={i === 0} />
        ))}
      </div>
      {focused ? (
        <ActiveCall call={focused} />
      ) : offered.length === 0 ? (
        <p className="empty">{t('switchboard.noCall')}</p>
      ) : null}
      {mine.length > 1 ? (
        <ul className="other-calls">
          {mine
            .filter((c) => c.id !== focused?.id)
            .map((c) => (
              <li key={c.id}>
                <button
                  type="button"
                  className="button-quiet"
                  onClick={() => dispatch(callFocused(c.id))}
                >
                  {nameOrNumber(counterpartOf(c, me))} · {t(`state.${c.state}`)}
                </button>
              </li>
            ))}
        </ul>
      ) : null}
    </section>
  )
}
