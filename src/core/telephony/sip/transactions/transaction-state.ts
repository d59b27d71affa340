/**
 * One guarded transition function for every transaction's state machine (the SIP.js pattern):
 * each machine lists its legal moves, and an illegal one is a bug, so it throws.
 */
export class IllegalTransition extends Error {}

/** Per state, the states it may move to. One table per kind of machine, shared by all of them. */
export type Moves<S extends string> = Readonly<Record<S, readonly S[]>>

/**
 * Non-INVITE transactions, client (§17.1.2, Figure 6) and server (§17.2.2, Figure 8), have the
 * same states and moves; only what happens on each move differs.
 */
export type NonInviteState = 'trying' | 'proceeding' | 'completed' | 'terminated'

export const nonInviteMoves: Moves<NonInviteState> = {
  trying: ['proceeding', 'completed', 'terminated'],
  proceeding: ['proceeding', 'completed', 'terminated'],
  completed: ['terminated'],
  terminated: [],
}

export class StateMachine<S extends string> {
  private current: S

  constructor(
    private readonly name: string,
    initial: S,
    private readonly legal: Moves<S>,
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
