/** Moves the keyboard focus to this element when the store asks for its target. */
import { useEffect, type RefObject } from 'react'
import { useAppSelector } from '../../app/hooks'
import type { FocusTarget } from './uiSlice'

export function useFocusTarget(ref: RefObject<HTMLElement | null>, target: FocusTarget): void {
  const request = useAppSelector((s) => s.ui.focus)
  useEffect(() => {
    if (request?.target === target) ref.current?.focus()
  }, [request, target, ref])
}
