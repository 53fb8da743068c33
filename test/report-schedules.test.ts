/**
 * The periodic reports on the dev server (real Temporal, real PostgreSQL where TEST_DATABASE_URL is
 * set): the schedules are created once and updated in place on a second start, with their catch-up
 * window and overlap policy; a run of the monthly schedule of 南京市 makes the report of the month
 * before, keeps it in the record system and tells its supervision and discipline bodies; a second run
 * for the same period makes no second report and sends nothing more.
 */
import { randomUUID } from 'node:crypto';
import { Client, Connection, ScheduleOverlapPolicy } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import pino from 'pino';
import { createActivities } from '../activities';
import { createNotifier } from '../activities/notify';
import { readRegistry } from '../activities/records/registry';
import { createReportActivities } from '../activities/reports';
import { loadConfig } from '../common/config';
import { defaultPolicy, PolicyRegistry } from '../domain/policies';
import { reportScheduleId } from '../domain/report';
import { previousMonth } from '../domain/statistics';
import { ensureReportSchedules } from '../worker/schedules';
import type { PeriodicReportResult } from '../workflows/report';
import { seedCase } from '../bench/lib/casework';
import { workflowBundle } from './support/case-harness';
import { openTestStore, type TestStore } from './support/databases';
import { ISOLATED_NAMESPACE, testServerAddress } from './support/temporal';

jest.setTimeout(180_000);

let store: TestStore;
let connection: NativeConnection;
let clientConnection: Connection;
let client: Client;
let worker: Worker;
let running: Promise<void>;
let scheduleIds: string[] = [];
const taskQueue = `reports-${randomUUID()}`;
const logger = pino({ level: 'silent' });

beforeAll(async () => {
  store = await openTestStore();
  const address = testServerAddress();
  connection = await NativeConnection.connect({ address });
  clientConnection = await Connection.connect({ address });
  client = new Client({ connection: clientConnection, namespace: ISOLATED_NAMESPACE });
  const notifier = createNotifier({ db: store.db, config: loadConfig({ API_PUBLIC_URL: 'https://rongcuo.example' }), logger });
  worker = await Worker.create({
    connection,
    namespace: ISOLATED_NAMESPACE,
    taskQueue,
    workflowBundle: await workflowBundle(),
    activities: {
      ...createActivities({ records: store.records, notifier }),
      ...createReportActivities({ db: store.db, registry: () => readRegistry(store.db), policies: new PolicyRegistry([defaultPolicy]), notifier, config: { apiPublicUrl: 'https://rongcuo.example', apiHost: '127.0.0.1', apiPort: 3000 } }),
    },
  });
  running = worker.run();
  // a case of 南京市 ruled last month, so the report has something to say
  const month = previousMonth(new Date());
  await seedCase(store.records, {
    caseId: `case-2026-RS${randomUUID().slice(0, 6).toUpperCase()}`,
    unitCode: 'JS-NJ-FGW',
    category: 'approval-reform',
    localities: ['JS-NJ', 'JS'],
    steps: [
      { at: new Date(`${month}-03T10:00:00+08:00`).toISOString(), event: 'opened', stage: 'acceptance' },
      { at: new Date(`${month}-05T10:00:00+08:00`).toISOString(), event: 'accepted', stage: 'investigation' },
      { at: new Date(`${month}-20T10:00:00+08:00`).toISOString(), event: 'rulingFinal', stage: 'remediation', outcome: 'exempt', detail: { outcome: 'exempt' } },
    ],
  });
});

afterAll(async () => {
  for (const id of scheduleIds) await client?.schedule.getHandle(id).delete().catch(() => undefined);
  worker?.shutdown();
  await running;
  await connection?.close();
  await clientConnection?.close();
  await store?.close();
});

/** The results of a schedule's runs, once there are `n`. */
async function runsOf(scheduleId: string, n: number): Promise<PeriodicReportResult[]> {
  const handle = client.schedule.getHandle(scheduleId);
  for (let i = 0; i < 600; i++) {
    const actions = (await handle.describe()).info.recentActions;
    if (actions.length >= n) return Promise.all(actions.map((a) => client.workflow.getHandle(a.action.workflow.workflowId, a.action.workflow.firstExecutionRunId).result() as Promise<PeriodicReportResult>));
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`schedule ${scheduleId} did not run ${n} times`);
}

test('When the worker starts twice, then each locality has its two report schedules, once, with their catch-up window', async () => {
  const registry = await readRegistry(store.db);
  scheduleIds = await ensureReportSchedules(client, registry, taskQueue, logger);
  const again = await ensureReportSchedules(client, registry, taskQueue, logger);

  expect(again).toEqual(scheduleIds);
  expect(scheduleIds).toEqual(expect.arrayContaining(['report-monthly-JS-NJ', 'report-quarterly-JS-NJ', 'report-monthly-JS-SZ-KS', 'report-quarterly-JS']));
  expect(scheduleIds).toHaveLength(registry.document.localities.length * 2);
  const listed: string[] = [];
  for await (const s of client.schedule.list()) listed.push(s.scheduleId);
  expect(listed.filter((id) => id === 'report-monthly-JS-NJ')).toHaveLength(1);

  const monthly = await client.schedule.getHandle(reportScheduleId('monthly', 'JS-NJ')).describe();
  expect(monthly.policies).toMatchObject({ catchupWindow: 31 * 86_400_000, overlap: ScheduleOverlapPolicy.BUFFER_ALL });
  expect(monthly.spec.timezone).toBe('Asia/Shanghai');
  expect(monthly.spec.calendars?.[0]).toMatchObject({ dayOfMonth: [{ start: 1, end: 1, step: 1 }], hour: [{ start: 2, end: 2, step: 1 }] });
  expect(monthly.action).toMatchObject({ type: 'startWorkflow', workflowType: 'reportScheduleWorkflow', taskQueue, args: [{ kind: 'monthly', locality: 'JS-NJ', supervision: 'JS-NJ-JD' }] });
  expect(monthly.state.note).toBe('南京市容错纠错工作月度报告');
  const quarterly = await client.schedule.getHandle(reportScheduleId('quarterly', 'JS-NJ')).describe();
  expect(quarterly.policies.catchupWindow).toBe(92 * 86_400_000);
  expect(quarterly.spec.calendars?.[0]?.month).toEqual([{ start: 'JANUARY', end: 'JANUARY', step: 1 }, { start: 'APRIL', end: 'APRIL', step: 1 }, { start: 'JULY', end: 'JULY', step: 1 }, { start: 'OCTOBER', end: 'OCTOBER', step: 1 }]);
});

test('When the monthly schedule of 南京市 runs twice for one period, then one report is kept and its bodies are told once', async () => {
  const handle = client.schedule.getHandle(reportScheduleId('monthly', 'JS-NJ'));
  const period = previousMonth(new Date());
  const reportId = `monthly-JS-NJ-${period}`;

  await handle.trigger();
  const [first] = await runsOf(handle.scheduleId, 1);
  await handle.trigger();
  const [, second] = await runsOf(handle.scheduleId, 2);

  expect(first).toMatchObject({ reportId, outcome: 'recorded' });
  expect(second).toEqual({ reportId, outcome: 'duplicate' });
  const kept = (await store.db.query<{ report_id: string; content: { statistics: { outcomes: { exempt: number } } } }>('SELECT report_id, content FROM reports WHERE report_id = $1', [reportId])).rows;
  expect(kept).toHaveLength(1);
  expect(kept[0]!.content.statistics.outcomes.exempt).toBe(1);
  // the report's own workflow ran once, under its id
  const runs: string[] = [];
  for await (const w of client.workflow.list({ query: `WorkflowId = 'report-${reportId}'` })) runs.push(w.runId);
  expect(runs).toHaveLength(1);
  // one notice per body (南京市容错纠错监督组, 南京市纪委监委), each linking the report
  const notices = (await store.db.query<{ key: string; audience: { role: string; unit: string } }>("SELECT key, audience FROM notifications WHERE case_id = $1 AND parent_key IS NULL ORDER BY key", [reportId])).rows;
  expect(notices.map((n) => `${n.audience.role}:${n.audience.unit}`).sort()).toEqual(['discipline:JS-NJ-JW', 'supervisor:JS-NJ-JD']);
  const mail = (await store.db.query<{ subject: string; text: string }>('SELECT subject, text FROM outbox WHERE case_id = $1', [reportId])).rows;
  expect(mail.length).toBeGreaterThan(0);
  for (const m of mail) {
    expect(m.subject).toContain('南京市容错纠错工作月度报告');
    expect(m.text).toContain(`https://rongcuo.example/v1/reports/${reportId}?format=html`);
  }
});
