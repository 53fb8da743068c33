/**
 * The OpenAPI document, generated from the same zod schemas that validate requests, served at
 * /openapi.json, with Swagger UI at /docs.
 */
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import fp from 'fastify-plugin';
import { jsonSchemaTransform, jsonSchemaTransformObject } from 'fastify-type-provider-zod';
import { PROBLEM_BASE } from '../problems';

/** The base URL clients use: API_PUBLIC_URL, else the listening address. */
export function publicBaseUrl(config: { apiPublicUrl?: string | undefined; apiHost: string; apiPort: number }): string {
  return (config.apiPublicUrl ?? `http://${config.apiHost}:${config.apiPort}`).replace(/\/+$/, '');
}

export default fp(
  async (app) => {
    await app.register(swagger, {
      openapi: {
        openapi: '3.1.0',
        info: {
          title: 'rongcuo — 容错纠错 casework API',
          version: '1.0.0',
          description: [
            'Open and work cases of the 容错纠错 mechanism (tolerating, correcting and revisiting officials’ honest mistakes).',
            'Every case is a long-running Temporal workflow; each action below is a Workflow Update that answers with the new case state.',
            '',
            `Errors are RFC 9457 problem documents (application/problem+json) whose \`type\` is one of ${PROBLEM_BASE}<kind>.`,
            'Send `Idempotency-Key` on writes to make retries safe.',
          ].join('\n'),
        },
        servers: [{ url: publicBaseUrl(app.config) }],
        components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } } },
        tags: [
          { name: 'cases', description: 'Open, list and read cases' },
          { name: 'actions', description: 'Human actions on a case (Workflow Updates)' },
          { name: 'tasks', description: 'The caller’s inbox' },
          { name: 'policies', description: 'Loaded policy documents' },
          { name: 'admin', description: 'The registry of localities, bodies and cadres, and its audit (admins only)' },
          { name: 'cadres', description: 'A cadre’s history in the record system' },
          { name: 'library', description: 'The typical-case library: anonymized accounts of closed cases, proposed, approved and read' },
          { name: 'operations', description: 'Health, readiness and this document' },
        ],
      },
      transform: jsonSchemaTransform,
      transformObject: jsonSchemaTransformObject,
    });

    await app.register(swaggerUi, { routePrefix: '/docs', staticCSP: true, uiConfig: { deepLinking: true } });

    app.get(
      '/openapi.json',
      { schema: { tags: ['operations'], summary: 'This OpenAPI document.' }, config: { rateLimit: false } },
      async () => app.swagger(),
    );
  },
  { name: 'docs', dependencies: ['services'] },
);
