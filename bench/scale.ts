/**
 * Scale: N open cases waiting on one worker. The worker is the production entry running as a child
 * process on a task queue of its own, so its memory and CPU are its own. The cases are opened and
 * driven to a long wait with a bare client; then the worker sits idle while its memory and CPU are
 * read; then it is stopped and a new one started, and a sample of the cases each gets one action
 * through the API, answered only once the new worker has rebuilt the case from its history.
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { signToken } from '../api/tokens';
import type { CaseState } from '../domain/case';
import type { BenchEnvironment } from './lib/environment';
import { waitForPollers } from './lib/environment';
import { startChildWorker, type ChildWorker } from './lib/child-worker';
import { driveTo, startCase, type WaitStage } from './lib/drive';
import { actors, caseInput, inputs, quickAppealPolicy } from './lib/fixtures';
import { HttpCaller } from './lib/http';
import { procCpuSeconds, procMemory } from './lib/proc';
import { closedLoop, mapLimit, round, sleep, type LatencySummary } from './lib/stats';

export interface ScaleOptions {
  sizes: number[];
  stage: WaitStage;
  /** Cases driven at once while opening them. */
  concurrency: number;
  idleSeconds: number;
  /** How many cases get an action after the restart (all of them when there are fewer). */
  resumeSample: number;
  /** NODE_OPTIONS of the child worker only (e.g. a heap limit), when set. */
  workerNodeOptions?: string | undefined;
}

export interface WorkerFigures {
  rssMiB: number;
  peakRssMiB: number;
  /** Main thread only: workflow code runs in worker threads, whose heaps only the RSS includes. */
  heapUsedMiB?: number | undefined;
  heapTotalMiB?: number | undefined;
  externalMiB?: number | undefined;
}

export interface ScaleRun {
  cases: number;
  stage: WaitStage;
  workerNodeOptions?: string | undefined;
  /** The new worker before any case is opened. */
  baseline: WorkerFigures;
  open: { opened: number; failed: number; errorSamples: string[]; seconds: number; casesPerSecond: number };
  idle: {
    seconds: number;
    /** How long the worker took to go quiet after the last case was opened. */
    settleSeconds: number;
    worker: WorkerFigures & { cpuPercentOfOneCore: number };
    server?: { cpuPercentOfOneCore: number; rssMiB: number } | undefined;
  };
  restart: {
    stopSeconds: number;
    stoppedBy: 'exited' | 'killed';
    /** From spawning the new worker until it polls (includes bundling the workflow code). */
    readySeconds: number;
    sample: number;
    resumed: number;
    failed: number;
    errorSamples: string[];
    /** One action per case, 8 at a time, through the API: the first one after the restart. */
    latency: LatencySummary;
    seconds: number;
    after: WorkerFigures;
  };
}

const mib = (bytes: number | undefined) => (bytes === undefined ? undefined : round(bytes / 1048576, 1));

async function figures(w: ChildWorker): Promise<WorkerFigures> {
  const heap = await w.heap();
  return { ...procMemory(w.pid), heapUsedMiB: mib(heap?.heapUsed), heapTotalMiB: mib(heap?.heapTotal), externalMiB: mib(heap?.external) };
}

/** Waits until the process uses less than `threshold` of a core over 2 s windows (at most `maxSeconds`). */
async function settle(pid: number, threshold = 0.05, maxSeconds = 120): Promise<number> {
  const started = performance.now();
  for (;;) {
    const c0 = procCpuSeconds(pid);
    await sleep(2_000);
    const used = (procCpuSeconds(pid) - c0) / 2;
    const waited = (performance.now() - started) / 1000;
    if (used < threshold || waited >= maxSeconds) return round(waited, 1);
  }
}

function sampleOf<T>(items: readonly T[], n: number): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [copy[i], copy[j]] = [copy[j]!, copy[i]!];
  }
  return copy.slice(0, n);
}

export async function benchScaleRun(env: BenchEnvironment, cases: number, o: ScaleOptions): Promise<ScaleRun> {
  const taskQueue = `bench-scale-${cases}-${randomUUID().slice(0, 8)}`;
  const dataDir = path.join(env.scratch, `scale-${cases}`);
  const childEnv: NodeJS.ProcessEnv = {
    ...env.workerEnv(taskQueue),
    // With the embedded store the child cannot share the parent's: it gets a folder of its own, kept across its restart.
    DATA_DIR: dataDir,
    ...(o.workerNodeOptions ? { NODE_OPTIONS: o.workerNodeOptions } : {}),
  };
  const logFile = path.join(env.scratch, `scale-${cases}-worker.log`);
  const caller = new HttpCaller(env.apiBase);
  let worker: ChildWorker | undefined = startChildWorker({ env: childEnv, logFile });
  try {
    await waitForPollers(env.client, env.namespace, taskQueue, 180_000, worker.pid);
    await sleep(2_000);
    const baseline = await figures(worker);

    // ---- open and drive the cases ----
    const errorSamples: string[] = [];
    let failed = 0;
    let done = 0;
    const openedFrom = performance.now();
    const ids = (
      await mapLimit(Array.from({ length: cases }), o.concurrency, async () => {
        try {
          const handle = await startCase(env.client, taskQueue, caseInput(quickAppealPolicy));
          await driveTo(handle, o.stage);
          return handle.workflowId;
        } catch (err) {
          failed++;
          if (errorSamples.length < 5) errorSamples.push(err instanceof Error ? err.message : String(err));
          return undefined;
        } finally {
          if (++done % Math.max(1, Math.round(cases / 10)) === 0) console.log(`    scale ${cases}: ${done} cases driven to ${o.stage} (${round((performance.now() - openedFrom) / 1000, 1)} s)`);
        }
      })
    ).filter((id): id is string => id !== undefined);
    const openSeconds = (performance.now() - openedFrom) / 1000;

    // ---- idle ----
    const settleSeconds = await settle(worker.pid);
    const cpu0 = procCpuSeconds(worker.pid);
    const server0 = env.serverPid ? procCpuSeconds(env.serverPid) : undefined;
    const idleFrom = performance.now();
    await sleep(o.idleSeconds * 1000);
    const idleSeconds = (performance.now() - idleFrom) / 1000;
    const idleWorker = { ...(await figures(worker)), cpuPercentOfOneCore: round(((procCpuSeconds(worker.pid) - cpu0) / idleSeconds) * 100, 1) };
    const server =
      env.serverPid && server0 !== undefined
        ? { cpuPercentOfOneCore: round(((procCpuSeconds(env.serverPid) - server0) / idleSeconds) * 100, 1), rssMiB: procMemory(env.serverPid).rssMiB }
        : undefined;
    console.log(`    scale ${cases}: idle worker RSS ${idleWorker.rssMiB} MiB, CPU ${idleWorker.cpuPercentOfOneCore}% of a core`);

    // ---- restart ----
    const stopFrom = performance.now();
    const stoppedBy = await worker.stop();
    const stopSeconds = (performance.now() - stopFrom) / 1000;
    worker = undefined;
    const readyFrom = performance.now();
    worker = startChildWorker({ env: childEnv, logFile });
    await waitForPollers(env.client, env.namespace, taskQueue, 180_000, worker.pid);
    const readySeconds = (performance.now() - readyFrom) / 1000;

    const sample = sampleOf(ids, Math.min(o.resumeSample, ids.length));
    const unitToken = await signToken(env.config, actors.unit, '12h');
    const orgToken = await signToken(env.config, actors.org, '12h');
    const action = async (caseId: string) => {
      if (o.stage === 'acceptance') {
        const s = await caller.expect<CaseState>(200, 'POST', `/v1/cases/${caseId}/acceptance`, orgToken, inputs.accept);
        if (s.stage !== 'investigation') throw new Error(`${caseId} is ${s.stage} after acceptance`);
      } else if (o.stage === 'remediation') {
        const { measureId: _m, ...body } = inputs.progress(false);
        const s = await caller.expect<CaseState>(200, 'POST', `/v1/cases/${caseId}/measures/m1/progress`, unitToken, body);
        if (s.measures[0]?.progress.length !== 1) throw new Error(`${caseId}: the progress report was not recorded`);
      } else {
        // No revisit is due for a month: the case answers from its rebuilt state that the next one opens later.
        const problem = await caller.expect<{ detail?: string }>(409, 'POST', `/v1/cases/${caseId}/revisit`, orgToken, inputs.revisit);
        if (!/no revisit is due yet/.test(problem.detail ?? '')) throw new Error(`${caseId}: unexpected answer ${JSON.stringify(problem)}`);
      }
    };
    const resumed = await closedLoop(sample.length, 8, (i) => action(sample[i]!));
    await sleep(2_000);
    const after = await figures(worker);
    console.log(`    scale ${cases}: after restart ${resumed.ok}/${sample.length} cases answered, p50 ${resumed.latency.p50} ms`);

    return {
      cases,
      stage: o.stage,
      workerNodeOptions: o.workerNodeOptions,
      baseline,
      open: { opened: ids.length, failed, errorSamples, seconds: round(openSeconds, 1), casesPerSecond: round(ids.length / openSeconds) },
      idle: { seconds: round(idleSeconds, 1), settleSeconds, worker: idleWorker, server },
      restart: {
        stopSeconds: round(stopSeconds, 1),
        stoppedBy,
        readySeconds: round(readySeconds, 1),
        sample: sample.length,
        resumed: resumed.ok,
        failed: resumed.errors,
        errorSamples: resumed.errorSamples,
        latency: resumed.latency,
        seconds: round(resumed.elapsedMs / 1000, 1),
        after,
      },
    };
  } finally {
    caller.close();
    await worker?.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

/** How a figure changes from the smallest run to the largest, one line per figure. */
export interface GrowthLine {
  figure: string;
  unit: string;
  values: { cases: number; value: number }[];
  /** Largest over smallest. */
  factor: number;
  /** Change per additional case (for memory: MiB per case). */
  perCase: number;
}

export function growth(runs: ScaleRun[]): GrowthLine[] {
  if (runs.length < 2) return [];
  const pick: [string, string, (r: ScaleRun) => number | undefined][] = [
    ['worker RSS, idle', 'MiB', (r) => r.idle.worker.rssMiB],
    ['worker RSS over its empty baseline', 'MiB', (r) => round(r.idle.worker.rssMiB - r.baseline.rssMiB, 1)],
    ['worker peak RSS', 'MiB', (r) => r.idle.worker.peakRssMiB],
    ['worker main-thread heap used, idle', 'MiB', (r) => r.idle.worker.heapUsedMiB],
    ['worker CPU, idle', '% of a core', (r) => r.idle.worker.cpuPercentOfOneCore],
    ['server CPU, idle', '% of a core', (r) => r.idle.server?.cpuPercentOfOneCore],
    ['server RSS, idle', 'MiB', (r) => r.idle.server?.rssMiB],
    ['time to open', 's', (r) => r.open.seconds],
    ['opening rate', 'cases/s', (r) => r.open.casesPerSecond],
    ['worker ready after restart', 's', (r) => r.restart.readySeconds],
    ['cases resumed (of the sample)', '%', (r) => round((r.restart.resumed / Math.max(1, r.restart.sample)) * 100, 1)],
    ['first action after restart, p50', 'ms', (r) => r.restart.latency.p50],
    ['first action after restart, p99', 'ms', (r) => r.restart.latency.p99],
    ['worker RSS after the resumed actions', 'MiB', (r) => r.restart.after.rssMiB],
  ];
  const first = runs[0]!;
  const last = runs.at(-1)!;
  const lines: GrowthLine[] = [];
  for (const [figure, unit, get] of pick) {
    const values = runs.map((r) => ({ cases: r.cases, value: get(r) })).filter((v): v is { cases: number; value: number } => v.value !== undefined && Number.isFinite(v.value));
    if (values.length < 2) continue;
    const a = get(first)!;
    const b = get(last)!;
    lines.push({ figure, unit, values, factor: a === 0 ? Number.NaN : round(b / a, 2), perCase: round((b - a) / (last.cases - first.cases), 5) });
  }
  return lines;
}
