/** A deep, order-preserving copy of engine state as plain data, to compare before and after. */
import { TimerHeap } from '../../src/core/domain/timers'

export function serialize(value: unknown): unknown {
  if (value instanceof Map)
    return { map: [...value.entries()].map(([k, v]) => [serialize(k), serialize(v)]) }
  if (value instanceof Set) return { set: [...value].map(serialize) }
  if (value instanceof TimerHeap) return { timers: value.toSortedArray().map(serialize) }
  if (Array.isArray(value)) return value.map(serialize)
  if (typeof value === 'function') return '<function>'
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {}
    for (const [k, v] of Object.entries(value)) out[k] = serialize(v)
    return out
  }
  return value
}
