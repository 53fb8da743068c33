/** A record write that fails for good never stops a case: it goes on, supervision is told, and the entries are written once the store takes them. */
import { updates } from '../../workflows/case/actions';
import { act, eventually } from '../support/drive';
import { actors, investigation, recordHistory, startCase, startHarness, state, type CaseHarness } from '../support/case-harness';

let h: CaseHarness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => h?.stop());

test('When the record system refuses a case\'s entries for good, then the case keeps working, supervision is told once, and the ledger catches up after the fix', async () => {
  const handle = await startCase(h);
  const caseId = handle.workflowId;
  await eventually(() => expect(h.records.eventsOf(caseId)).toEqual(['opened']));
  h.records.refusing.add(caseId);

  let s = await act(handle, updates.acceptance, actors.org, { decision: 'accept' });
  expect(s.stage).toBe('investigation');
  await eventually(async () => expect((await state(handle)).recordFailure).toMatchObject({ seq: 1, attempts: 1, error: expect.stringMatching(/22021/) }));
  s = await act(handle, updates.investigation, actors.org, investigation(9));
  expect(s.stage).toBe('consultation');
  await eventually(() => expect(h.notifier.of(caseId, 'recordFailed')).toEqual([expect.objectContaining({ audience: { role: 'supervisor', unit: 'JS-NJ-JD' } })]));
  expect(h.records.eventsOf(caseId)).toEqual(['opened']);

  // the operators fix the store; the next hourly retry writes everything, in order, once
  h.records.refusing.delete(caseId);
  await h.env.sleep(61 * 60 * 1000);
  await eventually(async () => {
    const now = await state(handle);
    expect(now.recordFailure).toBeUndefined();
    expect(h.records.eventsOf(caseId)).toEqual(now.timeline.map((e) => e.event));
  });
  expect(h.notifier.of(caseId, 'recordFailed')).toHaveLength(1);
  await recordHistory(handle, 'record-failure-recovered', { running: true });
});
