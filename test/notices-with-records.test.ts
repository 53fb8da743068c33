/**
 * A reaction's notices travel with its record activity (patch `notices-with-records`): they are sent
 * once the reaction's entries are written, within a budget; what is not delivered by then, or fails,
 * is answered back to the case, which sends it on in a notice activity of its own.
 */
import { createActivities } from '../activities';
import type { Notifier, NotifyInput, RecordEventsInput } from '../activities/types';
import { MemoryRecords } from './support/doubles';

const notice = (key: string): NotifyInput => ({ caseId: 'case-2026-0001', key, template: 'taskOpened', audience: { role: 'organization', unit: 'ORG-320100' }, vars: { caseId: 'case-2026-0001' } });
const reaction = (notifications: NotifyInput[]): RecordEventsInput => ({
  caseId: 'case-2026-0001',
  events: [{ seq: 0, entry: { at: '2026-12-01T08:00:00.000Z', event: 'opened' } }],
  register: { caseId: 'case-2026-0001', origin: 'application', policyVersion: '2026.1', unitCode: 'U-320100-01', category: 'procurement', openedAt: '2026-12-01T08:00:00.000Z', stage: 'acceptance' },
  notifications,
});

describe('the record activity with a reaction’s notices', () => {
  it('sends every notice in order, each after the reaction’s entries are on record, and answers none undelivered', async () => {
    const records = new MemoryRecords();
    const seen: { key: string; recorded: string[] }[] = [];
    const notifier: Notifier = { notify: async (n) => void seen.push({ key: n.key, recorded: records.eventsOf(n.caseId) }) };
    const result = await createActivities({ records, notifier }).recordEvents(reaction([notice('a'), notice('b')]));
    expect(result).toEqual({ caseId: 'case-2026-0001' });
    expect(seen).toEqual([
      { key: 'a', recorded: ['opened'] },
      { key: 'b', recorded: ['opened'] },
    ]);
  });

  it('answers the notices not delivered within its budget, so a slow mail server does not hold the record up', async () => {
    const records = new MemoryRecords();
    const sent: string[] = [];
    const notifier: Notifier = {
      notify: (n) => (n.key === 'slow' ? new Promise<void>(() => undefined) : Promise.resolve(void sent.push(n.key))),
    };
    const result = await createActivities({ records, notifier, noticeBudgetMs: 50 }).recordEvents(reaction([notice('first'), notice('slow'), notice('after')]));
    expect(result.undelivered).toEqual(['slow', 'after']);
    expect(sent).toEqual(['first']);
    expect(records.eventsOf('case-2026-0001')).toEqual(['opened']);
  });

  it('answers a failed notice and those after it as undelivered, and the record stands', async () => {
    const records = new MemoryRecords();
    const notifier: Notifier = {
      notify: async (n) => {
        if (n.key === 'b') throw new Error('SMTP 451 try again later');
      },
    };
    const result = await createActivities({ records, notifier }).recordEvents(reaction([notice('a'), notice('b'), notice('c')]));
    expect(result.undelivered).toEqual(['b', 'c']);
    expect(records.eventsOf('case-2026-0001')).toEqual(['opened']);
  });
});
