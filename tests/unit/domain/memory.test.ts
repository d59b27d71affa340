/**
 * What the engine keeps after a call has ended. A switchboard under load ends thousands of calls
 * a minute; whatever it keeps of each, it keeps for all of them.
 */
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { describe, expect, it } from 'vitest'
import { company, queue, user } from '../../helpers/company'
import { Harness } from '../../helpers/harness'

const Q = '+4722000000'

/** The collector, without starting the test process with --expose-gc. */
function collector(): () => void {
  setFlagsFromString('--expose-gc')
  return runInNewContext('gc') as () => void
}

/** Lets WeakRefs made in this job be cleared (they hold their target until the job ends). */
const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve))

describe('memory after a call ends', () => {
  it('an ended call is not kept by its deadlines that are still waiting to fall due', async () => {
    const gc = collector()
    const h = new Harness(
      company({
        users: [user('anna'), user('bo')],
        queues: [queue('q', ['anna', 'bo'], { numbers: [Q], maxWaitSeconds: 600 })],
      }),
    )
    // One caller waits (a max-wait deadline), is offered (an offer timeout), is answered and
    // hangs up: both deadlines are left in the heap, stale, for up to ten minutes.
    const callId = h.arrive('+4791000001', Q)
    const co = h.state.companies.get(h.companyId)!
    const call = new WeakRef(co.calls.get(callId)!)
    h.answer('anna')
    h.advance(5_000)
    h.hangUpCaller(callId)
    expect(co.calls.has(callId)).toBe(false)
    const stale = h.state.timers.toSortedArray().filter((t) => t.ref === callId)
    expect(stale.map((t) => t.kind).sort()).toEqual(['max-wait', 'offer-timeout'])
    // The last step's outputs name the ended call until the next step; another caller arrives,
    // and what the test itself kept of the outputs goes too.
    h.arrive('+4791000002', Q)
    h.outputs.length = 0

    await nextTurn()
    gc()
    expect(call.deref(), 'the ended call is still reachable').toBeUndefined()
    // The stale deadlines fall due later and do nothing.
    h.advance(600_000)
    expect(h.state.timers.toSortedArray().filter((t) => t.ref === callId)).toEqual([])
  })
})
