/**
 * A time-skipping Temporal test server with a case worker on it: real workflow code, real rule and
 * calendar activities, in-memory record and notification doubles.
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, Worker } from '@temporalio/worker';
import { initialSearchAttributes } from '../../api/gateway';
import type { WorkflowHandle } from '@temporalio/client';
import { createActivities } from '../../activities';
import type { Notifier } from '../../activities/types';
import { WorkingDayCalendar } from '../../domain/calendar';
import type { Actor, Application, CaseState } from '../../domain/case';
import { defaultPolicy } from '../../domain/policies';
import type { Policy } from '../../domain/policy';
import { temporal } from '@temporalio/proto';
import type { caseWorkflow } from '../../workflows/case';
import { caseWorkflowType, getCaseQuery, searchAttributeDefinitions, type CaseInput } from '../../workflows/messages';
import { bundlerOptions, workflowsPath } from '../../worker/worker';
import { createTimeSkippingEnv } from './temporal';
import { MemoryNotifier, MemoryRecords } from './doubles';
import { Registry } from '../../domain/registry';
import demoRegistry from '../../domain/registry/demo.json';
import { sampleApplication } from './applications';

export { factors, investigation, sampleApplication } from './applications';

export interface CaseHarness {
  env: TestWorkflowEnvironment;
  worker: Worker;
  records: MemoryRecords;
  notifier: MemoryNotifier;
  taskQueue: string;
  stop(): Promise<void>;
}

let bundle: Promise<{ code: string }> | undefined;
export function workflowBundle(): Promise<{ code: string }> {
  bundle ??= bundleWorkflowCode({ workflowsPath, ...bundlerOptions, logger: { trace() {}, debug() {}, info() {}, warn() {}, error() {}, log() {} } as never });
  return bundle;
}

const indexedType = {
  Keyword: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
  KeywordList: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD_LIST,
  Datetime: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_DATETIME,
  Bool: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_BOOL,
};

/** The test server knows no custom search attributes until they are added, as on a real cluster. */
export async function registerSearchAttributes(env: TestWorkflowEnvironment): Promise<void> {
  const searchAttributes = Object.fromEntries(Object.entries(searchAttributeDefinitions).map(([name, type]) => [name, indexedType[type]]));
  await env.connection.operatorService.addSearchAttributes({ namespace: env.namespace ?? 'default', searchAttributes });
}

/** `deliver`: a real notification system that gets every notice too (after the in-memory record of it). */
export async function startHarness(options: { deliver?: Notifier } = {}): Promise<CaseHarness> {
  const env = await createTimeSkippingEnv();
  await registerSearchAttributes(env);
  const records = new MemoryRecords();
  const notifier = new MemoryNotifier(options.deliver);
  const taskQueue = `cases-${randomUUID()}`;
  const worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    workflowBundle: await workflowBundle(),
    activities: createActivities({ records, notifier }),
  });
  const running = worker.run();
  return {
    env,
    worker,
    records,
    notifier,
    taskQueue,
    async stop() {
      worker.shutdown();
      await running;
      await env.teardown();
    },
  };
}

export const actors = {
  unit: { sub: 'unit-clerk-1', role: 'unit', unit: 'JS-NJ-FGW' } as Actor,
  otherUnit: { sub: 'unit-clerk-9', role: 'unit', unit: 'JS-SZ-KS-ZWB' } as Actor,
  org: { sub: 'org-officer-1', role: 'organization', unit: 'JS-NJ-ZZB', locality: 'JS-NJ' } as Actor,
  org2: { sub: 'org-officer-2', role: 'organization', unit: 'JS-NJ-ZZB', locality: 'JS-NJ' } as Actor,
  /** The province's organization department: its jurisdiction includes 南京市. */
  provinceOrg: { sub: 'org-officer-5', role: 'organization', unit: 'JS-ZZB', locality: 'JS' } as Actor,
  otherOrg: { sub: 'org-officer-7', role: 'organization', unit: 'JS-SZ-KS-ZZB', locality: 'JS-SZ-KS' } as Actor,
  discipline: { sub: 'discipline-1', role: 'discipline', unit: 'JS-NJ-JW', locality: 'JS-NJ' } as Actor,
  committee: { sub: 'committee-1', role: 'committee', unit: 'JS-NJ-SW', locality: 'JS-NJ' } as Actor,
  committee2: { sub: 'committee-2', role: 'committee', unit: 'JS-NJ-SW', locality: 'JS-NJ' } as Actor,
  expert1: { sub: 'expert-1', role: 'expert' } as Actor,
  expert2: { sub: 'expert-2', role: 'expert' } as Actor,
  expert3: { sub: 'expert-3', role: 'expert' } as Actor,
  supervisor: { sub: 'supervisor-1', role: 'supervisor', unit: 'JS-NJ-JD', locality: 'JS-NJ' } as Actor,
};

/** The demo registry: where the harness's cases belong. */
export const registry = Registry.parse(demoRegistry);

export interface StartOptions {
  application?: Application;
  policy?: Policy;
  origin?: 'application' | 'referral';
  openedBy?: Actor;
  continueAsNewAfterEvents?: number;
  calendar?: CaseInput['calendar'];
  /** Started as the API starts a case: with the search attributes its opening leaves, at the server's time. */
  searchAttributes?: boolean;
}

export async function startCase(h: CaseHarness, o: StartOptions = {}): Promise<WorkflowHandle<typeof caseWorkflow>> {
  const caseId = `case-T-${randomUUID().slice(0, 13).toUpperCase()}`;
  const application = o.application ?? sampleApplication();
  const input: CaseInput = {
    caseId,
    origin: o.origin ?? 'application',
    application,
    openedBy: o.openedBy ?? actors.unit,
    policy: o.policy ?? defaultPolicy,
    calendar: o.calendar ?? WorkingDayCalendar.default().snapshot(2025, 2035),
    ...(registry.jurisdictionOf(application.unitCode) ? { jurisdiction: registry.jurisdictionOf(application.unitCode)! } : {}),
    ...(o.continueAsNewAfterEvents ? { continueAsNewAfterEvents: o.continueAsNewAfterEvents } : {}),
  };
  const typedSearchAttributes = o.searchAttributes ? initialSearchAttributes(input, new Date(await h.env.currentTimeMs())) : undefined;
  return h.env.client.workflow.start<typeof caseWorkflow>(caseWorkflowType, { taskQueue: h.taskQueue, workflowId: caseId, args: [input], ...(typedSearchAttributes ? { typedSearchAttributes } : {}) });
}

export const state = (handle: WorkflowHandle): Promise<CaseState> => handle.query(getCaseQuery);

/** Skips time on the test server by whole days. */
export const days = (n: number) => n * 24 * 60 * 60 * 1000;

/** The activities a case has scheduled, in order: each one's type and its input (the harness does not encrypt payloads). */
export async function scheduledActivities(handle: WorkflowHandle): Promise<{ type: string; input: Record<string, unknown> }[]> {
  const history = await handle.fetchHistory();
  return (history.events ?? []).flatMap((e) => {
    const a = e.activityTaskScheduledEventAttributes;
    const data = a?.input?.payloads?.[0]?.data;
    return a ? [{ type: a.activityType?.name ?? '?', input: data ? (JSON.parse(Buffer.from(data).toString('utf8')) as Record<string, unknown>) : {} }] : [];
  });
}

/** The notice batches of a case, in order: the keys of each activity that carried notices (a reaction's record activity, or a notice activity). */
export async function noticeBatches(handle: WorkflowHandle): Promise<string[][]> {
  return (await scheduledActivities(handle))
    .filter((a) => a.type === 'recordEvents' || a.type === 'notifyAll')
    .map((a) => ((a.input.notifications as { key: string }[] | undefined) ?? []).map((n) => n.key))
    .filter((keys) => keys.length > 0);
}

/**
 * Saves the history of a case under test/histories when RECORD_HISTORIES=1 and none of that name exists (see the README:
 * histories are recorded when the workflow changes on purpose, and replayed by test/workflow/replay.test.ts).
 * A finished case is recorded once it has finished; `running` records a case mid-way, as it stands.
 */
export async function recordHistory(handle: WorkflowHandle, name: string, options: { running?: boolean } = {}): Promise<void> {
  if (process.env.RECORD_HISTORIES !== '1') return;
  const file = path.join(__dirname, '..', 'histories', `${name}.json`);
  // A committed history is what a running case did: it is added once and never re-recorded.
  if (fs.existsSync(file)) return;
  if (!options.running) await handle.result();
  const history = await handle.fetchHistory();
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, historyToJSON(history));
}
