/**
 * The Socket.IO API: every request a logged-in client can make, each validated with zod,
 * checked against the principal's rights, applied once per idempotency key, and answered with
 * a `Response<T>`. The acting user is always the logged-in one, never a field of the payload.
 */
import { randomUUID } from 'node:crypto'
import type { Logger } from 'pino'
import type { Socket } from 'socket.io'
import { z } from 'zod'
import type { ApiErrorCode } from '../../shared/errors'
import type { CallId, QueueId } from '../../shared/ids'
import { absenceReasons, routingStrategies, roles, functionAccess } from '../../shared/model'
import { normalizeNumber } from '../../shared/phone'
import type {
  Ack,
  CallerNote,
  ClientToServerEvents,
  Me,
  QueueLogEntry,
  Response,
  ServerToClientEvents,
  UserLogEntry,
} from '../../shared/protocol'
import { AccountError, type AccountService, type Session } from '../accounts/account-service'
import type { EngineInput } from '../domain/io'
import { presentableNumbers } from '../domain/operations'
import type { SmsGateway } from '../integrations/sms-gateway'
import type { StoredQueueCallLog, StoredUserCallLog, Store } from '../persistence/store'
import type { Clock } from '../runtime/clock'
import type { CoreRuntime } from '../runtime/core-runtime'
import { AdminError, type AdminService } from './admin-service'
import { searchDirectory } from '../../shared/directory-search'
import { callStreams, type LiveState } from './live'
import { may, visibleQueues, type Action, type Principal } from './rights'
import { agentStatistics, queueStatistics } from './statistics'

export interface SocketData {
  session: Session
  principal: Principal
  me: Me
}

export type AppSocket = Socket<
  ClientToServerEvents,
  ServerToClientEvents,
  Record<string, never>,
  SocketData
>

export interface ApiContext {
  runtime: CoreRuntime
  store: Store
  accounts: AccountService
  admin: AdminService
  live: LiveState
  clock: Clock
  logger: Logger
  /** Called after a session changed hands (refresh, password change, logout). */
  sessionReplaced(
    socket: AppSocket,
    next: Session | null,
    reason: 'logout' | 'password-changed',
  ): void
  snapshot(socket: AppSocket): ReturnType<LiveState['snapshotFor']>
  /** Resolves once everything the engine produced so far is stored. */
  recorded(): Promise<void>
  sms: SmsGateway
}

// ───────────────────────────── payload schemas ─────────────────────────────

const id = z.string().min(1).max(200)
const requestId = z.string().min(8).max(100)
const keyed = z.strictObject({ requestId })
const onCall = z.strictObject({ requestId, callId: id })
const phone = z.string().min(1).max(40)
const destination = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('queue'), queueId: id }),
  z.strictObject({ kind: z.literal('user'), userId: id }),
  z.strictObject({ kind: z.literal('external'), number: phone }),
])
const instant = z.number().int().min(0).max(8_640_000_000_000_000)
const page = z.strictObject({
  limit: z.number().int().min(1).max(500).optional(),
  before: instant.optional(),
  from: instant.optional(),
  to: instant.optional(),
})
const empty = z.strictObject({})
const seconds = z.number().int().min(0).max(86_400)

const userInput = z.strictObject({
  id: id.optional(),
  username: z
    .string()
    .trim()
    .min(2)
    .max(100)
    .regex(/^[\p{L}\p{N}._@-]+$/u, 'letters, digits and . _ @ - only'),
  firstName: z.string().trim().min(1).max(100),
  lastName: z.string().trim().min(1).max(100),
  extension: phone,
  mobile: phone.nullable(),
  direct: phone.nullable(),
  department: z.string().trim().max(100),
  role: z.enum(roles),
  functions: z.array(z.enum(functionAccess)).max(functionAccess.length),
  blocked: z.boolean(),
  presentableNumbers: z.array(phone).max(20),
  forwardOnBusy: phone.nullable(),
  forwardOnNoAnswer: z
    .strictObject({ to: phone, afterSeconds: z.number().int().min(5).max(300) })
    .nullable(),
  extraTerminal: phone.nullable(),
})

const queueInput = z.strictObject({
  id: id.optional(),
  name: z.string().trim().min(1).max(100),
  numbers: z.array(phone).max(20),
  strategy: z.enum(routingStrategies),
  members: z
    .array(z.strictObject({ userId: id, penalty: z.number().int().min(0).max(100) }))
    .max(1000),
  ringTimeoutSeconds: z.number().int().min(3).max(300),
  retryDelaySeconds: z.number().int().min(0).max(300),
  wrapUpSeconds: seconds,
  autoPauseAfter: z.number().int().min(1).max(100).nullable(),
  maxWaitSeconds: seconds.nullable(),
  maxLength: z.number().int().min(0).max(10_000).nullable(),
  overflow: destination.nullable(),
  joinEmpty: z.boolean(),
  leaveWhenEmpty: z.boolean(),
  serviceLevelSeconds: z.number().int().min(1).max(3600),
  progressiveStepSeconds: z.number().int().min(1).max(300),
})

// ───────────────────────────── the request pipeline ─────────────────────────────

type Handler<T> = (
  payload: T,
  data: SocketData,
  socket: AppSocket,
) => Promise<Response<unknown>> | Response<unknown>

interface Idempotency {
  get(key: string): Promise<Response<unknown>> | undefined
  set(key: string, response: Promise<Response<unknown>>): void
}

/** Answers already given, by (user, requestId), for ten minutes. */
export function idempotencyCache(clock: Clock, ttlMs = 10 * 60_000, max = 50_000): Idempotency {
  const entries = new Map<string, { at: number; response: Promise<Response<unknown>> }>()
  return {
    get(key) {
      const entry = entries.get(key)
      if (!entry) return undefined
      if (clock.now() - entry.at > ttlMs) {
        entries.delete(key)
        return undefined
      }
      return entry.response
    },
    set(key, response) {
      entries.set(key, { at: clock.now(), response })
      if (entries.size > max) {
        const oldest = entries.keys().next().value
        if (oldest !== undefined) entries.delete(oldest)
      }
    },
  }
}

const fail = (code: ApiErrorCode, message: string): Response<never> => ({
  error: { code, message },
})
const ok = <T>(data: T): Response<T> => ({ data })

export function registerApi(socket: AppSocket, ctx: ApiContext, idempotency: Idempotency): void {
  const known = new Set<string>()

  function on<S extends z.ZodType>(
    event: keyof ClientToServerEvents,
    schema: S,
    action: Action,
    handler: Handler<z.infer<S>>,
  ): void {
    known.add(event)
    const listener = (...args: unknown[]) => {
      const ack = args.at(-1)
      if (typeof ack !== 'function') return
      const respond = ack as Ack<unknown>
      const payload = args.length > 1 ? args[0] : {}
      void handle(payload, respond)
    }
    const handle = async (raw: unknown, respond: Ack<unknown>) => {
      const data = socket.data
      const parsed = schema.safeParse(raw)
      if (!parsed.success) return respond(badRequest(parsed.error))
      if (!may(data.principal, action))
        return respond(fail('FORBIDDEN', `your role may not ${event}`))
      const key =
        typeof (parsed.data as { requestId?: unknown }).requestId === 'string'
          ? `${data.principal.userId}/${(parsed.data as { requestId: string }).requestId}`
          : null
      const earlier = key ? idempotency.get(key) : undefined
      if (earlier) return respond(await earlier)
      const response = run(parsed.data, data)
      if (key) idempotency.set(key, response)
      respond(await response)
    }
    const run = async (payload: z.infer<S>, data: SocketData): Promise<Response<unknown>> => {
      try {
        return await handler(payload, data, socket)
      } catch (error) {
        if (error instanceof AdminError) return fail(error.code, error.message)
        if (error instanceof AccountError)
          return fail(
            error.code === 'UNAUTHENTICATED' ? 'UNAUTHENTICATED' : error.code,
            error.message,
          )
        ctx.logger.error({ err: error, event }, 'request failed')
        return fail('INTERNAL', 'internal error')
      }
    }
    socket.on(event, listener)
  }

  /** Apply an engine command as the logged-in user. */
  const engine = (
    data: SocketData,
    input: Record<string, unknown> & { type: string },
  ): Response<null> => {
    const error = ctx.runtime.dispatch({
      ...input,
      companyId: data.principal.companyId,
      userId: data.principal.userId,
    } as EngineInput)
    return error ? fail(error.code, error.message) : ok(null)
  }

  // ── calls ──
  on('call:answer', onCall, 'call.own', (p, d) =>
    engine(d, { type: 'offer.answer', callId: p.callId }),
  )
  on('call:reject', onCall, 'call.own', (p, d) =>
    engine(d, { type: 'offer.reject', callId: p.callId }),
  )
  on('call:pick', onCall, 'call.pick', (p, d) => engine(d, { type: 'call.pick', callId: p.callId }))
  on('call:hold', onCall, 'call.own', (p, d) => engine(d, { type: 'call.hold', callId: p.callId }))
  on('call:resume', onCall, 'call.own', (p, d) =>
    engine(d, { type: 'call.resume', callId: p.callId }),
  )
  on('call:hangup', onCall, 'call.own', (p, d) =>
    engine(d, { type: 'call.hangup', callId: p.callId }),
  )
  on(
    'call:transfer',
    onCall.extend({ target: destination, mode: z.enum(['blind', 'consult']) }),
    'call.own',
    (p, d) =>
      engine(d, {
        type: p.mode === 'blind' ? 'transfer.blind' : 'transfer.consult',
        callId: p.callId,
        target: p.target,
      }),
  )
  on('call:transfer-complete', onCall, 'call.own', (p, d) =>
    engine(d, { type: 'transfer.complete', callId: p.callId }),
  )
  on('call:transfer-cancel', onCall, 'call.own', (p, d) =>
    engine(d, { type: 'transfer.cancel', callId: p.callId }),
  )
  on('call:park', onCall, 'call.own', (p, d) => {
    const result = engine(d, { type: 'call.park', callId: p.callId })
    if ('error' in result) return result
    const slot = ctx.runtime.state.companies
      .get(d.principal.companyId)
      ?.calls.get(p.callId)?.parkedSlot
    return ok({ slot: slot ?? -1 })
  })
  on(
    'call:retrieve',
    keyed.extend({ slot: z.number().int().min(0).max(1000) }),
    'call.own',
    (p, d) => engine(d, { type: 'call.retrieve', slot: p.slot }),
  )
  on('call:dial', keyed.extend({ to: phone, presentedNumber: phone }), 'call.dial', (p, d) =>
    engine(d, { type: 'call.dial', to: p.to, presentedNumber: p.presentedNumber }),
  )
  on(
    'sms:send',
    keyed.extend({ to: phone, presentedNumber: phone, text: z.string().trim().min(1).max(1600) }),
    'sms',
    async (p, d) => {
      const to = normalizeNumber(p.to)
      if (to === null) return fail('INVALID_NUMBER', `"${p.to}" is not a phone number`)
      const from = normalizeNumber(p.presentedNumber)
      const user = ctx.runtime.state.companies
        .get(d.principal.companyId)
        ?.agents.get(d.principal.userId)?.user
      if (from === null || !user || !presentableNumbers(user).includes(from))
        return fail('NUMBER_NOT_ALLOWED', `${p.presentedNumber} is not a number you may present`)
      const { id: messageId } = await ctx.sms.send({
        companyId: d.principal.companyId,
        senderId: d.principal.userId,
        from,
        to,
        text: p.text,
      })
      // Who sent what to whom is attributable (§7); the text itself stays out of the audit log.
      await audit(d, 'sms.send', 'sms', messageId, null, { from, to, length: p.text.length })
      return ok({ messageId })
    },
  )
  on('call:trail', z.strictObject({ callId: id }), 'call.own', async (p, d) => {
    if (!(await maySeeCall(d.principal, p.callId)))
      return fail('NOT_FOUND', `no call ${p.callId} that you may see`)
    const trail =
      ctx.runtime.trail(d.principal.companyId, p.callId) ??
      (await ctx.store.getTrail(d.principal.companyId, p.callId))
    return trail ? ok(trail) : fail('NOT_FOUND', `no call ${p.callId}`)
  })

  // ── conference ──
  on('conference:create', onCall, 'conference', (p, d) =>
    engine(d, { type: 'conference.create', callId: p.callId }),
  )
  on('conference:add', onCall.extend({ target: destination }), 'conference', (p, d) =>
    engine(d, { type: 'conference.add', callId: p.callId, target: p.target }),
  )
  on('conference:remove', onCall.extend({ legId: id }), 'conference', (p, d) =>
    engine(d, { type: 'conference.remove', callId: p.callId, legId: p.legId }),
  )
  on('conference:end', onCall, 'conference', (p, d) =>
    engine(d, { type: 'conference.end', callId: p.callId }),
  )

  /** Every change anyone makes goes into the audit log: who, what, when, before and after. */
  const audit = (
    d: SocketData,
    action: string,
    entity: string,
    entityId: string,
    before: unknown,
    after: unknown,
  ) =>
    ctx.store.appendAudit({
      id: randomUUID(),
      companyId: d.principal.companyId,
      actorId: d.principal.userId,
      action,
      entity,
      entityId,
      before,
      after,
      at: ctx.clock.now(),
    })
  const agentOf = (d: SocketData) =>
    ctx.runtime.state.companies.get(d.principal.companyId)?.agents.get(d.principal.userId)
  const membershipsOf = (d: SocketData) =>
    [...(agentOf(d)?.memberships.values() ?? [])].map((m) => ({
      queueId: m.queueId,
      loggedIn: m.loggedIn,
      paused: m.paused ? { ...m.paused } : null,
    }))

  // ── callbacks ──
  on('callback:mark', onCall, 'callback.mark', async (p, d) => {
    const missed = ctx.runtime.state.companies.get(d.principal.companyId)?.missed.get(p.callId)
    if (missed && !visibleQueues(d.principal, [missed.queueId]).has(missed.queueId))
      return fail('NOT_A_MEMBER', 'that missed call is in a queue you are not a member of')
    const result = engine(d, { type: 'callback.mark', callId: p.callId })
    if ('data' in result)
      await audit(d, 'callback.mark', 'call', p.callId, missed ?? null, {
        calledBackBy: d.principal.userId,
      })
    return result
  })

  // ── presence ──
  on(
    'presence:set-absence',
    keyed.extend({
      reason: z.enum(absenceReasons),
      note: z.string().max(200).nullable(),
      until: instant.nullable(),
      forwardTo: phone.nullable(),
    }),
    'presence.own',
    async (p, d) => {
      const before = agentOf(d)?.absence ?? null
      const result = engine(d, {
        type: 'absence.set',
        reason: p.reason,
        note: p.note,
        until: p.until,
        forwardTo: p.forwardTo,
      })
      if ('error' in result) return result
      const absence =
        ctx.runtime.state.companies.get(d.principal.companyId)?.agents.get(d.principal.userId)
          ?.absence ?? null
      await ctx.store.setAbsence(d.principal.companyId, d.principal.userId, absence)
      await audit(d, 'absence.set', 'user', d.principal.userId, before, absence)
      return result
    },
  )
  on('presence:clear-absence', keyed, 'presence.own', async (_p, d) => {
    const before = agentOf(d)?.absence ?? null
    const result = engine(d, { type: 'absence.clear' })
    if ('error' in result) return result
    await ctx.store.setAbsence(d.principal.companyId, d.principal.userId, null)
    await audit(d, 'absence.clear', 'user', d.principal.userId, before, null)
    return result
  })
  // Membership state is written by the recorder from the queue log, in order with everything
  // else: the answer waits until it is stored, so an acknowledged change survives a crash.
  const membership = async (
    d: SocketData,
    action: string,
    input: Record<string, unknown> & { type: string },
  ) => {
    const before = membershipsOf(d)
    const result = engine(d, input)
    if ('error' in result) return result
    await ctx.recorded()
    await audit(d, action, 'user', d.principal.userId, before, membershipsOf(d))
    return result
  }
  on('queue:login', keyed.extend({ queueId: id }), 'queue.membership', (p, d) =>
    membership(d, 'queue.login', { type: 'queue.login', queueId: p.queueId }),
  )
  on('queue:logout', keyed.extend({ queueId: id }), 'queue.membership', (p, d) =>
    membership(d, 'queue.logout', { type: 'queue.logout', queueId: p.queueId }),
  )
  on(
    'queue:pause',
    keyed.extend({ queueId: id.nullable(), reason: z.string().trim().min(1).max(200) }),
    'queue.membership',
    (p, d) =>
      membership(d, 'queue.pause', { type: 'queue.pause', queueId: p.queueId, reason: p.reason }),
  )
  on('queue:unpause', keyed.extend({ queueId: id.nullable() }), 'queue.membership', (p, d) =>
    membership(d, 'queue.unpause', { type: 'queue.unpause', queueId: p.queueId }),
  )

  // ── reads ──
  on(
    'directory:search',
    z.strictObject({
      query: z.string().max(100),
      limit: z.number().int().min(1).max(100).optional(),
    }),
    'directory.search',
    (p, d) => {
      const snapshot = ctx.runtime.snapshot(d.principal.companyId)!
      const agents = new Map(snapshot.agents.map((a) => [a.userId, a]))
      return ok(
        searchDirectory(snapshot.users, p.query, p.limit ?? 20).map((user) => ({
          user,
          agent: agents.get(user.id)!,
        })),
      )
    },
  )
  on('log:mine', page, 'log.mine', async (p, d) =>
    ok(
      (await ctx.store.userCallLog(d.principal.companyId, d.principal.userId, pageOf(p))).map(
        userEntry,
      ),
    ),
  )
  on(
    'log:queues',
    page.extend({ queueIds: z.array(id).max(200).optional() }),
    'log.queues',
    async (p, d) => {
      const co = ctx.runtime.state.companies.get(d.principal.companyId)!
      const visible = visibleQueues(d.principal, co.queues.keys())
      const asked = p.queueIds ?? [...visible]
      const denied = asked.filter((q) => !visible.has(q))
      if (denied.length > 0) return fail('NOT_A_MEMBER', `not a member of ${denied.join(', ')}`)
      return ok(
        (await ctx.store.queueCallLog(d.principal.companyId, asked, pageOf(p))).map(queueEntry),
      )
    },
  )
  on('log:switchboard', page, 'log.switchboard', async (p, d) =>
    ok((await ctx.store.allUserCallLogs(d.principal.companyId, pageOf(p))).map(userEntry)),
  )
  on('caller:history', page.extend({ number: phone }), 'caller.history', async (p, d) => {
    const number = normalizeNumber(p.number)
    if (number === null) return fail('INVALID_NUMBER', `"${p.number}" is not a phone number`)
    const co = ctx.runtime.state.companies.get(d.principal.companyId)!
    const visible = visibleQueues(d.principal, co.queues.keys())
    const history = await ctx.store.callerHistory(d.principal.companyId, number, pageOf(p))
    return ok(history.filter((r) => visible.has(r.queueId)).map(queueEntry))
  })
  on('note:list', z.strictObject({ number: phone }), 'notes', async (p, d) => {
    const number = normalizeNumber(p.number)
    if (number === null) return fail('INVALID_NUMBER', `"${p.number}" is not a phone number`)
    return ok((await ctx.store.notesFor(d.principal.companyId, number)).map(noteView))
  })
  on(
    'note:add',
    keyed.extend({ number: phone, text: z.string().trim().min(1).max(2000) }),
    'notes',
    async (p, d) => {
      const number = normalizeNumber(p.number)
      if (number === null) return fail('INVALID_NUMBER', `"${p.number}" is not a phone number`)
      const note = {
        id: randomUUID(),
        companyId: d.principal.companyId,
        number,
        authorId: d.principal.userId,
        text: p.text,
        createdAt: ctx.clock.now(),
      }
      await ctx.store.addNote(note)
      await audit(d, 'note.add', 'note', note.id, null, noteView(note))
      return ok(noteView(note))
    },
  )
  on('note:delete', keyed.extend({ noteId: id }), 'notes', async (p, d) => {
    if (!(await ctx.store.deleteNote(d.principal.companyId, p.noteId)))
      return fail('NOT_FOUND', `no note ${p.noteId}`)
    await audit(d, 'note.delete', 'note', p.noteId, { id: p.noteId }, null)
    return ok(null)
  })
  on(
    'stats:queues',
    z.strictObject({ from: instant, to: instant }),
    'stats.queues',
    async (p, d) => {
      const co = ctx.runtime.state.companies.get(d.principal.companyId)!
      return ok(await queueStatistics(ctx.store, co, p.from, p.to, ctx.clock.now()))
    },
  )
  on('stats:agents', z.strictObject({ from: instant, to: instant }), 'stats', async (p, d) => {
    const co = ctx.runtime.state.companies.get(d.principal.companyId)!
    return ok(await agentStatistics(ctx.store, co, p.from, p.to))
  })

  // ── administration ──
  on('admin:users', empty, 'admin', async (_p, d) =>
    ok(await ctx.admin.listUsers(d.principal.companyId)),
  )
  on(
    'admin:user-save',
    keyed.extend({ user: userInput, password: z.string().max(1000).optional() }),
    'admin',
    async (p, d) => ok(await ctx.admin.saveUser(d.principal, { ...p.user }, p.password)),
  )
  on('admin:user-delete', keyed.extend({ userId: id }), 'admin', async (p, d) => {
    await ctx.admin.deleteUser(d.principal, p.userId)
    return ok(null)
  })
  on('admin:queue-save', keyed.extend({ queue: queueInput }), 'admin', async (p, d) =>
    ok({ queueId: await ctx.admin.saveQueue(d.principal, p.queue) }),
  )
  on('admin:queue-delete', keyed.extend({ queueId: id }), 'admin', async (p, d) => {
    await ctx.admin.deleteQueue(d.principal, p.queueId)
    return ok(null)
  })
  on('admin:vip-set', keyed.extend({ numbers: z.array(phone).max(1000) }), 'vip', async (p, d) => {
    await ctx.admin.setVipNumbers(d.principal, p.numbers)
    return ok(null)
  })
  on(
    'admin:retention-set',
    keyed.extend({
      queueHistoryDays: z.number().int().min(1).max(3650),
      notesDays: z.number().int().min(1).max(3650),
    }),
    'admin',
    async (p, d) => {
      await ctx.admin.setRetention(d.principal, {
        queueHistoryDays: p.queueHistoryDays,
        notesDays: p.notesDays,
      })
      return ok(null)
    },
  )
  on('admin:audit', page, 'audit', async (p, d) =>
    ok(
      (await ctx.store.auditLog(d.principal.companyId, pageOf(p))).map(
        ({ companyId: _c, ...entry }) => entry,
      ),
    ),
  )

  // ── account and session ──
  on(
    'account:change-password',
    keyed.extend({ current: z.string().max(1000), next: z.string().max(1000) }),
    'presence.own',
    async (p, d, s) => {
      const next = await ctx.accounts.changePassword(d.session, p.current, p.next)
      await audit(d, 'password.change', 'user', d.principal.userId, null, null)
      ctx.sessionReplaced(s, next, 'password-changed')
      return ok({ token: next.token, expiresAt: next.record.expiresAt })
    },
  )
  on('session:refresh', empty, 'presence.own', async (_p, d, s) => {
    const next = await ctx.accounts.refresh(d.session)
    s.data.session = next
    return ok({ token: next.token, expiresAt: next.record.expiresAt })
  })
  on('session:logout', empty, 'presence.own', async (_p, d, s) => {
    await ctx.accounts.logout(d.session)
    ctx.sessionReplaced(s, null, 'logout')
    return ok(null)
  })
  on('state:resync', empty, 'log.mine', (_p, _d, s) => ok(ctx.snapshot(s)))

  socket.onAny((event: string, ...args: unknown[]) => {
    if (known.has(event)) return
    const ack = args.at(-1)
    if (typeof ack === 'function')
      (ack as Ack<never>)(fail('UNKNOWN_EVENT', `no such event: ${event.slice(0, 60)}`))
  })

  async function maySeeCall(p: Principal, callId: CallId): Promise<boolean> {
    if (p.role === 'contact') return true
    const live = ctx.runtime.snapshot(p.companyId)?.calls.find((c) => c.id === callId)
    const co = ctx.runtime.state.companies.get(p.companyId)!
    const visible = visibleQueues(p, co.queues.keys())
    if (live) {
      const streams = callStreams(live)
      return streams.has(`user:${p.userId}`) || [...visible].some((q) => streams.has(`queue:${q}`))
    }
    const mine = await ctx.store.userCallLog(p.companyId, p.userId, { limit: 500 })
    if (mine.some((r) => r.callId === callId)) return true
    if (visible.size === 0) return false
    const queued = await ctx.store.queueCallLog(p.companyId, [...visible] as QueueId[], {
      limit: 2000,
    })
    return queued.some((r) => r.callId === callId)
  }
}

function badRequest(error: z.ZodError): Response<never> {
  const issue = error.issues[0]
  return fail(
    'BAD_REQUEST',
    `${issue?.path.join('.') || 'payload'}: ${issue?.message ?? 'invalid'}`,
  )
}

function pageOf(p: z.infer<typeof page>) {
  return {
    limit: p.limit ?? 100,
    ...(p.before !== undefined ? { before: p.before } : {}),
    ...(p.from !== undefined ? { from: p.from } : {}),
    ...(p.to !== undefined ? { to: p.to } : {}),
  }
}

function userEntry({ kind: _kind, companyId: _company, ...r }: StoredUserCallLog): UserLogEntry {
  return { ...r, address: null, calledBackBy: r.calledBackBy, calledBackAt: r.calledBackAt }
}

function queueEntry({ kind: _kind, companyId: _company, ...r }: StoredQueueCallLog): QueueLogEntry {
  return r
}

function noteView(n: {
  id: string
  number: string
  authorId: string
  text: string
  createdAt: number
}): CallerNote {
  return { id: n.id, number: n.number, authorId: n.authorId, text: n.text, createdAt: n.createdAt }
}
