/** The record system's public surface: open the store, migrate it, seed it, and the record system on it. */
import type { Logger } from 'pino';
import type { Config } from '../../common/config';
import { openDb, type Db } from './db';
import { migrate } from './migrate';
import { createRecordSystem, type RecordStore } from './recordSystem';
import { recordKeysOf, type RecordKeys } from './sealing';
import { seedDemoData } from './seed';

export { openDb, openPglite, openPostgres, scratchSchema, EmbeddedStoreLocked, type Db, type Queryable } from './db';
export { migrate } from './migrate';
export { migrations, type Migration } from './migrations';
export { createRecordSystem, verifyLedger, plaintextReport, type RecordStore, type PerformanceGrade, type CaseRecord, type PlaintextReport } from './recordSystem';
export { RecordKeys, RecordKeyError, recordKeysOf, recordKeyFile, SEALED_PREFIX } from './sealing';
export { eraseCase, retentionFromPolicies, ErasureRefused, type EraseOptions, type ErasureResult, type ErasureRefusal } from './erasure';
export { seedDemoData } from './seed';
export { LedgerConflict, LedgerOutOfOrder, InvalidRecordInput, recordsNonRetryableErrorTypes } from './errors';
export { canonicalJson, type LedgerVerification } from './ledger';

/**
 * Warns about what the keys cannot serve: case keys wrapped by a master key RECORD_KEYS does not list
 * (those cases cannot be read or written until it is listed again), and personal data written before
 * it was sealed.
 */
export async function checkRecordStore(db: Db, keys: RecordKeys, logger: Logger): Promise<void> {
  const { rows } = await db.query<{ key_id: string; cases: number }>('SELECT key_id, count(*)::int AS cases FROM case_keys WHERE wrapped_key IS NOT NULL GROUP BY key_id ORDER BY key_id');
  const missing = rows.filter((r) => !keys.ids.includes(r.key_id));
  if (missing.length) {
    logger.error(
      { missingKeyIds: missing.map((r) => r.key_id), cases: missing.reduce((n, r) => n + r.cases, 0), configuredKeyIds: keys.ids },
      'case keys are wrapped by master keys RECORD_KEYS does not list: those cases can be neither read nor written until the keys are listed again',
    );
  }
  // Cheap (a partial index): cases registered before sealing have a plain cadre id and no cadre hash.
  const legacy = (await db.query<{ n: number }>('SELECT count(*)::int AS n FROM cases WHERE cadre_ref IS NULL AND cadre_id IS NOT NULL')).rows[0]?.n ?? 0;
  if (legacy > 0) {
    logger.warn(
      { cases: legacy },
      'cases recorded before personal data was sealed keep it in the clear (their ledger entries even after erasure); plaintextReport counts the rows',
    );
  }
}

/** Opens the configured store, applies pending migrations, loads demo data if wanted. */
export async function openRecords(config: Pick<Config, 'databaseUrl' | 'dataDir' | 'seedDemoData' | 'recordKeys'>, logger: Logger): Promise<{ db: Db; records: RecordStore; keys: RecordKeys }> {
  const db = await openDb(config, logger);
  let keys: RecordKeys;
  try {
    keys = recordKeysOf(config, logger);
    await migrate(db, logger);
    await seedDemoData(db, config, logger);
    await checkRecordStore(db, keys, logger);
  } catch (err) {
    await db.close();
    throw err;
  }
  return { db, records: createRecordSystem(db, logger, keys), keys };
}
