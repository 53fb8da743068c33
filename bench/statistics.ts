/**
 * Statistics and a monthly report over 10,000 cases of one locality in one year: the cases are
 * written straight into the record system through its normal write path (`recordReaction`, one
 * reaction per step of each case: ledger entry, register row, statistics facts, snapshot), without
 * running their workflows, spread over the ten units of one city. Then `readStatistics` for the city
 * and the year is read again and again (p50/p99), and a monthly report is built: figures, signals,
 * overdue work, the twelve-month series and the HTML page with its three SVG charts. On PostgreSQL
 * the store is a scratch schema of DATABASE_URL; otherwise a fresh embedded store.
 */
import { randomBytes } from 'node:crypto';
import pino from 'pino';
import { createRecordSystem, RecordKeys } from '../activities/records';
import { saveRegistry } from '../activities/records/registry';
import { readStatistics } from '../activities/records/statistics';
import { buildReport } from '../activities/reports';
import { parsePayloadKeys } from '../common/payload-keys';
import { defaultPolicy, PolicyRegistry } from '../domain/policies';
import { Registry } from '../domain/registry';
import { benchRegistry, openStore } from './inbox';
import type { BenchEnvironment } from './lib/environment';
import { plausibleSteps, seedCase } from './lib/casework';
import { mapLimit, round, summarize, type LatencySummary } from './lib/stats';
import { prng } from './lib/random';

export interface StatisticsOptions {
  cases: number;
  /** Timed reads of the year's statistics (after a warm-up). */
  requests: number;
  /** Monthly reports built, one after another. */
  reports: number;
}

export interface StatisticsResult {
  store: 'postgres' | 'pglite';
  cases: number;
  ledgerEntries: number;
  seedSeconds: number;
  statistics: LatencySummary;
  report: LatencySummary;
  reportHtmlBytes: number;
  figures: { applications: number; decided: number; stages: number; openTasks: number };
}

const CITY = 'BP-A';
const YEAR = { from: '2026-01-01', to: '2026-12-31' };

export async function benchStatistics(env: BenchEnvironment, o: StatisticsOptions): Promise<StatisticsResult> {
  const store = await openStore(env);
  try {
    const logger = pino({ level: 'silent' });
    const doc = benchRegistry();
    await saveRegistry(store.db, doc, { sub: 'bench', source: 'bench/statistics.ts' });
    const registry = new Registry(doc);
    const records = createRecordSystem(store.db, logger, new RecordKeys(parsePayloadKeys(`bench:${randomBytes(32).toString('base64')}`)));
    const units = doc.bodies.filter((b) => b.kind === 'unit' && b.locality === CITY).map((b) => b.code);
    const categories = ['approval-reform', 'land-use', 'procurement', 'ecology', 'investment'];
    const random = prng(2026);
    const specs = Array.from({ length: o.cases }, (_, i) => {
      const openedAt = new Date(Date.parse('2026-01-01T01:00:00Z') + Math.floor(random() * 300 * 86_400_000)).toISOString();
      const { steps, tasks } = plausibleSteps(openedAt, random, { organization: `${CITY}-ZZB`, discipline: `${CITY}-JW` });
      return { caseId: `case-2026-ST${String(i).padStart(7, '0')}`, unitCode: units[i % units.length]!, category: categories[Math.floor(random() * categories.length)]!, localities: [CITY, 'BP'], steps, tasks };
    });
    const started = performance.now();
    let done = 0;
    await mapLimit(specs, 8, async (c) => {
      await seedCase(records, c);
      if (++done % 2000 === 0) console.log(`    seeded ${done} cases`);
    });
    const seedSeconds = (performance.now() - started) / 1000;
    const ledgerEntries = specs.reduce((n, c) => n + c.steps.length, 0);
    if (store.kind === 'postgres') await store.db.query('ANALYZE');

    const now = new Date('2026-12-01T02:00:00+08:00');
    const scope = { kind: 'locality' as const, code: CITY };
    for (let i = 0; i < 10; i++) await readStatistics(store.db, registry, scope, YEAR, now);
    const samples: number[] = [];
    let figures: StatisticsResult['figures'] | undefined;
    for (let i = 0; i < o.requests; i++) {
      const t = performance.now();
      const s = await readStatistics(store.db, registry, scope, YEAR, now);
      samples.push(performance.now() - t);
      figures ??= { applications: s.applications, decided: s.outcomes.decided, stages: s.stages.length, openTasks: s.tasks.open };
    }

    const policies = new PolicyRegistry([defaultPolicy]);
    const reportSamples: number[] = [];
    let bytes = 0;
    for (let i = 0; i < o.reports; i++) {
      const t = performance.now();
      const { html } = await buildReport(store.db, registry, policies, { reportId: `monthly-${CITY}-2026-11`, kind: 'monthly', locality: CITY, periodCode: '2026-11', asOf: now.toISOString() });
      reportSamples.push(performance.now() - t);
      bytes = Buffer.byteLength(html);
    }
    return {
      store: store.kind,
      cases: o.cases,
      ledgerEntries,
      seedSeconds: round(seedSeconds, 1),
      statistics: summarize(samples),
      report: summarize(reportSamples),
      reportHtmlBytes: bytes,
      figures: figures!,
    };
  } finally {
    await store.drop();
  }
}
