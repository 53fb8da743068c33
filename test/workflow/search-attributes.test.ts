/**
 * Search attributes upserted only where they change (patch `search-attributes-as-changed`): a case
 * started as the API starts it, with the search attributes its opening leaves, upserts none of its
 * own in its first workflow task, and a reaction upserts only the attributes it changed.
 */
import type { WorkflowHandle } from '@temporalio/client';
import { searchAttributePayloadConverter } from '@temporalio/common/lib/converter/payload-search-attributes';
import { updates } from '../../workflows/case/actions';
import { act, eventually } from '../support/drive';
import { actors, recordHistory, startCase, startHarness, type CaseHarness } from '../support/case-harness';

jest.setTimeout(120_000);

let h: CaseHarness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => h?.stop());

/** The search attributes each upsert of the case names, with the workflow task it was made in. */
async function upserts(handle: WorkflowHandle): Promise<{ task: number; keys: string[] }[]> {
  const events = (await handle.fetchHistory()).events ?? [];
  let task = 0;
  return events.flatMap((e) => {
    if (e.workflowTaskCompletedEventAttributes) task++;
    const fields = e.upsertWorkflowSearchAttributesEventAttributes?.searchAttributes?.indexedFields;
    return fields ? [{ task, keys: Object.keys(fields).sort() }] : [];
  });
}

const completedTasks = async (handle: WorkflowHandle) => ((await handle.fetchHistory()).events ?? []).filter((e) => e.workflowTaskCompletedEventAttributes).length;

test('a case started with its opening’s search attributes upserts none of them; a reaction upserts what it changed', async () => {
  // Arrange
  const handle = await startCase(h, { searchAttributes: true });
  await eventually(async () => expect(await completedTasks(handle)).toBe(2));
  const opened = await upserts(handle);
  const started = (await handle.describe()).raw.workflowExecutionInfo?.searchAttributes?.indexedFields ?? {};

  // Act
  await act(handle, updates.acceptance, actors.org, { decision: 'accept' });
  await eventually(async () => expect(await completedTasks(handle)).toBe(4));

  // Assert: the first task upserts only the patch marker's TemporalChangeVersion
  expect(opened).toEqual([{ task: 1, keys: ['TemporalChangeVersion'] }]);
  expect(searchAttributePayloadConverter.fromPayload(started.CaseStage!)).toEqual(['acceptance']);
  const accepted = (await upserts(handle)).filter((u) => u.task === 3);
  expect(accepted).toEqual([{ task: 3, keys: ['CaseNextDeadline', 'CaseStage', 'CaseStageName'] }]);
  const now = (await handle.describe()).raw.workflowExecutionInfo?.searchAttributes?.indexedFields ?? {};
  expect(searchAttributePayloadConverter.fromPayload(now.CaseStage!)).toEqual(['investigation']);

  await act(handle, updates.withdrawal, actors.unit, { reason: '有关事项已由省级部门统一处理，申请撤回。' });
  expect((await handle.result()).closeReason).toBe('withdrawn');
  await recordHistory(handle, 'search-attributes-as-changed');
});

test('a case started without search attributes upserts all of its opening’s in its first task', async () => {
  const handle = await startCase(h);
  await eventually(async () => expect(await completedTasks(handle)).toBe(2));
  const [marker, own] = await upserts(handle);
  expect(marker).toEqual({ task: 1, keys: ['TemporalChangeVersion'] });
  expect(own?.keys).toEqual(expect.arrayContaining(['CaseStage', 'CaseUnit', 'CaseCategory', 'CaseNextDeadline', 'CaseAwaiting', 'CaseStageName', 'CaseUnitName']));
});
