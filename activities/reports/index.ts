/**
 * The periodic reports' activities: I/O only. `compileReport` reads the statistics, the signals'
 * figures and the overdue work from the record system, renders the page and keeps the report (once
 * per report id: a second run for the same period keeps the first); `notifyReport` tells the bodies
 * it is for, once each, with a link to it. The figures and the page stay out of the workflow's
 * history: it carries ids, codes and counts.
 */
import type { Config } from '../../common/config';
import type { PolicyRegistry } from '../../domain/policies';
import { oversightOf } from '../../domain/policy';
import type { Registry } from '../../domain/registry';
import { jointAttentionOf, periodLabel, periodOfCode, reportAudience, reportKindLabels, type ReportContent, type ReportKind } from '../../domain/report';
import { aggregateSignals } from '../../domain/signals';
import { monthsEnding, monthPeriod } from '../../domain/statistics';
import type { Db } from '../records/db';
import { readAwaitingHandOffs, readCaseUnits, readOutcomeSeries, readOverdueCases, readStatistics, storeReport } from '../records/statistics';
import type { Notifier } from '../types';
import { renderReportHtml } from './render';

export interface CompileReportInput {
  reportId: string;
  kind: ReportKind;
  locality: string;
  /** `yyyy-mm` or `yyyy-Qn`. */
  periodCode: string;
  /** The workflow time the report is made at: open and overdue work is as of then. */
  asOf: string;
}

export interface CompiledReport {
  reportId: string;
  /** `duplicate`: a report with this id was kept already, and stands. */
  outcome: 'recorded' | 'duplicate';
  digest: string;
  /** The bodies it is for: codes and the role that reads for each. */
  recipients: { code: string; role: 'supervisor' | 'discipline' | 'organization' }[];
  summary: { title: string; localityName: string; periodLabel: string; applications: number; decided: number; toleranceRate: string; signals: number; overdue: number };
}

export interface NotifyReportInput {
  report: CompiledReport;
  /** The supervision body of the locality: told when a notice cannot be delivered. */
  supervision?: string;
}

export interface ReportActivities {
  compileReport(input: CompileReportInput): Promise<CompiledReport>;
  notifyReport(input: NotifyReportInput): Promise<void>;
}

export interface ReportActivityDeps {
  db: Db;
  /** The registry as the record system holds it now. */
  registry: () => Promise<Registry>;
  policies: PolicyRegistry;
  notifier: Notifier;
  config: Pick<Config, 'apiPublicUrl' | 'apiHost' | 'apiPort'>;
}

const roleOfKind = { supervision: 'supervisor', discipline: 'discipline', organization: 'organization' } as const;
const pct = (r: number | undefined) => (r === undefined ? '—' : `${(r * 100).toFixed(1)}%`);

/** The report's content and page, from the record system as it stands at `asOf`. */
export async function buildReport(db: Db, registry: Registry, policies: PolicyRegistry, input: CompileReportInput): Promise<{ content: ReportContent; html: string }> {
  const locality = registry.locality(input.locality);
  if (!locality) throw new Error(`locality ${input.locality} is not in the registry`);
  const period = periodOfCode(input.kind, input.periodCode);
  const asOf = new Date(input.asOf);
  const scope = { kind: 'locality' as const, code: input.locality };
  const path = registry.path(input.locality);
  const policy = policies.currentFor(path, period.to);
  const lastMonth = period.to.slice(0, 7);
  const months = monthsEnding(lastMonth);
  const [statistics, series, overdue, handOffs] = await Promise.all([
    readStatistics(db, registry, scope, period, asOf),
    readOutcomeSeries(db, registry, scope, { from: monthPeriod(months[0]!).from, to: period.to }),
    readOverdueCases(db, registry, scope, asOf),
    input.kind === 'quarterly' ? readAwaitingHandOffs(db, registry, scope, asOf) : Promise.resolve([]),
  ]);
  const unitName = (code: string) => registry.body(code)?.name ?? code;
  const signals = aggregateSignals(statistics, oversightOf(policy));
  const awaitingHandOffs = handOffs.map((h) => ({ caseId: h.caseId, unitCode: h.unitCode, unitName: unitName(h.unitCode), reason: h.reason, handedAt: h.handedAt, days: Math.floor((asOf.getTime() - Date.parse(h.handedAt)) / 86_400_000) }));
  const overdueRows = overdue.map((o) => ({ ...o, unitName: unitName(o.unitCode) }));
  const unitOfCase = await readCaseUnits(db, [...statistics.consultations.objectionCases, ...statistics.abuseSignals.bySignal.flatMap((s) => s.cases)]);
  for (const o of [...overdue, ...handOffs]) unitOfCase.set(o.caseId, o.unitCode);
  const jointAttention =
    input.kind === 'quarterly'
      ? jointAttentionOf({
          objections: statistics.consultations.objectionCases,
          caseSignals: statistics.abuseSignals.bySignal,
          // the work overdue with the organization department or discipline inspection
          overdue: overdue,
          awaitingHandOffs: handOffs,
        }).map((j) => ({ ...j, unitCode: unitOfCase.get(j.caseId) ?? '', unitName: unitName(unitOfCase.get(j.caseId) ?? '') }))
      : [];
  const recipients = reportAudience[input.kind].flatMap((kind) => {
    const body = registry.bodyFor(kind, input.locality);
    return body ? [{ code: body.code, name: body.name, kind }] : [];
  });
  const byMonth = new Map(series.map((m) => [m.month, m]));
  const content: ReportContent = {
    reportId: input.reportId,
    kind: input.kind,
    title: `${locality.name}${reportKindLabels[input.kind]}（${periodLabel(input.kind, input.periodCode)}）`,
    locality: { code: locality.code, name: locality.name },
    periodCode: input.periodCode,
    periodLabel: periodLabel(input.kind, input.periodCode),
    period,
    generatedAt: asOf.toISOString(),
    policyVersion: policy.version,
    recipients,
    statistics,
    outcomeSeries: months.map((m) => byMonth.get(m) ?? { month: m, exempt: 0, mitigate: 0, deny: 0 }),
    signals,
    overdue: overdueRows,
    jointAttention,
    awaitingHandOffs,
  };
  const ruleTexts = Object.fromEntries(policy.screeningRules.map((r) => [r.id, r.text.zh]));
  return { content, html: renderReportHtml(content, ruleTexts) };
}

/** The API's address for links in notices: API_PUBLIC_URL, else its host and port. */
function apiBase(config: ReportActivityDeps['config']): string | undefined {
  const base = config.apiPublicUrl || (config.apiHost && config.apiPort ? `http://${config.apiHost}:${config.apiPort}` : undefined);
  return base?.replace(/\/+$/, '');
}

export function createReportActivities(deps: ReportActivityDeps): ReportActivities {
  return {
    async compileReport(input) {
      const registry = await deps.registry();
      const { content, html } = await buildReport(deps.db, registry, deps.policies, input);
      const localities = registry.path(input.locality);
      const stored = await storeReport(deps.db, { reportId: input.reportId, kind: input.kind, locality: input.locality, localities, period: content.period, generatedAt: content.generatedAt, content, html });
      const s = content.statistics;
      return {
        reportId: input.reportId,
        outcome: stored.outcome,
        digest: stored.digest,
        recipients: content.recipients.map((r) => ({ code: r.code, role: roleOfKind[r.kind as keyof typeof roleOfKind] })),
        summary: {
          title: content.title,
          localityName: content.locality.name,
          periodLabel: content.periodLabel,
          applications: s.applications,
          decided: s.outcomes.decided,
          toleranceRate: pct(s.outcomes.toleranceRate),
          signals: content.signals.length + s.abuseSignals.total,
          overdue: s.tasks.overdue,
        },
      };
    },

    async notifyReport({ report, supervision }) {
      const base = apiBase(deps.config);
      const url = base ? `${base}/v1/reports/${encodeURIComponent(report.reportId)}` : undefined;
      for (const r of report.recipients) {
        await deps.notifier.notify({
          caseId: report.reportId,
          key: `${report.reportId}:report:${r.code}`,
          template: 'periodicReport',
          audience: { role: r.role, unit: r.code },
          ...(supervision ? { supervision } : {}),
          vars: { ...report.summary, ...(url ? { reportUrl: url, htmlUrl: `${url}?format=html` } : {}) },
        });
      }
    },
  };
}
