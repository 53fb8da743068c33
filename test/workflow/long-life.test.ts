/** Long life: continue-as-new keeps state and pending actions; search attributes and details stay current. */
import { act, toInvestigation } from '../support/drive';
import { actors, days, investigation, recordHistory, startCase, startHarness, state, type CaseHarness } from '../support/case-harness';
import { updates } from '../../workflows/case/actions';

let h: CaseHarness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => h?.stop());

test('When history grows past the threshold, then the case continues as new with its state, tasks and timeline intact', async () => {
  const handle = await startCase(h, { continueAsNewAfterEvents: 40 });
  const firstRun = (await handle.describe()).runId;
  await act(handle, updates.acceptance, actors.org, { decision: 'accept' }, 'accept-request-1');
  await act(handle, updates.investigation, actors.org, investigation(9));
  await h.env.sleep(days(3));
  const before = await state(handle);
  await act(handle, updates.consultation, actors.discipline, { opinion: 'concur', reasons: '同意' });
  await h.env.sleep(days(1));
  const s = await act(handle, updates.rulingProposal, actors.org, { outcome: 'exempt', tier: 'support', reasons: '免责' });
  expect(s.stage).toBe('rulingReview');
  const description = await h.env.client.workflow.getHandle(handle.workflowId).describe();
  expect(description.runId).not.toBe(firstRun);
  expect(s.timeline.slice(0, before.timeline.length)).toEqual(before.timeline);
  expect(s.assessment).toEqual(before.assessment);
  expect(s.tasks.find((t) => t.kind === 'rulingReview' && t.status === 'open')).toBeDefined();
  // a client retrying its acceptance after the continue-as-new gets the state, and nothing is applied twice
  const retried = await act(handle, updates.acceptance, actors.org, { decision: 'accept' }, 'accept-request-1');
  expect(retried.stage).toBe('rulingReview');
  expect(retried.timeline.filter((e) => e.event === 'accepted')).toHaveLength(1);
  const seqs = h.records.events.filter((e) => e.caseId === s.caseId).map((e) => e.seq).sort((a, b) => a - b);
  expect(seqs).toEqual([...seqs.keys()]);
  await recordHistory(h.env.client.workflow.getHandle(handle.workflowId, firstRun), 'continue-as-new', { running: true });
});

test('When a case waits on a role, then its search attributes say stage, awaited role, next deadline and policy — and nothing personal', async () => {
  const handle = await startCase(h);
  await toInvestigation(handle);
  const s = await state(handle);
  const d = await handle.describe();
  const sa = d.searchAttributes;
  expect(sa.CaseStage).toEqual(['investigation']);
  expect(sa.CaseUnit).toEqual(['JS-NJ-FGW']);
  expect(sa.CaseCategory).toEqual(['approval-reform']);
  expect(sa.CaseAwaiting).toEqual(['organization']);
  expect(sa.CasePolicyVersion).toEqual([s.policyVersion]);
  expect(sa.CaseOverdue).toEqual([false]);
  const task = s.tasks.find((t) => t.kind === 'investigation')!;
  expect((sa.CaseNextDeadline as Date[])[0]!.toISOString()).toBe(task.dueAt);
  const values = JSON.stringify(sa);
  expect(values).not.toContain(s.application.cadre.name);
  expect(values).not.toContain(s.application.cadre.id);
});
