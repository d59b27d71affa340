/**
 * The numbered migrations, listed by hand: no directory scanning, so they work bundled.
 * Add a migration as `NNNN-name.ts` exporting `up` (and `down`), then list it here. A
 * migration that has run is never edited: the next number changes the schema further.
 */
import type { Migration, MigrationProvider } from 'kysely'
import * as initial from './0001-initial'

export const migrations: Record<string, Migration> = {
  '0001-initial': initial,
}

export const migrationProvider: MigrationProvider = {
  getMigrations: () => Promise.resolve(migrations),
}
