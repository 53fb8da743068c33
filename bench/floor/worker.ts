/**
 * The floor workflow's worker (bench/floor/workflow.ts), a process of its own as the case worker is,
 * on the run's server with the run's payload codec: `node dist/bench/floor/worker.js`, configured by
 * the environment the case worker gets (TEMPORAL_TASK_QUEUE names the floor's own queue).
 */
import { Worker } from '@temporalio/worker';
import { createPayloadCodec } from '../../common/codec';
import { loadConfig } from '../../common/config';
import { createLogger } from '../../common/logger';
import { connectWorker, temporalTarget } from '../../common/temporal';
import type { FloorActivities } from './workflow';

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config.logLevel, 'floor-worker');
  const target = temporalTarget(config);
  const activities: FloorActivities = { floorRecord: async () => undefined };
  const worker = await Worker.create({
    connection: await connectWorker(target),
    namespace: target.namespace,
    taskQueue: config.taskQueue,
    workflowsPath: require.resolve('./workflow'),
    activities,
    dataConverter: { payloadCodecs: [createPayloadCodec(config, logger)] },
  });
  // Stops on SIGTERM or SIGINT (the SDK's default shutdown signals).
  await worker.run();
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
