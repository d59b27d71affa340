/**
 * Header values the stack parses are remembered (a bounded cache: a message's Via, From and To
 * are read by several layers). What is remembered must not keep the text of the message the
 * value was cut from: a value is tens of bytes, its message kilobytes.
 */
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { describe, expect, it } from 'vitest'
import { forgetRemembered, parseNameAddr, parseVia } from '../../../src/core/telephony/sip/grammar'
import { header } from '../../../src/core/telephony/sip/message'
import { parseMessage } from '../../../src/core/telephony/sip/parser'

async function heapUsedAfterCollection(): Promise<number> {
  await new Promise((resolve) => setImmediate(resolve))
  setFlagsFromString('--expose-gc')
  ;(runInNewContext('gc') as () => void)()
  return process.memoryUsage().heapUsed
}

describe('remembered header values', () => {
  it('do not keep the text of the message they were read from', async () => {
    forgetRemembered()
    const padding = 'x'.repeat(16_000)
    const count = 1000
    const before = await heapUsedAfterCollection()
    const parsed: unknown[] = []
    for (let i = 0; i < count; i++) {
      const text =
        `BYE sip:core@192.0.2.1 SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.9:5060;branch=z9hG4bK-p-${i}\r\n` +
        `From: <sip:a@example.com>;tag=f${i}\r\nTo: <sip:b@example.com>\r\nCall-ID: p-${i}\r\n` +
        `CSeq: 2 BYE\r\nX-Padding: ${padding}${i}\r\nContent-Length: 0\r\n\r\n`
      const result = parseMessage(Buffer.from(text), 'datagram')
      if (result.kind !== 'message') throw new Error(`message ${i} did not parse`)
      const via = parseVia(header(result.message, 'Via')!)
      const from = parseNameAddr(header(result.message, 'From')!)
      parsed.push(via, from)
    }
    const after = await heapUsedAfterCollection()
    // The parsed values (kept here and in the cache) are a few hundred bytes each; holding the
    // messages' text would be over 16 KB per message.
    expect(parsed).toHaveLength(2 * count)
    expect((after - before) / count).toBeLessThan(4096)
    // Still the same values when read again (from the cache).
    const again = parseMessage(
      Buffer.from(
        'BYE sip:core@192.0.2.1 SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.9:5060;branch=z9hG4bK-p-7\r\n' +
          'From: <sip:a@example.com>;tag=f7\r\nTo: <sip:b@example.com>\r\nCall-ID: p-7\r\n' +
          'CSeq: 2 BYE\r\nContent-Length: 0\r\n\r\n',
      ),
      'datagram',
    )
    if (again.kind !== 'message') throw new Error('did not parse')
    expect(parseVia(header(again.message, 'Via')!)).toBe(parsed[14])
    forgetRemembered()
  })
})
