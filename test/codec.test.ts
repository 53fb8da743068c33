/**
 * Payload encryption: the AES-256-GCM codec (round trip, tampering, unknown keys, rotation, plain
 * payloads passing through), its settings and the embedded key file; a case on the dev server whose
 * history holds no personal data in the clear while the API reads it; and the codec endpoint the
 * Temporal UI and CLI call (roles, CORS, errors), over inject and through the real Temporal CLI.
 */
import { execFile, spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { inspect, promisify } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import { defaultPayloadConverter, METADATA_ENCODING_KEY, type Payload } from '@temporalio/common';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { msToTs } from '@temporalio/common/lib/time';
import { NativeConnection, type Worker } from '@temporalio/worker';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { createActivities } from '../activities';
import { buildApp } from '../api/app';
import { createTemporalGateway, type CaseGateway } from '../api/gateway';
import { CaseNotFoundError, PROBLEM_BASE } from '../api/problems';
import { sampleApplication } from '../api/schemas';
import { demoRegistry, staticRegistry } from '../api/registry';
import { Registry } from '../domain/registry';
import { signToken } from '../api/tokens';
import { createPayloadCodec, ENCRYPTED_ENCODING, EncryptionCodec, isWorkflowMetadata, METADATA_KEY_ID, PayloadDecryptionError } from '../common/codec';
import { ConfigError, loadConfig, type Config } from '../common/config';
import { KEY_FILE_NAME, loadOrCreateEmbeddedKeys, type PayloadKey } from '../common/payload-keys';
import { roles, type Actor, type CaseState, type Role } from '../domain/case';
import { PolicyRegistry } from '../domain/policies';
import { devServerArgs, freePort, stopChild, waitForPort, waitForTemporal } from '../scripts/dev-server';
import { registerSearchAttributes } from '../scripts/register-search-attributes';
import { resolveTemporalCli } from '../scripts/tools';
import { createCaseWorker } from '../worker/worker';
import { getCaseQuery } from '../workflows/messages';
import { workflowBundle } from './support/case-harness';
import { MemoryNotifier, MemoryRecords } from './support/doubles';
import { eventually } from './support/drive';
import { testServerAddress } from './support/temporal';

jest.setTimeout(180_000);

const run = promisify(execFile);
const key = (id: string): PayloadKey => ({ id, key: randomBytes(32) });
const text = (a: Uint8Array | null | undefined) => Buffer.from(a ?? new Uint8Array()).toString('utf8');
/** A case's payload names its case: here one of 南京市 (JS-NJ), with a cadre's personal data. */
const personal = {
  caseId: 'case-2026-NJ00000001',
  unitCode: 'JS-NJ-FGW',
  jurisdiction: { locality: 'JS-NJ', path: ['JS-NJ', 'JS'], bodies: {} },
  cadre: { id: 'CADRE-0042', name: '王小明' },
  note: 'personal data',
};
const plain = (value: unknown = personal): Payload => defaultPayloadConverter.toPayload(value);
const valueOf = (payload: Payload): unknown => defaultPayloadConverter.fromPayload(payload);
const b64 = (bytes: Uint8Array | null | undefined) => Buffer.from(bytes ?? new Uint8Array()).toString('base64');
const toJSON = (p: Payload) => ({ metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, b64(v)])), data: b64(p.data) });
const silent = { warn: () => undefined };

// ---- The codec ----

describe('The encryption codec', () => {
  test('When a payload is encoded and decoded, then it comes back whole, and in between it is ciphertext under the first key', async () => {
    const codec = new EncryptionCodec([key('k-2026'), key('k-2025')]);
    const original = plain();

    const [encrypted] = await codec.encode([original]);
    const [decoded] = await codec.decode([encrypted!]);

    expect(text(encrypted!.metadata?.encoding)).toBe(ENCRYPTED_ENCODING);
    expect(text(encrypted!.metadata?.[METADATA_KEY_ID])).toBe('k-2026');
    expect(Object.keys(encrypted!.metadata ?? {}).sort()).toEqual(['encoding', METADATA_KEY_ID].sort());
    expect(text(encrypted!.data)).not.toContain('王小明');
    expect(text(encrypted!.data)).not.toContain('json/plain');
    expect(text(decoded!.metadata?.encoding)).toBe('json/plain');
    expect(valueOf(decoded!)).toEqual(personal);
  });

  test('When the same payload is encoded twice, then the ciphertexts differ (a fresh IV each time)', async () => {
    const codec = new EncryptionCodec([key('k1')]);

    const [a, b] = await codec.encode([plain(), plain()]);

    expect(b64(a!.data)).not.toBe(b64(b!.data));
    expect(b64(a!.data?.subarray(0, 12))).not.toBe(b64(b!.data?.subarray(0, 12)));
  });

  test('When one byte of the ciphertext is changed, then decoding fails with a clear error', async () => {
    const codec = new EncryptionCodec([key('k1')]);
    const [encrypted] = await codec.encode([plain()]);
    const data = Buffer.from(encrypted!.data!);
    data[20]! ^= 0x01;

    const decoding = codec.decode([{ ...encrypted!, data }]);

    await expect(decoding).rejects.toThrow(PayloadDecryptionError);
    await expect(codec.decode([{ ...encrypted!, data }])).rejects.toThrow(/failed authentication: it was altered/);
  });

  test('When the key id of a payload is swapped for another configured key, then decoding fails authentication', async () => {
    const codec = new EncryptionCodec([key('k1'), key('k2')]);
    const [encrypted] = await codec.encode([plain()]);
    const relabelled = { ...encrypted!, metadata: { ...encrypted!.metadata, [METADATA_KEY_ID]: Buffer.from('k2') } };

    await expect(codec.decode([relabelled])).rejects.toThrow(/key "k2".*failed authentication/);
  });

  test('When a payload names a key that is not configured, then decoding fails naming that key id', async () => {
    const [encrypted] = await new EncryptionCodec([key('retired-2024')]).encode([plain()]);
    const codec = new EncryptionCodec([key('current-2026')]);

    await expect(codec.decode([encrypted!])).rejects.toThrow(PayloadDecryptionError);
    await expect(codec.decode([encrypted!])).rejects.toThrow(/key "retired-2024", which is not configured \(known key ids: current-2026\)/);
  });

  test('When a new key is put first, then new payloads use it and payloads of the old key still decode', async () => {
    const a = key('a');
    const b = key('b');
    const [old] = await new EncryptionCodec([a]).encode([plain({ n: 1 })]);

    const rotated = new EncryptionCodec([b, a]);
    const [fresh] = await rotated.encode([plain({ n: 2 })]);

    expect(text(fresh!.metadata?.[METADATA_KEY_ID])).toBe('b');
    expect((await rotated.decode([old!, fresh!])).map(valueOf)).toEqual([{ n: 1 }, { n: 2 }]);
    await expect(new EncryptionCodec([a]).decode([fresh!])).rejects.toThrow(/key "b"/);
  });

  test('When a payload is a bare string (a summary or details), then it stays readable while objects are encrypted', async () => {
    const codec = new EncryptionCodec([key('k1')]);
    const summary = defaultPayloadConverter.toPayload('application · JS-NJ-FGW · approval-reform');
    const object = defaultPayloadConverter.toPayload({ cadre: { name: '张三' } });

    const [clear, sealed] = await codec.encode([summary, object]);

    expect(clear).toBe(summary);
    expect(text(sealed!.metadata?.[METADATA_ENCODING_KEY])).toBe('binary/encrypted');
    expect(Buffer.from(sealed!.data!).toString('utf8')).not.toContain('张三');
  });

  test('When a payload is the workflow-metadata query answer (the current details), then it stays readable', async () => {
    const codec = new EncryptionCodec([key('k1')]);
    const definition = { type: 'caseWorkflow', queryDefinitions: [{ name: 'getCase', description: 'The case state' }], signalDefinitions: [], updateDefinitions: [{ name: 'acceptance' }] };
    // The SDK answers __temporal_workflow_metadata with this object, in this key order.
    const metadata = defaultPayloadConverter.toPayload({ definition, currentDetails: '待受理 · JS-NJ-FGW · 审批制度改革' });
    const lookalikes = [
      defaultPayloadConverter.toPayload({ definition, currentDetails: '待受理', cadre: { name: '张三' } }),
      defaultPayloadConverter.toPayload({ definition: { ...definition, cadre: '张三' }, currentDetails: '' }),
      defaultPayloadConverter.toPayload({ definition: { ...definition, queryDefinitions: [{ name: 'q', note: '张三' }] } }),
      defaultPayloadConverter.toPayload({ definition, currentDetails: { name: '张三' } }),
      defaultPayloadConverter.toPayload({ currentDetails: '张三', definition }),
    ];

    const [clear, ...sealed] = await codec.encode([metadata, ...lookalikes]);

    expect(isWorkflowMetadata(metadata)).toBe(true);
    expect(clear).toBe(metadata);
    for (const p of sealed) expect(text(p.metadata?.[METADATA_ENCODING_KEY])).toBe('binary/encrypted');
  });

  test('When payloads are not encrypted, then decoding passes them through untouched', async () => {
    const codec = new EncryptionCodec([key('k1')]);
    const unencrypted = [plain(), defaultPayloadConverter.toPayload(undefined), defaultPayloadConverter.toPayload(new Uint8Array([1, 2, 3])), {}];

    const decoded = await codec.decode(unencrypted);

    expect(decoded).toHaveLength(unencrypted.length);
    decoded.forEach((p, i) => expect(p).toBe(unencrypted[i]));
  });

  test('When encryption is off, then new payloads stay plain and payloads encrypted earlier still decode', async () => {
    const k = key('k1');
    const [earlier] = await new EncryptionCodec([k]).encode([plain()]);
    const off = new EncryptionCodec([k], { encrypt: false });

    const [written] = await off.encode([plain()]);

    expect(text(written!.metadata?.encoding)).toBe('json/plain');
    expect(valueOf((await off.decode([earlier!]))[0]!)).toEqual(personal);
  });
});

// ---- Settings ----

describe('The encryption settings', () => {
  const k1 = randomBytes(32).toString('base64');
  const k2 = randomBytes(32).toString('base64');

  test('When PAYLOAD_KEYS lists two keys, then both are read, the first first', () => {
    const config = loadConfig({ PAYLOAD_KEYS: `k-2026:${k1}, k-2025:${k2}` });

    expect(config.payloadKeys?.map((k) => [k.id, k.key.toString('base64')])).toEqual([
      ['k-2026', k1],
      ['k-2025', k2],
    ]);
  });

  test('When the configuration is logged or printed, then the key bytes are not in it', () => {
    const config = loadConfig({ PAYLOAD_KEYS: `k-2026:${k1}` });

    expect(JSON.stringify(config)).toContain('k-2026');
    expect(JSON.stringify(config)).not.toContain(k1);
    expect(inspect(config, { depth: 5 })).not.toMatch(/Buffer|<Buffer/);
    expect(config.payloadKeys?.[0]?.key.toString('base64')).toBe(k1);
  });

  test('When nothing is set, then encryption is on with the embedded key and the Temporal UI origins may call the codec endpoint', () => {
    const config = loadConfig({});

    expect(config.payloadKeys).toBeUndefined();
    expect(config.payloadEncryption).toBe(true);
    expect(config.codecCorsOrigins).toEqual(['http://localhost:8233', 'http://127.0.0.1:8233']);
  });

  const short = randomBytes(16).toString('base64');
  test.each([
    ['a key of 16 bytes', `k1:${short}`, /PAYLOAD_KEYS.*key "k1" is 16 bytes; AES-256 needs exactly 32/],
    ['an entry without an id', k1, /PAYLOAD_KEYS.*entry 1 is not id:base64key/],
    ['a key that is not base64', 'k1:not*base64!', /PAYLOAD_KEYS.*key "k1" is not standard base64/],
    ['an id given twice', `k1:${k1},k1:${k2}`, /PAYLOAD_KEYS.*key id "k1" is given twice/],
    ['an id with a space', `my key:${k1}`, /PAYLOAD_KEYS.*entry 1: the key id must be/],
  ])('When PAYLOAD_KEYS has %s, then loading fails naming PAYLOAD_KEYS and the problem, without echoing the key', (_what, value, message) => {
    let error: unknown;
    try {
      loadConfig({ PAYLOAD_KEYS: value });
    } catch (err) {
      error = err;
    }

    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).not.toContain(value.includes(':') ? value.slice(value.indexOf(':') + 1, value.indexOf(':') + 12) : value.slice(0, 12));
  });

  test('When PAYLOAD_ENCRYPTION is not a boolean, then loading fails naming it', () => {
    expect(() => loadConfig({ PAYLOAD_ENCRYPTION: 'maybe' })).toThrow(/PAYLOAD_ENCRYPTION/);
    expect(loadConfig({ PAYLOAD_ENCRYPTION: 'false' }).payloadEncryption).toBe(false);
  });

  test.each(['http://localhost:8233/', 'localhost:8233', 'http://ui.example/path', '*'])('When CODEC_CORS_ORIGINS holds %s, then loading fails naming it', (origin) => {
    expect(() => loadConfig({ CODEC_CORS_ORIGINS: `http://127.0.0.1:8233,${origin}` })).toThrow(/CODEC_CORS_ORIGINS/);
  });

  test('When CODEC_CORS_ORIGINS is empty, then no origin may call the codec endpoint', () => {
    expect(loadConfig({ CODEC_CORS_ORIGINS: '' }).codecCorsOrigins).toEqual([]);
  });
});

describe('The embedded key file', () => {
  let dataDir: string;
  beforeEach(() => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'rongcuo-keys-'));
  });
  afterEach(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  test('When PAYLOAD_KEYS is empty, then the first start creates DATA_DIR/payload-keys (mode 0600) with a warning, and later starts reuse it', async () => {
    const config = loadConfig({ DATA_DIR: dataDir });
    const warnings: string[] = [];
    const log = { warn: (_obj: object, msg: string) => void warnings.push(msg) };

    const first = createPayloadCodec(config, log);
    const file = path.join(dataDir, KEY_FILE_NAME);
    const content = fs.readFileSync(file, 'utf8');
    const second = createPayloadCodec(config, log);
    const [encrypted] = await first.encode([plain()]);

    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toMatch(/PAYLOAD_KEYS is not set.*Production must set PAYLOAD_KEYS/);
    expect(fs.readFileSync(file, 'utf8')).toBe(content);
    expect(second.encryptingKeyId).toBe(first.encryptingKeyId);
    expect(valueOf((await second.decode([encrypted!]))[0]!)).toEqual(personal);
    expect(loadOrCreateEmbeddedKeys(dataDir).created).toBe(false);
  });

  test('When the key file is made, then it is created once: the first call creates it, the others read it', () => {
    const made = [loadOrCreateEmbeddedKeys(dataDir), loadOrCreateEmbeddedKeys(dataDir), loadOrCreateEmbeddedKeys(dataDir)];

    expect(made.map((m) => m.created)).toEqual([true, false, false]);
    expect(new Set(made.map((m) => m.keys[0]?.key.toString('base64'))).size).toBe(1);
    expect(fs.readdirSync(dataDir)).toEqual([KEY_FILE_NAME]);
  });

  test('When PAYLOAD_KEYS is set, then no key file is created', () => {
    const config = loadConfig({ DATA_DIR: dataDir, PAYLOAD_KEYS: `k1:${randomBytes(32).toString('base64')}` });

    const codec = createPayloadCodec(config, silent);

    expect(codec.encryptingKeyId).toBe('k1');
    expect(fs.readdirSync(dataDir)).toEqual([]);
  });

  test('When encryption is off and there is no key file, then none is created and payloads stay plain', async () => {
    const codec = createPayloadCodec(loadConfig({ DATA_DIR: dataDir, PAYLOAD_ENCRYPTION: 'false' }), silent);

    const [written] = await codec.encode([plain()]);

    expect(codec.encryptingKeyId).toBeUndefined();
    expect(text(written!.metadata?.encoding)).toBe('json/plain');
    expect(fs.readdirSync(dataDir)).toEqual([]);
  });

  test('When the key file is damaged, then the start fails naming the file', () => {
    fs.writeFileSync(path.join(dataDir, KEY_FILE_NAME), 'k1:dG9vIHNob3J0\n', { mode: 0o600 });

    expect(() => createPayloadCodec(loadConfig({ DATA_DIR: dataDir }), silent)).toThrow(/payload-keys: key "k1" is 9 bytes/);
  });
});

// ---- The codec endpoint ----

const actorOf: Record<Role, Actor> = {
  unit: { sub: 'alice', role: 'unit', unit: 'JS-NJ-FGW' },
  organization: { sub: 'olga', role: 'organization', unit: 'JS-NJ-ZZB' },
  discipline: { sub: 'dong', role: 'discipline', unit: 'JS-NJ-JW' },
  expert: { sub: 'expert-amy', role: 'expert' },
  committee: { sub: 'chen', role: 'committee' },
  supervisor: { sub: 'su', role: 'supervisor', unit: 'JS-NJ-JD' },
  admin: { sub: 'ada', role: 'admin', unit: 'JS-NJ-ZZB' },
};

/** Codec requests whose payloads state their case's jurisdiction never need the case gateway. */
const noCases = new Proxy({} as CaseGateway, {
  // (fastify's decorate asks whether the value is a getter/setter pair: it is not)
  get: (_target, name) => (name === 'getter' || name === 'setter' ? undefined : () => Promise.reject(new Error('the codec endpoint must not reach the case gateway'))),
});

async function codecApp(config: Config, codec: EncryptionCodec, cases: CaseGateway = noCases): Promise<FastifyInstance> {
  const app = await buildApp({
    config,
    logger: pino({ level: 'silent' }),
    cases,
    policies: PolicyRegistry.load(),
    readiness: { temporal: async () => undefined, database: async () => undefined },
    payloadCodecs: [codec],
  });
  await app.ready();
  return app;
}

describe('The codec endpoint', () => {
  const config = loadConfig({ LOG_LEVEL: 'silent' });
  const codec = new EncryptionCodec([key('k-endpoint')]);
  let app: FastifyInstance;
  let encrypted: Payload;
  beforeAll(async () => {
    app = await codecApp(config, codec);
    [encrypted] = (await codec.encode([plain()])) as [Payload];
  });
  afterAll(async () => {
    await app?.close();
  });

  const post = async (url: string, who: Role | null, body: unknown, headers: Record<string, string> = {}) =>
    app.inject({
      method: 'POST',
      url,
      payload: body as never,
      headers: { ...(who ? { authorization: `Bearer ${await signToken(config, actorOf[who])}` } : {}), 'x-namespace': 'default', ...headers },
    });

  test('When a supervisor decodes an encrypted payload, then the original payload comes back', async () => {
    const res = await post('/codec/decode', 'supervisor', { payloads: [toJSON(encrypted), toJSON(plain({ x: 1 }))] });

    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ payloads: [toJSON(plain()), toJSON(plain({ x: 1 }))] });
  });

  test('When an organization department decodes, then it gets the payload too', async () => {
    const res = await post('/codec/decode', 'organization', { payloads: [toJSON(encrypted)] });

    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ payloads: [toJSON(plain())] });
  });

  test.each(roles.filter((r) => r !== 'supervisor' && r !== 'organization').map((r) => [r] as const))('When the %s role decodes, then 403 and nothing is decrypted', async (role) => {
    const res = await post('/codec/decode', role, { payloads: [toJSON(encrypted)] });

    expect(res.statusCode).toBe(403);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.json()).toMatchObject({ type: `${PROBLEM_BASE}forbidden`, status: 403 });
    expect(res.body).not.toContain(b64(plain().data));
  });

  test('When there is no token, then 401 with a bearer challenge', async () => {
    const res = await post('/codec/decode', null, { payloads: [toJSON(encrypted)] });

    expect(res.statusCode).toBe(401);
    expect(res.headers['www-authenticate']).toMatch(/^Bearer/);
    expect(res.json()).toMatchObject({ type: `${PROBLEM_BASE}unauthorized` });
  });

  test('When a supervisor encodes, then the answer is encrypted with the current key and decodes back', async () => {
    const res = await post('/codec/encode', 'supervisor', { payloads: [toJSON(plain())] });

    expect(res.statusCode).toBe(200);
    const [out] = (res.json() as { payloads: { metadata: Record<string, string>; data: string }[] }).payloads;
    expect(Buffer.from(out!.metadata.encoding!, 'base64').toString()).toBe(ENCRYPTED_ENCODING);
    expect(Buffer.from(out!.metadata[METADATA_KEY_ID]!, 'base64').toString()).toBe('k-endpoint');
    const back = await post('/codec/decode', 'supervisor', { payloads: [out] });
    expect(back.json()).toEqual({ payloads: [toJSON(plain())] });
  });

  test('When a payload was altered, then 422 undecryptablePayload saying so', async () => {
    const data = Buffer.from(encrypted.data!);
    data[data.length - 1]! ^= 0xff;

    const res = await post('/codec/decode', 'supervisor', { payloads: [toJSON({ ...encrypted, data })] });

    expect(res.statusCode).toBe(422);
    expect(res.json()).toMatchObject({ type: `${PROBLEM_BASE}undecryptablePayload`, detail: expect.stringMatching(/failed authentication/) });
  });

  test('When a payload names an unknown key, then 422 naming the key id', async () => {
    const [other] = await new EncryptionCodec([key('someone-else')]).encode([plain()]);

    const res = await post('/codec/decode', 'supervisor', { payloads: [toJSON(other!)] });

    expect(res.statusCode).toBe(422);
    expect(res.json().detail).toContain('"someone-else"');
  });

  test('When the body is not Payloads, then 400 validation naming the field', async () => {
    const res = await post('/codec/decode', 'supervisor', { payloads: [{ data: 'not base64!' }] });

    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ type: `${PROBLEM_BASE}validation`, errors: [{ path: 'body.payloads.0.data' }] });
  });

  test('When the browser preflights from an allowed origin, then 204 with the CORS headers', async () => {
    const res = await app.inject({
      method: 'OPTIONS',
      url: '/codec/decode',
      headers: { origin: 'http://localhost:8233', 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type,x-namespace,authorization' },
    });

    expect(res.statusCode).toBe(204);
    expect(res.headers['access-control-allow-origin']).toBe('http://localhost:8233');
    expect(String(res.headers['access-control-allow-methods'])).toContain('POST');
    expect(String(res.headers['access-control-allow-headers']).split(/,\s*/).sort()).toEqual(['authorization', 'content-type', 'x-namespace']);
    expect(res.headers['access-control-allow-credentials']).toBe('true');
    expect(res.headers.vary).toMatch(/Origin/);
  });

  test('When the browser preflights from another origin, then no allow-origin header', async () => {
    const res = await app.inject({
      method: 'OPTIONS',
      url: '/codec/encode',
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization' },
    });

    expect(res.headers['access-control-allow-origin']).toBeUndefined();
    expect(res.headers['access-control-allow-headers']).toBeUndefined();
  });

  test('When the UI posts from an allowed origin, then answers and refusals alike carry the allow-origin header', async () => {
    const ok = await post('/codec/decode', 'supervisor', { payloads: [] }, { origin: 'http://127.0.0.1:8233' });
    const refused = await post('/codec/decode', null, { payloads: [] }, { origin: 'http://127.0.0.1:8233' });

    expect(ok.statusCode).toBe(200);
    expect(ok.headers['access-control-allow-origin']).toBe('http://127.0.0.1:8233');
    expect(refused.statusCode).toBe(401);
    expect(refused.headers['access-control-allow-origin']).toBe('http://127.0.0.1:8233');
  });

  test('When other routes are called from an allowed origin, then they send no CORS header', async () => {
    const res = await app.inject({ method: 'GET', url: '/healthz', headers: { origin: 'http://localhost:8233' } });

    expect(res.headers['access-control-allow-origin']).toBeUndefined();
  });

  test('When the OpenAPI document is read, then both codec routes are in it with bearer security and problem responses', async () => {
    const doc = (await app.inject({ method: 'GET', url: '/openapi.json' })).json() as {
      paths: Record<string, Record<string, { security?: unknown; responses: Record<string, { content?: Record<string, unknown> }> }>>;
    };

    for (const p of ['/codec/decode', '/codec/encode']) {
      const operation = doc.paths[p]?.post;
      expect(operation?.security).toEqual([{ bearer: [] }]);
      for (const status of ['400', '401', '403', '413', '415', '422', '429', '500', '503']) {
        expect(operation?.responses[status]?.content?.['application/problem+json']).toEqual({ schema: { $ref: '#/components/schemas/Problem' } });
      }
      expect(doc.paths[p]?.options).toBeUndefined();
    }
  });
});

// ---- On the dev server ----

/** Every string a reader of the raw history sees: the JSON itself and each base64 payload field as text. */
function readableText(historyJson: string): string {
  const parts = [historyJson];
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(visit);
    else if (node && typeof node === 'object') {
      for (const [k, v] of Object.entries(node)) {
        if ((k === 'data' || k === 'metadata') && typeof v === 'string') parts.push(Buffer.from(v, 'base64').toString('utf8'));
        else if (k === 'metadata' && v && typeof v === 'object') for (const m of Object.values(v)) if (typeof m === 'string') parts.push(Buffer.from(m, 'base64').toString('utf8'));
        visit(v);
      }
    }
  };
  visit(JSON.parse(historyJson));
  return parts.join('\n');
}

describe('Signing in for the Temporal UI', () => {
  const UI = 'http://127.0.0.1:8233';
  const API = 'http://127.0.0.1:3000';
  const codec = new EncryptionCodec([key('k-session')]);
  const apps: FastifyInstance[] = [];
  let encrypted: Payload;
  beforeAll(async () => {
    [encrypted] = (await codec.encode([plain()])) as [Payload];
  });
  afterAll(async () => {
    for (const a of apps) await a.close();
  });
  const appWith = async (env: Record<string, string> = {}) => {
    const config = loadConfig({ LOG_LEVEL: 'silent', API_PUBLIC_URL: API, ...env });
    const app = await codecApp(config, codec);
    apps.push(app);
    return { app, config };
  };
  const signIn = (app: FastifyInstance, form: Record<string, string>, headers: Record<string, string> = {}) =>
    app.inject({ method: 'POST', url: '/signin', payload: new URLSearchParams(form).toString(), headers: { 'content-type': 'application/x-www-form-urlencoded', origin: API, ...headers } });
  const cookieOf = (res: { headers: Record<string, unknown> }) => String(res.headers['set-cookie'] ?? '').split(';')[0] ?? '';
  const decode = (app: FastifyInstance, headers: Record<string, string>) =>
    app.inject({ method: 'POST', url: '/codec/decode', payload: { payloads: [toJSON(encrypted)] }, headers: { 'x-namespace': 'default', ...headers } });

  test('When the sign-in page is opened, then it is a Chinese form, with development identities only when they are on', async () => {
    const { app: off } = await appWith();
    const { app: on } = await appWith({ SIGNIN_DEV_IDENTITIES: 'true' });

    const page = await off.inject({ method: 'GET', url: '/signin' });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.body).toContain('持有者令牌');
    expect(page.body).not.toContain('name="identity"');
    expect((await on.inject({ method: 'GET', url: '/signin' })).body).toContain('以监督部门（开发身份）登录');
  });

  test('When a supervisor signs in with a token, then an HttpOnly, SameSite=Strict cookie scoped to /codec holds it, and the UI decodes with it', async () => {
    const { app, config } = await appWith();
    const token = await signToken(config, actorOf.supervisor, '1h');

    const res = await signIn(app, { token: `Bearer ${token}` });

    expect(res.statusCode).toBe(200);
    const setCookie = String(res.headers['set-cookie']);
    expect(setCookie).toMatch(/^rongcuo_session=[\w-]+\.[\w-]+\.[\w-]+; Path=\/codec; Max-Age=3[56]\d\d; HttpOnly; SameSite=Strict$/);
    expect(res.body).toContain('已登录：监督部门');
    expect(res.body).toContain('设置 Temporal 界面');
    const decoded = await decode(app, { cookie: cookieOf(res), origin: UI });
    expect(decoded.statusCode).toBe(200);
    expect(decoded.json()).toEqual({ payloads: [toJSON(plain())] });
    expect(decoded.headers['access-control-allow-origin']).toBe(UI);
    expect(decoded.headers['access-control-allow-credentials']).toBe('true');
  });

  test('When the session cookie comes without an Origin or from another origin, then it is not accepted', async () => {
    const { app } = await appWith({ SIGNIN_DEV_IDENTITIES: 'true' });
    const cookie = cookieOf(await signIn(app, { identity: 'supervisor' }));
    expect(cookie).toMatch(/^rongcuo_session=/);

    for (const headers of [{ cookie }, { cookie, origin: 'https://evil.example' }, { cookie, origin: 'http://127.0.0.1:9999' }] as Record<string, string>[]) {
      const res = await decode(app, headers);
      expect(res.statusCode).toBe(401);
      expect(res.body).not.toContain(b64(plain().data));
    }
    expect((await decode(app, { cookie, origin: UI })).statusCode).toBe(200);
  });

  test('When another role signs in, then no session is made; its cookie would not decode either', async () => {
    const { app, config } = await appWith();

    for (const role of roles.filter((r) => r !== 'supervisor' && r !== 'organization')) {
      const res = await signIn(app, { token: await signToken(config, actorOf[role]) });
      expect(res.statusCode).toBe(403);
      expect(res.headers['set-cookie']).toBeUndefined();
      const forged = await decode(app, { cookie: `rongcuo_session=${await signToken(config, actorOf[role])}`, origin: UI });
      expect(forged.statusCode).toBe(403);
    }
  });

  test('When the token is bad, development identities are off, or the form comes from another origin, then no session is made', async () => {
    const { app, config } = await appWith();
    const token = await signToken(config, actorOf.organization);

    const bad = await signIn(app, { token: 'not-a-token' });
    const dev = await signIn(app, { identity: 'organization' });
    const foreign = await signIn(app, { token }, { origin: 'https://evil.example' });

    expect([bad.statusCode, dev.statusCode, foreign.statusCode]).toEqual([401, 403, 403]);
    for (const r of [bad, dev, foreign]) expect(r.headers['set-cookie']).toBeUndefined();
    expect(bad.body).toContain('令牌无效或已过期');
  });

  test('When a development identity signs in and then out, then the cookie is set, then cleared', async () => {
    const { app } = await appWith({ SIGNIN_DEV_IDENTITIES: 'true' });

    const signedIn = await signIn(app, { identity: 'organization' });
    const out = await app.inject({ method: 'POST', url: '/signout', payload: '', headers: { 'content-type': 'application/x-www-form-urlencoded', origin: API } });

    expect(signedIn.statusCode).toBe(200);
    expect(signedIn.body).toContain('已登录：组织部门 中共江苏省委组织部 JS-ZZB');
    expect(String(out.headers['set-cookie'])).toMatch(/^rongcuo_session=; Path=\/codec; Max-Age=0; HttpOnly; SameSite=Strict$/);
  });

  test('When the API is served over https, then the cookie is Secure', async () => {
    const { app } = await appWith({ SIGNIN_DEV_IDENTITIES: 'true', API_PUBLIC_URL: 'https://rongcuo.example' });

    const res = await signIn(app, { identity: 'supervisor' }, { origin: 'https://rongcuo.example' });

    expect(String(res.headers['set-cookie'])).toMatch(/; Secure$/);
  });

  test('When development identities are asked for together with an identity provider, then the configuration is refused', () => {
    expect(() => loadConfig({ SIGNIN_DEV_IDENTITIES: 'true', JWT_JWKS_URL: 'https://idp.example/jwks' })).toThrow(/SIGNIN_DEV_IDENTITIES=true: not with JWT_JWKS_URL/);
  });
});

describe('A case on the dev server with encryption', () => {
  // A namespace of its own: the other suites share the dev server and list every case in "default",
  // and they have no codec to read these.
  const namespace = `codec-${randomUUID().slice(0, 8)}`;
  const config = loadConfig({ TEMPORAL_NAMESPACE: namespace, TEMPORAL_TASK_QUEUE: `codec-${randomUUID()}`, LOG_LEVEL: 'silent' });
  const codec = new EncryptionCodec([key('k-dev')]);
  const marker = randomBytes(4).toString('hex').toUpperCase();
  const cadre = { ...sampleApplication.cadre, id: `CADRE-${marker}`, name: `保密人${marker}` };
  // the cadre of this test, registered beside the demo registry's
  const registry = staticRegistry(Registry.parse({ ...demoRegistry.document, cadres: [...demoRegistry.document.cadres, { id: cadre.id, name: cadre.name, unit: sampleApplication.unitCode }] }));
  let workerConnection: NativeConnection;
  let worker: Worker;
  let running: Promise<void>;
  let apiConnection: Connection;
  let plainConnection: Connection;
  let plainClient: Client;
  let app: FastifyInstance;
  let base: string;
  let caseId: string;

  beforeAll(async () => {
    const address = testServerAddress();
    plainConnection = await Connection.connect({ address });
    await plainConnection.workflowService.registerNamespace({ namespace, workflowExecutionRetentionPeriod: msToTs('1 day') });
    await waitForTemporal({ connection: { address }, namespace, timeoutMs: 30_000 });
    await registerSearchAttributes(plainConnection, namespace);
    plainClient = new Client({ connection: plainConnection, namespace });

    workerConnection = await NativeConnection.connect({ address });
    worker = await createCaseWorker({
      connection: workerConnection,
      namespace,
      taskQueue: config.taskQueue,
      workflowBundle: await workflowBundle(),
      activities: createActivities({ records: new MemoryRecords(), notifier: new MemoryNotifier() }),
      payloadCodecs: [codec],
    });
    running = worker.run();
    apiConnection = await Connection.connect({ address });
    const client = new Client({ connection: apiConnection, namespace, dataConverter: { payloadCodecs: [codec] } });
    app = await buildApp({
      config,
      logger: pino({ level: 'silent' }),
      cases: createTemporalGateway(client, config),
      policies: PolicyRegistry.load(),
      registry,
      readiness: { temporal: async () => undefined, database: async () => undefined },
      payloadCodecs: [codec],
    });
    await app.listen({ host: '127.0.0.1', port: 0 });
    base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;

    // A new namespace reaches every part of the server within seconds: retry the first start until then.
    const unitToken = await signToken(config, actorOf.unit);
    await eventually(async () => {
      const res = await fetch(`${base}/v1/cases`, {
        method: 'POST',
        headers: { authorization: `Bearer ${unitToken}`, 'content-type': 'application/json', 'idempotency-key': `codec-${marker}` },
        body: JSON.stringify({ ...sampleApplication, cadre }),
      });
      expect(res.status).toBe(201);
      caseId = ((await res.json()) as CaseState).caseId;
    }, 30_000);
    // Wait until activities have run, so their inputs and results are in the history too.
    await eventually(async () => {
      const history = await plainClient.workflow.getHandle(caseId).fetchHistory();
      expect(historyToJSON(history)).toContain('EVENT_TYPE_ACTIVITY_TASK_COMPLETED');
    }, 30_000);
  });

  afterAll(async () => {
    if (caseId) await plainClient.workflow.getHandle(caseId).terminate('codec test finished');
    await app?.close();
    await apiConnection?.close();
    await plainConnection?.close();
    worker?.shutdown();
    await running;
    await workerConnection?.close();
  });

  test('When the raw history is fetched without the codec, then neither the cadre\'s name nor id is in it, while the API reads both', async () => {
    const history = historyToJSON(await plainClient.workflow.getHandle(caseId).fetchHistory());
    const seen = readableText(history);

    expect(seen).toContain(caseId);
    expect(seen).toContain(ENCRYPTED_ENCODING);
    expect(seen).not.toContain(cadre.name);
    expect(seen).not.toContain(cadre.id);
    // The same reading finds them in a payload that is not encrypted.
    expect(readableText(JSON.stringify({ payload: toJSON(plain({ cadre })) }))).toContain(cadre.name);

    const read = await fetch(`${base}/v1/cases/${caseId}`, { headers: { authorization: `Bearer ${await signToken(config, actorOf.supervisor)}` } });
    expect(read.status).toBe(200);
    expect(((await read.json()) as CaseState).application.cadre).toMatchObject({ id: cadre.id, name: cadre.name });
  });

  test('When the case is queried by a client without the codec, then it cannot read the state', async () => {
    await expect(plainClient.workflow.getHandle(caseId).query(getCaseQuery)).rejects.toThrow(/binary\/encrypted/);
  });

  test('When the Temporal CLI shows the history through the codec endpoint with a supervisor token, then it sees the cadre; with a unit token it does not', async () => {
    const cli = resolveTemporalCli();
    const show = async (token: string | undefined) => {
      const args = ['workflow', 'show', '--address', testServerAddress(), '--namespace', namespace, '--workflow-id', caseId, '--output', 'json'];
      if (token) args.push('--codec-endpoint', `${base}/codec`, '--codec-auth', `Bearer ${token}`);
      try {
        const { stdout } = await run(cli, args, { maxBuffer: 64 * 1024 * 1024 });
        return { ok: true, out: stdout };
      } catch (err) {
        const e = err as { stdout?: string; stderr?: string };
        return { ok: false, out: `${e.stdout ?? ''}${e.stderr ?? ''}` };
      }
    };

    const supervisor = await show(await signToken(config, actorOf.supervisor));
    const unit = await show(await signToken(config, actorOf.unit));
    const none = await show(undefined);

    expect(supervisor.ok).toBe(true);
    expect(readableText(supervisor.out)).toContain(cadre.name);
    expect(readableText(supervisor.out)).toContain(cadre.id);
    expect(unit.ok).toBe(false);
    expect(unit.out).not.toContain(cadre.name);
    expect(none.ok).toBe(true);
    expect(readableText(none.out)).not.toContain(cadre.name);
  });
});

describe('The codec endpoint and jurisdictions', () => {
  const config = loadConfig({ LOG_LEVEL: 'silent' });
  const codec = new EncryptionCodec([key('k-jurisdiction')]);
  const nanjing = { locality: 'JS-NJ', path: ['JS-NJ', 'JS'], bodies: {} };
  const kunshan = { locality: 'JS-SZ-KS', path: ['JS-SZ-KS', 'JS-SZ', 'JS'], bodies: {} };
  /** The cases the gateway knows, by id: their states as a query answers them (only what the lookup reads). */
  const states: Record<string, Partial<CaseState>> = {
    'case-2026-NJ00000002': { caseId: 'case-2026-NJ00000002', unitCode: 'JS-NJ-FGW', jurisdiction: nanjing },
    'case-2026-KS00000001': { caseId: 'case-2026-KS00000001', unitCode: 'JS-SZ-KS-ZWB', jurisdiction: kunshan },
    // a case opened before jurisdictions were pinned: its unit's place in the registry decides
    'case-2025-KS00000002': { caseId: 'case-2025-KS00000002', unitCode: 'JS-SZ-KS-ZWB' },
  };
  const lookedUp: string[] = [];
  const cases = {
    get: async (caseId: string) => {
      lookedUp.push(caseId);
      const state = states[caseId];
      if (!state) throw new CaseNotFoundError(caseId);
      return state as CaseState;
    },
  } as unknown as CaseGateway;
  const who = {
    nanjingSupervisor: { sub: 'su-nj', role: 'supervisor', unit: 'JS-NJ-JD' },
    nanjingOfficer: { sub: 'olga-nj', role: 'organization', unit: 'JS-NJ-ZZB' },
    kunshanOfficer: { sub: 'olga-ks', role: 'organization', unit: 'JS-SZ-KS-ZZB' },
    provinceSupervisor: { sub: 'su-js', role: 'supervisor', unit: 'JS-JD' },
  } satisfies Record<string, Actor>;
  let app: FastifyInstance;
  beforeAll(async () => {
    app = await codecApp(config, codec, cases);
  });
  afterAll(async () => {
    await app?.close();
  });

  /** Decodes `values` (each encrypted first) as `actor`; the answer's values, or 'encrypted' where the payload came back sealed. */
  const decodeAs = async (actor: Actor, values: unknown[]): Promise<unknown[]> => {
    const sealed = await codec.encode(values.map((v) => plain(v)));
    const res = await app.inject({
      method: 'POST',
      url: '/codec/decode',
      payload: { payloads: sealed.map(toJSON) },
      headers: { authorization: `Bearer ${await signToken(config, actor)}`, 'x-namespace': 'default' },
    });
    expect(res.statusCode).toBe(200);
    expect(res.body).not.toContain(b64(plain({ ...personal }).data));
    const out = (res.json() as { payloads: { metadata: Record<string, string>; data: string }[] }).payloads;
    return out.map((p) =>
      Buffer.from(p.metadata.encoding!, 'base64').toString() === ENCRYPTED_ENCODING ? 'encrypted' : JSON.parse(Buffer.from(p.data, 'base64').toString('utf8')),
    );
  };
  const cadre = { id: 'C-320583-0001', name: '李静' };

  test('When a body decodes payloads that state their case, then those of its locality decode and those of another stay encrypted', async () => {
    const ofNanjing = { jurisdiction: nanjing, cadre };
    const ofKunshan = { jurisdiction: kunshan, cadre };

    expect(await decodeAs(who.nanjingOfficer, [ofNanjing, ofKunshan])).toEqual([ofNanjing, 'encrypted']);
    expect(await decodeAs(who.kunshanOfficer, [ofNanjing, ofKunshan])).toEqual(['encrypted', ofKunshan]);
    expect(await decodeAs(who.nanjingSupervisor, [ofNanjing, ofKunshan])).toEqual([ofNanjing, 'encrypted']);
    // the province oversees both
    expect(await decodeAs(who.provinceSupervisor, [ofNanjing, ofKunshan])).toEqual([ofNanjing, ofKunshan]);
  });

  test('When an Update answer carries the case one level down, then the same rule applies to it', async () => {
    const answer = { created: true, state: { caseId: 'case-2026-KS00000009', jurisdiction: kunshan, cadre } };

    expect(await decodeAs(who.nanjingOfficer, [answer])).toEqual(['encrypted']);
    expect(await decodeAs(who.kunshanOfficer, [answer])).toEqual([answer]);
  });

  test('When a payload names only its unit, then the unit\'s place in the registry decides, and an unknown unit decodes for no one', async () => {
    const application = { unitCode: 'JS-SZ-KS-ZWB', cadre };
    const unknown = { unitCode: 'XX-NOWHERE', cadre };

    expect(await decodeAs(who.nanjingOfficer, [application, unknown])).toEqual(['encrypted', 'encrypted']);
    expect(await decodeAs(who.kunshanOfficer, [application, unknown])).toEqual([application, 'encrypted']);
    expect(await decodeAs(who.provinceSupervisor, [unknown])).toEqual(['encrypted']);
  });

  test('When a payload names only its case (an action\'s arguments, a record\'s answer), then the case is looked up once, and an unknown case decodes for no one', async () => {
    const action = (caseId: string) => ({ actor: { sub: 'olga-nj', role: 'organization' }, input: { note: '补充说明', cadre }, caseId });
    lookedUp.length = 0;

    expect(await decodeAs(who.nanjingOfficer, [action('case-2026-NJ00000002'), action('case-2026-KS00000001'), action('case-2025-KS00000002'), action('case-2026-NOSUCHCASE')])).toEqual([
      action('case-2026-NJ00000002'),
      'encrypted',
      'encrypted',
      'encrypted',
    ]);
    expect(await decodeAs(who.kunshanOfficer, [action('case-2026-KS00000001'), action('case-2025-KS00000002'), action('case-2026-NJ00000002')])).toEqual([
      action('case-2026-KS00000001'),
      action('case-2025-KS00000002'),
      'encrypted',
    ]);
    // each known case once: its place never changes
    expect(lookedUp.filter((id) => id === 'case-2026-KS00000001')).toHaveLength(1);
  });

  test('When a payload names no case, then only a body overseeing every locality decodes it', async () => {
    const bare = { cadre, note: '不指明案件' };

    expect(await decodeAs(who.nanjingSupervisor, [bare])).toEqual(['encrypted']);
    expect(await decodeAs(who.provinceSupervisor, [bare])).toEqual([bare]);
  });
});

describe('The dev server of npm start', () => {
  test('When it is started with the codec endpoint, then its Web UI is configured to call the API\'s /codec', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rongcuo-ui-codec-'));
    const [port, uiPort] = [await freePort(), await freePort()];
    const args = devServerArgs({ port, uiPort, namespace: 'default', dbFilename: path.join(dir, 'temporal.db'), uiCodecEndpoint: 'http://127.0.0.1:3000/codec' });
    expect(args.slice(args.indexOf('--ui-codec-endpoint'), args.indexOf('--ui-codec-endpoint') + 2)).toEqual(['--ui-codec-endpoint', 'http://127.0.0.1:3000/codec']);
    expect(devServerArgs({ port, namespace: 'default', dbFilename: 'x', headless: true, uiCodecEndpoint: 'http://127.0.0.1:3000/codec' })).not.toContain('--ui-codec-endpoint');

    const child = spawn(resolveTemporalCli(), args, { stdio: 'ignore' });
    try {
      expect(await waitForPort(uiPort, '127.0.0.1', 60_000)).toBe(true);
      let settings: { Codec?: { Endpoint?: string } } = {};
      await eventually(async () => {
        settings = (await (await fetch(`http://127.0.0.1:${uiPort}/api/v1/settings`)).json()) as typeof settings;
      }, 30_000);
      expect(settings.Codec?.Endpoint).toBe('http://127.0.0.1:3000/codec');
    } finally {
      await stopChild(child, 15_000);
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
