/**
 * sentral-core: the headless routing core.
 *
 *   sentral-core demo   [--port 5170] [--host 127.0.0.1] [--seed N] [--log-level info] [--json-logs]
 *   sentral-core run    --company <file> [--traffic <file>] [same options]
 *   sentral-core check  --company <file> [--traffic <file>]
 *
 * A configuration file that cannot be used stops the start with exit code 2 and a message
 * naming the file, the field and what was expected. SIGTERM and SIGINT shut down cleanly.
 */
import { randomUUID } from 'node:crypto'
import { createServer } from 'node:http'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import pino, { type Logger } from 'pino'
import pretty from 'pino-pretty'
import { ConfigError, loadCompanyFile } from './config/company-file'
import { loadTrafficFile } from './config/traffic-file'
import type { CompanyConfig } from './domain/config'
import { startActivityLog } from './runtime/activity-log'
import { SystemClock } from './runtime/clock'
import { CoreRuntime } from './runtime/core-runtime'
import { createApplication } from './server/create-application'
import { SimNetwork } from './telephony/sim/sim-network'
import type { TrafficProfile } from './telephony/sim/traffic'

const version = '0.1.0'
const usage = `Usage:
  sentral-core demo  [options]                       the demo company with simulated traffic
  sentral-core run   --company <file> [--traffic <file>] [options]
  sentral-core check --company <file> [--traffic <file>]   validate configuration and exit

Options:
  --port <n>          HTTP and Socket.IO port (default 5170; 0 picks a free one)
  --host <address>    address to listen on (default 127.0.0.1)
  --seed <n>          seed for the simulated traffic and the random strategy
  --log-level <level> trace, debug, info, warn, error (default info)
  --json-logs         structured JSON logs instead of readable lines
`

class UsageError extends Error {}

interface Options {
  command: 'demo' | 'run' | 'check' | 'help'
  company: string | null
  traffic: string | null
  port: number
  host: string
  seed: number | null
  logLevel: string
  jsonLogs: boolean
}

function parseOptions(argv: string[]): Options {
  let parsed
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        company: { type: 'string' },
        traffic: { type: 'string' },
        port: { type: 'string' },
        host: { type: 'string' },
        seed: { type: 'string' },
        'log-level': { type: 'string' },
        'json-logs': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    })
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error))
  }
  const { values, positionals } = parsed
  const command = values.help ? 'help' : (positionals[0] ?? 'help')
  if (!['demo', 'run', 'check', 'help'].includes(command))
    throw new UsageError(`unknown command "${command}"`)
  if (positionals.length > 1) throw new UsageError(`unexpected argument "${positionals[1]}"`)
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
  const options: Options = {
    command: command as Options['command'],
    company: values.company ?? null,
    traffic: values.traffic ?? null,
    port: integer('port', values.port, 0, 65535) ?? 5170,
    host: values.host ?? '127.0.0.1',
    seed: integer('seed', values.seed, 0, 2 ** 31 - 1),
    logLevel,
    jsonLogs: values['json-logs'] ?? false,
  }
  if ((options.command === 'run' || options.command === 'check') && options.company === null) {
    throw new UsageError(`${options.command} needs --company <file>`)
  }
  return options
}

/** resources/ sits beside out/ in the package; SENTRAL_RESOURCES overrides it (the desktop app). */
function resourcesDir(): string {
  return process.env.SENTRAL_RESOURCES ?? join(__dirname, '..', '..', 'resources')
}

async function loadConfiguration(
  options: Options,
): Promise<{ company: CompanyConfig; traffic: TrafficProfile | null }> {
  const demo = options.command === 'demo'
  const companyFile = demo ? join(resourcesDir(), 'demo', 'company.yaml') : options.company!
  const trafficFile = demo ? join(resourcesDir(), 'demo', 'traffic.yaml') : options.traffic
  const company = await loadCompanyFile(companyFile)
  const traffic = trafficFile ? await loadTrafficFile(trafficFile, company) : null
  if (traffic && options.seed !== null) traffic.seed = options.seed
  return { company, traffic }
}

function createLogger(options: Options): Logger {
  const base = { level: options.logLevel, base: { service: 'sentral-core' } }
  if (options.jsonLogs) return pino(base)
  return pino(
    base,
    pretty({
      colorize: process.stdout.isTTY,
      translateTime: 'HH:MM:ss',
      ignore: 'pid,hostname,service',
    }),
  )
}

async function serve(
  options: Options,
  company: CompanyConfig,
  traffic: TrafficProfile | null,
): Promise<void> {
  const logger = createLogger(options)
  const clock = new SystemClock()
  const runtime = new CoreRuntime({
    clock,
    companies: [company],
    newId: () => randomUUID(),
    ...(options.seed !== null ? { seed: options.seed } : {}),
    onInternalError: (error, input) =>
      logger.error({ err: error, input: input.type }, 'engine error: input dropped'),
  })
  const http = createServer()
  const app = createApplication(http, { runtime, logger, version })
  const stopActivity = startActivityLog(runtime, [company], logger, clock)
  if (traffic)
    runtime.attach(
      company.id,
      new SimNetwork({ companyId: company.id, config: company, profile: traffic, clock }),
    )

  await new Promise<void>((resolve, reject) => {
    http.once('error', reject)
    http.listen(options.port, options.host, resolve)
  })
  const address = http.address()
  const port = typeof address === 'object' && address ? address.port : options.port
  logger.info(
    {
      url: `http://${options.host}:${port}`,
      company: company.name,
      users: company.users.length,
      queues: company.queues.length,
      simulatedTraffic: traffic !== null,
    },
    `Sentral core ${version} listening on http://${options.host}:${port}`,
  )

  let stopping = false
  const shutdown = (signal: string) => {
    if (stopping) return
    stopping = true
    logger.info({ signal }, 'shutting down')
    const force = setTimeout(() => process.exit(1), 5000)
    force.unref()
    stopActivity()
    runtime.stop()
    clock.clearAll()
    app
      .close()
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
  if (options.command === 'help') {
    process.stdout.write(usage)
    return 0
  }
  let loaded
  try {
    loaded = await loadConfiguration(options)
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`sentral-core: ${error.message}\n`)
      return 2
    }
    throw error
  }
  if (options.command === 'check') {
    process.stdout.write(
      `${loaded.company.name}: ${loaded.company.users.length} users, ${loaded.company.queues.length} queues — configuration is valid\n`,
    )
    return 0
  }
  await serve(options, loaded.company, loaded.traffic)
  return -1
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
