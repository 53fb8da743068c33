/**
 * The watcher keeps its timer while the next instant due stays the same (patch `watcher-keeps-timer`):
 * a reaction that moves no deadline adds no timer commands to the history, one that moves the next
 * deadline replaces the timer once, and the kept timer still wakes the case when its deadline comes.
 */
import type { WorkflowHandle } from '@temporalio/client';
import { updates } from '../../workflows/case/actions';
import { act, eventually } from '../support/drive';
import { actors, recordHistory, startCase, startHarness, state, type CaseHarness } from '../support/case-harness';

jest.setTimeout(120_000);

let h: CaseHarness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => h?.stop());

/** The timer commands in a case's history, in order, each with the workflow task it was made in. */
type TimerCommand = { command: 'start' | 'cancel'; task: number };
async function timerCommands(handle: WorkflowHandle): Promise<TimerCommand[]> {
  const events = (await handle.fetchHistory()).events ?? [];
  let task = 0;
  return events.flatMap((e): TimerCommand[] => {
    if (e.workflowTaskCompletedEventAttributes) task++;
    if (e.timerStartedEventAttributes) return [{ command: 'start', task }];
    if (e.timerCanceledEventAttributes) return [{ command: 'cancel', task }];
    return [];
  });
}

const completedTasks = async (handle: WorkflowHandle) => ((await handle.fetchHistory()).events ?? []).filter((e) => e.workflowTaskCompletedEventAttributes).length;

test('a start sets the timer once; the task that ends its record activity leaves it alone', async () => {
  const handle = await startCase(h);
  await eventually(async () => expect(h.notifier.of(handle.workflowId, 'caseOpened')).toHaveLength(1));
  await eventually(async () => expect(await completedTasks(handle)).toBe(2));
  expect(await timerCommands(handle)).toEqual([{ command: 'start', task: 1 }]);
});

test('an acceptance moves the next deadline: the timer is replaced once, in the task that delivers it, and then kept', async () => {
  const handle = await startCase(h);
  await eventually(async () => expect(await completedTasks(handle)).toBe(2));
  await act(handle, updates.acceptance, actors.org, { decision: 'accept' });
  await eventually(async () => expect(h.notifier.of(handle.workflowId, 'taskOpened').length).toBeGreaterThan(0));
  await eventually(async () => expect(await completedTasks(handle)).toBe(4));
  // (The old timer's cancellation reaches the commands after the new timer's start, in the same task.)
  const commands = await timerCommands(handle);
  expect(commands.sort((a, b) => a.task - b.task || a.command.localeCompare(b.command))).toEqual([
    { command: 'start', task: 1 },
    { command: 'cancel', task: 3 },
    { command: 'start', task: 3 },
  ]);

  // The kept timer wakes the case when the investigation's first reminder is due.
  const task = (await state(handle)).tasks.find((t) => t.kind === 'investigation' && t.status === 'open')!;
  expect(task.reminders.length).toBeGreaterThan(0);
  await h.env.sleep(Date.parse(task.reminders[0]!) - Date.parse(task.opensAt) + 60_000);
  await eventually(async () => expect((await state(handle)).tasks.find((t) => t.id === task.id)!.remindersSent).toBe(1));
  await eventually(async () => expect(h.notifier.of(handle.workflowId, 'reminder')).toHaveLength(1));

  await act(handle, updates.withdrawal, actors.unit, { reason: '有关事项已由省级部门统一处理，申请撤回。' });
  expect((await handle.result()).closeReason).toBe('withdrawn');
  await recordHistory(handle, 'watcher-keeps-timer');
});
