/**
 * The Temporal Schedules of the periodic reports, created or brought up to date when the worker
 * starts (idempotent: a schedule that exists is updated to the same spec, action and policies). One
 * schedule per kind and locality of the registry, visible on the Temporal UI's Schedules page:
 * `report-monthly-<locality>` on the 1st of every month and `report-quarterly-<locality>` on the 1st
 * of January, April, July and October, at 02:00 Beijing time. Runs missed while the server was down
 * are caught up within a window (31 days for the monthly, 92 for the quarterly), one after another;
 * a run never makes a second report for a period (see workflows/report).
 */
import { ScheduleAlreadyRunning, ScheduleOverlapPolicy, type Client, type ScheduleOptions } from '@temporalio/client';
import type { Logger } from 'pino';
import { reportKindLabels, reportScheduleId, reportKinds, type ReportKind } from '../domain/report';
import type { Registry } from '../domain/registry';
import type { ReportScheduleInput } from '../workflows/report';

/** How far back a schedule catches up on runs missed while the server was down. */
export const catchupWindows: Record<ReportKind, string> = { monthly: '31 days', quarterly: '92 days' };

/** The schedule of one kind of report of one locality. */
export function reportScheduleOptions(kind: ReportKind, locality: { code: string; name: string }, taskQueue: string, supervision?: string): ScheduleOptions {
  const args: [ReportScheduleInput] = [{ kind, locality: locality.code, ...(supervision ? { supervision } : {}) }];
  return {
    scheduleId: reportScheduleId(kind, locality.code),
    spec: {
      calendars: [{ dayOfMonth: 1, hour: 2, minute: 0, ...(kind === 'quarterly' ? { month: ['JANUARY', 'APRIL', 'JULY', 'OCTOBER'] } : {}) }],
      timezone: 'Asia/Shanghai',
    },
    action: {
      type: 'startWorkflow',
      workflowType: 'reportScheduleWorkflow',
      workflowId: `report-run-${kind}-${locality.code}`,
      taskQueue,
      args,
      workflowExecutionTimeout: '2 days',
    },
    policies: { catchupWindow: catchupWindows[kind], overlap: ScheduleOverlapPolicy.BUFFER_ALL, pauseOnFailure: false },
    state: { note: `${locality.name}${reportKindLabels[kind]}` },
  };
}

/** Creates every report schedule the registry calls for, or updates it; returns their ids. */
export async function ensureReportSchedules(client: Client, registry: Registry, taskQueue: string, logger: Logger): Promise<string[]> {
  const ids: string[] = [];
  for (const locality of registry.document.localities) {
    const supervision = registry.bodyFor('supervision', locality.code)?.code;
    for (const kind of reportKinds) {
      const options = reportScheduleOptions(kind, locality, taskQueue, supervision);
      try {
        await client.schedule.create(options);
        logger.info({ scheduleId: options.scheduleId }, 'report schedule created');
      } catch (err) {
        if (!(err instanceof ScheduleAlreadyRunning)) throw err;
        await client.schedule.getHandle(options.scheduleId).update((previous) => ({
          ...previous,
          spec: options.spec,
          action: options.action,
          policies: { ...previous.policies, ...options.policies },
          state: { ...previous.state, note: options.state?.note },
        }));
        logger.debug({ scheduleId: options.scheduleId }, 'report schedule updated');
      }
      ids.push(options.scheduleId);
    }
  }
  return ids;
}
