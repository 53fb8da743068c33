/**
 * The record system's database handle: one tiny interface, two implementations that run the same SQL.
 * PostgreSQL (a `pg` pool) when DATABASE_URL is set; otherwise PGlite, PostgreSQL compiled to
 * WebAssembly, kept in DATA_DIR/records so local runs need no install.
 */
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { Client, Pool, types as pgTypes, type PoolClient } from 'pg';
import type { Logger } from 'pino';
import type { Config } from '../../common/config';

/** What every statement runs on: the database itself or an open transaction. */
export interface Queryable {
  /** One statement, with `$1`-style parameters. */
  query<T = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<{ rows: T[] }>;
  /** Several statements without parameters (migrations). */
  exec(sql: string): Promise<void>;
}

/** A transaction-level advisory lock: two int4 keys, held until the transaction ends. */
export type AdvisoryLock = readonly [number, number];

export interface TransactionOptions {
  /** Taken first, before `fn` runs (on PostgreSQL in the same round trip as BEGIN). */
  lock?: AdvisoryLock;
}

export interface Db extends Queryable {
  readonly kind: 'postgres' | 'pglite';
  /** Runs `fn` in one transaction: committed when it resolves, rolled back when it throws. */
  transaction<T>(fn: (tx: Queryable) => Promise<T>, options?: TransactionOptions): Promise<T>;
  close(): Promise<void>;
}

const DATE_OID = 1082;

const INT4_MIN = -(2 ** 31);
const INT4_MAX = 2 ** 31 - 1;

/** The lock statement with its two keys written in (int4 only, so nothing but digits reaches the text). */
function lockStatement([a, b]: AdvisoryLock): string {
  for (const key of [a, b]) {
    if (!Number.isInteger(key) || key < INT4_MIN || key > INT4_MAX) throw new RangeError(`advisory lock key ${key} is not an int4`);
  }
  return `SELECT pg_advisory_xact_lock(${a}, ${b})`;
}
/** Civil dates stay 'YYYY-MM-DD' strings: turning them into a Date would shift them by the time zone. */
const keepText = (value: string): string => value;

/** How many distinct statement texts get a prepared statement on each connection. */
export const PREPARED_STATEMENTS_MAX = 500;

/**
 * Names for prepared statements, one per statement text: PostgreSQL then parses and plans a
 * statement once per connection instead of on every call. The name is derived from the text, so
 * every pool and connection agrees on it. Texts that vary with their data (multi-row inserts, filter
 * combinations) are few, but past `max` texts the rest run unprepared so no connection collects
 * statements without end. `renew` gives every text a name not used before: once the schema has
 * changed under the connections' prepared statements, each statement is prepared again on its next
 * run (the old ones stay unused until their connection closes).
 */
export function statementNamer(max = PREPARED_STATEMENTS_MAX): { name(sql: string): string | undefined; renew(): void } {
  let names = new Map<string, string>();
  let generation = 0;
  return {
    name(sql) {
      let name = names.get(sql);
      if (name === undefined && names.size < max) {
        name = `rc${generation}_${createHash('sha256').update(sql).digest('hex').slice(0, 24)}`;
        names.set(sql, name);
      }
      return name;
    },
    renew() {
      generation++;
      names = new Map();
    },
  };
}

/**
 * PostgreSQL refuses a prepared statement whose result columns have changed since the connection
 * prepared it (a migration run by another process, e.g. a column added to a table read with `*`).
 */
export function isStalePlan(err: unknown): boolean {
  const e = err as { code?: unknown; message?: unknown };
  return e?.code === '0A000' && typeof e.message === 'string' && e.message.includes('cached plan must not change result type');
}

/** A pool on a PostgreSQL server. */
export function openPostgres(connectionString: string, logger?: Logger): Db {
  const pool = new Pool({
    connectionString,
    max: 10,
    idleTimeoutMillis: 30_000,
    connectionTimeoutMillis: 10_000,
    application_name: 'rongcuo',
    types: {
      getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
        oid === DATE_OID ? keepText : pgTypes.getTypeParser(oid, format)) as typeof pgTypes.getTypeParser,
    },
  });
  // An idle client losing its connection must not crash the process; the pool replaces it.
  pool.on('error', (err) => logger?.warn({ err }, 'idle record-system connection failed'));
  const statements = statementNamer();
  const run = async <T>(client: Pool | PoolClient, sql: string, params?: readonly unknown[]) => {
    const name = statements.name(sql);
    const values = params as unknown[] | undefined;
    try {
      const result = await client.query(name === undefined ? { text: sql, values } : { name, text: sql, values });
      return { rows: result.rows as T[] };
    } catch (err) {
      // The schema changed under a prepared statement (a migration of another process): every
      // statement is prepared again under a new name from now on.
      if (isStalePlan(err)) statements.renew();
      throw err;
    }
  };
  return {
    kind: 'postgres',
    // A statement refused as stale runs again at once, prepared anew; so does a transaction.
    async query<T>(sql: string, params?: readonly unknown[]) {
      try {
        return await run<T>(pool, sql, params);
      } catch (err) {
        if (!isStalePlan(err)) throw err;
        return run<T>(pool, sql, params);
      }
    },
    exec: async (sql) => {
      await pool.query(sql);
    },
    async transaction(fn, options) {
      try {
        return await inTransaction(fn, options);
      } catch (err) {
        // Rolled back: run once more, its statements prepared anew.
        if (!isStalePlan(err)) throw err;
        return inTransaction(fn, options);
      }
    },
    async close() {
      if (!pool.ended) await pool.end();
    },
  };

  /** `fn` in one transaction on one connection of the pool: committed when it resolves, rolled back when it throws. */
  async function inTransaction<T>(fn: (tx: Queryable) => Promise<T>, options?: TransactionOptions): Promise<T> {
    const client = await pool.connect();
    let broken = false;
    try {
      // One round trip: BEGIN and the lock go together (the simple protocol takes both).
      await client.query(options?.lock ? `BEGIN; ${lockStatement(options.lock)}` : 'BEGIN');
      const tx: Queryable = {
        query: (sql, params) => run(client, sql, params),
        exec: async (sql) => {
          await client.query(sql);
        },
      };
      const result = await fn(tx);
      await client.query('COMMIT');
      return result;
    } catch (err) {
      try {
        await client.query('ROLLBACK');
      } catch {
        broken = true; // the connection is gone: do not hand it back to the pool
      }
      throw err;
    } finally {
      client.release(broken);
    }
  }
}

export class EmbeddedStoreLocked extends Error {
  override name = 'EmbeddedStoreLocked';
}

/**
 * PGlite has no lock of its own and two processes writing one data folder corrupt it, so the folder
 * holds a pid file while it is open. A pid file whose process has gone is taken over.
 */
function lockFolder(dir: string): () => void {
  const file = path.join(dir, 'rongcuo.lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      fs.writeFileSync(file, String(process.pid), { flag: 'wx' });
      return () => fs.rmSync(file, { force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const holder = Number(fs.readFileSync(file, 'utf8').trim());
      if (Number.isInteger(holder) && holder > 0 && holder !== process.pid && processAlive(holder)) {
        throw new EmbeddedStoreLocked(`The embedded record store in ${dir} is open in process ${holder}. Stop it, or set DATABASE_URL to share a PostgreSQL server.`);
      }
      if (holder === process.pid) {
        throw new EmbeddedStoreLocked(`The embedded record store in ${dir} is already open in this process.`);
      }
      fs.rmSync(file, { force: true });
    }
  }
  throw new EmbeddedStoreLocked(`Could not lock the embedded record store in ${dir}.`);
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The embedded store, persistent in `dir` (created if missing). */
export async function openPglite(dir: string): Promise<Db> {
  fs.mkdirSync(dir, { recursive: true });
  const unlock = lockFolder(dir);
  let db: PGlite;
  try {
    // PGlite's loader uses dynamic import(): under Jest, Node must run with --experimental-vm-modules.
    db = await PGlite.create({ dataDir: dir, parsers: { [DATE_OID]: keepText } });
  } catch (err) {
    unlock();
    throw err;
  }
  let closed = false;
  return {
    kind: 'pglite',
    query: async (sql, params) => ({ rows: (await db.query(sql, params as unknown[] | undefined)).rows as never[] }),
    exec: async (sql) => {
      await db.exec(sql);
    },
    transaction: (fn, options) =>
      db.transaction(async (t) => {
        if (options?.lock) await t.exec(lockStatement(options.lock));
        return fn({
          query: async (sql, params) => ({ rows: (await t.query(sql, params as unknown[] | undefined)).rows as never[] }),
          exec: async (sql) => {
            await t.exec(sql);
          },
        });
      }),
    async close() {
      if (closed) return;
      closed = true;
      try {
        await db.close();
      } finally {
        unlock();
      }
    },
  };
}

/** DATABASE_URL set: PostgreSQL; otherwise the embedded store in DATA_DIR/records. */
export function openDb(config: Pick<Config, 'databaseUrl' | 'dataDir'>, logger?: Logger): Promise<Db> {
  if (config.databaseUrl) return Promise.resolve(openPostgres(config.databaseUrl, logger));
  return openPglite(path.join(config.dataDir, 'records'));
}

/**
 * A schema of its own on the PostgreSQL server of `url`, for one test or benchmark run: `url` is the
 * connection string that works in it (its search_path), `drop` removes it with everything in it.
 */
export async function scratchSchema(url: string, prefix: string): Promise<{ schema: string; url: string; drop(): Promise<void> }> {
  const schema = `${prefix}_${randomBytes(6).toString('hex')}`;
  const admin = async (sql: string) => {
    const c = new Client({ connectionString: url });
    await c.connect();
    try {
      await c.query(sql);
    } finally {
      await c.end();
    }
  };
  await admin(`CREATE SCHEMA ${schema}`);
  const u = new URL(url);
  u.searchParams.set('options', `-c search_path=${schema}`);
  return { schema, url: u.toString(), drop: () => admin(`DROP SCHEMA ${schema} CASCADE`) };
}
