/**
 * The UDP outbox: datagrams wait for the end of the event loop's turn and then go out in the
 * order they were given, over a real socket.
 */
import { createSocket, type Socket } from 'node:dgram'
import { afterEach, describe, expect, it } from 'vitest'
import { udpLookup } from '../../../src/core/telephony/sip/transport'
import { UdpOutbox } from '../../../src/core/telephony/sip/udp-outbox'

const sockets: Socket[] = []
afterEach(() => {
  for (const s of sockets.splice(0)) s.close()
})

async function bound(): Promise<Socket> {
  const socket = createSocket('udp4')
  sockets.push(socket)
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve))
  return socket
}

/** Collects what a socket receives, until `count` datagrams have come. */
function receive(socket: Socket, count: number): Promise<string[]> {
  const got: string[] = []
  return new Promise((resolve) =>
    socket.on('message', (data) => {
      got.push(data.toString())
      if (got.length === count) resolve(got)
    }),
  )
}

describe('UDP outbox', () => {
  it('holds datagrams until the turn ends, then sends them all in order', async () => {
    const [sender, a, b] = await Promise.all([bound(), bound(), bound()])
    const outbox = new UdpOutbox(() => sender)
    const toA = receive(a, 3)
    const toB = receive(b, 2)
    const portA = a.address().port
    const portB = b.address().port
    outbox.send(Buffer.from('a1'), portA, '127.0.0.1')
    outbox.send(Buffer.from('b1'), portB, '127.0.0.1')
    outbox.send(Buffer.from('a2'), portA, '127.0.0.1')
    outbox.send(Buffer.from('b2'), portB, '127.0.0.1')
    outbox.send(Buffer.from('a3'), portA, '127.0.0.1')
    // Nothing has left within the turn.
    expect(outbox.pending).toBe(5)
    await Promise.resolve()
    expect(outbox.pending).toBe(5)
    expect(await toA).toEqual(['a1', 'a2', 'a3'])
    expect(await toB).toEqual(['b1', 'b2'])
    expect(outbox.pending).toBe(0)
  })

  it('schedules one flush per turn, and a send after a flush schedules the next', () => {
    const flushes: (() => void)[] = []
    const sent: string[] = []
    const outbox = new UdpOutbox(
      () => ({ send: (bytes: Buffer) => sent.push(bytes.toString()) }),
      (flush) => flushes.push(flush),
    )
    outbox.send(Buffer.from('1'), 5060, '127.0.0.1')
    outbox.send(Buffer.from('2'), 5060, '127.0.0.1')
    expect(flushes).toHaveLength(1)
    flushes[0]!()
    expect(sent).toEqual(['1', '2'])
    outbox.send(Buffer.from('3'), 5060, '127.0.0.1')
    expect(flushes).toHaveLength(2)
    flushes[1]!()
    expect(sent).toEqual(['1', '2', '3'])
  })

  it('drops what it holds once the socket is gone (closed), without throwing', () => {
    const flushes: (() => void)[] = []
    const outbox = new UdpOutbox(
      () => null,
      (flush) => flushes.push(flush),
    )
    outbox.send(Buffer.from('x'), 5060, '127.0.0.1')
    expect(() => flushes[0]!()).not.toThrow()
    expect(outbox.pending).toBe(0)
  })
})

describe('UDP destination lookup', () => {
  it('answers an IP address at once, in the same call', () => {
    const answers: [string, number][] = []
    udpLookup('127.0.0.1', { family: 4 }, (error, address, family) => {
      expect(error).toBeNull()
      answers.push([address, family])
    })
    expect(answers).toEqual([['127.0.0.1', 4]])
  })

  it('leaves a name to DNS, and a socket using it reaches both', async () => {
    const looked = await new Promise<string>((resolve, reject) =>
      udpLookup('localhost', { family: 4 }, (error, address) =>
        error ? reject(error) : resolve(address),
      ),
    )
    expect(looked).toBe('127.0.0.1')

    const sender = createSocket({ type: 'udp4', lookup: udpLookup })
    sockets.push(sender)
    const target = await bound()
    const got = receive(target, 2)
    sender.send(Buffer.from('by address'), target.address().port, '127.0.0.1')
    sender.send(Buffer.from('by name'), target.address().port, 'localhost')
    expect((await got).sort()).toEqual(['by address', 'by name'])
  })
})
