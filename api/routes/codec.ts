/**
 * The codec endpoint, per Temporal's codec-server protocol: the Temporal UI (its codec endpoint
 * setting, `temporal server start-dev --ui-codec-endpoint <API>/codec`) and the CLI
 * (`--codec-endpoint <API>/codec --codec-auth "Bearer <token>"`) POST the JSON form of Payloads to
 * /codec/decode to show encrypted histories, and to /codec/encode to send input. The caller's bearer
 * token is verified like on every other route, or, from a browser on an origin of CODEC_CORS_ORIGINS,
 * the session cookie of the sign-in page (api/session.ts); only supervisors and organization
 * departments may use it (see `codecAccess`), and `mayDecode` decides each payload: one of a case
 * outside the caller's jurisdiction is answered still encrypted. Browsers on the origins of CODEC_CORS_ORIGINS may call it (plugins/cors.ts).
 */
import type { Payload, PayloadCodec } from '@temporalio/common';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { LRUCache } from 'lru-cache';
import type { z } from 'zod';
import { decodeWith, encodeWith, PayloadDecryptionError } from '../../common/codec';
import type { Actor } from '../../domain/case';
import type { Registry } from '../../domain/registry';
import { codecAccess, mayDecode, payloadCase } from '../access';
import type { CaseGateway } from '../gateway';
import { actorOf } from '../plugins/auth';
import { CaseNotFoundError, ProblemError } from '../problems';
import { bearerSecurity, bodyProblems, codecHeaders, commonProblems, ok, payloadsSchema, problemResponses, type jsonPayloadSchema } from '../schemas';

/**
 * The Temporal UI sends the payloads of a whole event at a time; a single payload may be up to the
 * server's 2 MB blob limit, which is 2.7 MB in base64.
 */
export const CODEC_BODY_LIMIT = 8 * 1024 * 1024;

export interface CodecRouteOptions {
  payloadCodecs: readonly PayloadCodec[];
}

type JSONPayload = z.infer<typeof jsonPayloadSchema>;

function fromJSON(json: JSONPayload): Payload {
  const payload: Payload = {};
  if (json.metadata) payload.metadata = Object.fromEntries(Object.entries(json.metadata).map(([k, v]) => [k, new Uint8Array(Buffer.from(v, 'base64'))]));
  if (json.data) payload.data = new Uint8Array(Buffer.from(json.data, 'base64'));
  return payload;
}

function toJSON(payload: Payload): { metadata?: Record<string, string>; data?: string } {
  const out: { metadata?: Record<string, string>; data?: string } = {};
  if (payload.metadata) out.metadata = Object.fromEntries(Object.entries(payload.metadata).map(([k, v]) => [k, Buffer.from(v ?? new Uint8Array()).toString('base64')]));
  if (payload.data && payload.data.length > 0) out.data = Buffer.from(payload.data).toString('base64');
  return out;
}

/** The JSON value of a decrypted payload, when it is JSON (the SDK's `json/plain`); undefined otherwise. */
function jsonValue(payload: Payload): unknown {
  const encoding = payload.metadata?.encoding ? Buffer.from(payload.metadata.encoding).toString() : undefined;
  if (encoding !== 'json/plain' || !payload.data) return undefined;
  try {
    return JSON.parse(Buffer.from(payload.data).toString('utf8')) as unknown;
  } catch {
    return undefined;
  }
}

/**
 * Where the cases a payload belongs to are: the localities of each, from what the payload states or,
 * for a payload that names only its case, from the case itself (its pinned jurisdiction, else its
 * unit's place in the registry). A case's place never changes, so it is remembered. `null`: a named
 * case or unit this API does not know, which no one may decode.
 */
function caseLocalities(cases: CaseGateway) {
  const known = new LRUCache<string, string[] | 'unknown'>({ max: 10_000 });
  const ofCase = async (caseId: string, registry: Registry): Promise<string[] | undefined> => {
    const hit = known.get(caseId);
    if (hit) return hit === 'unknown' ? undefined : hit;
    try {
      const state = await cases.get(caseId);
      const path = state.jurisdiction?.path ?? registry.jurisdictionOf(state.unitCode)?.path;
      known.set(caseId, path ?? 'unknown');
      return path;
    } catch (err) {
      if (err instanceof CaseNotFoundError) return undefined;
      throw err;
    }
  };
  return async (value: unknown, registry: Registry): Promise<string[][] | null> => {
    const named = payloadCase(value);
    const paths = [...named.paths];
    for (const unitCode of named.unitCodes) {
      const path = registry.jurisdictionOf(unitCode)?.path;
      if (!path) return null;
      paths.push(path);
    }
    if (paths.length === 0) {
      for (const caseId of new Set(named.caseIds)) {
        const path = await ofCase(caseId, registry);
        if (!path) return null;
        paths.push(path);
      }
    }
    return paths;
  };
}

/** Whether `actor`'s locality is a root of the registry: its jurisdiction is every locality. */
function overseesAll(actor: Actor, registry: Registry): boolean {
  const locality = actor.locality ? registry.locality(actor.locality) : undefined;
  return locality !== undefined && !locality.parent;
}

const codecRoutes: FastifyPluginAsyncZod<CodecRouteOptions> = async (app, { payloadCodecs }) => {
  const codecs = [...payloadCodecs];
  const localitiesOf = caseLocalities(app.cases);

  for (const [name, direction] of [
    ['codecDecode', 'decode'],
    ['codecEncode', 'encode'],
  ] as const) {
    const row = codecAccess[name];

    app.route({
      ...row,
      bodyLimit: CODEC_BODY_LIMIT,
      config: { access: name, cors: true },
      schema: {
        tags: ['operations'],
        summary:
          direction === 'decode'
            ? 'Codec server: decrypt payloads for the Temporal UI or CLI (supervisor, organization).'
            : 'Codec server: encrypt payloads for the Temporal UI or CLI (supervisor, organization).',
        description:
          'Temporal’s remote codec protocol. The body is the JSON form of Payloads; the answer has the same shape and order. Payloads that are not encrypted pass through unchanged. Send the bearer token (the Temporal UI’s “pass access token” setting, the CLI’s --codec-auth), or, from a page on an origin of CODEC_CORS_ORIGINS, the session cookie of /signin (the UI’s “include cross-origin credentials” setting).',
        security: bearerSecurity,
        headers: codecHeaders,
        body: payloadsSchema,
        response: { 200: ok(payloadsSchema, direction === 'decode' ? 'The payloads, decrypted.' : 'The payloads, encrypted.'), ...problemResponses(...bodyProblems, 422, ...commonProblems) },
      },
      handler: async (request) => {
        const payloads = request.body.payloads.map(fromJSON);
        const namespace = typeof request.headers['x-namespace'] === 'string' ? request.headers['x-namespace'] : undefined;
        let out: Payload[];
        try {
          out = direction === 'decode' ? await decodeWith(codecs, payloads) : await encodeWith(codecs, payloads);
        } catch (err) {
          if (err instanceof PayloadDecryptionError) throw new ProblemError('undecryptablePayload', err.message);
          throw err;
        }
        let withheld = 0;
        if (direction === 'decode') {
          // A payload of a case outside the caller's jurisdiction goes back as it came: encrypted.
          const actor = actorOf(request);
          const registry = await app.registry.current();
          const all = overseesAll(actor, registry);
          out = await Promise.all(
            out.map(async (decoded, i) => {
              const original = payloads[i]!;
              if (decoded === original) return decoded;
              const cases = await localitiesOf(jsonValue(decoded), registry);
              if (cases && mayDecode(actor, cases, all)) return decoded;
              withheld++;
              return original;
            }),
          );
        }
        request.log.info({ direction, payloads: out.length, withheld, namespace, sub: request.actor?.sub, via: request.session ? 'session' : 'bearer' }, 'codec request');
        return { payloads: out.map(toJSON) };
      },
    });

    // The browser's preflight: no token, no body, no rate limit; the cors hook writes the answer's headers.
    app.route({
      method: 'OPTIONS',
      url: row.url,
      schema: { hide: true },
      config: { cors: true, rateLimit: false },
      handler: async (_request, reply) => reply.code(204).send(),
    });
  }
};

export default codecRoutes;
