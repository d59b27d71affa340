/**
 * Who is calling: number lookup name, earlier calls from the number (caller history) and the
 * operators' notes, with a box to write a new one.
 */
import { useState } from 'react'
import { useTranslation } from 'react-i18next'
import type { CallView } from '../../../../shared/model'
import { useAppDispatch, useAppSelector } from '../../app/hooks'
import { useNow } from '../../components/useNow'
import { formatDuration, formatPhone, formatWhen } from '../../i18n/format'
import { counterpartOf, selectMyId, selectUsers } from '../live/selectors'
import { noteSubmitted } from './callerSlice'

export function CallerInfo({ call }: { call: CallView }) {
  const { t } = useTranslation()
  const dispatch = useAppDispatch()
  const number = call.remote.number
  const info = useAppSelector((s) => s.caller.byNumber[number])
  const users = useAppSelector(selectUsers)
  const me = useAppSelector(selectMyId)
  const language = useAppSelector((s) => s.settings.language)
  const now = useNow()
  const [note, setNote] = useState('')
  const nameOf = (id: string | null) => {
    const u = id !== null ? users[id] : undefined
    return u ? `${u.firstName} ${u.lastName}` : ''
  }
  const colleague = counterpartOf(call, me).userId
  if (colleague !== null)
    return (
      <section className="panel caller-info" aria-labelledby="caller-title">
        <h2 id="caller-title">{t('caller.colleague')}</h2>
        <p>{nameOf(colleague)}</p>
      </section>
    )
  return (
    <section className="panel caller-info" aria-labelledby="caller-title" data-testid="caller-info">
      <h2 id="caller-title">{t('caller.title')}</h2>
      <p className="caller-id">
        <strong>{call.remote.name ?? t('caller.unknown')}</strong>
        <br />
        {formatPhone(number)}
      </p>
      {info?.status === 'failed' ? <p className="muted">{t('caller.failed')}</p> : null}
      <h3>{t('caller.history')}</h3>
      {!info || (info.status === 'loading' && info.history === null) ? (
        <p className="muted">{t('caller.loading')}</p>
      ) : info.history && info.history.filter((h) => h.callId !== call.id).length > 0 ? (
        <ul className="history" data-testid="caller-history">
          {info.history
            .filter((h) => h.callId !== call.id)
            .slice(0, 8)
            .map((h) => (
              <li key={h.callId}>
                <span>{formatWhen(h.enteredAt, now, language)}</span>
                <span>{h.queueName}</span>
                <span>
                  {h.outcome === 'answered' || h.answeredBy
                    ? `${nameOf(h.answeredBy)} · ${formatDuration(h.talkMs)}`
                    : t(`log.outcome.${h.outcome}`)}
                </span>
              </li>
            ))}
        </ul>
      ) : (
        <p className="muted">{t('caller.noHistory')}</p>
      )}
      <h3>{t('caller.notes')}</h3>
      {info?.notes && info.notes.length > 0 ? (
        <ul className="notes" data-testid="caller-notes">
          {info.notes.map((n) => (
            <li key={n.id}>
              <p>{n.text}</p>
              <span className="muted small">
                {nameOf(n.authorId)} · {formatWhen(n.createdAt, now, language)}
              </span>
            </li>
          ))}
        </ul>
      ) : info?.status === 'loaded' ? (
        <p className="muted">{t('caller.noNotes')}</p>
      ) : null}
      <form
        className="note-form"
        onSubmit={(e) => {
          e.preventDefault()
          if (note.trim() === '') return
          dispatch(noteSubmitted({ number, text: note.trim() }))
          setNote('')
        }}
      >
        <label htmlFor="note-text" className="visually-hidden">
          {t('caller.addNote')}
        </label>
        <textarea
          id="note-text"
          rows={2}
          maxLength={2000}
          placeholder={t('caller.notePlaceholder')}
          value={note}
          onChange={(e) => setNote(e.target.value)}
        />
        <button type="submit" className="button" disabled={note.trim() === ''}>
          {t('caller.saveNote')}
        </button>
      </form>
    </section>
  )
}
