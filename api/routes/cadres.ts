/**
 * A cadre's history (干部容错纠错记录): earlier tolerated cases, rulings in force, the "no negative
 * evaluation" records and the influence periods, from the record system. The bodies of the cadre's
 * unit's locality and of those above it may read it, and the cadre's own unit; to anyone else the
 * cadre does not exist (404, as for an unknown id). The cadre id is personal data: the request log
 * masks it in the URL (common/logger.ts) and nothing here logs it.
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Actor } from '../../domain/case';
import { cadreHistorySchema } from '../../domain/history';
import { oversees, type Registry } from '../../domain/registry';
import { routeAccess } from '../access';
import { bilingual } from '../i18n';
import { actorOf } from '../plugins/auth';
import { ProblemError, UnavailableError } from '../problems';
import { bearerSecurity, cadreParams, commonProblems, ok, problemResponses } from '../schemas';

const notFound = () => new ProblemError('notFound', bilingual('No cadre with this id is visible to you.', '没有您可查看的该编号干部。'));

/** The unit of the cadre, when `actor` may see the cadre: its own unit, or a body overseeing the unit's locality. */
export function visibleCadreUnit(actor: Actor, registry: Registry, cadreId: string): string | undefined {
  const cadre = registry.cadre(cadreId);
  const unit = cadre ? registry.body(cadre.unit) : undefined;
  if (!cadre || !unit) return undefined;
  if (actor.role === 'unit') return actor.unit === cadre.unit ? cadre.unit : undefined;
  if (actor.role === 'expert') return undefined;
  return oversees(actor.locality, { path: registry.path(unit.locality) }) ? cadre.unit : undefined;
}

const cadreRoutes: FastifyPluginAsyncZod = async (app) => {
  app.route({
    ...routeAccess.cadreHistory,
    config: { access: 'cadreHistory' },
    schema: {
      tags: ['cadres'],
      summary: 'A cadre’s history: earlier tolerated cases, rulings in force, no-negative-evaluation records and influence periods.',
      description:
        'For the organization department, discipline inspection, party committee and supervision of the cadre’s unit’s locality or a locality above it, and for the cadre’s own unit. Any other caller gets 404, exactly as for an unknown cadre.',
      security: bearerSecurity,
      params: cadreParams,
      response: { 200: ok(cadreHistorySchema, 'The cadre’s history in the record system.'), ...problemResponses(400, 404, ...commonProblems) },
    },
    handler: async (request) => {
      const { cadreId } = request.params;
      const unitCode = visibleCadreUnit(actorOf(request), await app.registry.current(), cadreId);
      if (!unitCode) throw notFound();
      if (!app.history) throw new UnavailableError('no record store for cadre histories');
      return app.history.cadreHistory(cadreId, unitCode);
    },
  });
};

export default cadreRoutes;
