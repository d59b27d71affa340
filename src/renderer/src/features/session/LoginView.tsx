/** Logging in: username and password (and, in the desktop app in remote mode, the server). */
import { useState } from 'react'
import { useTranslation } from 'react-i18next'
import { useAppDispatch, useAppSelector } from '../../app/hooks'
import { errorText } from '../../i18n'
import { loginSubmitted, logoutRequested } from './sessionSlice'

export function LoginView({ desktop, serverUrl }: { desktop: boolean; serverUrl: string }) {
  const { t, i18n } = useTranslation()
  const dispatch = useAppDispatch()
  const { status, error, endedBecause } = useAppSelector((s) => s.session)
  const [username, setUsername] = useState('')
  const [password, setPassword] = useState('')
  const [remember, setRemember] = useState(false)
  if (status === 'restoring')
    return (
      <main className="login" id="main">
        <div className="login-card">
          <h1>Sentral</h1>
          <p role="status">{t('login.restoring')}</p>
          <button type="button" className="button" onClick={() => dispatch(logoutRequested())}>
            {t('login.cancel')}
          </button>
        </div>
      </main>
    )
  return (
    <main className="login" id="main">
      <form
        className="login-card"
        aria-labelledby="login-title"
        onSubmit={(e) => {
          e.preventDefault()
          dispatch(loginSubmitted({ username: username.trim(), password, serverUrl, remember }))
        }}
      >
        <div className="brand brand-large">
          <span className="brand-mark" aria-hidden="true">
            S
          </span>
          <span className="brand-name">Sentral</span>
        </div>
        <h1 id="login-title">{t('login.title')}</h1>
        {endedBecause ? (
          <p className="notice notice-info">{t(`login.ended.${endedBecause}`)}</p>
        ) : null}
        {error ? (
          <p className="notice notice-error" role="alert" data-testid="login-error">
            {errorText(i18n, error.code)}
          </p>
        ) : null}
        <label className="field">
          <span>{t('login.username')}</span>
          <input
            name="username"
            autoComplete="username"
            autoFocus
            required
            value={username}
            onChange={(e) => setUsername(e.target.value)}
          />
        </label>
        <label className="field">
          <span>{t('login.password')}</span>
          <input
            name="password"
            type="password"
            autoComplete="current-password"
            required
            value={password}
            onChange={(e) => setPassword(e.target.value)}
          />
        </label>
        {desktop ? (
          <label className="choice">
            <input
              type="checkbox"
              checked={remember}
              onChange={(e) => setRemember(e.target.checked)}
            />
            {t('login.remember')}
          </label>
        ) : null}
        <button
          type="submit"
          className="button button-primary button-wide"
          disabled={status === 'signing-in'}
        >
          {status === 'signing-in' ? t('login.submitting') : t('login.submit')}
        </button>
      </form>
    </main>
  )
}
