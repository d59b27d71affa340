/**
 * Live state for clients: who gets which part of each engine step, numbered per stream.
 *
 * Streams (each a Socket.IO room):
 * - `company`: the directory and every colleague's live status (everyone);
 * - `board`: queue summaries (queue board viewers: operators, contact persons, the granted);
 * - `queue:<id>`: calls waiting in or offered from that queue, and its missed calls (its members);
 * - `user:<id>`: calls the user is part of (that user);
 * - `calls`: every call and every missed call (contact persons).
 *
 * A call moves between streams as it moves between queues and people: when it stops being
 * visible on a stream, that stream gets a removal for it, so no client keeps a ghost.
 */
import type { CallId, CompanyId, QueueId } from '../../shared/ids'
import type { CallView, CompanySnapshot, Delta } from '../../shared/model'
import type { Me, StateDelta, StateSnapshot, StreamName } from '../../shared/protocol'
import { deltasOf } from '../domain/engine'
import { callView } from '../domain/views'
import type { CompanyChanges } from '../domain/io'
import type { EngineState } from '../domain/state'
import { isContact, seesQueueBoard, visibleQueues, type Principal } from './rights'

/** Deltas for one stream of one company, not yet numbered. */
export interface Publication {
  companyId: CompanyId
  stream: StreamName
  /** When the engine made these changes. */
  at: number
  deltas: Delta[]
}

export interface Message {
  room: string
  payload: StateDelta
}

export function roomOf(companyId: CompanyId, stream: StreamName): string {
  return `${companyId}/${stream}`
}

/** The streams a call belongs to. */
export function callStreams(call: CallView): Set<StreamName> {
  const streams = new Set<StreamName>(['calls'])
  if (call.queueId !== null) streams.add(`queue:${call.queueId}`)
  if (call.agentId !== null) streams.add(`user:${call.agentId}`)
  if (call.originatorId !== null) streams.add(`user:${call.originatorId}`)
  for (const userId of call.offeredTo) streams.add(`user:${userId}`)
  for (const leg of call.legs)
    if (leg.party.userId !== null && leg.role !== 'caller' && leg.role !== 'callee')
      streams.add(`user:${leg.party.userId}`)
  // An internal call's caller is a colleague: it is their call too.
  if (call.direction === 'internal' && call.remote.userId !== null)
    streams.add(`user:${call.remote.userId}`)
  return streams
}

export function streamsOf(p: Principal, allQueueIds: Iterable<QueueId>): StreamName[] {
  const streams: StreamName[] = ['company', `user:${p.userId}`]
  if (seesQueueBoard(p)) streams.push('board')
  for (const queueId of visibleQueues(p, allQueueIds)) streams.push(`queue:${queueId}`)
  if (isContact(p)) streams.push('calls')
  return streams
}

interface CompanyLive {
  seqs: Map<StreamName, number>
  /** The streams each live call was last published on. */
  calls: Map<CallId, Set<StreamName>>
  /** The queue of each missed call on the worklist (a removal names only the call). */
  missedQueue: Map<CallId, QueueId>
  /** Nobody watched: nothing was published, and `calls` and `missedQueue` are to be rebuilt. */
  stale: boolean
}

export class LiveState {
  private readonly companies = new Map<CompanyId, CompanyLive>()

  /**
   * `watched`: whether anyone may receive the company's deltas (a client connected, or one that
   * may still come back and recover what it missed). For a company nobody watches nothing is
   * worked out or sent (a headless core under load, the demo with no browser open); the first
   * client after that gets a snapshot, and publishing starts again from the state as it is.
   */
  constructor(
    private readonly state: () => EngineState,
    private readonly watched: (companyId: CompanyId) => boolean = () => true,
  ) {}

  private company(companyId: CompanyId): CompanyLive {
    let live = this.companies.get(companyId)
    if (!live) {
      live = { seqs: new Map(), calls: new Map(), missedQueue: new Map(), stale: true }
      this.companies.set(companyId, live)
    }
    if (live.stale && this.watched(companyId)) this.catchUp(companyId, live)
    return live
  }

  /** Which streams each live call and missed call is on now, as if every step had been published. */
  private catchUp(companyId: CompanyId, live: CompanyLive): void {
    live.stale = false
    live.calls.clear()
    live.missedQueue.clear()
    const co = this.state().companies.get(companyId)
    if (!co) return
    for (const call of co.calls.values()) live.calls.set(call.id, callStreams(callView(co, call)))
    for (const missed of co.missed.values()) live.missedQueue.set(missed.callId, missed.queueId)
  }

  /** Route one engine step's changes into per-stream messages. */
  publish(changes: CompanyChanges[]): Publication[] {
    const publications: Publication[] = []
    const state = this.state()
    for (const c of changes) {
      if (!this.watched(c.companyId)) {
        const unwatched = this.companies.get(c.companyId)
        if (unwatched) unwatched.stale = true
        continue
      }
      const live = this.company(c.companyId)
      const byStream = new Map<StreamName, Delta[]>()
      const add = (stream: StreamName, delta: Delta) => {
        let list = byStream.get(stream)
        if (!list) byStream.set(stream, (list = []))
        list.push(delta)
      }
      for (const delta of deltasOf(state, [c])) {
        switch (delta.entity) {
          case 'user':
          case 'agent':
            add('company', delta)
            break
          case 'queue':
            add('board', delta)
            break
          case 'missed': {
            const queueId =
              delta.op === 'upsert' ? delta.missed.queueId : live.missedQueue.get(delta.id)
            if (delta.op === 'upsert')
              live.missedQueue.set(delta.missed.callId, delta.missed.queueId)
            else live.missedQueue.delete(delta.id)
            add('calls', delta)
            if (queueId !== undefined) add(`queue:${queueId}`, delta)
            break
          }
          case 'call': {
            const before =
              live.calls.get(delta.op === 'upsert' ? delta.call.id : delta.id) ??
              new Set<StreamName>()
            if (delta.op === 'remove') {
              for (const stream of before) add(stream, delta)
              live.calls.delete(delta.id)
              break
            }
            const after = callStreams(delta.call)
            for (const stream of after) add(stream, delta)
            for (const stream of before) {
              if (!after.has(stream))
                add(stream, {
                  entity: 'call',
                  op: 'remove',
                  companyId: c.companyId,
                  id: delta.call.id,
                })
            }
            live.calls.set(delta.call.id, after)
            break
          }
        }
      }
      for (const [stream, deltas] of byStream)
        publications.push({ companyId: c.companyId, stream, at: state.now, deltas })
    }
    return publications
  }

  /**
   * Number the queued publications and turn them into one message per stream. Several changes
   * to one entity keep only the last: a client needs where things are, not every step between.
   * (A snapshot taken while publications wait already contains them; applying them again on
   * top of it changes nothing.)
   */
  seal(pending: Publication[]): Message[] {
    const merged = new Map<
      string,
      { companyId: CompanyId; stream: StreamName; at: number; deltas: Map<string, Delta> }
    >()
    for (const p of pending) {
      const key = `${p.companyId}\u0000${p.stream}`
      let entry = merged.get(key)
      if (!entry)
        merged.set(
          key,
          (entry = { companyId: p.companyId, stream: p.stream, at: p.at, deltas: new Map() }),
        )
      for (const d of p.deltas) {
        const id = deltaKey(d)
        entry.deltas.delete(id) // keep the order of the last change
        entry.deltas.set(id, d)
      }
    }
    const messages: Message[] = []
    for (const { companyId, stream, at, deltas } of merged.values()) {
      const live = this.company(companyId)
      const seq = (live.seqs.get(stream) ?? 0) + 1
      live.seqs.set(stream, seq)
      // `at` is the earliest change in the message: latency is measured from there.
      messages.push({
        room: roomOf(companyId, stream),
        payload: { stream, seq, at, deltas: [...deltas.values()] },
      })
    }
    return messages
  }

  /** What this principal may see now, with the seq each of their streams is at. */
  snapshotFor(p: Principal, me: Me, full: CompanySnapshot): StateSnapshot {
    const live = this.company(p.companyId)
    const queueIds = full.queues.map((q) => q.id)
    const streams = streamsOf(p, queueIds)
    const mine = new Set(streams)
    const seqs: Record<StreamName, number> = {}
    for (const stream of streams) seqs[stream] = live.seqs.get(stream) ?? 0
    const visible = visibleQueues(p, queueIds)
    const calls: CallView[] = []
    const callOn: Record<CallId, StreamName[]> = {}
    for (const call of full.calls) {
      const on = [...callStreams(call)].filter((s) => mine.has(s))
      if (on.length === 0) continue
      calls.push(call)
      callOn[call.id] = on
    }
    const missed = full.missed.filter((m) => isContact(p) || visible.has(m.queueId))
    const missedOn: Record<CallId, StreamName[]> = {}
    for (const m of missed)
      missedOn[m.callId] = [
        ...(mine.has('calls') ? ['calls'] : []),
        ...(mine.has(`queue:${m.queueId}`) ? [`queue:${m.queueId}`] : []),
      ]
    return {
      me,
      at: full.at,
      streams: seqs,
      users: full.users,
      agents: full.agents,
      queues: mine.has('board') ? full.queues : [],
      calls,
      missed,
      callStreams: callOn,
      missedStreams: missedOn,
    }
  }

  streamsFor(p: Principal): StreamName[] {
    const co = this.state().companies.get(p.companyId)
    return streamsOf(p, co ? co.queues.keys() : [])
  }
}

function deltaKey(d: Delta): string {
  switch (d.entity) {
    case 'call':
      return `c${d.op === 'upsert' ? d.call.id : d.id}`
    case 'agent':
      return `a${d.agent.userId}`
    case 'user':
      return `u${d.op === 'upsert' ? d.user.id : d.id}`
    case 'queue':
      return `q${d.op === 'upsert' ? d.queue.id : d.id}`
    case 'missed':
      return `m${d.op === 'upsert' ? d.missed.callId : d.id}`
  }
}
