/** Listens for shortcut keys on the whole window while the interface is mounted. */
import { useEffect } from 'react'
import { useAppDispatch, useAppStore } from '../../app/hooks'
import { handleKey } from './keymap'

export function useShortcuts(): void {
  const store = useAppStore()
  const dispatch = useAppDispatch()
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (handleKey(event, store.getState(), dispatch)) event.preventDefault()
    }
    window.addEventListener('keydown', onKey)
    return () => window.removeEventListener('keydown', onKey)
  }, [store, dispatch])
}
