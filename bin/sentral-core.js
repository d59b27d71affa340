#!/usr/bin/env node
// The headless routing core. Built by `npm run build:core` (npm run demo builds it first).
const { existsSync } = require('node:fs')
const { join } = require('node:path')

const built = join(__dirname, '..', 'out', 'core', 'cli.js')
if (!existsSync(built)) {
  console.error('sentral-core is not built yet: run `npm run build:core` first.')
  process.exit(1)
}
require(built)
