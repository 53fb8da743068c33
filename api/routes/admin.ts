/**
 * The registry's administration, for admins: the registry of the admin's jurisdiction as a document
 * `registry:load` takes, localities, bodies and cadres created or updated by code (retired with
 * `retired: true`; nothing is ever deleted), and the audit of every change. Each change is decided on
 * the registry as the record system holds it, written and audited in one transaction, and this
 * process serves the new registry at once (others within REGISTRY_TTL_MS).
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { unitCodeSchema } from '../../domain/case';
import { bodySchema, cadreIdSchema, cadreSchema, localitySchema, registryDocumentSchema } from '../../domain/registry';
import { changeActions, normalized, registryEntities, registryWithin, type RegistryChange } from '../../domain/registry/changes';
import { RegistryChangeRefused } from '../../activities/records/registry';
import { adminAccess, type AdminRouteName } from '../access';
import { bilingual } from '../i18n';
import { actorOf } from '../plugins/auth';
import { ProblemError, type LocalFieldError } from '../problems';
import type { RegistryAdmin } from '../registry';
import { bearerSecurity, bodyProblems, commonProblems, ok, problemResponses } from '../schemas';

export interface AdminRouteOptions {
  admin: RegistryAdmin;
}

const entrySchema = z.union([localitySchema, bodySchema, cadreSchema]);

export const registryAuditEntrySchema = z
  .object({
    id: z.number().int(),
    at: z.string().describe('When, as an ISO 8601 instant.'),
    by: z.object({ sub: z.string(), role: z.string().optional(), body: z.string().optional() }).describe('Who: the subject, role and body of the admin, or the operator of registry:load.'),
    source: z.string().describe('`api`, or the file registry:load loaded.'),
    entity: z.enum(registryEntities),
    code: z.string().describe('The code of the locality or body, the id of the cadre.'),
    action: z.enum(changeActions),
    before: entrySchema.optional().describe('The entry before the change; absent when it was created.'),
    after: entrySchema,
  })
  .meta({ id: 'RegistryAuditEntry', description: 'One change of the registry, as audited.' });

const changeResultSchema = z
  .object({
    changed: z.boolean().describe('False when the entry already was as sent: nothing was written or audited.'),
    entry: entrySchema,
    audit: registryAuditEntrySchema.optional(),
  })
  .meta({ id: 'RegistryChangeResult' });

const auditPageSchema = z.object({ items: z.array(registryAuditEntrySchema), nextCursor: z.string().optional() });
const auditQuery = z
  .object({
    limit: z.coerce.number().int().min(1).max(200).default(50),
    cursor: z.string().regex(/^[1-9][0-9]{0,9}$/, '`nextCursor` of the previous page').optional().describe('`nextCursor` of the previous page.'),
  })
  .strict();

const documentResponse = registryDocumentSchema.meta({ id: 'RegistryDocument', description: 'A registry document, in the format registry:load takes (README "The registry").' });

/** The PUT routes: one per entity, the body its schema without the key, which is the path's. */
const upserts = [
  {
    name: 'adminLocality',
    entity: 'locality',
    key: 'code',
    params: z.object({ code: unitCodeSchema }),
    body: localitySchema.omit({ code: true }).meta({ id: 'LocalityInput', examples: [{ name: '苏州市', parent: 'JS' }] }),
    summary: 'Create or update a locality of my jurisdiction (a city or county; its parent must be in my jurisdiction).',
  },
  {
    name: 'adminBody',
    entity: 'body',
    key: 'code',
    params: z.object({ code: unitCodeSchema }),
    body: bodySchema.omit({ code: true }).meta({ id: 'BodyInput', examples: [{ name: '昆山市发展和改革委员会', kind: 'unit', locality: 'JS-SZ-KS' }] }),
    summary: 'Create or update a body (unit or department) of my jurisdiction; `retired: true` retires it.',
  },
  {
    name: 'adminCadre',
    entity: 'cadre',
    key: 'id',
    params: z.object({ id: cadreIdSchema }),
    body: cadreSchema.omit({ id: true }).meta({ id: 'CadreInput', examples: [{ name: '王芳', unit: 'JS-SZ-KS-ZWB' }] }),
    summary: 'Create or update a cadre of a unit of my jurisdiction; `retired: true` retires the cadre.',
  },
] as const satisfies readonly { name: AdminRouteName; entity: RegistryChange['entity']; key: string; params: z.ZodType; body: z.ZodType; summary: string }[];

/** A refusal as a problem document: each reason, on the field it is about. */
function problemOf(err: RegistryChangeRefused, key: string): ProblemError {
  const { reason, issues } = err.refusal;
  const errors: LocalFieldError[] = issues.map((i) => ({
    path: i.field === undefined ? 'body' : i.field === key || i.field === 'code' || i.field === 'id' ? `params.${key}` : `body.${i.field}`,
    message: bilingual(i.en, i.zh),
  }));
  return new ProblemError(reason, bilingual(issues.map((i) => i.en).join(' '), issues.map((i) => i.zh).join('')), { errors });
}

const adminRoutes: FastifyPluginAsyncZod<AdminRouteOptions> = async (app, { admin }) => {
  /** The registry of the admin's jurisdiction, as a document registry:load takes. */
  app.route({
    ...adminAccess.adminRegistry,
    config: { access: 'adminRegistry' },
    schema: {
      tags: ['admin'],
      summary: 'The registry of my jurisdiction, as a document registry:load takes.',
      description:
        'The localities from my body’s locality down with the localities above it (so every parent is there), and the bodies and cadres of the localities from mine down, as the record system holds them now. Loading it again with `npm run registry:load` changes nothing.',
      security: bearerSecurity,
      response: { 200: ok(documentResponse, 'The registry document.'), ...problemResponses(...commonProblems) },
    },
    handler: async (request) => registryWithin(await admin.read(), actorOf(request).locality!),
  });

  for (const route of upserts) {
    app.route({
      ...adminAccess[route.name],
      config: { access: route.name },
      schema: {
        tags: ['admin'],
        summary: route.summary,
        description:
          'An upsert by the key in the path: the body is the whole entry (an omitted `retired` reinstates). Refused with nothing written when the entry is outside my jurisdiction before or after (403 `outsideJurisdiction`), or when the registry would not stay whole — an unknown parent, locality or unit, a code used twice, a cycle, a change of kind, a locality no body of some kind would serve any more, an active cadre in a retired unit (422 `registryRejected`). Every change is audited; a body sent as it is changes nothing.',
        security: bearerSecurity,
        params: route.params,
        body: route.body,
        response: {
          200: ok(changeResultSchema, 'The entry was updated (or already was as sent).'),
          201: ok(changeResultSchema, 'The entry was created.'),
          ...problemResponses(...bodyProblems, 422, ...commonProblems),
        },
      },
      handler: async (request, reply) => {
        const actor = actorOf(request);
        const params = request.params as Record<string, string>;
        const value = { [route.key]: params[route.key], ...(request.body as object) };
        const change = { entity: route.entity, value } as RegistryChange;
        let audit;
        try {
          audit = await admin.apply(change, actor.locality!, { sub: actor.sub, role: actor.role, body: actor.unit, source: 'api' });
        } catch (err) {
          if (err instanceof RegistryChangeRefused) throw problemOf(err, route.key);
          throw err;
        }
        if (audit) {
          app.registry.invalidate?.();
          // the audit id, not the code: a cadre's id is personal
          request.log.info({ entity: route.entity, action: audit.action, auditId: audit.id }, 'registry changed');
        }
        return reply.code(audit?.action === 'create' ? 201 : 200).send({ changed: audit !== undefined, entry: audit?.after ?? normalized(change.value), ...(audit ? { audit } : {}) });
      },
    });
  }

  /** The audit of the registry's changes within the admin's jurisdiction, newest first. */
  app.route({
    ...adminAccess.adminAudit,
    config: { access: 'adminAudit' },
    schema: {
      tags: ['admin'],
      summary: 'The changes of the registry within my jurisdiction, newest first (through the API and registry:load).',
      security: bearerSecurity,
      querystring: auditQuery,
      response: { 200: ok(auditPageSchema, 'One page of changes; pass nextCursor back as cursor for the next.'), ...problemResponses(400, ...commonProblems) },
    },
    handler: async (request) => {
      const { limit, cursor } = request.query;
      const page = await admin.audit(actorOf(request).locality!, { limit, before: cursor === undefined ? undefined : Number(cursor) });
      return { items: page.items, ...(page.next !== undefined ? { nextCursor: String(page.next) } : {}) };
    },
  });
};

export default adminRoutes;
