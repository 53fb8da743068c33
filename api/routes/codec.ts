/**
 * The codec endpoint, per Temporal's codec-server protocol: the Temporal UI (its codec endpoint
 * setting, `temporal server start-dev --ui-codec-endpoint <API>/codec`) and the CLI
 * (`--codec-endpoint <API>/codec --codec-auth "Bearer <token>"`) POST the JSON form of Payloads to
 * /codec/decode to show encrypted histories, and to /codec/encode to send input. The caller's bearer
 * token is verified like on every other route, or, from a browser on an origin of CODEC_CORS_ORIGINS,
 * the session cookie of the sign-in page (api/session.ts); only supervisors and organization
 * departments may use it (see `codecAccess`), and `mayDecode` decides each decode request. Browsers on the origins of CODEC_CORS_ORIGINS may call it (plugins/cors.ts).
 */
import type { Payload, PayloadCodec } from '@temporalio/common';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { z } from 'zod';
import { decodeWith, encodeWith, PayloadDecryptionError } from '../../common/codec';
import { codecAccess, mayDecode } from '../access';
import { actorOf } from '../plugins/auth';
import { ProblemError } from '../problems';
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

const codecRoutes: FastifyPluginAsyncZod<CodecRouteOptions> = async (app, { payloadCodecs }) => {
  const codecs = [...payloadCodecs];

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
        if (direction === 'decode' && !mayDecode(actorOf(request), { namespace })) throw new ProblemError('forbidden');
        try {
          const out = direction === 'decode' ? await decodeWith(codecs, payloads) : await encodeWith(codecs, payloads);
          request.log.info({ direction, payloads: out.length, namespace, sub: request.actor?.sub, via: request.session ? 'session' : 'bearer' }, 'codec request');
          return { payloads: out.map(toJSON) };
        } catch (err) {
          if (err instanceof PayloadDecryptionError) throw new ProblemError('undecryptablePayload', err.message);
          throw err;
        }
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
