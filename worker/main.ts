/**
 * The worker's entry point: the record system, the notification system and the working-day calendar
 * wired into the case activities, polling the case task queue until a signal asks it to drain.
 */
import type { PayloadCodec } from '@temporalio/common';
import type { Logger } from 'pino';
import { createActivities } from '../activities';
import { createReportActivities } from '../activities/reports';
import { readRegistry } from '../activities/records/registry';
import { PolicyRegistry } from '../domain/policies';
import { createNotifier } from '../activities/notify';
import { openRecords, type Db } from '../activities/records';
import { createPayloadCodec } from '../common/codec';
import { loadConfig, type Config } from '../common/config';
import { createLogger } from '../common/logger';
import { connectClient, connectWorker, temporalTarget } from '../common/temporal';
import { ensureReportSchedules } from './schedules';
import { installSdkLogging } from './logging';
import { createCaseWorker, minimumWorkflowHeapMiB } from './worker';

export interface RunningWorker {
  /** Resolves when the worker has drained and stopped. */
  done: Promise<void>;
  /** Stops polling, lets running tasks finish, closes the connection and the notifier. */
  shutdown(): Promise<void>;
}

export interface StartWorkerOptions {
  /**
   * The payload codecs (`[createPayloadCodec(config, logger)]` in the entry points). The clients that
   * start and query cases must use the same ones; without any, payloads are written in the clear.
   */
  payloadCodecs?: PayloadCodec[];
}

/** Starts a worker on an open record store (which the caller owns and closes). */
export async function startWorker(
  config: Config,
  logger: Logger,
  db: Db,
  records: Parameters<typeof createActivities>[0]['records'],
  options: StartWorkerOptions = {},
): Promise<RunningWorker> {
  installSdkLogging(logger);
  const minimumHeap = minimumWorkflowHeapMiB(config.maxCachedWorkflows);
  if (config.workflowHeapMiB && config.workflowHeapMiB < minimumHeap) {
    logger.warn(
      { workflowHeapMiB: config.workflowHeapMiB, maxCachedWorkflows: config.maxCachedWorkflows, minimumHeap },
      `WORKER_WORKFLOW_HEAP_MIB is too small for WORKER_MAX_CACHED_WORKFLOWS: raise it to at least ${minimumHeap} or cache fewer cases`,
    );
  }
  const target = temporalTarget(config);
  const connection = await connectWorker(target);
  const notifier = createNotifier({ db, config, logger: logger.child({ component: 'notify' }) });
  const worker = await createCaseWorker({
    connection,
    namespace: target.namespace,
    taskQueue: config.taskQueue,
    maxCachedWorkflows: config.maxCachedWorkflows,
    workflowHeapMiB: config.workflowHeapMiB,
    activities: {
      ...createActivities({ records, notifier }),
      // the periodic reports (workflows/report): figures from the record store, notices through the same notifier
      ...createReportActivities({ db, registry: () => readRegistry(db), policies: PolicyRegistry.load(config.policyDir || undefined), notifier, config }),
    },
    payloadCodecs: options.payloadCodecs ?? [],
  });
  logger.info({ address: target.address, namespace: target.namespace, taskQueue: config.taskQueue }, 'worker started');
  if (config.reportSchedules) {
    // Created or updated on every start; a failure is reported and leaves the casework running.
    try {
      const client = await connectClient(target, { payloadCodecs: options.payloadCodecs ?? [] });
      try {
        const ids = await ensureReportSchedules(client, await readRegistry(db), config.taskQueue, logger.child({ component: 'schedules' }));
        logger.info({ schedules: ids.length }, 'report schedules in place');
      } finally {
        await client.connection.close();
      }
    } catch (err) {
      logger.error({ err }, 'the report schedules could not be created or updated; they are tried again at the next start');
    }
  }
  const done = worker.run().finally(async () => {
    await notifier.close();
    await connection.close();
  });
  return {
    done,
    async shutdown() {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await done;
    },
  };
}

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config.logLevel, 'worker');
  const payloadCodecs = [createPayloadCodec(config, logger)];
  const { db, records } = await openRecords(config, logger);
  const running = await startWorker(config, logger, db, records, { payloadCodecs });
  const stop = () => void running.shutdown();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    await running.done;
  } finally {
    await db.close();
    logger.info('worker stopped');
  }
}

if (require.main === module) {
  main().catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
