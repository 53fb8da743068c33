/**
 * The registry's admin API over HTTP on a real port, on the record system in PostgreSQL
 * (TEST_DATABASE_URL; the embedded store without it): export and re-load, upserts within the
 * admin's jurisdiction, retirement, every refusal as a specific problem document that changes
 * nothing, the append-only audit and its pages, and which API process serves a change when.
 * The case gateway records calls only: no case is involved here.
 */
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { createReadModel } from '../api/read-model';
import { buildApp } from '../api/app';
import { PROBLEM_BASE } from '../api/problems';
import { cachedRegistry, registryAdmin, type RegistrySource } from '../api/registry';
import { signToken } from '../api/tokens';
import { readRegistry, saveRegistry } from '../activities/records/registry';
import { loadConfig } from '../common/config';
import type { Actor } from '../domain/case';
import { PolicyRegistry } from '../domain/policies';
import type { RegistryDocument } from '../domain/registry';
import { sampleApplication } from '../domain/examples';
import { openTestStore, type TestStore } from './support/databases';
import { RecordingGateway } from './support/api-app';

const config = loadConfig({ LOG_LEVEL: 'silent' });
const province: Actor = { sub: 'admin-js', role: 'admin', unit: 'JS-ZZB' };
const nanjing: Actor = { sub: 'admin-nj', role: 'admin', unit: 'JS-NJ-ZZB' };
const kunshan: Actor = { sub: 'admin-ks', role: 'admin', unit: 'JS-SZ-KS-ZZB' };

let store: TestStore;
let app: FastifyInstance;
let base: string;
let registry: RegistrySource;
/** A second API process on the same store, whose copy of the registry lives for an hour. */
let other: FastifyInstance;
let otherRegistry: RegistrySource;

async function start(source: RegistrySource): Promise<FastifyInstance> {
  const server = await buildApp({
    config,
    logger: pino({ level: 'silent' }),
    cases: new RecordingGateway(),
    policies: PolicyRegistry.load(),
    registry: source,
    registryAdmin: registryAdmin(store.db),
    readModel: createReadModel(store.db),
    readiness: {},
  });
  await server.ready();
  return server;
}

beforeAll(async () => {
  store = await openTestStore();
  registry = cachedRegistry(() => readRegistry(store.db));
  app = await start(registry);
  await app.listen({ host: '127.0.0.1', port: 0 });
  base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  otherRegistry = cachedRegistry(() => readRegistry(store.db), 3_600_000);
  other = await start(otherRegistry);
});

afterAll(async () => {
  await other?.close();
  await app?.close();
  await store?.close();
});

interface Answer {
  status: number;
  body: Record<string, unknown> & { errors?: { path: string; message: string }[] };
}

async function call(actor: Actor, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Answer> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { authorization: `Bearer ${await signToken(config, actor)}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  return { status: res.status, body: (await res.json()) as Answer['body'] };
}

const put = (actor: Actor, path: string, body: unknown, headers?: Record<string, string>) => call(actor, 'PUT', path, body, headers);
const auditRows = async () => (await store.db.query<{ n: number }>('SELECT count(*)::int AS n FROM registry_audit')).rows[0]!.n;
const sorted = (doc: RegistryDocument) => JSON.stringify((Object.keys(doc) as (keyof RegistryDocument)[]).map((k) => [k, [...doc[k]].map((e) => JSON.stringify(e)).sort()]));

/** Asserts a refusal: its status and type, a field error at `path` mentioning `mentions`, and that nothing changed. */
async function expectRefused(send: () => Promise<Answer>, status: number, kind: string, path: string, mentions: RegExp): Promise<Answer> {
  const before = { rows: await auditRows(), doc: sorted((await readRegistry(store.db)).document) };
  const res = await send();
  expect(res.status).toBe(status);
  expect(res.body).toMatchObject({ type: PROBLEM_BASE + kind, status });
  expect(res.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ path, message: expect.stringMatching(mentions) })]));
  expect({ rows: await auditRows(), doc: sorted((await readRegistry(store.db)).document) }).toEqual(before);
  return res;
}

describe('Reading the registry', () => {
  test('When a province admin exports the registry, then it is the whole registry in the registry:load format, and loading it again changes nothing', async () => {
    const res = await call(province, 'GET', '/v1/admin/registry');

    expect(res.status).toBe(200);
    const doc = res.body as unknown as RegistryDocument;
    expect(sorted(doc)).toBe(sorted((await readRegistry(store.db)).document));
    const rows = await auditRows();
    await saveRegistry(store.db, doc, { sub: 'operator', source: 'export.json' });
    expect(await auditRows()).toBe(rows);
  });

  test('When a city admin exports the registry, then it holds its city (and the localities above it) and nothing of another city', async () => {
    const res = await call(nanjing, 'GET', '/v1/admin/registry');

    expect(res.status).toBe(200);
    const doc = res.body as unknown as RegistryDocument;
    expect(doc.localities.map((l) => l.code).sort()).toEqual(['JS', 'JS-NJ']);
    expect(doc.bodies.every((b) => b.locality === 'JS-NJ')).toBe(true);
    expect(doc.bodies.map((b) => b.code)).toEqual(expect.arrayContaining(['JS-NJ-FGW', 'JS-NJ-ZZB']));
    expect(doc.cadres.map((c) => c.unit).every((u) => u.startsWith('JS-NJ-'))).toBe(true);
    expect(JSON.stringify(doc)).not.toMatch(/JS-SZ|李静/);
  });

  test('When a body of another kind or another role asks, then 403 and nothing is read', async () => {
    const wrongKind = await call({ sub: 'x', role: 'admin', unit: 'JS-NJ-FGW' }, 'GET', '/v1/admin/registry');
    const notAdmin = await call({ sub: 'x', role: 'organization', unit: 'JS-NJ-ZZB' }, 'GET', '/v1/admin/registry');

    expect([wrongKind.status, notAdmin.status]).toEqual([403, 403]);
    expect(wrongKind.body.detail).toMatch(/JS-NJ-FGW 不是登记册中的组织部门，不能以登记册管理员身份办理/);
  });
});

describe('Changing the registry', () => {
  test('When a city admin adds a unit of its city, then 201, it is audited with who and what, and this API process serves it at once', async () => {
    const newUnit: Actor = { sub: 'clerk-new', role: 'unit', unit: 'JS-NJ-SJJ' };
    // both processes have a copy of the registry from before the change
    expect((await call(newUnit, 'GET', '/v1/cases')).status).toBe(403);
    expect((await other.inject({ method: 'GET', url: '/v1/cases', headers: { authorization: `Bearer ${await signToken(config, newUnit)}` } })).statusCode).toBe(403);

    const res = await put(nanjing, '/v1/admin/bodies/JS-NJ-SJJ', { name: '南京市审计局', kind: 'unit', locality: 'JS-NJ' });

    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      changed: true,
      entry: { code: 'JS-NJ-SJJ', name: '南京市审计局', kind: 'unit', locality: 'JS-NJ' },
      audit: { entity: 'body', code: 'JS-NJ-SJJ', action: 'create', by: { sub: 'admin-nj', role: 'admin', body: 'JS-NJ-ZZB' }, source: 'api', after: { code: 'JS-NJ-SJJ', name: '南京市审计局' } },
    });
    expect(res.body.audit).not.toHaveProperty('before');
    expect((await call(newUnit, 'GET', '/v1/cases')).status).toBe(200);
    // another process keeps its copy until it expires (REGISTRY_TTL_MS; an hour here)
    expect((await other.inject({ method: 'GET', url: '/v1/cases', headers: { authorization: `Bearer ${await signToken(config, newUnit)}` } })).statusCode).toBe(403);
    otherRegistry.invalidate!();
    expect((await other.inject({ method: 'GET', url: '/v1/cases', headers: { authorization: `Bearer ${await signToken(config, newUnit)}` } })).statusCode).toBe(200);
    // the unit's row for the cadre records, with the region it is in
    expect((await store.db.query('SELECT name, region, locality_code FROM units WHERE unit_code = $1', ['JS-NJ-SJJ'])).rows).toEqual([{ name: '南京市审计局', region: '江苏省南京市', locality_code: 'JS-NJ' }]);
  });

  test('When an entry is updated, then 200 with the entry before and after; sent again as it is, then nothing is written or audited', async () => {
    const res = await put(kunshan, '/v1/admin/cadres/C-320583-0009', { name: '王芳', unit: 'JS-SZ-KS-ZWB' });
    expect(res.status).toBe(201);

    const renamed = await put(kunshan, '/v1/admin/cadres/C-320583-0009', { name: '王芳芳', unit: 'JS-SZ-KS-ZWB' });
    expect(renamed.status).toBe(200);
    expect(renamed.body.audit).toMatchObject({ action: 'update', before: { id: 'C-320583-0009', name: '王芳', unit: 'JS-SZ-KS-ZWB' }, after: { id: 'C-320583-0009', name: '王芳芳', unit: 'JS-SZ-KS-ZWB' } });

    const rows = await auditRows();
    const again = await put(kunshan, '/v1/admin/cadres/C-320583-0009', { name: '王芳芳', unit: 'JS-SZ-KS-ZWB' });
    expect(again.status).toBe(200);
    expect(again.body).toEqual({ changed: false, entry: { id: 'C-320583-0009', name: '王芳芳', unit: 'JS-SZ-KS-ZWB' } });
    expect(await auditRows()).toBe(rows);
  });

  test('When a city admin adds a county below its city, then it is its to keep', async () => {
    const res = await put(nanjing, '/v1/admin/localities/JS-NJ-JN', { name: '江宁区', parent: 'JS-NJ' });
    expect(res.status).toBe(201);
    expect((await readRegistry(store.db)).placeName('JS-NJ-JN')).toBe('江苏省南京市江宁区');
  });

  test('When a cadre is retired, then no new case opens for them, the retirement is audited and the export says so', async () => {
    await put(nanjing, '/v1/admin/cadres/C-320100-0099', { name: '赵磊', unit: 'JS-NJ-FGW' });
    const application = { ...sampleApplication, unitCode: 'JS-NJ-FGW', cadre: { ...sampleApplication.cadre, id: 'C-320100-0099', name: '赵磊' } };
    const unit: Actor = { sub: 'clerk', role: 'unit', unit: 'JS-NJ-FGW' };
    expect((await call(unit, 'POST', '/v1/cases', application)).status).toBe(201);

    const res = await put(nanjing, '/v1/admin/cadres/C-320100-0099', { name: '赵磊', unit: 'JS-NJ-FGW', retired: true });

    expect(res.body.audit).toMatchObject({ action: 'retire', after: { retired: true } });
    const refused = await call(unit, 'POST', '/v1/cases', application);
    expect(refused.status).toBe(400);
    expect(refused.body.errors).toEqual([{ path: 'body.cadre.id', message: expect.stringMatching(/已停用/) }]);
    const exported = (await call(nanjing, 'GET', '/v1/admin/registry')).body as unknown as RegistryDocument;
    expect(exported.cadres.find((c) => c.id === 'C-320100-0099')).toEqual({ id: 'C-320100-0099', name: '赵磊', unit: 'JS-NJ-FGW', retired: true });
    // reinstated by sending it without `retired`
    expect((await put(nanjing, '/v1/admin/cadres/C-320100-0099', { name: '赵磊', unit: 'JS-NJ-FGW' })).body.audit).toMatchObject({ action: 'reinstate' });
  });

  test('When a department that others fall back on is retired, then the nearest one up the tree serves its locality', async () => {
    const res = await put(province, '/v1/admin/bodies/JS-SZ-KS-JW', { name: '昆山市纪委监委', kind: 'discipline', locality: 'JS-SZ-KS', retired: true });

    expect(res.status).toBe(200);
    expect((await readRegistry(store.db)).jurisdictionOf('JS-SZ-KS-ZWB')?.bodies.discipline).toBe('JS-JW');
    await put(province, '/v1/admin/bodies/JS-SZ-KS-JW', { name: '昆山市纪委监委', kind: 'discipline', locality: 'JS-SZ-KS' });
  });
});

describe('Refusals: a specific problem document, and nothing changes', () => {
  test('When the parent locality is unknown, then 422 registryRejected naming it, in Chinese by default and in English on request', async () => {
    const zh = await expectRefused(() => put(province, '/v1/admin/localities/JS-WX', { name: '无锡市', parent: 'JS-XX' }), 422, 'registryRejected', 'body.parent', /上级地区 JS-XX 不在登记册中/);
    expect(zh.body.title).toBe('登记册不接受此变更');
    expect(zh.body.errors![0]!.message).toMatch(/^body\.parent（上级地区）/);

    const en = await expectRefused(() => put(province, '/v1/admin/localities/JS-WX', { name: '无锡市', parent: 'JS-XX' }, { 'accept-language': 'en' }), 422, 'registryRejected', 'body.parent', /^unknown parent locality JS-XX$/);
    expect(en.body.title).toBe('The registry cannot take this change');
  });

  test('When a code is already used by another entry, then 422 naming the code', async () => {
    await expectRefused(() => put(province, '/v1/admin/bodies/JS-NJ', { name: '南京市某局', kind: 'unit', locality: 'JS-NJ' }), 422, 'registryRejected', 'params.code', /代码 JS-NJ 已被使用/);
  });

  test('When a unit is moved outside the admin’s jurisdiction, then 403 outsideJurisdiction on its locality', async () => {
    await expectRefused(() => put(nanjing, '/v1/admin/bodies/JS-NJ-FGW', { name: '南京市发展和改革委员会', kind: 'unit', locality: 'JS-SZ-KS' }), 403, 'outsideJurisdiction', 'body.locality', /JS-SZ-KS 不在您的管辖范围内/);
  });

  test('When an admin changes an entry of another city, then 403 and the entry is not touched', async () => {
    await expectRefused(() => put(nanjing, '/v1/admin/bodies/JS-SZ-KS-ZWB', { name: '改名', kind: 'unit', locality: 'JS-SZ-KS' }), 403, 'outsideJurisdiction', 'body', /JS-SZ-KS-ZWB 不在您的管辖范围内/);
    await expectRefused(() => put(nanjing, '/v1/admin/cadres/C-320583-0001', { name: '李静', unit: 'JS-NJ-FGW' }), 403, 'outsideJurisdiction', 'body', /不在您的管辖范围内/);
  });

  test('When a cadre is put in an unknown unit, or in a body that is not a unit, then 422 on its unit', async () => {
    await expectRefused(() => put(nanjing, '/v1/admin/cadres/C-320100-0100', { name: '钱进', unit: 'JS-NJ-NONE' }), 422, 'registryRejected', 'body.unit', /JS-NJ-NONE 不是登记册中的单位/);
    await expectRefused(() => put(nanjing, '/v1/admin/cadres/C-320100-0100', { name: '钱进', unit: 'JS-NJ-ZZB' }), 422, 'registryRejected', 'body.unit', /JS-NJ-ZZB 不是登记册中的单位/);
  });

  test('When a locality would be moved out from under the admin, or a province added, then 403 on its parent', async () => {
    await expectRefused(() => put(nanjing, '/v1/admin/localities/JS-NJ', { name: '南京市', parent: 'JS-SZ' }), 403, 'outsideJurisdiction', 'body.parent', /上级地区 JS-SZ 不在您的管辖范围内/);
    await expectRefused(() => put(province, '/v1/admin/localities/ZJ', { name: '浙江省' }), 403, 'outsideJurisdiction', 'body.parent', /registry:load/);
  });

  test('When a body would change its kind, or the last department of a kind would be retired, then 422', async () => {
    await expectRefused(() => put(nanjing, '/v1/admin/bodies/JS-NJ-JD', { name: '南京市容错纠错监督组', kind: 'organization', locality: 'JS-NJ' }), 422, 'registryRejected', 'body.kind', /机构类别不能变更/);
    await expectRefused(() => put(province, '/v1/admin/bodies/JS-ZZB', { name: '中共江苏省委组织部', kind: 'organization', locality: 'JS', retired: true }), 422, 'registryRejected', 'body.retired', /将没有组织部门负责/);
  });

  test('When the body is not a valid entry, then 400 naming the field with its label', async () => {
    await expectRefused(() => put(nanjing, '/v1/admin/bodies/JS-NJ-ABC', { name: '', kind: 'office', locality: 'JS-NJ' }), 400, 'validation', 'body.kind', /body.kind（类别）/);
    await expectRefused(() => put(nanjing, '/v1/admin/bodies/js-nj-abc', { name: '某局', kind: 'unit', locality: 'JS-NJ' }), 400, 'validation', 'params.code', /代码/);
  });
});

describe('The audit', () => {
  test('When the audit is read page by page, then each admin reads the changes of its jurisdiction, newest first', async () => {
    const first = await call(nanjing, 'GET', '/v1/admin/audit?limit=2');
    expect(first.status).toBe(200);
    const items = first.body.items as { id: number; code: string }[];
    expect(items).toHaveLength(2);
    expect(items[0]!.id).toBeGreaterThan(items[1]!.id);
    const second = await call(nanjing, 'GET', `/v1/admin/audit?limit=200&cursor=${String(first.body.nextCursor)}`);
    const all = [...items, ...(second.body.items as { id: number; code: string }[])];
    expect(second.body.nextCursor).toBeUndefined();
    expect(all.map((i) => i.code)).toEqual(expect.arrayContaining(['JS-NJ-SJJ', 'JS-NJ-JN', 'C-320100-0099']));
    expect(all.map((i) => i.code)).not.toContain('C-320583-0009');
    // the demo data was loaded with the store, audited as registry:load's would be
    expect(all.at(-1)).toMatchObject({ action: 'create', source: 'demo data', by: { sub: 'system' } });

    const ks = (await call(kunshan, 'GET', '/v1/admin/audit?limit=200')).body.items as { code: string }[];
    expect(ks.map((i) => i.code)).toContain('C-320583-0009');
    expect(ks.map((i) => i.code)).not.toContain('JS-NJ-SJJ');
  });

  test('When the cursor is not one the audit gave, then 400', async () => {
    const res = await call(nanjing, 'GET', '/v1/admin/audit?cursor=abc');
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([{ path: 'query.cursor', message: expect.stringMatching(/分页游标/) }]);
  });

  test('When someone tries to change or remove an audit entry in the database, then the database refuses', async () => {
    await expect(store.db.query("UPDATE registry_audit SET by_sub = 'someone-else'")).rejects.toThrow(/append-only/);
    await expect(store.db.query('DELETE FROM registry_audit')).rejects.toThrow(/append-only/);
  });
});

describe('The OpenAPI document', () => {
  test('When the document is read, then the admin routes are in it with their schemas, from the registry’s own', async () => {
    const doc = (await (await fetch(`${base}/openapi.json`)).json()) as { paths: Record<string, Record<string, { tags?: string[]; responses: Record<string, unknown> }>>; components: { schemas: Record<string, { properties?: Record<string, unknown> }> } };

    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/v1/admin/registry', '/v1/admin/localities/{code}', '/v1/admin/bodies/{code}', '/v1/admin/cadres/{id}', '/v1/admin/audit']));
    expect(doc.paths['/v1/admin/bodies/{code}']!.put!.tags).toEqual(['admin']);
    expect(Object.keys(doc.paths['/v1/admin/bodies/{code}']!.put!.responses)).toEqual(expect.arrayContaining(['200', '201', '403', '422']));
    expect(Object.keys(doc.components.schemas.BodyInput!.properties!)).toEqual(['name', 'kind', 'locality', 'retired']);
    expect(Object.keys(doc.components.schemas.RegistryDocument!.properties!)).toEqual(['localities', 'bodies', 'cadres']);
  });
});
