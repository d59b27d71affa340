import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { ConfigError, loadCompanyFile } from '../../../src/core/config/company-file'
import { loadTrafficFile, parseTrafficProfile } from '../../../src/core/config/traffic-file'
import { defaultTraffic } from '../../../src/core/telephony/sim/traffic'

const demo = join(process.cwd(), 'resources', 'demo')

describe('the traffic file', () => {
  it('loads the demo traffic, resolving queues to their numbers', async () => {
    const company = await loadCompanyFile(join(demo, 'company.yaml'))
    const traffic = await loadTrafficFile(join(demo, 'traffic.yaml'), company)
    const main = company.queues.find((q) => q.id === 'sentralbord')!
    expect(traffic.arrivals[0]).toEqual({ number: main.numbers[0], perHour: 150 })
    expect(traffic.transferFrom).toEqual(['sentralbord'])
    expect(traffic.talkSeconds).toEqual({ mean: 80, sd: 60 })
  })

  it('fills in defaults and accepts 24 hourly rates', async () => {
    const company = await loadCompanyFile(join(demo, 'company.yaml'))
    const hourly = Array.from({ length: 24 }, (_, h) => (h >= 8 && h < 16 ? 30 : 0))
    const traffic = parseTrafficProfile(
      { arrivals: [{ number: '22 93 50 50', perHour: hourly }] },
      't.yaml',
      company,
    )
    expect(traffic.arrivals).toEqual([{ number: '+4722935050', perHour: hourly }])
    expect(traffic.patienceSeconds).toBe(defaultTraffic.patienceSeconds)
  })

  it('reports each problem at its field, naming the traffic file', async () => {
    const company = await loadCompanyFile(join(demo, 'company.yaml'))
    const bad = {
      arrivals: [
        { queue: 'nowhere', perHour: 10 },
        { number: 'abc', perHour: 10 },
      ],
      transfers: { fromQueues: ['sentralbord', 'ghost'], share: 0.5 },
    }
    const error = (() => {
      try {
        parseTrafficProfile(bad, 'demo-traffic.yaml', company)
      } catch (e) {
        return e
      }
    })()
    expect(error).toBeInstanceOf(ConfigError)
    const issues = (error as ConfigError).issues
    expect(issues.map((i) => i.path)).toEqual([
      'arrivals[0].queue',
      'arrivals[1].number',
      'transfers.fromQueues[1]',
    ])
    expect((error as ConfigError).message).toContain('traffic file demo-traffic.yaml')
  })

  it('rejects rates that are not numbers, 23 hourly figures and unknown keys', async () => {
    const company = await loadCompanyFile(join(demo, 'company.yaml'))
    const cases = [
      { arrivals: [{ queue: 'lonn', perHour: 'many' }] },
      { arrivals: [{ queue: 'lonn', perHour: Array.from({ length: 23 }, () => 1) }] },
      { arrivals: [{ queue: 'lonn', perHour: 1 }], patience: 30 },
      { arrivals: [] },
    ]
    for (const source of cases)
      expect(() => parseTrafficProfile(source, 't.yaml', company)).toThrow(ConfigError)
  })

  it('a missing file is a ConfigError', async () => {
    const company = await loadCompanyFile(join(demo, 'company.yaml'))
    await expect(loadTrafficFile(join(demo, 'nope.yaml'), company)).rejects.toThrow(
      /does not exist/,
    )
  })
})
