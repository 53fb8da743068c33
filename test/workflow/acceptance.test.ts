/** Acceptance: accept, refuse, supplement received, supplement timeout, withdrawal; reminders and escalation. */
import { updates } from '../../workflows/case/actions';
import { act, eventually, sleepPast } from '../support/drive';
import { actors, days, recordHistory, startCase, startHarness, state, type CaseHarness } from '../support/case-harness';

let h: CaseHarness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => h?.stop());

test('When the organization refuses with a reason, then the case closes as refused and the result is the final state', async () => {
  const handle = await startCase(h);
  const s = await act(handle, updates.acceptance, actors.org, { decision: 'refuse', reason: '不属于容错纠错受理范围' });
  expect(s.stage).toBe('closed');
  expect(s.closeReason).toBe('refused');
  const result = await handle.result();
  expect(result.closeReason).toBe('refused');
  await recordHistory(handle, 'refused');
  expect(h.records.eventsOf(s.caseId)).toEqual(['opened', 'refused', 'closed']);
});

test('When a supplement is requested and supplied, then the case returns to acceptance with the new evidence', async () => {
  const handle = await startCase(h);
  let s = await act(handle, updates.acceptance, actors.org, { decision: 'requestSupplement', requestedItems: ['会议纪要'] });
  expect(s.stage).toBe('supplement');
  const supplementTask = s.tasks.find((t) => t.kind === 'supplement' && t.status === 'open');
  expect(supplementTask).toMatchObject({ role: 'unit', overdue: false });
  await eventually(() => expect(h.notifier.of(s.caseId, 'supplementRequested')).toHaveLength(1));
  s = await act(handle, updates.supplement, actors.unit, {
    note: '补充集体决策会议纪要',
    evidence: [{ title: '会议纪要', uri: 'https://records.example/minutes/1', sha256: 'a'.repeat(64) }],
    circumstances: { collectiveDecision: true },
  });
  expect(s.stage).toBe('acceptance');
  expect(s.application.evidence).toHaveLength(1);
  expect(s.supplements).toHaveLength(1);
  expect(s.tasks.filter((t) => t.kind === 'acceptance' && t.status === 'open')).toHaveLength(1);
  s = await act(handle, updates.acceptance, actors.org, { decision: 'accept' });
  expect(s.stage).toBe('investigation');
});

test('When the supplement deadline passes with nothing supplied, then the case closes as supplement_timeout', async () => {
  const handle = await startCase(h);
  await act(handle, updates.acceptance, actors.org, { decision: 'requestSupplement', requestedItems: ['情况说明'] });
  const due = (await state(handle)).tasks.find((t) => t.kind === 'supplement')!.dueAt;
  await sleepPast(h, due);
  const s = await handle.result();
  expect(s.stage).toBe('closed');
  expect(s.closeReason).toBe('supplementTimeout');
  expect(s.timeline.filter((e) => e.event === 'reminderSent').length).toBeGreaterThanOrEqual(1);
  // a finished case takes no more actions
  await expect(act(handle, updates.supplement, actors.unit, { note: '迟到的补充', evidence: [] })).rejects.toThrow();
  expect((await handle.result()).closeReason).toBe('supplementTimeout');
  await recordHistory(handle, 'supplement-timeout');
});

test('When acceptance is overdue, then supervisors are escalated to again and again while the case keeps waiting', async () => {
  const handle = await startCase(h);
  await h.env.sleep(days(30));
  const s = await state(handle);
  expect(s.stage).toBe('acceptance');
  const task = s.tasks.find((t) => t.kind === 'acceptance')!;
  expect(task.overdue).toBe(true);
  expect(task.escalations).toBeGreaterThanOrEqual(2);
  await eventually(() => expect(h.notifier.of(s.caseId, 'escalation').length).toBe(2 * task.escalations));
  const escalations = h.notifier.of(s.caseId, 'escalation');
  // each one to the supervision body of the case's locality and to the organization department that must act
  expect(escalations.filter((n) => n.audience.role === 'supervisor').map((n) => n.audience.unit)).toEqual(Array(task.escalations).fill('JS-NJ-JD'));
  expect(escalations.filter((n) => n.audience.role === 'organization').map((n) => n.audience.unit)).toEqual(Array(task.escalations).fill('JS-NJ-ZZB'));
  const reminders = h.notifier.of(s.caseId, 'reminder');
  expect(reminders.map((n) => n.audience.role)).toEqual(['organization', 'organization']);
  const description = await handle.describe();
  expect(description.searchAttributes.CaseOverdue).toEqual([true]);
  expect(description.searchAttributes.CaseAwaiting).toEqual(['organization']);
});

test('When the unit withdraws before the ruling, then the case closes as withdrawn and no task stays open', async () => {
  const handle = await startCase(h);
  await act(handle, updates.acceptance, actors.org, { decision: 'accept' });
  const s = await act(handle, updates.withdrawal, actors.unit, { reason: '单位决定撤回申请' });
  expect(s.stage).toBe('closed');
  expect(s.closeReason).toBe('withdrawn');
  expect(s.tasks.every((t) => t.status !== 'open')).toBe(true);
  const sa = (await handle.describe()).searchAttributes;
  expect(sa.CaseStage).toEqual(['closed']);
  expect(sa.CaseAwaiting ?? []).toEqual([]);
  await recordHistory(handle, 'withdrawn');
});

test('When the same update id is sent twice, then the action is applied once', async () => {
  const handle = await startCase(h);
  const first = await act(handle, updates.acceptance, actors.org, { decision: 'requestSupplement', requestedItems: ['A'] }, 'req-1');
  const again = await act(handle, updates.acceptance, actors.org, { decision: 'requestSupplement', requestedItems: ['A'] }, 'req-1');
  expect(again.stage).toBe(first.stage);
  const s = await state(handle);
  expect(s.timeline.filter((e) => e.event === 'supplementRequested')).toHaveLength(1);
});
