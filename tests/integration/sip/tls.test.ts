/**
 * SIP over TLS (RFC 3261 §26.2): with a certificate configured, the endpoint also listens for
 * TLS, frames the stream like TCP, answers over the same connection, and names the transport.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { connect } from 'node:tls'
import pino from 'pino'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { SystemClock } from '../../../src/core/runtime/clock'
import { SipEndpoint } from '../../../src/core/telephony/sip/endpoint'
import { selfSignedCertificate } from '../../helpers/certificate'

const dir = mkdtempSync(join(tmpdir(), 'sentral-sip-tls-'))
let endpoint: SipEndpoint

beforeAll(async () => {
  endpoint = new SipEndpoint({
    host: '127.0.0.1',
    port: 0,
    clock: new SystemClock(),
    logger: pino({ level: 'silent' }),
    tls: { ...selfSignedCertificate(dir), port: 0 },
  })
  await endpoint.listen()
})

afterAll(async () => {
  await endpoint.close()
  rmSync(dir, { recursive: true, force: true })
})

it('answers OPTIONS over TLS on the same connection, two requests in one write', async () => {
  const port = endpoint.transport.securePort
  expect(port).toBeGreaterThan(0)
  expect(port).not.toBe(endpoint.port)
  const options = (n: number) =>
    [
      `OPTIONS sip:127.0.0.1:${port};transport=tls SIP/2.0`,
      `Via: SIP/2.0/TLS 127.0.0.1:5999;branch=z9hG4bKtls${n}`,
      'From: <sip:test@127.0.0.1>;tag=t1',
      'To: <sip:127.0.0.1>',
      `Call-ID: tls-${n}@127.0.0.1`,
      `CSeq: ${n} OPTIONS`,
      'Max-Forwards: 70',
      'Content-Length: 0',
      '',
      '',
    ].join('\r\n')
  const socket = connect({ host: '127.0.0.1', port, rejectUnauthorized: false })
  const text = await new Promise<string>((resolve, reject) => {
    let received = ''
    socket.on('secureConnect', () => socket.write(options(1) + options(2)))
    socket.on('data', (chunk: Buffer) => {
      received += chunk.toString('utf8')
      if ((received.match(/SIP\/2\.0 200 OK/g) ?? []).length === 2) resolve(received)
    })
    socket.on('error', reject)
    setTimeout(() => reject(new Error(`no answer over TLS: ${received}`)), 5000)
  })
  socket.destroy()
  expect(text).toMatch(/CSeq: 1 OPTIONS/)
  expect(text).toMatch(/CSeq: 2 OPTIONS/)
  expect(text).toMatch(/^Allow: .*INVITE/m)
})
