/**
 * sentral-core: the headless routing core.
 *
 *   sentral-core demo    the demo company (imported on first start) with simulated traffic
 *   sentral-core run     the companies in the database; --company imports a file on first start
 *   sentral-core check   validate configuration files and exit
 *   sentral-core admin create   create a contact person (the first start of a real company)
 *
 * A configuration file that cannot be used stops the start with exit code 2 and a message
 * naming the file, the field and what was expected. SIGTERM and SIGINT shut down cleanly.
 */
import { readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { createInterface } from 'node:readline/promises'
import { parseArgs } from 'node:util'
import pino, { type Logger } from 'pino'
import pretty from 'pino-pretty'
import { AccountError, AccountService } from './accounts/account-service'
import { describePasswordProblem, passwordProblem } from './accounts/password-policy'
import { ConfigError, loadCompanyFile } from './config/company-file'
import { loadSipFile } from './config/sip-file'
import { loadTrafficFile } from './config/traffic-file'
import { readAccountsFile, startCore, type CoreHandle } from './host'
import { openDatabase } from './persistence/database'
import { SqlStore } from './persistence/sql-store'
import { SystemClock } from './runtime/clock'
import { normalizeNumber } from '../shared/phone'
import { functionAccess } from '../shared/model'

const version = '0.1.0'
const usage = `Usage:
  sentral-core demo  [options]                 the demo company with simulated traffic
  sentral-core run   [--company <file> [--accounts <file>] [--traffic <file>]] [options]
  sentral-core check --company <file> [--traffic <file>] [--accounts <file>] [--sip-config <file>]
  sentral-core admin create --company <id> --username <name> --first <name> --last <name>
                     --extension <n> [--user <existing user id>]
                     (the password is read from SENTRAL_ADMIN_PASSWORD or asked for)

Options:
  --port <n>          HTTP and Socket.IO port (default 5170; 0 picks a free one)
  --host <address>    address to listen on (default 127.0.0.1)
  --database <url>    postgres://… for PostgreSQL (or DATABASE_URL); default SQLite in --data-dir
  --data-dir <dir>    where the embedded database lives (default .data, or .data/demo for demo)
  --ui <dir>          the built interface to serve at / (default out/renderer beside the core)
  --seed <n>          seed for the simulated traffic and the random strategy
  --log-level <level> trace, debug, info, warn, error (default info)
    --json-logs         structured JSON logs instead of readable lines
  --tls-cert <file>   serve HTTPS and WSS with this certificate (PEM) …
    --tls-key <file>    … and this private key (PEM)
  --sip               take calls over SIP as well (UDP and TCP, and TLS on the next port with
                      --tls-cert; demo: resources/demo/sip.yaml)
    --sip-listen <host:port>  where SIP listens (default 127.0.0.1:5060)
    --sip-config <file>       the companies' phones and trunks (see src/core/config/sip-file.ts)
  --session-idle-minutes <n>  a session ends after this long with no client connected (30)
  --session-hours <n>         a session ends this long after login or refresh (12)
`

class UsageError extends Error {}

type Command = 'demo' | 'run' | 'check' | 'admin' | 'help'

function parseOptions(argv: string[]) {
  let parsed
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        company: { type: 'string' },
        accounts: { type: 'string' },
        traffic: { type: 'string' },
        port: { type: 'string' },
        host: { type: 'string' },
        database: { type: 'string' },
        'data-dir': { type: 'string' },
        ui: { type: 'string' },
        seed: { type: 'string' },
        'log-level': { type: 'string' },
        'json-logs': { type: 'boolean' },
        username: { type: 'string' },
        first: { type: 'string' },
        last: { type: 'string' },
        extension: { type: 'string' },
        user: { type: 'string' },
        'tls-cert': { type: 'string' },
        'session-idle-minutes': { type: 'string' },
        'session-hours': { type: 'string' },
        'tls-key': { type: 'string' },
        sip: { type: 'boolean' },
        'sip-listen': { type: 'string' },
        'sip-config': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    })
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error))
  }
  const { values, positionals } = parsed
  const command = (values.help ? 'help' : (positionals[0] ?? 'help')) as Command
  if (!['demo', 'run', 'check', 'admin', 'help'].includes(command))
    throw new UsageError(`unknown command "${command}"`)
  if (command === 'admin' && positionals[1] !== 'create')
    throw new UsageError('the admin command is "admin create"')
  if (positionals.length > (command === 'admin' ? 2 : 1))
    throw new UsageError(`unexpected argument "${positionals.at(-1)}"`)
  const integer = (
    name: string,
    raw: string | undefined,
    min: number,
    max: number,
  ): number | null => {
    if (raw === undefined) return null
    const n = Number(raw)
    if (!Number.isInteger(n) || n < min || n > max)
      throw new UsageError(`--${name} expects a whole number from ${min} to ${max}, got "${raw}"`)
    return n
  }
  const logLevel = values['log-level'] ?? 'info'
  if (!['trace', 'debug', 'info', 'warn', 'error', 'silent'].includes(logLevel))
    throw new UsageError(`--log-level expects trace, debug, info, warn or error, got "${logLevel}"`)
  if (command === 'check' && !values.company) throw new UsageError('check needs --company <file>')
  if (Boolean(values['tls-cert']) !== Boolean(values['tls-key']))
    throw new UsageError('--tls-cert and --tls-key go together')
  const sipWanted = Boolean(values.sip) || Boolean(values['sip-config'])
  if (sipWanted && command === 'run' && !values['sip-config'])
    throw new UsageError('--sip needs --sip-config <file> (the phones and trunks)')
  let sipListen: { host: string; port: number } | null = null
  if (sipWanted) {
    const m = /^(.+):(\d{1,5})$/.exec(values['sip-listen'] ?? '127.0.0.1:5060')
    const port = m ? Number(m[2]) : NaN
    if (!m || port > 65535)
      throw new UsageError(`--sip-listen expects host:port, got "${values['sip-listen']}"`)
    sipListen = { host: m[1]!, port }
  }
  if (command === 'admin') {
    for (const field of ['company', 'username', 'first', 'last', 'extension'] as const) {
      if (!values[field]) throw new UsageError(`admin create needs --${field}`)
    }
  }
  return {
    command,
    values,
    port: integer('port', values.port, 0, 65535) ?? 5170,
    host: values.host ?? '127.0.0.1',
    seed: integer('seed', values.seed, 0, 2 ** 31 - 1),
    sessionPolicy: {
      idleMs:
        (integer('session-idle-minutes', values['session-idle-minutes'], 1, 24 * 60) ?? 30) *
        60_000,
      absoluteMs: (integer('session-hours', values['session-hours'], 1, 24 * 30) ?? 12) * 3_600_000,
    },
    logLevel,
    sip: sipListen,
    databaseUrl: values.database ?? process.env.DATABASE_URL,
    dataDir: resolve(values['data-dir'] ?? (command === 'demo' ? join('.data', 'demo') : '.data')),
    // out/core/cli.js serves out/renderer, the interface built beside it.
    uiDir: resolve(values.ui ?? join(__dirname, '..', 'renderer')),
  }
}

type Options = ReturnType<typeof parseOptions>

/** resources/ sits beside out/ in the package; SENTRAL_RESOURCES overrides it (the desktop app). */
function resourcesDir(): string {
  return process.env.SENTRAL_RESOURCES ?? join(__dirname, '..', '..', 'resources')
}

function createLogger(options: Options): Logger {
  const base = {
    level: options.logLevel,
    base: { service: 'sentral-core' },
    redact: { paths: ['password', '*.password', 'token', '*.token'], censor: '[redacted]' },
  }
  if (options.values['json-logs']) return pino(base)
  return pino(
    base,
    pretty({
      colorize: process.stdout.isTTY,
      translateTime: 'HH:MM:ss',
      ignore: 'pid,hostname,service',
    }),
  )
}

async function check(options: Options): Promise<number> {
  const company = await loadCompanyFile(options.values.company!)
  if (options.values.traffic) await loadTrafficFile(options.values.traffic, company)
  if (options.values.accounts) readAccountsFile(options.values.accounts)
  if (options.values['sip-config']) await loadSipFile(options.values['sip-config'], [company])
  process.stdout.write(
    `${company.name}: ${company.users.length} users, ${company.queues.length} queues — configuration is valid\n`,
  )
  return 0
}

async function adminCreate(options: Options): Promise<number> {
  const v = options.values
  const store = new SqlStore(
    openDatabase(
      options.databaseUrl
        ? { url: options.databaseUrl }
        : { file: join(options.dataDir, 'sentral.sqlite') },
    ),
  )
  await store.migrate()
  try {
    const companyId = v.company!
    const config = await store.loadCompanyConfig(companyId)
    if (!config) {
      process.stderr.write(
        `sentral-core: no company "${companyId}" in the database; start it once with --company <file>\n`,
      )
      return 2
    }
    const extension = normalizeNumber(v.extension!)
    if (extension === null) throw new UsageError(`--extension: "${v.extension}" is not a number`)
    const password =
      process.env.SENTRAL_ADMIN_PASSWORD ??
      (await ask('Password for the contact person (12 characters or more): '))
    const problem = passwordProblem(password)
    if (problem) throw new AccountError('WEAK_PASSWORD', describePasswordProblem(problem))
    const existing = v.user ? await store.getUser(companyId, v.user) : null
    if (v.user && !existing) throw new UsageError(`--user: no user "${v.user}" in ${companyId}`)
    const userId = existing?.id ?? v.username!.toLowerCase()
    await store.saveUser({
      ...(existing ?? {
        id: userId,
        mobile: null,
        direct: null,
        department: '',
        presentableNumbers: [],
        forwardOnBusy: null,
        forwardOnNoAnswer: null,
        extraTerminal: null,
      }),
      companyId,
      username: v.username!.toLowerCase(),
      firstName: v.first!,
      lastName: v.last!,
      extension,
      role: 'contact',
      functions: [...functionAccess],
      blocked: false,
    })
    await new AccountService(store, new SystemClock()).setPassword(userId, password)
    process.stdout.write(`contact person ${v.username} created in ${config.name}\n`)
    return 0
  } catch (error) {
    if (error instanceof AccountError) {
      process.stderr.write(`sentral-core: ${error.message}\n`)
      return 2
    }
    throw error
  } finally {
    await store.close()
  }
}

async function ask(question: string): Promise<string> {
  const rl = createInterface({ input: process.stdin, output: process.stdout })
  try {
    return (await rl.question(question)).trim()
  } finally {
    rl.close()
  }
}

async function serve(options: Options): Promise<void> {
  const logger = createLogger(options)
  const demo = options.command === 'demo'
  const v = options.values
  const files = demo
    ? [
        {
          company: join(resourcesDir(), 'demo', 'company.yaml'),
          accounts: join(resourcesDir(), 'demo', 'accounts.yaml'),
          traffic: join(resourcesDir(), 'demo', 'traffic.yaml'),
        },
      ]
    : v.company
      ? [
          {
            company: v.company,
            ...(v.accounts ? { accounts: v.accounts } : {}),
            ...(v.traffic ? { traffic: v.traffic } : {}),
          },
        ]
      : []
  const core: CoreHandle = await startCore({
    ...(options.databaseUrl ? { databaseUrl: options.databaseUrl } : {}),
    dataDir: options.dataDir,
    uiDir: options.uiDir,
    host: options.host,
    port: options.port,
    logger,
    version,
    ...(options.seed !== null ? { seed: options.seed } : {}),
    companyFiles: files,
    sessionPolicy: options.sessionPolicy,
    ...(options.sip
      ? {
          sip: {
            ...options.sip,
            file: v['sip-config'] ?? join(resourcesDir(), 'demo', 'sip.yaml'),
            // With a certificate, SIP over TLS listens on the next port (5061 beside 5060).
            ...(v['tls-cert'] && v['tls-key']
              ? {
                  tls: {
                    cert: readFileSync(v['tls-cert'], 'utf8'),
                    key: readFileSync(v['tls-key'], 'utf8'),
                    port: options.sip.port === 0 ? 0 : options.sip.port + 1,
                  },
                }
              : {}),
          },
        }
      : {}),
    ...(v['tls-cert'] && v['tls-key']
      ? {
          tls: {
            cert: readFileSync(v['tls-cert'], 'utf8'),
            key: readFileSync(v['tls-key'], 'utf8'),
          },
        }
      : {}),
  })
  // Handlers first: whoever reads the "listening" line may signal at once.
  let stopping = false
  const shutdown = (signal: string) => {
    if (stopping) return
    stopping = true
    logger.info({ signal }, 'shutting down')
    const force = setTimeout(() => process.exit(1), 5000)
    force.unref()
    core
      .stop()
      .then(() => {
        logger.info('stopped')
        logger.flush()
        process.exit(0)
      })
      .catch((error: unknown) => {
        logger.error({ err: error }, 'unclean shutdown')
        process.exit(1)
      })
  }
  process.on('SIGTERM', () => shutdown('SIGTERM'))
  process.on('SIGINT', () => shutdown('SIGINT'))
  logger.info(
    {
      url: core.url,
      companies: core.runtime.state.companies.size,
      database: options.databaseUrl ? 'postgres' : 'sqlite',
    },
    `Sentral core ${version} listening on ${core.url}`,
  )
  if (demo && core.sip)
    logger.info(
      `demo phones: register extensions 201–230 to ${options.sip?.host}:${core.sip.port} (domain demo.sentral.local), password Nordlys-sip-2026; the trunk is 127.0.0.1`,
    )
  if (demo)
    logger.info(
      'demo accounts: kari.nordmann (operator), eirik.fjeld (contact person), even.berg (user); password Nordlys-demo-2026',
    )
}

async function main(argv: string[]): Promise<number> {
  let options: Options
  try {
    options = parseOptions(argv)
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`sentral-core: ${error.message}\n\n${usage}`)
      return 2
    }
    throw error
  }
  try {
    switch (options.command) {
      case 'help':
        process.stdout.write(usage)
        return 0
      case 'check':
        return await check(options)
      case 'admin':
        return await adminCreate(options)
      default:
        await serve(options)
        return -1
    }
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`sentral-core: ${error.message}\n`)
      return 2
    }
    if (error instanceof UsageError) {
      process.stderr.write(`sentral-core: ${error.message}\n`)
      return 2
    }
    throw error
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exit(code)
  },
  (error: unknown) => {
    process.stderr.write(
      `sentral-core: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    )
    process.exit(1)
  },
)
