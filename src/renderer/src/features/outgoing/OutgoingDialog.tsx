/** Outgoing call or SMS, from a number the user may present (their own, or one granted). */
import { useState } from 'react'
import { useTranslation } from 'react-i18next'
import { useAppDispatch, useAppSelector } from '../../app/hooks'
import { Dialog } from '../../components/Dialog'
import { formatPhone } from '../../i18n/format'
import { commandIssued } from '../switchboard/switchboardSlice'
import { dialogClosed } from '../ui/uiSlice'

export function OutgoingDialog({ kind }: { kind: 'dial' | 'sms' }) {
  const { t } = useTranslation()
  const dispatch = useAppDispatch()
  const numbers = useAppSelector((s) => s.session.me?.presentableNumbers ?? [])
  const prefill = useAppSelector((s) => s.ui.prefill)
  const [to, setTo] = useState(prefill)
  const [from, setFrom] = useState(numbers[0] ?? '')
  const [text, setText] = useState('')
  const close = () => dispatch(dialogClosed())
  const ready = to.trim() !== '' && from !== '' && (kind === 'dial' || text.trim() !== '')
  return (
    <Dialog title={kind === 'dial' ? t('outgoing.title') : t('outgoing.smsTitle')} onClose={close}>
      <form
        className="form"
        onSubmit={(e) => {
          e.preventDefault()
          if (!ready) return
          dispatch(
            commandIssued(
              kind === 'dial'
                ? { kind: 'dial', to: to.trim(), presentedNumber: from }
                : { kind: 'sms', to: to.trim(), presentedNumber: from, text: text.trim() },
            ),
          )
          close()
        }}
      >
        <label className="field">
          <span>{t('outgoing.to')}</span>
          <input
            type="tel"
            value={to}
            autoFocus
            autoComplete="off"
            onChange={(e) => setTo(e.target.value)}
            data-testid="outgoing-to"
          />
        </label>
        {numbers.length === 0 ? (
          <p className="muted">{t('outgoing.noNumbers')}</p>
        ) : (
          <label className="field">
            <span>{t('outgoing.from')}</span>
            <select
              value={from}
              onChange={(e) => setFrom(e.target.value)}
              data-testid="outgoing-from"
            >
              {numbers.map((n) => (
                <option key={n} value={n}>
                  {formatPhone(n)}
                </option>
              ))}
            </select>
          </label>
        )}
        {kind === 'sms' ? (
          <label className="field">
            <span>{t('outgoing.text')}</span>
            <textarea
              rows={4}
              maxLength={1600}
              value={text}
              onChange={(e) => setText(e.target.value)}
            />
            <span className="muted small">{t('outgoing.characters', { count: text.length })}</span>
          </label>
        ) : null}
        <div className="actions">
          <button type="submit" className="button button-primary" disabled={!ready}>
            {kind === 'dial' ? t('outgoing.call') : t('outgoing.send')}
          </button>
          <button type="button" className="button" onClick={close}>
            {t('action.close')}
          </button>
        </div>
      </form>
    </Dialog>
  )
}
