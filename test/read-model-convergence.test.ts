/**
 * The read model converges after a worker crash: the Temporal dev server, the real record system
 * (PostgreSQL where TEST_DATABASE_URL is set, always in CI), and a worker that dies while a case's
 * record activity is pending. The Update has answered, so the workflow has moved on and the read model
 * lags; a deadline passes while no worker runs. Once a new worker starts, the activity's retry and the
 * deadline's reaction write their snapshots, and the read model equals the workflow's tasks and
 * stage. A late attempt of the dead worker's activity, arriving after that, changes nothing.
 */
import { randomUUID } from 'node:crypto';
import { Context } from '@temporalio/activity';
import { Client, Connection, type WorkflowHandle } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { createActivities } from '../activities';
import type { RecordEventsInput } from '../activities/types';
import { createReadModel, inboxTasksOf } from '../api/read-model';
import { WorkingDayCalendar } from '../domain/calendar';
import type { CaseState } from '../domain/case';
import { updates } from '../workflows/case/actions';
import { readModelTasks } from '../workflows/case/read-model';
import { caseWorkflowType, getCaseQuery, type CaseInput } from '../workflows/messages';
import { actors, registry, sampleApplication, workflowBundle } from './support/case-harness';
import { openTestStore, type TestStore } from './support/databases';
import { MemoryNotifier } from './support/doubles';
import { act, eventually } from './support/drive';
import { testServerAddress } from './support/temporal';
import { rebuildReadModel } from '../scripts/readmodel-rebuild';

import { drillPolicy } from './support/policies';

jest.setTimeout(240_000);

/** Waits of minutes, but the investigation is due 8 seconds after acceptance. */
const quick = drillPolicy('convergence', 600, { investigation: 8 });

const taskQueue = `convergence-${randomUUID()}`;
let store: TestStore;
let connection: NativeConnection;
let clientConnection: Connection;
let client: Client;

/** A record activity that hangs, never writing nor answering, while `gate.dead` (the worker is being killed). */
const gate = { dead: false, held: [] as RecordEventsInput[] };

async function startWorker(): Promise<{ worker: Worker; running: Promise<void> }> {
  const real = createActivities({ records: store.records, notifier: new MemoryNotifier() });
  const worker = await Worker.create({
    connection,
    taskQueue,
    workflowBundle: await workflowBundle(),
    // a dead worker's activity is never reported: the server times it out and retries it elsewhere
    shutdownGraceTime: '200ms',
    shutdownForceTime: '1s',
    activities: {
      ...real,
      async recordEvents(input: RecordEventsInput) {
        if (gate.dead) {
          gate.held.push(input);
          Context.current().cancellationSignal.addEventListener('abort', () => undefined);
          await new Promise(() => undefined);
        }
        return real.recordEvents(input);
      },
    },
  });
  // a forced shutdown ends the run with an error: that is the crash under test
  const running = worker.run().catch(() => undefined);
  return { worker, running };
}

beforeAll(async () => {
  store = await openTestStore();
  const address = testServerAddress();
  connection = await NativeConnection.connect({ address });
  clientConnection = await Connection.connect({ address });
  client = new Client({ connection: clientConnection });
});

afterAll(async () => {
  await clientConnection?.close();
  await connection?.close();
  await store?.close();
});

/** What the read model holds of the case: its tasks (as the snapshot carries them), stage and snapshot position. */
async function held(caseId: string) {
  const tasks = (
    await store.db.query<{ task_id: string; kind: string; role: string; body: string | null; assignees: string[] | null; opens_at: Date; due_at: Date; overdue: boolean; provisional: boolean }>(
      'SELECT task_id, kind, role, body, assignees, opens_at, due_at, overdue, provisional FROM case_tasks WHERE case_id = $1 ORDER BY task_id',
      [caseId],
    )
  ).rows.map((r) => ({
    taskId: r.task_id,
    kind: r.kind,
    role: r.role,
    ...(r.body ? { body: r.body } : {}),
    ...(r.assignees ? { assignees: r.assignees } : {}),
    opensAt: new Date(r.opens_at).toISOString(),
    dueAt: new Date(r.due_at).toISOString(),
    overdue: r.overdue,
    provisional: r.provisional,
  }));
  const reg = (await store.db.query<{ stage: string; snapshot_seq: number }>('SELECT stage, snapshot_seq FROM cases WHERE case_id = $1', [caseId])).rows[0];
  return { stage: reg?.stage, seq: reg?.snapshot_seq, tasks };
}

/** A new case of the sample application, under the quick policy, in its unit's jurisdiction. */
function newCase(): CaseInput {
  const application = sampleApplication();
  return {
    caseId: `case-T-${randomUUID().slice(0, 13).toUpperCase()}`,
    origin: 'application',
    application,
    openedBy: actors.unit,
    policy: quick,
    calendar: WorkingDayCalendar.default().snapshot(2025, 2035),
    jurisdiction: registry.jurisdictionOf(application.unitCode)!,
  };
}

/** What the workflow says the read model should hold. */
const expected = (state: CaseState) => ({
  stage: state.stage,
  seq: state.timeline.length - 1,
  tasks: readModelTasks(state).sort((a, b) => (a.taskId < b.taskId ? -1 : 1)),
});

test('When the worker dies while a record activity is pending, then after a new worker starts the read model equals the workflow’s tasks and stage', async () => {
  const input = newCase();
  const readModel = createReadModel(store.db);

  let { worker, running } = await startWorker();
  const handle: WorkflowHandle = await client.workflow.start(caseWorkflowType, { taskQueue, workflowId: input.caseId, args: [input] });
  await eventually(async () => expect(await held(input.caseId)).toEqual(expected(await handle.query(getCaseQuery))));
  expect((await readModel.inbox(actors.org, { limit: 50 }, new Date())).items.map((i) => i.caseId)).toContain(input.caseId);

  // The worker is being killed: the acceptance is answered, its record activity hangs and dies with the worker.
  gate.dead = true;
  const accepted = await act(handle, updates.acceptance, actors.org, { decision: 'accept' });
  expect(accepted.stage).toBe('investigation');
  await eventually(async () => expect(gate.held).toHaveLength(1));
  worker.shutdown();
  await running;
  gate.dead = false;

  // The read model lags: it still shows the acceptance, and the investigation falls due while no worker runs.
  expect(await held(input.caseId)).toMatchObject({ stage: 'acceptance', tasks: [{ kind: 'acceptance' }] });
  const dueAt = Date.parse(accepted.tasks.find((t) => t.kind === 'investigation' && t.status === 'open')!.dueAt);
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, dueAt - Date.now()) + 500));

  ({ worker, running } = await startWorker());
  try {
    // The server retries the dead attempt on the new worker (after its start-to-close timeout), and the deadline's reaction runs.
    await eventually(async () => {
      const state = (await handle.query(getCaseQuery)) as CaseState;
      expect(state.tasks.find((t) => t.kind === 'investigation')?.overdue).toBe(true);
      expect(await held(input.caseId)).toEqual(expected(state));
    }, 90_000);
    const state = (await handle.query(getCaseQuery)) as CaseState;
    const inbox = await readModel.inbox(actors.org, { limit: 200 }, new Date());
    const item = inbox.items.find((i) => i.caseId === input.caseId);
    expect(item).toMatchObject({ stage: 'investigation', tasks: inboxTasksOf(state, actors.org, new Date()).map((t) => ({ taskId: t.id, overdue: true })) });
    expect((await readModel.list(actors.unit, { stage: 'investigation' }, { limit: 100 })).items.find((i) => i.caseId === input.caseId)).toMatchObject({ overdue: true, awaiting: ['organization'] });

    // The dead worker's attempt, arriving now after all, finds a newer snapshot and changes nothing.
    const before = await held(input.caseId);
    const { lookup: _lookup, ...late } = gate.held[0]!;
    void _lookup;
    await store.records.recordReaction(late);
    expect(await held(input.caseId)).toEqual(before);
    expect(late.snapshot!.seq).toBeLessThan(before.seq!);
  } finally {
    worker.shutdown();
    await running;
    await client.workflow.getHandle(input.caseId).terminate('test over').catch(() => undefined);
  }
});

test('When a case was recorded before the read model, then the rebuild writes its snapshot from the workflow, and never goes back', async () => {
  const input = newCase();
  const { worker, running } = await startWorker();
  try {
    const handle: WorkflowHandle = await client.workflow.start(caseWorkflowType, { taskQueue, workflowId: input.caseId, args: [input] });
    await eventually(async () => expect(await held(input.caseId)).toEqual(expected(await handle.query(getCaseQuery))));
    // as a case of before the read model: registered, but no snapshot and no tasks
    await store.db.query('DELETE FROM case_tasks WHERE case_id = $1', [input.caseId]);
    await store.db.query(`UPDATE cases SET snapshot_seq = NULL, snapshot_at = NULL, localities = '{}' WHERE case_id = $1`, [input.caseId]);
    expect((await createReadModel(store.db).list(actors.org, {}, { limit: 100 })).items.map((i) => i.caseId)).not.toContain(input.caseId);

    const result = await rebuildReadModel(client, store.db, store.records, { caseIds: [input.caseId, 'case-T-NOSUCHCASE0'] });

    expect(result).toEqual({ written: [input.caseId], unregistered: [], failed: [] });
    expect(await held(input.caseId)).toEqual(expected(await handle.query(getCaseQuery)));
    expect((await createReadModel(store.db).list(actors.org, {}, { limit: 100 })).items.map((i) => i.caseId)).toContain(input.caseId);
    // the case moves on; a rebuild that would be older than the case's own snapshot changes nothing
    await act(handle, updates.acceptance, actors.org, { decision: 'accept' });
    await eventually(async () => expect(await held(input.caseId)).toMatchObject({ stage: 'investigation' }));
    await rebuildReadModel(client, store.db, store.records, { caseIds: [input.caseId], now: () => new Date(Date.now() - 60_000) });
    expect(await held(input.caseId)).toEqual(expected(await handle.query(getCaseQuery)));
  } finally {
    worker.shutdown();
    await running;
    await client.workflow.getHandle(input.caseId).terminate('test over').catch(() => undefined);
  }
});
