/**
 * The sipp scenarios against each other, without the core: proves that tests/helpers/sipp.ts
 * runs sipp and reads its results, and that each caller scenario and the phone it is meant
 * for complete their calls (or, for the busy phone, fail the caller the way it should). When
 * a test against the core fails, this says whether to look at the core or at the scenarios.
 * Skipped where sipp is not installed.
 */
import { spawnSync } from 'node:child_process'
import { describe, expect, it } from 'vitest'
import {
  explainSipp,
  runSipp,
  startSipp,
  type SippHandle,
  type SippResult,
} from '../../helpers/sipp'

const hasSipp = spawnSync('sipp', ['-v']).error === undefined

/** A phone (UAS) that takes `calls` calls and then exits by itself. */
function phone(scenario: string, calls: number, vars: Record<string, number> = {}) {
  return startSipp({ scenario, calls, vars, timeoutMs: 8000 })
}

/** A caller scenario against a phone sipp: `calls` calls to 22000000, done within 8 s. */
function call(
  agent: SippHandle,
  scenario: string,
  calls = 1,
  vars: Record<string, string | number> = {},
): Promise<SippResult> {
  return runSipp({
    scenario,
    remote: `127.0.0.1:${agent.port}`,
    service: '22000000',
    calls,
    vars,
    timeoutMs: 8000,
  })
}

async function finished(handle: SippHandle) {
  const result = await handle.done
  expect(result.code, explainSipp(result)).toBe(0)
  return result
}

describe.skipIf(!hasSipp).concurrent('sipp scenarios, sipp against sipp', () => {
  it('caller.xml is answered by agent_answer.xml and hangs up', async () => {
    const agent = await phone('agent_answer.xml', 2, { ring_ms: 100 })
    const caller = await runSipp({
      scenario: 'caller.xml',
      remote: `127.0.0.1:${agent.port}`,
      service: '22000000',
      calls: 2,
      rate: 20,
      vars: { hold_ms: 100 },
      traceRtt: true,
      timeoutMs: 8000,
    })
    expect(caller.code, explainSipp(caller)).toBe(0)
    expect(caller.stats?.successful).toBe(2)
    // both RTDs of both calls: INVITE → 180 and INVITE → 200 (after ~100 ms of ringing)
    expect(caller.rtts.filter((r) => r.rtd === 'ring')).toHaveLength(2)
    const answers = caller.rtts.filter((r) => r.rtd === 'answer')
    expect(answers.map((r) => r.ms >= 90)).toEqual([true, true])
    const answered = await finished(agent)
    expect(answered.stats?.counters.bye_received).toBe(2)
  })

  it('caller.xml reaches agent_answer.xml over TCP as well', async () => {
    const agent = await startSipp({
      scenario: 'agent_answer.xml',
      transport: 't1',
      calls: 1,
      vars: { ring_ms: 0 },
      timeoutMs: 8000,
    })
    const caller = await runSipp({
      scenario: 'caller.xml',
      remote: `127.0.0.1:${agent.port}`,
      transport: 't1',
      service: '22000000',
      calls: 1,
      traceMessages: true,
      timeoutMs: 8000,
    })
    expect(caller.code, explainSipp(caller)).toBe(0)
    expect(caller.messages).toContain('Via: SIP/2.0/TCP')
    // The caller's sipp exits, closing the connection, while the agent's call is in its final
    // timewait, which sipp 3.6.1 counts as a failure (FailedTcpClosed): the call itself was
    // complete. A peer that keeps its connections open (the core) does not cause this.
    const answered = await agent.done
    expect(answered.stats?.counters.bye_received, explainSipp(answered)).toBe(1)
    expect(answered.stats?.failed).toBe(answered.stats?.counters.FailedTcpClosed)
  })

  it('caller_cancel.xml gives up on agent_noanswer.xml: 200 for the CANCEL, 487, ACK', async () => {
    const agent = await phone('agent_noanswer.xml', 1)
    const caller = await call(agent, 'caller_cancel.xml', 1, { cancel_ms: 100 })
    expect(caller.code, explainSipp(caller)).toBe(0)
    expect((await finished(agent)).stats?.counters.cancelled).toBe(1)
  })

  it('caller_cancel.xml cancels agent_answer.xml while it rings', async () => {
    const agent = await phone('agent_answer.xml', 1, { ring_ms: 3000 })
    const caller = await call(agent, 'caller_cancel.xml', 1, { cancel_ms: 100 })
    expect(caller.code, explainSipp(caller)).toBe(0)
    const rang = await finished(agent)
    expect(rang.stats?.counters.cancelled_while_ringing).toBe(1)
    // the ring loop's timer slices are not reported as problems
    expect(rang.problems).toEqual([])
  })

  it('agent_busy.xml answers 486, which fails caller.xml (exit 1)', async () => {
    const agent = await phone('agent_busy.xml', 1)
    const caller = await call(agent, 'caller.xml')
    expect(caller.code).toBe(1)
    expect(caller.stats?.failed).toBe(1)
    expect(caller.problems.join('\n')).toContain('486 Busy Here')
    expect((await finished(agent)).stats?.counters.busy_acked).toBe(1)
  })

  it('caller_hold.xml holds and resumes; agent_answer.xml answers recvonly, then sendrecv', async () => {
    const agent = await phone('agent_answer.xml', 1, { ring_ms: 0 })
    const caller = await call(agent, 'caller_hold.xml', 1, { hold_ms: 100 })
    expect(caller.code, explainSipp(caller)).toBe(0)
    expect((await finished(agent)).stats?.counters.reinvites).toBe(2)
  })

  it('agent_hangup.xml hangs up on caller_wait_bye.xml', async () => {
    const agent = await phone('agent_hangup.xml', 1, { ring_ms: 0, hold_ms: 200 })
    const caller = await call(agent, 'caller_wait_bye.xml')
    expect(caller.code, explainSipp(caller)).toBe(0)
    expect((await finished(agent)).stats?.counters.bye_sent).toBe(1)
  })

  it('caller_reinvited.xml takes a transfer re-INVITE, then the BYE', async () => {
    const stub = await phone('stub_transfer_uas.xml', 1)
    const caller = await runSipp({
      scenario: 'caller_reinvited.xml',
      remote: `127.0.0.1:${stub.port}`,
      service: '22000000',
      calls: 1,
      timeoutMs: 8000,
    })
    expect(caller.code, explainSipp(caller)).toBe(0)
    expect(caller.stats?.counters.reinvites).toBe(1)
    expect(caller.stats?.counters.bye_received).toBe(1)
    await finished(stub)
  })

  it('register.xml registers and unregisters with digest auth against registrar_stub.xml', async () => {
    const accounts = [
      ['201', 'secret201', '5080'],
      ['202', 'secret202', '5080'],
    ]
    for (const expires of [3600, 0]) {
      const registrar = await startSipp({
        scenario: 'registrar_stub.xml',
        csv: accounts,
        calls: accounts.length,
        timeoutMs: 8000,
      })
      const register = await runSipp({
        scenario: 'register.xml',
        remote: `127.0.0.1:${registrar.port}`,
        csv: accounts,
        calls: accounts.length,
        rate: 50,
        authUri: '127.0.0.1',
        vars: { expires },
        traceMessages: true,
        timeoutMs: 8000,
      })
      expect(register.code, explainSipp(register)).toBe(0)
      expect(register.stats?.counters.registered).toBe(2)
      expect(register.messages).toContain(`Expires: ${expires}`)
      expect(register.messages).toContain('Contact: <sip:202@127.0.0.1:5080;transport=UDP>')
      expect((await finished(registrar)).stats?.counters.auth_ok).toBe(2)
    }
  })
})
