/**
 * The why-trail as the engine stores it. Offer decisions name every member of the queue with a
 * reason, hundreds of thousands of times a day, so they are kept compact: the queue's member
 * list (shared, never copied) and one small number per member, kept as one character each in
 * a string (a string of fifty characters takes a quarter of the memory of a byte array of
 * fifty, and these live as long as their calls). `expandTrail` turns them into the readable
 * entries of src/shared/model.ts when someone reads the trail.
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
/** The codes of a queue's members, by member index, while a decision is being made. */
export type ReasonCodes = Uint8Array

/** The codes as stored in a decision: one character per member, its char code the code. */
export function storedReasons(codes: ReasonCodes): string {
  // fromCharCode over the array stays in the engine's own code; a TextDecoder call crosses into
  // the runtime and cost a few per cent of routing. In slices, to stay far below argument limits.
  if (codes.length <= 4096) return String.fromCharCode.apply(null, codes as unknown as number[])
  let text = ''
  for (let i = 0; i < codes.length; i += 4096)
    text += String.fromCharCode.apply(null, codes.subarray(i, i + 4096) as unknown as number[])
  return text
}

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
  /** Per member, the reason code as a character (see storedReasons). */
  reasons: string
  /**
   * Member indexes in rank order, with the figure each was ranked by. Ranked by position, the
   * figure is the member's position (index + 1) and is not stored: `values` is then empty.
   */
  ranked: number[]
  values: number[]
  chosen: number[]
}

export type StoredTrailEntry =
  Exclude<TrailEntry, { kind: 'offer' } | { kind: 'no-agent' }> | CompactDecision

export function expandEntry(entry: StoredTrailEntry): TrailEntry {
  if (!('reasons' in entry)) return entry
  const skipped: { userId: UserId; reason: SkipReason }[] = []
  const reasons = entry.reasons
  for (let i = 0; i < reasons.length; i++) {
    const code = reasons.charCodeAt(i)
    if (code > 0) skipped.push({ userId: entry.members[i]!, reason: skipReasons[code - 1]! })
  }
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
    ranked: entry.ranked.map((m, i) => ({
      userId: entry.members[m]!,
      value: entry.rankedBy === 'position' ? m + 1 : entry.values[i]!,
    })),
    chosen: entry.chosen.map((m) => entry.members[m]!),
    skipped,
  }
}

export function expandTrail(entries: readonly StoredTrailEntry[]): TrailEntry[] {
  return entries.map(expandEntry)
}

/**
 * A compact decision as it is written to the database: the decision's members and, in `codes`,
 * one printable character per member ('0' + the reason code, so '0' is "not skipped"). A
 * stored trail is read back with `trailFromJson`. The expanded entries took twice the space
 * (fifty members, two thirds of them skipped), and expanding them, and cloning them on their way
 * to the record writer, took time on the thread that answers calls.
 */
interface PersistedDecision extends Omit<CompactDecision, 'reasons'> {
  codes: string
}

const printableOffset = 48

/** The trail as the database keeps it (JSON). Expanded entries are written as they are. */
export function trailJson(entries: readonly (TrailEntry | StoredTrailEntry)[]): string {
  return JSON.stringify(entries.map((entry) => ('reasons' in entry ? persisted(entry) : entry)))
}

function persisted(entry: CompactDecision): PersistedDecision {
  const { reasons, ...rest } = entry
  let codes = ''
  for (let i = 0; i < reasons.length; i++)
    codes += String.fromCharCode(printableOffset + reasons.charCodeAt(i))
  return { ...rest, codes }
}

/** A trail written by `trailJson` (or, before it, as expanded entries), expanded for reading. */
export function trailFromJson(json: string): TrailEntry[] {
  const entries = JSON.parse(json) as (TrailEntry | PersistedDecision)[]
  return entries.map((entry) => {
    if (!('codes' in entry)) return entry
    const { codes, ...rest } = entry
    let reasons = ''
    for (let i = 0; i < codes.length; i++)
      reasons += String.fromCharCode(codes.charCodeAt(i) - printableOffset)
    return expandEntry({ ...rest, reasons })
  })
}
