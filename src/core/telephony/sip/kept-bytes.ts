/**
 * Bytes kept to be sent again much later: a final response or an ACK that a finished
 * transaction or dialog repeats if the peer asks again, for up to 32 s over UDP. Node cuts small
 * Buffers out of shared 8 KiB slabs, so a kept Buffer holds its whole slab (and whatever else
 * was cut from it) in memory: under load that was about 3 KB per call, as many slabs as there
 * were calls in the last 32 s. A Latin-1 string holds exactly its bytes, and turns back into
 * the same bytes (every byte value is one Latin-1 character).
 */
export type KeptBytes = string

export function keepBytes(bytes: Buffer): KeptBytes {
  return bytes.toString('latin1')
}

export function keptBuffer(kept: KeptBytes): Buffer {
  return Buffer.from(kept, 'latin1')
}
