/**
 * The worker and the API in one process, sharing one record store. `npm start` runs this when the
 * record store is the embedded one (no DATABASE_URL), which only one process can open; with
 * PostgreSQL it runs the worker and the API as separate processes, as production does.
 * On SIGINT/SIGTERM the API stops taking requests and finishes in-flight ones, the worker drains,
 * then the store closes.
 */
import { openRecords } from '../activities/records';
import { loadConfig } from '../common/config';
import { createLogger } from '../common/logger';
import { startServer } from '../api/server';
import { startWorker } from '../worker/main';

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config.logLevel, 'app');
  const { db, records } = await openRecords(config, logger.child({ component: 'records' }));
  const worker = await startWorker(config, logger.child({ component: 'worker' }), db, records);
  const api = await startServer({ pingDatabase: async () => void (await db.query('SELECT 1')) });
  const stop = () => void Promise.allSettled([api.close(), worker.shutdown()]);
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    await worker.done;
    await api.close();
  } finally {
    await db.close();
    logger.info('stopped');
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
