// SIP call-setup benchmark: the routing core (a B2BUA with a queue of sipp phones) against
// Kamailio (a stateful proxy in front of the same sipp phones), in one run, on loopback. Each
// system gets the same sipp caller at rising call rates (doubling while every call succeeds,
// then bisecting a little); a step is clean when every call completed (INVITE, 100/180, 200,
// ACK, BYE, 200) at the asked rate, the caller never had to send a request again (each was
// answered within T1, 500 ms) and INVITE -> 200 p99 stayed within T1 too. See
// bench/sip/README.md for what is measured and the knobs.
//
// Last line: "sip: cps=N failed=0 kamailio_cps=N ratio=N" (highest clean rates and their ratio).
//
// Every child (sipp, kamailio, the core) is ours: started in a process group of its own, and
// stopped on the way out, on Ctrl-C, or on an error. kamailio and the core also run under
// timeout(1), and sipp under its own -timeout, so none outlives a harness killed with SIGKILL.
import { spawn, spawnSync } from 'node:child_process'
import { createSocket } from 'node:dgram'
import {
  closeSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { fileURLToPath } from 'node:url'

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const scenarioDir = join(root, 'tests', 'sipp', 'scenarios')
const kamailioCfg = join(root, 'bench', 'sip', 'kamailio.cfg')
const coreCli = join(root, 'out', 'core', 'cli.js')

// ---------------------------------------------------------------------------------------------
// Knobs

function numberFromEnv(name, fallback) {
  const raw = process.env[name]
  if (raw === undefined || raw === '') return fallback
  const value = Number(raw)
  if (!Number.isFinite(value) || value < 0) {
    console.error(`${name} must be a number, got "${raw}"`)
    process.exit(2)
  }
  return value
}

const knobs = {
  startRate: numberFromEnv('SIP_BENCH_START_RATE', 50),
  maxRate: numberFromEnv('SIP_BENCH_MAX_RATE', 12800),
  stepSeconds: numberFromEnv('SIP_BENCH_STEP_SECONDS', 10),
  warmSeconds: numberFromEnv('SIP_BENCH_WARM_SECONDS', 10),
  bisectSteps: numberFromEnv('SIP_BENCH_BISECT', 2),
  agents: numberFromEnv('SIP_BENCH_AGENTS', 50),
  holdMs: numberFromEnv('SIP_BENCH_HOLD_MS', 0),
  // sipp's socket buffers: with its 64 KiB default the kernel drops datagrams from a few
  // thousand calls per second (the kit's finding)
  sippBuffer: numberFromEnv('SIPP_BUFF', 4194304),
  kamailioChildren: numberFromEnv('SIP_BENCH_KAM_CHILDREN', 2),
  kamailioShmMb: numberFromEnv('SIP_BENCH_KAM_SHM_MB', 1024),
  kamailioDialog: process.env.SIP_BENCH_KAM_DIALOG === '1',
  targets: (process.env.SIP_BENCH_TARGETS ?? 'kamailio,core').split(',').map((t) => t.trim()),
  coreLogLevel: process.env.SIP_BENCH_CORE_LOG_LEVEL ?? 'warn',
  // extra Node flags for the core, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof" to profile it
  // (NODE_OPTIONS refuses --cpu-prof)
  coreNodeArgs: (process.env.SIP_BENCH_CORE_NODE_ARGS ?? '').split(/\s+/).filter(Boolean),
  keep: process.env.SIP_BENCH_KEEP === '1',
}

const runDir = mkdtempSync(join(process.env.SIP_BENCH_DIR ?? tmpdir(), 'sentral-bench-sip-'))
const log = (line) => console.log(line)
const note = (line) => console.error(`[bench:sip] ${line}`)

// ---------------------------------------------------------------------------------------------
// Children: each in its own process group, all stopped on the way out

const children = new Set()

/**
 * Starts `command` detached (a process group of its own, so its workers can be signalled with
 * it), output to `logFile`. `limitSeconds` wraps it in timeout(1) (not for sipp: timeout(1)
 * dies of the SIGUSR1 that stops sipp gently, and sipp has -timeout of its own).
 */
function startChild(name, command, args, { cwd = runDir, logFile, limitSeconds = 0 }) {
  const out = openSync(logFile, 'a')
  const [file, argv] =
    limitSeconds > 0
      ? ['timeout', ['--kill-after=5', `${Math.ceil(limitSeconds)}s`, command, ...args]]
      : [command, args]
  const child = spawn(file, argv, { cwd, stdio: ['ignore', out, out], detached: true })
  closeSync(out)
  const entry = {
    name,
    child,
    logFile,
    exited: new Promise((resolveExit) =>
      child.once('exit', (code, signal) => resolveExit({ code, signal })),
    ),
  }
  children.add(entry)
  void entry.exited.then(() => children.delete(entry))
  child.once('error', (error) => note(`${name}: ${error.message}`))
  return entry
}

function signalGroup(entry, signal) {
  try {
    process.kill(-entry.child.pid, signal)
  } catch {
    // already gone
  }
}

/** First `signal` (sipp: SIGUSR1 to sipp itself; others: SIGTERM to the group), then SIGKILL. */
async function stopChild(entry, graceMs = 5000) {
  if (entry.child.exitCode !== null || entry.child.signalCode !== null) return entry.exited
  if (entry.name.startsWith('sipp')) entry.child.kill('SIGUSR1')
  else signalGroup(entry, 'SIGTERM')
  const timer = setTimeout(() => signalGroup(entry, 'SIGKILL'), graceMs)
  const result = await entry.exited
  clearTimeout(timer)
  return result
}

async function stopAll() {
  await Promise.all([...children].map((entry) => stopChild(entry, 3000)))
}

process.on('exit', () => {
  for (const entry of children) signalGroup(entry, 'SIGKILL')
  if (!knobs.keep) rmSync(runDir, { recursive: true, force: true })
})
let stopping = false
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.once(signal, () => {
    stopping = true
    note(`${signal}: stopping every child`)
    void stopAll().finally(() => process.exit(130))
  })
}

// ---------------------------------------------------------------------------------------------
// Ports and processes, from /proc (Linux)

async function freeUdpPort() {
  return new Promise((resolvePort, reject) => {
    const socket = createSocket('udp4')
    socket.once('error', reject)
    socket.bind(0, '127.0.0.1', () => {
      const { port } = socket.address()
      socket.close(() => resolvePort(port))
    })
  })
}

function udpPortBound(port) {
  const hex = `:${port.toString(16).toUpperCase().padStart(4, '0')}`
  return ['/proc/net/udp', '/proc/net/udp6'].some((table) => {
    if (!existsSync(table)) return false
    return readFileSync(table, 'utf8')
      .split('\n')
      .some((line) => line.trim().split(/\s+/)[1]?.endsWith(hex))
  })
}

async function waitForUdpPort(entry, port, timeoutMs) {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (entry.child.exitCode !== null || entry.child.signalCode !== null) break
    if (udpPortBound(port)) return
    await sleep(50)
  }
  const tail = existsSync(entry.logFile) ? readFileSync(entry.logFile, 'utf8').slice(-3000) : ''
  throw new Error(`${entry.name} is not listening on udp/${port}:\n${tail}`)
}

const clockTicks = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout) || 100

/** CPU seconds (user + system) of a process and all its descendants. */
function cpuSeconds(pid) {
  let ticks = 0
  const visit = (p) => {
    try {
      const fields = readFileSync(`/proc/${p}/stat`, 'utf8')
        .replace(/^.*\) /, '')
        .split(' ')
      ticks += Number(fields[11]) + Number(fields[12])
      for (const task of readdirSync(`/proc/${p}/task`)) {
        const kids = readFileSync(`/proc/${p}/task/${task}/children`, 'utf8').trim()
        for (const kid of kids === '' ? [] : kids.split(' ')) visit(kid)
      }
    } catch {
      // gone meanwhile
    }
  }
  visit(pid)
  return ticks / clockTicks
}

/**
 * CPU seconds of the main thread of the last process under `pid` (for the core: the Node
 * thread that runs SIP, the engine and the API, without the record worker and GC helpers);
 * null when there is no such thread (gone).
 */
function mainThreadSeconds(pid) {
  try {
    let leaf = String(pid)
    for (;;) {
      const kids = readFileSync(`/proc/${leaf}/task/${leaf}/children`, 'utf8').trim()
      if (kids === '') break
      leaf = kids.split(' ')[0]
    }
    const fields = readFileSync(`/proc/${leaf}/task/${leaf}/stat`, 'utf8')
      .replace(/^.*\) /, '')
      .split(' ')
    return (Number(fields[11]) + Number(fields[12])) / clockTicks
  } catch {
    return null
  }
}

// ---------------------------------------------------------------------------------------------
// sipp

function sippArgs(dir, extra) {
  return [
    ...extra,
    '-i',
    '127.0.0.1',
    '-nostdin',
    '-buff_size',
    String(knobs.sippBuffer),
    '-trace_err',
    '-error_file',
    join(dir, 'errors.log'),
    '-trace_stat',
    '-stf',
    join(dir, 'stats.csv'),
    '-fd',
    '1',
    '-trace_screen',
    '-screen_file',
    join(dir, 'screen.log'),
  ]
}

/** The cumulative fields of the last line of a -trace_stat file, by name without "(C)". */
function readStats(file) {
  if (!existsSync(file)) return null
  const lines = readFileSync(file, 'utf8')
    .split(/\r?\n/)
    .filter((line) => line.trim() !== '')
  if (lines.length < 2) return null
  const header = lines[0].split(';')
  const last = lines.at(-1).split(';')
  const stats = {}
  header.forEach((name, i) => {
    if (name.endsWith('(C)')) stats[name.slice(0, -3)] = Number(last[i])
  })
  return stats
}

/** The -trace_rtt file: each RTD with its end (ms since sipp started) and duration. */
function readRtts(dir) {
  const file = readdirSync(dir).find((name) => name.endsWith('_rtt.csv'))
  if (file === undefined) return []
  return readFileSync(join(dir, file), 'utf8')
    .split(/\r?\n/)
    .slice(1)
    .map((line) => line.split(';'))
    .filter((fields) => fields.length >= 3)
    .map(([end, ms, rtd]) => ({ end: Number(end), ms: Number(ms), rtd }))
}

/** sipp's error log by kind, most frequent first ("2500 × receive timeout on message …"). */
function summarizeErrors(file) {
  if (!existsSync(file)) return '  (no error log)'
  const kinds = new Map()
  const entries = readFileSync(file, 'utf8')
    .replace(/^The following events occurred:\s*/, '')
    .split(/(?=\d{4}-\d{2}-\d{2}\t\d{2}:\d{2}:\d{2}\.\d+\t)/)
  for (const entry of entries) {
    const kind = entry
      .replace(/^\S+\t\S+\t\S+: /, '') // the timestamps
      .replace(/\d+-\d+@[\d.]+/g, '<call>') // sipp's Call-IDs
      .split(/\r?\n/)[0]
      .slice(0, 140)
    if (kind.trim() !== '') kinds.set(kind, (kinds.get(kind) ?? 0) + 1)
  }
  return [...kinds]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 4)
    .map(([kind, count]) => `  ${count} × ${kind}`)
    .join('\n')
}

function percentile(sorted, p) {
  if (sorted.length === 0) return NaN
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]
}

const gcd = (a, b) => (b === 0 ? a : gcd(b, a % b))

/** The phones: one sipp for every agent (or for Kamailio's relayed calls), for a whole run. */
let phoneSessions = 0

async function startPhones(label) {
  const dir = join(runDir, `${label}-phones-${++phoneSessions}`)
  mkdirSync(dir)
  const port = await freeUdpPort()
  const phones = startChild(
    'sipp phones',
    'sipp',
    sippArgs(dir, [
      '-sf',
      join(scenarioDir, 'agent_load_uas.xml'),
      '-p',
      String(port),
      '-timeout',
      '1200s',
    ]),
    { cwd: dir, logFile: join(dir, 'sipp.out') },
  )
  await waitForUdpPort(phones, port, 10_000)
  return { port, dir, entry: phones }
}

/**
 * One step: `rate` calls per second for stepSeconds from a fresh sipp caller. Clean when every
 * call succeeded and sipp managed (nearly) the asked rate. A warm-up (`warmUp`) is a step like
 * any other, but shorter (warmSeconds) and printed as one: it counts for nothing.
 */
async function runStep(label, target, rate, sutPid, warmUp = false) {
  const seconds = warmUp ? knobs.warmSeconds : knobs.stepSeconds
  const calls = Math.max(1, Math.round(rate * seconds))
  const dir = join(runDir, `${label}-${warmUp ? 'warm' : 'r'}${rate}-${Date.now()}`)
  mkdirSync(dir)
  const port = await freeUdpPort()
  // sipp writes response times in blocks of -rtt_freq and drops the last partial block: a
  // divisor of the expected count (2 RTDs per call) loses nothing when every call completes
  const rttFreq = gcd(2 * calls, 1000)
  const cpuBefore = cpuSeconds(sutPid)
  const mainBefore = mainThreadSeconds(sutPid)
  const caller = startChild(
    'sipp caller',
    'sipp',
    sippArgs(dir, [
      '-sf',
      join(scenarioDir, 'caller_load.xml'),
      target.remote,
      '-s',
      target.service,
      '-p',
      String(port),
      '-r',
      String(rate),
      '-m',
      String(calls),
      '-d',
      String(knobs.holdMs),
      '-recv_timeout',
      '10000',
      '-timeout',
      `${seconds + 40}s`,
      '-trace_rtt',
      '-rtt_freq',
      String(rttFreq),
    ]),
    { cwd: dir, logFile: join(dir, 'sipp.out') },
  )
  const deadline = setTimeout(() => void stopChild(caller), (seconds + 50) * 1000)
  const { code } = await caller.exited
  clearTimeout(deadline)
  const cpu = cpuSeconds(sutPid) - cpuBefore
  const mainAfter = mainThreadSeconds(sutPid)
  const mainCpu = mainBefore !== null && mainAfter !== null ? mainAfter - mainBefore : null
  if (stopping) throw new Error('interrupted')

  const stats = readStats(join(dir, 'stats.csv')) ?? {}
  const rtts = readRtts(dir)
  const answers = rtts.filter((r) => r.rtd === 'answer')
  const starts = answers.map((r) => r.end - r.ms).sort((a, b) => a - b)
  // The rate sipp placed calls at, from the answered calls' start times; sipp's own average
  // (which counts the last call's tail too) when it wrote no response times (seen now and then)
  const offered =
    starts.length > 1
      ? ((starts.length - 1) * 1000) / (starts.at(-1) - starts[0])
      : (stats.CallRate ?? NaN)
  const ring = rtts
    .filter((r) => r.rtd === 'ring')
    .map((r) => r.ms)
    .sort((a, b) => a - b)
  const answer = answers.map((r) => r.ms).sort((a, b) => a - b)
  const successful = stats.SuccessfulCall ?? 0
  const failed = stats.FailedCall ?? 0
  const step = {
    label,
    rate,
    calls,
    successful,
    failed,
    incomplete: calls - successful - failed,
    retransmissions: stats.Retransmissions ?? 0,
    offered,
    ringP50: percentile(ring, 50),
    ringP99: percentile(ring, 99),
    answerP50: percentile(answer, 50),
    answerP99: percentile(answer, 99),
    cpu,
    code,
  }
  // sipp itself could not place calls this fast: not the target's failure, but not a pass
  step.sippLimited = !(offered >= 0.9 * rate)
  // Every call completed, but a caller had to repeat a request (no answer within T1 = 500 ms:
  // not even 100 Trying, which is due within 200 ms): the system is falling behind, not
  // sustaining the rate. Not a pass either.
  // Likewise when the answer took longer than T1 for one call in a hundred: with a large
  // enough socket buffer a system that falls behind no longer loses requests (so nobody has to
  // repeat one), it queues them, and the queue shows in the time to answer. Kamailio answers in
  // under 30 ms at 6,400 calls/s; a B2BUA is two hops, but half a second is not keeping up.
  step.late = step.retransmissions > 0 || !(step.answerP99 <= 500)
  step.clean = failed === 0 && successful === calls && !step.sippLimited && !step.late
  // Every call completed but sipp wrote no response times (seen now and then, once on a
  // Kamailio step of 50 calls/s): the timing rules cannot be judged; the sweep runs it again.
  step.unmeasured = failed === 0 && successful === calls && answer.length === 0
  const fmt = (v) => (Number.isFinite(v) ? v.toFixed(1) : 'na')
  log(
    `${label}${warmUp ? ' warm-up' : ''} rate=${rate} calls=${calls} ok=${successful} failed=${failed} ` +
      `incomplete=${step.incomplete} retrans=${step.retransmissions} offered_cps=${fmt(offered)} ` +
      `invite_180_p50_ms=${fmt(step.ringP50)} invite_180_p99_ms=${fmt(step.ringP99)} ` +
      `invite_200_p99_ms=${fmt(step.answerP99)} ${label}_cpu_s=${cpu.toFixed(2)} ` +
      (label === 'core' && mainCpu !== null
        ? `core_main_thread_cpu_s=${mainCpu.toFixed(2)} `
        : '') +
      `${step.clean ? 'clean' : failed > 0 || successful !== calls ? 'FAILED' : step.sippLimited ? 'sipp-limited' : 'late'}`,
  )
  if (!step.clean && failed > 0 && !warmUp) {
    note(
      `${label} at ${rate}/s, what sipp saw (${dir}):\n${summarizeErrors(join(dir, 'errors.log'))}`,
    )
  }
  if (!step.clean) await sleep(3000) // let the target drain what is left of an overload
  return step
}

/**
 * Doubling from startRate while clean (up to maxRate), then bisecting between pass and fail.
 * `open` starts the system with its phones (a session: { target, pid, close }); after a failed
 * step the session is closed and a fresh one opened, so that what an overload left behind
 * (queued callers, retransmissions) does not spoil the next step. Returns the last session
 * open, for more steps.
 *
 * A fresh session is warmed up before its first measured step (warmSeconds at half the
 * step's rate), as the doubling warms the first one: each step then meets a system that has
 * just carried half its rate, whichever way the sweep reached it. Without this, a bisection
 * step measured the core's first seconds (code not yet compiled by V8's optimizing tier, a
 * heap still growing: INVITE -> 200 near 500 ms for 3 s at 1,600 calls/s, then 1 ms) rather
 * than the rate. Kamailio, compiled ahead of time, gets the same warm-up.
 */
async function sweep(label, open) {
  let session = await open()
  let fresh = false
  const steps = []
  const step = async (rate) => {
    if (fresh && knobs.warmSeconds > 0) {
      await runStep(label, session.target, Math.max(1, Math.round(rate / 2)), session.pid, true)
      fresh = false
    }
    let result = await runStep(label, session.target, rate, session.pid)
    if (result.unmeasured) {
      note(`${label} at ${rate}/s: sipp wrote no response times; running the step again`)
      result = await runStep(label, session.target, rate, session.pid)
    }
    steps.push(result)
    if (!result.clean) {
      await session.close()
      session = await open()
      fresh = true
    }
    return result
  }
  let pass = null
  let fail = null
  try {
    for (let rate = knobs.startRate; rate <= knobs.maxRate; rate *= 2) {
      const result = await step(rate)
      if (!result.clean) {
        fail = result
        break
      }
      pass = result
    }
    for (let i = 0; i < knobs.bisectSteps && pass !== null && fail !== null; i++) {
      const rate = Math.round((pass.rate + fail.rate) / 2 / 10) * 10
      if (rate <= pass.rate || rate >= fail.rate) break
      const result = await step(rate)
      if (result.clean) pass = result
      else fail = result
    }
  } catch (error) {
    await session.close()
    throw error
  }
  return { steps, pass, fail, step, close: () => session.close() }
}

// ---------------------------------------------------------------------------------------------
// Kamailio

function kamailioModules() {
  const candidates = [
    process.env.KAMAILIO_MODULES,
    '/usr/lib/x86_64-linux-gnu/kamailio/modules',
    '/usr/lib/aarch64-linux-gnu/kamailio/modules',
    '/usr/lib64/kamailio/modules',
    '/usr/lib/kamailio/modules',
    '/usr/local/lib64/kamailio/modules',
  ]
  const found = candidates.find((dir) => dir !== undefined && existsSync(join(dir, 'tm.so')))
  if (found === undefined) throw new Error('no Kamailio modules found; set KAMAILIO_MODULES')
  return found
}

/** A session: Kamailio in front of fresh sipp phones. */
async function openKamailio() {
  const phones = await startPhones('kamailio')
  const dir = join(runDir, `kamailio-${Date.now()}`)
  mkdirSync(dir)
  const port = await freeUdpPort()
  const args = [
    '-f',
    kamailioCfg,
    '-DD', // no daemon: it stays our child
    '-E',
    '-x',
    'tlsf', // the kit found Debian's default allocator (qm) costs ~3.5 times the CPU
    '-m',
    String(knobs.kamailioShmMb),
    '-M',
    '16',
    '-L',
    kamailioModules(),
    '-Y',
    dir,
    '-w',
    dir,
    '-P',
    join(dir, 'kamailio.pid'),
    '-A',
    `LISTEN_PORT=${port}`,
    '-A',
    `UAS_PORT=${phones.port}`,
    '-A',
    `NCHILDREN=${knobs.kamailioChildren}`,
    ...(knobs.kamailioDialog ? ['-A', 'WITH_DIALOG'] : []),
  ]
  const kamailio = startChild('kamailio', 'kamailio', args, {
    logFile: join(dir, 'kamailio.log'),
    limitSeconds: 900,
  })
  const close = async () => {
    await stopChild(kamailio, 10_000)
    await stopChild(phones.entry)
    const errors = readFileSync(join(dir, 'kamailio.log'), 'utf8')
      .split('\n')
      .filter((line) => /ERROR|CRITICAL|ALERT|BUG/.test(line) && !/exited normally/.test(line))
    if (errors.length > 0) note(`kamailio logged:\n${errors.slice(0, 5).join('\n')}`)
  }
  try {
    await waitForUdpPort(kamailio, port, 15_000)
  } catch (error) {
    await close()
    throw error
  }
  await sleep(500) // its workers finish forking
  const target = { remote: `127.0.0.1:${port}`, service: '22000000' }
  return { target, pid: kamailio.child.pid, close }
}

// ---------------------------------------------------------------------------------------------
// The core

function buildCore() {
  const build = spawnSync('npm', ['run', 'build:core', '--silent'], { cwd: root, stdio: 'inherit' })
  if (build.status !== 0) throw new Error('npm run build:core failed')
}

/** Which flags the built core takes for SIP, from its --help; null when it has none. */
function coreSipFlags(port, sipFile) {
  const help = spawnSync(process.execPath, [coreCli, '--help'], { encoding: 'utf8' })
  const text = `${help.stdout}${help.stderr}`
  if (text.includes('--sip-listen'))
    return ['--sip', '--sip-listen', `127.0.0.1:${port}`, '--sip-config', sipFile]
  if (/--sip <|--sip\s+<host/.test(text))
    return ['--sip', `127.0.0.1:${port}`, '--sip-config', sipFile]
  return null
}

const agentExtensions = () => Array.from({ length: knobs.agents }, (_, i) => String(201 + i))
const agentPassword = (ext) => `bench-${ext}-secret`
const queueNumber = '+47 22 00 00 00'

/** The company: one queue, every agent a member, no wrap-up (the format of company-file.ts). */
function companyYaml() {
  const users = agentExtensions().map(
    (ext) => `  - { id: agent${ext}, firstName: Agent, lastName: '${ext}', extension: '${ext}' }`,
  )
  const members = agentExtensions().map((ext) => `      - agent${ext}`)
  return [
    '# Written by scripts/bench-sip.mjs: one queue and its agents, for the SIP benchmark.',
    'company: { id: bench, name: SIP Bench AS, timeZone: Europe/Oslo }',
    'users:',
    ...users,
    'queues:',
    '  - id: bench',
    '    name: Bench',
    `    numbers: ['${queueNumber}']`,
    '    strategy: longest-idle',
    '    ringTimeoutSeconds: 15',
    '    retryDelaySeconds: 0',
    '    wrapUpSeconds: 0',
    '    members:',
    ...members,
    '',
  ].join('\n')
}

/** The phones' accounts and the trunk the sipp caller comes from (format of sip-file.ts). */
function sipYaml() {
  const phones = agentExtensions().map(
    (ext) => `      - { extension: '${ext}', password: '${agentPassword(ext)}' }`,
  )
  return [
    '# Written by scripts/bench-sip.mjs.',
    'companies:',
    '  bench:',
    '    domain: 127.0.0.1',
    '    trunks:',
    "      - { name: sipp, peers: ['127.0.0.1'] }",
    '    phones:',
    ...phones,
    '',
  ].join('\n')
}

/** Registers every agent, all with Contacts at the one phones sipp (sip:<ext>@...:<port>). */
async function registerAgents(coreDir, remote, phonesPort) {
  const dir = join(coreDir, 'register')
  mkdirSync(dir)
  const csv = [
    'SEQUENTIAL',
    ...agentExtensions().map((e) => `${e};${agentPassword(e)};${phonesPort}`),
  ]
  writeFileSync(join(dir, 'agents.csv'), `${csv.join('\n')}\n`)
  const register = startChild(
    'sipp register',
    'sipp',
    sippArgs(dir, [
      '-sf',
      join(scenarioDir, 'register.xml'),
      remote,
      '-inf',
      join(dir, 'agents.csv'),
      '-auth_uri',
      '127.0.0.1',
      '-p',
      String(await freeUdpPort()),
      '-m',
      String(knobs.agents),
      '-r',
      '100',
      '-recv_timeout',
      '5000',
      '-timeout',
      '30s',
    ]),
    { cwd: dir, logFile: join(dir, 'sipp.out') },
  )
  await register.exited
  const stats = readStats(join(dir, 'stats.csv'))
  const registered = stats?.SuccessfulCall ?? 0
  if (registered !== knobs.agents) {
    const errors = existsSync(join(dir, 'errors.log'))
      ? readFileSync(join(dir, 'errors.log'), 'utf8').slice(0, 1500)
      : ''
    throw new Error(`only ${registered} of ${knobs.agents} agents registered:\n${errors}`)
  }
}

let coreSessions = 0

/**
 * A session: the core with SIP (a fresh data folder), its agents registered to fresh sipp
 * phones; null when the built core has no SIP option.
 */
async function openCore() {
  const dir = join(runDir, `core-${++coreSessions}`)
  mkdirSync(dir, { recursive: true })
  writeFileSync(join(dir, 'company.yaml'), companyYaml())
  writeFileSync(join(dir, 'sip.yaml'), sipYaml())
  const port = await freeUdpPort()
  const flags = coreSipFlags(port, join(dir, 'sip.yaml'))
  if (flags === null) return null
  const phones = await startPhones(`core-${coreSessions}`)
  const core = startChild(
    'core',
    process.execPath,
    [
      ...knobs.coreNodeArgs,
      coreCli,
      'run',
      '--company',
      join(dir, 'company.yaml'),
      ...flags,
      '--port',
      '0',
      '--data-dir',
      join(dir, 'data'),
      '--log-level',
      knobs.coreLogLevel,
    ],
    { cwd: root, logFile: join(dir, 'core.log'), limitSeconds: 900 },
  )
  const close = async () => {
    await stopChild(core, 10_000)
    await stopChild(phones.entry)
    const lines = readFileSync(join(dir, 'core.log'), 'utf8').trim().split('\n')
    const worrying = lines.filter((line) => /ERROR|FATAL|Error:/.test(line))
    if (worrying.length > 0) note(`core logged:\n${worrying.slice(0, 5).join('\n')}`)
  }
  const remote = `127.0.0.1:${port}`
  try {
    await waitForUdpPort(core, port, 30_000)
    await registerAgents(dir, remote, phones.port)
  } catch (error) {
    await close()
    throw error
  }
  return { target: { remote, service: '22000000' }, pid: core.child.pid, close }
}

// ---------------------------------------------------------------------------------------------
// The run

function latencyLine(label, step) {
  const ms = (v) => (Number.isFinite(v) ? v.toFixed(1) : 'na')
  return `${label} INVITE→180 p50=${ms(step.ringP50)} p99=${ms(step.ringP99)} ms, INVITE→200 p99=${ms(step.answerP99)} ms`
}

async function main() {
  note(
    `run dir ${runDir}; steps of ${knobs.stepSeconds} s from ${knobs.startRate}/s, ` +
      `up to ${knobs.maxRate}/s, ${knobs.agents} agents`,
  )
  const wantCore = knobs.targets.includes('core')
  const wantKamailio = knobs.targets.includes('kamailio')
  if (wantCore) buildCore()

  let kamailio = null
  if (wantKamailio) {
    kamailio = await sweep('kamailio', openKamailio)
    await kamailio.close()
  }

  let core = null
  let coreHalf = null
  if (wantCore && coreSipFlags(0, 'sip.yaml') === null) {
    note('core: skipped, its --help lists no SIP option (is SIP built in yet?)')
  } else if (wantCore) {
    core = await sweep('core', openCore)
    try {
      // latency at half the highest clean rate, from the sweep or from one more step
      if (core.pass !== null) {
        const half = Math.max(1, Math.round(core.pass.rate / 2))
        coreHalf = core.steps.find((s) => s.rate === half && s.clean) ?? (await core.step(half))
      }
    } finally {
      await core.close()
    }
  }

  let kamailioHalf = null
  if (coreHalf !== null && kamailio !== null) {
    kamailioHalf = kamailio.steps.find((s) => s.rate === coreHalf.rate && s.clean) ?? null
    if (kamailioHalf === null) {
      const again = await openKamailio()
      try {
        kamailioHalf = await runStep('kamailio', again.target, coreHalf.rate, again.pid)
      } finally {
        await again.close()
      }
    }
  }
  if (coreHalf !== null) {
    const parts = [latencyLine('core', coreHalf)]
    if (kamailioHalf !== null) parts.push(latencyLine('kamailio', kamailioHalf))
    log(
      `sip: latency at ${coreHalf.rate} cps (half the core's max): ${parts.join('; ')} ` +
        "(sipp's clock has 4 ms steps)",
    )
  }

  const cps = core?.pass?.rate ?? 0
  const failed = core?.pass ? core.pass.failed : (core?.steps[0]?.failed ?? 0)
  const kamailioCps = kamailio?.pass?.rate ?? 0
  const ratio = kamailioCps > 0 ? (cps / kamailioCps).toFixed(2) : '0.00'
  log(`sip: cps=${cps} failed=${failed} kamailio_cps=${kamailioCps} ratio=${ratio}`)
}

try {
  await main()
} catch (error) {
  note(error instanceof Error ? (error.stack ?? error.message) : String(error))
  process.exitCode = 1
} finally {
  await stopAll()
  if (knobs.keep) note(`kept ${runDir}`)
}
