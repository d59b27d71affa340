/**
 * Transactions against RFC 3261 §17's timers, on a virtual clock: what is retransmitted when,
 * when a transaction gives up, what it absorbs, and that each one is gone when it ends.
 */
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { describe, expect, it } from 'vitest'
import { VirtualClock } from '../../../src/core/runtime/clock'
import { CountingClock } from '../../../src/core/telephony/sip/sip-stack'
import type { SipMessage, SipRequest, SipResponse } from '../../../src/core/telephony/sip/message'
import { header } from '../../../src/core/telephony/sip/message'
import { parseMessage } from '../../../src/core/telephony/sip/parser'
import { responseFor } from '../../../src/core/telephony/sip/serializer'
import { TransactionLayer } from '../../../src/core/telephony/sip/transactions/transaction-layer'
import { forgetRemembered } from '../../../src/core/telephony/sip/grammar'
import type { TransactionTransport } from '../../../src/core/telephony/sip/transactions/timers'

function request(method: string, branch = 'z9hG4bK-test-1'): SipRequest {
  return {
    kind: 'request',
    method,
    uri: 'sip:agent@192.0.2.10',
    version: 'SIP/2.0',
    headers: [
      { name: 'Via', value: `SIP/2.0/UDP 192.0.2.1:5060;branch=${branch}` },
      { name: 'From', value: '<sip:core@example.com>;tag=a1' },
      { name: 'To', value: '<sip:agent@example.com>' },
      { name: 'Call-ID', value: 'call-1@example.com' },
      { name: 'CSeq', value: `1 ${method}` },
      { name: 'Max-Forwards', value: '70' },
    ],
    body: Buffer.alloc(0),
  }
}

function response(to: SipRequest, status: number): SipResponse {
  return responseFor(to, status, 'x', { toTag: 'b2' }) as SipResponse
}

function readBack(message: SipMessage | Buffer): SipMessage {
  if (!Buffer.isBuffer(message)) return message
  const parsed = parseMessage(message, 'datagram')
  if (parsed.kind !== 'message') throw new Error(`sent bytes that do not parse: ${parsed.kind}`)
  return parsed.message
}

function setup(reliable = false) {
  const clock = new VirtualClock(0)
  const sent: { at: number; message: SipMessage }[] = []
  const transport: TransactionTransport = {
    reliable,
    // What a transaction keeps to send again, it sends as bytes: read them back.
    send: (message) => sent.push({ at: clock.now(), message: readBack(message) }),
  }
  const layer = new TransactionLayer(clock)
  const heard: (number | 'timeout')[] = []
  const user = {
    onResponse: (r: SipResponse) => heard.push(r.status),
    onTimeout: () => heard.push('timeout'),
  }
  const sentAt = (what: (m: SipMessage) => boolean) =>
    sent.filter((s) => what(s.message)).map((s) => s.at / 1000)
  return { clock, sent, transport, layer, heard, user, sentAt }
}

const isRequest = (method: string) => (m: SipMessage) => m.kind === 'request' && m.method === method

describe('an INVITE client transaction', () => {
  it('over UDP, unanswered, is sent at 0, 0.5, 1.5, 3.5, 7.5, 15.5 and 31.5 s and times out at 32 s', () => {
    const { clock, transport, layer, heard, user, sentAt } = setup()
    layer.send(request('INVITE'), transport, user)
    clock.advanceTo(31_999)
    expect(heard).toEqual([])
    clock.advanceTo(32_000)
    expect(sentAt(isRequest('INVITE'))).toEqual([0, 0.5, 1.5, 3.5, 7.5, 15.5, 31.5])
    expect(heard).toEqual(['timeout'])
    clock.advanceTo(100_000)
    expect(sentAt(isRequest('INVITE'))).toHaveLength(7)
    expect(layer.size).toEqual({ client: 0, server: 0 })
  })

  it('over TCP is sent once and still times out at 32 s', () => {
    const { clock, transport, layer, heard, user, sentAt } = setup(true)
    layer.send(request('INVITE'), transport, user)
    clock.advanceTo(32_000)
    expect(sentAt(isRequest('INVITE'))).toEqual([0])
    expect(heard).toEqual(['timeout'])
  })

  it('stops retransmitting on a provisional response and waits for the final one', () => {
    const { clock, transport, layer, heard, user, sentAt } = setup()
    const invite = request('INVITE')
    layer.send(invite, transport, user)
    clock.advanceTo(600)
    layer.receiveResponse(response(invite, 180))
    clock.advanceTo(20_000)
    expect(sentAt(isRequest('INVITE'))).toEqual([0, 0.5])
    expect(heard).toEqual([180])
  })

  it('acknowledges a busy answer itself, once per retransmission, passes it up once, and ends after Timer D', () => {
    const { clock, transport, layer, heard, user, sent } = setup()
    const invite = request('INVITE')
    layer.send(invite, transport, user)
    layer.receiveResponse(response(invite, 486))
    layer.receiveResponse(response(invite, 486)) // retransmitted by the far end
    const acks = sent.filter((s) => isRequest('ACK')(s.message)).map((s) => s.message as SipRequest)
    expect(acks).toHaveLength(2)
    // §17.1.1.3: same branch as the INVITE, the response's To tag, CSeq method ACK.
    expect(header(acks[0]!, 'Via')).toBe(header(invite, 'Via'))
    expect(header(acks[0]!, 'To')).toContain('tag=b2')
    expect(header(acks[0]!, 'CSeq')).toBe('1 ACK')
    expect(heard).toEqual([486])
    clock.advanceTo(31_999)
    expect(layer.size.client).toBe(1)
    clock.advanceTo(32_000)
    expect(layer.size.client).toBe(0)
  })

  it('passes a 2xx and its retransmissions to the user, which acknowledges it (RFC 6026 Accepted), then ends', () => {
    const { clock, transport, layer, heard, user, sent } = setup()
    const invite = request('INVITE')
    layer.send(invite, transport, user)
    layer.receiveResponse(response(invite, 200))
    layer.receiveResponse(response(invite, 200))
    expect(heard).toEqual([200, 200])
    expect(sent.some((s) => isRequest('ACK')(s.message))).toBe(false)
    clock.advanceTo(32_000)
    expect(layer.size.client).toBe(0)
  })

  it('ends at once when the transport fails, telling the user', () => {
    const { layer, transport, heard, user } = setup()
    const t = layer.send(request('INVITE'), transport, user)
    t.transportError()
    expect(heard).toEqual(['timeout'])
    expect(layer.size.client).toBe(0)
  })
})

describe('a non-INVITE client transaction', () => {
  it('over UDP, unanswered, doubles its interval up to T2 and times out with Timer F at 32 s', () => {
    const { clock, transport, layer, heard, user, sentAt } = setup()
    layer.send(request('OPTIONS'), transport, user)
    clock.advanceTo(32_000)
    expect(sentAt(isRequest('OPTIONS'))).toEqual([
      0, 0.5, 1.5, 3.5, 7.5, 11.5, 15.5, 19.5, 23.5, 27.5, 31.5,
    ])
    expect(heard).toEqual(['timeout'])
    expect(layer.size.client).toBe(0)
  })

  it('after a provisional response retransmits every T2, and ends T4 after the final one', () => {
    const { clock, transport, layer, heard, user, sentAt } = setup()
    const bye = request('BYE')
    layer.send(bye, transport, user)
    clock.advanceTo(600)
    layer.receiveResponse(response(bye, 100))
    clock.advanceTo(9_000)
    expect(sentAt(isRequest('BYE'))).toEqual([0, 0.5, 1.5, 5.5])
    layer.receiveResponse(response(bye, 200))
    layer.receiveResponse(response(bye, 200))
    expect(heard).toEqual([100, 200])
    clock.advanceTo(13_999)
    expect(layer.size.client).toBe(1)
    clock.advanceTo(14_000)
    expect(layer.size.client).toBe(0)
  })
})

describe('an INVITE server transaction', () => {
  it('says 100 Trying within 200 ms when the user has not answered, and repeats the last answer to a retransmission', () => {
    const { clock, transport, layer, sent } = setup()
    const invite = request('INVITE', 'z9hG4bK-in-1')
    const r = layer.receiveRequest(invite, transport)
    expect(r.kind).toBe('new')
    clock.advanceTo(200)
    expect(sent.map((s) => [s.at, s.message.kind === 'response' && s.message.status])).toEqual([
      [200, 100],
    ])
    expect(layer.receiveRequest(invite, transport).kind).toBe('absorbed')
    expect(sent).toHaveLength(2)
  })

  it('retransmits a final failure over UDP until the ACK (Timer G, capped at T2), then absorbs ACKs and ends after Timer I', () => {
    const { clock, transport, layer, sent } = setup()
    const invite = request('INVITE', 'z9hG4bK-in-2')
    const r = layer.receiveRequest(invite, transport)
    if (r.kind !== 'new') throw new Error('not new')
    r.transaction.respond(response(invite, 486))
    clock.advanceTo(12_000)
    const busyAt = sent
      .filter((s) => s.message.kind === 'response' && s.message.status === 486)
      .map((s) => s.at / 1000)
    expect(busyAt).toEqual([0, 0.5, 1.5, 3.5, 7.5, 11.5])
    expect(layer.receiveRequest(request('ACK', 'z9hG4bK-in-2'), transport).kind).toBe('absorbed')
    expect(layer.receiveRequest(request('ACK', 'z9hG4bK-in-2'), transport).kind).toBe('absorbed')
    clock.advanceTo(40_000)
    expect(
      sent.filter((s) => s.message.kind === 'response' && s.message.status === 486),
    ).toHaveLength(6)
    expect(layer.size.server).toBe(0)
  })

  it('gives up waiting for the ACK after Timer H (64·T1) and tells its user', () => {
    const { clock, transport, layer } = setup()
    const invite = request('INVITE', 'z9hG4bK-in-3')
    let timedOut = 0
    const r = layer.receiveRequest(invite, transport, { onAckTimeout: () => timedOut++ })
    if (r.kind !== 'new') throw new Error('not new')
    r.transaction.respond(response(invite, 603))
    clock.advanceTo(31_999)
    expect(timedOut).toBe(0)
    clock.advanceTo(32_000)
    expect(timedOut).toBe(1)
    expect(layer.size.server).toBe(0)
  })

  it('after a 2xx absorbs retransmitted INVITEs (Timer L) and sends an ACK for the 2xx up to the dialog', () => {
    const { clock, transport, layer, sent } = setup()
    const invite = request('INVITE', 'z9hG4bK-in-4')
    const r = layer.receiveRequest(invite, transport)
    if (r.kind !== 'new') throw new Error('not new')
    r.transaction.respond(response(invite, 200))
    expect(layer.receiveRequest(invite, transport).kind).toBe('absorbed')
    expect(sent).toHaveLength(1) // the dialog, not the transaction, retransmits a 2xx
    expect(layer.receiveRequest(request('ACK', 'z9hG4bK-ack-new'), transport).kind).toBe('ack-2xx')
    clock.advanceTo(32_000)
    expect(layer.size.server).toBe(0)
  })
})

describe('a non-INVITE server transaction', () => {
  it('answers retransmissions with its last response and ends after Timer J', () => {
    const { clock, transport, layer, sent } = setup()
    const options = request('OPTIONS', 'z9hG4bK-op-1')
    const r = layer.receiveRequest(options, transport)
    if (r.kind !== 'new') throw new Error('not new')
    expect(layer.receiveRequest(options, transport).kind).toBe('absorbed')
    expect(sent).toHaveLength(0) // nothing to repeat yet in Trying
    r.transaction.respond(response(options, 200))
    layer.receiveRequest(options, transport)
    expect(sent).toHaveLength(2)
    clock.advanceTo(31_999)
    expect(layer.size.server).toBe(1)
    clock.advanceTo(32_000)
    expect(layer.size.server).toBe(0)
  })

  it('over TCP ends as soon as it has answered', () => {
    const { clock, transport, layer } = setup(true)
    const options = request('OPTIONS', 'z9hG4bK-op-2')
    const r = layer.receiveRequest(options, transport)
    if (r.kind !== 'new') throw new Error('not new')
    r.transaction.respond(response(options, 200))
    clock.advanceBy(0) // Timer J is zero over a reliable transport
    expect(layer.size.server).toBe(0)
  })
})

describe('matching', () => {
  it('keeps a CANCEL apart from the INVITE it cancels, and finds that INVITE for it', () => {
    const { transport, layer } = setup()
    const invite = request('INVITE', 'z9hG4bK-m-1')
    const cancel = { ...request('CANCEL', 'z9hG4bK-m-1') }
    const first = layer.receiveRequest(invite, transport)
    expect(first.kind).toBe('new')
    expect(layer.receiveRequest(cancel, transport).kind).toBe('new')
    expect(layer.inviteFor(cancel)).toBe(first.kind === 'new' ? first.transaction : 'no INVITE')
    expect(layer.inviteFor(cancel)?.request).toBe(invite)
    expect(layer.size.server).toBe(2)
  })

  it('tells RFC 2543 requests apart without a magic-cookie branch', () => {
    const { transport, layer } = setup()
    const a = request('OPTIONS', 'z9hG4bK')
    const b = {
      ...request('OPTIONS', 'z9hG4bK'),
      headers: request('OPTIONS', 'z9hG4bK').headers.map((h) =>
        h.name === 'CSeq' ? { ...h, value: '2 OPTIONS' } : h,
      ),
    }
    expect(layer.receiveRequest(a, transport).kind).toBe('new')
    expect(layer.receiveRequest(b, transport).kind).toBe('new')
    expect(layer.receiveRequest(a, transport).kind).toBe('absorbed')
  })

  it('drops a response no client transaction sent', () => {
    const { layer } = setup()
    expect(layer.receiveResponse(response(request('INVITE', 'z9hG4bK-nobody'), 200))).toBe(false)
  })
})

/** A full garbage collection, for checking what a waiting transaction still keeps alive. */
function collectGarbage(): void {
  setFlagsFromString('--expose-gc')
  ;(runInNewContext('gc') as () => void)()
}

/** Lets the current job end (WeakRefs read in it stay alive until then), then collects. */
async function collectedAfterJob<T extends object>(ref: WeakRef<T>): Promise<boolean> {
  await new Promise((resolve) => setImmediate(resolve))
  collectGarbage()
  return ref.deref() === undefined
}

describe('a transaction that only waits out its timers', () => {
  it('keeps neither the request nor its user once its final response is in, on each of the four kinds', () => {
    const { clock, transport, layer, user } = setup()
    // Client INVITE, 486 (Completed, Timer D): the ACK is all it resends.
    const busy = layer.send(request('INVITE', 'z9hG4bK-w-1'), transport, user)
    layer.receiveResponse(response(request('INVITE', 'z9hG4bK-w-1'), 486))
    // Client INVITE, 200 (Accepted, Timer M): the request goes, the user stays for 2xx repeats.
    const answered = layer.send(request('INVITE', 'z9hG4bK-w-2'), transport, user)
    layer.receiveResponse(response(request('INVITE', 'z9hG4bK-w-2'), 200))
    // Client BYE, 200 (Completed, Timer K).
    const bye = layer.send(request('BYE', 'z9hG4bK-w-3'), transport, user)
    layer.receiveResponse(response(request('BYE', 'z9hG4bK-w-3'), 200))
    // Server INVITE answered 200 (Accepted, Timer L), server BYE answered 200 (Timer J).
    const invite = layer.receiveRequest(request('INVITE', 'z9hG4bK-w-4'), transport)
    const byeIn = layer.receiveRequest(request('BYE', 'z9hG4bK-w-5'), transport)
    if (invite.kind !== 'new' || byeIn.kind !== 'new') throw new Error('not new')
    expect(invite.transaction.request?.method).toBe('INVITE')
    invite.transaction.respond(response(request('INVITE', 'z9hG4bK-w-4'), 200))
    byeIn.transaction.respond(response(request('BYE', 'z9hG4bK-w-5'), 200))

    expect(layer.size).toEqual({ client: 3, server: 2 })
    for (const t of [busy, answered, bye, invite.transaction, byeIn.transaction])
      expect(t.request).toBeNull()
    clock.advanceTo(64_000)
    expect(layer.size).toEqual({ client: 0, server: 0 })
  })

  it('lets its user be collected while it absorbs retransmissions, and still absorbs them', async () => {
    const { clock, transport, layer, sentAt } = setup()
    const heard: number[] = []
    // The user is reachable only from the transaction (and the WeakRef).
    const ref = ((): WeakRef<object> => {
      const user = { onResponse: (r: SipResponse) => heard.push(r.status), onTimeout: () => {} }
      layer.send(request('INVITE', 'z9hG4bK-w-6'), transport, user)
      return new WeakRef(user)
    })()
    layer.receiveResponse(response(request('INVITE', 'z9hG4bK-w-6'), 486))
    expect(heard).toEqual([486])
    expect(await collectedAfterJob(ref)).toBe(true)
    // Still in Completed: a repeated 486 gets the ACK again, and nothing reaches the gone user.
    layer.receiveResponse(response(request('INVITE', 'z9hG4bK-w-6'), 486))
    expect(sentAt(isRequest('ACK'))).toHaveLength(2)
    expect(heard).toEqual([486])
    expect(layer.size.client).toBe(1)
    clock.advanceTo(32_000)
    expect(layer.size.client).toBe(0)
  })

  it('lingers as a record of the layer: a thousand waiting transactions hold one timer, and each still ends on time', () => {
    const virtual = new VirtualClock(0)
    const clock = new CountingClock(virtual)
    const layer = new TransactionLayer(clock)
    const sent: SipMessage[] = []
    const transport: TransactionTransport = {
      reliable: false,
      send: (message) => sent.push(readBack(message)),
    }
    for (let i = 0; i < 1000; i++) {
      virtual.advanceTo(i)
      const bye = request('BYE', `z9hG4bK-many-${i}`)
      const matched = layer.receiveRequest(bye, transport)
      if (matched.kind !== 'new') throw new Error('not new')
      matched.transaction.respond(response(bye, 200))
    }
    expect(layer.size.server).toBe(1000)
    expect(clock.pending).toBe(1)
    // The last one still answers its repeated BYE, and each ends 64·T1 after its answer.
    expect(layer.receiveRequest(request('BYE', 'z9hG4bK-many-999'), transport).kind).toBe(
      'absorbed',
    )
    expect(sent).toHaveLength(1001)
    virtual.advanceTo(32_499)
    expect(layer.size.server).toBe(500)
    virtual.advanceTo(32_999)
    expect(layer.size.server).toBe(0)
    expect(clock.pending).toBe(0)
  })

  it('keeps the response it resends as bytes: the request and response objects can be collected', async () => {
    const { clock, transport, layer, sent } = setup()
    const bye = () => request('BYE', 'z9hG4bK-w-7')
    const refs = ((): WeakRef<object>[] => {
      const received = bye()
      const matched = layer.receiveRequest(received, transport)
      if (matched.kind !== 'new') throw new Error('not new')
      const ok = response(received, 200)
      matched.transaction.respond(ok)
      return [new WeakRef(received), new WeakRef(ok)]
    })()
    expect(await collectedAfterJob(refs[0]!)).toBe(true)
    expect(await collectedAfterJob(refs[1]!)).toBe(true)
    // Timer J is still running: the BYE again gets the same 200 again.
    expect(layer.receiveRequest(bye(), transport).kind).toBe('absorbed')
    const answers = sent.filter((s) => s.message.kind === 'response')
    expect(answers).toHaveLength(2)
    expect(answers[1]!.message).toEqual(answers[0]!.message)
    expect(answers[1]!.message).toMatchObject({ kind: 'response', status: 200 })
    clock.advanceTo(32_000)
    expect(layer.size.server).toBe(0)
  })
  it('keeps a few hundred bytes each, not the text it was parsed from nor a slab of Buffers', async () => {
    const clock = new VirtualClock(0)
    const layer = new TransactionLayer(clock)
    // Counts what is sent, and keeps none of it.
    let sent = 0
    const transport: TransactionTransport = { reliable: false, send: () => void sent++ }
    // Requests as they arrive: parsed from datagrams, every header value cut from the message's
    // text, here made 16 KB long by a header nobody reads.
    const padding = 'x'.repeat(16_000)
    const received = (i: number): SipRequest => {
      const text =
        `BYE sip:core@192.0.2.1 SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.9:5060;branch=z9hG4bK-m-${i}\r\n` +
        `From: <sip:a@example.com>;tag=f${i}\r\nTo: <sip:b@example.com>;tag=t${i}\r\n` +
        `Call-ID: m-${i}@example.com\r\nCSeq: 2 BYE\r\nX-Padding: ${padding}${i}\r\n` +
        `Content-Length: 0\r\n\r\n`
      const parsed = parseMessage(Buffer.from(text), 'datagram')
      if (parsed.kind !== 'message' || parsed.message.kind !== 'request') throw new Error('parse')
      return parsed.message
    }
    const count = 2000
    const measure = async () => {
      await new Promise((resolve) => setImmediate(resolve))
      forgetRemembered() // the parser's bounded cache of parsed values is not the layer's
      collectGarbage()
      return process.memoryUsage()
    }
    const before = await measure()
    for (let i = 0; i < count; i++) {
      const bye = received(i)
      const matched = layer.receiveRequest(bye, transport)
      if (matched.kind !== 'new') throw new Error('not new')
      matched.transaction.respond(response(bye, 200))
    }
    const after = await measure()
    expect(layer.size.server).toBe(count)
    // Each waits out Timer J with its key and its 200 to send again: under a kilobyte. A key
    // cut from the text would hold all 16 KB of it (32 MB for the lot), and kept Buffers their
    // share of Node's 8 KiB slabs (outside the JS heap).
    expect((after.heapUsed - before.heapUsed) / count).toBeLessThan(2048)
    expect((after.arrayBuffers - before.arrayBuffers) / count).toBeLessThan(64)
    // And each still answers a retransmission with its 200.
    expect(layer.receiveRequest(received(7), transport).kind).toBe('absorbed')
    expect(sent).toBe(count + 1)
    clock.advanceTo(32_000)
    expect(layer.size.server).toBe(0)
  })
})
