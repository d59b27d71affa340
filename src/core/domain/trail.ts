/**
 * The why-trail as the engine stores it. Offer decisions name every member of the queue with a
 * reason, hundreds of thousands of times a day, so they are kept compact: the queue's member
 * list (shared, never copied) and one small number per member. `expandTrail` turns them into
 * the readable entries of src/shared/model.ts when someone reads the trail.
 */
import type { Instant, QueueId, UserId } from '../../shared/ids'
import {
  skipReasons,
  type RankBasis,
  type RoutingStrategy,
  type SkipReason,
  type TrailEntry,
} from '../../shared/model'

/** Per member: 0 = not skipped; otherwise 1 + the index of the reason in `skipReasons`. */
export type ReasonCode = number
export type ReasonCodes = Uint8Array

export const skipCode: Record<SkipReason, ReasonCode> = Object.fromEntries(
  skipReasons.map((r, i) => [r, i + 1]),
) as Record<SkipReason, ReasonCode>

export interface CompactDecision {
  kind: 'offer' | 'no-agent'
  at: Instant
  queueId: QueueId
  strategy: RoutingStrategy
  rankedBy: RankBasis
  /** The queue's members at the time (the queue's own array, never modified). */
  members: readonly UserId[]
  reasons: ReasonCodes
  /** Member indexes in rank order, with the figure each was ranked by. */
  ranked: number[]
  values: number[]
  chosen: number[]
}

export type StoredTrailEntry =
  Exclude<TrailEntry, { kind: 'offer' } | { kind: 'no-agent' }> | CompactDecision

export function expandEntry(entry: StoredTrailEntry): TrailEntry {
  if (!('reasons' in entry)) return entry
  const skipped: { userId: UserId; reason: SkipReason }[] = []
  entry.reasons.forEach((code, i) => {
    if (code > 0) skipped.push({ userId: entry.members[i]!, reason: skipReasons[code - 1]! })
  })
  if (entry.kind === 'no-agent')
    return {
      kind: 'no-agent',
      at: entry.at,
      queueId: entry.queueId,
      strategy: entry.strategy,
      skipped,
    }
  return {
    kind: 'offer',
    at: entry.at,
    queueId: entry.queueId,
    strategy: entry.strategy,
    rankedBy: entry.rankedBy,
    ranked: entry.ranked.map((m, i) => ({ userId: entry.members[m]!, value: entry.values[i]! })),
    chosen: entry.chosen.map((m) => entry.members[m]!),
    skipped,
  }
}

export function expandTrail(entries: readonly StoredTrailEntry[]): TrailEntry[] {
  return entries.map(expandEntry)
}
