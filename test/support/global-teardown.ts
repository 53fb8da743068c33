/** Stops the dev server global setup started and removes its temporary folder. */
import fs from 'node:fs';
import { Client } from 'pg';
import { stopChild } from '../../scripts/dev-server';
import { TEST_SERVER_KEY, type TestServerHandle } from './test-server-handle';

export default async function globalTeardown(): Promise<void> {
  const store = globalThis as Record<string, unknown>;
  const handle = store[TEST_SERVER_KEY] as TestServerHandle | undefined;
  if (!handle) return;
  delete store[TEST_SERVER_KEY];
  await stopChild(handle.child, 10_000);
  fs.rmSync(handle.dir, { recursive: true, force: true });
  if (handle.databases?.length && process.env.TEST_DATABASE_URL) {
    const client = new Client({ connectionString: process.env.TEST_DATABASE_URL });
    await client.connect();
    try {
      for (const db of handle.databases) await client.query(`DROP DATABASE IF EXISTS "${db}" WITH (FORCE)`);
    } finally {
      await client.end();
    }
  }
}
