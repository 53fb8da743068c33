/** Opening, listing and reading cases. */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Actor, Application, Jurisdiction } from '../../domain/case';
import { oversees, type Registry } from '../../domain/registry';
import { bilingual } from '../i18n';
import type { CaseInput } from '../../workflows/messages';
import { canSeeCase, routeAccess } from '../access';
import { actorOf } from '../plugins/auth';
import { publicBaseUrl } from '../plugins/docs';
import { chinaCivilDate, derivedCaseId, randomCaseId, requestDigest } from '../ids';
import { CaseNotFoundError, IdempotencyConflictError, ProblemError } from '../problems';
import {
  applicationBody,
  bearerSecurity,
  bodyProblems,
  caseParams,
  casePageSchema,
  caseStateSchema,
  commonProblems,
  idempotencyHeaders,
  listCasesQuery,
  ok,
  problemResponses,
} from '../schemas';

/** Who opened the case decides its origin; a unit applies for its own cadres only, discipline refers with its case. */
function originFor(actor: Actor, application: Application): CaseInput['origin'] {
  if (actor.role === 'unit') {
    if (application.unitCode !== actor.unit) throw new ProblemError('forbidden', 'A unit applies only for its own unit (unitCode must be the unit of your token).');
    return 'application';
  }
  if (!application.accountabilityCaseRef) {
    throw new ProblemError('validation', 'A referral names the accountability case it comes from.', {
      errors: [{ path: 'body.accountabilityCaseRef', message: 'required when discipline inspection opens a case' }],
    });
  }
  return 'referral';
}

/**
 * Where the case belongs, from the registry: its unit must be a registered unit, its cadre a cadre
 * of that unit under the registered name (neither retired), and a referring discipline body must have the unit's
 * locality in its jurisdiction.
 */
function jurisdictionFor(actor: Actor, application: Application, registry: Registry): Jurisdiction {
  const jurisdiction = registry.jurisdictionOf(application.unitCode);
  if (!jurisdiction) {
    throw new ProblemError('validation', bilingual(`Unit ${application.unitCode} is not in the registry.`, `单位 ${application.unitCode} 未在登记册中登记。`), {
      errors: [{ path: 'body.unitCode', message: bilingual('not a registered unit', '不是已登记的单位') }],
    });
  }
  if (registry.body(application.unitCode)?.retired) {
    throw new ProblemError('validation', bilingual(`Unit ${application.unitCode} is retired: no new case opens for it.`, `单位 ${application.unitCode} 已停用，不能为其启动新案件。`), {
      errors: [{ path: 'body.unitCode', message: bilingual('a retired unit', '已停用的单位') }],
    });
  }
  const cadre = registry.cadre(application.cadre.id);
  if (cadre?.retired && cadre.unit === application.unitCode) {
    throw new ProblemError('validation', bilingual('The cadre is retired in the registry: no new case opens for them.', '该干部在登记册中已停用，不能为其启动新案件。'), {
      errors: [{ path: 'body.cadre.id', message: bilingual('a retired cadre', '已停用的干部') }],
    });
  }
  if (!cadre || cadre.unit !== application.unitCode || cadre.name !== application.cadre.name) {
    throw new ProblemError('validation', bilingual(`The cadre is not registered in unit ${application.unitCode} under this id and name.`, `干部未以此编号和姓名登记在单位 ${application.unitCode}。`), {
      errors: [{ path: 'body.cadre.id', message: bilingual('not a registered cadre of this unit (id and name)', '不是该单位已登记的干部（编号与姓名须一致）') }],
    });
  }
  if (actor.role === 'discipline' && !oversees(actor.locality, jurisdiction)) {
    throw new ProblemError('forbidden', bilingual(`Unit ${application.unitCode} is outside the jurisdiction of ${actor.unit}.`, `单位 ${application.unitCode} 不在 ${actor.unit} 的管辖范围内。`));
  }
  return jurisdiction;
}

const COLLISION_RETRIES = 3;

const caseRoutes: FastifyPluginAsyncZod = async (app) => {
  const base = publicBaseUrl(app.config);

  /** Open a case: a unit's application or discipline inspection's referral. */
  app.route({
    ...routeAccess.openCase,
    config: { access: 'openCase' },
    schema: {
      tags: ['cases'],
      summary: 'Open a case (申请 by a unit, referral by discipline inspection).',
      description:
        'Starts the case workflow under the policy in effect today for the unit\'s locality (or the nearest locality above it, else the default); the unit and the cadre must be in the registry. With an Idempotency-Key the case number is derived from the key, so a retry returns the case it opened (200) and a different body with the same key is refused (409).',
      security: bearerSecurity,
      headers: idempotencyHeaders,
      body: applicationBody,
      response: {
        200: ok(caseStateSchema, 'An idempotent retry: the case this Idempotency-Key opened.'),
        201: ok(caseStateSchema, 'The case was opened; Location names it.'),
        ...problemResponses(...bodyProblems, ...commonProblems, 409) },
    },
    handler: async (request, reply) => {
      const actor = actorOf(request);
      const application = request.body;
      const origin = originFor(actor, application);
      const now = app.now();
      const today = chinaCivilDate(now);
      const year = Number(today.slice(0, 4));
      const jurisdiction = jurisdictionFor(actor, application, await app.registry.current());
      // the policy of the unit's locality, else of the nearest locality above it, else the default
      const policy = app.policies.currentFor(jurisdiction.path, today);
      const digest = requestDigest({ origin, application });
      const key = request.headers['idempotency-key'];

      // Every year the case can reach: revisits run a year past the ruling, which may take a year or more.
      const calendar = app.calendar.snapshot(year, year + 3);
      const start = (caseId: string) =>
        app.cases.start({ caseId, origin, application, openedBy: actor, policy, calendar, jurisdiction, requestDigest: digest });

      let started;
      if (key) {
        started = await start(derivedCaseId(year, actor.sub, key));
      } else {
        for (let attempt = 1; ; attempt++) {
          try {
            started = await start(randomCaseId(year));
            break;
          } catch (err) {
            // Without a key a clash can only be a random collision: draw another number.
            if (!(err instanceof IdempotencyConflictError) || attempt >= COLLISION_RETRIES) throw err;
          }
        }
      }
      // A derived number is the caller's own; should it ever meet someone else's case, say nothing of it.
      if (!canSeeCase(actor, started.state)) throw new IdempotencyConflictError(started.state.caseId);

      request.log.info({ caseId: started.state.caseId, origin, created: started.created }, started.created ? 'case opened' : 'case open retried');
      return reply
        .code(started.created ? 201 : 200)
        .header('location', `${base}/v1/cases/${started.state.caseId}`)
        .send(started.state);
    },
  });

  /** List cases from the case register (the read model): nothing personal, paged with a cursor, with the count of matches. */
  app.route({
    ...routeAccess.listCases,
    config: { access: 'listCases' },
    schema: {
      tags: ['cases'],
      summary: 'List and filter cases (a unit sees its own; an expert the cases it was invited to; a body those of its locality and below).',
      description:
        'Newest first (opened at, then case id), complete, paged with an opaque cursor; `total` counts the cases matching the filters over all pages. Read from the case register in the record system, which follows each case by its record activity (`asOf`, `recordedAt`); the case itself (`GET /v1/cases/{caseId}`) is read from its workflow.',
      security: bearerSecurity,
      querystring: listCasesQuery,
      response: { 200: ok(casePageSchema, 'One page of cases; pass nextCursor back as cursor for the next.'), ...problemResponses(400, ...commonProblems) },
    },
    handler: async (request) => {
      const { limit, cursor, ...filter } = request.query;
      return app.readModel.list(actorOf(request), filter, { limit, cursor });
    },
  });

  /** The full state of a case the caller may see. */
  app.route({
    ...routeAccess.getCase,
    config: { access: 'getCase' },
    schema: {
      tags: ['cases'],
      summary: 'Read a case: stage, tasks, timeline, assessment, rulings, measures, revisits.',
      security: bearerSecurity,
      params: caseParams,
      response: { 200: ok(caseStateSchema, 'The case state.'), ...problemResponses(400, 404, ...commonProblems) },
    },
    handler: async (request) => {
      const state = await app.cases.get(request.params.caseId);
      if (!canSeeCase(actorOf(request), state)) throw new CaseNotFoundError(request.params.caseId);
      return state;
    },
  });
};

export default caseRoutes;
