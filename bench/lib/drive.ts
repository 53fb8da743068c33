/**
 * Opening and driving cases without HTTP: the start through the API's gateway, and each action as
 * the Update the API would run, by the role that owns it.
 */
import type { Client, WorkflowHandle } from '@temporalio/client';
import type { UpdateDefinition } from '@temporalio/common';
import { createTemporalGateway } from '../../api/gateway';
import type { Actor, CaseState } from '../../domain/case';
import { caseWorkflowType, getCaseQuery, type Action, type CaseInput } from '../../workflows/messages';
import { updates } from '../../workflows/case/actions';
import { actors, dateInDays, inputs, investigation } from './fixtures';
import { sleep } from './stats';

/** Opens a case through the API's own gateway (Update-with-Start, as POST /v1/cases does), without HTTP. */
export async function startCase(client: Client, taskQueue: string, input: CaseInput & { requestDigest: string }): Promise<WorkflowHandle> {
  await createTemporalGateway(client, { taskQueue }).start(input);
  return client.workflow.getHandle(input.caseId);
}

/** Only the start, as a bare client would make it: nothing waits for the worker. */
export function startOnly(client: Client, taskQueue: string, input: CaseInput): Promise<WorkflowHandle> {
  return client.workflow.start(caseWorkflowType, { taskQueue, workflowId: input.caseId, args: [input], workflowIdConflictPolicy: 'FAIL' });
}

export function act<T>(handle: WorkflowHandle, update: UpdateDefinition<CaseState, [Action<T>]>, actor: Actor, input: T): Promise<CaseState> {
  return handle.executeUpdate(update, { args: [{ actor, input }] });
}

export const caseState = (handle: WorkflowHandle): Promise<CaseState> => handle.query(getCaseQuery);

/** Where a driven case is left waiting. */
export const waitStages = ['acceptance', 'remediation', 'followUp'] as const;
export type WaitStage = (typeof waitStages)[number];

function expectStage(s: CaseState, stage: CaseState['stage'], step: string): CaseState {
  if (s.stage !== stage) throw new Error(`${s.caseId}: after ${step} the case is ${s.stage}, expected ${stage}`);
  return s;
}

/**
 * Drives a just-started case to `stage` (under a policy with a short appeal window, see
 * quickAppealPolicy): `acceptance` leaves it as started; `remediation` accepts, investigates,
 * consults, rules, lets the appeal window lapse and issues a correction plan with one measure due in
 * 90 days; `follow_up` also completes and verifies the measure, so the case waits for its first
 * revisit a month after the ruling.
 */
export async function driveTo(handle: WorkflowHandle, stage: WaitStage): Promise<CaseState> {
  if (stage === 'acceptance') return caseState(handle);
  expectStage(await act(handle, updates.acceptance, actors.org, inputs.accept), 'investigation', 'acceptance');
  expectStage(await act(handle, updates.investigation, actors.org, investigation(9)), 'consultation', 'investigation');
  expectStage(await act(handle, updates.consultation, actors.discipline, inputs.consultation), 'rulingProposal', 'consultation');
  expectStage(await act(handle, updates.rulingProposal, actors.org, inputs.ruling), 'rulingReview', 'ruling proposal');
  expectStage(await act(handle, updates.rulingReview, actors.committee, inputs.review), 'appeal', 'ruling review');
  await waitForStage(handle, 'remediation', 30_000);
  let s = expectStage(await act(handle, updates.correctionPlan, actors.org, inputs.correctionPlan(dateInDays(90))), 'remediation', 'correction plan');
  if (stage === 'remediation') return s;
  await act(handle, updates.measureProgress, actors.unit, inputs.progress(true));
  s = expectStage(await act(handle, updates.measureVerification, actors.org, inputs.verification), 'followUp', 'measure verification');
  return s;
}

/** Polls the case until it reaches `stage` (the appeal window lapsing is a timer, not an action). */
export async function waitForStage(handle: WorkflowHandle, stage: CaseState['stage'], timeoutMs: number): Promise<CaseState> {
  const until = Date.now() + timeoutMs;
  await sleep(1_000);
  for (;;) {
    const s = await caseState(handle);
    if (s.stage === stage) return s;
    if (Date.now() > until) throw new Error(`${s.caseId} is still ${s.stage} after ${timeoutMs / 1000} s, expected ${stage}`);
    await sleep(250);
  }
}
