/**
 * Runs a suite against every database the core supports, each with a migrated SqlStore:
 *
 * - SQLite: a fresh file in the OS temp directory, removed afterwards.
 * - PostgreSQL: TEST_DATABASE_URL, by default postgres://postgres@127.0.0.1:5432/test. Each
 *   suite works in a schema of its own (`t_<random>`, through the connection's search_path),
 *   dropped afterwards, so test files run in parallel without seeing each other.
 *
 * TEST_DATABASES=sqlite (or postgres) restricts the run to one of them.
 */
import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'
import { afterAll, beforeAll, describe } from 'vitest'
import type { Kysely } from 'kysely'
import type { SqlDialectName, Tables } from '../../src/core/persistence/database'
import { openDatabase } from '../../src/core/persistence/database'
import { SqlStore } from '../../src/core/persistence/sql-store'

export const postgresUrl =
  process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test'

const allDialects: SqlDialectName[] = ['sqlite', 'postgres']

export const testedDialects: SqlDialectName[] = (() => {
  const asked = process.env.TEST_DATABASES?.split(',').map((s) => s.trim())
  if (!asked || asked.length === 0 || asked[0] === '') return allDialects
  return allDialects.filter((d) => asked.includes(d))
})()

/** One database for one suite: the store is there from beforeAll to afterAll. */
export class TestDatabase {
  readonly dialect: SqlDialectName
  #store: SqlStore | null = null
  #db: Kysely<Tables> | null = null
  #others: SqlStore[] = []
  #dir: string | null = null
  #schema: string | null = null

  constructor(dialect: SqlDialectName) {
    this.dialect = dialect
  }

  get store(): SqlStore {
    if (!this.#store) throw new Error('the test database is open only inside the suite')
    return this.#store
  }

  /** The suite store's own Kysely instance, to look at rows the Store does not show. */
  get sql(): Kysely<Tables> {
    if (!this.#db) throw new Error('the test database is open only inside the suite')
    return this.#db
  }

  /** A SQLite file, or a PostgreSQL schema, and a migrated store on it. */
  async open(): Promise<void> {
    if (this.dialect === 'sqlite') {
      this.#dir = mkdtempSync(join(tmpdir(), 'sentral-test-'))
    } else {
      this.#schema = `t_${randomBytes(6).toString('hex')}`
      await admin(`create schema ${this.#schema}`)
    }
    const { store, db } = this.#connect()
    this.#store = store
    this.#db = db
    await store.migrate()
  }

  /** Another, unmigrated store on the same database (closed with the suite). */
  connect(): SqlStore {
    const { store } = this.#connect()
    this.#others.push(store)
    return store
  }

  #connect(): { store: SqlStore; db: Kysely<Tables> } {
    const handle =
      this.dialect === 'sqlite'
        ? openDatabase({ file: join(this.#requireDir(), 'sentral.db') })
        : openDatabase({ url: postgresUrl, schema: this.#requireSchema(), poolSize: 4 })
    return { store: new SqlStore(handle), db: handle.db }
  }

  async close(): Promise<void> {
    for (const store of this.#others) await store.close()
    this.#others = []
    await this.#store?.close()
    this.#store = null
    this.#db = null
    if (this.#dir !== null) rmSync(this.#dir, { recursive: true, force: true })
    this.#dir = null
    if (this.#schema !== null) await admin(`drop schema ${this.#schema} cascade`)
    this.#schema = null
  }

  #requireDir(): string {
    if (this.#dir === null) throw new Error('not open')
    return this.#dir
  }

  #requireSchema(): string {
    if (this.#schema === null) throw new Error('not open')
    return this.#schema
  }
}

async function admin(statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: postgresUrl })
  await client.connect()
  try {
    await client.query(statement)
  } finally {
    await client.end()
  }
}

/**
 * `describe`s `name` once per database; `fn` declares the tests and reads `db.store` inside
 * them (not while declaring: the store opens in beforeAll).
 */
export function forEachDatabase(name: string, fn: (db: TestDatabase) => void): void {
  describe.each(testedDialects)(`${name} [%s]`, (dialect) => {
    const db = new TestDatabase(dialect)
    beforeAll(() => db.open())
    afterAll(() => db.close())
    fn(db)
  })
}
