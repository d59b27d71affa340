// Runs a benchmark the way production runs the core: bundled by esbuild (as out/core/cli.js is),
// on plain Node, with --expose-gc so heap figures are taken after a collection.
import { spawnSync } from 'node:child_process'
import { build } from 'esbuild'

const name = process.argv[2]
if (!name) {
  console.error('usage: node scripts/bench.mjs <engine|...>')
  process.exit(2)
}
const outfile = `out/bench/${name}.bench.mjs`
await build({
  entryPoints: [`bench/${name}.bench.ts`],
  outfile,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  packages: 'external',
  logLevel: 'warning',
})
const run = spawnSync(process.execPath, ['--expose-gc', outfile, ...process.argv.slice(3)], {
  stdio: 'inherit',
})
process.exit(run.status ?? 1)
