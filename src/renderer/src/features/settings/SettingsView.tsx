/** Language and appearance; who is logged in. */
import { useTranslation } from 'react-i18next'
import { useAppDispatch, useAppSelector } from '../../app/hooks'
import { languageChosen, themeChosen } from './settingsSlice'

export function SettingsView() {
  const { t } = useTranslation()
  const dispatch = useAppDispatch()
  const settings = useAppSelector((s) => s.settings)
  const me = useAppSelector((s) => s.session.me)
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
    </section>
  )
}
