/**
 * The interface's entry: one store, the language resources, and in the desktop app the bridge
 * and the core's address. The view follows the address's hash (#/board), so a wall screen can
 * be bookmarked straight to the queue board.
 */
import { StrictMode } from 'react'
import { createRoot } from 'react-dom/client'
import { I18nextProvider } from 'react-i18next'
import { Provider } from 'react-redux'
import { App } from './App'
import { appStarted } from './app/actions'
import { setupStore } from './app/store'
import { views, viewChosen, type View } from './features/ui/uiSlice'
import { createI18n } from './i18n'
import './styles.css'

async function start() {
  const bridge = window.sentral ?? null
  const serverUrl = bridge ? await bridge.coreAddress().catch(() => '') : ''
  const store = setupStore({ bridge })
  const i18n = createI18n(store.getState().settings.language)

  const viewFromHash = (): View | null => {
    const name = location.hash.replace(/^#\/?/, '')
    return (views as readonly string[]).includes(name) ? (name as View) : null
  }
  const initial = viewFromHash()
  if (initial) store.dispatch(viewChosen(initial))
  window.addEventListener('hashchange', () => {
    const view = viewFromHash()
    if (view && view !== store.getState().ui.view) store.dispatch(viewChosen(view))
  })
  store.subscribe(() => {
    const hash = `#/${store.getState().ui.view}`
    if (location.hash !== hash) history.replaceState(null, '', hash)
  })
  store.dispatch(appStarted())

  createRoot(document.getElementById('root')!).render(
    <StrictMode>
      <Provider store={store}>
        <I18nextProvider i18n={i18n}>
          <App desktop={bridge !== null} serverUrl={serverUrl} />
        </I18nextProvider>
      </Provider>
    </StrictMode>,
  )
}

void start()
