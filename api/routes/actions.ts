/** The action routes: each runs one Workflow Update as the caller and answers with the new state. */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { actionRouteNames, canSeeCase, routeAccess, type ActionRouteName } from '../access';
import { actionSpecs } from '../actions';
import type { CaseUpdate } from '../gateway';
import { clientTokenPattern } from '../ids';
import { actorOf } from '../plugins/auth';
import { CaseNotFoundError } from '../problems';
import { bearerSecurity, bodyProblems, caseParams, caseStateSchema, commonProblems, idempotencyHeaders, measureParams, ok, problemResponses, stateBody } from '../schemas';

/**
 * The Update id of a request: its Idempotency-Key, else its own (safe) X-Request-Id, prefixed with
 * the route and the caller so two routes or two people never share one. Without either, Temporal
 * draws a fresh id and a retry is a new action.
 */
export function updateIdFor(route: ActionRouteName, sub: string, headers: Record<string, unknown>): string | undefined {
  const key = headers['idempotency-key'];
  const requestId = headers['x-request-id'];
  const chosen = typeof key === 'string' ? key : typeof requestId === 'string' && clientTokenPattern.test(requestId) ? requestId : undefined;
  return chosen === undefined ? undefined : `${route}:${sub}:${chosen}`;
}

/** Each action's body schema as documented, with its example; built once, not per app. */
const documentedBodies = Object.fromEntries(actionRouteNames.map((name) => [name, actionSpecs[name].schema.meta({ examples: [actionSpecs[name].example] })]));

const actionRoutes: FastifyPluginAsyncZod = async (app) => {
  for (const name of actionRouteNames) {
    const spec = actionSpecs[name];
    const access = routeAccess[name];
    app.route({
      ...access,
      config: { access: name },
      schema: {
        tags: ['actions'],
        summary: spec.summary,
        description: `Allowed to: ${access.roles.join(', ')}. Runs the \`${spec.update.name}\` Workflow Update; the case's workflow checks the stage, the deadlines and the person.`,
        security: bearerSecurity,
        headers: idempotencyHeaders,
        params: spec.measure ? measureParams : caseParams,
        body: documentedBodies[name] ?? spec.schema,
        response: { 200: ok(caseStateSchema, 'The action was applied; the new case state.'), ...problemResponses(...bodyProblems, 404, 409, ...commonProblems) },
      },
      handler: async (request) => {
        const actor = actorOf(request);
        const params = request.params as { caseId: string; measureId?: string };
        const input = spec.measure ? { ...(request.body as object), measureId: params.measureId } : request.body;
        const updateId = updateIdFor(name, actor.sub, request.headers);
        const state = await app.cases.act(spec.update as CaseUpdate<unknown>, params.caseId, actor, input, updateId);
        request.log.info({ caseId: params.caseId, action: name, stage: state.stage }, 'action applied');
        // The workflow already refused strangers; this keeps a response from ever reaching one.
        if (!canSeeCase(actor, state)) throw new CaseNotFoundError(params.caseId);
        return stateBody(state);
      },
    });
  }
};

export default actionRoutes;
