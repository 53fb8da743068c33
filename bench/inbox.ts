/**
 * The inbox and the case list from the read model: the record store is seeded with 1,000 and then
 * 10,000 open cases spread over the units of three cities, written by the case activity itself
 * (`recordEvents`, the function a reaction's record runs: ledger entry, register row and snapshot in
 * one transaction), without running their workflows. Then the real HTTP API (routes, auth, schemas)
 * on that store answers `GET /v1/tasks` and `GET /v1/cases` for a unit, a city organization
 * department and the province supervision, one request at a time; p50/p99 per size. On PostgreSQL the
 * store is a scratch schema of DATABASE_URL (dropped afterwards) and the plans of the two queries are
 * kept (EXPLAIN ANALYZE); otherwise a fresh embedded store in the scratch folder.
 */
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { createActivities } from '../activities';
import { createRecordSystem, migrate, openPglite, openPostgres, RecordKeys, scratchSchema, type Db } from '../activities/records';
import { inboxQuery, registerQueries } from '../activities/records/readModel';
import { readRegistry, saveRegistry } from '../activities/records/registry';
import type { RecordEventsInput } from '../activities/types';
import { buildApp } from '../api/app';
import type { CaseGateway } from '../api/gateway';
import { createReadModel } from '../api/read-model';
import { cachedRegistry } from '../api/registry';
import { signToken } from '../api/tokens';
import { parsePayloadKeys } from '../common/payload-keys';
import { WorkingDayCalendar } from '../domain/calendar';
import { applicationSchema, type Actor, type CaseState, type PendingTask, type Role, type Stage, type TaskKind } from '../domain/case';
import { taskLabels } from '../domain/labels';
import { defaultPolicy, PolicyRegistry } from '../domain/policies';
import { Registry, type RegistryDocument } from '../domain/registry';
import { CaseMachine } from '../workflows/case/machine';
import { registerOf, snapshotOf } from '../workflows/case/read-model';
import { sampleApplication } from '../test/support/applications';
import type { BenchEnvironment } from './lib/environment';
import { HttpCaller } from './lib/http';
import { closedLoop, mapLimit, round, type LatencySummary } from './lib/stats';
import { prng } from './lib/random';

export interface InboxOptions {
  /** Open cases in the store, ascending: each size adds cases to the previous one's. */
  sizes: number[];
  /** Timed requests per measure and size (after a warm-up). */
  requests: number;
}

export interface InboxMeasure {
  viewer: string;
  what: string;
  latency: LatencySummary;
  /** Items on the page (inbox) or cases matching (list). */
  items: number;
}

export interface InboxRun {
  cases: number;
  tasks: number;
  seedSeconds: number;
  casesPerSecond: number;
  measures: InboxMeasure[];
  /** The city organization department's whole inbox, walked page by page: every case once, in order. */
  walk: { viewer: string; pages: number; items: number; expected: number; ordered: boolean; seconds: number };
  /** EXPLAIN ANALYZE of the inbox and list statements (PostgreSQL only). */
  plans?: Record<string, string[]>;
}

export interface InboxResult {
  store: 'postgres' | 'pglite';
  runs: InboxRun[];
}

const CITIES = ['BP-A', 'BP-B', 'BP-C'];
const UNITS_PER_CITY = 10;
const unitCode = (city: string, i: number) => `${city}-U${String(i).padStart(2, '0')}`;

/** Three cities of one province, each with its bodies and ten units. */
export function benchRegistry(): RegistryDocument {
  const bodies: RegistryDocument['bodies'] = [];
  const kinds = [
    ['ZZB', 'organization', '组织部'],
    ['JW', 'discipline', '纪委监委'],
    ['SW', 'committee', '党委'],
    ['JD', 'supervision', '容错纠错监督组'],
  ] as const;
  for (const [suffix, kind, name] of kinds) bodies.push({ code: `BP-${suffix}`, name: `基准省${name}`, kind, locality: 'BP' });
  CITIES.forEach((city, c) => {
    for (const [suffix, kind, name] of kinds) bodies.push({ code: `${city}-${suffix}`, name: `基准${c + 1}市${name}`, kind, locality: city });
    for (let i = 1; i <= UNITS_PER_CITY; i++) bodies.push({ code: unitCode(city, i), name: `基准${c + 1}市第${i}单位`, kind: 'unit', locality: city });
  });
  return {
    localities: [{ code: 'BP', name: '基准省' }, ...CITIES.map((code, c) => ({ code, name: `基准${c + 1}市`, parent: 'BP' }))],
    bodies,
    cadres: [],
  };
}

const DAY = 86_400_000;

/** Where open cases wait, and how often: the tasks each stage has open, as the workflow opens them. */
const shapes: { stage: Stage; weight: number; tasks: (j: { organization?: string; discipline?: string; committee?: string }) => { kind: TaskKind; role: Role; body?: string | undefined; later?: boolean }[] }[] = [
  { stage: 'acceptance', weight: 25, tasks: (j) => [{ kind: 'acceptance', role: 'organization', body: j.organization }] },
  { stage: 'supplement', weight: 5, tasks: () => [{ kind: 'supplement', role: 'unit' }] },
  { stage: 'investigation', weight: 20, tasks: (j) => [{ kind: 'investigation', role: 'organization', body: j.organization }] },
  { stage: 'consultation', weight: 10, tasks: (j) => [{ kind: 'consultation', role: 'discipline', body: j.discipline }] },
  { stage: 'rulingProposal', weight: 5, tasks: (j) => [{ kind: 'rulingProposal', role: 'organization', body: j.organization }] },
  { stage: 'rulingReview', weight: 10, tasks: (j) => [{ kind: 'rulingReview', role: 'committee', body: j.committee }] },
  { stage: 'remediation', weight: 10, tasks: (j) => [{ kind: 'correctionPlan', role: 'organization', body: j.organization }] },
  { stage: 'remediation', weight: 5, tasks: () => [{ kind: 'measure', role: 'unit' }, { kind: 'measure', role: 'unit' }] },
  { stage: 'followUp', weight: 10, tasks: (j) => [{ kind: 'revisit', role: 'organization', body: j.organization, later: true }] },
];
const totalWeight = shapes.reduce((n, s) => n + s.weight, 0);

/** The state of open case number `n`, waiting where its shape says, its deadlines spread over a year around `now`. */
function benchCase(n: number, registry: Registry, now: number, rand: () => number): CaseState {
  const city = CITIES[n % CITIES.length]!;
  const unit = unitCode(city, 1 + Math.floor(rand() * UNITS_PER_CITY));
  const application = applicationSchema.parse({ ...sampleApplication(), unitCode: unit });
  const openedAt = new Date(now - Math.floor(rand() * 200 * DAY)).toISOString();
  const jurisdiction = registry.jurisdictionOf(unit)!;
  const { state } = CaseMachine.initial(
    { caseId: `case-2026-B${String(n).padStart(9, '0')}`, origin: 'application', application, openedBy: { sub: 'bench', role: 'unit', unit }, policy: defaultPolicy, calendar: WorkingDayCalendar.default().snapshot(2026, 2027), jurisdiction },
    openedAt,
  );
  let r = rand() * totalWeight;
  const shape = shapes.find((s) => (r -= s.weight) < 0) ?? shapes[0]!;
  state.stage = shape.stage;
  state.rulingBody = jurisdiction.bodies.organization;
  state.tasks = shape.tasks(jurisdiction.bodies).map((t, i): PendingTask => {
    // a revisit opens months ahead, most of them after today
    const opensAt = t.later ? new Date(now + Math.floor((rand() - 0.3) * 180 * DAY)).toISOString() : openedAt;
    const dueAt = new Date(Math.max(Date.parse(opensAt), now - 30 * DAY) + Math.floor(rand() * 300 * DAY)).toISOString();
    return {
      id: `${t.kind}-${i + 1}`,
      kind: t.kind,
      label: taskLabels[t.kind],
      role: t.role,
      ...(t.body ? { body: t.body } : {}),
      opensAt,
      dueAt,
      basis: { kind: 'wait', from: opensAt, duration: { amount: 10, unit: 'workingDays' } },
      reminders: [],
      remindersSent: 0,
      escalations: 0,
      overdue: Date.parse(dueAt) < now,
      provisional: false,
      status: 'open',
    };
  });
  return state;
}

/** A store of its own for the run: a scratch schema of the PostgreSQL server, or an embedded store. */
export async function openStore(env: BenchEnvironment): Promise<{ db: Db; kind: 'postgres' | 'pglite'; drop(): Promise<void> }> {
  const url = env.config.databaseUrl;
  if (!url) {
    const db = await openPglite(path.join(env.scratch, 'inbox-records'));
    await migrate(db);
    return { db, kind: 'pglite', drop: () => db.close() };
  }
  const scratch = await scratchSchema(url, 'bench_inbox');
  const db = openPostgres(scratch.url);
  await migrate(db);
  return {
    db,
    kind: 'postgres',
    drop: async () => {
      await db.close();
      await scratch.drop();
    },
  };
}

const refuse = () => Promise.reject(new Error('the inbox benchmark reads listings only'));
const noGateway: CaseGateway = { start: refuse, get: refuse, act: refuse };

export async function benchInbox(env: BenchEnvironment, o: InboxOptions): Promise<InboxResult> {
  const store = await openStore(env);
  const logger = pino({ level: 'silent' });
  const doc = benchRegistry();
  await saveRegistry(store.db, doc, { sub: 'bench', source: 'bench/inbox.ts' });
  const registry = new Registry(doc);
  const records = createRecordSystem(store.db, logger, new RecordKeys(parsePayloadKeys(`bench:${randomBytes(32).toString('base64')}`)));
  const activities = createActivities({ records, notifier: { notify: async () => undefined } });

  const app: FastifyInstance = await buildApp({
    config: env.config,
    logger,
    cases: noGateway,
    readModel: createReadModel(store.db),
    registry: cachedRegistry(() => readRegistry(store.db)),
    policies: PolicyRegistry.load(env.config.policyDir || undefined),
    readiness: {},
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const caller = new HttpCaller(new URL(`http://127.0.0.1:${(app.server.address() as AddressInfo).port}`));

  const viewers: { name: string; actor: Actor }[] = [
    { name: 'unit BP-A-U01', actor: { sub: 'bench-unit', role: 'unit', unit: 'BP-A-U01' } },
    { name: 'city organization department BP-A-ZZB', actor: { sub: 'bench-org', role: 'organization', unit: 'BP-A-ZZB' } },
    { name: 'province supervision BP-JD', actor: { sub: 'bench-sup', role: 'supervisor', unit: 'BP-JD' } },
  ];
  const tokens = new Map(await Promise.all(viewers.map(async (v) => [v.name, await signToken(env.config, v.actor, '12h')] as const)));
  const now = Date.now();
  const rand = prng(2026);
  const runs: InboxRun[] = [];
  let seeded = 0;
  let tasks = 0;
  try {
    for (const size of o.sizes) {
      // ---- seed: the cases this size adds, each by the record activity ----
      const t0 = performance.now();
      const numbers = Array.from({ length: size - seeded }, (_, i) => seeded + i + 1);
      await mapLimit(numbers, 8, async (n) => {
        const s = benchCase(n, registry, now, rand);
        tasks += s.tasks.length;
        const input: RecordEventsInput = {
          caseId: s.caseId,
          events: [{ seq: 0, entry: { at: s.openedAt, event: 'opened', detail: { origin: s.origin, unitCode: s.unitCode, category: s.category } } }],
          register: registerOf(s),
          snapshot: snapshotOf(s, 0, new Date(now).toISOString()),
        };
        await activities.recordEvents(input);
      });
      const seedSeconds = (performance.now() - t0) / 1000;
      seeded = size;
      if (store.kind === 'postgres') await store.db.query('ANALYZE');
      console.log(`  inbox ${size}: seeded ${numbers.length} cases in ${round(seedSeconds, 1)} s (${round(numbers.length / seedSeconds, 0)}/s), ${tasks} open tasks in all`);

      // ---- measure: each viewer, each listing, one request at a time ----
      const measures: InboxMeasure[] = [];
      for (const v of viewers) {
        const token = tokens.get(v.name)!;
        const first = await caller.expect<{ items: unknown[]; nextCursor?: string }>(200, 'GET', '/v1/tasks?limit=50', token);
        const paths: [string, string, (body: { items: unknown[]; total?: number }) => number][] = [
          ['GET /v1/tasks?limit=50 (first page)', '/v1/tasks?limit=50', (b) => b.items.length],
          ...(first.nextCursor ? [['GET /v1/tasks?limit=50 (next page, by cursor)', `/v1/tasks?limit=50&cursor=${first.nextCursor}`, (b: { items: unknown[] }) => b.items.length] as [string, string, (b: { items: unknown[] }) => number]] : []),
          ['GET /v1/cases?limit=20 (with total)', '/v1/cases?limit=20', (b) => b.total ?? -1],
          ['GET /v1/cases?stage=investigation&limit=20', '/v1/cases?stage=investigation&limit=20', (b) => b.total ?? -1],
        ];
        for (const [what, url, count] of paths) {
          const body = await caller.expect<{ items: unknown[]; total?: number }>(200, 'GET', url, token);
          await closedLoop(Math.min(30, o.requests), 1, () => caller.expect(200, 'GET', url, token));
          const timed = await closedLoop(o.requests, 1, () => caller.expect(200, 'GET', url, token));
          if (timed.errors) throw new Error(`${what} for ${v.name}: ${timed.errorSamples[0]}`);
          measures.push({ viewer: v.name, what, latency: timed.latency, items: count(body) });
          console.log(`  inbox ${size}: ${v.name} · ${what}: p50 ${timed.latency.p50} · p99 ${timed.latency.p99} ms (${count(body)})`);
        }
      }

      // ---- completeness: the city organization department's whole inbox, page by page ----
      const org = viewers[1]!;
      const w0 = performance.now();
      let cursor: string | undefined;
      let pages = 0;
      const seen: string[] = [];
      let ordered = true;
      let last = '';
      do {
        const page: { items: { caseId: string; nextDueAt: string }[]; nextCursor?: string } = await caller.expect(200, 'GET', `/v1/tasks?limit=200${cursor ? `&cursor=${cursor}` : ''}`, tokens.get(org.name)!);
        for (const item of page.items) {
          const key = `${item.nextDueAt} ${item.caseId}`;
          if (key <= last) ordered = false;
          last = key;
          seen.push(item.caseId);
        }
        cursor = page.nextCursor;
        pages++;
      } while (cursor);
      const expected = (
        await store.db.query<{ n: number }>(
          `SELECT count(DISTINCT case_id)::int AS n FROM case_tasks WHERE role = 'organization' AND body = 'BP-A-ZZB' AND opens_at <= $1`,
          [new Date().toISOString()],
        )
      ).rows[0]!.n;
      const walk = { viewer: org.name, pages, items: seen.length, expected, ordered: ordered && new Set(seen).size === seen.length, seconds: round((performance.now() - w0) / 1000, 2) };
      console.log(`  inbox ${size}: ${org.name} walked its whole inbox: ${walk.items} cases (expected ${expected}) in ${pages} pages, ${walk.ordered ? 'ordered, each once' : 'OUT OF ORDER or repeated'}, ${walk.seconds} s`);

      // ---- the plans (PostgreSQL) ----
      let plans: Record<string, string[]> | undefined;
      if (store.kind === 'postgres') {
        const explain = async (sql: string, params: unknown[]) =>
          (await store.db.query<{ 'QUERY PLAN': string }>(`EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY ON) ${sql}`, params)).rows.map((r) => r['QUERY PLAN']);
        const orgViewer = { role: 'organization' as const, sub: 'bench-org', unit: 'BP-A-ZZB', locality: 'BP-A' };
        const supViewer = { role: 'supervisor' as const, sub: 'bench-sup', unit: 'BP-JD', locality: 'BP' };
        const unitViewer = { role: 'unit' as const, sub: 'bench-unit', unit: 'BP-A-U01', locality: 'BP-A' };
        const q = inboxQuery(orgViewer, new Date(), 50);
        const l = registerQueries(supViewer, {}, 20);
        const u = inboxQuery(unitViewer, new Date(), 50);
        plans = {
          'inbox, city organization department': await explain(q.sql, q.params),
          'inbox, unit': await explain(u.sql, u.params),
          'case list, province supervision': await explain(l.page.sql, l.page.params),
          'case count, province supervision': await explain(l.count.sql, l.count.params),
        };
      }
      runs.push({ cases: size, tasks, seedSeconds: round(seedSeconds, 2), casesPerSecond: round(numbers.length / seedSeconds, 0), measures, walk, ...(plans ? { plans } : {}) });
    }
    return { store: store.kind, runs };
  } finally {
    caller.close();
    await app.close();
    await store.drop();
  }
}

/** p99 at the largest size over p99 at the smallest, per measure: about 1 is flat. */
export function inboxGrowth(result: InboxResult): { viewer: string; what: string; ratio: number }[] {
  const first = result.runs[0];
  const last = result.runs.at(-1);
  if (!first || !last || first === last) return [];
  return last.measures.flatMap((m) => {
    const base = first.measures.find((x) => x.viewer === m.viewer && x.what === m.what);
    return base ? [{ viewer: m.viewer, what: m.what, ratio: round(m.latency.p99 / base.latency.p99, 2) }] : [];
  });
}
