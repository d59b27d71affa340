/**
 * The activity log: a line per caller, answer and ended queue call, and a summary per minute,
 * at info level; nothing at all (and no work) when the logger is above info, as a busy
 * production core runs.
 */
import { Writable } from 'node:stream'
import pino from 'pino'
import { describe, expect, it } from 'vitest'
import { startActivityLog } from '../../../src/core/runtime/activity-log'
import { company, queue, user } from '../../helpers/company'
import { simulatedCore } from '../../helpers/sim-core'

const QUEUE = '+4722000000'

/** Two calls through a one-agent queue, logged at `level`; the log lines' messages. */
function run(level: 'info' | 'warn'): string[] {
  const lines: string[] = []
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n'))
        if (line !== '') lines.push((JSON.parse(line) as { msg: string }).msg)
      done()
    },
  })
  const logger = pino({ level }, sink)
  const config = company({
    users: [user('op')],
    queues: [queue('main', ['op'], { numbers: [QUEUE] })],
  })
  const { clock, runtime, sim } = simulatedCore(config)
  const stop = startActivityLog(runtime, [config], logger, clock, 60_000)
  sim.call('+4791111111', QUEUE)
  sim.call('+4792222222', QUEUE)
  clock.advanceBy(30 * 60_000)
  stop()
  return lines
}

describe('activity log', () => {
  it('at info: callers waiting, answers, ended queue calls and the summaries', () => {
    const lines = run('info')
    expect(lines.filter((m) => m === 'caller waiting in Queue main')).toHaveLength(2)
    expect(lines.filter((m) => m === 'answered by Op Testesen')).toHaveLength(2)
    expect(lines.filter((m) => m.startsWith('queue call answered'))).toHaveLength(2)
    expect(lines.filter((m) => m === 'summary').length).toBeGreaterThanOrEqual(29)
  })

  it('above info: nothing', () => {
    expect(run('warn')).toEqual([])
  })
})
