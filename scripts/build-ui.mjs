// Builds the switchboard interface (src/renderer) into out/renderer: the page the core serves
// as the web switchboard and the desktop app loads. The same settings as electron.vite.config.ts's
// renderer section, without building the Electron main process.
import { resolve } from 'node:path'
import react from '@vitejs/plugin-react'
import { build } from 'vite'

const root = resolve(import.meta.dirname, '..')
await build({
  configFile: false,
  root: resolve(root, 'src/renderer'),
  base: './',
  plugins: [react()],
  logLevel: process.argv.includes('--quiet') ? 'warn' : 'info',
  build: {
    outDir: resolve(root, 'out/renderer'),
    emptyOutDir: true,
    sourcemap: true,
    chunkSizeWarningLimit: 1500,
  },
})
