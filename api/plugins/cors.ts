/**
 * CORS for the routes a browser page on another origin calls: the codec endpoint, which the Temporal
 * UI calls from its own origin. Only the origins in CODEC_CORS_ORIGINS are answered with
 * Access-Control-Allow-Origin; for any other origin the headers are left out and the browser refuses
 * the page the answer. Routes opt in with `config: { cors: true }`; every other route sends no CORS
 * header at all. The hook runs before authentication and the rate limit, so a 401, 403 or 429 is
 * readable by the page too.
 */
import fp from 'fastify-plugin';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Answer allowed browser origins (CODEC_CORS_ORIGINS). */
    cors?: boolean;
  }
}

/** Request headers a page may send: the body's type, Temporal UI's namespace, the bearer token. */
export const CORS_ALLOWED_HEADERS = 'content-type, x-namespace, authorization';
export const CORS_ALLOWED_METHODS = 'POST, OPTIONS';
/** How long a browser may reuse a preflight answer, in seconds. */
export const CORS_MAX_AGE = 600;

export default fp(
  async (app) => {
    const allowed = new Set(app.config.codecCorsOrigins);

    app.addHook('onRequest', async (request, reply) => {
      if (!request.routeOptions.config.cors) return;
      // Caches must keep answers for different origins apart, allowed or not.
      reply.header('vary', 'Origin');
      const origin = request.headers.origin;
      if (!origin || !allowed.has(origin)) return;
      reply.header('access-control-allow-origin', origin);
      // The Temporal UI sends credentials (its "include cross-origin credentials" setting): the
      // session cookie of /signin, which the codec endpoint accepts from these origins only.
      reply.header('access-control-allow-credentials', 'true');
      reply.header('access-control-expose-headers', 'x-request-id');
      if (request.method === 'OPTIONS') {
        reply.header('access-control-allow-methods', CORS_ALLOWED_METHODS);
        reply.header('access-control-allow-headers', CORS_ALLOWED_HEADERS);
        reply.header('access-control-max-age', String(CORS_MAX_AGE));
      }
    });
  },
  { name: 'cors', dependencies: ['services'] },
);
