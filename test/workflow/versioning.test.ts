/**
 * A change reaches cases that run for a year: a case started on one version of the workflow finishes
 * on the next, whose new behaviour is behind a patch (see the README, "Changing the workflow").
 */
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, Worker } from '@temporalio/worker';
import webpack from 'webpack';
import { createActivities } from '../../activities';
import { updates } from '../../workflows/case/actions';
import { bundlerOptions, workflowsPath } from '../../worker/worker';
import { MemoryNotifier, MemoryRecords } from '../support/doubles';
import { actors, registerSearchAttributes, startCase, workflowBundle, type CaseHarness } from '../support/case-harness';
import { act } from '../support/drive';
import { createTimeSkippingEnv } from '../support/temporal';

const quiet = { trace() {}, debug() {}, info() {}, warn() {}, error() {}, log() {} } as never;
const nextIntake = path.join(__dirname, '..', 'versioning', 'intake-next.ts');

/** Today's workflow with the next version of its intake part. */
function nextBundle(): Promise<{ code: string }> {
  return bundleWorkflowCode({
    workflowsPath,
    ...bundlerOptions,
    logger: quiet,
    webpackConfigHook: (config) => ({
      ...config,
      plugins: [
        ...(config.plugins ?? []),
        new webpack.NormalModuleReplacementPlugin(/parts[\\/]intake$/, (resource: { context: string; request: string }) => {
          if (!resource.context.includes(`${path.sep}test${path.sep}versioning`)) resource.request = nextIntake;
        }),
      ],
    }),
  });
}

jest.setTimeout(240_000);

let env: TestWorkflowEnvironment;
beforeAll(async () => {
  env = await createTimeSkippingEnv();
  await registerSearchAttributes(env);
});
afterAll(async () => env?.teardown());

test('When a case started on one version is picked up by the next, then it finishes there and its history replays on the next version only', async () => {
  const records = new MemoryRecords();
  const notifier = new MemoryNotifier();
  const taskQueue = `versions-${randomUUID()}`;
  const activities = createActivities({ records, notifier });
  const current = await workflowBundle();
  const next = await nextBundle();
  expect(next.code).toContain('acceptance-notice');
  const h = { env, taskQueue } as CaseHarness;

  // Version 1 opens the case and asks for a supplement; then it is shut down.
  // No sticky cache: the next worker gets the case's tasks at once, as after a deployment.
  const v1 = await Worker.create({ connection: env.nativeConnection, taskQueue, workflowBundle: current, activities, maxCachedWorkflows: 0 });
  const handle = await v1.runUntil(async () => {
    const started = await startCase(h);
    await act(started, updates.acceptance, actors.org, { decision: 'requestSupplement', requestedItems: ['会议纪要'] });
    return started;
  });

  // Version 2 takes over the running case: it replays version 1's part, then runs the new behaviour.
  const v2 = await Worker.create({ connection: env.nativeConnection, taskQueue, workflowBundle: next, activities, maxCachedWorkflows: 0 });
  const final = await v2.runUntil(async () => {
    await act(handle, updates.supplement, actors.unit, { note: '补充会议纪要', evidence: [] });
    const accepted = await act(handle, updates.acceptance, actors.org, { decision: 'accept' });
    expect(accepted.stage).toBe('investigation');
    await act(handle, updates.withdrawal, actors.unit, { reason: '测试结束' });
    return handle.result();
  });
  expect(final.closeReason).toBe('withdrawn');
  expect(notifier.of(final.caseId, 'decision').map((n) => n.vars.decision)).toEqual(['accept']);

  // The history holds the patch marker: the next version replays it; the previous one cannot.
  const history = await handle.fetchHistory();
  expect(history.events?.some((e) => e.markerRecordedEventAttributes?.markerName === 'core_patch')).toBe(true);
  await expect(Worker.runReplayHistory({ workflowBundle: next }, history, handle.workflowId)).resolves.toBeUndefined();
  await expect(Worker.runReplayHistory({ workflowBundle: current }, history, handle.workflowId)).rejects.toThrow();
});
