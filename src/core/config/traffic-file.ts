/**
 * The simulated traffic file (resources/demo/traffic.yaml): how many callers ring which numbers
 * at what hours, and how callers, phones and people behave. Everything is optional but the
 * arrivals; defaults are in src/core/telephony/sim/traffic.ts.
 *
 * ```yaml
 * seed: 2026
 * arrivals:
 *   - { queue: sentralbord, perHour: 120 }                    # the queue's first number
 *   - { number: "+47 22 33 44 10", perHour: [0, 0, ..., 0] }  # 24 figures, one per local hour
 * patienceSeconds: 90
 * talkSeconds: { mean: 150, sd: 120 }
 * transfers: { fromQueues: [sentralbord], share: 0.5, attended: 0.3, hangUpWhileConsulting: 0.1 }
 * ```
 */
import { readFile } from 'node:fs/promises'
import { parse } from 'yaml'
import { z } from 'zod'
import { normalizeNumber } from '../../shared/phone'
import type { CompanyConfig } from '../domain/config'
import { defaultTraffic, type TrafficProfile } from '../telephony/sim/traffic'
import { ConfigError, formatPath } from './company-file'

const rate = z.number().min(0).max(36_000)
const probability = z.number().min(0).max(1)
const distribution = z.strictObject({ mean: z.number().positive(), sd: z.number().min(0) })

const schema = z.strictObject({
  seed: z.number().int().min(0).optional(),
  callerPool: z.number().int().min(1).max(1_000_000).optional(),
  vipShare: probability.optional(),
  patienceSeconds: z.number().positive().optional(),
  talkSeconds: distribution.optional(),
  answerSeconds: distribution.optional(),
  noAnswerRate: probability.optional(),
  rejectRate: probability.optional(),
  agentHangsUp: probability.optional(),
  externalAnswerRate: probability.optional(),
  transfers: z
    .strictObject({
      fromQueues: z.array(z.string()),
      share: probability,
      attended: probability.optional(),
      hangUpWhileConsulting: probability.optional(),
    })
    .optional(),
  arrivals: z
    .array(
      z.union([
        z.strictObject({
          queue: z.string().min(1),
          perHour: z.union([rate, z.array(rate).length(24)]),
        }),
        z.strictObject({
          number: z.string().min(1),
          perHour: z.union([rate, z.array(rate).length(24)]),
        }),
      ]),
    )
    .min(1),
})

/** Validates a parsed traffic file against the company it simulates. */
export function parseTrafficProfile(
  source: unknown,
  file: string,
  company: CompanyConfig,
): TrafficProfile {
  const parsed = schema.safeParse(source)
  if (!parsed.success) {
    throw new ConfigError(
      file,
      parsed.error.issues.map((issue) => ({
        path: formatPath(issue.path.map((k) => (typeof k === 'symbol' ? String(k) : k))),
        message: issue.message,
      })),
      [],
      'traffic file',
    )
  }
  const t = parsed.data
  const issues: { path: string; message: string }[] = []
  const queues = new Map(company.queues.map((q) => [q.id, q]))
  const arrivals = t.arrivals.flatMap((a, i) => {
    if ('queue' in a) {
      const queue = queues.get(a.queue)
      if (!queue || queue.numbers.length === 0) {
        issues.push({
          path: `arrivals[${i}].queue`,
          message: `no queue "${a.queue}" with a number in ${company.name}`,
        })
        return []
      }
      return [{ number: queue.numbers[0]!, perHour: a.perHour }]
    }
    const number = normalizeNumber(a.number)
    if (number === null) {
      issues.push({
        path: `arrivals[${i}].number`,
        message: `expected a phone number like +47 22 33 44 55 but got "${a.number}"`,
      })
      return []
    }
    return [{ number, perHour: a.perHour }]
  })
  t.transfers?.fromQueues.forEach((q, i) => {
    if (!queues.has(q))
      issues.push({
        path: `transfers.fromQueues[${i}]`,
        message: `no queue "${q}" in ${company.name}`,
      })
  })
  if (issues.length > 0) throw new ConfigError(file, issues, [], 'traffic file')
  return {
    ...defaultTraffic,
    ...(t.seed !== undefined ? { seed: t.seed } : {}),
    ...(t.callerPool !== undefined ? { callerPool: t.callerPool } : {}),
    ...(t.vipShare !== undefined ? { vipShare: t.vipShare } : {}),
    ...(t.patienceSeconds !== undefined ? { patienceSeconds: t.patienceSeconds } : {}),
    ...(t.talkSeconds ? { talkSeconds: t.talkSeconds } : {}),
    ...(t.answerSeconds ? { answerSeconds: t.answerSeconds } : {}),
    ...(t.noAnswerRate !== undefined ? { noAnswerRate: t.noAnswerRate } : {}),
    ...(t.rejectRate !== undefined ? { rejectRate: t.rejectRate } : {}),
    ...(t.agentHangsUp !== undefined ? { agentHangsUp: t.agentHangsUp } : {}),
    ...(t.externalAnswerRate !== undefined ? { externalAnswerRate: t.externalAnswerRate } : {}),
    ...(t.transfers
      ? {
          transferFrom: t.transfers.fromQueues,
          transferShare: t.transfers.share,
          attendedShare: t.transfers.attended ?? defaultTraffic.attendedShare,
          hangUpWhileConsulting:
            t.transfers.hangUpWhileConsulting ?? defaultTraffic.hangUpWhileConsulting,
        }
      : {}),
    arrivals,
  }
}

export async function loadTrafficFile(
  path: string,
  company: CompanyConfig,
): Promise<TrafficProfile> {
  let source: unknown
  try {
    source = parse(await readFile(path, 'utf8'))
  } catch (error) {
    const message = error instanceof Error ? error.message.split('\n')[0]! : String(error)
    const missing = error instanceof Error && 'code' in error && error.code === 'ENOENT'
    throw new ConfigError(
      path,
      [{ path: '', message: missing ? 'the file does not exist' : `invalid YAML: ${message}` }],
      [],
      'traffic file',
    )
  }
  return parseTrafficProfile(source, path, company)
}
