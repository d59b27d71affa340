/**
 * The time, ticking once a second, shared by every component that shows a running wait or talk
 * time: one interval for the whole interface, and only mounted components re-render.
 */
import { useSyncExternalStore } from 'react'

const listeners = new Set<() => void>()
let now = Date.now()
let timer: ReturnType<typeof setInterval> | null = null

function subscribe(listener: () => void): () => void {
  listeners.add(listener)
  if (timer === null) {
    // The first subscriber after a pause must not see the time the last one left.
    now = Date.now()
    timer = setInterval(() => {
      now = Date.now()
      for (const l of listeners) l()
    }, 1000)
  }
  return () => {
    listeners.delete(listener)
    if (listeners.size === 0 && timer !== null) {
      clearInterval(timer)
      timer = null
    }
  }
}

const read = () => (listeners.size === 0 ? Date.now() : now)

export function useNow(): number {
  return useSyncExternalStore(subscribe, read, read)
}
