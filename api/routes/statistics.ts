/**
 * Statistics of casework, and the periodic reports, from the record system, scoped by jurisdiction
 * (api/statistics.ts). The statistics answer JSON, or CSV for spreadsheet programs (`Accept:
 * text/csv` or `format=csv`); a report answers JSON, or its page (`Accept: text/html` or `format=html`).
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { periodSchema, statisticsCsv, statisticsSchema } from '../../domain/statistics';
import { routeAccess } from '../access';
import { chinaCivilDate } from '../ids';
import { bilingual } from '../i18n';
import { actorOf } from '../plugins/auth';
import { ProblemError } from '../problems';
import { bearerSecurity, commonProblems, problemResponses } from '../schemas';
import { reportListQuery, reportListSchema, reportParams, reportQuery, reportSchema, statisticsQuery, statisticsScopeFor, wants } from '../statistics';

const statisticsRoutes: FastifyPluginAsyncZod = async (app) => {
  app.route({
    ...routeAccess.statistics,
    config: { access: 'statistics' },
    schema: {
      tags: ['statistics'],
      summary: 'Statistics of a locality or a unit over a period: applications, acceptances, exclusions, outcomes and rates, appeals, time per stage, open and overdue tasks, escalations, signals.',
      description:
        'From the record system (the ledger’s timeline entries and the case register). A unit sees its own figures; an organization department, discipline inspection body, party committee or supervision body those of its locality (default), of a locality below it, or of a unit there — anything else is 403. Dates are Beijing calendar dates, both included; open and overdue tasks are as of now. `Accept: text/csv` or `format=csv` answers CSV (UTF-8 with BOM, Chinese headers).',
      security: bearerSecurity,
      querystring: statisticsQuery,
      response: {
        200: {
          description: 'The figures (JSON), or the same as CSV.',
          content: { 'application/json': { schema: statisticsSchema }, 'text/csv': { schema: z.string().describe('分类,项目,数值,比率 — one row per figure') } },
        },
        ...problemResponses(400, ...commonProblems),
      },
    },
    handler: async (request, reply) => {
      const actor = actorOf(request);
      const registry = await app.registry.current();
      const scope = statisticsScopeFor(actor, registry, request.query);
      const now = app.now();
      const today = chinaCivilDate(now);
      const period = periodSchema.safeParse({ from: request.query.from ?? `${today.slice(0, 4)}-01-01`, to: request.query.to ?? today });
      if (!period.success) {
        throw new ProblemError('validation', bilingual('The period is invalid: from must not be after to, and it spans ten years at most.', '统计期间无效：起始日期不得晚于截止日期，且最长十年。'), {
          errors: [{ path: 'query.to', message: bilingual('not before from, at most ten years after it', '不得早于起始日期，且不超过十年') }],
        });
      }
      const figures = await app.statistics.statistics(registry, scope, period.data, now);
      if (wants(request.query.format, request.headers.accept, 'csv')) {
        const name = `statistics-${scope.code}-${period.data.from}-${period.data.to}.csv`;
        return reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="${name}"`).send(statisticsCsv(figures));
      }
      return figures;
    },
  });

  app.route({
    ...routeAccess.listReports,
    config: { access: 'listReports' },
    schema: {
      tags: ['statistics'],
      summary: 'The periodic reports of my jurisdiction, newest period first.',
      description: 'Monthly reports and quarterly consultation digests of my locality and of the localities below it, as the report schedules made and kept them.',
      security: bearerSecurity,
      querystring: reportListQuery,
      response: { 200: { description: 'The reports.', content: { 'application/json': { schema: reportListSchema } } }, ...problemResponses(400, ...commonProblems) },
    },
    handler: async (request) => ({ items: await app.statistics.listReports(actorOf(request).locality ?? '\u0000', { kind: request.query.kind, limit: request.query.limit }) }),
  });

  app.route({
    ...routeAccess.getReport,
    config: { access: 'getReport' },
    schema: {
      tags: ['statistics'],
      summary: 'One periodic report, as JSON or as its page (HTML with charts, printable).',
      description: 'A report of a locality outside my jurisdiction is 404, as one that does not exist. `Accept: text/html` or `format=html` answers the page.',
      security: bearerSecurity,
      params: reportParams,
      querystring: reportQuery,
      response: {
        200: { description: 'The report.', content: { 'application/json': { schema: reportSchema }, 'text/html': { schema: z.string() } } },
        ...problemResponses(400, 404, ...commonProblems),
      },
    },
    handler: async (request, reply) => {
      const report = await app.statistics.readReport(actorOf(request).locality ?? '\u0000', request.params.reportId);
      if (!report) throw new ProblemError('notFound', bilingual('No report with this id is visible to you.', '没有您可查看的该编号报告。'));
      if (wants(request.query.format, request.headers.accept, 'html')) return reply.type('text/html; charset=utf-8').send(report.html);
      const { html: _html, ...rest } = report;
      return rest as z.infer<typeof reportSchema>;
    },
  });
};

export default statisticsRoutes;
