/** Language and appearance; who is logged in. */
import { useState } from 'react'
import { useTranslation } from 'react-i18next'
import { shortcutActions, type DesktopSettings } from '../../../../preload/bridge'
import { useAppDispatch, useAppSelector } from '../../app/hooks'
import { desktopSettingsSubmitted, languageChosen, themeChosen } from './settingsSlice'

/** The desktop app's own settings: which core, and the global shortcuts. */
function DesktopSettingsForm({ settings }: { settings: DesktopSettings }) {
  const { t } = useTranslation()
  const dispatch = useAppDispatch()
  const error = useAppSelector((s) => s.settings.desktopError)
  const [mode, setMode] = useState(settings.mode)
  const [serverUrl, setServerUrl] = useState(settings.serverUrl)
  const [shortcuts, setShortcuts] = useState(settings.shortcuts)
  return (
    <form
      className="form"
      aria-labelledby="desktop-title"
      data-testid="desktop-settings"
      onSubmit={(e) => {
        e.preventDefault()
        dispatch(desktopSettingsSubmitted({ mode, serverUrl: serverUrl.trim(), shortcuts }))
      }}
    >
      <h2 id="desktop-title">{t('settings.desktop')}</h2>
      <fieldset className="field">
        <legend>{t('settings.mode')}</legend>
        {(['local', 'remote'] as const).map((m) => (
          <label key={m} className="choice">
            <input
              type="radio"
              name="mode"
              value={m}
              checked={mode === m}
              onChange={() => setMode(m)}
            />
            {t(`settings.modes.${m}`)}
          </label>
        ))}
      </fieldset>
      {mode === 'remote' ? (
        <label className="field">
          <span>{t('settings.server')}</span>
          <input
            type="url"
            required
            value={serverUrl}
            placeholder="https://sentral.example.no"
            onChange={(e) => setServerUrl(e.target.value)}
          />
        </label>
      ) : null}
      <fieldset className="field">
        <legend>{t('settings.shortcuts')}</legend>
        <p className="muted small">{t('settings.shortcutsHint')}</p>
        {shortcutActions.map((action) => (
          <label key={action} className="field">
            <span>{t(`settings.shortcut.${action}`)}</span>
            <input
              type="text"
              value={shortcuts[action] ?? ''}
              placeholder={t('settings.shortcutOff')}
              onChange={(e) =>
                setShortcuts({
                  ...shortcuts,
                  [action]: e.target.value.trim() === '' ? null : e.target.value.trim(),
                })
              }
            />
          </label>
        ))}
      </fieldset>
      {error ? (
        <p className="notice notice-error" role="alert">
          {error}
        </p>
      ) : null}
      <p className="muted small">{t('settings.connectionNote')}</p>
      <button type="submit" className="button button-primary">
        {t('action.save')}
      </button>
    </form>
  )
}

export function SettingsView() {
  const { t } = useTranslation()
  const dispatch = useAppDispatch()
  const settings = useAppSelector((s) => s.settings)
  const me = useAppSelector((s) => s.session.me)
  const desktop = useAppSelector((s) => s.settings.desktop)
  return (
    <section className="panel settings" aria-labelledby="settings-title">
      <h1 id="settings-title">{t('settings.title')}</h1>
      {me ? (
        <p className="muted">
          {t('settings.account', {
            name: `${me.firstName} ${me.lastName}`,
            username: me.username,
            company: me.companyName,
          })}
        </p>
      ) : null}
      <fieldset className="field">
        <legend>{t('settings.language')}</legend>
        {(['nb', 'en'] as const).map((language) => (
          <label key={language} className="choice">
            <input
              type="radio"
              name="language"
              value={language}
              checked={settings.language === language}
              onChange={() => dispatch(languageChosen(language))}
            />
            {t(`settings.languages.${language}`)}
          </label>
        ))}
      </fieldset>
      <fieldset className="field">
        <legend>{t('settings.theme')}</legend>
        {(['system', 'light', 'dark'] as const).map((theme) => (
          <label key={theme} className="choice">
            <input
              type="radio"
              name="theme"
              value={theme}
              checked={settings.theme === theme}
              onChange={() => dispatch(themeChosen(theme))}
            />
            {t(`settings.themes.${theme}`)}
          </label>
        ))}
      </fieldset>
      {desktop ? <DesktopSettingsForm settings={desktop} /> : null}
    </section>
  )
}
