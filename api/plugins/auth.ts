/**
 * Authentication and the role matrix. Every /v1 route names its row of `routeAccess` in
 * `config.access`; the token is verified on request (so the rate limit can key on its subject) and
 * the row is enforced before the body is read, so an unauthorised caller never gets as far as
 * validation.
 */
import fp from 'fastify-plugin';
import type { Actor } from '../../domain/case';
import { bodyKindLabels, roleLabels } from '../../domain/labels';
import { bodyKindOfRole, type Registry } from '../../domain/registry';
import { accessRow, codecAccess, mayCall, type AccessName } from '../access';
import { bilingual, type Bilingual } from '../i18n';
import { ProblemError } from '../problems';
import { sessionTokenOf } from '../session';
import { createVerifier, TokenError } from '../tokens';

declare module 'fastify' {
  interface FastifyRequest {
    /** The verified caller, or null on routes that need no token and when the token is missing or bad. */
    actor: Actor | null;
    /** Why the token was refused, when that may be told to the caller. */
    tokenRefusal: Bilingual | null;
    /** True when the actor comes from the session cookie (codec endpoint only), not a bearer token. */
    session: boolean;
  }
  interface FastifyContextConfig {
    /** The route's row of the role matrix (or of the codec endpoint); absent only on public routes (health, docs, CORS preflight). */
    access?: AccessName;
  }
}

/** The bearer scheme, whose name is case-insensitive (RFC 7235, 2.1), then a compact JWS. */
const BEARER = /^Bearer +([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+) *$/i;

/**
 * Every caller but an expert acts for one body of the registry, named by the token's `unit` claim,
 * whose kind fits the role; the body's locality joins the actor and decides what it may see.
 */
export function withBody(actor: Actor, registry: Registry): Actor {
  if (actor.role === 'expert') return actor;
  if (!actor.unit) {
    throw new ProblemError('unauthorized', bilingual('The token names no body: the unit claim is required for every role but expert.', '令牌未注明所属机构：除专家外，每个角色的令牌都须含 unit 声明。'), {
      headers: { 'www-authenticate': 'Bearer realm="rongcuo", error="invalid_token"' },
    });
  }
  const body = registry.body(actor.unit);
  const kind = bodyKindOfRole[actor.role];
  if (!body || body.kind !== kind) {
    throw new ProblemError('forbidden', bilingual(`${actor.unit} is not a registered ${kind} body, so it cannot act as ${actor.role}.`, `${actor.unit} 不是登记册中的${bodyKindLabels[kind]}，不能以${roleLabels[actor.role]}身份办理。`));
  }
  return { ...actor, locality: body.locality };
}

/** The caller behind a route that needs one; the role matrix has let it through. */
export function actorOf(request: { actor: Actor | null }): Actor {
  if (!request.actor) throw new ProblemError('unauthorized');
  return request.actor;
}

export default fp(
  async (app) => {
    const verify = createVerifier(app.config);

    app.decorateRequest('actor', null);
    app.decorateRequest('tokenRefusal', null);
    app.decorateRequest('session', false);
    const sessionOrigins = new Set(app.config.codecCorsOrigins);

    // Routes and the table must agree, and no /v1 route may be left out of it.
    app.addHook('onRoute', (route) => {
      const access = route.config?.access;
      if (!access) {
        const preflight = route.method === 'OPTIONS';
        if (route.url.startsWith('/v1') || (route.url.startsWith('/codec') && !preflight)) throw new Error(`route ${route.method} ${route.url} has no access row`);
        return;
      }
      const row = accessRow(access);
      const methods = Array.isArray(route.method) ? route.method : [route.method];
      if (row.url !== route.url || !methods.every((m) => m === row.method || m === 'HEAD')) {
        throw new Error(`route ${route.method} ${route.url} does not match access row ${access} (${row.method} ${row.url})`);
      }
    });

    app.addHook('onRequest', async (request) => {
      const access = request.routeOptions.config.access;
      if (!access) return;
      const match = BEARER.exec(request.headers.authorization ?? '');
      let token = match?.[1];
      // The codec endpoint also takes the sign-in page's session cookie, from the Temporal UI's origins
      // only: a page elsewhere cannot have a decode made in a signed-in user's name.
      if (!token && request.headers.authorization === undefined && access in codecAccess && sessionOrigins.has(request.headers.origin ?? '')) {
        token = sessionTokenOf(request.headers.cookie);
        request.session = token !== undefined;
      }
      if (!token) return;
      try {
        request.actor = await verify(token);
      } catch (err) {
        request.log.info({ reason: (err as Error).message }, 'bearer token rejected');
        if (err instanceof TokenError && err.detail) request.tokenRefusal = err.detail;
      }
    });

    app.addHook('preParsing', async (request, _reply, payload) => {
      const access = request.routeOptions.config.access;
      if (!access) return payload;
      if (!request.actor) {
        const max = app.config.jwtMaxLifetimeSeconds;
        const rule =
          access in codecAccess
            ? bilingual(
                `Send a valid, unexpired bearer token with iat and exp, living at most ${max} seconds, or sign in at /signin and call from the Temporal UI with credentials included.`,
                `请发送有效且未过期的持有者令牌（须含 iat 和 exp，有效期不超过 ${max} 秒），或在 /signin 登录后从 Temporal 界面带凭据调用。`,
              )
            : bilingual(`Send a valid, unexpired bearer token with iat and exp, living at most ${max} seconds.`, `请发送有效且未过期的持有者令牌，须含 iat 和 exp，有效期不超过 ${max} 秒。`);
        const why = request.tokenRefusal;
        throw new ProblemError('unauthorized', why ? bilingual(`${why.en} ${rule.en}`, `${why.zh}${rule.zh}`) : rule, {
          headers: { 'www-authenticate': 'Bearer realm="rongcuo"' },
        });
      }
      if (!mayCall(access, request.actor.role)) {
        const row = accessRow(access);
        throw new ProblemError('forbidden', bilingual(`The ${request.actor.role} role may not call ${row.method} ${row.url}.`, `${request.actor.role} 角色无权调用 ${row.method} ${row.url}。`));
      }
      request.actor = await withBody(request.actor, await app.registry.current());
      return payload;
    });
  },
  { name: 'auth', dependencies: ['services'] },
);
