/**
 * A calendar notice reaches running cases: deadlines counted over a provisional year are counted
 * again on the published days, the timeline says so and whoever's deadline moved is told.
 * The notice used here is made up for the test only.
 */
import { WorkingDayCalendar, type CalendarYearDocument } from '../../domain/calendar';
import { updates } from '../../workflows/case/actions';
import { calendarNoticeSignal } from '../../workflows/messages';
import { act, eventually } from '../support/drive';
import { actors, recordHistory, startCase, startHarness, state, type CaseHarness } from '../support/case-harness';

let h: CaseHarness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => h?.stop());

/** A notice for `year` that makes `extraDayOff` a holiday (beside the provisional year's own holidays). */
function madeUpNotice(year: number, extraDayOff: string): CalendarYearDocument {
  const provisional = WorkingDayCalendar.default().snapshot(year, year)[0];
  const holidays = (provisional?.holidays ?? []).filter((d) => d.date !== extraDayOff);
  return {
    year,
    source: `测试用虚构通知：国务院办公厅关于${year}年部分节假日安排的通知`,
    provisional: false,
    holidays: [...holidays, { date: extraDayOff, name: '测试假日' }].sort((a, b) => a.date.localeCompare(b.date)),
    workdays: [],
  };
}

test('When the notice of a provisional year arrives, then the deadlines counted over it move, the timeline records it and the body that must act is told', async () => {
  const handle = await startCase(h);
  let s = await act(handle, updates.acceptance, actors.org, { decision: 'accept' });
  const task = s.tasks.find((t) => t.kind === 'investigation' && t.status === 'open')!;
  // 30 working days from now reach into a year whose notice is not published yet
  expect(task.provisional).toBe(true);
  const dueDate = new Date(Date.parse(task.dueAt) + 8 * 3600_000).toISOString().slice(0, 10);
  const year = Number(dueDate.slice(0, 4));

  await handle.signal(calendarNoticeSignal, madeUpNotice(year, dueDate));

  await eventually(async () => {
    s = await state(handle);
    expect(s.timeline.map((e) => e.event)).toContain('calendarNoticeApplied');
  });
  const moved = s.tasks.find((t) => t.id === task.id)!;
  expect(moved.provisional).toBe(false);
  // the old due date is now a day off, so the 30th working day is the next working day after it
  expect(Date.parse(moved.dueAt)).toBeGreaterThan(Date.parse(task.dueAt));
  const applied = s.timeline.find((e) => e.event === 'calendarNoticeApplied')!;
  expect(applied.detail).toMatchObject({ year, changes: [{ taskId: task.id, task: 'investigation', from: task.dueAt, to: moved.dueAt }] });
  await eventually(() => expect(h.notifier.of(s.caseId, 'deadlineChanged')).toHaveLength(1));
  const notice = h.notifier.of(s.caseId, 'deadlineChanged')[0]!;
  expect(notice.audience.role).toBe('organization');
  expect(notice.vars).toMatchObject({ from: task.dueAt, dueAt: moved.dueAt, year });
  expect((await handle.describe()).searchAttributes.CaseNextDeadline).toEqual([new Date(moved.dueAt)]);

  // the same notice again changes nothing
  await handle.signal(calendarNoticeSignal, madeUpNotice(year, dueDate));
  await act(handle, updates.withdrawal, actors.unit, { reason: '测试结束' }).then(() => undefined);
  const final = await handle.result();
  expect(final.timeline.filter((e) => e.event === 'calendarNoticeApplied')).toHaveLength(1);
  await recordHistory(handle, 'calendar-replan');
});

test('When a provisional notice or a broken document is signalled, then the case ignores it and keeps its deadlines', async () => {
  const handle = await startCase(h);
  const s = await act(handle, updates.acceptance, actors.org, { decision: 'accept' });
  const task = s.tasks.find((t) => t.kind === 'investigation' && t.status === 'open')!;
  const year = Number(task.dueAt.slice(0, 4));
  await handle.signal(calendarNoticeSignal, { ...madeUpNotice(year, task.dueAt.slice(0, 10)), provisional: true });
  await handle.signal(calendarNoticeSignal, { year, source: 'x', provisional: false, holidays: [{ date: 'not-a-date', name: 'x' }], workdays: [] } as CalendarYearDocument);
  // an action after the signals: its answer comes from a workflow task that has seen them
  const after = await act(handle, updates.withdrawal, actors.unit, { reason: '测试结束' });
  expect(after.tasks.find((t) => t.id === task.id)!.dueAt).toBe(task.dueAt);
  expect(after.timeline.map((e) => e.event)).not.toContain('calendarNoticeApplied');
});
