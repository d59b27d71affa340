/**
 * A client's copy of the live state, kept from a snapshot and the deltas after it. Shared by
 * every client (the switchboard's store, tests; third parties may copy it) so they all read the
 * streams the same way:
 *
 * - a delta is applied only if its seq is the next on its stream; otherwise the client has a
 *   gap and asks for `state:resync` (a seq already applied is a replay and is skipped);
 * - a call or missed call can be on several streams at once (its queue, its people, all calls),
 *   and a removal on one stream only means it left that stream: it leaves the copy when no
 *   stream the client is on has it any more.
 *
 * Plain objects only, changed in place: the functions work on a Redux Toolkit (Immer) draft too.
 */
import type { CallId, QueueId, UserId } from './ids'
import type { AgentView, CallView, Delta, MissedCallView, QueueView, UserView } from './model'
import type { StateDelta, StateSnapshot, StreamName } from './protocol'

export interface LiveData {
  seqs: Record<StreamName, number>
  users: Record<UserId, UserView>
  agents: Record<UserId, AgentView>
  queues: Record<QueueId, QueueView>
  calls: Record<CallId, CallView>
  missed: Record<CallId, MissedCallView>
  callStreams: Record<CallId, StreamName[]>
  missedStreams: Record<CallId, StreamName[]>
}

export function liveFromSnapshot(snapshot: StateSnapshot): LiveData {
  const byKey = <T>(list: T[], key: (t: T) => string): Record<string, T> =>
    Object.fromEntries(list.map((t) => [key(t), t]))
  return {
    seqs: { ...snapshot.streams },
    users: byKey(snapshot.users, (u) => u.id),
    agents: byKey(snapshot.agents, (a) => a.userId),
    queues: byKey(snapshot.queues, (q) => q.id),
    calls: byKey(snapshot.calls, (c) => c.id),
    missed: byKey(snapshot.missed, (m) => m.callId),
    callStreams: Object.fromEntries(
      snapshot.calls.map((c) => [c.id, [...(snapshot.callStreams[c.id] ?? [])]]),
    ),
    missedStreams: Object.fromEntries(
      snapshot.missed.map((m) => [m.callId, [...(snapshot.missedStreams[m.callId] ?? [])]]),
    ),
  }
}

export type ApplyResult = 'applied' | 'replay' | 'gap'

/** Applies a delta message to the copy in place. */
export function applyDelta(data: LiveData, message: StateDelta): ApplyResult {
  const last = data.seqs[message.stream] ?? 0
  if (message.seq <= last) return 'replay'
  if (message.seq !== last + 1) return 'gap'
  data.seqs[message.stream] = message.seq
  for (const delta of message.deltas) applyOne(data, message.stream, delta)
  return 'applied'
}

function applyOne(data: LiveData, stream: StreamName, d: Delta): void {
  switch (d.entity) {
    case 'user':
      if (d.op === 'upsert') data.users[d.user.id] = d.user
      else {
        delete data.users[d.id]
        delete data.agents[d.id]
      }
      return
    case 'agent':
      data.agents[d.agent.userId] = d.agent
      return
    case 'queue':
      if (d.op === 'upsert') data.queues[d.queue.id] = d.queue
      else delete data.queues[d.id]
      return
    case 'call':
      if (d.op === 'upsert') {
        data.calls[d.call.id] = d.call
        onStream(data.callStreams, d.call.id, stream)
      } else if (offStream(data.callStreams, d.id, stream)) delete data.calls[d.id]
      return
    case 'missed':
      if (d.op === 'upsert') {
        data.missed[d.missed.callId] = d.missed
        onStream(data.missedStreams, d.missed.callId, stream)
      } else if (offStream(data.missedStreams, d.id, stream)) delete data.missed[d.id]
      return
  }
}

function onStream(streams: Record<CallId, StreamName[]>, id: CallId, stream: StreamName): void {
  const list = (streams[id] ??= [])
  if (!list.includes(stream)) list.push(stream)
}

/** Takes the id off a stream; true when no stream has it any more. */
function offStream(streams: Record<CallId, StreamName[]>, id: CallId, stream: StreamName): boolean {
  const list = streams[id]
  if (!list) return true
  const rest = list.filter((s) => s !== stream)
  if (rest.length === 0) {
    delete streams[id]
    return true
  }
  streams[id] = rest
  return false
}

/** The same rules as a small object for code that is not a Redux store. */
export class LiveCopy {
  readonly data: LiveData

  constructor(snapshot: StateSnapshot) {
    this.data = liveFromSnapshot(snapshot)
  }

  get seqs(): Record<StreamName, number> {
    return this.data.seqs
  }

  /** False means a gap: ask for `state:resync`. */
  apply(message: StateDelta): boolean {
    return applyDelta(this.data, message) !== 'gap'
  }
}
