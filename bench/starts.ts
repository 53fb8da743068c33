/**
 * Case starts: POST /v1/cases through the API, and the same start through a bare Temporal client,
 * at several concurrency levels on the same server. The API opens a case with Update-with-Start and
 * answers with the case after its first reaction; the bare client makes that same call without HTTP,
 * auth, validation and the API's own code. A plain start (answered before the worker runs anything)
 * is the server's floor; the floor workflow (bench/floor/workflow.ts: the case's shape, no work),
 * opened the same way on a worker of its own process, is the platform's floor for a case start.
 */
import path from 'node:path';
import { WithStartWorkflowOperation } from '@temporalio/client';
import { signToken } from '../api/tokens';
import { floorCase, floorOpenUpdate } from './floor/workflow';
import { startChildWorker } from './lib/child-worker';
import { waitForPollers, type BenchEnvironment } from './lib/environment';
import { actors, caseInput, registeredApplication } from './lib/fixtures';
import { startCase, startOnly } from './lib/drive';
import { HttpCaller } from './lib/http';
import { drain } from './lib/machine';
import { hasProc, postgresCpuSeconds, procCpuSeconds } from './lib/proc';
import { closedLoop, round, type LoadResult } from './lib/stats';

export interface StartsOptions {
  count: number;
  levels: number[];
  warmup: number;
}

export interface StartsLevel {
  concurrency: number;
  api: LoadResult;
  bareStart: LoadResult;
  /** A plain start, answered by the server before the worker has run anything. */
  bareStartOnly: LoadResult;
  /** Update-with-Start of the floor workflow: the case's shape without its work. */
  floor: LoadResult;
  /** API starts/s divided by the floor workflow's. */
  apiVsFloor: number;
  /**
   * CPU per API start, in ms, by process, from the first start until the machine is quiet again (the
   * worker finishing what the starts left it): the dev server, the case worker, PostgreSQL (all its
   * processes) and this process (the API with its Temporal client, and the HTTP client; until the last
   * start answers). Only with a dev server and a worker of their own and /proc.
   */
  apiCpuPerStartMs?: { server: number; worker: number; postgres: number; api: number };
  /**
   * CPU per floor-workflow start, in ms, measured the same way: the dev server and the floor's worker
   * (the bare client's share is not counted). Beside the API's row it shows how much of the server's
   * work per start is the case's shape and how much its payloads, search attributes and events.
   */
  floorCpuPerStartMs?: { server: number; worker: number };
  /** API starts/s divided by the bare client's (1 = no cost; 0.8 = 20% slower). */
  apiVsBareStart: number;
}

export interface StartsResult {
  countPerLevel: number;
  levels: StartsLevel[];
}

const perStart = (before: number, after: number, starts: number) => round(((after - before) * 1000) / starts, 1);

export async function benchStarts(env: BenchEnvironment, o: StartsOptions): Promise<StartsResult> {
  const { serverPid, workerPid } = env;
  const cpuNow = () =>
    serverPid !== undefined && workerPid !== undefined && hasProc()
      ? { server: procCpuSeconds(serverPid), worker: procCpuSeconds(workerPid), postgres: postgresCpuSeconds(), api: procCpuSeconds(process.pid) }
      : undefined;
  const caller = new HttpCaller(env.apiBase);
  const token = await signToken(env.config, actors.unit, '12h');
  const tq = env.config.taskQueue;
  const viaApi = () => caller.expect(201, 'POST', '/v1/cases', token, registeredApplication());
  const bare = () => startCase(env.client, tq, caseInput());
  const bareStartOnly = () => startOnly(env.client, tq, caseInput());
  const floorQueue = `${tq}-floor`;
  let floorCount = 0;
  const floorStart = () =>
    env.client.workflow.executeUpdateWithStart(floorOpenUpdate, {
      startWorkflowOperation: new WithStartWorkflowOperation(floorCase, { taskQueue: floorQueue, workflowId: `floor-${tq}-${++floorCount}`, workflowIdConflictPolicy: 'FAIL' }),
    });
  const floorWorker = startChildWorker({
    entry: path.join('bench', 'floor', 'worker.js'),
    env: env.workerEnv(floorQueue),
    logFile: path.join(env.scratch, 'floor-worker.log'),
  });
  const floorCpuNow = () => (serverPid !== undefined && hasProc() ? { server: procCpuSeconds(serverPid), worker: procCpuSeconds(floorWorker.pid) } : undefined);
  try {
    await waitForPollers(env.client, env.namespace, floorQueue, undefined, floorWorker.pid);
    // Warm up every path (JIT, connections, the worker's caches) before anything is timed.
    await closedLoop(o.warmup, 4, viaApi);
    await closedLoop(o.warmup, 4, bare);
    await closedLoop(o.warmup, 4, bareStartOnly);
    await closedLoop(o.warmup, 4, floorStart);
    // Every phase starts once the worker has finished what the previous one left it (a bare start
    // returns before the worker has run the case's first task and activities).
    const measured = async (concurrency: number, op: () => Promise<unknown>) => {
      await drain();
      return closedLoop(o.count, concurrency, op);
    };
    const levels: StartsLevel[] = [];
    for (const concurrency of o.levels) {
      // Interleaved per level, so a slow drift of the server (its database grows) hits all three alike.
      await drain();
      const cpu0 = cpuNow();
      const api = await closedLoop(o.count, concurrency, viaApi);
      // This process is done once the last start answers (and the drain's own reading of /proc is not its work).
      const apiCpu1 = cpuNow()?.api;
      await drain();
      const cpu1 = cpuNow();
      const bareStartOnlyResult = await measured(concurrency, bareStartOnly);
      const bareStart = await measured(concurrency, bare);
      await drain();
      const floorCpu0 = floorCpuNow();
      const floor = await closedLoop(o.count, concurrency, floorStart);
      await drain();
      const floorCpu1 = floorCpuNow();
      levels.push({
        concurrency,
        api,
        bareStart,
        bareStartOnly: bareStartOnlyResult,
        floor,
        apiVsBareStart: round(api.perSecond / bareStart.perSecond, 3),
        apiVsFloor: round(api.perSecond / floor.perSecond, 3),
        ...(cpu0 && cpu1 && api.ok > 0
          ? { apiCpuPerStartMs: { server: perStart(cpu0.server, cpu1.server, api.ok), worker: perStart(cpu0.worker, cpu1.worker, api.ok), postgres: perStart(cpu0.postgres, cpu1.postgres, api.ok), api: perStart(cpu0.api, apiCpu1 ?? cpu1.api, api.ok) } }
          : {}),
        ...(floorCpu0 && floorCpu1 && floor.ok > 0
          ? { floorCpuPerStartMs: { server: perStart(floorCpu0.server, floorCpu1.server, floor.ok), worker: perStart(floorCpu0.worker, floorCpu1.worker, floor.ok) } }
          : {}),
      });
      console.log(
        `  starts c=${concurrency}: API ${api.perSecond}/s p99 ${api.latency.p99} ms · bare start ${bareStart.perSecond}/s p99 ${bareStart.latency.p99} ms · floor workflow ${floor.perSecond}/s p99 ${floor.latency.p99} ms · start only ${bareStartOnlyResult.perSecond}/s p99 ${bareStartOnlyResult.latency.p99} ms`,
      );
    }
    return { countPerLevel: o.count, levels };
  } finally {
    caller.close();
    await floorWorker.stop();
  }
}
