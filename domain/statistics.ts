/**
 * Statistics of casework (动态监管): for a locality (and the localities below it) or a unit, over a
 * period of Beijing calendar dates. The figures come from the record system — the ledger's timeline
 * entries (each counted once, on the Beijing date it happened) and the register — and nothing in
 * them is personal: codes, names of bodies, counts, case numbers.
 *
 * Pure: the schema of the figures (written once: the API's responses, the OpenAPI document, the
 * reports), which timeline entries count and what of them (`factOf`), the periods, the percentiles,
 * and the CSV form. No clock, no I/O.
 */
import { z } from 'zod';
import { stageLabels, taskLabels, roleLabels, outcomeLabels, categoryLabel } from './labels';

// ---- What of a timeline entry statistics keep ----

/**
 * The timeline events statistics count. Each entry of one of them leaves a fact in the record system:
 * its case, instant, event, unit, category and a few codes (`factOf`); every other entry none.
 */
export const countedEvents = [
  'opened',
  'accepted',
  'refused',
  'supplementRequested',
  'withdrawn',
  'screened',
  'exclusionReported',
  'exclusionConfirmed',
  'exclusionOverridden',
  'exclusionLapsed',
  'consultationGiven',
  'consultationLapsed',
  'rulingApproved',
  'rulingReturned',
  'appealFiled',
  'rulingUpheld',
  'rulingOverturned',
  'rulingFinal',
  'handedOff',
  'handOffOutcomeRecorded',
  'escalated',
  'abuseSignal',
  'closed',
] as const;
export type CountedEvent = (typeof countedEvents)[number];

/** A code as statistics keep it: a rule id, an outcome, a task kind, a signal name; never free text. */
const CODE = /^[A-Za-z][A-Za-z0-9_.:-]{0,63}$/;
const codesOf = (...values: unknown[]): string[] =>
  values.flatMap((v) => (Array.isArray(v) ? v : [v])).filter((v): v is string => typeof v === 'string' && CODE.test(v));

/**
 * What statistics keep of one timeline entry, or undefined when its event is not counted: the event
 * and its codes — the rules of a failed screening and of an exclusion, the final or approved outcome,
 * the outcomes an overturn went from and to, the consultation's opinion, the hand-off's reason, the
 * escalated task and the role it awaited, the abuse signal's name, the close reason. Only codes pass.
 */
export function factOf(entry: { event: string; detail?: Record<string, unknown> | undefined }, register: { outcome?: string | undefined }): { event: CountedEvent; codes: string[] } | undefined {
  if (!(countedEvents as readonly string[]).includes(entry.event)) return undefined;
  const event = entry.event as CountedEvent;
  const d = entry.detail ?? {};
  switch (event) {
    case 'screened':
      return { event, codes: d.passed === false ? codesOf(d.rules) : [] };
    case 'exclusionReported':
    case 'exclusionConfirmed':
    case 'exclusionOverridden':
    case 'exclusionLapsed':
      return { event, codes: codesOf(d.rules) };
    case 'rulingApproved':
    case 'rulingFinal':
      return { event, codes: codesOf(d.outcome ?? register.outcome) };
    case 'rulingOverturned':
      return { event, codes: codesOf(d.from, d.to) };
    case 'consultationGiven':
      return { event, codes: codesOf(d.opinion) };
    case 'handedOff':
      return { event, codes: codesOf(d.reason) };
    case 'escalated':
      return { event, codes: codesOf(d.task, d.awaiting) };
    case 'abuseSignal':
      return { event, codes: codesOf(d.signal) };
    case 'closed':
      return { event, codes: codesOf(d.reason) };
    default:
      return { event, codes: [] };
  }
}

// ---- Periods: Beijing calendar dates ----

const civilDate = z.iso.date();

/** A period of Beijing calendar dates, both included. */
export const periodSchema = z
  .object({ from: civilDate.describe('first day (Beijing calendar), YYYY-MM-DD'), to: civilDate.describe('last day, included') })
  .strict()
  .refine((p) => p.from <= p.to, { message: 'from must not be after to', path: ['to'] })
  .refine((p) => Date.parse(p.to) - Date.parse(p.from) <= 3660 * 86_400_000, { message: 'a period spans ten years at most', path: ['to'] });
export type Period = z.infer<typeof periodSchema>;

/** The instants a period covers: from 00:00 Beijing time of its first day to 00:00 of the day after its last (exclusive). */
export function periodInstants(p: Period): { from: Date; until: Date } {
  const from = new Date(`${p.from}T00:00:00+08:00`);
  const until = new Date(Date.parse(`${p.to}T00:00:00+08:00`) + 86_400_000);
  return { from, until };
}

/** The Beijing calendar date of an instant. */
export function beijingDate(instant: Date | string): string {
  return new Date(new Date(instant).getTime() + 8 * 3_600_000).toISOString().slice(0, 10);
}

const pad = (n: number) => String(n).padStart(2, '0');
const lastDay = (y: number, m: number) => new Date(Date.UTC(y, m, 0)).getUTCDate();

/** The calendar month `yyyy-mm` as a period. */
export function monthPeriod(month: string): Period {
  const [y, m] = month.split('-').map(Number) as [number, number];
  return { from: `${y}-${pad(m)}-01`, to: `${y}-${pad(m)}-${pad(lastDay(y, m))}` };
}

/** The quarter `yyyy-Qn` as a period. */
export function quarterPeriod(quarter: string): Period {
  const [y, q] = [Number(quarter.slice(0, 4)), Number(quarter.slice(6))];
  const first = (q - 1) * 3 + 1;
  return { from: `${y}-${pad(first)}-01`, to: `${y}-${pad(first + 2)}-${pad(lastDay(y, first + 2))}` };
}

/** The month before the one `instant` falls in (Beijing calendar), as `yyyy-mm`: what a report run at the start of a month covers. */
export function previousMonth(instant: Date | string): string {
  const [y, m] = beijingDate(instant).split('-').map(Number) as [number, number];
  return m === 1 ? `${y - 1}-12` : `${y}-${pad(m - 1)}`;
}

/** The quarter before the one `instant` falls in (Beijing calendar), as `yyyy-Qn`. */
export function previousQuarter(instant: Date | string): string {
  const [y, m] = beijingDate(instant).split('-').map(Number) as [number, number];
  const q = Math.floor((m - 1) / 3) + 1;
  return q === 1 ? `${y - 1}-Q4` : `${y}-Q${q - 1}`;
}

/** The twelve months ending with `month` (`yyyy-mm`), oldest first. */
export function monthsEnding(month: string, count = 12): string[] {
  const [y, m] = month.split('-').map(Number) as [number, number];
  const out: string[] = [];
  for (let i = count - 1; i >= 0; i--) {
    const k = y * 12 + (m - 1) - i;
    out.push(`${Math.floor(k / 12)}-${pad((k % 12) + 1)}`);
  }
  return out;
}

// ---- Percentiles and rates ----

/** The p-quantile (0–1) of `values` by linear interpolation between closest ranks (PostgreSQL's percentile_cont); undefined for none. */
export function quantile(values: readonly number[], p: number): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const pos = p * (sorted.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

/** part / whole, or undefined when whole is 0 (a rate of nothing is not 0 %). */
export const rateOf = (part: number, whole: number): number | undefined => (whole > 0 ? part / whole : undefined);

// ---- The figures ----

const count = z.number().int().min(0);
const rate = z.number().min(0).max(1).optional().describe('a share from 0 to 1; absent when there is nothing to divide by');
const days = z.number().min(0).optional().describe('calendar days, to a tenth');
const caseIds = z.array(z.string()).describe('case numbers');

export const outcomeCountsSchema = z
  .object({
    decided: count.describe('final rulings (rulingFinal) in the period'),
    exempt: count,
    mitigate: count,
    deny: count,
    tolerated: count.describe('exempt + mitigate'),
    toleranceRate: rate,
    exemptRate: rate,
    mitigateRate: rate,
    denyRate: rate,
  })
  .strict();
export type OutcomeCounts = z.infer<typeof outcomeCountsSchema>;

export const unitFiguresSchema = z
  .object({
    unit: z.string(),
    name: z.string(),
    applications: count,
    outcomes: outcomeCountsSchema,
    /** The unit's tolerated cases of the period (final rulings exempt or mitigate). */
    toleratedCases: caseIds,
    /** The unit's applications of the period by category, most first. */
    categories: z.array(z.object({ category: z.string(), label: z.string(), count, cases: caseIds }).strict()),
  })
  .strict();
export type UnitFigures = z.infer<typeof unitFiguresSchema>;

export const statisticsSchema = z
  .object({
    scope: z
      .object({
        kind: z.enum(['locality', 'unit']),
        code: z.string(),
        name: z.string(),
        /** For a locality: it and the localities below it. */
        localities: z.array(z.string()),
      })
      .strict(),
    period: z.object({ from: z.string(), to: z.string() }).strict(),
    /** When the figures were read; open and overdue tasks are as of then. */
    asOf: z.string(),
    applications: count.describe('cases opened (opened)'),
    acceptances: count.describe('accepted'),
    refusals: count.describe('refused'),
    supplementRequests: count,
    withdrawals: count,
    exclusions: z
      .object({
        screenings: count.describe('screenings that excluded a case (screened, not passed)'),
        byRule: z.array(z.object({ rule: z.string(), count }).strict()).describe('the rules that fired, each counted once per failed screening'),
        confirmed: count,
        overridden: count,
        lapsed: count,
      })
      .strict(),
    outcomes: outcomeCountsSchema,
    appeals: z.object({ filed: count, upheld: count, overturned: count, overturnRate: rate.describe('overturned among reconsiderations decided') }).strict(),
    consultations: z.object({ given: count, objections: count, objectionCases: caseIds, lapsed: count }).strict(),
    handOffs: z.object({ handed: count, outcomesRecorded: count }).strict(),
    effectTracking: z
      .object({
        recorded: count.describe('decision-effect trackings the ruling body recorded in the period'),
        sustained: count.describe('of them: the reform decision at stake sustained'),
        reversed: count.describe('of them: the reform decision reversed'),
        lapsed: count.describe('trackings due in the period that lapsed unrecorded'),
        lossRecovered: z.number().min(0).describe('loss recovered since the ruling (CNY), as those trackings recorded it'),
      })
      .strict()
      .describe('决策执行效果跟踪评价: how the reform decisions of tolerated cases have turned out'),
    stages: z
      .array(z.object({ stage: z.string(), label: z.string(), completed: count.describe('stays in the stage that ended in the period'), medianDays: days, p90Days: days }).strict())
      .describe('time spent in each stage, over the stays that ended in the period'),
    tasks: z
      .object({
        open: count,
        overdue: count,
        byBody: z.array(z.object({ body: z.string(), name: z.string(), role: z.string(), open: count, overdue: count }).strict()),
      })
      .strict()
      .describe('open tasks now (asOf), and those past their deadline, by the body that must act'),
    escalations: z.object({ total: count, byTask: z.array(z.object({ task: z.string(), label: z.string(), count }).strict()) }).strict(),
    abuseSignals: z
      .object({ total: count, bySignal: z.array(z.object({ signal: z.string(), count, cases: caseIds }).strict()) })
      .strict()
      .describe('per-case signals (abuseSignal entries of the ledger) in the period'),
    units: z.array(unitFiguresSchema).describe('the figures of each unit with cases in the period'),
  })
  .strict();
export type Statistics = z.infer<typeof statisticsSchema>;

/** The outcome counts and rates of final rulings. */
export function outcomeCounts(exempt: number, mitigate: number, deny: number): OutcomeCounts {
  const decided = exempt + mitigate + deny;
  const tolerated = exempt + mitigate;
  const rates = {
    toleranceRate: rateOf(tolerated, decided),
    exemptRate: rateOf(exempt, decided),
    mitigateRate: rateOf(mitigate, decided),
    denyRate: rateOf(deny, decided),
  };
  return { decided, exempt, mitigate, deny, tolerated, ...(Object.fromEntries(Object.entries(rates).filter(([, v]) => v !== undefined)) as Partial<typeof rates>) };
}

// ---- CSV ----

const percent = (r: number | undefined) => (r === undefined ? '' : `${(r * 100).toFixed(1)}%`);
const num = (n: number | undefined) => (n === undefined ? '' : String(n));

/** One CSV field: quoted when it holds a comma, a quote or a line break; a leading = + - @ is neutralised (spreadsheet formulas). */
export function csvField(value: string | number): string {
  let s = String(value);
  if (/^[=+\-@\t\r]/.test(s) && !/^-?\d/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/**
 * The figures as CSV for spreadsheet programs: UTF-8 with a byte order mark (so they read the Chinese
 * right), CRLF line ends, a header row in Chinese: 分类, 项目, 数值, 比率. One row per figure.
 */
export function statisticsCsv(s: Statistics, bodyNames: Readonly<Record<string, string>> = {}): string {
  const rows: (string | number)[][] = [['分类', '项目', '数值', '比率']];
  const add = (group: string, item: string, value: number | string | undefined, r?: number) => rows.push([group, item, value ?? '', percent(r)]);
  add('范围', s.scope.kind === 'unit' ? '单位' : '地区', `${s.scope.name}（${s.scope.code}）`);
  add('范围', '统计期间', `${s.period.from} 至 ${s.period.to}`);
  add('受理', '申请', s.applications);
  add('受理', '受理', s.acceptances, rateOf(s.acceptances, s.applications));
  add('受理', '不予受理', s.refusals, rateOf(s.refusals, s.applications));
  add('受理', '要求补正', s.supplementRequests);
  add('受理', '撤回', s.withdrawals);
  add('甄别排除', '排除（甄别未通过）', s.exclusions.screenings);
  for (const r of s.exclusions.byRule) add('甄别排除', `规则 ${r.rule}`, r.count);
  add('甄别排除', '确认排除', s.exclusions.confirmed);
  add('甄别排除', '否定排除', s.exclusions.overridden);
  add('甄别排除', '逾期未确认', s.exclusions.lapsed);
  add('认定结果', '认定生效', s.outcomes.decided);
  add('认定结果', outcomeLabels.exempt, s.outcomes.exempt, s.outcomes.exemptRate);
  add('认定结果', outcomeLabels.mitigate, s.outcomes.mitigate, s.outcomes.mitigateRate);
  add('认定结果', outcomeLabels.deny, s.outcomes.deny, s.outcomes.denyRate);
  add('认定结果', '容错率（免责＋从轻减轻）', s.outcomes.tolerated, s.outcomes.toleranceRate);
  add('申诉', '提出申诉', s.appeals.filed);
  add('申诉', '维持', s.appeals.upheld);
  add('申诉', '撤销改变', s.appeals.overturned, s.appeals.overturnRate);
  add('会商', '会商意见', s.consultations.given);
  add('会商', '提出异议', s.consultations.objections, rateOf(s.consultations.objections, s.consultations.given));
  add('会商', '逾期未会商', s.consultations.lapsed);
  add('移交', '移交纪检监察', s.handOffs.handed);
  add('移交', '已反馈处理结果', s.handOffs.outcomesRecorded);
  add('决策执行效果跟踪', '已跟踪评价', s.effectTracking.recorded);
  add('决策执行效果跟踪', '改革决策继续实施', s.effectTracking.sustained, rateOf(s.effectTracking.sustained, s.effectTracking.recorded));
  add('决策执行效果跟踪', '改革决策已调整或撤回', s.effectTracking.reversed, rateOf(s.effectTracking.reversed, s.effectTracking.recorded));
  add('决策执行效果跟踪', '逾期未跟踪评价', s.effectTracking.lapsed);
  add('决策执行效果跟踪', '跟踪期间挽回损失（元）', s.effectTracking.lossRecovered);
  for (const st of s.stages) {
    add('各环节用时（天）', `${st.label} 中位数`, num(st.medianDays));
    add('各环节用时（天）', `${st.label} 第90百分位`, num(st.p90Days));
    add('各环节用时（天）', `${st.label} 完成数`, st.completed);
  }
  add('待办', '待办事项', s.tasks.open);
  add('待办', '已逾期', s.tasks.overdue, rateOf(s.tasks.overdue, s.tasks.open));
  for (const b of s.tasks.byBody) {
    add('待办（按机构）', `${bodyNames[b.body] ?? b.name} 待办`, b.open);
    add('待办（按机构）', `${bodyNames[b.body] ?? b.name} 逾期`, b.overdue);
  }
  add('督办', '逾期督办', s.escalations.total);
  for (const e of s.escalations.byTask) add('督办', e.label, e.count);
  add('预警', '个案预警', s.abuseSignals.total);
  for (const a of s.abuseSignals.bySignal) add('预警', a.signal, a.count);
  for (const u of s.units) {
    add('单位', `${u.name} 申请`, u.applications);
    add('单位', `${u.name} 认定生效`, u.outcomes.decided);
    add('单位', `${u.name} 容错`, u.outcomes.tolerated, u.outcomes.toleranceRate);
  }
  return '\uFEFF' + rows.map((r) => r.map(csvField).join(',')).join('\r\n') + '\r\n';
}

/** Labels used where figures are shown: stages, tasks, roles, categories. */
export const statisticsLabels = { stage: (s: string) => (stageLabels as Record<string, string>)[s] ?? s, task: (t: string) => (taskLabels as Record<string, string>)[t] ?? t, role: (r: string) => (roleLabels as Record<string, string>)[r] ?? r, category: categoryLabel };
