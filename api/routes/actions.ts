/** The action routes, one per action spec: each runs its Workflow Update as the caller and answers with the new state. */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { roleLabels } from '../../domain/labels';
import { actionNames, actionSpec, type ActionName } from '../../workflows/case/actions';
import { stagesOf } from '../../workflows/case/transitions';
import { canSeeCase, routeAccess } from '../access';
import { clientTokenPattern, requestDigest } from '../ids';
import { actorOf } from '../plugins/auth';
import { CaseNotFoundError } from '../problems';
import { bearerSecurity, bodyProblems, caseParams, caseStateSchema, commonProblems, idempotencyHeaders, measureParams, ok, problemResponses } from '../schemas';

/**
 * The retry key of a request: its Idempotency-Key, else its own (safe) X-Request-Id, prefixed with
 * the route and the caller so two routes or two people never share one. Without either, Temporal
 * draws a fresh Update id and a retry is a new action.
 */
export function requestKeyFor(route: ActionName, sub: string, headers: Record<string, unknown>): string | undefined {
  const key = headers['idempotency-key'];
  const requestId = headers['x-request-id'];
  const chosen = typeof key === 'string' ? key : typeof requestId === 'string' && clientTokenPattern.test(requestId) ? requestId : undefined;
  return chosen === undefined ? undefined : `${route}:${sub}:${chosen}`;
}

const actionRoutes: FastifyPluginAsyncZod = async (app) => {
  for (const name of actionNames) {
    const spec = actionSpec(name);
    const access = routeAccess[name];
    app.route({
      ...access,
      config: { access: name },
      schema: {
        tags: ['actions'],
        summary: spec.summary,
        description: `Allowed to: ${spec.roles.map((r) => `${r} (${roleLabels[r]})`).join(', ')}, while the case is ${stagesOf(name).map((s) => `\`${s}\``).join(' or ')}. Runs the \`${spec.update.name}\` Workflow Update; the case checks the stage, the deadlines and the person. A retry with the same Idempotency-Key and body is applied once; the same key with another body is refused (409 \`idempotencyConflict\`).`,
        security: bearerSecurity,
        headers: idempotencyHeaders,
        params: spec.path.includes(':measureId') ? measureParams : caseParams,
        body: spec.body.meta({ examples: [spec.example] }),
        response: { 200: ok(caseStateSchema, 'The action was applied; the new case state.'), ...problemResponses(...bodyProblems, 404, 409, ...commonProblems) },
      },
      handler: async (request) => {
        const actor = actorOf(request);
        const params = request.params as { caseId: string; measureId?: string };
        const input = params.measureId !== undefined ? { ...(request.body as object), measureId: params.measureId } : request.body;
        const key = requestKeyFor(name, actor.sub, request.headers);
        const state = await app.cases.act(spec.update, params.caseId, actor, input, key ? { key, digest: requestDigest({ name, input }) } : undefined);
        request.log.info({ caseId: params.caseId, action: name, stage: state.stage }, 'action applied');
        // The workflow already refused strangers; this keeps a response from ever reaching one.
        if (!canSeeCase(actor, state)) throw new CaseNotFoundError(params.caseId);
        return state;
      },
    });
  }
};

export default actionRoutes;
