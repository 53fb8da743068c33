/**
 * One activity per reaction: a case's notices go with the record activity of the reaction that made
 * them (patch `notices-with-records`). A notice the record activity could not deliver is sent on in
 * a notice activity of its own, which retries, and reaches its recipient all the same.
 */
import type { WorkflowHandle } from '@temporalio/client';
import type { NotifyInput } from '../../activities/types';
import { updates } from '../../workflows/case/actions';
import { baselinePatch } from '../../workflows/case/patches';
import { act, eventually } from '../support/drive';
import { actors, recordHistory, scheduledActivities, startCase, startHarness, type CaseHarness } from '../support/case-harness';

jest.setTimeout(120_000);

/** The patch ids of the markers a case has recorded, in order. */
async function patchMarkers(handle: WorkflowHandle): Promise<string[]> {
  const history = await handle.fetchHistory();
  return (history.events ?? []).flatMap((e) => {
    const data = e.markerRecordedEventAttributes?.details?.['patch-data']?.payloads?.[0]?.data;
    return data ? [(JSON.parse(Buffer.from(data).toString('utf8')) as { id: string }).id] : [];
  });
}

/** The activity types a case has scheduled, in order. */
const activitiesOf = async (handle: WorkflowHandle): Promise<string[]> => (await scheduledActivities(handle)).map((a) => a.type);

describe('notices with the record', () => {
  let h: CaseHarness;
  /** Notices that fail on their first delivery, as a mail server that is briefly away refuses them. */
  const failOnce = new Set<string>();
  const attempts = new Map<string, number>();
  beforeAll(async () => {
    h = await startHarness({
      deliver: {
        notify: async (n: NotifyInput) => {
          const tries = (attempts.get(n.key) ?? 0) + 1;
          attempts.set(n.key, tries);
          if (tries === 1 && [...failOnce].some((k) => n.key.endsWith(k))) throw new Error('421 mail server busy, try again later');
        },
      },
    });
  });
  afterAll(async () => h?.stop());

  it('a start and an acceptance each take one record activity, which delivers their notices', async () => {
    const handle = await startCase(h);
    await eventually(async () => expect(h.notifier.of(handle.workflowId, 'caseOpened')).toHaveLength(1));
    await act(handle, updates.acceptance, actors.org, { decision: 'accept' });
    await eventually(async () => expect(h.notifier.of(handle.workflowId, 'taskOpened').length).toBeGreaterThan(0));
    expect(await activitiesOf(handle)).toEqual(['recordEvents', 'recordEvents']);
    expect(h.records.eventsOf(handle.workflowId)).toEqual(['opened', 'accepted', 'screened']);
    await act(handle, updates.withdrawal, actors.unit, { reason: '有关事项已由省级部门统一处理，申请撤回。' });
    await handle.result();
    await recordHistory(handle, 'baseline-withdrawn');
  });

  it('a new case records one patch marker, the baseline, which stands for every patch it takes', async () => {
    const handle = await startCase(h);
    await act(handle, updates.acceptance, actors.org, { decision: 'accept' });
    await eventually(async () => expect(h.notifier.of(handle.workflowId, 'taskOpened').length).toBeGreaterThan(0));
    expect(await patchMarkers(handle)).toEqual([baselinePatch]);
  });

  it('a notice the record activity could not deliver goes on in a notice activity and arrives', async () => {
    failOnce.add(':opened');
    const handle = await startCase(h);
    await eventually(async () => expect(h.notifier.of(handle.workflowId, 'caseOpened')).toHaveLength(1));
    expect(attempts.get(`${handle.workflowId}:opened`)).toBe(2);
    expect(await activitiesOf(handle)).toEqual(['recordEvents', 'notifyAll']);
    expect(h.records.eventsOf(handle.workflowId)).toEqual(['opened']);
  });
});
