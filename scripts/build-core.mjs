// Bundles the headless routing core (src/core/cli.ts) into out/core/cli.js for plain Node.
// Dependencies stay in node_modules; only our own code is bundled.
import { build } from 'esbuild'

await build({
  // the record worker (a thread of its own that writes call logs) is loaded from beside cli.js
  entryPoints: {
    cli: 'src/core/cli.ts',
    'record-worker': 'src/core/persistence/record-worker.ts',
  },
  outdir: 'out/core',
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  packages: 'external',
  sourcemap: true,
  logLevel: 'warning',
})
