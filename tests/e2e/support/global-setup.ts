/** Builds the interface the tests load, so they always test the code as it is now. */
import { execFileSync } from 'node:child_process'

export default function globalSetup(): void {
  execFileSync(process.execPath, ['scripts/build-ui.mjs', '--quiet'], { stdio: 'inherit' })
}
