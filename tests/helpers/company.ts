/** Builders for engine configuration in tests: defaults that a test overrides where it matters. */
import type { CompanyConfig, QueueConfig, UserConfig } from '../../src/core/domain/config'
import { companyDefaults, queueDefaults } from '../../src/core/domain/config'

let extension = 100

export function user(id: string, overrides: Partial<UserConfig> = {}): UserConfig {
  const ext = String(extension++)
  return {
    id,
    firstName: id.charAt(0).toUpperCase() + id.slice(1),
    lastName: 'Testesen',
    extension: ext,
    mobile: null,
    direct: null,
    department: 'Sentralbord',
    presentableNumbers: [],
    forwardOnBusy: null,
    forwardOnNoAnswer: null,
    extraTerminal: null,
    ...overrides,
  }
}

export function queue(
  id: string,
  members: string[] | QueueConfig['members'],
  overrides: Partial<QueueConfig> = {},
): QueueConfig {
  return {
    ...queueDefaults,
    id,
    name: `Queue ${id}`,
    numbers: [],
    strategy: 'linear',
    members: members.map((m) =>
      typeof m === 'string' ? { userId: m, penalty: 0, loggedIn: true } : m,
    ),
    retryDelaySeconds: 0,
    ...overrides,
  }
}

export function company(
  overrides: Partial<CompanyConfig> & Pick<CompanyConfig, 'users' | 'queues'>,
): CompanyConfig {
  return {
    ...companyDefaults,
    id: 'acme',
    name: 'Acme AS',
    ...overrides,
  }
}
