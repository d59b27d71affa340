import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    // Browser tests run under Playwright (tests/e2e/*.e2e.ts), not here.
    include: ['tests/**/*.test.{ts,tsx}'],
    environment: 'node',
    pool: 'forks',
    testTimeout: 20_000,
    hookTimeout: 20_000,
    reporters: ['default'],
  },
})
