/**
 * The little SDP the B2BUA handles: direction for hold (RFC 3264 §8.4), one origin per leg
 * with its version (§8), and descriptions that do not pin Node's shared buffer pool.
 */
import { describe, expect, it } from 'vitest'
import {
  SdpOrigin,
  answerDirection,
  directionOf,
  placeholderSdp,
  sameSession,
  withDirection,
  withOrigin,
} from '../../../src/core/telephony/sip/sdp'

const phone = (direction: string | null, port = 40000, origin = 'o=phone 1 1 IN IP4 192.0.2.5') =>
  Buffer.from(
    [
      'v=0',
      origin,
      's=-',
      'c=IN IP4 192.0.2.5',
      't=0 0',
      `m=audio ${port} RTP/AVP 8 0`,
      ...(direction === null ? [] : [`a=${direction}`]),
      '',
    ].join('\r\n'),
  )

/** True when the bytes are an allocation of their own, not a slice of a larger (pooled) one. */
const ownBytes = (b: Buffer) => b.byteOffset === 0 && b.buffer.byteLength === b.length

describe('SDP direction', () => {
  it('rewrites the direction attribute, or adds one where there was none (sendrecv by default)', () => {
    expect(directionOf(withDirection(phone('sendrecv'), 'sendonly'))).toBe('sendonly')
    const added = withDirection(phone(null), 'inactive')
    expect(directionOf(phone(null))).toBe('sendrecv')
    expect(added.toString()).toContain('m=audio 40000 RTP/AVP 8 0\r\na=inactive\r\n')
    expect(answerDirection('sendonly')).toBe('recvonly')
    expect(answerDirection('recvonly')).toBe('sendonly')
    expect(answerDirection('inactive')).toBe('inactive')
  })

  it('compares sessions without direction and origin', () => {
    expect(sameSession(phone('sendrecv'), phone('sendonly', 40000, 'o=x 9 9 IN IP4 1.1.1.1'))).toBe(
      true,
    )
    expect(sameSession(phone('sendrecv'), phone('sendrecv', 40002))).toBe(false)
  })
})

describe('a leg’s SDP origin', () => {
  it('replaces the first o= line as a multiline expression would, whatever ends the lines', () => {
    const origin = 'o=sentral 7 2 IN IP4 192.0.2.1'
    const texts = [
      'v=0\r\no=phone 1 1 IN IP4 192.0.2.5\r\ns=-\r\n',
      'v=0\no=phone 1 1 IN IP4 192.0.2.5\ns=-\n',
      'v=0\ro=phone 1 1\rs=-',
      'o=first 1 1\r\no=second 2 2\r\n',
      'v=0\r\ns=no origin here\r\n',
      'v=0\r\na=tool:o=not-this\r\no=this 1 1\r\n',
      'v=0\u2028o=after a line separator\u2029s=-',
      'v=0\r\no=at the very end',
      'o=',
      '',
    ]
    for (const text of texts)
      expect(withOrigin(text, origin), JSON.stringify(text)).toBe(
        text.replace(/^o=.*?(\r?)$/m, `${origin}$1`),
      )
    expect(withOrigin(texts[0]!, origin)).toBe(`v=0\r\n${origin}\r\ns=-\r\n`)
  })

  it('keeps its own o= line and raises the version only when the description changes', () => {
    const origin = new SdpOrigin(777, '203.0.113.1')
    const first = origin.stamp(phone('sendrecv'))
    expect(first.toString()).toContain('o=sentral 777 1 IN IP4 203.0.113.1\r\n')
    // The same description again (another phone's origin line only): the same version.
    expect(
      origin.stamp(phone('sendrecv', 40000, 'o=other 5 5 IN IP4 192.0.2.9')).toString(),
    ).toContain('o=sentral 777 1 IN')
    expect(origin.stamp(phone('sendonly')).toString()).toContain('o=sentral 777 2 IN')
    expect(origin.stamp(phone('sendonly', 40010)).toString()).toContain('o=sentral 777 3 IN')
  })

  it('makes descriptions that are bytes of their own, not slices of the shared pool they would pin', () => {
    const origin = new SdpOrigin(1, '203.0.113.1')
    // Buffer.from of a short text is a slice of the pool: what a stored description must not be.
    expect(ownBytes(Buffer.from('v=0\r\n'))).toBe(false)
    expect(ownBytes(origin.stamp(phone('sendrecv')))).toBe(true)
    expect(ownBytes(withDirection(phone('sendrecv'), 'sendonly'))).toBe(true)
    expect(ownBytes(withDirection(phone(null), 'sendonly'))).toBe(true)
    const placeholder = placeholderSdp('203.0.113.1', 5)
    expect(ownBytes(placeholder)).toBe(true)
    expect(placeholder.toString()).toContain('c=IN IP4 0.0.0.0\r\n')
    expect(directionOf(placeholder)).toBe('inactive')
  })
})
