/**
 * The calendar notice command's delivery on the dev server: every running case receives the notice
 * and re-plans; a closed case is left alone.
 */
import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { createActivities } from '../activities';
import { WorkingDayCalendar, type CalendarYearDocument } from '../domain/calendar';
import { defaultPolicy } from '../domain/policies';
import { sendCalendarNotice } from '../scripts/calendar-notice';
import { updates } from '../workflows/case/actions';
import { caseWorkflowType, getCaseQuery, type CaseInput } from '../workflows/messages';
import { actors, sampleApplication, workflowBundle } from './support/case-harness';
import { MemoryNotifier, MemoryRecords } from './support/doubles';
import { eventually } from './support/drive';
import { testServerAddress } from './support/temporal';

test('When a notice is sent, then every running case re-plans the deadlines it counted over that year', async () => {
  const address = testServerAddress();
  const taskQueue = `notice-${randomUUID()}`;
  const connection = await NativeConnection.connect({ address });
  const worker = await Worker.create({ connection, taskQueue, workflowBundle: await workflowBundle(), activities: createActivities({ records: new MemoryRecords(), notifier: new MemoryNotifier() }) });
  const clientConnection = await Connection.connect({ address });
  const client = new Client({ connection: clientConnection });
  try {
    await worker.runUntil(async () => {
      const start = async () => {
        const caseId = `case-N-${randomUUID().slice(0, 12).toUpperCase()}`;
        const input: CaseInput = { caseId, origin: 'application', application: sampleApplication(), openedBy: actors.unit, policy: defaultPolicy, calendar: WorkingDayCalendar.default().snapshot(2025, 2030) };
        const handle = await client.workflow.start(caseWorkflowType, { taskQueue, workflowId: caseId, args: [input] });
        return { handle, state: await handle.executeUpdate(updates.acceptance, { args: [{ actor: actors.org, input: { decision: 'accept' } }] }) };
      };
      const cases = await Promise.all([start(), start(), start()]);
      const closed = await start();
      await closed.handle.executeUpdate(updates.withdrawal, { args: [{ actor: actors.unit, input: { reason: '撤回' } }] });
      await closed.handle.result();

      const task = cases[0]!.state.tasks.find((t) => t.kind === 'investigation')!;
      expect(task.provisional).toBe(true);
      const dueDate = new Date(Date.parse(task.dueAt) + 8 * 3600_000).toISOString().slice(0, 10);
      const year = Number(dueDate.slice(0, 4));
      const base = WorkingDayCalendar.default().snapshot(year, year)[0];
      const notice: CalendarYearDocument = {
        year,
        source: '测试用虚构通知',
        provisional: false,
        holidays: [...(base?.holidays ?? []).filter((d) => d.date !== dueDate), { date: dueDate, name: '测试假日' }].sort((a, b) => a.date.localeCompare(b.date)),
        workdays: [],
      };

      // visibility lags a moment behind the starts
      await eventually(async () => {
        const ids: string[] = [];
        for await (const info of client.workflow.list({ query: `WorkflowType = '${caseWorkflowType}' AND ExecutionStatus = 'Running' AND TaskQueue = '${taskQueue}'` })) ids.push(info.workflowId);
        expect(ids.sort()).toEqual(cases.map((c) => c.handle.workflowId).sort());
      });
      const sent = await sendCalendarNotice(client, notice, 2);
      expect(sent.failed).toEqual([]);
      expect(sent.cases).toBeGreaterThanOrEqual(3);

      for (const c of cases) {
        await eventually(async () => {
          const s = await c.handle.query(getCaseQuery);
          const t = s.tasks.find((x) => x.kind === 'investigation' && x.status === 'open')!;
          expect(t.provisional).toBe(false);
          expect(Date.parse(t.dueAt)).toBeGreaterThan(Date.parse(task.dueAt) - 60_000);
          expect(s.timeline.map((e) => e.event)).toContain('calendarNoticeApplied');
        });
      }
    });
  } finally {
    await clientConnection.close();
    await connection.close();
  }
});
