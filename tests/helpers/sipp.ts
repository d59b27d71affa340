/**
 * sipp (Debian's sip-tester, 3.6.x) from Vitest: phones and callers that speak real SIP over
 * loopback, scripted by the scenarios in tests/sipp/scenarios (each says what it does and
 * which knobs it takes at its top).
 *
 * ```ts
 * const agent = await startSipp({ scenario: 'agent_answer.xml', vars: { ring_ms: 200 } })
 * const caller = await runSipp({
 *   scenario: 'caller.xml',
 *   remote: '127.0.0.1:5060',
 *   service: '22000000',
 * })
 * expect(caller.code, explainSipp(caller)).toBe(0)
 * expect((await agent.stop()).code).toBe(0)
 * ```
 *
 * Each sipp runs in a temporary directory of its own (its statistics, error log, message log
 * and screen are read from there when it exits, then the directory is removed), with -nostdin
 * (it has no terminal) and never -bg (it stays our child, so it cannot outlive the test).
 *
 * sipp's exit codes:
 *   0   every call succeeded
 *   1   at least one call failed (an unexpected message, a receive timeout, a failed regexp…)
 *   97  it stopped on an internal command (calls may have been processed)
 *   99  normal exit without any call processed (e.g. a UAS stopped before any call came)
 *   255 (-1) fatal error, such as a scenario that does not load
 *   254 (-2) fatal error binding a socket (the port is taken)
 * A UAS that is stopped with stop() exits 0 when every call it took was completed.
 */
import { spawn } from 'node:child_process'
import { createSocket } from 'node:dgram'
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { isAbsolute, join } from 'node:path'

/** Where the scenarios live; `scenario` names a file here unless it is an absolute path. */
export const sippScenarioDir = join(__dirname, '..', 'sipp', 'scenarios')

export type SippTransport = 'u1' | 't1'

export interface SippOptions {
  /** A file in tests/sipp/scenarios (like 'caller.xml'), or an absolute path. */
  scenario: string
  /** The host:port calls are sent to; omit for a UAS, which answers whoever calls it. */
  remote?: string
  /** The port sipp listens on; 0 or omitted picks a free one (see `port` on the handle). */
  localPort?: number
  /** The address sipp binds and puts in its Via and Contact (default 127.0.0.1). */
  localIp?: string
  /** 'u1' UDP (default) or 't1' TCP, one socket for all calls. */
  transport?: SippTransport
  /** -s: the user part of the Request-URI, e.g. a queue number. */
  service?: string
  /** -m: exit after this many calls (a UAC places them, a UAS takes them). */
  calls?: number
  /** -r: new calls per second (UAC). */
  rate?: number
  /** -inf: the injection file, as rows of fields (written SEQUENTIAL) or as the file's text. */
  csv?: readonly (readonly string[])[] | string
  /** -set: the scenario's knobs (its <Global> variables), like { ring_ms: 200 }. */
  vars?: Readonly<Record<string, string | number>>
  /** -key: generic keywords, [name] in the scenario's messages. */
  keys?: Readonly<Record<string, string>>
  /** -auth_uri: the digest uri (register.xml wants the domain, so it is the Request-URI). */
  authUri?: string
  /** -recv_timeout: bound on every wait of the scenario that has no timeout of its own
   * (default: timeoutMs). A wait that runs out fails the call. */
  recvTimeoutMs?: number
  /** The whole run: sipp's -timeout, and then stop() (default 30 000). */
  timeoutMs?: number
  /** -trace_msg: keep every message sent and received, returned as `messages`. */
  traceMessages?: boolean
  /** -trace_rtt: every response time (the scenario's RTDs), returned as `rtts`. */
  traceRtt?: boolean
  /** Anything else for sipp's command line. */
  extraArgs?: readonly string[]
}

/** sipp's cumulative statistics, from the last line of its -trace_stat file. */
export interface SippStats {
  incoming: number
  outgoing: number
  successful: number
  failed: number
  retransmissions: number
  /** Every cumulative field by name without "(C)": sipp's (FailedTimeoutOnRecv…) and the
   * scenario's own counters (e.g. cancelled_while_ringing, reinvites). */
  counters: Record<string, number>
}

export interface SippRtt {
  /** The RTD's name in the scenario, e.g. 'ring' (INVITE → 180) or 'answer' (INVITE → 200). */
  rtd: string
  ms: number
}

export interface SippResult {
  /** sipp's exit code (see the top of this file); null when it was killed by a signal. */
  code: number | null
  signal: NodeJS.Signals | null
  /** The command line, for messages. */
  command: string
  stdout: string
  stderr: string
  /** The -trace_err file: unexpected messages, timeouts, aborted calls. */
  errors: string
  /** The entries of `errors` without the ends of the scenarios' own timer slices ("receive
   * timeout … jumping to label", which is control flow, not an error). */
  problems: string[]
  /** The -trace_msg file, when traceMessages. */
  messages: string
  /** The -trace_screen file: the scenario's steps with their counts at exit. */
  screen: string
  stats: SippStats | null
  rtts: SippRtt[]
}

export interface SippHandle {
  /** The port sipp listens on (for a UAS, where calls are sent; for register.xml's Contact). */
  port: number
  pid: number | undefined
  /** Settles when sipp exits, for whatever reason. */
  done: Promise<SippResult>
  /**
   * Ends it: SIGUSR1 (sipp stops placing calls and exits when the calls in progress end),
   * a second SIGUSR1 halfway through graceMs (sipp then exits at once), SIGKILL after graceMs.
   */
  stop(graceMs?: number): Promise<SippResult>
}

const defaultTimeoutMs = 30_000
const outputLimit = 256 * 1024

/** A port free for UDP (and TCP, for 't1') on `ip`, found by binding port 0 and letting go. */
export async function freePort(ip = '127.0.0.1', transport: SippTransport = 'u1'): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const port = await new Promise<number>((resolve, reject) => {
      const socket = createSocket('udp4')
      socket.once('error', reject)
      socket.bind(0, ip, () => {
        const { port: bound } = socket.address()
        socket.close(() => resolve(bound))
      })
    })
    if (transport === 'u1' || (await tcpPortFree(ip, port))) return port
  }
  throw new Error(`no free port found on ${ip}`)
}

function tcpPortFree(ip: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer()
    server.once('error', () => resolve(false))
    server.listen(port, ip, () => server.close(() => resolve(true)))
  })
}

function csvText(csv: NonNullable<SippOptions['csv']>): string {
  if (typeof csv === 'string') return csv
  return ['SEQUENTIAL', ...csv.map((row) => row.join(';'))].join('\n') + '\n'
}

function readIfThere(path: string): string {
  try {
    return readFileSync(path, 'utf8')
  } catch {
    return ''
  }
}

/** The last line of a -trace_stat file (fields separated by ';'). */
export function parseSippStats(text: string): SippStats | null {
  const lines = text.split(/\r?\n/).filter((line) => line.trim() !== '')
  const header = lines[0]?.split(';')
  const last = lines.at(-1)?.split(';')
  if (header === undefined || last === undefined || lines.length < 2) return null
  const counters: Record<string, number> = {}
  header.forEach((name, i) => {
    if (!name.endsWith('(C)')) return
    const value = Number(last[i])
    if (Number.isFinite(value)) counters[name.slice(0, -3)] = value
  })
  const count = (name: string) => counters[name] ?? 0
  return {
    incoming: count('IncomingCall'),
    outgoing: count('OutgoingCall'),
    successful: count('SuccessfulCall'),
    failed: count('FailedCall'),
    retransmissions: count('Retransmissions'),
    counters,
  }
}

/** A -trace_rtt file: "Date_ms;response_time_ms;rtd_no" lines. */
export function parseSippRtts(text: string): SippRtt[] {
  return text
    .split(/\r?\n/)
    .slice(1)
    .map((line) => line.split(';'))
    .filter((fields): fields is [string, string, string] => fields.length >= 3)
    .map(([, ms, rtd]) => ({ rtd, ms: Number(ms) }))
}

/** sipp writes its error entries without line breaks between them: split at each timestamp. */
export function sippErrorEntries(errors: string): string[] {
  return errors
    .replace(/^The following events occurred:\s*/, '')
    .split(/(?=\d{4}-\d{2}-\d{2}\t\d{2}:\d{2}:\d{2}\.\d+\t)/)
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '')
}

const timerSlice = /receive timeout on message .*, jumping to label/

/** A failure message for expect(): the command, the exit, the statistics and what went wrong. */
export function explainSipp(result: SippResult, messageChars = 4000): string {
  const stats = result.stats
  const lines = [
    `sipp exited ${result.code ?? result.signal}: ${result.command}`,
    stats === null
      ? 'no statistics'
      : `calls: ${stats.successful} successful, ${stats.failed} failed (${stats.outgoing} placed, ${stats.incoming} taken, ${stats.retransmissions} retransmissions)`,
    ...result.problems.slice(0, 10).map((p) => `  ${p.slice(0, 600)}`),
  ]
  if (result.screen !== '') lines.push(result.screen.slice(-3000))
  if (result.messages !== '') lines.push(result.messages.slice(-messageChars))
  if (result.stderr.trim() !== '') lines.push(`stderr: ${result.stderr.slice(-1000)}`)
  return lines.join('\n')
}

function keep(buffer: string, chunk: string): string {
  const joined = buffer + chunk
  return joined.length > outputLimit ? joined.slice(-outputLimit) : joined
}

/** Starts sipp; resolves once its port is chosen (sipp itself may take a few ms to bind). */
export async function startSipp(options: SippOptions): Promise<SippHandle> {
  const localIp = options.localIp ?? '127.0.0.1'
  const transport = options.transport ?? 'u1'
  const port =
    options.localPort === undefined || options.localPort === 0
      ? await freePort(localIp, transport)
      : options.localPort
  const timeoutMs = options.timeoutMs ?? defaultTimeoutMs
  const dir = mkdtempSync(join(tmpdir(), 'sentral-sipp-'))
  const file = (name: string) => join(dir, name)
  const scenario = isAbsolute(options.scenario)
    ? options.scenario
    : join(sippScenarioDir, options.scenario)

  const args = [
    '-sf',
    scenario,
    ...(options.remote === undefined ? [] : [options.remote]),
    '-i',
    localIp,
    '-p',
    String(port),
    '-t',
    transport,
    '-nostdin',
    // sipp's own bound on the run; our timer (below) stops it too, in case it hangs
    '-timeout',
    `${Math.ceil(timeoutMs / 1000)}s`,
    '-timeout_error',
    '-recv_timeout',
    String(options.recvTimeoutMs ?? timeoutMs),
    '-trace_err',
    '-error_file',
    file('errors.log'),
    '-trace_stat',
    '-stf',
    file('stats.csv'),
    '-fd',
    '1',
    '-trace_screen',
    '-screen_file',
    file('screen.log'),
  ]
  if (options.service !== undefined) args.push('-s', options.service)
  if (options.calls !== undefined) args.push('-m', String(options.calls))
  if (options.rate !== undefined) args.push('-r', String(options.rate))
  if (options.authUri !== undefined) args.push('-auth_uri', options.authUri)
  if (options.csv !== undefined) {
    writeFileSync(file('injection.csv'), csvText(options.csv))
    args.push('-inf', file('injection.csv'))
  }
  for (const [name, value] of Object.entries(options.vars ?? {})) {
    args.push('-set', name, String(value))
  }
  for (const [name, value] of Object.entries(options.keys ?? {})) args.push('-key', name, value)
  if (options.traceMessages) args.push('-trace_msg', '-message_file', file('messages.log'))
  // -rtt_freq 1: sipp writes response times in blocks and drops the last partial block
  if (options.traceRtt) args.push('-trace_rtt', '-rtt_freq', '1')
  args.push(...(options.extraArgs ?? []))
  const command = `sipp ${args.join(' ')}`

  const child = spawn('sipp', args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] })
  let stdout = ''
  let stderr = ''
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout = keep(stdout, chunk)))
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr = keep(stderr, chunk)))

  let exited = false
  const done = new Promise<SippResult>((resolve) => {
    const finish = (code: number | null, signal: NodeJS.Signals | null) => {
      exited = true
      clearTimeout(deadline)
      const errors = readIfThere(file('errors.log'))
      const rttFile = readdirSync(dir).find((name) => name.endsWith('_rtt.csv'))
      resolve({
        code,
        signal,
        command,
        stdout,
        stderr,
        errors,
        problems: sippErrorEntries(errors).filter((entry) => !timerSlice.test(entry)),
        messages: readIfThere(file('messages.log')),
        screen: readIfThere(file('screen.log')),
        stats: parseSippStats(readIfThere(file('stats.csv'))),
        rtts: rttFile === undefined ? [] : parseSippRtts(readIfThere(file(rttFile))),
      })
      rmSync(dir, { recursive: true, force: true })
    }
    child.once('error', (error) => {
      stderr += `${error.message}\n`
      finish(null, null)
    })
    child.once('close', finish)
  })

  const stop = async (graceMs = 3000): Promise<SippResult> => {
    if (!exited && child.exitCode === null) {
      child.kill('SIGUSR1')
      const force = setTimeout(() => child.kill('SIGUSR1'), graceMs / 2)
      const kill = setTimeout(() => child.kill('SIGKILL'), graceMs)
      void done.finally(() => {
        clearTimeout(force)
        clearTimeout(kill)
      })
    }
    return done
  }
  // A second or so after sipp's own -timeout, the run is over whatever sipp thinks.
  const deadline = setTimeout(() => void stop(), timeoutMs + 1500)

  await waitUntilBound(port, transport, () => exited)
  return { port, pid: child.pid, done, stop }
}

/** Starts sipp and waits for it to exit (a UAC with `calls` set, typically). */
export async function runSipp(options: SippOptions): Promise<SippResult> {
  return (await startSipp(options)).done
}

/**
 * Waits (up to 5 s) until something listens on the port, read from /proc/net: a UAS must be
 * bound before a test sends it anything. Where /proc is missing, waits a fixed 300 ms.
 */
async function waitUntilBound(
  port: number,
  transport: SippTransport,
  exited: () => boolean,
): Promise<void> {
  const hex = port.toString(16).toUpperCase().padStart(4, '0')
  const tables = transport === 'u1' ? ['/proc/net/udp', '/proc/net/udp6'] : ['/proc/net/tcp']
  const bound = () =>
    tables.some((table) =>
      readIfThere(table)
        .split('\n')
        .some((line) => line.trim().split(/\s+/)[1]?.endsWith(`:${hex}`)),
    )
  if (readIfThere(tables[0]!) === '') {
    await new Promise((resolve) => setTimeout(resolve, 300))
    return
  }
  for (let waited = 0; waited < 5000 && !exited(); waited += 10) {
    if (bound()) return
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}
