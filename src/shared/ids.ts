/**
 * Identifier types. Each is a string with an optional phantom tag, so a plain string literal is
 * accepted where an id is expected (tests, configuration) but one kind of id is never accepted
 * where another is expected: `UserId` and `QueueId` have conflicting tags.
 */
type Tagged<Tag extends string> = string & { readonly __id?: Tag }

export type CompanyId = Tagged<'Company'>
export type UserId = Tagged<'User'>
export type QueueId = Tagged<'Queue'>
export type CallId = Tagged<'Call'>
export type LegId = Tagged<'Leg'>
export type ConferenceId = Tagged<'Conference'>

/** A telephone number as the engine stores it: E.164 (`+4791234567`) or a short internal extension. */
export type PhoneNumber = string

/** Milliseconds since the Unix epoch, always from the injected clock. */
export type Instant = number
