/**
 * The interface: the login, or the shell once logged in. Language and theme follow the
 * settings here, where the document is.
 */
import { useEffect } from 'react'
import { useTranslation } from 'react-i18next'
import { useAppSelector } from './app/hooks'
import { LoginView } from './features/session/LoginView'
import { Shell } from './features/ui/Shell'

export function App({
  desktop = false,
  serverUrl = '',
}: {
  desktop?: boolean
  serverUrl?: string
}) {
  const { i18n } = useTranslation()
  const status = useAppSelector((s) => s.session.status)
  const hasMe = useAppSelector((s) => s.session.me !== null)
  const { language, theme } = useAppSelector((s) => s.settings)

  useEffect(() => {
    if (i18n.language !== language) void i18n.changeLanguage(language)
    document.documentElement.lang = language
  }, [language, i18n])
  useEffect(() => {
    document.documentElement.dataset.theme = theme
  }, [theme])

  return status === 'signed-in' && hasMe ? (
    <Shell />
  ) : (
    <LoginView desktop={desktop} serverUrl={serverUrl} />
  )
}
