/**
 * Error codes a client can act on. Domain codes come from the routing engine; the API adds its
 * own. Only these codes cross the socket, with a sanitised message.
 */
export const domainErrorCodes = [
  'UNKNOWN_COMPANY',
  'UNKNOWN_CALL',
  'UNKNOWN_LEG',
  'UNKNOWN_USER',
  'UNKNOWN_QUEUE',
  'UNKNOWN_SLOT',
  'NOT_A_MEMBER',
  'NOT_YOUR_CALL',
  'INVALID_STATE',
  'AGENT_BUSY',
  'TARGET_BUSY',
  'INVALID_TARGET',
  'INVALID_NUMBER',
  'INVALID_ARGUMENT',
  'NUMBER_NOT_ALLOWED',
  'DUPLICATE_ID',
  'PARK_FULL',
  'NOT_MISSED',
  'CLOCK_WENT_BACKWARDS',
  /** The core caught an exception (a bug, logged with its input); nothing was applied. */
  'INTERNAL',
] as const
export type DomainErrorCode = (typeof domainErrorCodes)[number]

export const apiErrorCodes = [
  ...domainErrorCodes,
  /** The payload failed validation; the message names the field. */
  'BAD_REQUEST',
  'UNKNOWN_EVENT',
  'NOT_FOUND',
  /** No valid session: log in again. */
  'UNAUTHENTICATED',
  /** Logged in, but this role or these rights do not allow it. */
  'FORBIDDEN',
  /** Wrong username or password (the same answer for both). */
  'INVALID_CREDENTIALS',
  'ACCOUNT_BLOCKED',
  'RATE_LIMITED',
  'WEAK_PASSWORD',
  /** A username, number or id that must be unique is taken. */
  'CONFLICT',
] as const
export type ApiErrorCode = (typeof apiErrorCodes)[number]
