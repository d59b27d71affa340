/**
 * A deep, order-preserving copy of engine state as plain data, to compare before and after.
 * Each object is written out where it is first met (the state has back references: a queue's
 * members point at agents whose memberships point back at the queue).
 */
import { TimerHeap } from '../../src/core/domain/timers'

export function serialize(value: unknown, seen = new Map<object, number>()): unknown {
  if (typeof value === 'function') return '<function>'
  if (value === null || typeof value !== 'object') return value
  const ref = seen.get(value)
  if (ref !== undefined) return { ref }
  seen.set(value, seen.size)
  if (value instanceof Map)
    return { map: [...value.entries()].map(([k, v]) => [serialize(k, seen), serialize(v, seen)]) }
  if (value instanceof Set) return { set: [...value].map((v) => serialize(v, seen)) }
  if (value instanceof TimerHeap)
    return { timers: value.toSortedArray().map((v) => serialize(v, seen)) }
  if (ArrayBuffer.isView(value)) return { bytes: Array.from(value as Uint8Array) }
  if (Array.isArray(value)) return value.map((v) => serialize(v, seen))
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(value)) out[k] = serialize(v, seen)
  return out
}
