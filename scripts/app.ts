/**
 * The worker and the API in one process, sharing one record store. `npm start` runs this when the
 * record store is the embedded one (no DATABASE_URL), which only one process can open; with
 * PostgreSQL it runs the worker and the API as separate processes, as production does.
 * On SIGINT/SIGTERM the API stops taking requests and finishes in-flight ones, then the worker
 * drains, then the store closes.
 */
import { openRecords } from '../activities/records';
import { createPayloadCodec } from '../common/codec';
import { loadConfig } from '../common/config';
import { createLogger } from '../common/logger';
import { startServer } from '../api/server';
import { readRegistry } from '../activities/records/registry';
import { cachedRegistry, registryAdmin } from '../api/registry';
import { createReadModel } from '../api/read-model';
import { createLibrary } from '../api/library';
import { createStatisticsSource } from '../api/statistics';
import { startWorker } from '../worker/main';

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config.logLevel, 'app');
  // One codec for both: the same keys encrypt what the API starts and what the worker writes.
  const payloadCodecs = [createPayloadCodec(config, logger.child({ component: 'codec' }))];
  const { db, records, keys } = await openRecords(config, logger.child({ component: 'records' }));
  const worker = await startWorker(config, logger.child({ component: 'worker' }), db, records, { payloadCodecs });
  // The API's graceful close (on SIGINT/SIGTERM) ends the process: drain the worker and close the store inside it.
  await startServer({
    payloadCodecs,
    registry: cachedRegistry(() => readRegistry(db)),
    registryAdmin: registryAdmin(db),
    history: { cadreHistory: (cadreId, unitCode) => records.cadreHistory(cadreId, unitCode) },
    readModel: createReadModel(db),
    library: createLibrary(db, keys),
    statistics: createStatisticsSource(db),
    pingDatabase: async () => void (await db.query('SELECT 1')),
    onClose: async () => {
      await worker.shutdown();
      await db.close();
      logger.info('worker drained, record store closed');
    },
  });
  worker.done.catch((err: unknown) => {
    logger.fatal({ err }, 'the worker stopped unexpectedly');
    process.exit(1);
  });
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
