/**
 * Errors the engine returns for inputs it refuses. They are values, not exceptions: a refused
 * input leaves the state unchanged and the caller decides what to tell its client.
 */
export const engineErrorCodes = [
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
] as const
export type EngineErrorCode = (typeof engineErrorCodes)[number]

export class EngineError {
  readonly name = 'EngineError'
  constructor(
    readonly code: EngineErrorCode,
    readonly message: string,
  ) {}
}

/** Thrown only by a guarded state transition that the handlers should have prevented: a bug. */
export class IllegalTransition extends Error {
  constructor(entity: string, from: string, to: string) {
    super(`illegal ${entity} transition ${from} → ${to}`)
    this.name = 'IllegalTransition'
  }
}
