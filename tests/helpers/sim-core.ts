/**
 * A core runtime with one company on a virtual clock, its telephone network simulated with no
 * callers of its own (the test places the calls) and phones that always answer, unless the
 * profile given says otherwise.
 */
import type { CompanyConfig } from '../../src/core/domain/config'
import { VirtualClock } from '../../src/core/runtime/clock'
import { CoreRuntime } from '../../src/core/runtime/core-runtime'
import { SimNetwork } from '../../src/core/telephony/sim/sim-network'
import { defaultTraffic, type TrafficProfile } from '../../src/core/telephony/sim/traffic'
import { counterIds, T0 } from './harness'

export function simulatedCore(
  config: CompanyConfig,
  profile: Partial<Omit<TrafficProfile, 'arrivals'>> = {},
  attended: (userId: string) => boolean = () => false,
) {
  const clock = new VirtualClock(T0)
  const runtime = new CoreRuntime({ clock, companies: [config], newId: counterIds(), seed: 1 })
  const sim = new SimNetwork({
    companyId: config.id,
    config,
    profile: { ...defaultTraffic, arrivals: [], noAnswerRate: 0, rejectRate: 0, ...profile },
    clock,
    attended,
  })
  runtime.attach(config.id, sim)
  return { clock, runtime, sim }
}
