/**
 * Actions: the round trip of one Update through the API (POST /v1/cases/{id}/acceptance by the
 * organization, decision accept), on fresh cases, one at a time: first with nothing else running
 * (each once the previous one's record write is done), then back to back (each as soon as the
 * previous one answers), then while cases are opened through the API behind it at a steady rate.
 * Beside it, idle, the same Update from a bare client (what the API adds) and a no-op Update on the
 * same cases (the platform's floor: a handler that changes nothing, answered in one workflow task).
 * Last, what one start and one action cost in workflow tasks and activities, read from a case's history.
 */
import type { WorkflowHandle } from '@temporalio/client';
import { signToken } from '../api/tokens';
import { updates } from '../workflows/case/actions';
import { openUpdate } from '../workflows/messages';
import type { BenchEnvironment } from './lib/environment';
import { act, caseState, startCase } from './lib/drive';
import { actors, caseInput, inputs, registeredApplication } from './lib/fixtures';
import { HttpCaller } from './lib/http';
import { drain } from './lib/machine';
import { closedLoop, mapLimit, round, sleep, type LoadResult } from './lib/stats';

/** The untimed pause before each idle action: longer than a reaction's record write and workflow task take on an idle machine. */
export const IDLE_PAUSE_MS = 50;

export interface ActionsOptions {
  count: number;
  /** Round trips timed under load. */
  loadedCount: number;
  /** Cases opened per second behind the loaded round trips. */
  backgroundPerSecond: number;
}

export interface Cost {
  workflowTasks: number;
  activities: number;
  activityTypes: string[];
}

export interface ActionsResult {
  countPerScenario: number;
  loadedCount: number;
  idle: LoadResult;
  /** The same acceptances sent one after the other without a pause (the previous one's record write still running). */
  backToBack: LoadResult;
  bareClientIdle: LoadResult;
  noopIdle: LoadResult;
  underLoad: LoadResult;
  background: { targetPerSecond: number; starts: number; errors: number; perSecond: number };
  costs: { start: Cost; acceptance: Cost };
}

/** The history once the case rests (no workflow task or activity pending, nothing new for a moment). */
async function restingHistory(handle: WorkflowHandle) {
  let last = -1;
  for (;;) {
    const d = await handle.describe();
    const history = await handle.fetchHistory();
    const n = history.events?.length ?? 0;
    if (n === last && (d.raw.pendingActivities?.length ?? 0) === 0 && !d.raw.pendingWorkflowTask) return history;
    last = n;
    await sleep(300);
  }
}

function costBetween(events: NonNullable<Awaited<ReturnType<WorkflowHandle['fetchHistory']>>['events']>, from: number): Cost {
  const later = events.slice(from);
  const types = later.flatMap((e) => (e.activityTaskScheduledEventAttributes?.activityType?.name ? [e.activityTaskScheduledEventAttributes.activityType.name] : []));
  return { workflowTasks: later.filter((e) => e.workflowTaskCompletedEventAttributes).length, activities: types.length, activityTypes: [...new Set(types)].sort() };
}

export async function benchActions(env: BenchEnvironment, o: ActionsOptions): Promise<ActionsResult> {
  const caller = new HttpCaller(env.apiBase);
  const orgToken = await signToken(env.config, actors.org, '12h');
  const unitToken = await signToken(env.config, actors.unit, '12h');
  const tq = env.config.taskQueue;

  /** Opens `n` cases and lets the worker finish with them (their opening lookups and records). */
  const freshCases = async (n: number) => {
    const ids = await mapLimit(Array.from({ length: n }), 8, async () => (await startCase(env.client, tq, caseInput())).workflowId);
    await drain();
    return ids;
  };
  const accept = (id: string) => caller.expect(200, 'POST', `/v1/cases/${id}/acceptance`, orgToken, inputs.accept);

  try {
    await closedLoop(Math.min(10, o.count), 1, async () => accept((await freshCases(1))[0]!));

    // Idle: each action once the previous one's record write and its workflow task are done (a
    // pause of IDLE_PAUSE_MS, untimed), so nothing else runs while it is timed.
    const paced = { pauseMs: IDLE_PAUSE_MS };
    let ids = await freshCases(o.count);
    const idle = await closedLoop(ids.length, 1, (i) => accept(ids[i]!), paced);
    console.log(`  actions idle: p50 ${idle.latency.p50} ms p99 ${idle.latency.p99} ms`);

    ids = await freshCases(o.count);
    const bareClientIdle = await closedLoop(ids.length, 1, (i) => act(env.client.workflow.getHandle(ids[i]!), updates.acceptance, actors.org, inputs.accept), paced);
    console.log(`  actions idle, bare client: p50 ${bareClientIdle.latency.p50} ms p99 ${bareClientIdle.latency.p99} ms`);

    ids = await freshCases(o.count);
    const noopIdle = await closedLoop(ids.length, 1, (i) => env.client.workflow.getHandle(ids[i]!).executeUpdate(openUpdate, { args: [{ startToken: 'bench' }] }), paced);
    console.log(`  no-op Update, bare client: p50 ${noopIdle.latency.p50} ms p99 ${noopIdle.latency.p99} ms`);

    // Back to back: the next action is sent as soon as the previous one answers, while its record write runs.
    ids = await freshCases(o.count);
    const backToBack = await closedLoop(ids.length, 1, (i) => accept(ids[i]!));
    console.log(`  actions back to back: p50 ${backToBack.latency.p50} ms p99 ${backToBack.latency.p99} ms`);

    ids = await freshCases(o.loadedCount);
    let stop = false;
    let starts = 0;
    let errors = 0;
    let inFlight = 0;
    // An open loop: one start every 1/rate seconds, whatever the latency (at most 64 in flight).
    const background = (async () => {
      const interval = 1000 / o.backgroundPerSecond;
      let next = performance.now();
      const pending = new Set<Promise<void>>();
      while (!stop) {
        if (inFlight < 64) {
          inFlight++;
          const p: Promise<void> = caller
            .expect(201, 'POST', '/v1/cases', unitToken, registeredApplication())
            .then(() => void starts++, () => void errors++)
            .finally(() => {
              inFlight--;
              pending.delete(p);
            });
          pending.add(p);
        }
        next += interval;
        await sleep(Math.max(0, next - performance.now()));
      }
      await Promise.all(pending);
    })();
    await sleep(2_000); // let the load reach a steady state
    const startsBefore = starts;
    const timedFrom = performance.now();
    const underLoad = await closedLoop(ids.length, 1, (i) => accept(ids[i]!));
    const timedMs = performance.now() - timedFrom;
    const startsDuring = starts - startsBefore;
    stop = true;
    await background;
    const perSecond = round(startsDuring / (timedMs / 1000));
    console.log(`  actions under load: p50 ${underLoad.latency.p50} ms p99 ${underLoad.latency.p99} ms (background ${perSecond} starts/s)`);

    await drain();
    const handle = await startCase(env.client, tq, caseInput());
    const opened = (await restingHistory(handle)).events ?? [];
    await accept(handle.workflowId);
    const accepted = (await restingHistory(handle)).events ?? [];
    await caseState(handle);
    const costs = { start: costBetween(opened, 0), acceptance: costBetween(accepted, opened.length) };
    console.log(`  costs: start ${JSON.stringify(costs.start)} · acceptance ${JSON.stringify(costs.acceptance)}`);

    return {
      countPerScenario: o.count,
      loadedCount: o.loadedCount,
      idle,
      backToBack,
      bareClientIdle,
      noopIdle,
      underLoad,
      background: { targetPerSecond: o.backgroundPerSecond, starts: startsDuring, errors, perSecond },
      costs,
    };
  } finally {
    caller.close();
  }
}
