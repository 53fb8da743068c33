/**
 * Statistics in the record system: what of each counted ledger entry is kept beside it (`case_facts`,
 * `case_stage_spans`, written in the entry's transaction), the figures of a locality or a unit over a
 * period, read in a few grouped queries, and the periodic reports kept once each (`reports`).
 * Nothing personal is read or kept: codes, instants, counts, case numbers.
 */
import { bodyKindOfRole, type Registry } from '../../domain/registry';
import type { Role } from '../../domain/case';
import { factOf, outcomeCounts, periodInstants, statisticsLabels, type Period, type Statistics, type UnitFigures } from '../../domain/statistics';
import type { RecordEventInput } from '../types';
import type { Db, Queryable } from './db';
import { InvalidRecordInput } from './errors';
import { canonicalJson, sha256Hex } from './ledger';

// ---- Written with each ledger entry ----

/**
 * The statistics' facts of a reaction's new entries (in the transaction that writes them), and the
 * case's stay in its stage: the register is the reaction's, the same for each of its entries, so the
 * stay changes at most once, at the first of them.
 */
export async function recordStatistics(tx: Queryable, entries: readonly { input: RecordEventInput; at: string }[]): Promise<void> {
  const facts = entries.flatMap(({ input, at }) => {
    const fact = factOf(input.entry, input.register);
    return fact ? [[input.caseId, input.seq, at, fact.event, input.register.unitCode, input.register.category, fact.codes]] : [];
  });
  const first = entries[0];
  if (!first) return;
  const { input, at } = first;
  const r = input.register;
  // In one statement: the facts go in; a case still in the one stage it stays in keeps its span;
  // otherwise its open spans end now and, unless it closed, a span of the new stage begins (the end
  // is done first).
  const span = [input.caseId, input.seq, r.stage, r.unitCode, at];
  const rows = facts.map((_, i) => {
    const n = span.length + i * 7;
    return `($${n + 1}, $${n + 2}, $${n + 3}, $${n + 4}, $${n + 5}, $${n + 6}, $${n + 7}::text[])`;
  });
  await tx.query(
    `WITH ${rows.length ? `facts AS (INSERT INTO case_facts (case_id, seq, at, event, unit_code, category, codes) VALUES ${rows.join(', ')} ON CONFLICT (case_id, seq) DO NOTHING),` : ''}
          open AS (SELECT stage FROM case_stage_spans WHERE case_id = $1 AND left_at IS NULL),
          stays AS (SELECT count(*) = 1 AND bool_and(stage = $3) AS same FROM open),
          ended AS (UPDATE case_stage_spans SET left_at = $5 WHERE case_id = $1 AND left_at IS NULL AND NOT (SELECT same FROM stays) RETURNING 1)
     INSERT INTO case_stage_spans (case_id, seq, stage, unit_code, entered_at)
     SELECT $1, $2, $3, $4, $5 WHERE $3 <> 'closed' AND NOT (SELECT same FROM stays) AND (SELECT count(*) FROM ended) >= 0
     ON CONFLICT (case_id, seq) DO NOTHING`,
    [...span, ...facts.flat()],
  );
}

// ---- Reading the figures ----

/** Whose figures: a locality (with those below it) or one unit. */
export type StatisticsScope = { kind: 'locality'; code: string } | { kind: 'unit'; code: string };

class Params {
  readonly values: unknown[] = [];
  add(value: unknown): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }
}

/**
 * The units of a scope: the unit, or every unit of the registry in the locality or below it. A case
 * belongs to its unit's locality, so the facts and stays of a scope are those of its units: found by
 * unit code on their own rows, with no join.
 */
function unitsOf(scope: StatisticsScope, registry: Registry): string[] {
  if (scope.kind === 'unit') return [scope.code];
  return registry.document.bodies.filter((b) => b.kind === 'unit' && registry.path(b.locality).includes(scope.code)).map((b) => b.code);
}

/**
 * The cases of a scope, on alias `c`: a unit's by its code; a locality's by the path the case pinned
 * (the read model's `localities`), or, for a case recorded before it had one, by its unit's locality.
 */
function scopeClause(scope: StatisticsScope, registry: Registry, p: Params): string {
  if (scope.kind === 'unit') return `c.unit_code = ${p.add(scope.code)}`;
  const units = registry.document.bodies.filter((b) => b.kind === 'unit' && registry.path(b.locality).includes(scope.code)).map((b) => b.code);
  return `(${p.add(scope.code)}::text = ANY(c.localities) OR (cardinality(c.localities) = 0 AND c.unit_code = ANY(${p.add(units)}::text[])))`;
}

interface FactRow {
  event: string;
  unit_code: string;
  category: string;
  codes: string[] | string;
  n: number;
  cases: string[] | string | null;
}

/** PGlite and pg both give text[] as arrays; a jsonb-free fallback parses `{a,b}`. */
const arr = (v: string[] | string | null): string[] => (v === null ? [] : Array.isArray(v) ? v : v.replace(/^\{|\}$/g, '').split(',').filter(Boolean));

const tenth = (seconds: number | null | undefined): number | undefined => (seconds === null || seconds === undefined ? undefined : Math.round((seconds / 86_400) * 10) / 10);

/** The figures of `scope` over `period` (Beijing dates), tasks as of `now`; names from `registry`. */
export async function readStatistics(db: Queryable & Partial<Pick<Db, 'transaction'>>, registry: Registry, scope: StatisticsScope, period: Period, now: Date): Promise<Statistics> {
  const { from, until } = periodInstants(period);
  const scoped = () => {
    const p = new Params();
    const where = scopeClause(scope, registry, p);
    return { p, where };
  };

  const units = unitsOf(scope, registry);
  // Each grouped read in a transaction of its own, with room to hash and sort a year in memory.
  const roomy = <T>(sql: string, params: unknown[]): Promise<{ rows: T[] }> =>
    db.transaction
      ? db.transaction(async (tx) => {
          await tx.query("SET LOCAL work_mem = '64MB'");
          return tx.query<T>(sql, params);
        })
      : db.query<T>(sql, params);
  const window = [from.toISOString(), until.toISOString()];

  const facts = roomy<FactRow>(
    `SELECT f.event, f.unit_code, f.category, f.codes, count(*)::int AS n,
            array_agg(f.case_id) FILTER (WHERE f.event IN ('opened', 'rulingFinal', 'consultationGiven', 'abuseSignal')) AS cases
     FROM case_facts f
     WHERE f.unit_code = ANY($1::text[]) AND f.at >= $2::timestamptz AND f.at < $3::timestamptz
     GROUP BY f.event, f.unit_code, f.category, f.codes`,
    [units, ...window],
  );

  const spans = roomy<{ stage: string; n: number; q: (number | string)[] | string | null }>(
    `SELECT s.stage, count(*)::int AS n,
            percentile_cont(ARRAY[0.5, 0.9]) WITHIN GROUP (ORDER BY extract(epoch FROM s.left_at - s.entered_at)) AS q
     FROM case_stage_spans s
     WHERE s.unit_code = ANY($1::text[]) AND s.left_at >= $2::timestamptz AND s.left_at < $3::timestamptz
     GROUP BY s.stage`,
    [units, ...window],
  );

  const tasks = (() => {
    const { p, where } = scoped();
    const at = p.add(now.toISOString());
    const sql = `
      SELECT t.body, t.role, CASE WHEN t.role = 'unit' THEN t.unit_code END AS unit_code, c.localities[1] AS locality, u.locality_code AS unit_locality,
             count(*)::int AS open, count(*) FILTER (WHERE t.overdue OR t.due_at < ${at}::timestamptz)::int AS overdue
      FROM case_tasks t JOIN cases c ON c.case_id = t.case_id LEFT JOIN bodies u ON u.code = c.unit_code
      WHERE ${where} AND t.opens_at <= ${at}::timestamptz
      GROUP BY 1, 2, 3, 4, 5`;
    return db.query<{ body: string | null; role: Role; unit_code: string | null; locality: string | null; unit_locality: string | null; open: number; overdue: number }>(sql, p.values);
  })();

  // the decision-effect trackings recorded (or lapsed) in the period, of the scope's cases
  const effects = (() => {
    const { p, where } = scoped();
    const [f, u] = [p.add(window[0]), p.add(window[1])];
    const done = `e.status = 'done' AND e.recorded_at >= ${f}::timestamptz AND e.recorded_at < ${u}::timestamptz`;
    const sql = `
      SELECT count(*) FILTER (WHERE ${done})::int AS recorded,
             count(*) FILTER (WHERE ${done} AND e.reform_decision = 'sustained')::int AS sustained,
             count(*) FILTER (WHERE ${done} AND e.reform_decision = 'reversed')::int AS reversed,
             count(*) FILTER (WHERE e.status = 'lapsed' AND e.due_at >= ${f}::timestamptz AND e.due_at < ${u}::timestamptz)::int AS lapsed,
             COALESCE(sum(e.recovered_since_ruling) FILTER (WHERE ${done}), 0)::float8 AS recovered
      FROM effect_trackings e JOIN cases c ON c.case_id = e.case_id
      WHERE ${where}`;
    return db.query<{ recorded: number; sustained: number; reversed: number; lapsed: number; recovered: number }>(sql, p.values);
  })();

  const [factRows, spanRows, taskRows, effectRows] = await Promise.all([facts, spans, tasks, effects]);
  const e = effectRows.rows[0];
  const effectTracking = { recorded: e?.recorded ?? 0, sustained: e?.sustained ?? 0, reversed: e?.reversed ?? 0, lapsed: e?.lapsed ?? 0, lossRecovered: Number(e?.recovered ?? 0) };
  return { ...assemble(registry, scope, period, now, factRows.rows, spanRows.rows, taskRows.rows), effectTracking };
}

function assemble(
  registry: Registry,
  scope: StatisticsScope,
  period: Period,
  now: Date,
  facts: FactRow[],
  spans: { stage: string; n: number; q: (number | string)[] | string | null }[],
  tasks: { body: string | null; role: Role; unit_code: string | null; locality: string | null; unit_locality: string | null; open: number; overdue: number }[],
): Omit<Statistics, 'effectTracking'> {
  const total = (event: string) => facts.filter((f) => f.event === event).reduce((n, f) => n + f.n, 0);
  const tally = (event: string) => {
    const out = new Map<string, { count: number; cases: Set<string> }>();
    for (const f of facts.filter((x) => x.event === event)) {
      for (const code of new Set(arr(f.codes))) {
        const e = out.get(code) ?? { count: 0, cases: new Set<string>() };
        e.count += f.n;
        for (const c of arr(f.cases)) e.cases.add(c);
        out.set(code, e);
      }
    }
    return out;
  };
  const sorted = <T extends { count: number }>(xs: (T & { key: string })[]) => xs.sort((a, b) => b.count - a.count || a.key.localeCompare(b.key));

  const finals = tally('rulingFinal');
  const n = (m: Map<string, { count: number }>, k: string) => m.get(k)?.count ?? 0;
  const consult = tally('consultationGiven');
  const overturned = total('rulingOverturned');
  const upheld = total('rulingUpheld');

  // Units: applications by category, final rulings by outcome, the tolerated cases.
  const units = new Map<string, { applications: number; exempt: number; mitigate: number; deny: number; tolerated: Set<string>; categories: Map<string, { count: number; cases: Set<string> }> }>();
  const unitOf = (code: string) => {
    let u = units.get(code);
    if (!u) units.set(code, (u = { applications: 0, exempt: 0, mitigate: 0, deny: 0, tolerated: new Set(), categories: new Map() }));
    return u;
  };
  for (const f of facts) {
    if (f.event === 'opened') {
      const u = unitOf(f.unit_code);
      u.applications += f.n;
      const c = u.categories.get(f.category) ?? { count: 0, cases: new Set<string>() };
      c.count += f.n;
      for (const id of arr(f.cases)) c.cases.add(id);
      u.categories.set(f.category, c);
    } else if (f.event === 'rulingFinal') {
      const u = unitOf(f.unit_code);
      const outcome = arr(f.codes)[0];
      if (outcome === 'exempt' || outcome === 'mitigate' || outcome === 'deny') u[outcome] += f.n;
      if (outcome === 'exempt' || outcome === 'mitigate') for (const id of arr(f.cases)) u.tolerated.add(id);
    }
  }
  const unitFigures: UnitFigures[] = [...units.entries()]
    .map(([code, u]) => ({
      unit: code,
      name: registry.body(code)?.name ?? code,
      applications: u.applications,
      outcomes: outcomeCounts(u.exempt, u.mitigate, u.deny),
      toleratedCases: [...u.tolerated].sort(),
      categories: [...u.categories.entries()]
        .map(([category, c]) => ({ category, label: statisticsLabels.category(category), count: c.count, cases: [...c.cases].sort() }))
        .sort((a, b) => b.count - a.count || a.category.localeCompare(b.category)),
    }))
    .sort((a, b) => a.unit.localeCompare(b.unit));

  // Open tasks by the body that must act: the one the task names, else the case's unit (a unit's
  // task), else the body of the task's role serving the case's locality.
  const byBody = new Map<string, { body: string; name: string; role: string; open: number; overdue: number }>();
  for (const t of tasks) {
    const locality = t.locality ?? t.unit_locality ?? undefined;
    const body =
      t.body ??
      (t.role === 'unit' ? (t.unit_code ?? undefined) : t.role === 'expert' || t.role === 'admin' || !locality ? undefined : registry.bodyFor(bodyKindOfRole[t.role], locality)?.code);
    const key = `${body ?? `role:${t.role}`}`;
    const e = byBody.get(key) ?? { body: body ?? t.role, name: body ? (registry.body(body)?.name ?? body) : `${statisticsLabels.role(t.role)}`, role: t.role, open: 0, overdue: 0 };
    e.open += t.open;
    e.overdue += t.overdue;
    byBody.set(key, e);
  }

  const rules = tally('screened');
  const escalations = tally('escalated');
  const signals = tally('abuseSignal');
  const scopeName = scope.kind === 'unit' ? (registry.body(scope.code)?.name ?? scope.code) : (registry.locality(scope.code)?.name ?? scope.code);
  const localities = scope.kind === 'unit' ? [] : registry.document.localities.filter((l) => registry.path(l.code).includes(scope.code)).map((l) => l.code);
  const stageOrder = Object.keys(statisticsStageOrder);

  return {
    scope: { kind: scope.kind, code: scope.code, name: scopeName, localities },
    period: { from: period.from, to: period.to },
    asOf: now.toISOString(),
    applications: total('opened'),
    acceptances: total('accepted'),
    refusals: total('refused'),
    supplementRequests: total('supplementRequested'),
    withdrawals: total('withdrawn'),
    exclusions: {
      screenings: facts.filter((f) => f.event === 'screened' && arr(f.codes).length > 0).reduce((s, f) => s + f.n, 0),
      byRule: sorted([...rules.entries()].map(([rule, e]) => ({ key: rule, rule, count: e.count }))).map(({ rule, count }) => ({ rule, count })),
      confirmed: total('exclusionConfirmed'),
      overridden: total('exclusionOverridden'),
      lapsed: total('exclusionLapsed'),
    },
    outcomes: outcomeCounts(n(finals, 'exempt'), n(finals, 'mitigate'), n(finals, 'deny')),
    appeals: {
      filed: total('appealFiled'),
      upheld,
      overturned,
      ...(upheld + overturned > 0 ? { overturnRate: overturned / (upheld + overturned) } : {}),
    },
    consultations: { given: total('consultationGiven'), objections: n(consult, 'object'), objectionCases: [...(consult.get('object')?.cases ?? [])].sort(), lapsed: total('consultationLapsed') },
    handOffs: { handed: total('handedOff'), outcomesRecorded: total('handOffOutcomeRecorded') },
    stages: spans
      .map((s) => {
        const q = s.q === null ? [] : Array.isArray(s.q) ? s.q.map(Number) : s.q.replace(/^\{|\}$/g, '').split(',').map(Number);
        const median = tenth(q[0]);
        const p90 = tenth(q[1]);
        return { stage: s.stage, label: statisticsLabels.stage(s.stage), completed: s.n, ...(median !== undefined ? { medianDays: median } : {}), ...(p90 !== undefined ? { p90Days: p90 } : {}) };
      })
      .sort((a, b) => stageIndex(stageOrder, a.stage) - stageIndex(stageOrder, b.stage)),
    tasks: {
      open: tasks.reduce((s, t) => s + t.open, 0),
      overdue: tasks.reduce((s, t) => s + t.overdue, 0),
      byBody: [...byBody.values()].sort((a, b) => b.overdue - a.overdue || b.open - a.open || a.body.localeCompare(b.body)),
    },
    escalations: {
      total: total('escalated'),
      byTask: sorted(
        [...escalations.entries()]
          .filter(([code]) => !(code in roleSet))
          .map(([task, e]) => ({ key: task, task, label: statisticsLabels.task(task), count: e.count })),
      ).map(({ task, label, count }) => ({ task, label, count })),
    },
    abuseSignals: {
      total: total('abuseSignal'),
      bySignal: sorted([...signals.entries()].map(([signal, e]) => ({ key: signal, signal, count: e.count, cases: [...e.cases].sort() }))).map(({ signal, count, cases }) => ({ signal, count, cases })),
    },
    units: unitFigures,
  };
}

/** The roles, which an escalation's codes carry beside its task. */
const roleSet: Record<string, true> = { unit: true, organization: true, discipline: true, expert: true, committee: true, supervisor: true, admin: true };
/** The lifecycle's order of stages, for showing them. */
const statisticsStageOrder: Record<string, true> = Object.fromEntries(
  ['acceptance', 'supplement', 'exclusionReview', 'investigation', 'expertReview', 'consultation', 'rulingProposal', 'rulingReview', 'appeal', 'reconsideration', 'handOff', 'remediation', 'followUp'].map((s) => [s, true]),
);
const stageIndex = (order: string[], stage: string) => (order.includes(stage) ? order.indexOf(stage) : order.length);

/** Final rulings by month (Beijing calendar) over `period`: the series of the reports' outcome chart. */
export async function readOutcomeSeries(db: Queryable, registry: Registry, scope: StatisticsScope, period: Period): Promise<{ month: string; exempt: number; mitigate: number; deny: number }[]> {
  const { from, until } = periodInstants(period);
  const p = new Params();
  const where = scopeClause(scope, registry, p);
  const { rows } = await db.query<{ month: string; outcome: string; n: number }>(
    `WITH scope AS MATERIALIZED (SELECT c.case_id FROM cases c WHERE ${where})
     SELECT to_char(f.at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM') AS month, f.codes[1] AS outcome, count(*)::int AS n
     FROM case_facts f JOIN scope ON scope.case_id = f.case_id
     WHERE f.event = 'rulingFinal' AND f.at >= ${p.add(from.toISOString())}::timestamptz AND f.at < ${p.add(until.toISOString())}::timestamptz
     GROUP BY 1, 2`,
    p.values,
  );
  const months = new Map<string, { month: string; exempt: number; mitigate: number; deny: number }>();
  for (const r of rows) {
    const m = months.get(r.month) ?? { month: r.month, exempt: 0, mitigate: 0, deny: 0 };
    if (r.outcome === 'exempt' || r.outcome === 'mitigate' || r.outcome === 'deny') m[r.outcome] += r.n;
    months.set(r.month, m);
  }
  return [...months.values()].sort((a, b) => a.month.localeCompare(b.month));
}

/** Cases of a scope handed to discipline inspection whose outcome discipline has not recorded, oldest first. */
export async function readAwaitingHandOffs(db: Queryable, registry: Registry, scope: StatisticsScope, before: Date): Promise<{ caseId: string; unitCode: string; reason: string; handedAt: string }[]> {
  const p = new Params();
  const where = scopeClause(scope, registry, p);
  const { rows } = await db.query<{ case_id: string; unit_code: string; reason: string; handed_at: Date | string }>(
    `SELECT h.case_id, c.unit_code, h.reason, h.handed_at FROM hand_offs h JOIN cases c ON c.case_id = h.case_id
     WHERE h.status = 'awaiting' AND h.handed_at < ${p.add(before.toISOString())}::timestamptz AND ${where}
     ORDER BY h.handed_at, h.case_id`,
    p.values,
  );
  return rows.map((r) => ({ caseId: r.case_id, unitCode: r.unit_code, reason: r.reason, handedAt: new Date(r.handed_at).toISOString() }));
}

/** Open cases of a scope with a task past its deadline: case, unit, task kinds and the earliest due instant. */
export async function readOverdueCases(db: Queryable, registry: Registry, scope: StatisticsScope, now: Date): Promise<{ caseId: string; unitCode: string; stage: string; tasks: string[]; dueAt: string }[]> {
  const p = new Params();
  const where = scopeClause(scope, registry, p);
  const at = p.add(now.toISOString());
  const { rows } = await db.query<{ case_id: string; unit_code: string; stage: string; kinds: string[] | string; due_at: Date | string }>(
    `SELECT t.case_id, c.unit_code, c.stage, array_agg(DISTINCT t.kind) AS kinds, min(t.due_at) AS due_at
     FROM case_tasks t JOIN cases c ON c.case_id = t.case_id
     WHERE ${where} AND t.opens_at <= ${at}::timestamptz AND (t.overdue OR t.due_at < ${at}::timestamptz)
     GROUP BY t.case_id, c.unit_code, c.stage ORDER BY min(t.due_at), t.case_id`,
    p.values,
  );
  return rows.map((r) => ({ caseId: r.case_id, unitCode: r.unit_code, stage: r.stage, tasks: arr(r.kinds), dueAt: new Date(r.due_at).toISOString() }));
}

// ---- Reports ----

export interface StoredReport {
  reportId: string;
  kind: 'monthly' | 'quarterly';
  locality: string;
  /** The locality and those above it: who oversees the report. */
  localities: string[];
  period: Period;
  generatedAt: string;
  content: unknown;
  html: string;
}

export interface ReportListing {
  reportId: string;
  kind: 'monthly' | 'quarterly';
  locality: string;
  period: Period;
  generatedAt: string;
  recordedAt: string;
  digest: string;
}

/**
 * Keeps a report once: the first one recorded for its id stands. Returns `recorded` for a new one,
 * `duplicate` when one is already kept for the id (whatever it says: a report is kept as issued).
 */
export async function storeReport(db: Queryable, report: StoredReport): Promise<{ outcome: 'recorded' | 'duplicate'; digest: string }> {
  if (!/^(monthly|quarterly)-[A-Z0-9-]+-\d{4}-(\d{2}|Q[1-4])$/.test(report.reportId)) throw new InvalidRecordInput(`report id ${JSON.stringify(report.reportId)} is not <kind>-<locality>-<period>`);
  const digest = sha256Hex(canonicalJson({ content: report.content, html: report.html }));
  const { rows } = await db.query<{ report_id: string }>(
    `INSERT INTO reports (report_id, kind, locality, localities, period_from, period_to, generated_at, content, html, digest)
     VALUES ($1, $2, $3, $4::text[], $5, $6, $7, $8::jsonb, $9, $10) ON CONFLICT (report_id) DO NOTHING RETURNING report_id`,
    [report.reportId, report.kind, report.locality, report.localities, report.period.from, report.period.to, report.generatedAt, canonicalJson(report.content), report.html, digest],
  );
  if (rows.length) return { outcome: 'recorded', digest };
  const kept = (await db.query<{ digest: string }>('SELECT digest FROM reports WHERE report_id = $1', [report.reportId])).rows[0];
  return { outcome: 'duplicate', digest: kept?.digest ?? digest };
}

const listingOf = (r: { report_id: string; kind: 'monthly' | 'quarterly'; locality: string; period_from: string; period_to: string; generated_at: Date | string; recorded_at: Date | string; digest: string }): ReportListing => ({
  reportId: r.report_id,
  kind: r.kind,
  locality: r.locality,
  period: { from: String(r.period_from).slice(0, 10), to: String(r.period_to).slice(0, 10) },
  generatedAt: new Date(r.generated_at).toISOString(),
  recordedAt: new Date(r.recorded_at).toISOString(),
  digest: r.digest,
});

/** The reports of the localities `locality` oversees (it and those below it), newest period first. */
export async function listReports(db: Queryable, locality: string, filter: { kind?: 'monthly' | 'quarterly' | undefined; limit: number }): Promise<ReportListing[]> {
  const { rows } = await db.query<Parameters<typeof listingOf>[0]>(
    `SELECT report_id, kind, locality, period_from::text, period_to::text, generated_at, recorded_at, digest FROM reports
     WHERE $1::text = ANY(localities) AND ($2::text IS NULL OR kind = $2) ORDER BY period_from DESC, report_id LIMIT $3`,
    [locality, filter.kind ?? null, filter.limit],
  );
  return rows.map(listingOf);
}

/** One report with its content and HTML, when `locality` oversees it; undefined otherwise, as for an unknown id. */
export async function readReport(db: Queryable, locality: string, reportId: string): Promise<(ReportListing & { content: unknown; html: string }) | undefined> {
  const { rows } = await db.query<Parameters<typeof listingOf>[0] & { content: unknown; html: string }>(
    `SELECT report_id, kind, locality, period_from::text, period_to::text, generated_at, recorded_at, digest, content, html FROM reports
     WHERE report_id = $1 AND $2::text = ANY(localities)`,
    [reportId, locality],
  );
  const r = rows[0];
  if (!r) return undefined;
  return { ...listingOf(r), content: typeof r.content === 'string' ? (JSON.parse(r.content) as unknown) : r.content, html: r.html };
}

/** The unit of each of these cases, from the register. */
export async function readCaseUnits(db: Queryable, caseIds: readonly string[]): Promise<Map<string, string>> {
  if (caseIds.length === 0) return new Map();
  const { rows } = await db.query<{ case_id: string; unit_code: string }>('SELECT case_id, unit_code FROM cases WHERE case_id = ANY($1::text[])', [[...new Set(caseIds)]]);
  return new Map(rows.map((r) => [r.case_id, r.unit_code]));
}
