/**
 * The periodic reports (定期报告、定期沟通会商): what each holds and how it is named. A monthly report
 * per locality (statistics, signals, overdue work) goes to its supervision and discipline bodies; a
 * quarterly consultation digest (cases needing joint attention, consultation objections, hand-offs
 * without an outcome) to its organization and discipline bodies. Aggregate only: codes, names of
 * bodies and units, counts, case numbers. Pure: no clock, no I/O.
 */
import { z } from 'zod';
import type { AggregateSignal } from './signals';
import { monthPeriod, quarterPeriod, statisticsSchema, type Period } from './statistics';

export const reportKinds = ['monthly', 'quarterly'] as const;
export type ReportKind = (typeof reportKinds)[number];

export const reportKindLabels: Record<ReportKind, string> = { monthly: '容错纠错工作月度报告', quarterly: '容错纠错工作季度会商摘要' };

/** Who receives each kind: the body kinds of the locality (or the nearest up the tree). */
export const reportAudience: Record<ReportKind, readonly ('supervision' | 'discipline' | 'organization')[]> = {
  monthly: ['supervision', 'discipline'],
  quarterly: ['organization', 'discipline'],
};

/** `yyyy-mm` for a month, `yyyy-Qn` for a quarter. */
export const periodCodeSchema = z.string().regex(/^\d{4}-(0[1-9]|1[0-2]|Q[1-4])$/);

/** One report per kind, locality and period: `monthly-JS-NJ-2026-05`, `quarterly-JS-NJ-2026-Q2`. */
export function reportIdOf(kind: ReportKind, locality: string, period: string): string {
  return `${kind}-${locality}-${period}`;
}

/** The workflow that makes a report: one id per report, so a period is reported once. */
export const reportWorkflowId = (reportId: string): string => `report-${reportId}`;

/** The schedule of a kind of report of a locality. */
export const reportScheduleId = (kind: ReportKind, locality: string): string => `report-${kind}-${locality}`;

export function periodOfCode(kind: ReportKind, code: string): Period {
  return kind === 'monthly' ? monthPeriod(code) : quarterPeriod(code);
}

/** The period as people read it: 2026年5月, 2026年第二季度. */
export function periodLabel(kind: ReportKind, code: string): string {
  if (kind === 'monthly') return `${code.slice(0, 4)}年${Number(code.slice(5, 7))}月`;
  return `${code.slice(0, 4)}年第${['一', '二', '三', '四'][Number(code.slice(6)) - 1]}季度`;
}

const caseRow = z.object({ caseId: z.string(), unitCode: z.string(), unitName: z.string() }).strict();

export const aggregateSignalSchema = z
  .object({
    signal: z.enum(['unitToleranceRate', 'categoryClustering']),
    unit: z.string(),
    unitName: z.string(),
    explanation: z.string(),
    figures: z.record(z.string(), z.union([z.number(), z.string()])),
    cases: z.array(z.string()),
  })
  .strict() satisfies z.ZodType<AggregateSignal>;

export const reportContentSchema = z
  .object({
    reportId: z.string(),
    kind: z.enum(reportKinds),
    title: z.string(),
    locality: z.object({ code: z.string(), name: z.string() }).strict(),
    periodCode: z.string(),
    periodLabel: z.string(),
    period: z.object({ from: z.string(), to: z.string() }).strict(),
    generatedAt: z.string(),
    policyVersion: z.string(),
    recipients: z.array(z.object({ code: z.string(), name: z.string(), kind: z.string() }).strict()),
    statistics: statisticsSchema,
    /** Final rulings by month, the twelve months up to the period's end. */
    outcomeSeries: z.array(z.object({ month: z.string(), exempt: z.number(), mitigate: z.number(), deny: z.number() }).strict()),
    signals: z.array(aggregateSignalSchema),
    overdue: z.array(caseRow.extend({ stage: z.string(), tasks: z.array(z.string()), dueAt: z.string() }).strict()),
    /** Quarterly: the cases needing joint attention, and why. */
    jointAttention: z.array(caseRow.extend({ reasons: z.array(z.string()) }).strict()),
    /** Quarterly: hand-offs to discipline inspection without a recorded outcome. */
    awaitingHandOffs: z.array(caseRow.extend({ reason: z.string(), handedAt: z.string(), days: z.number() }).strict()),
  })
  .strict();
export type ReportContent = z.infer<typeof reportContentSchema>;

/**
 * The cases a quarterly digest puts before the organization and discipline bodies together, each
 * with its reasons: a consultation objection, a per-case abuse signal, a task overdue, a hand-off
 * still without an outcome. By case number.
 */
export function jointAttentionOf(input: {
  objections: readonly string[];
  caseSignals: readonly { signal: string; cases: readonly string[] }[];
  overdue: readonly { caseId: string }[];
  awaitingHandOffs: readonly { caseId: string }[];
}): { caseId: string; reasons: string[] }[] {
  const reasons = new Map<string, string[]>();
  const add = (caseId: string, reason: string) => {
    const r = reasons.get(caseId) ?? [];
    if (!r.includes(reason)) r.push(reason);
    reasons.set(caseId, r);
  };
  for (const c of input.objections) add(c, '会商中纪检监察机关提出异议');
  for (const s of input.caseSignals) for (const c of s.cases) add(c, `个案预警：${s.signal}`);
  for (const o of input.overdue) add(o.caseId, '有逾期未办事项');
  for (const h of input.awaitingHandOffs) add(h.caseId, '已移交纪检监察，尚未反馈处理结果');
  return [...reasons.entries()].map(([caseId, r]) => ({ caseId, reasons: r })).sort((a, b) => a.caseId.localeCompare(b.caseId));
}
