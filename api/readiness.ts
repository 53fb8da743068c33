/**
 * What /readyz checks in a running API: Temporal answers, and at least one worker polls the case
 * task queue for workflow tasks (without one, every action and read of a case would wait and time
 * out). The record store is checked only by a process that uses it (scripts/app.ts, where the worker
 * runs beside the API).
 */
import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import type { Config } from '../common/config';
import type { Readiness } from './plugins/services';

/**
 * How recently a poller must have been seen, in ms. A worker's long poll lasts up to a minute and its
 * last access time is when the poll began, so an idle worker is up to a minute old between polls.
 */
export const POLLER_WINDOW_MS = 90_000;
const DEADLINE_MS = 3_000;

export interface PollerSeen {
  lastAccessTime?: { seconds?: { toNumber(): number } | number | null; nanos?: number | null } | null;
}

/** The pollers seen within `windowMs` of `now`. */
export function recentPollers<P extends PollerSeen>(pollers: readonly P[], now: Date, windowMs = POLLER_WINDOW_MS): P[] {
  return pollers.filter((p) => {
    const seconds = p.lastAccessTime?.seconds;
    if (seconds === undefined || seconds === null) return false;
    const ms = (typeof seconds === 'number' ? seconds : seconds.toNumber()) * 1000 + Math.floor((p.lastAccessTime?.nanos ?? 0) / 1e6);
    return now.getTime() - ms <= windowMs;
  });
}

export class NoWorkerError extends Error {
  override name = 'NoWorkerError';
}

/** The Temporal checks of /readyz: `temporal` (GetSystemInfo) and `workers` (DescribeTaskQueue, workflow tasks). */
export function temporalReadiness(client: Client, config: Pick<Config, 'taskQueue'>, options: { now?: () => Date; windowMs?: number } = {}): Readiness {
  const now = options.now ?? (() => new Date());
  return {
    temporal: async () => {
      await client.withDeadline(Date.now() + DEADLINE_MS, () => client.workflowService.getSystemInfo({}));
    },
    workers: async () => {
      const response = await client.withDeadline(Date.now() + DEADLINE_MS, () =>
        client.workflowService.describeTaskQueue({
          namespace: client.options.namespace,
          taskQueue: { name: config.taskQueue, kind: temporal.api.enums.v1.TaskQueueKind.TASK_QUEUE_KIND_NORMAL },
          taskQueueType: temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
        }),
      );
      if (recentPollers(response.pollers ?? [], now(), options.windowMs).length === 0) throw new NoWorkerError(`no worker has polled ${config.taskQueue} for workflow tasks recently`);
    },
  };
}
