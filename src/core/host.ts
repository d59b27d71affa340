/**
 * Starting and stopping a routing core: the database (migrated), the companies it holds (and
 * the demo company on first start), the engine with what it must remember (absences, queue
 * log-ins and pauses), accounts, the server, simulated traffic, the retention purge.
 * Used by the `sentral-core` command and by tests, with a virtual clock where they need one.
 */
import { randomUUID } from 'node:crypto'
import { mkdirSync, readFileSync } from 'node:fs'
import { createServer, type Server as HttpServer } from 'node:http'
import { createServer as createHttpsServer } from 'node:https'
import { dirname, join } from 'node:path'
import type { Logger } from 'pino'
import { parse } from 'yaml'
import { z } from 'zod'
import type { CompanyId } from '../shared/ids'
import { functionAccess, type FunctionAccess, type Role } from '../shared/model'
import {
  AccountService,
  defaultSessionPolicy,
  type SessionPolicy,
} from './accounts/account-service'
import { hashPassword } from './accounts/credentials'
import { ConfigError, formatPath, loadCompanyFile } from './config/company-file'
import { loadTrafficFile } from './config/traffic-file'
import type { CompanyConfig } from './domain/config'
import { openDatabase } from './persistence/database'
import { storeWriter } from './persistence/recorded-step'
import { startWorkerWriter } from './persistence/worker-writer'
import { importCompany, SqlStore, type ImportAccount } from './persistence/sql-store'
import { startActivityLog } from './runtime/activity-log'
import { SystemClock, type Clock } from './runtime/clock'
import { CoreRuntime } from './runtime/core-runtime'
import { StaticUi } from './server/static-ui'
import { createApplication, type Application } from './server/create-application'
import { SimNetwork } from './telephony/sim/sim-network'
import { RoutedAdapter } from './telephony/routed-adapter'
import { loadSipFile, type CompanySip } from './config/sip-file'
import { startSip, type SipHandle, type SipOptions } from './telephony/sip/sip-stack'
import type { TrafficProfile } from './telephony/sim/traffic'

export interface CoreOptions {
  /** `postgres://…` for PostgreSQL; otherwise SQLite in `dataDir`. */
  databaseUrl?: string
  /** A store opened by the caller (tests: a PostgreSQL schema of their own). Closed at stop. */
  store?: SqlStore
  dataDir: string
  host: string
  port: number
  logger: Logger
  version: string
  clock?: Clock
  seed?: number
  sessionPolicy?: SessionPolicy
  /** Company files to import when the database does not have them yet. */
  companyFiles?: { company: string; accounts?: string; traffic?: string }[]
  /** Simulated traffic for companies already in the database, by company id. */
  traffic?: Map<CompanyId, TrafficProfile>
  /** How often the retention purge runs (it also runs at start). */
  purgeEveryMs?: number
  /** How often merged changes go out to clients (see createApplication). */
  deltaIntervalMs?: number
  /** How long a dropped client may come back and get what it missed (default 2 minutes). */
  recoveryMs?: number
  /** Serve HTTPS and WSS with this certificate and key (PEM) instead of plain HTTP. */
  tls?: { cert: string; key: string }
  /** The built interface (out/renderer) to serve at `/`; the API runs without it. */
  uiDir?: string
  /**
   * SIP on this address (UDP and TCP, port 0 picks one), for the companies in `file` or
   * `companies` (their phones and trunks). Without it every call is simulated.
   */
  sip?: Omit<SipOptions, 'companies' | 'configOf' | 'remoteLegOf' | 'clock' | 'logger'> & {
    file?: string
    companies?: CompanySip[]
  }
}

export interface CoreHandle {
  url: string
  runtime: CoreRuntime
  store: SqlStore
  app: Application
  accounts: AccountService
  http: HttpServer
  /** The simulated networks, by company (scripted calls for training and tests). */
  simulations: Map<CompanyId, SimNetwork>
  /** The SIP stack when started with `sip`. */
  sip: SipHandle | null
  stop(): Promise<void>
}

const accountsFileSchema = z.strictObject({
  password: z.string().min(12),
  contacts: z.array(z.string()).default([]),
  functions: z.strictObject({
    contact: z.array(z.enum(functionAccess)),
    operator: z.array(z.enum(functionAccess)),
    user: z.array(z.enum(functionAccess)),
  }),
})

/** Accounts for a company file: contacts as listed, queue members operators, the rest users. */
export function accountsFor(config: CompanyConfig, file: z.infer<typeof accountsFileSchema>) {
  const members = new Set(config.queues.flatMap((q) => q.members.map((m) => m.userId)))
  return config.users.map((u) => {
    const role: Role = file.contacts.includes(u.id)
      ? 'contact'
      : members.has(u.id)
        ? 'operator'
        : 'user'
    const functions: FunctionAccess[] = file.functions[role]
    return { userId: u.id, username: u.id, role, functions }
  })
}

export function readAccountsFile(path: string) {
  let source: unknown
  try {
    source = parse(readFileSync(path, 'utf8'))
  } catch (error) {
    throw new ConfigError(
      path,
      [
        {
          path: '',
          message: error instanceof Error ? error.message.split('\n')[0]! : String(error),
        },
      ],
      [],
      'accounts file',
    )
  }
  const parsed = accountsFileSchema.safeParse(source)
  if (!parsed.success) {
    throw new ConfigError(
      path,
      parsed.error.issues.map((issue) => ({
        path: formatPath(issue.path.map((k) => (typeof k === 'symbol' ? String(k) : k))),
        message: issue.message,
      })),
      [],
      'accounts file',
    )
  }
  return parsed.data
}

export async function startCore(options: CoreOptions): Promise<CoreHandle> {
  const clock = options.clock ?? new SystemClock()
  const logger = options.logger
  let store = options.store
  const ownsStore = !store
  /** The SQLite file when the core opened one itself: its writes go to the record worker. */
  let file: string | undefined
  if (!store) {
    if (!options.databaseUrl) {
      file = join(options.dataDir, 'sentral.sqlite')
      mkdirSync(dirname(file), { recursive: true })
    }
    store = new SqlStore(
      openDatabase(options.databaseUrl ? { url: options.databaseUrl } : { file: file! }),
    )
  }
  await store.migrate()

  const traffic = new Map(options.traffic ?? [])
  for (const files of options.companyFiles ?? []) {
    const config = await loadCompanyFile(files.company)
    const known = (await store.listCompanies()).some((c) => c.id === config.id)
    if (!known) {
      const accountsFile = files.accounts ? readAccountsFile(files.accounts) : null
      const accounts = accountsFile
        ? accountsFor(config, accountsFile)
        : config.users.map((u): ImportAccount => ({
            userId: u.id,
            username: u.id,
            role: 'user',
            functions: [],
          }))
      await importCompany(store, config, accounts)
      if (accountsFile) {
        const hash = await hashPassword(accountsFile.password)
        for (const account of accounts) await store.setPassword(account.userId, hash, clock.now())
      }
      logger.info(
        { company: config.id, users: config.users.length, queues: config.queues.length },
        'imported company',
      )
    }
    if (files.traffic)
      traffic.set(
        config.id,
        await loadTrafficFile(files.traffic, (await store.loadCompanyConfig(config.id)) ?? config),
      )
  }

  const configs: CompanyConfig[] = []
  for (const settings of await store.listCompanies()) {
    const config = await store.loadCompanyConfig(settings.id)
    if (config) configs.push(config)
  }
  const runtime = new CoreRuntime({
    clock,
    companies: configs,
    newId: () => randomUUID(),
    // Ended calls' trails are in the store (written within milliseconds); memory only bridges
    // that gap. Ten thousand expanded trails were 25 MB of heap under SIP load.
    trailsKept: 1_000,
    ...(options.seed !== undefined ? { seed: options.seed } : {}),
    onInternalError: (error, input) =>
      logger.error({ err: error, input: input.type }, 'engine error: input dropped'),
  })
  await restorePresence(store, runtime, configs, clock)

  const accounts = new AccountService(store, clock, options.sessionPolicy ?? defaultSessionPolicy)
  const ui = options.uiDir ? new StaticUi(options.uiDir) : null
  if (ui && !(await ui.available()))
    logger.warn(
      { uiDir: options.uiDir },
      'the interface is not built (npm run build:ui): the API runs, / answers 404',
    )
  const http: HttpServer = options.tls
    ? createHttpsServer({ cert: options.tls.cert, key: options.tls.key, minVersion: 'TLSv1.2' })
    : createServer()
  const app = createApplication(http, {
    runtime,
    store,
    ...(file !== undefined
      ? { recordWriter: startWorkerWriter({ file, fallback: storeWriter(store), logger }) }
      : {}),
    accounts,
    clock,
    logger,
    version: options.version,
    ...(options.deltaIntervalMs !== undefined ? { deltaIntervalMs: options.deltaIntervalMs } : {}),
    ...(options.recoveryMs !== undefined ? { recoveryMs: options.recoveryMs } : {}),
    ...(ui ? { ui } : {}),
  })
  const stopActivity = startActivityLog(runtime, configs, logger, clock)
  const simulations = new Map<CompanyId, SimNetwork>()
  let sip: SipHandle | null = null
  if (options.sip) {
    const companies =
      options.sip.companies ??
      (options.sip.file ? await loadSipFile(options.sip.file, configs) : [])
    sip = await startSip({
      ...options.sip,
      companies,
      clock,
      logger,
      configOf: (companyId) => runtime.state.companies.get(companyId)?.config,
      remoteLegOf: (companyId, callId) =>
        runtime.state.companies.get(companyId)?.calls.get(callId)?.remoteLegId,
    })
    app.addMetrics(() => sip?.metrics() ?? '')
    logger.info(
      {
        address: `${options.sip.host}:${sip.port}`,
        ...(sip.tlsPort ? { tls: `${options.sip.host}:${sip.tlsPort}` } : {}),
        companies: companies.map((c) => c.companyId),
      },
      sip.tlsPort ? 'sip listening (udp, tcp and tls)' : 'sip listening (udp and tcp)',
    )
  }
  for (const config of configs) {
    const profile = traffic.get(config.id)
    const sipAdapter = sip?.adapterFor(config.id) ?? null
    if (!profile) {
      if (sipAdapter) runtime.attach(config.id, sipAdapter)
      continue
    }
    const sim = new SimNetwork({
      companyId: config.id,
      config,
      profile,
      clock,
      // Whoever has the app open answers their own calls; the network plays everyone else.
      attended: (userId) => app.isOnline(userId),
    })
    simulations.set(config.id, sim)
    runtime.attach(config.id, sipAdapter ? new RoutedAdapter(sipAdapter, sim) : sim)
  }

  const purge = async () => {
    for (const config of configs) {
      const result = await store.purge(config.id, clock.now())
      const total =
        result.userLogs +
        result.queueLogs +
        result.queueEvents +
        result.notes +
        result.trails +
        result.sessions
      if (total > 0) logger.info({ company: config.id, ...result }, 'retention purge')
    }
  }
  await purge()
  const everyMs = options.purgeEveryMs ?? 3_600_000
  let purgeTimer = clock.setTimer(clock.now() + everyMs, function again() {
    purge().catch((error: unknown) => logger.error({ err: error }, 'retention purge failed'))
    purgeTimer = clock.setTimer(clock.now() + everyMs, again)
  })

  await new Promise<void>((resolve, reject) => {
    http.once('error', reject)
    http.listen(options.port, options.host, resolve)
  })
  const address = http.address()
  const port = typeof address === 'object' && address ? address.port : options.port
  const url = `${options.tls ? 'https' : 'http'}://${options.host}:${port}`

  return {
    url,
    runtime,
    store,
    app,
    accounts,
    http,
    simulations,
    sip,
    stop: async () => {
      clock.clearTimer(purgeTimer)
      stopActivity()
      runtime.stop()
      await sip?.close()
      await app.close()
      if (ownsStore) await store.close()
    },
  }
}

/** Absences and queue log-ins/pauses are part of what a restart must not forget. */
async function restorePresence(
  store: SqlStore,
  runtime: CoreRuntime,
  configs: CompanyConfig[],
  clock: Clock,
): Promise<void> {
  for (const config of configs) {
    const companyId = config.id
    for (const { userId, absence } of await store.listAbsences(companyId)) {
      if (absence.until !== null && absence.until <= clock.now()) {
        await store.setAbsence(companyId, userId, null)
        continue
      }
      runtime.dispatch({
        type: 'absence.set',
        companyId,
        userId,
        reason: absence.reason,
        note: absence.note,
        until: absence.until,
        forwardTo: absence.forwardTo,
        since: absence.since,
      })
    }
    for (const m of await store.listMemberships(companyId)) {
      if (!m.loggedIn)
        runtime.dispatch({ type: 'queue.logout', companyId, userId: m.userId, queueId: m.queueId })
      else
        runtime.dispatch({ type: 'queue.login', companyId, userId: m.userId, queueId: m.queueId })
      if (m.paused)
        runtime.dispatch({
          type: 'queue.pause',
          companyId,
          userId: m.userId,
          queueId: m.queueId,
          reason: m.paused.reason,
          since: m.paused.since,
        })
    }
  }
}
