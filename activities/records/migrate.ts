/**
 * Applies the pending migrations in order, each in its own transaction, under an advisory lock so
 * two processes starting at once neither race nor apply a migration twice.
 */
import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import type { Db } from './db';
import { migrations as allMigrations, type Migration } from './migrations';

/** Advisory-lock namespace of the record system; (namespace, 1) guards migrations. */
export const LOCK_NAMESPACE = 1919115;
const MIGRATION_LOCK = 1;

const checksum = (sql: string) => createHash('sha256').update(sql).digest('hex');

/** Applies what is missing; returns the versions it applied (empty when the schema is current). */
export async function migrate(db: Db, logger?: Logger, migrations: readonly Migration[] = allMigrations): Promise<number[]> {
  const ordered = [...migrations].sort((a, b) => a.version - b.version);
  if (new Set(ordered.map((m) => m.version)).size !== ordered.length) throw new Error('migration versions must be unique');
  const applied: number[] = [];
  for (const migration of ordered) {
    const didApply = await db.transaction(async (tx) => {
      await tx.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
        version    integer PRIMARY KEY,
        name       text NOT NULL,
        checksum   text NOT NULL,
        applied_at timestamptz NOT NULL DEFAULT now()
      )`);
      const { rows } = await tx.query<{ checksum: string }>('SELECT checksum FROM schema_migrations WHERE version = $1', [migration.version]);
      const done = rows[0];
      if (done) {
        if (done.checksum !== checksum(migration.sql)) {
          logger?.warn({ version: migration.version, name: migration.name }, 'an applied migration has changed since it was applied; add a new migration instead');
        }
        return false;
      }
      await tx.exec(migration.sql);
      await tx.query('INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)', [migration.version, migration.name, checksum(migration.sql)]);
      return true;
    }, { lock: [LOCK_NAMESPACE, MIGRATION_LOCK] });
    if (didApply) {
      applied.push(migration.version);
      logger?.info({ version: migration.version, name: migration.name }, 'record-system migration applied');
    }
  }
  return applied;
}
