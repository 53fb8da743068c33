/**
 * Statistics and periodic reports as the API reads them from the record system, and whose figures
 * a caller may have: a unit its own; a body (organization, discipline, committee, supervision) those
 * of its locality, of a locality below it, or of a unit there. Reports: the bodies overseeing the
 * report's locality. Without a record store the routes answer 503.
 */
import { z } from 'zod';
import { listReports, readReport, readStatistics, type ReportListing, type StatisticsScope } from '../activities/records/statistics';
import type { Db } from '../activities/records/db';
import type { Actor } from '../domain/case';
import { unitCodeSchema } from '../domain/case';
import { reportContentSchema, reportKinds } from '../domain/report';
import type { Registry } from '../domain/registry';
import type { Period, Statistics } from '../domain/statistics';
import { bilingual } from './i18n';
import { ProblemError, UnavailableError } from './problems';

export interface StatisticsSource {
  statistics(registry: Registry, scope: StatisticsScope, period: Period, now: Date): Promise<Statistics>;
  listReports(locality: string, filter: { kind?: 'monthly' | 'quarterly' | undefined; limit: number }): Promise<ReportListing[]>;
  readReport(locality: string, reportId: string): Promise<(ReportListing & { content: unknown; html: string }) | undefined>;
}

export function createStatisticsSource(db: Db): StatisticsSource {
  return {
    statistics: (registry, scope, period, now) => readStatistics(db, registry, scope, period, now),
    listReports: (locality, filter) => listReports(db, locality, filter),
    readReport: (locality, reportId) => readReport(db, locality, reportId),
  };
}

const unavailable = () => new UnavailableError('this API has no record store: statistics and reports are read from it');
export const noStatistics: StatisticsSource = {
  statistics: () => Promise.reject(unavailable()),
  listReports: () => Promise.reject(unavailable()),
  readReport: () => Promise.reject(unavailable()),
};

const outside = (what: string, zh: string) => new ProblemError('outsideJurisdiction', bilingual(`${what} is outside your jurisdiction.`, `${zh}不在您的管辖范围内。`));

/**
 * The scope of figures `actor` asks for: by default its own (its unit, or its locality); a body may
 * name a locality it oversees or a unit of one; anything else (an unknown code included, so codes
 * are not probed) is 403 outsideJurisdiction.
 */
export function statisticsScopeFor(actor: Actor, registry: Registry, ask: { locality?: string | undefined; unit?: string | undefined }): StatisticsScope {
  if (ask.locality && ask.unit) throw new ProblemError('validation', bilingual('Name a locality or a unit, not both.', '请指定地区或单位之一，不能同时指定。'), { errors: [{ path: 'query.unit', message: bilingual('not together with locality', '不能与 locality 同时使用') }] });
  if (actor.role === 'unit') {
    if (ask.locality) throw outside(`Locality ${ask.locality}`, `地区 ${ask.locality} `);
    if (ask.unit && ask.unit !== actor.unit) throw outside(`Unit ${ask.unit}`, `单位 ${ask.unit} `);
    return { kind: 'unit', code: actor.unit! };
  }
  if (ask.unit) {
    const unit = registry.body(ask.unit);
    if (!unit || unit.kind !== 'unit' || !registry.path(unit.locality).includes(actor.locality ?? '\u0000')) throw outside(`Unit ${ask.unit}`, `单位 ${ask.unit} `);
    return { kind: 'unit', code: unit.code };
  }
  const locality = ask.locality ?? actor.locality;
  if (!locality || !registry.locality(locality) || !registry.path(locality).includes(actor.locality ?? '\u0000')) throw outside(`Locality ${locality}`, `地区 ${locality} `);
  return { kind: 'locality', code: locality };
}

// ---- HTTP shapes ----

export const statisticsQuery = z
  .object({
    locality: unitCodeSchema.optional().describe('A locality of your jurisdiction (default: yours); with the localities below it.'),
    unit: unitCodeSchema.optional().describe('One unit of your jurisdiction instead of a locality (a unit: only itself).'),
    from: z.iso.date().optional().describe('First day, Beijing calendar (default: 1 January of the current year).'),
    to: z.iso.date().optional().describe('Last day, included (default: today, Beijing calendar).'),
    format: z.enum(['json', 'csv']).optional().describe('`csv`: the figures as CSV (UTF-8 with BOM, Chinese headers); the same as `Accept: text/csv`.'),
  })
  .strict();

export const reportListQuery = z
  .object({
    kind: z.enum(reportKinds).optional(),
    limit: z.coerce.number().int().min(1).max(200).default(50),
  })
  .strict();

export const reportParams = z.object({ reportId: z.string().regex(/^(monthly|quarterly)-[A-Z0-9-]+-\d{4}-(\d{2}|Q[1-4])$/, 'a report id: <kind>-<locality>-<period>') });
export const reportQuery = z.object({ format: z.enum(['json', 'html']).optional().describe('`html`: the page people read (the same as `Accept: text/html`).') }).strict();

export const reportListingSchema = z
  .object({
    reportId: z.string(),
    kind: z.enum(reportKinds),
    locality: z.string(),
    period: z.object({ from: z.string(), to: z.string() }),
    generatedAt: z.string(),
    recordedAt: z.string(),
    digest: z.string().describe('SHA-256 of the report as kept (content and page).'),
  })
  .meta({ id: 'ReportListing' });

export const reportListSchema = z.object({ items: z.array(reportListingSchema) });
export const reportSchema = reportListingSchema.extend({ content: reportContentSchema }).meta({ id: 'Report', description: 'A periodic report: aggregate figures, signals and case numbers; nothing personal.' });

/** Whether the request asks for `type` (by `format`, else by an Accept header preferring it to JSON). */
export function wants(format: string | undefined, accept: string | undefined, type: 'csv' | 'html'): boolean {
  if (format) return format === type;
  const mime = type === 'csv' ? 'text/csv' : 'text/html';
  const prefs = (accept ?? '')
    .split(',')
    .map((p) => {
      const [m, ...params] = p.trim().split(';');
      const q = params.map((x) => x.trim()).find((x) => x.startsWith('q='));
      return { m: (m ?? '').trim().toLowerCase(), q: q ? Number(q.slice(2)) : 1 };
    })
    .filter((p) => p.q > 0);
  const of = (m: string) => prefs.find((p) => p.m === m)?.q ?? 0;
  return of(mime) > 0 && of(mime) >= of('application/json');
}
