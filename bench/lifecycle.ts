/**
 * The whole lifecycle on Temporal's time-skipping test server: application, acceptance,
 * investigation, consultation, ruling and review, the 15-day appeal window, remediation, and the
 * four revisits of the focus tier over twelve months, until the case closes. The worker runs the real
 * workflow code and the real activities on the benchmark's record store; months pass in moments.
 */
import { randomUUID } from 'node:crypto';
import type { WorkflowHandle } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { temporal } from '@temporalio/proto';
import { bundleWorkflowCode, Worker } from '@temporalio/worker';
import { createActivities } from '../activities';
import { createNotifier } from '../activities/notify';
import type { CaseState } from '../domain/case';
import { defaultPolicy } from '../domain/policies';
import { testServerPath } from '../scripts/tools';
import { bundlerOptions, workflowsPath } from '../worker/worker';
import { caseWorkflowType, searchAttributeDefinitions } from '../workflows/messages';
import { updates } from '../workflows/case/actions';
import type { BenchEnvironment } from './lib/environment';
import { act, caseState } from './lib/drive';
import { actors, caseInput, dateInDays, inputs, investigation } from './lib/fixtures';
import { round, summarize, type LatencySummary } from './lib/stats';

export interface LifecycleOptions {
  cases: number;
}

export interface LifecycleResult {
  cases: number;
  completed: number;
  errorSamples: string[];
  /** Starting the Java test server, once. */
  serverStartSeconds: number;
  /** Wall-clock seconds per case, one after another. */
  perCaseSeconds: LatencySummary;
  casesPerSecond: number;
  revisitsPerCase: number;
  historyEventsPerCase: number;
}

const DAY = 86_400_000;
const indexedType = {
  Keyword: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
  KeywordList: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD_LIST,
  Datetime: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_DATETIME,
  Bool: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_BOOL,
};

function expectStage(s: CaseState, stage: CaseState['stage'], step: string): CaseState {
  if (s.stage !== stage) throw new Error(`${s.caseId}: after ${step} the case is ${s.stage}, expected ${stage}`);
  return s;
}

async function lifecycle(env: TestWorkflowEnvironment, taskQueue: string): Promise<{ revisits: number; events: number }> {
  const input = caseInput(defaultPolicy);
  const handle: WorkflowHandle = await env.client.workflow.start(caseWorkflowType, { taskQueue, workflowId: input.caseId, args: [input] });
  const sleepUntil = async (iso: string, extraMs: number) => {
    const ms = Date.parse(iso) - (await env.currentTimeMs()) + extraMs;
    if (ms > 0) await env.sleep(ms);
  };

  expectStage(await act(handle, updates.acceptance, actors.org, inputs.accept), 'investigation', 'acceptance');
  expectStage(await act(handle, updates.investigation, actors.org, investigation(9)), 'consultation', 'investigation');
  expectStage(await act(handle, updates.consultation, actors.discipline, inputs.consultation), 'rulingProposal', 'consultation');
  expectStage(await act(handle, updates.rulingProposal, actors.org, inputs.ruling), 'rulingReview', 'ruling proposal');
  let s = expectStage(await act(handle, updates.rulingReview, actors.committee, inputs.review), 'appeal', 'ruling review');
  const appeal = s.tasks.find((t) => t.kind === 'appeal' && t.status === 'open');
  if (!appeal) throw new Error(`${s.caseId}: no appeal window is open`);
  await sleepUntil(appeal.dueAt, 60_000);
  expectStage(await caseState(handle), 'remediation', 'the appeal window');

  const due = dateInDays(20, await env.currentTimeMs());
  await act(handle, updates.correctionPlan, actors.org, inputs.correctionPlan(due));
  await act(handle, updates.measureProgress, actors.unit, inputs.progress(true));
  s = expectStage(await act(handle, updates.measureVerification, actors.org, inputs.verification), 'followUp', 'measure verification');

  for (let i = 0; i < s.revisits.length; i++) {
    const revisit = (await caseState(handle)).revisits[i]!;
    await sleepUntil(revisit.scheduledFor, DAY);
    s = await act(handle, updates.revisit, actors.org, inputs.revisit);
    // a decision-effect tracking opens with the revisit of the same month
    const now = await env.currentTimeMs();
    if (s.effectTrackings?.some((t) => t.status === 'planned' && Date.parse(t.opensAt) <= now)) {
      s = await act(handle, updates.effectTracking, actors.org, { reformDecision: 'sustained', results: '改革继续实施', recoveredSinceRuling: 0 });
    }
  }
  const final = (await handle.result()) as CaseState;
  if (final.stage !== 'closed' || final.closeReason !== 'completed') throw new Error(`${final.caseId} ended ${final.stage} (${final.closeReason})`);
  const history = await handle.fetchHistory();
  return { revisits: final.revisits.filter((r) => r.status === 'done').length, events: history.events?.length ?? 0 };
}

export async function benchLifecycle(env: BenchEnvironment, o: LifecycleOptions): Promise<LifecycleResult> {
  const serverFrom = performance.now();
  const path = testServerPath();
  const dataConverter = { payloadCodecs: env.payloadCodecs };
  const start = () => TestWorkflowEnvironment.createTimeSkipping({ server: { executable: { type: 'existing-path', path } }, client: { dataConverter } });
  // The SDK gives the JVM about 5 s to open its port; a busy machine can miss that once.
  const testEnv = await start().catch((err: unknown) => (/did not start within/i.test(String(err)) ? start() : Promise.reject(err)));
  const serverStartSeconds = round((performance.now() - serverFrom) / 1000, 1);
  const notifier = createNotifier({ db: env.db, config: env.config, logger: env.logger.child({ component: 'notify' }) });
  try {
    const searchAttributes = Object.fromEntries(Object.entries(searchAttributeDefinitions).map(([name, type]) => [name, indexedType[type]]));
    await testEnv.connection.operatorService.addSearchAttributes({ namespace: testEnv.namespace ?? 'default', searchAttributes });
    const taskQueue = `bench-lifecycle-${randomUUID().slice(0, 8)}`;
    const quiet = { trace() {}, debug() {}, info() {}, warn() {}, error() {}, log() {} };
    const worker = await Worker.create({
      connection: testEnv.nativeConnection,
      taskQueue,
      workflowBundle: await bundleWorkflowCode({ workflowsPath, ...bundlerOptions, logger: quiet as never }),
      dataConverter,
      activities: createActivities({ records: env.records, notifier }),
    });
    const seconds: number[] = [];
    const errorSamples: string[] = [];
    let revisits = 0;
    let events = 0;
    await worker.runUntil(async () => {
      for (let i = 0; i < o.cases; i++) {
        const t0 = performance.now();
        try {
          const r = await lifecycle(testEnv, taskQueue);
          seconds.push((performance.now() - t0) / 1000);
          revisits = r.revisits;
          events = r.events;
          console.log(`  lifecycle case ${i + 1}/${o.cases}: ${round(seconds.at(-1)!, 2)} s`);
        } catch (err) {
          if (errorSamples.length < 5) errorSamples.push(err instanceof Error ? err.message : String(err));
        }
      }
    });
    const total = seconds.reduce((a, b) => a + b, 0);
    return {
      cases: o.cases,
      completed: seconds.length,
      errorSamples,
      serverStartSeconds,
      perCaseSeconds: summarize(seconds.map((x) => round(x, 3))),
      casesPerSecond: total > 0 ? round(seconds.length / total, 3) : 0,
      revisitsPerCase: revisits,
      historyEventsPerCase: events,
    };
  } finally {
    await notifier.close();
    await testEnv.teardown();
  }
}
