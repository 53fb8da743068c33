/**
 * Actions: the round trip of one Update through the API (POST /v1/cases/{id}/acceptance by the
 * organization, decision accept), on fresh cases, one at a time: first with nothing else running,
 * then while a background loop keeps starting cases through the API. The same Update sent by a bare
 * client, idle, shows what the API adds.
 */
import { signToken } from '../api/tokens';
import { updates } from '../workflows/case/actions';
import type { BenchEnvironment } from './lib/environment';
import { act, caseState, startCase } from './lib/drive';
import { actors, caseInput, inputs, sampleApplication } from './lib/fixtures';
import { HttpCaller } from './lib/http';
import { drain } from './lib/machine';
import { closedLoop, mapLimit, round, sleep, type LoadResult } from './lib/stats';

export interface ActionsOptions {
  count: number;
  /** Round trips timed under load (each is slow while the load runs). */
  loadedCount: number;
  /** Cases the background loop keeps in flight while the loaded round trips are timed. */
  backgroundConcurrency: number;
}

export interface ActionsResult {
  countPerScenario: number;
  loadedCount: number;
  idle: LoadResult;
  bareClientIdle: LoadResult;
  underLoad: LoadResult;
  background: { concurrency: number; starts: number; errors: number; perSecond: number };
}

export async function benchActions(env: BenchEnvironment, o: ActionsOptions): Promise<ActionsResult> {
  const caller = new HttpCaller(env.apiBase);
  const orgToken = await signToken(env.config, actors.org, '12h');
  const unitToken = await signToken(env.config, actors.unit, '12h');
  const tq = env.config.taskQueue;

  /** Opens `n` cases and waits until each waits for its acceptance (first workflow task and its deadline planned). */
  const freshCases = async (n: number) => {
    const ids = await mapLimit(Array.from({ length: n }), 8, async () => {
      const handle = await startCase(env.client, tq, caseInput());
      await caseState(handle);
      return handle.workflowId;
    });
    await drain();
    return ids;
  };
  const accept = (id: string) => caller.expect(200, 'POST', `/v1/cases/${id}/acceptance`, orgToken, inputs.accept);

  try {
    await closedLoop(Math.min(10, o.count), 1, async () => accept((await freshCases(1))[0]!));

    let ids = await freshCases(o.count);
    const idle = await closedLoop(ids.length, 1, (i) => accept(ids[i]!));
    console.log(`  actions idle: p50 ${idle.latency.p50} ms p99 ${idle.latency.p99} ms`);

    ids = await freshCases(o.count);
    const bareClientIdle = await closedLoop(ids.length, 1, (i) => act(env.client.workflow.getHandle(ids[i]!), updates.acceptance, actors.org, inputs.accept));
    console.log(`  actions idle, bare client: p50 ${bareClientIdle.latency.p50} ms p99 ${bareClientIdle.latency.p99} ms`);

    ids = await freshCases(o.loadedCount);
    let stop = false;
    let starts = 0;
    let errors = 0;
    const lane = async () => {
      while (!stop) {
        try {
          await caller.expect(201, 'POST', '/v1/cases', unitToken, sampleApplication());
          starts++;
        } catch {
          errors++;
          await sleep(100);
        }
      }
    };
    const background = Promise.all(Array.from({ length: o.backgroundConcurrency }, lane));
    await sleep(2_000); // let the load reach a steady state
    const startsBefore = starts;
    const timedFrom = performance.now();
    const underLoad = await closedLoop(ids.length, 1, (i) => accept(ids[i]!));
    const timedMs = performance.now() - timedFrom;
    const startsDuring = starts - startsBefore;
    stop = true;
    await background;
    console.log(`  actions under load: p50 ${underLoad.latency.p50} ms p99 ${underLoad.latency.p99} ms (background ${round(startsDuring / (timedMs / 1000))} starts/s)`);
    return {
      countPerScenario: o.count,
      loadedCount: o.loadedCount,
      idle,
      bareClientIdle,
      underLoad,
      background: { concurrency: o.backgroundConcurrency, starts: startsDuring, errors, perSecond: round(startsDuring / (timedMs / 1000)) },
    };
  } finally {
    caller.close();
  }
}
