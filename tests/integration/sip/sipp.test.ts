/**
 * Real SIP calls through the routing core, with sipp as the phones and the trunk: phones
 * register with digest authentication, callers from the trunk reach a queue and are put
 * through by the engine's strategy, and every operation of the switchboard works on them.
 * After each call the core must have no transaction, dialog, leg or timer left (/metrics).
 */
import { createSocket } from 'node:dgram'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { CompanySip } from '../../../src/core/config/sip-file'
import type { SipHandle } from '../../../src/core/telephony/sip/sip-stack'
import { credentialsFor } from '../../../src/core/telephony/sip/digest'
import type { QueueConfig } from '../../../src/core/domain/config'
import { defaultTraffic, type TrafficProfile } from '../../../src/core/telephony/sim/traffic'
import type { QueueLogEvent, RoutingStrategy, TrailEntry } from '../../../src/shared/model'
import { TestDatabase } from '../../helpers/databases'
import {
  explainSipp,
  runSipp,
  startSipp,
  type SippHandle,
  type SippResult,
} from '../../helpers/sipp'
import {
  startTestCore,
  testCompany,
  type TestCore,
  type TestCompany,
} from '../../helpers/test-core'

const db = new TestDatabase('sqlite')
beforeAll(() => db.open())
afterAll(() => db.close())

const password = (ext: string) => `sip-${ext}-passord`
/** Short transaction timers, so a finished call's transactions end within a few seconds. */
const timers = { t1: 60, t2: 480, t4: 600, d: 600 }

interface Setup {
  core: TestCore
  sip: SipHandle
  co: TestCompany
  remote: string
  /** Queue-log events and ended calls, as the engine reported them. */
  queueLog: QueueLogEvent[]
  ended: string[]
  trail(callId: string): TrailEntry[]
  stop(): Promise<void>
}

interface SetupOptions {
  outboundPort?: number
  strategy?: RoutingStrategy
  session?: { sessionExpires: number; minSessionExpires: number }
  keepaliveMs?: number
  maxLegs?: number
  traffic?: TrafficProfile
  /** Changes to the company before the core starts (an extra terminal, forwarding…). */
  adjust?: (co: TestCompany) => void
}

async function setup(
  queueOptions: Partial<QueueConfig> = {},
  options: SetupOptions = {},
): Promise<Setup> {
  const co = testCompany('sip')
  const queueA = co.config.queues.find((q) => q.id === 'a')!
  Object.assign(queueA, {
    strategy: options.strategy ?? 'linear',
    members: [co.ids.op1, co.ids.op2].map((userId) => ({ userId, penalty: 0, loggedIn: true })),
    ringTimeoutSeconds: 3,
    retryDelaySeconds: 0,
    ...queueOptions,
  })
  options.adjust?.(co)
  const phones = new Map(
    co.config.users.map((u) => [
      u.extension,
      {
        username: u.extension,
        userId: u.id,
        credentials: credentialsFor(u.extension, '127.0.0.1', password(u.extension)),
      },
    ]),
  )
  const companies: CompanySip[] = [
    {
      companyId: co.id,
      domain: '127.0.0.1',
      trunks: [
        {
          name: 'sipp',
          peers: ['127.0.0.1'],
          outbound: options.outboundPort ? { host: '127.0.0.1', port: options.outboundPort } : null,
        },
      ],
      phones,
    },
  ]
  const core = await startTestCore(db.store, [co], {
    ...(options.traffic ? { traffic: new Map([[co.id, options.traffic]]) } : {}),
    sip: {
      host: '127.0.0.1',
      port: 0,
      companies,
      timers,
      keepaliveMs: options.keepaliveMs ?? 600_000,
      ...(options.session ?? {}),
      ...(options.maxLegs !== undefined ? { maxLegs: options.maxLegs } : {}),
    },
  })
  const sip = core.core.sip!
  const queueLog: QueueLogEvent[] = []
  const ended: string[] = []
  core.core.runtime.onOutputs((out) => {
    queueLog.push(...out.queueLog)
    ended.push(...out.ended.map((e) => e.callId))
  })
  return {
    core,
    sip,
    co,
    remote: `127.0.0.1:${sip.port}`,
    queueLog,
    ended,
    trail: (callId) => core.core.runtime.trail(co.id, callId) ?? [],
    stop: () => core.stop(),
  }
}

/**
 * A core with SIP for one test: `fn` runs against it, then (unless `clean` is false) the SIP
 * stack must have nothing left of the calls, and the core stops whatever happened.
 */
async function withCore(
  ...args:
    | [fn: (s: Setup) => Promise<void>]
    | [
        queue: Partial<QueueConfig>,
        options: SetupOptions & { clean?: boolean },
        fn: (s: Setup) => Promise<void>,
      ]
): Promise<void> {
  const [queue, options, fn] = args.length === 1 ? [{}, {}, args[0]] : args
  const { clean = true, ...setupOptions } = options
  const s = await setup(queue, setupOptions)
  try {
    await fn(s)
    if (clean) await expectClean(s)
  } finally {
    await s.stop()
  }
}

/** A sipp answering as the trunk's far end (where outside numbers go). */
function startTrunk(ringMs: number): Promise<SippHandle> {
  return startSipp({
    scenario: 'agent_answer.xml',
    vars: { ring_ms: ringMs },
    traceMessages: true,
    timeoutMs: 30_000,
  })
}

/** A core whose outbound trunk is a sipp far end answering after `ringMs`; see withCore. */
async function withTrunk(
  ringMs: number,
  options: SetupOptions,
  fn: (s: Setup, trunk: SippHandle) => Promise<void>,
): Promise<void> {
  const trunk = await startTrunk(ringMs)
  try {
    await withCore({}, { ...options, outboundPort: trunk.port }, (s) => fn(s, trunk))
  } finally {
    await trunk.stop(1000)
  }
}

/** Registers phones (extension → the port its sipp listens on) and checks they all got in. */
async function register(s: Setup, phones: [ext: string, port: number][]): Promise<void> {
  const result = await runSipp({
    scenario: 'register.xml',
    remote: s.remote,
    csv: phones.map(([ext, port]) => [ext, password(ext), String(port)]),
    calls: phones.length,
    authUri: '127.0.0.1',
    vars: { domain: '127.0.0.1' },
    timeoutMs: 10_000,
  })
  expect(result.code, explainSipp(result)).toBe(0)
  expect(s.sip.registrar.size).toBe(phones.length)
}

/** Nothing of the calls may be left in the SIP stack once their last transactions end. */
async function expectClean(s: Setup): Promise<void> {
  const deadline = Date.now() + 8000
  let counts = s.sip.counts()
  while (Date.now() < deadline) {
    counts = s.sip.counts()
    if (
      counts.transactions.client + counts.transactions.server === 0 &&
      counts.dialogs === 0 &&
      counts.legs === 0 &&
      counts.timers === 0
    )
      break
    await new Promise((r) => setTimeout(r, 100))
  }
  expect(counts).toMatchObject({
    transactions: { client: 0, server: 0 },
    dialogs: 0,
    legs: 0,
    timers: 0,
  })
  const metrics = await (await fetch(`${s.core.url}/metrics`)).text()
  expect(metrics).toMatch(/^sentral_sip_dialogs 0$/m)
  expect(metrics).toMatch(/^sentral_sip_transactions\{kind="server"\} 0$/m)
}

/** Requests of `method` the phone received or sent, each transaction once (not its retransmissions). */
function requests(result: SippResult, method: string): number {
  const seen = new Set<string>()
  for (const message of messagesOf(result)) {
    if (!message.startsWith(`${method} sip:`)) continue
    const callId = /^Call-ID:\s*(.*)$/im.exec(message)?.[1]?.trim()
    const cseq = /^CSeq:\s*(.*)$/im.exec(message)?.[1]?.trim()
    seen.add(`${callId}|${cseq}`)
  }
  return seen.size
}

async function withAgents(
  scenarios: { ext: string; scenario: string; vars?: Record<string, string | number> }[],
  fn: (agents: SippHandle[]) => Promise<void>,
): Promise<SippResult[]> {
  const agents = await Promise.all(
    scenarios.map((a) =>
      startSipp({
        scenario: a.scenario,
        ...(a.vars ? { vars: a.vars } : {}),
        traceMessages: true,
        timeoutMs: 30_000,
      }),
    ),
  )
  try {
    await fn(agents)
  } finally {
    // stopped below
  }
  return Promise.all(agents.map((a) => a.stop(3000)))
}

/** The service (Request-URI user) a trunk caller dials: queue a's number, as the trunk sends it. */
const queueNumber = (s: Setup) => s.co.numbers.queueA.replace('+47', '')

/** Agents registered as the given extensions, each its own sipp phone. */
async function phones(
  s: Setup,
  list: { ext: string; scenario: string; vars?: Record<string, string | number> }[],
): Promise<SippHandle[]> {
  const handles = await Promise.all(
    list.map((a) =>
      startSipp({
        scenario: a.scenario,
        ...(a.vars ? { vars: a.vars } : {}),
        traceMessages: true,
        timeoutMs: 40_000,
      }),
    ),
  )
  await register(
    s,
    list.map((a, i) => [a.ext, handles[i]!.port]),
  )
  return handles
}

/** The desk phones of op1 (202) and op2 (203), each answering after 50 ms. */
function twoOperators(s: Setup): Promise<SippHandle[]> {
  return phones(s, [
    { ext: '202', scenario: 'agent_answer.xml', vars: { ring_ms: 50 } },
    { ext: '203', scenario: 'agent_answer.xml', vars: { ring_ms: 50 } },
  ])
}

/** op1 transfers the call to op2 from the switchboard (blind, or consulting first). */
async function transferToOp2(
  s: Setup,
  op: { socket: Parameters<Setup['core']['command']>[0] },
  callId: string,
  mode: 'blind' | 'consult',
): Promise<void> {
  expect(
    await s.core.command(op.socket, 'call:transfer', {
      callId,
      target: { kind: 'user', userId: s.co.ids.op2 },
      mode,
    }),
  ).toEqual({ data: null })
}

function caller(
  s: Setup,
  scenario: string,
  vars: Record<string, string | number> = {},
  extra: Partial<Parameters<typeof startSipp>[0]> = {},
): Promise<SippHandle> {
  return startSipp({
    scenario,
    remote: s.remote,
    service: queueNumber(s),
    calls: 1,
    vars: { caller_id: '+4791234567', ...vars },
    traceMessages: true,
    timeoutMs: 30_000,
    ...extra,
  })
}

async function finished(handle: SippHandle): Promise<SippResult> {
  const result = await handle.done
  expect(result.code, explainSipp(result)).toBe(0)
  return result
}

/** The one live call of the company (the engine's view), once it is in `state`. */
/** Extension 202's desk phone dials `service` (phone_dial.xml: digest, talk 300 ms, hang up). */
function dialOnPhone(
  s: Setup,
  service: string,
  secret = password('202'),
  timeoutMs = 10_000,
): Promise<SippResult> {
  return runSipp({
    scenario: 'phone_dial.xml',
    remote: s.remote,
    service,
    csv: [['202', secret]],
    calls: 1,
    vars: { hold_ms: 300 },
    traceMessages: true,
    timeoutMs,
  })
}

async function callIn(s: Setup, state: string): Promise<string> {
  const calls = () => [...s.core.core.runtime.state.companies.get(s.co.id)!.calls.values()]
  await until(() => calls().some((c) => c.state === state))
  return calls().find((c) => c.state === state)!.id
}

async function until(check: () => boolean, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out waiting')
    await new Promise((r) => setTimeout(r, 20))
  }
}

/** A description a bare caller offers or answers with, its media on `port`. */
const rawSdp = (port: number) =>
  `v=0\r\no=raw 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio ${port} RTP/AVP 0\r\n`

/**
 * A trunk caller that is a bare UDP socket, for what sipp cannot do (answer a request twice,
 * answer an offer in the ACK): it writes its messages as given and hands over what arrives.
 */
async function rawCaller(s: Setup) {
  const socket = createSocket('udp4')
  const inbox: string[] = []
  const waiters: (() => void)[] = []
  socket.on('message', (data) => {
    inbox.push(data.toString('latin1'))
    for (const wake of waiters.splice(0)) wake()
  })
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve))
  const [host, port] = s.remote.split(':') as [string, string]
  const me = `127.0.0.1:${socket.address().port}`
  const callId = `raw-${Date.now()}@127.0.0.1`
  let taken = 0
  let branches = 0
  const send = (head: string[], body = '') => {
    const text = [...head, `Content-Length: ${Buffer.byteLength(body)}`, '', body].join('\r\n')
    socket.send(Buffer.from(text, 'latin1'), Number(port), host)
  }
  const dialog = (method: string, uri: string, to: string, cseq: number) => [
    `${method} ${uri} SIP/2.0`,
    `Via: SIP/2.0/UDP ${me};branch=z9hG4bK-raw-${++branches};rport`,
    `From: <sip:+4791234567@${me}>;tag=raw1`,
    to,
    `Call-ID: ${callId}`,
    `CSeq: ${cseq} ${method}`,
    `Contact: <sip:caller@${me}>`,
    'Max-Forwards: 70',
  ]
  const sdpHead = (body: string) => (body ? ['Content-Type: application/sdp'] : [])
  return {
    /** INVITE to the queue's number, with an offer or (delayed offer) without. */
    invite(offer: string) {
      const uri = `sip:${queueNumber(s)}@${s.remote}`
      send([...dialog('INVITE', uri, `To: <${uri}>`, 1), ...sdpHead(offer)], offer)
    },
    /** ACK to the 200 for the INVITE, with an answer in it or not. */
    ack(ok: string, answer = '') {
      const to = /^To: .*$/m.exec(ok)![0]
      send([...dialog('ACK', `sip:sentral@${s.remote}`, to, 1), ...sdpHead(answer)], answer)
    },
    /** 200 to a request from the core (its Via, From, To, Call-ID and CSeq echoed). */
    ok(request: string, body = '') {
      const echoed = request.split('\r\n').filter((l) => /^(Via|From|To|Call-ID|CSeq):/i.test(l))
      send(['SIP/2.0 200 OK', ...echoed, `Contact: <sip:caller@${me}>`, ...sdpHead(body)], body)
    },
    /** The next message (after those already taken) that `match` accepts; others are skipped. */
    async next(match: (message: string) => boolean, ms = 5000): Promise<string> {
      const deadline = Date.now() + ms
      for (;;) {
        while (taken < inbox.length) {
          const message = inbox[taken++]!
          if (match(message)) return message
        }
        if (Date.now() > deadline) throw new Error('no such message came')
        await new Promise<void>((resolve) => {
          waiters.push(resolve)
          setTimeout(resolve, 50)
        })
      }
    },
    close: () => socket.close(),
  }
}

/** The first media line's address and port in a message or description ("127.0.0.1 6000"). */
function mediaOf(text: string): string | null {
  const address = /^c=IN IP4 (\S+)/m.exec(text)?.[1]
  const port = /^m=audio (\d+)/m.exec(text)?.[1]
  return address && port ? `${address} ${port}` : null
}

/** A trace cut into its messages (sent and received), in order. */
function messagesOf(result: SippResult): string[] {
  return result.messages.split(/\n(?=[A-Z]+ sip:|SIP\/2\.0 \d)/)
}

/** The media a sipp phone or far end answered with: its last 200 that carries a description. */
function answeredMedia(result: SippResult): string | null {
  const answers = messagesOf(result).filter(
    (m) => m.startsWith('SIP/2.0 200 OK') && /^m=audio/m.test(m),
  )
  return mediaOf(answers.at(-1) ?? '')
}

/** The media of the last description the core sent in a trace (its 200 or a re-INVITE). */
function mediaFromCore(result: SippResult): string | null {
  const fromCore = messagesOf(result).filter((m) => /^o=sentral /m.test(m))
  return mediaOf(fromCore.at(-1) ?? '')
}

/** The session descriptions of the INVITEs in a phone's trace (a caller's own first), in order. */
function offers(result: SippResult): string[] {
  return messagesOf(result)
    .filter((m) => m.startsWith('INVITE sip:'))
    .map((m) => m.slice(m.indexOf('v=0')))
}

describe('SIP with sipp phones and trunk', () => {
  it('registers phones with digest authentication and refuses a wrong password', async () => {
    await withCore({}, { clean: false }, async (s) => {
      await register(s, [
        ['202', 5999],
        ['203', 5998],
      ])
      const wrong = await runSipp({
        scenario: 'register.xml',
        remote: s.remote,
        csv: [['204', 'feil-passord', '5997']],
        calls: 1,
        authUri: '127.0.0.1',
        vars: { domain: '127.0.0.1' },
        timeoutMs: 5000,
      })
      expect(wrong.code).not.toBe(0)
      expect(s.sip.registrar.size).toBe(2)
      const gone = await runSipp({
        scenario: 'register.xml',
        remote: s.remote,
        csv: [['202', password('202'), '5999']],
        calls: 1,
        authUri: '127.0.0.1',
        vars: { domain: '127.0.0.1', expires: 0 },
        timeoutMs: 5000,
      })
      expect(gone.code, explainSipp(gone)).toBe(0)
      expect(s.sip.registrar.size).toBe(1)
      expect(s.sip.registrar.contactsOf(s.co.id, s.co.ids.op2)).toHaveLength(1)
    })
  })

  it('puts a trunk caller through to the first agent of a linear queue; the caller hangs up', async () => {
    await withCore(async (s) => {
      let caller: SippResult | null = null
      const [first, second] = await withAgents(
        [
          { ext: '202', scenario: 'agent_answer.xml', vars: { ring_ms: 100 } },
          { ext: '203', scenario: 'agent_answer.xml', vars: { ring_ms: 100 } },
        ],
        async ([a, b]) => {
          await register(s, [
            ['202', a!.port],
            ['203', b!.port],
          ])
          caller = await runSipp({
            scenario: 'caller.xml',
            remote: s.remote,
            service: s.co.numbers.queueA.replace('+47', ''),
            calls: 1,
            vars: { hold_ms: 300, caller_id: '+4791234567' },
            traceMessages: true,
          })
        },
      )
      expect(caller!.code, explainSipp(caller!)).toBe(0)
      expect(requests(first!, 'INVITE')).toBe(1)
      expect(requests(first!, 'BYE')).toBe(1)
      expect(requests(second!, 'INVITE')).toBe(0)
      // The caller hears ringback while queued, then the agent's own session description.
      expect(caller!.messages).toMatch(/SIP\/2\.0 180 Ringing/)
      expect(s.ended).toHaveLength(1)
      expect(s.trail(s.ended[0]!).find((t) => t.kind === 'offer')).toMatchObject({
        strategy: 'linear',
        chosen: [s.co.ids.op1],
      })
    })
  })

  it('spreads calls over the agents by round-robin', async () => {
    await withCore({}, { strategy: 'round-robin' }, async (s) => {
      const [a, b] = await twoOperators(s)
      for (let i = 0; i < 2; i++) await finished(await caller(s, 'caller.xml', { hold_ms: 100 }))
      const [ra, rb] = await Promise.all([a!.stop(3000), b!.stop(3000)])
      expect([requests(ra, 'INVITE'), requests(rb, 'INVITE')]).toEqual([1, 1])
      const chosen = s.ended.map((id) => s.trail(id).find((t) => t.kind === 'offer'))
      expect(chosen.map((o) => o && 'chosen' in o && o.chosen[0]).sort()).toEqual(
        [s.co.ids.op1, s.co.ids.op2].sort(),
      )
    })
  })

  it('a caller who gives up (CANCEL) is an abandon, and the ringing agent is CANCELled', async () => {
    await withCore({ ringTimeoutSeconds: 20 }, {}, async (s) => {
      const [a] = await phones(s, [{ ext: '202', scenario: 'agent_noanswer.xml' }])
      const c = await caller(s, 'caller_cancel.xml', { cancel_ms: 600 })
      await finished(c)
      await until(() => s.queueLog.some((e) => e.kind === 'abandon'))
      const agent = await a!.stop(3000)
      expect(agent.code, explainSipp(agent)).toBe(0)
      expect(requests(agent, 'CANCEL')).toBe(1)
      expect(s.queueLog.filter((e) => e.kind === 'abandon')).toHaveLength(1)
      expect(s.queueLog.some((e) => e.kind === 'connect')).toBe(false)
    })
  })

  it('an agent who does not answer is CANCELled at the ring timeout and the next one is offered', async () => {
    await withCore({ ringTimeoutSeconds: 1 }, {}, async (s) => {
      const [a, b] = await phones(s, [
        { ext: '202', scenario: 'agent_noanswer.xml' },
        { ext: '203', scenario: 'agent_answer.xml', vars: { ring_ms: 50 } },
      ])
      await finished(await caller(s, 'caller.xml', { hold_ms: 200 }))
      const [ra, rb] = await Promise.all([a!.stop(3000), b!.stop(3000)])
      expect(ra.code, explainSipp(ra)).toBe(0)
      expect(requests(ra, 'CANCEL')).toBe(1)
      expect(requests(rb, 'BYE')).toBe(1)
      const noAnswer = s.queueLog.find((e) => e.kind === 'ring-no-answer')
      expect(noAnswer?.agentId).toBe(s.co.ids.op1)
      expect(s.queueLog.find((e) => e.kind === 'connect')?.agentId).toBe(s.co.ids.op2)
    })
  })

  it('an agent whose phone answers 486 Busy is skipped for the next one', async () => {
    await withCore(async (s) => {
      const [a, b] = await phones(s, [
        { ext: '202', scenario: 'agent_busy.xml' },
        { ext: '203', scenario: 'agent_answer.xml', vars: { ring_ms: 50 } },
      ])
      await finished(await caller(s, 'caller.xml', { hold_ms: 200 }))
      const [ra, rb] = await Promise.all([a!.stop(3000), b!.stop(3000)])
      expect(requests(ra, 'INVITE')).toBe(1)
      expect(requests(rb, 'INVITE')).toBe(1)
      expect(s.queueLog.find((e) => e.kind === 'connect')?.agentId).toBe(s.co.ids.op2)
    })
  })

  it('the agent hangs up: the caller gets BYE', async () => {
    await withCore(async (s) => {
      const [a] = await phones(s, [
        { ext: '202', scenario: 'agent_hangup.xml', vars: { ring_ms: 50, hold_ms: 300 } },
      ])
      const c = await finished(await caller(s, 'caller_wait_bye.xml'))
      expect(requests(c, 'BYE')).toBe(1)
      const agent = await a!.stop(3000)
      expect(agent.code, explainSipp(agent)).toBe(0)
      expect(s.queueLog.some((e) => e.kind === 'complete-agent')).toBe(true)
    })
  })

  it('hold and resume from the caller’s phone pass through to the agent as re-INVITEs', async () => {
    await withCore(async (s) => {
      const [a] = await phones(s, [
        { ext: '202', scenario: 'agent_answer.xml', vars: { ring_ms: 50 } },
      ])
      await finished(await caller(s, 'caller_hold.xml', { hold_ms: 200 }))
      const agent = await a!.stop(3000)
      const sdps = offers(agent)
      expect(sdps).toHaveLength(3)
      expect(sdps[1]).toMatch(/a=sendonly/)
      expect(sdps[2]).toMatch(/a=sendrecv/)
    })
  })

  it('a caller over TCP is answered over the same connection', async () => {
    await withCore(async (s) => {
      const [a] = await phones(s, [
        { ext: '202', scenario: 'agent_answer.xml', vars: { ring_ms: 50 } },
      ])
      const c = await finished(await caller(s, 'caller.xml', { hold_ms: 100 }, { transport: 't1' }))
      expect(c.messages).toMatch(/SIP\/2\.0 200 OK/)
      expect(requests(await a!.stop(3000), 'BYE')).toBe(1)
    })
  })

  it('hold and resume ordered through the API re-INVITE both phones (sendonly, then sendrecv)', async () => {
    await withCore(async (s) => {
      const [a] = await phones(s, [
        { ext: '202', scenario: 'agent_answer.xml', vars: { ring_ms: 50 } },
      ])
      const op = await s.core.client(s.co.usernames.op1)
      const c = await caller(s, 'caller_wait_bye.xml')
      const callId = await callIn(s, 'connected')
      expect(await s.core.command(op.socket, 'call:hold', { callId })).toEqual({ data: null })
      await callIn(s, 'held')
      await until(() => s.sip.b2bua.counts.reinvites === 0)
      expect(await s.core.command(op.socket, 'call:resume', { callId })).toEqual({ data: null })
      await until(() => s.sip.b2bua.counts.reinvites === 0)
      expect(await s.core.command(op.socket, 'call:hangup', { callId })).toEqual({ data: null })
      const result = await finished(c)
      const agent = await a!.stop(3000)
      expect(agent.code, explainSipp(agent)).toBe(0)
      // Each side: its first INVITE, then the hold and the resume.
      for (const sdps of [offers(result).slice(1), offers(agent).slice(1)]) {
        expect(sdps).toHaveLength(2)
        expect(sdps[0]).toMatch(/a=sendonly/)
        expect(sdps[1]).toMatch(/a=sendrecv/)
      }
      expect(requests(result, 'BYE')).toBe(1)
      expect(requests(agent, 'BYE')).toBe(1)
      expect(s.queueLog.map((e) => e.kind)).toEqual(expect.arrayContaining(['hold', 'unhold']))
    })
  })

  it('a re-INVITE whose 200 comes again is acknowledged again with the same ACK (RFC 3261 13.2.2.4)', async () => {
    await withCore(async (s) => {
      const [a] = await phones(s, [
        { ext: '202', scenario: 'agent_answer.xml', vars: { ring_ms: 0 } },
      ])
      // The caller is a bare UDP socket, so it can send a 200 twice (sipp answers a repeated
      // request on its own and would hide the second ACK).
      const raw = await rawCaller(s)
      try {
        raw.invite(rawSdp(7000))
        raw.ack(await raw.next((m) => /^SIP\/2\.0 200 /.test(m) && /^CSeq: 1 INVITE/m.test(m)))
        const callId = await callIn(s, 'connected')
        await until(() => s.sip.b2bua.counts.dialogs === 2 && !busy(s))
        const op = await s.core.client(s.co.usernames.op1)
        expect(await s.core.command(op.socket, 'call:hold', { callId })).toEqual({ data: null })
        const reinvite = await raw.next((m) => /^INVITE sip:/.test(m))
        // Our 200, then the same 200 again once its ACK has come: a retransmission crossing it.
        const cseq = /^CSeq: (\d+)/m.exec(reinvite)![1]!
        const isAck = (m: string) =>
          m.startsWith('ACK ') && new RegExp(`^CSeq: ${cseq} ACK`, 'm').test(m)
        raw.ok(reinvite, rawSdp(7000))
        const first = await raw.next(isAck)
        raw.ok(reinvite, rawSdp(7000))
        const second = await raw.next(isAck)
        expect(second).toBe(first)
        await until(() => !busy(s))
        expect(await s.core.command(op.socket, 'call:hangup', { callId })).toEqual({ data: null })
        raw.ok(await raw.next((m) => /^BYE sip:/.test(m)))
        const agent = await a!.stop(3000)
        expect(agent.code, explainSipp(agent)).toBe(0)
      } finally {
        raw.close()
      }
    })
  })

  it('a trunk caller with a delayed offer (no SDP in the INVITE, its answer in the ACK) is heard by the agent', async () => {
    await withCore(async (s) => {
      const [a] = await phones(s, [
        { ext: '202', scenario: 'agent_answer.xml', vars: { ring_ms: 0 } },
      ])
      const raw = await rawCaller(s)
      try {
        raw.invite('')
        // The core's 200 carries the offer (the agent's media); the caller answers in the ACK.
        const ok = await raw.next((m) => /^SIP\/2\.0 200 /.test(m) && /^CSeq: 1 INVITE/m.test(m))
        expect(ok).toMatch(/^m=audio /m)
        raw.ack(ok, rawSdp(7010))
        const callId = await callIn(s, 'connected')
        await until(() => s.sip.b2bua.counts.dialogs === 2 && !busy(s))
        const op = await s.core.client(s.co.usernames.op1)
        expect(await s.core.command(op.socket, 'call:hangup', { callId })).toEqual({ data: null })
        raw.ok(await raw.next((m) => /^BYE sip:/.test(m)))
        const agent = await a!.stop(3000)
        expect(agent.code, explainSipp(agent)).toBe(0)
        // The agent was first offered a placeholder (nobody's media yet), then the caller's.
        expect(mediaOf(offers(agent).at(-1)!)).toBe('127.0.0.1 7010')
      } finally {
        raw.close()
      }
    })
  })

  it('a blind transfer through the API re-INVITEs the caller towards the new agent and releases the first', async () => {
    await withCore(async (s) => {
      const [a, b] = await twoOperators(s)
      const op = await s.core.client(s.co.usernames.op1)
      const c = await caller(s, 'caller_reinvited.xml', { hold_ms: 300 })
      const callId = await callIn(s, 'connected')
      await transferToOp2(s, op, callId, 'blind')
      const result = await finished(c)
      const [ra, rb] = await Promise.all([a!.stop(3000), b!.stop(3000)])
      expect(requests(ra, 'BYE')).toBe(1)
      expect(requests(rb, 'INVITE')).toBe(1)
      expect(requests(rb, 'BYE')).toBe(1)
      // The caller now talks to the second agent: its description came in the re-INVITE.
      const second = /o=\S+ \S+ \S+ IN IP4 \S+[\s\S]*?m=audio (\d+)/.exec(
        rb.messages.slice(rb.messages.indexOf('SIP/2.0 200 OK')),
      )
      expect(second).not.toBeNull()
      expect(result.messages).toContain(`m=audio ${second![1]}`)
      expect(s.queueLog.some((e) => e.kind === 'transfer')).toBe(true)
    })
  })

  it('an attended transfer through the API: consult, the colleague answers, complete', async () => {
    await withCore(async (s) => {
      const [a, b] = await twoOperators(s)
      const op = await s.core.client(s.co.usernames.op1)
      const colleague = await s.core.client(s.co.usernames.op2)
      const c = await caller(s, 'caller_wait_bye.xml')
      const callId = await callIn(s, 'connected')
      await transferToOp2(s, op, callId, 'consult')
      const engineCall = () => s.core.core.runtime.state.companies.get(s.co.id)!.calls.get(callId)
      await until(() => engineCall()?.consult?.state === 'connected')
      expect(await s.core.command(op.socket, 'call:transfer-complete', { callId })).toEqual({
        data: null,
      })
      await until(
        () => engineCall()?.agentId === s.co.ids.op2 && engineCall()?.state === 'connected',
      )
      // The colleague ends the call from the switchboard: both phones hear BYE.
      expect(await s.core.command(colleague.socket, 'call:hangup', { callId })).toEqual({
        data: null,
      })
      const result = await finished(c)
      const [ra, rb] = await Promise.all([a!.stop(3000), b!.stop(3000)])
      expect(rb.code, explainSipp(rb)).toBe(0)
      // Held while the operator consulted, then connected to the colleague's phone.
      const sdps = offers(result).slice(1)
      expect(sdps[0]).toMatch(/a=sendonly/)
      const answer = /m=audio (\d+)/.exec(rb.messages.slice(rb.messages.indexOf('SIP/2.0 200 OK')))
      expect(sdps.at(-1)).toContain(`m=audio ${answer![1]}`)
      // The colleague first talked with the operator: the consultation offered the operator's.
      const opAnswer = /m=audio (\d+)/.exec(
        ra.messages.slice(ra.messages.indexOf('SIP/2.0 200 OK')),
      )
      expect(offers(rb)[0]).toContain(`m=audio ${opAnswer![1]}`)
      expect(requests(ra, 'BYE')).toBe(1)
      expect(requests(result, 'BYE')).toBe(1)
      expect(requests(rb, 'BYE')).toBe(1)
      expect(s.queueLog.some((e) => e.kind === 'transfer')).toBe(true)
    })
  })

  it('an attended transfer cancelled: the colleague is released and the caller is back with the operator', async () => {
    await withCore(async (s) => {
      const [a, b] = await twoOperators(s)
      const op = await s.core.client(s.co.usernames.op1)
      const c = await caller(s, 'caller_wait_bye.xml')
      const callId = await callIn(s, 'connected')
      await until(() => s.sip.b2bua.counts.dialogs === 2 && !busy(s))
      await transferToOp2(s, op, callId, 'consult')
      const engineCall = () => s.core.core.runtime.state.companies.get(s.co.id)!.calls.get(callId)
      await until(() => engineCall()?.consult?.state === 'connected' && !busy(s))
      expect(await s.core.command(op.socket, 'call:transfer-cancel', { callId })).toEqual({
        data: null,
      })
      await until(
        () =>
          engineCall()?.state === 'connected' &&
          engineCall()?.agentId === s.co.ids.op1 &&
          s.sip.b2bua.counts.dialogs === 2 &&
          !busy(s),
      )
      expect(await s.core.command(op.socket, 'call:hangup', { callId })).toEqual({ data: null })
      const result = await finished(c)
      const [ra, rb] = await Promise.all([a!.stop(3000), b!.stop(3000)])
      expect(ra.code, explainSipp(ra)).toBe(0)
      expect(rb.code, explainSipp(rb)).toBe(0)
      // The colleague's phone: rung for the consultation, then released.
      expect(requests(rb, 'INVITE')).toBe(1)
      expect(requests(rb, 'BYE')).toBe(1)
      // The caller: held during the consultation, then given the operator's phone again.
      const sdps = offers(result).slice(1)
      expect(sdps[0]).toMatch(/a=sendonly/)
      expect(sdps.at(-1)).toMatch(/a=sendrecv/)
      const opMedia = answeredMedia(ra)
      expect(mediaOf(sdps.at(-1)!)).toBe(opMedia)
      // The operator's phone: the call, then the consultation on it, back to the caller at the end.
      expect(offers(ra).at(-1)).toMatch(/a=sendrecv/)
      expect(mediaOf(offers(ra).at(-1)!)).toBe(mediaOf(offers(result)[0]!))
      expect(requests(ra, 'BYE')).toBe(1)
    })
  })

  it('a caller who hangs up during the consultation leaves the operator and the colleague talking, in a call of their own', async () => {
    await withCore(async (s) => {
      const [a, b] = await twoOperators(s)
      const op = await s.core.client(s.co.usernames.op1)
      // Put on hold for the consultation (a re-INVITE), the caller hangs up 1.5 s later.
      const c = await caller(s, 'caller_reinvited.xml', { hold_ms: 1500 })
      const callId = await callIn(s, 'connected')
      await until(() => s.sip.b2bua.counts.dialogs === 2 && !busy(s))
      await transferToOp2(s, op, callId, 'consult')
      const calls = () => [...s.core.core.runtime.state.companies.get(s.co.id)!.calls.values()]
      await until(() => calls().find((c) => c.id === callId)?.consult?.state === 'connected')
      const result = await finished(c)
      expect(requests(result, 'BYE')).toBe(1)
      // The caller's call is over; the two phones still talk, in a new internal call.
      await until(() => !calls().some((c) => c.id === callId) && !busy(s))
      const next = calls().find((c) => c.originatorId === s.co.ids.op1)
      expect(next).toMatchObject({
        direction: 'internal',
        state: 'connected',
        agentId: s.co.ids.op2,
      })
      expect(s.sip.b2bua.counts.dialogs).toBe(2)
      expect(s.queueLog.filter((e) => e.callId === callId).at(-1)?.kind).toBe('complete-caller')
      // The operator ends it from the switchboard: both phones hear BYE, once.
      expect(await s.core.command(op.socket, 'call:hangup', { callId: next!.id })).toEqual({
        data: null,
      })
      await until(() => calls().length === 0)
      const [ra, rb] = await Promise.all([a!.stop(3000), b!.stop(3000)])
      expect(ra.code, explainSipp(ra)).toBe(0)
      expect(rb.code, explainSipp(rb)).toBe(0)
      expect(requests(ra, 'BYE')).toBe(1)
      expect(requests(rb, 'BYE')).toBe(1)
    })
  })

  it('a blind transfer to an outside number: the trunk is called, the caller gets the far end’s media, the operator is released', async () => {
    await withTrunk(100, {}, async (s, trunk) => {
      const [a] = await phones(s, [
        { ext: '202', scenario: 'agent_answer.xml', vars: { ring_ms: 50 } },
      ])
      const op = await s.core.client(s.co.usernames.op1)
      const c = await caller(s, 'caller_reinvited.xml', { hold_ms: 300 })
      const callId = await callIn(s, 'connected')
      await until(() => s.sip.b2bua.counts.dialogs === 2 && !busy(s))
      expect(
        await s.core.command(op.socket, 'call:transfer', {
          callId,
          target: { kind: 'external', number: '+4799887766' },
          mode: 'blind',
        }),
      ).toEqual({ data: null })
      const engineCall = () => s.core.core.runtime.state.companies.get(s.co.id)!.calls.get(callId)
      await until(
        () =>
          engineCall()?.state === 'connected' &&
          engineCall()?.agentId !== s.co.ids.op1 &&
          s.sip.b2bua.counts.dialogs === 2 &&
          !busy(s),
      )
      // The caller hangs up 300 ms after being put through; the far end gets the BYE.
      const result = await finished(c)
      const [ra, rt] = await Promise.all([a!.stop(3000), trunk.stop(3000)])
      expect(ra.code, explainSipp(ra)).toBe(0)
      expect(rt.code, explainSipp(rt)).toBe(0)
      expect(requests(ra, 'BYE')).toBe(1)
      const outside = rt.messages.slice(rt.messages.indexOf('INVITE sip:'))
      expect(outside).toMatch(/^INVITE sip:\+4799887766@127\.0\.0\.1:\d+ SIP\/2\.0/)
      const farMedia = answeredMedia(rt)
      expect(mediaOf(offers(result).at(-1)!)).toBe(farMedia)
      expect(mediaOf(offers(rt)[0]!)).toBe(mediaOf(offers(result)[0]!))
      expect(requests(rt, 'BYE')).toBe(1)
    })
  })

  it('an extra terminal rings through the trunk beside the desk phone; the mobile answers and the desk phone is CANCELled', async () => {
    // The far end (the agent's mobile) answers after 100 ms; the desk phone would ring 5 s.
    await withTrunk(
      100,
      {
        adjust: (co) => {
          co.config.users.find((u) => u.id === co.ids.op1)!.extraTerminal = '+4798765432'
        },
      },
      async (s, trunk) => {
        const [a] = await phones(s, [
          { ext: '202', scenario: 'agent_answer.xml', vars: { ring_ms: 5000 } },
        ])
        const c = await caller(s, 'caller_wait_bye.xml')
        const callId = await callIn(s, 'connected')
        await until(() => s.sip.b2bua.counts.dialogs === 2 && !busy(s))
        expect(s.queueLog.find((e) => e.kind === 'connect')?.agentId).toBe(s.co.ids.op1)
        const op = await s.core.client(s.co.usernames.op1)
        expect(await s.core.command(op.socket, 'call:hangup', { callId })).toEqual({ data: null })
        const result = await finished(c)
        const [ra, rt] = await Promise.all([a!.stop(3000), trunk.stop(3000)])
        expect(ra.code, explainSipp(ra)).toBe(0)
        expect(rt.code, explainSipp(rt)).toBe(0)
        // Both rang; the desk phone was CANCELled when the mobile answered.
        expect(requests(ra, 'INVITE')).toBe(1)
        expect(requests(ra, 'CANCEL')).toBe(1)
        expect(rt.messages).toMatch(/^INVITE sip:\+4798765432@127\.0\.0\.1:\d+ SIP\/2\.0/m)
        const mobileMedia = answeredMedia(rt)
        expect(mediaFromCore(result)).toBe(mobileMedia)
        expect(requests(rt, 'BYE')).toBe(1)
      },
    )
  })

  it('a direct call not answered in time is forwarded through the trunk to the user’s chosen number', async () => {
    await withTrunk(
      100,
      {
        adjust: (co) => {
          co.config.users.find((u) => u.id === co.ids.user)!.forwardOnNoAnswer = {
            to: '+4798000001',
            afterSeconds: 1,
          }
        },
      },
      async (s, trunk) => {
        // Ulla's desk phone would ring for 5 s; after 1 s the call goes to her mobile.
        const [u] = await phones(s, [
          { ext: '201', scenario: 'agent_answer.xml', vars: { ring_ms: 5000 } },
        ])
        const c = await caller(
          s,
          'caller.xml',
          { hold_ms: 300 },
          { service: s.co.numbers.userDirect.replace('+47', '') },
        )
        const result = await finished(c)
        const [ru, rt] = await Promise.all([u!.stop(3000), trunk.stop(3000)])
        expect(ru.code, explainSipp(ru)).toBe(0)
        expect(rt.code, explainSipp(rt)).toBe(0)
        // The desk phone rang and was CANCELled at the forward; the mobile took the call.
        expect(requests(ru, 'INVITE')).toBe(1)
        expect(requests(ru, 'CANCEL')).toBe(1)
        expect(rt.messages).toMatch(/^INVITE sip:\+4798000001@127\.0\.0\.1:\d+ SIP\/2\.0/m)
        const mobileMedia = answeredMedia(rt)
        expect(mediaFromCore(result)).toBe(mobileMedia)
        expect(requests(rt, 'BYE')).toBe(1)
        const callId = s.ended[0]!
        expect(s.trail(callId).map((t) => t.kind)).toContain('forward')
      },
    )
  })

  it('the transfer button of a desk phone (REFER) is the engine’s blind transfer', async () => {
    await withCore(async (s) => {
      const [a, b] = await phones(s, [
        { ext: '202', scenario: 'agent_refer.xml', vars: { refer_ms: 300, target: '203' } },
        { ext: '203', scenario: 'agent_answer.xml', vars: { ring_ms: 50 } },
      ])
      const c = await finished(
        await caller(s, 'caller_reinvited.xml', { hold_ms: 300 }, { timeoutMs: 10_000 }),
      )
      const [ra, rb] = await Promise.all([a!.stop(3000), b!.stop(3000)])
      expect(ra.code, explainSipp(ra)).toBe(0)
      expect(requests(ra, 'NOTIFY')).toBe(1)
      expect(requests(rb, 'BYE')).toBe(1)
      expect(requests(c, 'BYE')).toBe(1)
      const transfer = s.queueLog.find((e) => e.kind === 'transfer')
      expect(transfer?.agentId).toBe(s.co.ids.op1)
    })
  })

  it('an outgoing call from the switchboard rings the operator’s phone, then the number through the trunk with the chosen presented number', async () => {
    await withTrunk(50, {}, async (s, trunk) => {
      const [a] = await phones(s, [
        { ext: '202', scenario: 'agent_answer.xml', vars: { ring_ms: 0 } },
      ])
      const op = await s.core.client(s.co.usernames.op1)
      const refused = await s.core.command(op.socket, 'call:dial', {
        to: '+4799887766',
        presentedNumber: '+4722222222',
      })
      expect(refused).toMatchObject({ error: { code: 'NUMBER_NOT_ALLOWED' } })
      expect(
        await s.core.command(op.socket, 'call:dial', {
          to: '+4799887766',
          presentedNumber: s.co.numbers.queueA,
        }),
      ).toEqual({ data: null })
      const callId = await callIn(s, 'connected')
      // Both dialogs up: the phone's 200 confirms the leg the engine connected at the dial.
      await until(() => s.sip.b2bua.counts.dialogs === 2 && !busy(s))
      expect(await s.core.command(op.socket, 'call:hangup', { callId })).toEqual({ data: null })
      const [ra, rt] = await Promise.all([a!.stop(3000), trunk.stop(3000)])
      expect(ra.code, explainSipp(ra)).toBe(0)
      expect(rt.code, explainSipp(rt)).toBe(0)
      // The operator's phone is told to pick up by itself; the far end sees the queue's number.
      expect(ra.messages).toMatch(/^Call-Info: .*answer-after=0/m)
      const outside = rt.messages.slice(rt.messages.indexOf('INVITE sip:'))
      expect(outside).toMatch(/^INVITE sip:\+4799887766@127\.0\.0\.1:\d+ SIP\/2\.0/)
      expect(outside).toMatch(new RegExp(`^From: .*<sip:\\${s.co.numbers.queueA}@`, 'm'))
      expect(outside).toMatch(
        new RegExp(`^P-Asserted-Identity: <sip:\\${s.co.numbers.queueA}@`, 'm'),
      )
      expect(requests(ra, 'BYE')).toBe(1)
      expect(requests(rt, 'BYE')).toBe(1)
      // Media end to end: each side's last description from the core is the other's answer.
      const phoneMedia = answeredMedia(ra)
      const farMedia = answeredMedia(rt)
      expect(mediaOf(offers(rt).at(-1)!)).toBe(phoneMedia)
      expect(mediaOf(offers(ra).at(-1)!)).toBe(farMedia)
    })
  })

  it('a caller whose phone vanishes is cleaned up by the session timer (RFC 4028)', async () => {
    await withCore({}, { session: { sessionExpires: 3, minSessionExpires: 2 } }, async (s) => {
      const [a] = await phones(s, [
        { ext: '202', scenario: 'agent_answer.xml', vars: { ring_ms: 50 } },
      ])
      const tooShort = await runSipp({
        scenario: 'caller_session.xml',
        remote: s.remote,
        service: queueNumber(s),
        calls: 1,
        vars: { session_s: 1 },
        traceMessages: true,
        timeoutMs: 5000,
      })
      expect(tooShort.messages).toMatch(/SIP\/2\.0 422 Session Interval Too Small/)
      expect(tooShort.messages).toMatch(/^Min-SE: 2/m)
      const c = await finished(await caller(s, 'caller_session.xml', { session_s: 3 }))
      // Never refreshed: the core ends it before the 3 s interval is over (RFC 4028 §10: at
      // the interval less a third, here 2 s after the answer), by the caller's own clock.
      const answered = messageTime(c, /^SIP\/2\.0 200 OK[\s\S]*^CSeq: 1 INVITE/m)
      const bye = messageTime(c, /^BYE sip:/)
      expect(bye - answered).toBeGreaterThan(1500)
      expect(bye - answered).toBeLessThan(3000)
      expect(requests(c, 'BYE')).toBe(1)
      expect(requests(await a!.stop(3000), 'BYE')).toBe(1)
    })
  })

  it('a phone that leaves refreshing the session to the core is re-INVITEd every half interval (RFC 4028 §10)', async () => {
    await withCore(async (s) => {
      const [a] = await phones(s, [
        { ext: '202', scenario: 'agent_session.xml', vars: { session_s: 2 } },
      ])
      await finished(await caller(s, 'caller.xml', { hold_ms: 2600 }))
      const agent = await a!.stop(3000)
      expect(agent.code, explainSipp(agent)).toBe(0)
      // The core sent the INVITE, so refresher=uac is the core: a re-INVITE half an interval
      // after the answer, and again half an interval after each refresh was answered.
      const answered = messageTime(agent, /^SIP\/2\.0 200 OK[\s\S]*^CSeq: 1 INVITE/m)
      const first = messageTime(agent, /^INVITE sip:[\s\S]*^CSeq: 2 INVITE/m)
      const second = messageTime(agent, /^INVITE sip:[\s\S]*^CSeq: 3 INVITE/m)
      expect(first - answered).toBeGreaterThan(800)
      expect(first - answered).toBeLessThan(1600)
      expect(second - first).toBeGreaterThan(800)
      expect(second - first).toBeLessThan(1600)
      // A refresh changes nothing: the same description, the same origin version (RFC 3264 §8).
      const sdps = offers(agent)
      expect(sdps.length).toBeGreaterThanOrEqual(3)
      const lines = (pattern: RegExp) => new Set(sdps.map((sdp) => pattern.exec(sdp)?.[0]))
      expect(lines(/^o=.*$/m)).toEqual(new Set([/^o=.*$/m.exec(sdps[0]!)![0]]))
      expect(lines(/^m=.*$/m).size).toBe(1)
      expect(lines(/^a=(sendrecv|sendonly|recvonly|inactive)/m)).toEqual(new Set(['a=sendrecv']))
      expect(requests(agent, 'BYE')).toBe(1)
    })
  })

  it('a phone that stops answering OPTIONS loses its registration', async () => {
    await withCore({}, { keepaliveMs: 300, clean: false }, async (s) => {
      // Registered where nothing listens: the keepalive's OPTIONS is never answered.
      await register(s, [['202', 9]])
      await until(() => s.sip.registrar.size === 0, 10_000)
      expect(s.sip.registrar.contactsOf(s.co.id, s.co.ids.op1)).toEqual([])
    })
  })

  it('a core that is full refuses new callers with 503 and Retry-After, and keeps the ones it has', async () => {
    await withCore({}, { maxLegs: 1 }, async (s) => {
      const first = await caller(s, 'caller_cancel.xml', { cancel_ms: 1500 })
      await until(() => s.core.core.runtime.state.companies.get(s.co.id)!.calls.size === 1)
      const second = await runSipp({
        scenario: 'caller.xml',
        remote: s.remote,
        service: queueNumber(s),
        calls: 1,
        traceMessages: true,
        timeoutMs: 5000,
      })
      expect(second.code).not.toBe(0)
      expect(second.messages).toMatch(/SIP\/2\.0 503 Service Unavailable/)
      expect(second.messages).toMatch(/^Retry-After: 5/m)
      await finished(first)
      expect(s.queueLog.filter((e) => e.kind === 'enter')).toHaveLength(1)
      const metrics = await (await fetch(`${s.core.url}/metrics`)).text()
      expect(metrics).toMatch(/^sentral_sip_refused_total 1$/m)
    })
  })

  it('an operator picks a waiting caller: their phone is told to answer and the caller is put through', async () => {
    await withCore(async (s) => {
      const [a] = await phones(s, [
        { ext: '202', scenario: 'agent_answer.xml', vars: { ring_ms: 0 } },
      ])
      const op = await s.core.client(s.co.usernames.op1)
      expect(
        await s.core.command(op.socket, 'queue:pause', { queueId: null, reason: 'lunsj' }),
      ).toEqual({ data: null })
      const c = await caller(s, 'caller_wait_bye.xml')
      const callId = await callIn(s, 'queued')
      expect(await s.core.command(op.socket, 'call:pick', { callId })).toEqual({ data: null })
      // The engine connects a pick at once and tells the phone to pick up: the phone's 200
      // confirms it (it is not a second answer to refuse), and the call has both dialogs.
      await until(
        () =>
          liveCall(s, callId)?.state === 'connected' &&
          s.sip.b2bua.counts.dialogs === 2 &&
          !busy(s),
      )
      expect(await s.core.command(op.socket, 'call:hangup', { callId })).toEqual({ data: null })
      const result = await finished(c)
      const agent = await a!.stop(3000)
      expect(agent.code, explainSipp(agent)).toBe(0)
      expect(agent.messages).toMatch(/^Call-Info: .*answer-after=0/m)
      // The phone's only BYE is the hang-up's, after its ACK.
      expect(requests(agent, 'BYE')).toBe(1)
      // The caller, answered at the pick before the phone had answered, is then given the
      // phone's media (a re-INVITE), so the two can hear each other.
      expect(result.messages).toMatch(/^c=IN IP4 0\.0\.0\.0/m)
      const phoneMedia = answeredMedia(agent)
      expect(phoneMedia).not.toBeNull()
      const callerOffers = offers(result)
      expect(callerOffers).toHaveLength(2)
      expect(mediaOf(callerOffers[1]!)).toBe(phoneMedia)
      expect(s.queueLog.find((e) => e.kind === 'connect')?.agentId).toBe(s.co.ids.op1)
    })
  })

  it('answered from the switchboard while the desk phone rings: the phone is told to pick up and the caller is put through', async () => {
    await withCore(async (s) => {
      // The phone would ring for 8 s; told to pick up by itself (answer-after=0) it answers.
      const [a] = await phones(s, [
        { ext: '202', scenario: 'agent_answer.xml', vars: { ring_ms: 8000 } },
      ])
      const op = await s.core.client(s.co.usernames.op1)
      const c = await caller(s, 'caller_wait_bye.xml')
      const callId = await callIn(s, 'queued')
      await until(() => liveCall(s, callId)?.offers.some((o) => o.userId === s.co.ids.op1) ?? false)
      await new Promise((r) => setTimeout(r, 300)) // the phone is ringing (180)
      expect(await s.core.command(op.socket, 'call:answer', { callId })).toEqual({ data: null })
      // The engine connects at once; the phone's answer to the new INVITE joins it to the call.
      await until(
        () =>
          liveCall(s, callId)?.state === 'connected' &&
          s.sip.b2bua.counts.dialogs === 2 &&
          !busy(s),
      )
      expect(await s.core.command(op.socket, 'call:hangup', { callId })).toEqual({ data: null })
      const result = await finished(c)
      const agent = await a!.stop(3000)
      expect(agent.code, explainSipp(agent)).toBe(0)
      // The ringing INVITE was CANCELled, a second one told the phone to pick up.
      expect(requests(agent, 'INVITE')).toBe(2)
      expect(requests(agent, 'CANCEL')).toBe(1)
      const invites = messagesOf(agent).filter((m) => m.startsWith('INVITE sip:'))
      expect(invites[0]).not.toMatch(/^Call-Info:/m)
      expect(invites.at(-1)).toMatch(/^Call-Info: .*answer-after=0/m)
      expect(requests(agent, 'BYE')).toBe(1)
      // The caller hears the phone: its last offer carries the phone's media.
      const phoneMedia = answeredMedia(agent)
      expect(phoneMedia).not.toBeNull()
      expect(mediaOf(offers(result).at(-1)!)).toBe(phoneMedia)
      expect(s.queueLog.find((e) => e.kind === 'connect')?.agentId).toBe(s.co.ids.op1)
    })
  })

  it('answered from the switchboard while two of the operator’s devices ring: only one is told to pick up', async () => {
    await withCore(async (s) => {
      const [a, b] = await phones(s, [
        { ext: '202', scenario: 'agent_answer.xml', vars: { ring_ms: 8000 } },
        { ext: '202', scenario: 'agent_answer.xml', vars: { ring_ms: 8000 } },
      ])
      expect(s.sip.registrar.contactsOf(s.co.id, s.co.ids.op1)).toHaveLength(2)
      const op = await s.core.client(s.co.usernames.op1)
      const c = await caller(s, 'caller_wait_bye.xml')
      const callId = await callIn(s, 'queued')
      await until(() => liveCall(s, callId)?.offers.some((o) => o.userId === s.co.ids.op1) ?? false)
      await new Promise((r) => setTimeout(r, 300)) // both phones are ringing (180)
      expect(await s.core.command(op.socket, 'call:answer', { callId })).toEqual({ data: null })
      await until(
        () =>
          liveCall(s, callId)?.state === 'connected' &&
          s.sip.b2bua.counts.dialogs === 2 &&
          !busy(s),
      )
      expect(await s.core.command(op.socket, 'call:hangup', { callId })).toEqual({ data: null })
      await finished(c)
      const [ra, rb] = await Promise.all([a!.stop(3000), b!.stop(3000)])
      expect(ra.code, explainSipp(ra)).toBe(0)
      expect(rb.code, explainSipp(rb)).toBe(0)
      // Both rang and were CANCELled; one of them got the INVITE to pick up, and the call.
      const told = [ra, rb].filter((r) => /^Call-Info: .*answer-after=0/m.test(r.messages))
      expect(told).toHaveLength(1)
      expect(requests(told[0]!, 'BYE')).toBe(1)
      for (const r of [ra, rb]) expect(requests(r, 'CANCEL')).toBe(1)
      expect(requests(ra, 'INVITE') + requests(rb, 'INVITE')).toBe(3)
    })
  })

  it('a pick whose phone answers busy puts the caller back in the queue, first in line', async () => {
    // The caller leaves at the queue's longest wait, so the test ends without anyone answering.
    await withCore({ maxWaitSeconds: 3 }, {}, async (s) => {
      const [a] = await phones(s, [{ ext: '202', scenario: 'agent_busy.xml' }])
      const op = await s.core.client(s.co.usernames.op1)
      expect(
        await s.core.command(op.socket, 'queue:pause', { queueId: null, reason: 'lunsj' }),
      ).toEqual({ data: null })
      const c = await caller(s, 'caller_wait_bye.xml')
      const callId = await callIn(s, 'queued')
      expect(await s.core.command(op.socket, 'call:pick', { callId })).toEqual({ data: null })
      // The engine had connected the pick; the phone's 486 drops it, and the caller waits again
      // (drop protection) instead of being left with an operator who is not there.
      await until(() => s.trail(callId).some((t) => t.kind === 'requeue'))
      expect(liveCall(s, callId)?.state).toBe('queued')
      const agent = await a!.stop(3000)
      expect(agent.code, explainSipp(agent)).toBe(0)
      expect(agent.messages).toMatch(/SIP\/2\.0 486 Busy Here/)
      // Still waiting until the queue's longest wait: one connect (the pick), no other.
      await finished(c)
      expect(s.queueLog.filter((e) => e.kind === 'connect')).toHaveLength(1)
      expect(s.queueLog.at(-1)?.kind).toMatch(/^exit/)
    })
  })

  it('park and retrieve: the caller is held while parked, the operator’s phone is released and rung back', async () => {
    await withCore(async (s) => {
      const [a] = await phones(s, [
        { ext: '202', scenario: 'agent_answer.xml', vars: { ring_ms: 0 } },
      ])
      const op = await s.core.client(s.co.usernames.op1)
      const c = await caller(s, 'caller_wait_bye.xml')
      const callId = await callIn(s, 'connected')
      await until(() => !busy(s))
      const parked = (await s.core.command(op.socket, 'call:park', { callId })) as {
        data: { slot: number }
      }
      expect(parked.data.slot).toBeGreaterThanOrEqual(0)
      await until(() => liveCall(s, callId)?.state === 'parked' && !busy(s))
      expect(await s.core.command(op.socket, 'call:retrieve', { slot: parked.data.slot })).toEqual({
        data: null,
      })
      // The phone rung back is in the call (its 200 is not refused as a second answer).
      await until(
        () =>
          liveCall(s, callId)?.state === 'connected' &&
          s.sip.b2bua.counts.dialogs === 2 &&
          !busy(s),
      )
      expect(await s.core.command(op.socket, 'call:hangup', { callId })).toEqual({ data: null })
      const result = await finished(c)
      const agent = await a!.stop(3000)
      expect(agent.code, explainSipp(agent)).toBe(0)
      // The operator's phone: the first call, released at the park (BYE), then the retrieve.
      expect(requests(agent, 'INVITE')).toBe(2)
      expect(requests(agent, 'BYE')).toBe(2)
      // The caller: held while parked, then given the operator's phone again.
      const sdps = offers(result).slice(1)
      expect(sdps[0]).toMatch(/a=sendonly/)
      expect(sdps.at(-1)).toMatch(/a=sendrecv/)
    })
  })

  it('outbound trunks are kept alive with OPTIONS and marked down when they stop answering', async () => {
    const { SipEndpoint } = await import('../../../src/core/telephony/sip/endpoint')
    const { SystemClock } = await import('../../../src/core/runtime/clock')
    const pino = (await import('pino')).default
    const peer = new SipEndpoint({
      host: '127.0.0.1',
      port: 0,
      clock: new SystemClock(),
      logger: pino({ level: 'silent' }),
    })
    await peer.listen()
    const alive = await setup({}, { outboundPort: peer.port, keepaliveMs: 200 })
    try {
      await new Promise((r) => setTimeout(r, 1000))
      expect(alive.sip.trunks.trunks.map((t) => t.up)).toEqual([true])
      await peer.close()
      await until(() => alive.sip.trunks.trunks[0]!.up === false, 10_000)
      const metrics = await (await fetch(`${alive.core.url}/metrics`)).text()
      expect(metrics).toMatch(/^sentral_sip_trunk_up\{company="[^"]+",trunk="sipp"\} 0$/m)
    } finally {
      await alive.stop()
      await peer.close()
    }
  })

  it('beside the simulation: a real caller answered by a simulated colleague, who hangs up after talking', async () => {
    await withCore({}, { traffic: quietTraffic }, async (s) => {
      const c = await finished(await caller(s, 'caller_wait_bye.xml'))
      // Nobody registered a phone: the simulation played the agent, who answered and hung up.
      expect(requests(c, 'BYE')).toBe(1)
      expect(s.queueLog.find((e) => e.kind === 'connect')?.agentId).toBe(s.co.ids.op1)
      expect(s.queueLog.some((e) => e.kind === 'complete-agent')).toBe(true)
    })
  })

  it('beside the simulation: a simulated caller put through to a real phone hangs up after talking', async () => {
    await withCore({}, { traffic: quietTraffic }, async (s) => {
      const [a] = await phones(s, [
        { ext: '202', scenario: 'agent_answer.xml', vars: { ring_ms: 50 } },
      ])
      s.core.core.simulations.get(s.co.id)!.call('+4790000001', s.co.numbers.queueA, 60_000)
      await until(() => s.queueLog.some((e) => e.kind === 'complete-caller'), 10_000)
      const agent = await a!.stop(3000)
      expect(agent.code, explainSipp(agent)).toBe(0)
      expect(requests(agent, 'INVITE')).toBe(1)
      expect(requests(agent, 'BYE')).toBe(1)
      expect(s.queueLog.find((e) => e.kind === 'connect')?.agentId).toBe(s.co.ids.op1)
    })
  })

  it('a call dialled on a desk phone: digest-checked, placed through the trunk with the user’s number, answered with the far end’s SDP', async () => {
    await withTrunk(100, {}, async (s, trunk) => {
      const wrong = await dialOnPhone(s, '99887766', 'feil-passord', 5000)
      expect(wrong.code).not.toBe(0)
      const phone = await dialOnPhone(s, '99887766')
      expect(phone.code, explainSipp(phone)).toBe(0)
      expect(phone.messages).toMatch(/SIP\/2\.0 401 Unauthorized/)
      expect(phone.messages).toMatch(/SIP\/2\.0 180 Ringing/)
      const far = await trunk.stop(3000)
      expect(far.code, explainSipp(far)).toBe(0)
      const outside = far.messages.slice(far.messages.indexOf('INVITE sip:'))
      expect(outside).toMatch(/^INVITE sip:\+4799887766@127\.0\.0\.1:\d+ SIP\/2\.0/)
      // op1 may present queue a's number (the first they may present).
      expect(outside).toMatch(
        new RegExp(`^P-Asserted-Identity: <sip:\\${s.co.numbers.queueA}@`, 'm'),
      )
      // The phone's own description went to the far end, and the far end's came back.
      expect(offers(far)[0]).toContain('o=')
      expect(outside).toMatch(/^m=audio \d+/m)
      const farPort = /m=audio (\d+)/.exec(
        far.messages.slice(far.messages.indexOf('SIP/2.0 200 OK')),
      )![1]
      // Only the call with the right password reached the trunk.
      expect(requests(far, 'INVITE')).toBe(1)
      expect(requests(far, 'BYE')).toBe(1)
      expect(okTo(phone, '2 INVITE')).toContain(`m=audio ${farPort}`)
    })
  })

  it('a colleague’s extension dialled on a desk phone rings the colleague’s phone', async () => {
    await withCore(async (s) => {
      const [b] = await phones(s, [
        { ext: '203', scenario: 'agent_answer.xml', vars: { ring_ms: 100 } },
      ])
      const phone = await dialOnPhone(s, '203')
      expect(phone.code, explainSipp(phone)).toBe(0)
      const colleague = await b!.stop(3000)
      expect(colleague.code, explainSipp(colleague)).toBe(0)
      expect(requests(colleague, 'INVITE')).toBe(1)
      expect(requests(colleague, 'BYE')).toBe(1)
      // Each phone was given the other's description.
      const colleaguePort = /m=audio (\d+)/.exec(
        colleague.messages.slice(colleague.messages.indexOf('SIP/2.0 200 OK')),
      )![1]
      expect(okTo(phone, '2 INVITE')).toContain(`m=audio ${colleaguePort}`)
      expect(s.ended).toHaveLength(1)
    })
  })
})

/** A simulation that sends no callers of its own, whose people answer in a second and talk 2 s. */
const quietTraffic: TrafficProfile = {
  ...defaultTraffic,
  arrivals: [],
  answerSeconds: { mean: 1, sd: 0 },
  talkSeconds: { mean: 2, sd: 0 },
  noAnswerRate: 0,
  rejectRate: 0,
}

/** The 200 OK a phone received (or sent) for the request with this CSeq, e.g. '2 INVITE'. */
function okTo(result: SippResult, cseq: string): string {
  const found = messagesOf(result).find(
    (m) => m.startsWith('SIP/2.0 200') && new RegExp(`^CSeq: ${cseq}\\s*$`, 'm').test(m),
  )
  if (!found) throw new Error(`no 200 for ${cseq}`)
  return found
}

/** When sipp logged the first message matching `pattern` (its trace stamps each one), in ms. */
function messageTime(result: SippResult, pattern: RegExp): number {
  const parts = result.messages.split(/^-{10,} (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+)\s*$/m)
  for (let i = 1; i + 1 < parts.length; i += 2)
    // Each message follows a line such as "UDP message received [300] bytes :".
    if (pattern.test(parts[i + 1]!.trim().replace(/^.*message.*\n+/, '')))
      return Date.parse(parts[i]!.replace(' ', 'T') + 'Z')
  throw new Error(`no message like ${pattern} in the trace`)
}

/** The engine's view of a call, or undefined once it has ended. */
function liveCall(s: Setup, callId: string) {
  return s.core.core.runtime.state.companies.get(s.co.id)!.calls.get(callId)
}

/** Whether the core still has re-INVITEs to send or answers to wait for. */
function busy(s: Setup): boolean {
  return s.sip.b2bua.counts.reinvites > 0
}
