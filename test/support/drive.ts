/** Drives a case through its stages with the right actors, so each test can focus on its own path. */
import type { WorkflowHandle } from '@temporalio/client';
import type { UpdateDefinition } from '@temporalio/common';
import type { z } from 'zod';
import type { Actor, CaseState, rulingProposalSchema } from '../../domain/case';
import { type Action } from '../../workflows/messages';
import { updates } from '../../workflows/case/actions';
import { actors, days, investigation, state, type CaseHarness } from './case-harness';

export function act<T>(handle: WorkflowHandle, update: UpdateDefinition<CaseState, [Action<T>]>, actor: Actor, input: T, updateId?: string): Promise<CaseState> {
  return handle.executeUpdate(update, { args: [{ actor, input }], ...(updateId ? { updateId } : {}) });
}

const updateEvents = (h: Awaited<ReturnType<WorkflowHandle['fetchHistory']>>) =>
  (h.events ?? []).filter((e) => e.workflowExecutionUpdateAcceptedEventAttributes || e.workflowExecutionUpdateAdmittedEventAttributes || e.workflowExecutionUpdateCompletedEventAttributes);

let rejectionCounter = 0;

/** Expects the action to be rejected with this failure type by the validator, leaving no update event in history. */
export async function expectRejected<T>(handle: WorkflowHandle, update: UpdateDefinition<CaseState, [Action<T>]>, actor: Actor, input: T, type: string, message?: RegExp): Promise<void> {
  const before = updateEvents(await handle.fetchHistory()).length;
  const updateId = `rejected-${++rejectionCounter}`;
  const err = await act(handle, update, actor, input, updateId).then(
    () => undefined,
    (e: unknown) => e as { cause?: { type?: string; message?: string } },
  );
  expect(err).toBeDefined();
  expect(err?.cause?.type).toBe(type);
  if (message) expect(err?.cause?.message).toMatch(message);
  const history = await handle.fetchHistory();
  expect(updateEvents(history)).toHaveLength(before);
  expect(JSON.stringify(history.events ?? [])).not.toContain(updateId);
}

export async function toInvestigation(handle: WorkflowHandle): Promise<CaseState> {
  return act(handle, updates.acceptance, actors.org, { decision: 'accept' });
}

/** Accept, investigate with a uniform factor score, and give the consultation (no experts needed). */
export async function toRuling(handle: WorkflowHandle, score = 9): Promise<CaseState> {
  await toInvestigation(handle);
  const s = await act(handle, updates.investigation, actors.org, investigation(score));
  expect(s.stage).toBe('consultation');
  return act(handle, updates.consultation, actors.discipline, { opinion: 'concur', reasons: '同意组织部门意见' });
}

export type RulingInput = z.input<typeof rulingProposalSchema>;

/** Propose and approve a ruling, then let the appeal window lapse so it becomes final. */
export async function toFinal(h: CaseHarness, handle: WorkflowHandle, ruling: RulingInput): Promise<CaseState> {
  await act(handle, updates.rulingProposal, actors.org, ruling);
  const s = await act(handle, updates.rulingReview, actors.committee, { decision: 'approve', comments: '同意' });
  expect(s.stage).toBe('appeal');
  await sleepPast(h, s.tasks.find((t) => t.kind === 'appeal' && t.status === 'open')!.dueAt);
  return state(handle);
}

/** Skips time on the test server until just after `iso` (plus `extraMs`). */
export async function sleepPast(h: CaseHarness, iso: string, extraMs = 60_000): Promise<void> {
  const ms = Date.parse(iso) - (await h.env.currentTimeMs()) + extraMs;
  if (ms > 0) await h.env.sleep(ms);
}

/** Issue a one-measure correction plan due in `dueInDays`, optionally complete and verify it. */
export async function remediate(h: CaseHarness, handle: WorkflowHandle, opts: { dueInDays: number; complete: boolean }): Promise<CaseState> {
  const now = new Date(await h.env.currentTimeMs());
  const due = new Date(now.getTime() + days(opts.dueInDays)).toISOString().slice(0, 10);
  let s = await act(handle, updates.correctionPlan, actors.org, { opinion: '完善审批流程', measures: [{ title: '修订审批细则', description: '补齐试点审批流程中的复核环节', dueDate: due }] });
  if (!opts.complete) return s;
  s = await act(handle, updates.measureProgress, actors.unit, { measureId: 'm1', progress: '细则已修订并印发', percent: 100, completed: true });
  return act(handle, updates.measureVerification, actors.org, { measureId: 'm1', verified: true, comments: '经核查已落实' });
}

/** Retries an assertion until it holds (for effects of activities the workflow does not wait for). */
export async function eventually(assertion: () => void | Promise<void>, timeoutMs = 10_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    try {
      await assertion();
      return;
    } catch (err) {
      if (Date.now() > until) throw err;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}
