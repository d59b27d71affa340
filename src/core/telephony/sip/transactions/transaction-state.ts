/**
 * One guarded transition function for every transaction's state machine (the SIP.js pattern):
 * each machine lists its legal moves, and an illegal one is a bug, so it throws.
 */
export class IllegalTransition extends Error {}

export class StateMachine<S extends string> {
  private current: S

  constructor(
    private readonly name: string,
    initial: S,
    private readonly legal: Readonly<Record<S, readonly S[]>>,
  ) {
    this.current = initial
  }

  get state(): S {
    return this.current
  }

  transition(to: S): void {
    if (!this.legal[this.current].includes(to))
      throw new IllegalTransition(`${this.name}: ${this.current} → ${to} is not allowed`)
    this.current = to
  }
}
