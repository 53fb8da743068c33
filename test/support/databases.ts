/**
 * A fresh, migrated and seeded record store for a test: a private schema on the PostgreSQL server of
 * TEST_DATABASE_URL (required in CI), else the embedded store in a temporary folder.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import pino from 'pino';
import { loadConfig } from '../../common/config';
import { openRecords, scratchSchema, type Db, type RecordKeys, type RecordStore } from '../../activities/records';

export interface TestStore {
  db: Db;
  records: RecordStore;
  /** The store's master keys (what opens each case's sealed personal data). */
  keys: RecordKeys;
  kind: string;
  close(): Promise<void>;
}

/** The stores a suite that runs on both can be given: PostgreSQL where TEST_DATABASE_URL is set (always in CI), and PGlite. */
export const testStoreKinds = (): ('postgresql' | 'pglite')[] => (process.env.TEST_DATABASE_URL || process.env.CI ? ['postgresql', 'pglite'] : ['pglite']);

/** PostgreSQL where TEST_DATABASE_URL is set, else PGlite; or the `kind` asked for. */
export async function openTestStore(kind?: 'postgresql' | 'pglite'): Promise<TestStore> {
  const logger = pino({ level: 'silent' });
  const url = kind === 'pglite' ? undefined : process.env.TEST_DATABASE_URL;
  if (!url && (process.env.CI || kind === 'postgresql') && kind !== 'pglite') throw new Error('TEST_DATABASE_URL is not set: CI must provide a PostgreSQL server');
  if (url) {
    const scratch = await scratchSchema(url, 'rc_e2e');
    // the demo reference data (registry, recipients), as on the embedded store; record keys of the
    // test's own (the embedded default would write a key file into ./data)
    const { db, records, keys } = await openRecords(loadConfig({ DATABASE_URL: scratch.url, SEED_DEMO_DATA: 'true', RECORD_KEYS: `test:${randomBytes(32).toString('base64')}` }), logger);
    return { db, records, keys, kind: 'postgresql', close: async () => { await db.close(); await scratch.drop(); } };
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rongcuo-e2e-'));
  const { db, records, keys } = await openRecords(loadConfig({ DATA_DIR: dir }), logger);
  return { db, records, keys, kind: 'pglite', close: async () => { await db.close(); fs.rmSync(dir, { recursive: true, force: true }); } };
}
