/**
 * Administration by the contact person: users (directory entry, role, rights, blocking,
 * password), queues, the VIP list and retention. The store is the source of truth: a change
 * is validated, written with its audit entry in one transaction, and then the engine is given
 * the company's configuration as stored, so the engine and the database never disagree.
 */
import { randomUUID } from 'node:crypto'
import type { CompanyId, QueueId, UserId } from '../../shared/ids'
import type { ApiErrorCode } from '../../shared/errors'
import { normalizeNumber } from '../../shared/phone'
import type { QueueInput, RetentionSettings, UserAdminView, UserInput } from '../../shared/protocol'
import { AccountError, type AccountService } from '../accounts/account-service'
import { validateCompanyConfig } from '../domain/company'
import { queueDefaults, type CompanyConfig, type QueueConfig } from '../domain/config'
import type { Store, UserRecord } from '../persistence/store'
import type { Clock } from '../runtime/clock'
import type { CoreRuntime } from '../runtime/core-runtime'
import type { Principal } from './rights'

export class AdminError extends Error {
  constructor(
    readonly code: ApiErrorCode,
    message: string,
    options?: { cause: unknown },
  ) {
    super(message, options)
    this.name = 'AdminError'
  }
}

export interface AdminHooks {
  /** A user's rights, queues or existence changed: their live sessions must follow at once. */
  usersChanged(companyId: CompanyId, userIds: UserId[], removed: boolean): void
}

export class AdminService {
  private readonly queue = new Map<CompanyId, Promise<unknown>>()

  constructor(
    private readonly store: Store,
    private readonly runtime: CoreRuntime,
    private readonly accounts: AccountService,
    private readonly clock: Clock,
    private readonly hooks: AdminHooks,
  ) {}

  async listUsers(companyId: CompanyId): Promise<UserAdminView[]> {
    return (await this.store.listUsers(companyId)).map(adminView)
  }

  async saveUser(
    actor: Principal,
    input: UserInput,
    password: string | undefined,
  ): Promise<UserAdminView> {
    const companyId = actor.companyId
    const id = input.id ?? randomUUID()
    const before = input.id ? await this.store.getUser(companyId, input.id) : null
    if (input.id && !before) throw new AdminError('UNKNOWN_USER', `no user ${input.id}`)
    if (before && before.id === actor.userId && (input.blocked || input.role !== 'contact')) {
      throw new AdminError('INVALID_ARGUMENT', 'a contact person cannot block or demote themselves')
    }
    const record: UserRecord = {
      id,
      companyId,
      username: input.username.trim().toLowerCase(),
      firstName: input.firstName.trim(),
      lastName: input.lastName.trim(),
      extension: number(input.extension, 'extension'),
      mobile: optionalNumber(input.mobile, 'mobile'),
      direct: optionalNumber(input.direct, 'direct'),
      department: input.department.trim(),
      role: input.role,
      functions: [...new Set(input.functions)],
      blocked: input.blocked,
      presentableNumbers: input.presentableNumbers.map((n) => number(n, 'presentableNumbers')),
      forwardOnBusy: optionalNumber(input.forwardOnBusy, 'forwardOnBusy'),
      forwardOnNoAnswer: input.forwardOnNoAnswer
        ? {
            to: number(input.forwardOnNoAnswer.to, 'forwardOnNoAnswer.to'),
            afterSeconds: input.forwardOnNoAnswer.afterSeconds,
          }
        : null,
      extraTerminal: optionalNumber(input.extraTerminal, 'extraTerminal'),
    }
    await this.change(
      companyId,
      (config) => {
        const users = config.users.filter((u) => u.id !== id)
        users.push(record)
        return { ...config, users }
      },
      async (tx) => {
        try {
          await tx.saveUser(record)
        } catch (error) {
          throw new AdminError(
            'CONFLICT',
            `username ${record.username} or one of the numbers is taken`,
            { cause: error },
          )
        }
        if (password !== undefined) {
          try {
            await this.accounts.setPassword(id, password, tx)
          } catch (error) {
            if (error instanceof AccountError) throw new AdminError('WEAK_PASSWORD', error.message)
            throw error
          }
        }
        await this.audit(
          tx,
          actor,
          before ? 'user.update' : 'user.create',
          'user',
          id,
          before ? adminView(before) : null,
          adminView(record),
        )
      },
    )
    if (record.blocked || password !== undefined) await this.accounts.endSessionsOf(id)
    this.hooks.usersChanged(companyId, [id], false)
    return adminView(record)
  }

  async deleteUser(actor: Principal, userId: UserId): Promise<void> {
    const companyId = actor.companyId
    if (userId === actor.userId)
      throw new AdminError('INVALID_ARGUMENT', 'a contact person cannot delete themselves')
    const before = await this.store.getUser(companyId, userId)
    if (!before) throw new AdminError('UNKNOWN_USER', `no user ${userId}`)
    await this.change(
      companyId,
      (config) => ({
        ...config,
        users: config.users.filter((u) => u.id !== userId),
        queues: config.queues.map((q) => ({
          ...q,
          members: q.members.filter((m) => m.userId !== userId),
        })),
      }),
      async (tx) => {
        await tx.deleteUser(companyId, userId)
        await this.audit(tx, actor, 'user.delete', 'user', userId, adminView(before), null)
      },
    )
    this.hooks.usersChanged(companyId, [userId], true)
  }

  async saveQueue(actor: Principal, input: QueueInput): Promise<QueueId> {
    const companyId = actor.companyId
    const id = input.id ?? randomUUID()
    const current = (await this.store.listQueues(companyId)).find((q) => q.id === id) ?? null
    if (input.id && !current) throw new AdminError('UNKNOWN_QUEUE', `no queue ${input.id}`)
    const queue: QueueConfig = {
      ...queueDefaults,
      ...(current ?? {}),
      id,
      name: input.name.trim(),
      numbers: input.numbers.map((n) => number(n, 'numbers')),
      strategy: input.strategy,
      members: input.members.map((m) => ({
        userId: m.userId,
        penalty: m.penalty,
        loggedIn: current?.members.find((c) => c.userId === m.userId)?.loggedIn ?? true,
      })),
      ringTimeoutSeconds: input.ringTimeoutSeconds,
      retryDelaySeconds: input.retryDelaySeconds,
      wrapUpSeconds: input.wrapUpSeconds,
      autoPauseAfter: input.autoPauseAfter,
      maxWaitSeconds: input.maxWaitSeconds,
      maxLength: input.maxLength,
      overflow: input.overflow,
      joinEmpty: input.joinEmpty,
      leaveWhenEmpty: input.leaveWhenEmpty,
      serviceLevelSeconds: input.serviceLevelSeconds,
      progressiveStepSeconds: input.progressiveStepSeconds,
    }
    const affected = new Set([...(current?.members ?? []), ...queue.members].map((m) => m.userId))
    await this.change(
      companyId,
      (config) => {
        const queues = config.queues.filter((q) => q.id !== id)
        queues.push(queue)
        return { ...config, queues }
      },
      async (tx) => {
        try {
          await tx.saveQueue(companyId, queue)
        } catch (error) {
          throw new AdminError('CONFLICT', 'one of the numbers is taken', { cause: error })
        }
        await this.audit(
          tx,
          actor,
          current ? 'queue.update' : 'queue.create',
          'queue',
          id,
          current,
          queue,
        )
      },
    )
    this.hooks.usersChanged(companyId, [...affected], false)
    return id
  }

  async deleteQueue(actor: Principal, queueId: QueueId): Promise<void> {
    const companyId = actor.companyId
    const current = (await this.store.listQueues(companyId)).find((q) => q.id === queueId)
    if (!current) throw new AdminError('UNKNOWN_QUEUE', `no queue ${queueId}`)
    await this.change(
      companyId,
      (config) => ({
        ...config,
        queues: config.queues
          .filter((q) => q.id !== queueId)
          .map((q) =>
            q.overflow?.kind === 'queue' && q.overflow.queueId === queueId
              ? { ...q, overflow: null }
              : q,
          ),
      }),
      async (tx) => {
        for (const q of await tx.listQueues(companyId)) {
          if (q.overflow?.kind === 'queue' && q.overflow.queueId === queueId)
            await tx.saveQueue(companyId, { ...q, overflow: null })
        }
        await tx.deleteQueue(companyId, queueId)
        await this.audit(tx, actor, 'queue.delete', 'queue', queueId, current, null)
      },
    )
    this.hooks.usersChanged(
      companyId,
      current.members.map((m) => m.userId),
      false,
    )
  }

  async setVipNumbers(actor: Principal, numbers: string[]): Promise<void> {
    const companyId = actor.companyId
    const normalised = [...new Set(numbers.map((n) => number(n, 'numbers')))]
    const before = (await this.store.loadCompanyConfig(companyId))?.vipNumbers ?? []
    await this.change(
      companyId,
      (config) => ({ ...config, vipNumbers: normalised }),
      async (tx) => {
        await tx.setVipNumbers(companyId, normalised)
        await this.audit(tx, actor, 'vip.set', 'company', companyId, before, normalised)
      },
    )
  }

  async setRetention(actor: Principal, settings: RetentionSettings): Promise<void> {
    const companyId = actor.companyId
    const before = await this.store.getRetention(companyId)
    const after = {
      ...before,
      queueHistoryDays: settings.queueHistoryDays,
      notesDays: settings.notesDays,
    }
    await this.store.transaction(async (tx) => {
      await tx.setRetention(companyId, after)
      await this.audit(tx, actor, 'retention.set', 'company', companyId, before, after)
    })
  }

  /**
   * Validate the configuration the change would give, write the change, then hand the engine
   * the configuration as stored.
   */
  private change(
    companyId: CompanyId,
    apply: (config: CompanyConfig) => CompanyConfig,
    write: (tx: Store) => Promise<void>,
  ): Promise<void> {
    // One change at a time per company: each starts from what the previous one stored.
    const run = (this.queue.get(companyId) ?? Promise.resolve()).then(() =>
      this.changeNow(companyId, apply, write),
    )
    this.queue.set(
      companyId,
      run.catch(() => undefined),
    )
    return run
  }

  private async changeNow(
    companyId: CompanyId,
    apply: (config: CompanyConfig) => CompanyConfig,
    write: (tx: Store) => Promise<void>,
  ): Promise<void> {
    const current = await this.store.loadCompanyConfig(companyId)
    if (!current) throw new AdminError('UNKNOWN_COMPANY', `no company ${companyId}`)
    const problem = validateCompanyConfig(apply(current))
    if (problem)
      throw new AdminError(
        problem.code === 'INVALID_ARGUMENT' ? 'CONFLICT' : problem.code,
        problem.message,
      )
    await this.store.transaction(write)
    const stored = await this.store.loadCompanyConfig(companyId)
    if (!stored) throw new AdminError('UNKNOWN_COMPANY', `no company ${companyId}`)
    const error = this.runtime.dispatch({ type: 'company.configure', companyId, config: stored })
    if (error) throw new AdminError(error.code, error.message)
  }

  private audit(
    tx: Store,
    actor: Principal,
    action: string,
    entity: string,
    entityId: string,
    before: unknown,
    after: unknown,
  ): Promise<void> {
    return tx.appendAudit({
      id: randomUUID(),
      companyId: actor.companyId,
      actorId: actor.userId,
      action,
      entity,
      entityId,
      before,
      after,
      at: this.clock.now(),
    })
  }
}

function number(raw: string, field: string): string {
  const n = normalizeNumber(raw)
  if (n === null) throw new AdminError('INVALID_NUMBER', `${field}: "${raw}" is not a phone number`)
  return n
}

function optionalNumber(raw: string | null, field: string): string | null {
  return raw === null || raw.trim() === '' ? null : number(raw, field)
}

function adminView(user: UserRecord): UserAdminView {
  return {
    id: user.id,
    username: user.username,
    firstName: user.firstName,
    lastName: user.lastName,
    extension: user.extension,
    mobile: user.mobile,
    direct: user.direct,
    department: user.department,
    role: user.role,
    functions: user.functions,
    blocked: user.blocked,
    presentableNumbers: user.presentableNumbers,
    forwardOnBusy: user.forwardOnBusy,
    forwardOnNoAnswer: user.forwardOnNoAnswer,
    extraTerminal: user.extraTerminal,
  }
}
