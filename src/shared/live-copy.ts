/**
 * A client's copy of the live state, kept from a snapshot and the deltas after it. Shared by
 * every client (the switchboard, tests, third parties may copy it) so they all read the
 * streams the same way:
 *
 * - a delta is applied only if its seq is the next on its stream; otherwise `apply` reports a
 *   gap and the client asks for `state:resync`;
 * - a call or missed call can be on several streams at once (its queue, its people, all calls),
 *   and a removal on one stream only means it left that stream: it leaves the copy when no
 *   stream the client is on has it any more.
 */
import type { CallId, UserId, QueueId } from './ids'
import type { AgentView, CallView, Delta, MissedCallView, QueueView, UserView } from './model'
import type { StateDelta, StateSnapshot, StreamName } from './protocol'

export class LiveCopy {
  readonly seqs: Record<StreamName, number>
  readonly users = new Map<UserId, UserView>()
  readonly agents = new Map<UserId, AgentView>()
  readonly queues = new Map<QueueId, QueueView>()
  readonly calls = new Map<CallId, CallView>()
  readonly missed = new Map<CallId, MissedCallView>()
  private readonly callStreams = new Map<CallId, Set<StreamName>>()
  private readonly missedStreams = new Map<CallId, Set<StreamName>>()

  constructor(snapshot: StateSnapshot) {
    this.seqs = { ...snapshot.streams }
    for (const u of snapshot.users) this.users.set(u.id, u)
    for (const a of snapshot.agents) this.agents.set(a.userId, a)
    for (const q of snapshot.queues) this.queues.set(q.id, q)
    for (const c of snapshot.calls) {
      this.calls.set(c.id, c)
      this.callStreams.set(c.id, new Set(snapshot.callStreams[c.id] ?? []))
    }
    for (const m of snapshot.missed) {
      this.missed.set(m.callId, m)
      this.missedStreams.set(m.callId, new Set(snapshot.missedStreams[m.callId] ?? []))
    }
  }

  /** Applies a delta message; false means a gap (or a stream the client is not on): resync. */
  apply(message: StateDelta): boolean {
    const expected = (this.seqs[message.stream] ?? -1) + 1
    if (message.seq <= expected - 1) return true // already applied (a replay)
    if (message.seq !== expected) return false
    this.seqs[message.stream] = message.seq
    for (const delta of message.deltas) this.one(message.stream, delta)
    return true
  }

  private one(stream: StreamName, d: Delta): void {
    switch (d.entity) {
      case 'user':
        if (d.op === 'upsert') this.users.set(d.user.id, d.user)
        else {
          this.users.delete(d.id)
          this.agents.delete(d.id)
        }
        return
      case 'agent':
        this.agents.set(d.agent.userId, d.agent)
        return
      case 'queue':
        if (d.op === 'upsert') this.queues.set(d.queue.id, d.queue)
        else this.queues.delete(d.id)
        return
      case 'call':
        if (d.op === 'upsert') {
          this.calls.set(d.call.id, d.call)
          on(this.callStreams, d.call.id, stream)
        } else if (off(this.callStreams, d.id, stream)) this.calls.delete(d.id)
        return
      case 'missed':
        if (d.op === 'upsert') {
          this.missed.set(d.missed.callId, d.missed)
          on(this.missedStreams, d.missed.callId, stream)
        } else if (off(this.missedStreams, d.id, stream)) this.missed.delete(d.id)
        return
    }
  }
}

function on(streams: Map<CallId, Set<StreamName>>, id: CallId, stream: StreamName): void {
  let set = streams.get(id)
  if (!set) streams.set(id, (set = new Set()))
  set.add(stream)
}

/** Takes the id off a stream; true when no stream has it any more. */
function off(streams: Map<CallId, Set<StreamName>>, id: CallId, stream: StreamName): boolean {
  const set = streams.get(id)
  if (!set) return true
  set.delete(stream)
  if (set.size === 0) {
    streams.delete(id)
    return true
  }
  return false
}
