/** The loaded policy documents (PolicyRegistry): public data every role may read. */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { routeAccess } from '../access';
import { ProblemError } from '../problems';
import { bearerSecurity, commonProblems, policyListSchema, ok, policyParams, policyResponse, problemResponses } from '../schemas';

const policyRoutes: FastifyPluginAsyncZod = async (app) => {
  app.route({
    ...routeAccess.listPolicies,
    config: { access: 'listPolicies' },
    schema: {
      tags: ['policies'],
      summary: 'The loaded policies, by version.',
      security: bearerSecurity,
      response: { 200: ok(policyListSchema, 'Every loaded policy.'), ...problemResponses(...commonProblems) },
    },
    handler: async () => ({ items: app.policies.list() }),
  });

  app.route({
    ...routeAccess.getPolicy,
    config: { access: 'getPolicy' },
    schema: {
      tags: ['policies'],
      summary: 'One policy version (e.g. default@2025.1).',
      security: bearerSecurity,
      params: policyParams,
      response: { 200: ok(policyResponse, 'The policy document.'), ...problemResponses(400, 404, ...commonProblems) },
    },
    handler: async (request) => {
      const policy = app.policies.get(request.params.version);
      if (!policy) throw new ProblemError('notFound', 'No policy of this version is loaded.');
      return policy;
    },
  });
};

export default policyRoutes;
