/** Builds the case worker: the bundled workflows plus the activities it is given. */
import type { PayloadCodec } from '@temporalio/common';
import { Worker, type NativeConnection } from '@temporalio/worker';
import type { CaseActivities } from '../activities/types';

export interface CaseWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  activities: CaseActivities;
  /** A prebuilt bundle (tests, benchmarks); by default workflows are bundled from source at start. */
  workflowBundle?: { code: string };
  identity?: string;
  /** Cases kept in memory between tasks; the SDK's default when absent. */
  maxCachedWorkflows?: number;
  /**
   * Payload codecs (encryption, see common/codec.ts): they run on the worker's main thread, outside the
   * workflow sandbox, so the workflow code does not change. The clients that start and query cases
   * must use the same ones.
   */
  payloadCodecs?: PayloadCodec[];
}

export const workflowsPath = require.resolve('../workflows');

export function createCaseWorker(o: CaseWorkerOptions): Promise<Worker> {
  return Worker.create({
    connection: o.connection,
    namespace: o.namespace,
    taskQueue: o.taskQueue,
    activities: o.activities,
    ...(o.workflowBundle ? { workflowBundle: o.workflowBundle } : { workflowsPath }),
    ...(o.identity ? { identity: o.identity } : {}),
    dataConverter: { payloadCodecs: o.payloadCodecs ?? [] },
    // Cases wait for months; only the busy ones need to stay cached (see WORKER_MAX_CACHED_WORKFLOWS).
    ...(o.maxCachedWorkflows !== undefined ? { maxCachedWorkflows: o.maxCachedWorkflows } : {}),
  });
}
