/**
 * A case worker on the dev server of the test run with the real record system (a test store) and the
 * real notifier on that store: what the HTTP-level tests run cases on.
 */
import { NativeConnection, Worker } from '@temporalio/worker';
import pino from 'pino';
import { createActivities } from '../../activities';
import { createNotifier } from '../../activities/notify';
import type { Config } from '../../common/config';
import { workflowBundle } from './case-harness';
import type { TestStore } from './databases';
import { testServerAddress } from './temporal';

export interface StoreWorker {
  worker: Worker;
  connection: NativeConnection;
  /** Resolves when the worker has stopped (and its notifier closed). */
  running: Promise<void>;
}

export async function startStoreWorker(store: TestStore, config: Config, namespace?: string): Promise<StoreWorker> {
  const connection = await NativeConnection.connect({ address: testServerAddress() });
  const notifier = createNotifier({ db: store.db, config, logger: pino({ level: 'silent' }) });
  const worker = await Worker.create({
    connection,
    ...(namespace ? { namespace } : {}),
    taskQueue: config.taskQueue,
    workflowBundle: await workflowBundle(),
    activities: createActivities({ records: store.records, notifier }),
  });
  return { worker, connection, running: worker.run().finally(() => notifier.close()) };
}
