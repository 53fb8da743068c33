/** The caller's inbox: the open cases waiting for its role, with its tasks, soonest due first. */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { routeAccess } from '../access';
import { actorOf } from '../plugins/auth';
import { bearerSecurity, commonProblems, inboxQuery, inboxSchema, ok, problemResponses } from '../schemas';

const taskRoutes: FastifyPluginAsyncZod = async (app) => {
  app.route({
    ...routeAccess.tasks,
    config: { access: 'tasks' },
    schema: {
      tags: ['tasks'],
      summary: 'My tasks: open cases awaiting my role (my unit’s; an expert’s only where invited), soonest due first.',
      security: bearerSecurity,
      querystring: inboxQuery,
      response: { 200: ok(inboxSchema, 'The cases waiting for me, soonest due first.'), ...problemResponses(400, ...commonProblems) },
    },
    handler: async (request) => ({ items: await app.cases.inbox(actorOf(request), request.query.limit) }),
  });
};

export default taskRoutes;
