/**
 * RFC 4475's torture messages sent to a live endpoint over real UDP and TCP sockets: each gets
 * the answer the RFC names (or none, for responses and the unreadable), the listener survives
 * all of them, and answers an ordinary OPTIONS normally afterwards.
 */
import { createSocket } from 'node:dgram'
import { readFileSync, readdirSync } from 'node:fs'
import { connect } from 'node:net'
import { join } from 'node:path'
import pino from 'pino'
import { afterAll, describe, expect, it } from 'vitest'
import { SystemClock } from '../../../src/core/runtime/clock'
import { SipEndpoint } from '../../../src/core/telephony/sip/endpoint'

const dir = join(__dirname, '../../fixtures/rfc4475')
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.msg'))
  .map((f) => f.slice(0, -4))
  .sort()

/** The statuses that say "your request was broken or asked for what is not here". */
const refusals = new Set([400, 505, 416, 420, 415, 406])

/** Per message: the final status expected, 'handled' (a final answer that is not a refusal), or 'none'. */
const expected: Record<string, (number | 'handled' | 'none')[]> = {
  wsinv: ['handled'],
  intmeth: [501],
  esc01: ['handled'],
  escnull: ['handled'],
  esc02: [501],
  lwsdisp: ['handled'],
  longreq: ['handled'],
  dblreq: ['handled'],
  semiuri: ['handled'],
  transports: ['handled'],
  mpart01: ['handled', 405],
  unreason: ['none'],
  noreason: ['none'],
  badinv01: [400],
  clerr: [400],
  ncl: [400],
  scalar02: [400],
  scalarlg: ['none'],
  quotbal: [400],
  ltgtruri: [400],
  lwsruri: [400],
  lwsstart: [400, 'handled'],
  trws: [400, 'handled'],
  escruri: [400],
  baddate: [400, 'handled'],
  regbadct: [400],
  badaspec: [400],
  baddn: [400],
  badvers: [505],
  mismatch01: [400],
  mismatch02: [400, 501],
  bigcode: ['none'],
  badbranch: ['handled'],
  insuf: ['none'], // no To, From or Call-ID to address a response with
  unkscm: [416],
  novelsc: [416],
  unksm2: ['handled'],
  bext01: [420],
  invut: [415],
  regaut01: ['handled'],
  multi01: [400],
  mcl01: [400],
  bcast: ['none'],
  zeromf: ['handled'],
  cparam01: ['handled'],
  cparam02: ['handled'],
  regescrt: ['handled'],
  sdp01: [406],
  inv2543: ['handled'],
}

let endpoint: SipEndpoint

/**
 * A fresh endpoint per message: several torture messages share a branch and sent-by (novelsc
 * and unkscm, the cparam and reg* pairs), which makes them, rightly, one transaction (§17.2.3),
 * and the same message over TCP would be a retransmission of its UDP copy.
 */
async function withFreshEndpoint<T>(fn: () => Promise<T>): Promise<T> {
  endpoint = new SipEndpoint({
    host: '127.0.0.1',
    port: 0,
    clock: new SystemClock(),
    logger: pino({ level: 'silent' }),
  })
  await endpoint.listen()
  try {
    return await fn()
  } finally {
    await endpoint.close()
  }
}

/**
 * Status and Call-ID read leniently: a 400 copies the broken request's headers (badaspec's
 * spaced URI, quotbal's open quote), so it would not pass this parser's own checks.
 */
function statusOf(reply: Buffer): { status: number; callId: string } | null {
  const text = reply.toString('latin1')
  const status = /^SIP\/2\.0 (\d{3})/.exec(text)
  if (!status) return null
  return { status: Number(status[1]), callId: callIdOf(reply) ?? 'none' }
}

const callIdOf = (data: Buffer) =>
  /^(?:call-id|i)[ \t]*:[ \t]*(\S+)/im.exec(data.toString('latin1'))?.[1] ?? null

function classify(statuses: number[]): number | 'handled' | 'none' {
  const final = statuses.find((s) => s >= 200)
  if (final === undefined) return 'none'
  return refusals.has(final) || final === 501 || final === 405 ? final : 'handled'
}

/**
 * One client socket for the whole suite (a new one could get a recent one's port and hear the
 * retransmitted answers meant for it); answers are told apart by Call-ID.
 */
const udpClient = createSocket('udp4')
const udpWaiting = new Map<string, (status: number) => void>()
udpClient.on('message', (reply) => {
  const r = statusOf(reply)
  if (r) udpWaiting.get(r.callId)?.(r.status)
})
afterAll(() => udpClient.close())

function overUdp(data: Buffer, waitMs = 150): Promise<number[]> {
  return new Promise((resolve) => {
    const callId = callIdOf(data) ?? 'none'
    const statuses: number[] = []
    const done = () => {
      clearTimeout(timer)
      udpWaiting.delete(callId)
      resolve(statuses)
    }
    const timer = setTimeout(done, waitMs)
    udpWaiting.set(callId, (status) => {
      statuses.push(status)
      if (status >= 200) done()
    })
    udpClient.send(data, endpoint.port, '127.0.0.1')
  })
}

function overTcp(data: Buffer, waitMs = 150): Promise<number[]> {
  return new Promise((resolve) => {
    const socket = connect(endpoint.port, '127.0.0.1')
    const statuses: number[] = []
    let received = Buffer.alloc(0)
    const done = () => {
      clearTimeout(timer)
      socket.destroy()
      resolve(statuses)
    }
    const timer = setTimeout(done, waitMs)
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk])
      // Every answer here is header-only (Content-Length: 0): split at the blank lines.
      const replies = received.toString('latin1').split('\r\n\r\n').slice(0, -1)
      statuses.length = 0
      for (const reply of replies) {
        const r = statusOf(Buffer.from(reply, 'latin1'))
        if (r) statuses.push(r.status)
      }
      if (statuses.some((st) => st >= 200)) done()
    })
    socket.on('close', done)
    socket.on('error', done)
    socket.write(data)
  })
}

const options = (branch: string) =>
  Buffer.from(
    [
      'OPTIONS sip:core@127.0.0.1 SIP/2.0',
      `Via: SIP/2.0/UDP 127.0.0.1:5999;branch=z9hG4bK-${branch}`,
      'From: <sip:tester@example.com>;tag=t1',
      'To: <sip:core@127.0.0.1>',
      `Call-ID: ${branch}@example.com`,
      'CSeq: 1 OPTIONS',
      'Max-Forwards: 70',
      'Content-Length: 0',
      '',
      '',
    ].join('\r\n'),
  )

describe('the live UDP listener', () => {
  for (const name of files)
    it(`${name}: ${expected[name]!.join(' or ')}`, async () => {
      const statuses = await withFreshEndpoint(() =>
        overUdp(readFileSync(join(dir, `${name}.msg`))),
      )
      expect(expected[name]).toContain(classify(statuses))
    })

  it('survives all of them in a row, and answers an ordinary OPTIONS with 200 afterwards', async () => {
    await withFreshEndpoint(async () => {
      for (const name of files) await overUdp(readFileSync(join(dir, `${name}.msg`)), 20)
      expect(await overUdp(options('after-udp'), 2000)).toEqual([200])
    })
  })
})

describe('the live TCP listener', () => {
  for (const name of files)
    it(`${name}: as over UDP, or nothing where a stream cannot be framed`, async () => {
      const data = readFileSync(join(dir, `${name}.msg`))
      const got = classify(await withFreshEndpoint(() => overTcp(data)))
      // Without a usable Content-Length a stream cannot be framed (§18.3): the connection is
      // closed, or (a length longer than what came) the core waits for the rest.
      // (baddn's file ends without the blank line after its headers: it never ends on a stream.)
      const text = data.toString('latin1')
      const unframeable =
        !/\r\n(content-length|l)[ \t]*:[ \t]*\d+\r\n/i.test(text) || !text.includes('\r\n\r\n')
      const short = name === 'clerr'
      if (unframeable || short) expect(['none', 400]).toContain(got)
      else expect(expected[name]).toContain(got)
    })

  it('survives all of them in a row, and answers an ordinary OPTIONS with 200 afterwards', async () => {
    await withFreshEndpoint(async () => {
      for (const name of files) await overTcp(readFileSync(join(dir, `${name}.msg`)), 20)
      expect(await overTcp(options('after-tcp'), 2000)).toEqual([200])
    })
  })
})
