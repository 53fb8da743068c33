/** The record system's public surface: open the store, migrate it, seed it, and the record system on it. */
import type { Logger } from 'pino';
import type { Config } from '../../common/config';
import { openDb, type Db } from './db';
import { migrate } from './migrate';
import { createRecordSystem, type RecordStore } from './recordSystem';
import { seedDemoData } from './seed';

export { openDb, openPglite, openPostgres, EmbeddedStoreLocked, type Db, type Queryable } from './db';
export { migrate } from './migrate';
export { migrations, type Migration } from './migrations';
export { createRecordSystem, verifyLedger, type RecordStore, type PerformanceGrade } from './recordSystem';
export { seedDemoData } from './seed';
export { LedgerConflict, LedgerOutOfOrder, InvalidRecordInput, recordsNonRetryableErrorTypes } from './errors';
export { canonicalJson, type LedgerVerification } from './ledger';

/** Opens the configured store, applies pending migrations, loads demo data if wanted. */
export async function openRecords(config: Pick<Config, 'databaseUrl' | 'dataDir' | 'seedDemoData'>, logger: Logger): Promise<{ db: Db; records: RecordStore }> {
  const db = await openDb(config, logger);
  try {
    await migrate(db, logger);
    await seedDemoData(db, config, logger);
  } catch (err) {
    await db.close();
    throw err;
  }
  return { db, records: createRecordSystem(db, logger) };
}
