/**
 * The engine's configuration: what a company has set up. The engine receives it already
 * validated and normalised (numbers in E.164 or as extensions); see src/core/config for the
 * file format and its validation.
 */
import type { CompanyId, PhoneNumber, QueueId, UserId } from '../../shared/ids'
import type { Destination, RoutingStrategy } from '../../shared/model'

export interface UserConfig {
  id: UserId
  firstName: string
  lastName: string
  extension: PhoneNumber
  mobile: PhoneNumber | null
  direct: PhoneNumber | null
  department: string
  /** Numbers this user may present on outgoing calls besides their own mobile and direct line. */
  presentableNumbers: PhoneNumber[]
  forwardOnBusy: PhoneNumber | null
  forwardOnNoAnswer: { to: PhoneNumber; afterSeconds: number } | null
  /** A second number (often a mobile) that rings together with the user's phone. */
  extraTerminal: PhoneNumber | null
}

export interface QueueMemberConfig {
  userId: UserId
  /** Lower is better; members of a higher penalty are offered only when no better tier is free. */
  penalty: number
  /** Whether the member starts logged in to the queue. */
  loggedIn: boolean
}

export type Weekday = 'mon' | 'tue' | 'wed' | 'thu' | 'fri' | 'sat' | 'sun'

/** Minutes since local midnight, [from, to). */
export interface TimeRange {
  from: number
  to: number
}

export interface OpeningHours {
  weekly: Partial<Record<Weekday, TimeRange[]>>
  /** Dates (YYYY-MM-DD, local) whose hours replace the weekly ones; an empty list means closed. */
  exceptions: Record<string, TimeRange[]>
}

export interface QueueConfig {
  id: QueueId
  name: string
  numbers: PhoneNumber[]
  strategy: RoutingStrategy
  members: QueueMemberConfig[]
  ringTimeoutSeconds: number
  retryDelaySeconds: number
  wrapUpSeconds: number
  /** Pause a member in all queues after this many offers in a row went unanswered; null: never. */
  autoPauseAfter: number | null
  maxWaitSeconds: number | null
  maxLength: number | null
  overflow: Destination | null
  /** May a caller join when no member is logged in, unpaused and present? */
  joinEmpty: boolean
  /** Do waiting callers leave when the last present member goes? */
  leaveWhenEmpty: boolean
  openingHours: OpeningHours | null
  closedDestination: Destination | null
  /** For ring-progressively: one more member is added every this many seconds. */
  progressiveStepSeconds: number
  serviceLevelSeconds: number
}

export interface CompanyConfig {
  id: CompanyId
  name: string
  /** IANA zone for opening hours, e.g. Europe/Oslo. */
  timeZone: string
  users: UserConfig[]
  queues: QueueConfig[]
  /** Callers from these numbers go first in every queue of the company. */
  vipNumbers: PhoneNumber[]
  parkSlots: number
  parkTimeoutSeconds: number
  /** How long a direct call, a transfer or a recall rings before it counts as not answered. */
  directRingSeconds: number
  /** How long an outgoing call may ring before it is given up. */
  dialTimeoutSeconds: number
}

export const queueDefaults = {
  ringTimeoutSeconds: 15,
  retryDelaySeconds: 2,
  wrapUpSeconds: 0,
  autoPauseAfter: null,
  maxWaitSeconds: null,
  maxLength: null,
  overflow: null,
  joinEmpty: true,
  leaveWhenEmpty: false,
  openingHours: null,
  closedDestination: null,
  progressiveStepSeconds: 5,
  serviceLevelSeconds: 20,
} satisfies Partial<QueueConfig>

export const companyDefaults = {
  timeZone: 'Europe/Oslo',
  vipNumbers: [] as PhoneNumber[],
  parkSlots: 10,
  parkTimeoutSeconds: 120,
  directRingSeconds: 25,
  dialTimeoutSeconds: 60,
} satisfies Partial<CompanyConfig>
