/**
 * Local storage, kept to what is technically necessary (§11): the interface settings, and the
 * session token for this tab only (sessionStorage), so a reload does not log the operator out.
 */
export interface KeyValueStorage {
  get(key: string): string | null
  set(key: string, value: string): void
  remove(key: string): void
}

function wrap(storage: Storage | undefined): KeyValueStorage {
  return {
    get: (key) => {
      try {
        return storage?.getItem(key) ?? null
      } catch {
        return null
      }
    },
    set: (key, value) => {
      try {
        storage?.setItem(key, value)
      } catch {
        // Storage full or refused (private mode): the interface works without it.
      }
    },
    remove: (key) => {
      try {
        storage?.removeItem(key)
      } catch {
        // As above.
      }
    },
  }
}

export const browserStorage = {
  settings: (): KeyValueStorage => wrap(globalThis.localStorage),
  session: (): KeyValueStorage => wrap(globalThis.sessionStorage),
}

/** For tests: a plain map behind the same interface. */
export function memoryStorage(initial: Record<string, string> = {}): KeyValueStorage {
  const map = new Map(Object.entries(initial))
  return {
    get: (key) => map.get(key) ?? null,
    set: (key, value) => void map.set(key, value),
    remove: (key) => void map.delete(key),
  }
}
