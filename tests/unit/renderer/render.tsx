/**
 * Renders a component the way the app does: a fresh real store (preloaded, with no core or a
 * recording one) and the real language resources. For happy-dom test files only.
 */
import { render, type RenderResult } from '@testing-library/react'
import type { ReactElement } from 'react'
import { I18nextProvider } from 'react-i18next'
import { Provider } from 'react-redux'
import type { AppStore, StoreOptions } from '../../../src/renderer/src/app/store'
import { createI18n } from '../../../src/renderer/src/i18n'
import { freshStore } from './fixtures'

export function renderWithStore(
  ui: ReactElement,
  options: StoreOptions & { language?: 'nb' | 'en' } = {},
): RenderResult & { store: AppStore } {
  const { language = 'nb', ...storeOptions } = options
  const store = freshStore(storeOptions)
  const view = render(
    <Provider store={store}>
      <I18nextProvider i18n={createI18n(language)}>{ui}</I18nextProvider>
    </Provider>,
  )
  return { ...view, store }
}

/**
 * happy-dom does no layout: every element measures 0×0, so a virtual list that measures its
 * scroller shows no rows at all. Gives elements the size a browser window would; returns the
 * function that takes it back.
 */
export function giveElementsLayout(size = { width: 1200, height: 800 }): () => void {
  const proto = HTMLElement.prototype
  const saved = (['clientWidth', 'clientHeight'] as const).map(
    (key) => [key, Object.getOwnPropertyDescriptor(proto, key)] as const,
  )
  Object.defineProperty(proto, 'clientWidth', { configurable: true, get: () => size.width })
  Object.defineProperty(proto, 'clientHeight', { configurable: true, get: () => size.height })
  return () => {
    for (const [key, descriptor] of saved)
      if (descriptor) Object.defineProperty(proto, key, descriptor)
      else Reflect.deleteProperty(proto, key)
  }
}
