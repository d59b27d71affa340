// Bundles the headless routing core (src/core/cli.ts) into out/core/cli.js for plain Node.
// Dependencies stay in node_modules; only our own code is bundled.
import { build } from 'esbuild'

await build({
  entryPoints: ['src/core/cli.ts'],
  outfile: 'out/core/cli.js',
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  packages: 'external',
  sourcemap: true,
  logLevel: 'warning',
})
