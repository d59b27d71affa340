/**
 * i18next with the two languages bundled (no loading at run time). The language follows the
 * settings slice; `errorText` turns any error code into a sentence, with a generic fallback.
 */
import i18next, { type i18n as I18n } from 'i18next'
import { initReactI18next } from 'react-i18next'
import { en } from './en'
import { nb } from './nb'

export const resources = { nb: { translation: nb }, en: { translation: en } } as const

export function createI18n(language: 'nb' | 'en' = 'nb'): I18n {
  const instance = i18next.createInstance()
  void instance.use(initReactI18next).init({
    resources,
    lng: language,
    fallbackLng: 'nb',
    interpolation: { escapeValue: false },
    initAsync: false,
    returnNull: false,
  })
  return instance
}

export function errorText(i18n: I18n, code: string): string {
  // Codes are looked up at run time: the core may send one this build has no sentence for.
  const text: unknown = i18n.getResource(i18n.language, 'translation', `error.${code}`)
  return typeof text === 'string' ? text : i18n.t('error.generic', { code })
}

declare module 'i18next' {
  interface CustomTypeOptions {
    resources: { translation: typeof nb }
  }
}
