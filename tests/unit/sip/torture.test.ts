/**
 * RFC 4475's 49 torture messages, as published (tests/fixtures/rfc4475), through the parser
 * and the user agent server's request checks: the valid ones parse and are handled, the
 * invalid ones get the response the RFC names or are dropped, and nothing ever throws —
 * whether a message arrives whole in a datagram or in pieces on a stream.
 */
import { readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { header, type SipMessage } from '../../../src/core/telephony/sip/message'
import {
  parseMessage,
  StreamFramer,
  type ParseResult,
} from '../../../src/core/telephony/sip/parser'
import { checkRequest, digestCredentials } from '../../../src/core/telephony/sip/request-checks'
import { answerable, responseFor, serialize } from '../../../src/core/telephony/sip/serializer'

const dir = join(__dirname, '../../fixtures/rfc4475')

/** What a user agent server does with a message: process it, answer with a status, or drop it. */
type Outcome = 'process' | 'response' | 'drop' | number

/** RFC 4475 §3, per message; where the RFC allows several outcomes, any listed one passes. */
const expected: Record<string, Outcome[]> = {
  wsinv: ['process'], // 3.1.1.1
  intmeth: [501], // 3.1.1.2
  esc01: ['process'], // 3.1.1.3
  escnull: ['process'], // 3.1.1.4
  esc02: [501], // 3.1.1.5: RE%47IST%45R is not REGISTER
  lwsdisp: ['process'], // 3.1.1.6
  longreq: ['process'], // 3.1.1.7
  dblreq: ['process'], // 3.1.1.8
  semiuri: ['process'], // 3.1.1.9
  transports: ['process'], // 3.1.1.10
  // 3.1.1.11 is about the multipart body; the method is MESSAGE, which a switchboard's user
  // agent does not take: parsed, then refused with 405 and Allow.
  mpart01: ['process', 405],
  unreason: ['response'], // 3.1.1.12
  noreason: ['response'], // 3.1.1.13
  badinv01: [400], // 3.1.2.1
  clerr: [400], // 3.1.2.2
  ncl: [400], // 3.1.2.3
  scalar02: [400], // 3.1.2.4
  scalarlg: ['drop'], // 3.1.2.5
  quotbal: [400], // 3.1.2.6
  ltgtruri: [400], // 3.1.2.7
  lwsruri: [400], // 3.1.2.8
  lwsstart: [400, 'process'], // 3.1.2.9
  trws: [400, 'process'], // 3.1.2.10
  escruri: [400], // 3.1.2.11
  baddate: [400, 'process'], // 3.1.2.12
  regbadct: [400], // 3.1.2.13
  badaspec: [400], // 3.1.2.14
  baddn: [400], // 3.1.2.15
  badvers: [505], // 3.1.2.16
  mismatch01: [400], // 3.1.2.17
  mismatch02: [400, 501], // 3.1.2.18
  bigcode: ['drop'], // 3.1.2.19
  badbranch: ['process'], // 3.2.1
  insuf: [400], // 3.3.1
  unkscm: [416], // 3.3.2
  novelsc: [416], // 3.3.3
  unksm2: ['process'], // 3.3.4
  bext01: [420], // 3.3.5
  invut: [415], // 3.3.6
  regaut01: ['process'], // 3.3.7: processed as unauthenticated (challenged by the registrar)
  multi01: [400], // 3.3.8
  mcl01: [400], // 3.3.9
  bcast: ['response'], // 3.3.10: parsed; no client transaction matches it, so it is dropped there
  zeromf: ['process'], // 3.3.11: Max-Forwards 0 reaches an endpoint normally
  cparam01: ['process'], // 3.3.12
  cparam02: ['process'], // 3.3.13
  regescrt: ['process'], // 3.3.14
  sdp01: [406], // 3.3.15
  inv2543: ['process'], // 3.4.1
}

const files = readdirSync(dir)
  .filter((f) => f.endsWith('.msg'))
  .map((f) => f.slice(0, -4))
  .sort()

function outcomeOf(result: ParseResult): { outcome: Outcome; message?: SipMessage } {
  if (result.kind === 'drop') return { outcome: 'drop' }
  if (result.kind === 'reject') return { outcome: result.status }
  const message = result.message
  if (message.kind === 'response') return { outcome: 'response', message }
  const refusal = checkRequest(message)
  return { outcome: refusal ? refusal.status : 'process', message }
}

describe('RFC 4475 torture messages', () => {
  it('are all here: the 49 messages of appendix A, each with an expected outcome', () => {
    expect(files).toHaveLength(49)
    expect(files.sort()).toEqual(Object.keys(expected).sort())
  })

  for (const name of files) {
    it(`${name}: ${expected[name]!.join(' or ')}`, () => {
      const data = readFileSync(join(dir, `${name}.msg`))
      const result = parseMessage(data, 'datagram')
      const { outcome } = outcomeOf(result)
      expect(expected[name]).toContain(outcome)
      // A rejected request can always be answered: what the response must copy survived.
      if (result.kind === 'reject' && name !== 'insuf')
        expect(answerable(result.headers)).toBe(true)
    })
  }

  it('answers what the sender needs to do better: Allow with 501, Unsupported with 420, Accept with 415 and 406', () => {
    const refusal = (name: string) => {
      const r = parseMessage(readFileSync(join(dir, `${name}.msg`)))
      if (r.kind !== 'message' || r.message.kind !== 'request')
        throw new Error(`${name} did not parse`)
      return checkRequest(r.message)!
    }
    expect(refusal('intmeth').headers.find((h) => h.name === 'Allow')?.value).toContain('INVITE')
    expect(refusal('bext01').headers).toContainEqual({
      name: 'Unsupported',
      value: 'nothingSupportsThis, nothingSupportsThisEither',
    })
    expect(refusal('invut').headers.find((h) => h.name === 'Accept')?.value).toContain(
      'application/sdp',
    )
    expect(refusal('sdp01').status).toBe(406)
  })

  it('reads what the valid ones say: unfolded values, compact names, escapes, the first of two messages', () => {
    const parse = (name: string) => {
      const r = parseMessage(readFileSync(join(dir, `${name}.msg`)))
      if (r.kind !== 'message') throw new Error(`${name}: ${JSON.stringify(r)}`)
      return r
    }
    const wsinv = parse('wsinv').message
    expect(header(wsinv, 'Max-Forwards')).toBe('0068')
    expect(header(wsinv, 'Call-ID')).toBe('wsinv.ndaksdj@192.0.2.1')
    expect(header(wsinv, 'CSeq')).toBe('0009 INVITE')
    expect(wsinv.headers.filter((h) => h.name === 'Via')).toHaveLength(2) // `v:` is Via
    expect(header(wsinv, 'NewFangledHeader')).toBe('newfangled value continued newfangled value')
    expect(wsinv.body.toString()).toMatch(/^v=0\r\n/)
    expect(wsinv.body).toHaveLength(150)
    const dbl = parse('dblreq')
    expect(dbl.message.body).toHaveLength(0)
    expect(dbl.extra).toBeGreaterThan(0)
    expect(parse('noreason').message).toMatchObject({ kind: 'response', status: 100, reason: '' })
    const esc02 = parse('esc02').message
    expect(esc02.headers.filter((h) => h.name === 'Contact')).toHaveLength(2) // C%6Fntact is not Contact
    expect(esc02.kind === 'request' && esc02.method).toBe('RE%47IST%45R')
  })

  it('sees an unknown authorization scheme as no credentials (the registrar challenges)', () => {
    const r = parseMessage(readFileSync(join(dir, 'regaut01.msg')))
    if (r.kind !== 'message') throw new Error('regaut01 did not parse')
    expect(digestCredentials(header(r.message, 'Authorization')!)).toBeNull()
    expect(
      digestCredentials(
        'Digest username="bob", realm="atlanta.example.com", nonce="ea9c8e88", uri="sip:ss2.biloxi.example.com", response="dfe56131d1958046689d83306477ecc"',
      ),
    ).toEqual(
      new Map([
        ['username', 'bob'],
        ['realm', 'atlanta.example.com'],
        ['nonce', 'ea9c8e88'],
        ['uri', 'sip:ss2.biloxi.example.com'],
        ['response', 'dfe56131d1958046689d83306477ecc'],
      ]),
    )
  })

  it('serialises every valid one so that it parses again to the same message', () => {
    for (const name of files) {
      const r = parseMessage(readFileSync(join(dir, `${name}.msg`)))
      if (r.kind !== 'message') continue
      const again = parseMessage(serialize(r.message), 'stream')
      expect(again.kind, name).toBe('message')
      if (again.kind !== 'message') continue
      expect(
        again.message.headers.filter((h) => h.name !== 'Content-Length'),
        name,
      ).toEqual(r.message.headers.filter((h) => h.name !== 'Content-Length'))
      expect(again.message.body.equals(r.message.body), name).toBe(true)
    }
  })

  it('builds a 400 that copies Via, From, To (with a tag), Call-ID and CSeq from a broken request', () => {
    const r = parseMessage(readFileSync(join(dir, 'clerr.msg')))
    if (r.kind !== 'reject') throw new Error('clerr parsed')
    const response = responseFor(r, 400, 'Bad Request', { toTag: 'x1' })
    const again = parseMessage(serialize(response))
    expect(
      again.kind === 'message' && again.message.kind === 'response' && again.message.status,
    ).toBe(400)
    expect(header(response, 'To')).toBe('sip:j.user@example.com;tag=x1')
    expect(header(response, 'Call-ID')).toBe('clerr.0ha0isndaksdjweiafasdk3')
    expect(header(response, 'Via')).toBe('SIP/2.0/UDP host5.example.com;branch=z9hG4bK-39234-23523')
  })

  it('frames every message on a stream, arriving one octet at a time, without throwing', () => {
    for (const name of files) {
      const data = readFileSync(join(dir, `${name}.msg`))
      const framer = new StreamFramer()
      const results: ParseResult[] = []
      for (let i = 0; i < data.length; i++) results.push(...framer.push(data.subarray(i, i + 1)))
      // Either a message (or its rejection) came out, or the stream was refused as unframeable.
      expect(results.length > 0 || framer.error === null, name).toBe(true)
    }
  })

  it('frames two messages in one stream segment, and keep-alive blank lines between them', () => {
    const one = readFileSync(join(dir, 'zeromf.msg'))
    const framer = new StreamFramer()
    const results = framer.push(Buffer.concat([one, Buffer.from('\r\n\r\n'), one]))
    expect(results.map((r) => r.kind)).toEqual(['message', 'message'])
  })
})
