/**
 * The benchmark's floor workflow (bench/floor/workflow.ts) has the shape the starts benchmark says it
 * has, the case's: opened with Update-with-Start, it answers in its first workflow task, where it also
 * schedules its one activity and starts the timer it rests on; the activity's completion brings one
 * more task, which adds nothing.
 */
import { randomUUID } from 'node:crypto';
import { Client, Connection, WithStartWorkflowOperation } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { floorCase, floorOpenUpdate, type FloorActivities } from '../bench/floor/workflow';
import { ISOLATED_NAMESPACE, testServerAddress } from './support/temporal';

let nativeConnection: NativeConnection;
let connection: Connection;
let client: Client;
let worker: Worker;
let running: Promise<void>;
const taskQueue = `floor-${randomUUID()}`;
let recorded = 0;

beforeAll(async () => {
  const address = testServerAddress();
  nativeConnection = await NativeConnection.connect({ address });
  const activities: FloorActivities = {
    floorRecord: async () => {
      recorded++;
    },
  };
  worker = await Worker.create({ connection: nativeConnection, namespace: ISOLATED_NAMESPACE, taskQueue, workflowsPath: require.resolve('../bench/floor/workflow'), activities });
  running = worker.run();
  connection = await Connection.connect({ address });
  client = new Client({ connection, namespace: ISOLATED_NAMESPACE });
}, 60_000);

afterAll(async () => {
  worker?.shutdown();
  await running;
  await connection?.close();
  await nativeConnection?.close();
});

const eventType = (e: object) => Object.keys(e).find((k) => k.endsWith('EventAttributes'))!.replace('EventAttributes', '');

it('answers in its first workflow task, runs one activity, and rests on one timer after a second task', async () => {
  const workflowId = `floor-${randomUUID()}`;
  const answer = await client.workflow.executeUpdateWithStart(floorOpenUpdate, {
    startWorkflowOperation: new WithStartWorkflowOperation(floorCase, { taskQueue, workflowId, workflowIdConflictPolicy: 'FAIL' }),
  });
  expect(answer).toEqual({ opened: true });

  const handle = client.workflow.getHandle(workflowId);
  let types: string[] = [];
  for (const until = Date.now() + 20_000; Date.now() < until; await new Promise((r) => setTimeout(r, 100))) {
    types = ((await handle.fetchHistory()).events ?? []).map(eventType);
    if (types.filter((t) => t === 'workflowTaskCompleted').length === 2) break;
  }
  const completedTasks = types.flatMap((t, i) => (t === 'workflowTaskCompleted' ? [i] : []));
  expect(completedTasks).toHaveLength(2);
  const [first, second] = completedTasks as [number, number];
  // The first task's commands: the Update accepted and answered, the activity scheduled, the timer started.
  const firstCommands = types.slice(first + 1, types.indexOf('workflowTaskScheduled', first));
  expect(firstCommands).toEqual(expect.arrayContaining(['workflowExecutionUpdateAccepted', 'workflowExecutionUpdateCompleted', 'activityTaskScheduled', 'timerStarted']));
  expect(firstCommands.filter((t) => t === 'timerStarted')).toHaveLength(1);
  // Answered before its activity has run.
  expect(types.indexOf('workflowExecutionUpdateCompleted')).toBeLessThan(types.indexOf('activityTaskCompleted'));
  expect(types.filter((t) => t === 'activityTaskScheduled')).toHaveLength(1);
  expect(types.indexOf('activityTaskCompleted')).toBeLessThan(second);
  // The second task adds nothing, as the case's does (its watcher keeps its timer).
  expect(types.slice(second + 1)).toEqual([]);
  expect(recorded).toBe(1);
}, 30_000);
