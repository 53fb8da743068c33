/**
 * `npm run bench`: starts what the benchmarks need (bench/lib/environment.ts), runs them, prints a
 * table and writes it with every figure as JSON to bench/results/<timestamp>.json and latest.json.
 * Benchmarks print numbers beside their targets; they never fail on a time.
 *
 *   node dist/bench/run.js [--quick] [--only starts,actions,scale,lifecycle,inbox,statistics] [--server-db memory|file]
 *                          [--max-wait-idle 60]
 *                          [--scale-sizes 1000,10000] [--scale-stage follow_up|remediation|acceptance]
 *                          [--inbox-sizes 1000,10000]
 *                          [--lifecycle-cases 5] [--worker-node-options "--max-old-space-size=1024"]
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { projectRoot } from '../scripts/tools';
import { benchActions, IDLE_PAUSE_MS, type ActionsResult } from './actions';
import { benchInbox, inboxGrowth, type InboxResult } from './inbox';
import { benchStatistics, type StatisticsResult } from './statistics';
import { benchLifecycle, type LifecycleResult } from './lifecycle';
import { benchScaleRun, growth, type GrowthLine, type ScaleRun } from './scale';
import { benchStarts, type StartsResult } from './starts';
import { startEnvironment, type BenchEnvironment } from './lib/environment';
import { waitStages, type WaitStage } from './lib/drive';
import { drain, killDescendants, LoadMeter, machineInfo, waitForQuiet, type LoadReading } from './lib/machine';
import { hasProc } from './lib/proc';
import { round, type LatencySummary, type LoadResult } from './lib/stats';

const benchmarks = ['starts', 'actions', 'scale', 'lifecycle', 'inbox', 'statistics'] as const;
type BenchName = (typeof benchmarks)[number];

const usage = `usage: node dist/bench/run.js [--quick] [--only ${benchmarks.join(',')}] [--server-db memory|file] [--max-wait-idle SECONDS] [--scale-sizes 1000,10000] [--scale-stage ${waitStages.join('|')}] [--lifecycle-cases N] [--worker-node-options OPTIONS] [--inbox-sizes 1000,10000]`;

/** The targets, as printed beside each figure. */
const targets = {
  startsPerSecondAt16: 60,
  apiVsBare: 0.9,
  actionIdleP50Ms: 15,
  actionIdleP99Ms: 25,
  actionLoadedP99Ms: 250,
  rssMiBAt10k: 1536,
  lifecycleP50Seconds: 2,
  inboxP99Ms: 50,
  /** p99 at 10,000 cases over p99 at 1,000: flat is about 1. */
  inboxGrowth: 1.5,
  statisticsP99Ms: 100,
  monthlyReportMs: 2000,
};

interface Plan {
  quick: boolean;
  only: BenchName[];
  serverDb: 'memory' | 'file';
  /** Before each benchmark, wait up to this long for other programs to leave the CPU alone. */
  maxWaitIdle: number;
  starts: { count: number; levels: number[]; warmup: number };
  actions: { count: number; loadedCount: number; backgroundPerSecond: number };
  scale: { sizes: number[]; stage: WaitStage; concurrency: number; idleSeconds: number; resumeSample: number; workerNodeOptions?: string | undefined };
  lifecycle: { cases: number };
  inbox: { sizes: number[]; requests: number };
  statistics: { cases: number; requests: number; reports: number };
}

function plan(argv: string[]): Plan {
  const { values } = parseArgs({
    args: argv,
    options: {
      quick: { type: 'boolean', default: false },
      only: { type: 'string' },
      'server-db': { type: 'string', default: 'memory' },
      'max-wait-idle': { type: 'string' },
      'scale-sizes': { type: 'string' },
      'scale-stage': { type: 'string' },
      'lifecycle-cases': { type: 'string' },
      'worker-node-options': { type: 'string' },
      'inbox-sizes': { type: 'string' },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) {
    console.log(usage);
    process.exit(0);
  }
  const quick = values.quick ?? false;
  const only = values.only ? values.only.split(',').map((s) => s.trim()).filter(Boolean) : [...benchmarks];
  const unknown = only.filter((n) => !(benchmarks as readonly string[]).includes(n));
  if (unknown.length) throw new Error(`unknown benchmark ${unknown.join(', ')}\n${usage}`);
  const sizes = values['scale-sizes'] ? values['scale-sizes'].split(',').map(Number) : quick ? [100, 300] : [1_000, 10_000];
  if (!sizes.every((n) => Number.isInteger(n) && n > 0)) throw new Error(`--scale-sizes takes positive whole numbers\n${usage}`);
  const stage = (values['scale-stage'] ?? 'followUp') as WaitStage;
  if (!waitStages.includes(stage)) throw new Error(`--scale-stage is one of ${waitStages.join(', ')}\n${usage}`);
  const inboxSizes = values['inbox-sizes'] ? values['inbox-sizes'].split(',').map(Number) : quick ? [200, 1_000] : [1_000, 10_000];
  if (!inboxSizes.every((n) => Number.isInteger(n) && n > 0)) throw new Error(`--inbox-sizes takes positive whole numbers\n${usage}`);
  const lifecycleCases = values['lifecycle-cases'] ? Number(values['lifecycle-cases']) : quick ? 1 : 5;
  if (!Number.isInteger(lifecycleCases) || lifecycleCases < 1) throw new Error(`--lifecycle-cases takes a positive whole number\n${usage}`);
  const serverDb = values['server-db'];
  if (serverDb !== 'memory' && serverDb !== 'file') throw new Error(`--server-db is memory or file\n${usage}`);
  const maxWaitIdle = values['max-wait-idle'] ? Number(values['max-wait-idle']) : quick ? 10 : 60;
  if (!Number.isFinite(maxWaitIdle) || maxWaitIdle < 0) throw new Error(`--max-wait-idle takes seconds\n${usage}`);
  return {
    quick,
    only: only as BenchName[],
    serverDb,
    maxWaitIdle,
    starts: { count: quick ? 20 : 200, levels: [1, 4, 16], warmup: quick ? 5 : 20 },
    actions: { count: quick ? 20 : 200, loadedCount: quick ? 20 : 100, backgroundPerSecond: 30 },
    scale: { sizes: [...sizes].sort((a, b) => a - b), stage, concurrency: 32, idleSeconds: quick ? 5 : 10, resumeSample: 100, workerNodeOptions: values['worker-node-options'] },
    lifecycle: { cases: lifecycleCases },
    inbox: { sizes: [...new Set(inboxSizes)].sort((a, b) => a - b), requests: quick ? 50 : 300 },
    statistics: { cases: quick ? 1_000 : 10_000, requests: quick ? 30 : 200, reports: quick ? 3 : 10 },
  };
}

// ---- the table ----

interface Row {
  benchmark: string;
  measure: string;
  value: string;
  target: string;
  /** Whether the figure meets its target; absent where there is none. */
  meets?: boolean | undefined;
}

const lat = (l: LatencySummary) => `p50 ${l.p50} · p95 ${l.p95} · p99 ${l.p99} ms`;
const load = (r: LoadResult, unit: string) => `${r.perSecond} ${unit}/s · ${lat(r.latency)}${r.errors ? ` · ${r.errors} errors` : ''}`;

function startsRows(r: StartsResult): Row[] {
  const rows: Row[] = [];
  for (const l of r.levels) {
    const b = `starts c=${l.concurrency}`;
    rows.push({
      benchmark: b,
      measure: `API POST /v1/cases (${r.countPerLevel})`,
      value: load(l.api, 'starts'),
      target: l.concurrency === 16 ? `≥ ${targets.startsPerSecondAt16}/s` : '',
      meets: l.concurrency === 16 ? l.api.errors === 0 && l.api.perSecond >= targets.startsPerSecondAt16 : undefined,
    });
    rows.push({ benchmark: b, measure: 'bare client: Update-with-Start (the call the API makes)', value: load(l.bareStart, 'starts'), target: '' });
    rows.push({ benchmark: b, measure: 'bare client: plain start (the server alone, no worker)', value: load(l.bareStartOnly, 'starts'), target: '' });
    rows.push({ benchmark: b, measure: 'bare client: Update-with-Start of the floor workflow (the case\'s shape, no work; the platform floor)', value: load(l.floor, 'starts'), target: '' });
    rows.push({ benchmark: b, measure: 'API ÷ bare client (throughput)', value: String(l.apiVsBareStart), target: `≥ ${targets.apiVsBare}`, meets: l.apiVsBareStart >= targets.apiVsBare });
    rows.push({ benchmark: b, measure: 'API ÷ floor workflow (throughput)', value: String(l.apiVsFloor), target: '' });
    const c = l.apiCpuPerStartMs;
    if (c) rows.push({ benchmark: b, measure: 'CPU per API start, by process (until the worker is done with it)', value: `dev server ${c.server} · worker ${c.worker} · PostgreSQL ${c.postgres} · API and clients ${c.api} ms`, target: '' });
    const f = l.floorCpuPerStartMs;
    if (f) rows.push({ benchmark: b, measure: 'CPU per floor-workflow start, by process', value: `dev server ${f.server} · floor worker ${f.worker} ms`, target: '' });
  }
  return rows;
}

function actionsRows(r: ActionsResult): Row[] {
  const cost = (c: ActionsResult['costs']['start']) => `${c.workflowTasks} workflow tasks · ${c.activities} activities (${c.activityTypes.join(', ') || 'none'})`;
  return [
    {
      benchmark: 'actions',
      measure: `API acceptance Update, idle (${r.countPerScenario}, one at a time, each ${IDLE_PAUSE_MS} ms after the previous answer)`,
      value: lat(r.idle.latency) + (r.idle.errors ? ` · ${r.idle.errors} errors` : ''),
      target: `p50 ≤ ${targets.actionIdleP50Ms} ms, p99 ≤ ${targets.actionIdleP99Ms} ms`,
      meets: r.idle.errors === 0 && r.idle.latency.p50 <= targets.actionIdleP50Ms && r.idle.latency.p99 <= targets.actionIdleP99Ms,
    },
    { benchmark: 'actions', measure: 'bare client: the same acceptance Update, idle', value: lat(r.bareClientIdle.latency), target: '' },
    { benchmark: 'actions', measure: 'API acceptance Update, back to back (the previous one\'s record write still running)', value: lat(r.backToBack.latency), target: '' },
    { benchmark: 'actions', measure: 'bare client: a no-op Update on the same cases (the platform floor)', value: lat(r.noopIdle.latency), target: '' },
    { benchmark: 'actions', measure: 'API ÷ floor (p50)', value: String(round(r.idle.latency.p50 / Math.max(r.noopIdle.latency.p50, 0.01), 2)), target: '' },
    {
      benchmark: 'actions',
      measure: `API acceptance Update, under load (${r.loadedCount}; ${r.background.perSecond} starts/s behind it, aiming at ${r.background.targetPerSecond}/s)`,
      value: lat(r.underLoad.latency) + (r.underLoad.errors ? ` · ${r.underLoad.errors} errors` : ''),
      target: `p99 ≤ ${targets.actionLoadedP99Ms} ms`,
      meets: r.underLoad.errors === 0 && r.underLoad.latency.p99 <= targets.actionLoadedP99Ms,
    },
    { benchmark: 'actions', measure: 'one start causes (until the case rests)', value: cost(r.costs.start), target: '' },
    { benchmark: 'actions', measure: 'one acceptance causes (until the case rests)', value: cost(r.costs.acceptance), target: '' },
  ];
}

function scaleRows(runs: ScaleRun[]): Row[] {
  const rows: Row[] = [];
  for (const r of runs) {
    const b = `scale ${r.cases}`;
    const w = r.idle.worker;
    rows.push({
      benchmark: b,
      measure: `worker RSS, idle (cases in ${r.stage}${r.workerNodeOptions ? `; worker NODE_OPTIONS ${r.workerNodeOptions}` : ''})`,
      value: `${w.rssMiB} MiB (peak ${w.peakRssMiB}; empty worker ${r.baseline.rssMiB})`,
      target: `≤ ${targets.rssMiBAt10k} MiB at 10,000`,
      meets: r.cases >= 10_000 ? w.rssMiB <= targets.rssMiBAt10k && w.peakRssMiB <= targets.rssMiBAt10k : undefined,
    });
    rows.push({
      benchmark: b,
      measure: 'worker main-thread heap, idle (external: ArrayBuffers, e.g. the embedded store)',
      value: w.heapUsedMiB === undefined ? 'n/a' : `${w.heapUsedMiB} used / ${w.heapTotalMiB} MiB · external ${w.externalMiB} MiB`,
      target: '',
    });
    rows.push({ benchmark: b, measure: `CPU while idle (${r.idle.seconds} s)`, value: `worker ${w.cpuPercentOfOneCore}%${r.idle.server ? ` · server ${r.idle.server.cpuPercentOfOneCore}%` : ''} of a core`, target: '' });
    rows.push({
      benchmark: b,
      measure: `time to open and drive to ${r.stage}`,
      value: `${r.open.seconds} s (${r.open.casesPerSecond} cases/s)${r.open.failed ? ` · ${r.open.failed} failed` : ''}`,
      target: '',
    });
    rows.push({
      benchmark: b,
      measure: 'resumed after a worker restart',
      value: `${r.restart.resumed}/${r.restart.sample} · worker ready in ${r.restart.readySeconds} s · first action ${lat(r.restart.latency)}`,
      target: 'all',
      meets: r.restart.sample > 0 && r.restart.resumed === r.restart.sample,
    });
  }
  return rows;
}

function growthRows(lines: GrowthLine[]): Row[] {
  return lines.map((g) => ({
    benchmark: 'growth',
    measure: `${g.figure} (${g.unit})`,
    value: `${g.values.map((v) => `${v.value} @${v.cases}`).join(' → ')} · ×${g.factor} · ${g.perCase >= 0 ? '+' : ''}${g.perCase} per case`,
    target: '',
  }));
}

function lifecycleRows(r: LifecycleResult): Row[] {
  return [
    {
      benchmark: 'lifecycle',
      measure: `whole lifecycle with ${r.revisitsPerCase} revisits over 12 months, time-skipping (${r.completed}/${r.cases} cases)`,
      value: `p50 ${r.perCaseSeconds.p50} s · max ${r.perCaseSeconds.max} s · ${r.casesPerSecond} cases/s · ${r.historyEventsPerCase} history events`,
      target: `p50 ≤ ${targets.lifecycleP50Seconds} s`,
      meets: r.completed === r.cases && r.perCaseSeconds.p50 <= targets.lifecycleP50Seconds,
    },
    { benchmark: 'lifecycle', measure: 'test server start (once)', value: `${r.serverStartSeconds} s`, target: '' },
  ];
}

function statisticsRows(r: StatisticsResult): Row[] {
  const b = `statistics ${r.cases} (${r.store})`;
  return [
    {
      benchmark: b,
      measure: `one city, one year (${r.figures.applications} applications, ${r.figures.decided} rulings, ${r.ledgerEntries} ledger entries): p50 / p99`,
      value: `${r.statistics.p50} / ${r.statistics.p99} ms`,
      target: `p99 ≤ ${targets.statisticsP99Ms} ms`,
      meets: r.statistics.p99 <= targets.statisticsP99Ms,
    },
    {
      benchmark: b,
      measure: `one monthly report with HTML and charts (${Math.round(r.reportHtmlBytes / 1024)} KiB): p50 / slowest`,
      value: `${r.report.p50} / ${r.report.max} ms`,
      target: `≤ ${targets.monthlyReportMs} ms`,
      meets: r.report.max <= targets.monthlyReportMs,
    },
    { benchmark: b, measure: 'seeding through the record system', value: `${r.seedSeconds} s`, target: '—', meets: true },
  ];
}

function inboxRows(r: InboxResult): Row[] {
  const rows: Row[] = [];
  for (const run of r.runs) {
    const b = `inbox ${run.cases}`;
    for (const m of run.measures) {
      rows.push({
        benchmark: b,
        measure: `${m.what}, ${m.viewer} (${m.what.includes('cases') ? `total ${m.items}` : `${m.items} items`}; ${m.latency.count} one at a time)`,
        value: lat(m.latency),
        target: `p99 ≤ ${targets.inboxP99Ms} ms`,
        meets: m.latency.p99 <= targets.inboxP99Ms,
      });
    }
    rows.push({
      benchmark: b,
      measure: `whole inbox of the ${run.walk.viewer}, paged by 200`,
      value: `${run.walk.items} cases of ${run.walk.expected} in ${run.walk.pages} pages, ${run.walk.seconds} s`,
      target: 'complete, ordered, each once',
      meets: run.walk.ordered && run.walk.items === run.walk.expected,
    });
    rows.push({ benchmark: b, measure: `seeding by the record activity (${run.tasks} open tasks in all, ${r.store})`, value: `${run.seedSeconds} s (${run.casesPerSecond} cases/s)`, target: '' });
  }
  for (const g of inboxGrowth(r)) {
    rows.push({ benchmark: 'inbox growth', measure: `p99 ${r.runs.at(-1)!.cases} ÷ ${r.runs[0]!.cases}: ${g.what}, ${g.viewer}`, value: `×${g.ratio}`, target: `≤ ×${targets.inboxGrowth}`, meets: g.ratio <= targets.inboxGrowth });
  }
  return rows;
}

function loadRow(name: string, l: { before: LoadReading; during: LoadReading }): Row {
  return {
    benchmark: name,
    measure: 'CPU of other programs on the machine',
    value: `${l.during.foreignPercent}% of a core during (${l.before.foreignPercent}% just before); machine total ${l.during.machinePercent}%`,
    target: '',
  };
}

function printTable(rows: Row[]): void {
  const cells = rows.map((r) => [r.benchmark, r.measure, r.value, r.target, r.meets === undefined ? '' : r.meets ? 'yes' : 'no']);
  const head = ['benchmark', 'measure', 'value', 'target', 'meets'];
  const width = head.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: string[]) => `| ${c.map((x, i) => x.padEnd(width[i]!)).join(' | ')} |`;
  console.log(line(head));
  console.log(`|${width.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const c of cells) console.log(line(c));
}

// ---- main ----

async function main(): Promise<void> {
  const p = plan(process.argv.slice(2));
  const startedAt = new Date();
  const stamp = startedAt.toISOString().replace(/[:.]/g, '-');
  const dir = path.join(projectRoot(), 'bench', 'results');
  console.log(`rongcuo benchmarks${p.quick ? ' (quick)' : ''}: ${p.only.join(', ')}`);
  if (p.only.includes('scale') && !hasProc()) console.log('  /proc is not readable here: the scale benchmark is skipped');

  const results: {
    starts?: StartsResult;
    actions?: ActionsResult;
    scale?: ScaleRun[];
    growth?: GrowthLine[];
    lifecycle?: LifecycleResult;
    inbox?: InboxResult;
    statistics?: StatisticsResult;
  } = {};
  const notMeasured: string[] = [];
  const loads: Record<string, { before: LoadReading & { waitedSeconds: number }; during: LoadReading }> = {};
  const running: { env?: BenchEnvironment; storeLabel?: string; temporalLabel?: string } = {};

  const tableRows = (): Row[] => [
    ...(results.starts ? startsRows(results.starts) : []),
    ...(results.actions ? actionsRows(results.actions) : []),
    ...(results.scale ? scaleRows(results.scale) : []),
    ...(results.growth ? growthRows(results.growth) : []),
    ...(results.lifecycle ? lifecycleRows(results.lifecycle) : []),
    ...(results.inbox ? inboxRows(results.inbox) : []),
    ...(results.statistics ? statisticsRows(results.statistics) : []),
    ...Object.entries(loads).map(([name, l]) => loadRow(name, l)),
  ];
  /** Writes what has been measured so far; `complete` is false until every benchmark has run. */
  const writeReport = (complete: boolean) => {
    const e = running.env;
    const finishedAt = new Date();
    const report = {
      complete,
      startedAt: startedAt.toISOString(),
      finishedAt: finishedAt.toISOString(),
      durationSeconds: round((finishedAt.getTime() - startedAt.getTime()) / 1000, 1),
      options: {
        quick: p.quick,
        only: p.only,
        serverDb: p.serverDb,
        maxWaitIdle: p.maxWaitIdle,
        scaleSizes: p.scale.sizes,
        scaleStage: p.scale.stage,
        workerNodeOptions: p.scale.workerNodeOptions,
        lifecycleCases: p.lifecycle.cases,
        inboxSizes: p.inbox.sizes,
      },
      machine: machineInfo(),
      temporal: e ? { kind: e.temporalKind, serverDb: e.serverDb, label: running.temporalLabel, namespace: e.namespace, payloadEncryption: e.payloadEncryption } : undefined,
      recordStore: e ? { kind: e.recordStoreKind, label: running.storeLabel } : undefined,
      targets,
      table: tableRows(),
      notMeasured,
      /** CPU of other programs before and during each benchmark (the machine may be shared). */
      machineLoad: loads,
      results,
    };
    fs.mkdirSync(dir, { recursive: true });
    const json = `${JSON.stringify(report, null, 2)}\n`;
    fs.writeFileSync(path.join(dir, `${stamp}.json`), json);
    fs.writeFileSync(path.join(dir, 'latest.json'), json);
    return report;
  };

  const interrupted = (signal: string) => {
    console.error(`${signal} received: writing what was measured, then stopping`);
    notMeasured.push(`interrupted by ${signal}`);
    writeReport(false);
    const closing = running.env?.close() ?? Promise.resolve();
    void Promise.race([closing, new Promise((resolve) => setTimeout(resolve, 15_000))]).finally(() => {
      killDescendants();
      process.exit(130);
    });
  };
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);

  const e = await startEnvironment({ serverDb: p.serverDb });
  running.env = e;
  running.storeLabel = e.recordStoreKind === 'postgres' ? 'postgres (DATABASE_URL); worker in its own process' : 'pglite (embedded, temporary folder, in the benchmark process); worker in the benchmark process';
  running.temporalLabel =
    (e.temporalKind === 'external' ? 'external server (TEMPORAL_ADDRESS)' : `embedded dev server, ${e.serverDb === 'file' ? 'SQLite file in a temporary folder' : 'in-memory SQLite'}`) +
    (e.payloadEncryption ? ', payloads encrypted (AES-256-GCM)' : ', payloads in the clear (PAYLOAD_ENCRYPTION=false)');
  console.log(`  Temporal: ${running.temporalLabel}; record store: ${running.storeLabel}`);

  const attempt = async <T>(name: string, fn: () => Promise<T>): Promise<T | undefined> => {
    console.log(`\n${name}`);
    await drain();
    const before = await waitForQuiet(p.maxWaitIdle);
    if (before.foreignPercent >= 25) console.log(`  other programs use ${before.foreignPercent}% of a core (waited ${before.waitedSeconds} s): the numbers below share the machine`);
    const meter = new LoadMeter().start();
    try {
      return await fn();
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      console.error(`  ${name} could not be measured: ${message}`);
      notMeasured.push(`${name}: ${message}`);
      return undefined;
    } finally {
      const during = meter.stop();
      loads[name] = { before, during };
      console.log(`  other programs used ${during.foreignPercent}% of a core meanwhile`);
    }
  };

  try {
    if (p.only.includes('starts')) results.starts = await attempt('starts', () => benchStarts(e, p.starts));
    writeReport(false);
    if (p.only.includes('actions')) results.actions = await attempt('actions', () => benchActions(e, p.actions));
    writeReport(false);
    if (p.only.includes('lifecycle')) results.lifecycle = await attempt('lifecycle', () => benchLifecycle(e, p.lifecycle));
    writeReport(false);
    if (p.only.includes('inbox')) results.inbox = await attempt('inbox', () => benchInbox(e, p.inbox));
    writeReport(false);
    if (p.only.includes('statistics')) results.statistics = await attempt('statistics', () => benchStatistics(e, p.statistics));
    writeReport(false);
    if (p.only.includes('scale') && hasProc()) {
      results.scale = [];
      for (const size of p.scale.sizes) {
        const run = await attempt(`scale ${size}`, () => benchScaleRun(e, size, p.scale));
        if (run) results.scale.push(run);
        results.growth = growth(results.scale);
        writeReport(false);
      }
    }
  } finally {
    process.off('SIGINT', interrupted);
    process.off('SIGTERM', interrupted);
    await e.close();
  }

  const report = writeReport(true);
  console.log('');
  const m = report.machine;
  console.log(`${m.cpus} × ${m.model}, ${m.memoryGiB} GiB, Node ${m.node}, ${m.platform}; Temporal: ${running.temporalLabel}; record store: ${running.storeLabel}`);
  printTable(report.table);
  for (const n of notMeasured) console.log(`not measured: ${n}`);
  console.log(`\nwritten: bench/results/${stamp}.json and bench/results/latest.json (${report.durationSeconds} s in all)`);
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err instanceof Error ? (err.stack ?? err.message) : err);
    process.exit(1);
  },
);
