/** Builds the case worker: the bundled workflows plus the activities it is given. */
import v8 from 'node:v8';
import type { PayloadCodec } from '@temporalio/common';
import { Worker, type NativeConnection } from '@temporalio/worker';
import type { ReportActivities } from '../activities/reports';
import type { CaseActivities } from '../activities/types';

export interface CaseWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  /** The case activities, and the periodic reports' where the worker runs those too. */
  activities: CaseActivities & Partial<ReportActivities>;
  /** A prebuilt bundle (tests, benchmarks); by default workflows are bundled from source at start. */
  workflowBundle?: { code: string };
  identity?: string;
  /** Cases kept in memory between tasks; the SDK's default when absent. */
  maxCachedWorkflows?: number;
  /** Old-space limit (MiB) of the workflow threads; V8's default (from the machine's memory) when absent or 0. */
  workflowHeapMiB?: number;
  /**
   * Payload codecs (encryption, see common/codec.ts): they run on the worker's main thread, outside the
   * workflow sandbox, so the workflow code does not change. The clients that start and query cases
   * must use the same ones.
   */
  payloadCodecs?: PayloadCodec[];
}

export const workflowsPath = require.resolve('../workflows');

/**
 * How the workflow code is bundled, here and wherever a bundle is made ahead (tests, benchmarks).
 * Every case runs in one reused V8 context, where by default each case gets its own copy of the
 * modules it imports. The workflow code keeps no module state, so every module is evaluated once per
 * workflow thread and shared by all its cases instead (workflows/preload.ts): a new case costs no
 * module evaluation, and a cached case half the memory.
 */
export const bundlerOptions = { preloadModules: [require.resolve('../workflows/preload')] };

/**
 * The smallest workflow heap limit (MiB) that leaves room for `maxCachedWorkflows` cached cases: about
 * 30 MiB plus 0.75 MiB per cached case stay alive, and V8 needs about 2.5 times its live set to
 * collect without stalling. Below it a full cache ends in a heap out-of-memory error of the workflow thread.
 */
export function minimumWorkflowHeapMiB(maxCachedWorkflows: number): number {
  return Math.ceil(2.5 * (30 + 0.75 * maxCachedWorkflows));
}

export function createCaseWorker(o: CaseWorkerOptions): Promise<Worker> {
  // V8 reads its heap flags when an isolate is created: set here, the limit applies to the workflow
  // threads the worker is about to start (and any thread started later), not to the main thread.
  if (o.workflowHeapMiB) v8.setFlagsFromString(`--max-old-space-size=${o.workflowHeapMiB}`);
  return Worker.create({
    connection: o.connection,
    namespace: o.namespace,
    taskQueue: o.taskQueue,
    activities: o.activities,
    ...(o.workflowBundle ? { workflowBundle: o.workflowBundle } : { workflowsPath, bundlerOptions }),
    ...(o.identity ? { identity: o.identity } : {}),
    dataConverter: { payloadCodecs: o.payloadCodecs ?? [] },
    // Cases wait for months; only the busy ones need to stay cached (see WORKER_MAX_CACHED_WORKFLOWS).
    ...(o.maxCachedWorkflows !== undefined ? { maxCachedWorkflows: o.maxCachedWorkflows } : {}),
  });
}
