/** Liveness and readiness probes: no token, no rate limit, nothing internal in the answer. */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { ProblemError } from '../problems';
import { healthSchema, ok, problemResponses, readySchema } from '../schemas';

const CHECK_TIMEOUT_MS = 3_000;

function within<T>(ms: number, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

const healthRoutes: FastifyPluginAsyncZod = async (app) => {
  /** Liveness: the process answers. */
  app.get(
    '/healthz',
    { schema: { tags: ['operations'], summary: 'Liveness: the process answers.', response: { 200: ok(healthSchema, 'Alive.') } }, config: { rateLimit: false } },
    async () => ({ status: 'ok' as const }),
  );

  /** Readiness: every probe of app.readiness (Temporal, a worker polling, the record store where used) answers. */
  app.get(
    '/readyz',
    {
      schema: { tags: ['operations'], summary: 'Readiness: Temporal answers and a worker polls the case task queue.', response: { 200: ok(readySchema, 'Ready to serve.'), ...problemResponses(503) } },
      config: { rateLimit: false },
    },
    async (request) => {
      const probes = Object.entries(app.readiness);
      const names = probes.map(([name]) => name);
      const results = await Promise.allSettled(probes.map(([, probe]) => within(CHECK_TIMEOUT_MS, Promise.resolve().then(probe))));
      const checks: Record<string, 'ok' | 'failed'> = {};
      results.forEach((r, i) => {
        const name = names[i] as string;
        checks[name] = r.status === 'fulfilled' ? 'ok' : 'failed';
        if (r.status === 'rejected') request.log.warn({ check: name, err: r.reason }, 'readiness check failed');
      });
      if (Object.values(checks).includes('failed')) throw new ProblemError('unavailable', 'Not ready: a dependency does not answer.', { checks, headers: { 'retry-after': '5' } });
      return { status: 'ready' as const, checks: checks as Record<string, 'ok'> };
    },
  );
};

export default healthRoutes;
