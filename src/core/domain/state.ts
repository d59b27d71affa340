/**
 * The engine's state. One partition per company: every lookup goes through the company's own
 * maps, so an id from one company can never reach an entity of another.
 *
 * The state is owned by the engine. `step` updates it in place and hands the same object back:
 * copying maps of ten thousand calls on every event would cost more than the routing itself.
 * Purity is kept where it matters: the result depends only on (state, input, now), nothing
 * outside is read or written, and a rejected input leaves the state exactly as it was
 * (handlers validate everything before they change anything).
 */
import type {
  CallId,
  CompanyId,
  ConferenceId,
  Instant,
  LegId,
  PhoneNumber,
  QueueId,
  UserId,
} from '../../shared/ids'
import type {
  Absence,
  CallDirection,
  CallEndReason,
  CallState,
  Destination,
  LegRole,
  LegState,
  MissedCallView,
  Party,
} from '../../shared/model'
import type { CompanyConfig, QueueConfig, UserConfig } from './config'
import type { TimerHeap } from './timers'
import type { StoredTrailEntry } from './trail'

export interface Leg {
  id: LegId
  callId: CallId
  /** The call this leg belongs to (saves a lookup on every event about the leg). */
  call: Call
  role: LegRole
  state: LegState
  party: Party
  /**
   * The user whose terminal this leg is (their phone, or their extra terminal); their presence
   * follows it. Null for outside parties, even when the number belongs to a colleague.
   */
  ownerId: UserId | null
  /**
   * The agent `ownerId` names, found once when the leg is made (saves a lookup on every
   * transition). Agents are changed in place and removed only after their legs have ended.
   */
  owner: Agent | null
  terminal: 'primary' | 'extra' | null
  createdAt: Instant
  answeredAt: Instant | null
  /** When the leg last became connected (not held); talk time is measured from here. */
  talkingSince: Instant | null
}

/** A ringing attempt to reach one user (all their terminals) or one external number. */
export interface Offer {
  userId: UserId | null
  number: PhoneNumber
  /**
   * The legs ringing the user's terminals (or the number), in the order they were made. A leg
   * that has ended stays listed: the offer's live legs are those not in state 'ended' (exactly
   * those still in the company's legs).
   */
  legs: Leg[]
  queueId: QueueId | null
  startedAt: Instant
  token: number
}

/** Why the call is ringing someone outside a queue, and what happens if nobody answers. */
export interface RingContext {
  via: 'direct' | 'transfer' | 'forward' | 'recall' | 'semi-attended'
  /** The user the call is for (the forward and extra terminal belong to them); null for external. */
  userId: UserId | null
  /** Give the call back to this user if nobody answers. */
  recallTo: UserId | null
  /** Queue to go back to, first in line, when the recall also fails. */
  fallbackQueueId: QueueId | null
}

export interface Consult {
  legId: LegId
  target: Destination
  state: 'ringing' | 'connected'
  startedAt: Instant
  token: number
}

export interface Conference {
  id: ConferenceId
  ownerId: UserId
  /** Legs in the bridge (connected), in the order they joined. */
  members: LegId[]
  /** Legs ringing to join. */
  invited: LegId[]
}

export interface UserLedger {
  userId: UserId
  direction: 'incoming' | 'outgoing'
  counterpart: Party
  queueId: QueueId | null
  presentedNumber: PhoneNumber | null
  startedAt: Instant
  answeredAt: Instant | null
  talkMs: number
  transferredTo: Destination | null
}

export interface QueueLedger {
  queueId: QueueId
  enteredAt: Instant
  answeredAt: Instant | null
  answeredBy: UserId | null
  exitAt: Instant | null
  outcome: 'answered' | 'abandoned' | 'timeout' | 'full' | 'empty' | 'closed' | null
  transferredTo: Destination | null
  overflowTo: Destination | null
}

export interface Call {
  id: CallId
  companyId: CompanyId
  seq: number
  direction: CallDirection
  state: CallState
  startedAt: Instant
  answeredAt: Instant | null
  remote: Party
  remoteLegId: LegId
  /** The leg `remoteLegId` names (set with it, see setRemote); read it with liveRemote. */
  remoteLeg: Leg | null
  originatorId: UserId | null
  dialed: PhoneNumber
  presentedNumber: PhoneNumber | null
  /** The leg bridged with the remote party; its user is the agent. */
  partnerLegId: LegId | null
  /** The leg `partnerLegId` names (set with it, see setPartner); read it with livePartner. */
  partnerLeg: Leg | null
  agentId: UserId | null
  // Queue position
  queueId: QueueId | null
  enteredQueueAt: Instant | null
  waitingSince: Instant
  vip: boolean
  priority: number
  /** Current queue episode: the agent who answered from the queue (for wrap-up and the queue log). */
  episode: { queueId: QueueId; agentId: UserId | null; answeredAt: Instant | null } | null
  // Routing
  offers: Offer[]
  ring: RingContext | null
  triedThisRound: UserId[]
  nextOfferAt: Instant
  progressiveCount: number
  noAgentNoted: boolean
  /** Ring-progressively: the progression starts with the first offer, not on entering the queue. */
  progressiveStarted: boolean
  overflowHops: number
  // Operations
  consult: Consult | null
  parkedSlot: number | null
  parkedBy: UserId | null
  parkToken: number
  conference: Conference | null
  /** Legs of this call that are still live, the remote and partner legs included. */
  legIds: LegId[]
  trail: StoredTrailEntry[]
  trailDropped: number
  /** One entry per user and per queue the call concerned (few: searched, not hashed). */
  ledgerUsers: UserLedger[]
  ledgerQueues: QueueLedger[]
  endReason: CallEndReason | null
  /** The change set (company changeGen) this call was last listed in. */
  listedIn: number
  /** Changes each time the call enters a queue; queue deadlines (max wait, progressive) carry it. */
  queueToken: number
}

export interface Membership {
  queueId: QueueId
  queue: QueueRuntime
  penalty: number
  /** Position in the queue's member list (linear and round-robin order). */
  order: number
  /** Where this member's reason code is in the company's memberCodes (see layoutMemberCodes). */
  slot: number
  loggedIn: boolean
  paused: { reason: string; since: Instant } | null
  /** Derived, kept by refreshAgent: logged in, not paused, not absent. */
  present: boolean
  /** Derived, kept by refreshAgent: present and free to be offered a caller now. */
  idle: boolean
}

export interface Agent {
  user: UserConfig
  companyId: CompanyId
  absence: Absence | null
  absenceToken: number
  memberships: Map<QueueId, Membership>
  /**
   * The same memberships in the same order, as a list for the hot paths (refreshAgent). Kept by
   * syncMembershipList after every change to `memberships` (configuration only).
   */
  membershipList: Membership[]
  /** Every live leg that rings or connects one of this user's terminals (rarely more than 3). */
  legs: Leg[]
  /** How many of those legs are in each state; kept with every leg transition. */
  ringing: number
  connected: number
  held: number
  wrapUpUntil: Instant | null
  wrapUpToken: number
  lastCallEndedAt: Instant | null
  answeredCalls: number
  talkMs: number
  unansweredStreak: number
  listedIn: number
  /**
   * What refreshAgent last worked their queue flags out from (their busy code, and whether
   * they were absent), or -1 when a membership has changed since: a refresh with the same
   * inputs would change nothing and is skipped.
   */
  refreshedAs: number
  /** The party their own phone is (see ownParty in calls.ts), and the directory entry it is of. */
  party: Party | null
  partyOf: UserConfig | null
  /** Listed in the company's staleAgents. */
  stale: boolean
}

export interface QueueMember {
  agent: Agent
  membership: Membership
}

export interface QueueRuntime {
  config: QueueConfig
  /** Waiting callers in service order: VIP first, then priority, then waitingSince, then seq. */
  waiting: Call[]
  /** Members in configured order. */
  memberIds: UserId[]
  members: QueueMember[]
  /** Each member's penalty, by member index (routing reads these without visiting members). */
  memberPenalties: number[]
  /** Member → their index in `members` (their `order`). */
  memberIndex: Map<UserId, number>
  /** How many members are present, and how many are idle (see Membership); kept by refreshAgent. */
  presentCount: number
  idleCount: number
  /**
   * Per member (by `order`): why they could not take any caller now, as a reason code (see
   * trail.ts; 0 = idle). Kept by refreshAgent, so routing reads one small array instead of
   * every member's state. A view of the queue's part of the company's memberCodes.
   */
  memberCodes: Uint8Array
  /**
   * Set when distribution found nothing to do here: nobody was idle, and the caller at the head
   * (the first whose turn it is, see routing.ts) had already been told so (`noAgentNoted`).
   * While nobody is idle and this caller stays at the head, distribution would do nothing here
   * again, so it skips the queue without reading its callers. Cleared when the head may change:
   * this caller leaves, a caller joins ahead of it, or offers start or end for it or a caller
   * ahead of it (see `unsettle` in calls.ts).
   */
  settledHead: Call | null
  /** Round-robin memory: index in memberIds of the member last offered a call. */
  rrCursor: number
  /** Whether the queue was open at the last opening-hours check (its view changes when it turns). */
  wasOpen: boolean
  listedIn: number
  /** Listed in the company's dirtyQueues. */
  dirty: boolean
}

export interface LocalTime {
  minuteStart: Instant
  weekday: number
  minuteOfDay: number
  date: string
}

export interface CompanyState {
  id: CompanyId
  config: CompanyConfig
  agents: Map<UserId, Agent>
  queues: Map<QueueId, QueueRuntime>
  /** Dialled number → what it reaches. */
  numbers: Map<PhoneNumber, { kind: 'queue'; queueId: QueueId } | { kind: 'user'; userId: UserId }>
  vipNumbers: Set<PhoneNumber>
  calls: Map<CallId, Call>
  legs: Map<LegId, Leg>
  parkSlots: (CallId | null)[]
  /** Missed queue calls not yet called back, oldest first (Map keeps insertion order). */
  missed: Map<CallId, MissedCallView>
  missedByNumber: Map<PhoneNumber, CallId[]>
  /** Missed calls in the order they were missed, for evicting the oldest; `missedHead` is the first live one. */
  missedOrder: CallId[]
  missedHead: number
  /**
   * Every queue's memberCodes, back to back (each queue's list is a view of its part): the
   * codes refreshAgent writes for an agent's queues lie in one small array, not one per queue.
   */
  memberCodes: Uint8Array
  /** Queues to look at in the next distribution (each listed once: see QueueRuntime.dirty). */
  dirtyQueues: QueueRuntime[]
  /** Agents whose derived membership flags must be recomputed before the next distribution. */
  staleAgents: Agent[]
  /**
   * What changed in the current step; reported in the step's outputs and then emptied. Each
   * entity is listed once per step (its `listed` flag says it already is).
   */
  changes: {
    calls: CallId[]
    removedCalls: CallId[]
    agents: UserId[]
    users: UserId[]
    removedUsers: UserId[]
    queues: QueueId[]
    removedQueues: QueueId[]
    missed: CallId[]
  }
  /** Numbers the current set of changes; an entity whose `listedIn` equals it is listed already. */
  changeGen: number
  rng: number
  localTimeCache: LocalTime | null
  /** The once-a-minute opening-hours check is scheduled. */
  /**
   * The local date (the company's time zone) that the agents' daily figures are of: answered
   * calls and talk time, which fewest-calls and least-talk-time rank by, start again at midnight.
   */
  day: string
  hoursChecking: boolean
}

export interface EngineState {
  now: Instant
  companies: Map<CompanyId, CompanyState>
  timers: TimerHeap
  /** Counter for timer tokens and call order; part of the state so replays are identical. */
  seq: number
  newId: IdSource
}

/** Ids are injected: the core uses random UUIDs, tests and replays a deterministic counter. */
export type IdSource = (kind: 'call' | 'leg' | 'conference') => string

export function syncMembershipList(agent: Agent): void {
  agent.membershipList = [...agent.memberships.values()]
  agent.refreshedAs = -1
}

export function isLive(leg: Leg): boolean {
  return leg.state !== 'ended'
}

/** Name the call's remote leg (once, when the call is made). */
export function setRemote(call: Call, leg: Leg): void {
  call.remoteLegId = leg.id
  call.remoteLeg = leg
}

/** Name the leg bridged with the remote party, or none. */
export function setPartner(call: Call, leg: Leg | null): void {
  call.partnerLegId = leg !== null ? leg.id : null
  call.partnerLeg = leg
}

/** The partner leg while it is live (what `co.legs.get(call.partnerLegId)` finds). */
export function livePartner(call: Call): Leg | undefined {
  const leg = call.partnerLeg
  return leg !== null && leg.state !== 'ended' ? leg : undefined
}

/**
 * The call's remote leg while it is live: what `co.legs.get(call.remoteLegId)` finds, without
 * the lookup (a leg leaves the company's legs exactly when it ends).
 */
export function liveRemote(call: Call): Leg | undefined {
  const leg = call.remoteLeg
  return leg !== null && leg.state !== 'ended' ? leg : undefined
}

export function userLedgerOf(call: Call, userId: UserId): UserLedger | undefined {
  for (const ledger of call.ledgerUsers) if (ledger.userId === userId) return ledger
  return undefined
}

export function queueLedgerOf(call: Call, queueId: QueueId): QueueLedger | undefined {
  for (const ledger of call.ledgerQueues) if (ledger.queueId === queueId) return ledger
  return undefined
}
