/**
 * The periodic reports as workflows, apart from the cases. A Temporal Schedule per kind and locality
 * starts `reportScheduleWorkflow` (monthly on the 1st, quarterly on the 1st of January, April, July
 * and October, 02:00 Beijing time); it names the period that has just ended from the time the run was
 * scheduled for (so a run caught up after an outage reports the period it was due for) and runs
 * `periodicReportWorkflow` under the report's own id (`report-<kind>-<locality>-<period>`), which a
 * second run for the same period cannot start again. The report's record write is idempotent too.
 * Deterministic: the activities do the I/O (figures, page, record, notices).
 */
import {
  ApplicationFailure,
  defineSearchAttributeKey,
  SearchAttributeType,
  WorkflowExecutionAlreadyStartedError,
  WorkflowIdReusePolicy,
} from '@temporalio/common';
import { executeChild, ParentClosePolicy, proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { CompiledReport, ReportActivities } from '../../activities/reports';
import { reportIdOf, reportWorkflowId, type ReportKind } from '../../domain/report';
import { previousMonth, previousQuarter } from '../../domain/statistics';

export interface ReportScheduleInput {
  kind: ReportKind;
  locality: string;
  /** The supervision body of the locality, told when a notice cannot be delivered. */
  supervision?: string;
}

export interface PeriodicReportInput extends ReportScheduleInput {
  reportId: string;
  periodCode: string;
}

export interface PeriodicReportResult {
  reportId: string;
  /** `duplicate`: the report of this period was made already (by an earlier run) and stands. */
  outcome: 'recorded' | 'duplicate';
  digest?: string;
}

const { compileReport } = proxyActivities<ReportActivities>({
  startToCloseTimeout: '5 minutes',
  retry: { initialInterval: '10 seconds', backoffCoefficient: 2, maximumInterval: '10 minutes', maximumAttempts: 20 },
});
const { notifyReport } = proxyActivities<ReportActivities>({
  startToCloseTimeout: '2 minutes',
  retry: { initialInterval: '10 seconds', backoffCoefficient: 2, maximumInterval: '10 minutes', maximumAttempts: 20, nonRetryableErrorTypes: ['InvalidNotification'] },
});

/** Set by the server on a workflow a schedule started: the time the action was scheduled for. */
const scheduledStartTime = defineSearchAttributeKey('TemporalScheduledStartTime', SearchAttributeType.DATETIME);

/** One report: figures and page kept in the record system, then the bodies it is for told of it. */
export async function periodicReportWorkflow(input: PeriodicReportInput): Promise<PeriodicReportResult> {
  const report: CompiledReport = await compileReport({ reportId: input.reportId, kind: input.kind, locality: input.locality, periodCode: input.periodCode, asOf: new Date().toISOString() });
  // A report kept by an earlier run was announced by that run (the notices' keys make a repeat a no-op).
  await notifyReport({ report, ...(input.supervision ? { supervision: input.supervision } : {}) });
  return { reportId: report.reportId, outcome: report.outcome, digest: report.digest };
}

/** What a schedule starts: the report of the period that ended before the scheduled time. */
export async function reportScheduleWorkflow(input: ReportScheduleInput): Promise<PeriodicReportResult> {
  if (input.kind !== 'monthly' && input.kind !== 'quarterly') throw ApplicationFailure.nonRetryable(`unknown report kind ${String(input.kind)}`);
  const info = workflowInfo();
  const at = info.typedSearchAttributes.get(scheduledStartTime) ?? info.startTime;
  const periodCode = input.kind === 'monthly' ? previousMonth(at) : previousQuarter(at);
  const reportId = reportIdOf(input.kind, input.locality, periodCode);
  try {
    return await executeChild(periodicReportWorkflow, {
      workflowId: reportWorkflowId(reportId),
      args: [{ ...input, reportId, periodCode }],
      // One workflow per report, ever: a second run for the period finds it and makes nothing.
      workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
      parentClosePolicy: ParentClosePolicy.ABANDON,
      workflowExecutionTimeout: '1 day',
    });
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) return { reportId, outcome: 'duplicate' };
    throw err;
  }
}
