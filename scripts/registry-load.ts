/**
 * Loads a registry document (npm run registry:load -- registry.json [--by <who>]): localities, bodies
 * and cadres are added or updated in the record system, in one transaction, and the change audited.
 * The format is domain/registry/demo.json's (see README "The registry").
 */
import fs from 'node:fs';
import os from 'node:os';
import { parseArgs } from 'node:util';
import { loadConfig } from '../common/config';
import { createLogger } from '../common/logger';
import { openRecords } from '../activities/records';
import { saveRegistry } from '../activities/records/registry';
import { registryDocumentSchema } from '../domain/registry';

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({ options: { by: { type: 'string' } }, allowPositionals: true, strict: true });
  const file = positionals[0];
  if (!file) {
    console.error('usage: npm run registry:load -- <registry.json> [--by <who>]');
    process.exit(2);
  }
  const parsed = registryDocumentSchema.safeParse(JSON.parse(fs.readFileSync(file, 'utf8')));
  if (!parsed.success) throw new Error(`${file} is not a registry document: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`);
  const config = loadConfig();
  const logger = createLogger(config.logLevel, 'registry');
  const { db } = await openRecords({ ...config, seedDemoData: false }, logger);
  try {
    const change = await saveRegistry(db, parsed.data, { sub: values.by ?? `cli:${os.userInfo().username}`, source: file });
    logger.info({ ...change, file }, 'registry loaded');
  } finally {
    await db.close();
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
