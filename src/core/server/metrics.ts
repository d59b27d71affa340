/** GET /metrics in Prometheus' text format. */
import type { IntervalHistogram } from 'node:perf_hooks'
import type { CoreRuntime } from '../runtime/core-runtime'
import type { Recorder } from './recorder'

export function metricsText(
  runtime: CoreRuntime,
  clients: number,
  loopDelay: IntervalHistogram,
  recorder: Recorder,
): string {
  const lines: string[] = []
  const metric = (
    name: string,
    type: 'gauge' | 'counter',
    help: string,
    samples: [Record<string, string>, number][],
  ) => {
    lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`)
    for (const [labels, value] of samples) {
      const l = Object.entries(labels)
        .map(
          ([k, v]) =>
            `${k}="${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`,
        )
        .join(',')
      lines.push(`${name}${l ? `{${l}}` : ''} ${value}`)
    }
  }
  metric('sentral_connected_clients', 'gauge', 'Socket.IO clients connected.', [[{}, clients]])
  const calls: [Record<string, string>, number][] = []
  const waiting: [Record<string, string>, number][] = []
  for (const co of runtime.state.companies.values()) {
    const byState = new Map<string, number>()
    for (const call of co.calls.values())
      byState.set(call.state, (byState.get(call.state) ?? 0) + 1)
    for (const [state, n] of byState) calls.push([{ company: co.id, state }, n])
    for (const queue of co.queues.values())
      waiting.push([{ company: co.id, queue: queue.config.id }, queue.waiting.length])
  }
  metric('sentral_calls', 'gauge', 'Live calls by state.', calls)
  metric('sentral_queue_waiting', 'gauge', 'Callers waiting per queue.', waiting)
  metric('sentral_engine_steps_total', 'counter', 'Inputs the routing engine has processed.', [
    [{}, runtime.stepCount],
  ])
  metric(
    'sentral_event_loop_lag_seconds',
    'gauge',
    'Event-loop delay, 99th percentile over the last interval.',
    [[{}, loopDelay.percentile(99) / 1e9]],
  )
  metric(
    'sentral_store_write_failures_total',
    'counter',
    'Steps whose outputs could not be stored.',
    [[{}, recorder.failedWrites]],
  )
  loopDelay.reset()
  return lines.join('\n') + '\n'
}
