/**
 * Errors the engine returns for inputs it refuses. They are values, not exceptions: a refused
 * input leaves the state unchanged and the caller decides what to tell its client.
 */
import { domainErrorCodes, type DomainErrorCode } from '../../shared/errors'

export const engineErrorCodes = domainErrorCodes
export type EngineErrorCode = DomainErrorCode

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
