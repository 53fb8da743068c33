/** The caller's inbox: the open cases waiting for it, with its tasks, soonest due first, from the read model. */
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
      summary: 'My tasks: open cases awaiting me, soonest due first, a page at a time.',
      description:
        'Every case with a task open now for the caller’s role that the caller may act on: a unit’s own cases; an expert’s where it is invited and assigned; a body’s cases in its locality and below, and of a task that names a body (a revisit: the body that made the ruling) only that body’s. A task that opens later (a revisit months ahead) is not listed until it opens. Ordered by each case’s soonest-due task, then case id; complete, paged with an opaque cursor. Read from the read model in the record system, which follows each case by its record activity: `asOf` and `recordedAt` on every item say how recent it is.',
      security: bearerSecurity,
      querystring: inboxQuery,
      response: { 200: ok(inboxSchema, 'One page of the cases waiting for me, soonest due first; pass nextCursor back as cursor for the next.'), ...problemResponses(400, ...commonProblems) },
    },
    handler: async (request) => app.readModel.inbox(actorOf(request), { limit: request.query.limit, cursor: request.query.cursor }, app.now()),
  });
};

export default taskRoutes;
