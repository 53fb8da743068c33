/**
 * The role × body matrix, route by route, with two localities: every route of the route table (the
 * case routes, the admin routes, the codec endpoint) is called by every role acting for a body of
 * 南京市 (A, JS-NJ), a body of 昆山市 (B, JS-SZ-KS), a body of the province (JS), with no `unit`
 * claim, for an unregistered body and for a registered body of the wrong kind, against real cases
 * opened in both localities — over HTTP through the app, a worker on the Temporal dev server and the
 * record system in PostgreSQL.
 *
 * The answer expected of each cell is derived from the rules alone, written out here by hand:
 * a role outside the route's row is 403; a missing claim is 401 naming it; an unregistered or
 * wrong-kind body is 403; a case outside the caller's jurisdiction is 404 (like a case that does not
 * exist), an application or a registry entry outside it is 403; inside, the answer is never
 * 401/403/404 (the case may still refuse the action for its stage). A listing must hold nothing from
 * outside the jurisdiction, and no case may carry in its timeline an action of a body outside it.
 *
 * Cases run in a namespace of their own, so listings meet no other test file's cases.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { readRegistry } from '../activities/records/registry';
import { accessRows, type AccessName } from '../api/access';
import { createReadModel } from '../api/read-model';
import { createLibrary } from '../api/library';
import { proposeTypicalCase, reviewTypicalCase } from '../activities/records/library';
import { createStatisticsSource } from '../api/statistics';
import { storeReport } from '../activities/records/statistics';
import { buildReport } from '../activities/reports';
import { buildApp } from '../api/app';
import { createTemporalGateway } from '../api/gateway';
import { PROBLEM_BASE } from '../api/problems';
import { cachedRegistry, registryAdmin } from '../api/registry';
import { signToken } from '../api/tokens';
import { createPayloadCodec } from '../common/codec';
import { loadConfig } from '../common/config';
import { roles, type Actor, type CaseState, type Role } from '../domain/case';
import { sampleApplication } from '../domain/examples';
import { PolicyRegistry } from '../domain/policies';
import { actionSpecs } from '../workflows/case/actions';
import { getCaseQuery } from '../workflows/messages';
import { openTestStore, type TestStore } from './support/databases';
import { startStoreWorker } from './support/store-worker';
import { ISOLATED_NAMESPACE, testServerAddress } from './support/temporal';

jest.setTimeout(300_000);

// ---- The rules, by hand ----

/** The kind of body each role acts for (an expert acts for none). */
const kindOf: Record<Exclude<Role, 'expert'>, string> = { unit: 'unit', organization: 'organization', discipline: 'discipline', committee: 'committee', supervisor: 'supervision', admin: 'organization' };
/** Each locality's path up the tree. */
const pathOf: Record<string, string[]> = { 'JS-NJ': ['JS-NJ', 'JS'], 'JS-SZ-KS': ['JS-SZ-KS', 'JS-SZ', 'JS'], JS: ['JS'] };
/** The units of the cases here, and where they are. */
const localityOfUnit: Record<string, string> = { 'JS-NJ-FGW': 'JS-NJ', 'JS-NJ-ZJJ': 'JS-NJ', 'JS-SZ-KS-ZWB': 'JS-SZ-KS' };

const places = { A: 'JS-NJ', B: 'JS-SZ-KS', province: 'JS' } as const;
const variants = ['A', 'B', 'province', 'noClaim', 'unregistered', 'wrongKind'] as const;
type Variant = (typeof variants)[number];
/** The expert the case X invited; an expert is the same person whatever body its token names. */
const EXPERT = 'expert-amy';

const config = loadConfig({
  TEMPORAL_TASK_QUEUE: `matrix-${randomUUID()}`,
  LOG_LEVEL: 'silent',
  API_RATE_LIMIT: '100000',
  PAYLOAD_KEYS: `matrix:${randomBytes(32).toString('base64')}`,
});

let store: TestStore;
let bodies: { code: string; kind: string; locality: string }[];

/** The body of `kind` in `locality`, from the registry the test loaded. */
function bodyOf(kind: string, locality: string): string {
  const found = bodies.find((b) => b.kind === kind && b.locality === locality);
  if (!found) throw new Error(`no ${kind} body in ${locality}`);
  return found.code;
}

/** The token's actor for a role and a variant of its body. */
function actorFor(role: Role, variant: Variant): Actor {
  if (role === 'expert') {
    const unit = variant in places ? bodyOf('organization', places[variant as keyof typeof places]) : variant === 'unregistered' ? 'JS-NJ-NONE' : undefined;
    return { sub: EXPERT, role, ...(unit ? { unit } : {}) };
  }
  const sub = `${role}-${variant}`;
  const kind = kindOf[role];
  switch (variant) {
    case 'noClaim':
      return { sub, role };
    case 'unregistered':
      return { sub, role, unit: 'JS-NJ-NONE' };
    case 'wrongKind':
      return { sub, role, unit: bodyOf(kind === 'unit' ? 'organization' : 'unit', places.A) };
    default:
      return { sub, role, unit: bodyOf(kind, places[variant]) };
  }
}

interface CaseTarget {
  kind: 'case';
  name: 'A' | 'B' | 'X';
  caseId: string;
  unit: string;
  invited: string[];
}
/** An account of the typical-case library, of a closed case of `unit`: published (every body reads it) or awaiting approval. */
interface AccountTarget {
  kind: 'account';
  entryId: string;
  unit: string;
  published: boolean;
}
type Target =
  | CaseTarget
  | AccountTarget
  | { kind: 'query'; query: string; locality?: string; unit?: string }
  | { kind: 'report'; reportId: string; locality: string }
  | { kind: 'unit'; unit: string } | { kind: 'cadre'; cadreId: string; unit: string } | { kind: 'entry'; path: string; body: unknown; locality: string } | { kind: 'none' };

/** Whether the actor's jurisdiction holds the target: a unit its own, an expert where invited, a body its locality and those below. */
function within(role: Role, variant: Variant, target: Target): boolean {
  if (target.kind === 'none') return true;
  if (role === 'expert') return target.kind === 'case' && target.invited.includes(EXPERT);
  const unit = target.kind === 'entry' || target.kind === 'report' ? undefined : target.unit;
  if (role === 'unit') return unit !== undefined && actorFor(role, variant).unit === unit;
  const locality = target.kind === 'entry' || target.kind === 'report' ? target.locality : ((target.kind === 'query' ? target.locality : undefined) ?? localityOfUnit[target.unit!]!);
  return pathOf[locality]!.includes(places[variant as keyof typeof places]);
}

interface Expectation {
  /** The status, or 'inside': anything but 401, 403, 404 and 5xx. */
  status: number | 'inside';
  type?: string;
  detail?: RegExp;
}

function expected(route: AccessName, role: Role, variant: Variant, target: Target): Expectation {
  const row = accessRows[route];
  // a unit token must name its unit: without it the token itself is refused, whatever the route
  if (role === 'unit' && variant === 'noClaim') return { status: 401, type: 'unauthorized', detail: /unit/ };
  if (!row.roles.includes(role)) return { status: 403, type: 'forbidden' };
  if (role !== 'expert') {
    if (variant === 'noClaim') return { status: 401, type: 'unauthorized', detail: /unit/ };
    if (variant === 'unregistered' || variant === 'wrongKind') return { status: 403, type: 'forbidden' };
  }
  const inside = within(role, variant, target);
  switch (target.kind) {
    case 'case':
      return inside ? { status: 'inside' } : { status: 404, type: 'notFound' };
    case 'unit':
      return inside ? { status: 201 } : { status: 403, type: 'forbidden' };
    case 'cadre':
      // a cadre outside the jurisdiction is unknown to the caller, as one that does not exist
      return inside ? { status: 200 } : { status: 404, type: 'notFound' };
    case 'entry':
    case 'query':
      return inside ? { status: 200 } : { status: 403, type: 'outsideJurisdiction' };
    case 'account':
      // a published account is every body's; one awaiting approval is its jurisdiction's, like a case
      return target.published ? { status: 200 } : inside ? { status: 'inside' } : { status: 404, type: 'notFound' };
    case 'report':
      // a report outside the jurisdiction is unknown to the caller, as one that does not exist
      return inside ? { status: 200 } : { status: 404, type: 'notFound' };
    default:
      return { status: 200 };
  }
}

// ---- The system ----

let worker: Worker;
let running: Promise<void>;
let workerConnection: NativeConnection;
let clientConnection: Connection;
let client: Client;
let app: FastifyInstance;
let base: string;
const cases: Record<'A' | 'B' | 'X', CaseTarget> = {} as never;
/** Closed cases of A and B not yet proposed, and of each city an account awaiting approval and a published one. */
const closedCases: CaseTarget[] = [];
const accounts: { pending: AccountTarget[]; published: AccountTarget[] } = { pending: [], published: [] };
const accountText = { title: '试点中的担当作为', account: '某局在改革中先行先试，事后主动纠正。', lessons: '试点要同步完善配套规则。' };

interface Answer {
  status: number;
  body: Record<string, unknown>;
}

/**
 * One request. A 503 says "try again" (a query the worker did not answer in time on a loaded machine),
 * not what the caller may do, so it is sent again, at most twice more.
 */
async function call(actor: Actor, method: string, path: string, body?: unknown): Promise<Answer> {
  const token = await signToken(config, actor);
  for (let attempt = 1; ; attempt++) {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const answer = { status: res.status, body: (await res.json()) as Record<string, unknown> };
    if (answer.status !== 503 || attempt === 3) return answer;
  }
}

const application = (unit: string) =>
  unit === 'JS-SZ-KS-ZWB'
    ? { ...sampleApplication, unitCode: unit, cadre: { ...sampleApplication.cadre, id: 'C-320583-0001', name: '李静' } }
    : unit === 'JS-NJ-ZJJ'
      ? { ...sampleApplication, unitCode: unit, cadre: { ...sampleApplication.cadre, id: 'C-320100-0002', name: '陈晓燕' }, incident: { ...sampleApplication.incident, technical: true } }
      : { ...sampleApplication, unitCode: unit };

async function open(name: 'A' | 'B' | 'X', unit: string): Promise<CaseTarget> {
  const res = await call({ sub: `setup-${name}`, role: 'unit', unit }, 'POST', '/v1/cases', application(unit));
  expect(res.status).toBe(201);
  return { kind: 'case', name, caseId: res.body.caseId as string, unit, invited: [] };
}

beforeAll(async () => {
  store = await openTestStore();
  bodies = (await readRegistry(store.db)).document.bodies;
  const address = testServerAddress();
  ({ worker, connection: workerConnection, running } = await startStoreWorker(store, config, ISOLATED_NAMESPACE));
  clientConnection = await Connection.connect({ address });
  client = new Client({ connection: clientConnection, namespace: ISOLATED_NAMESPACE });
  const logger = pino({ level: 'silent' });
  app = await buildApp({
    config,
    logger,
    cases: createTemporalGateway(client, config),
    policies: PolicyRegistry.load(),
    registry: cachedRegistry(() => readRegistry(store.db)),
    registryAdmin: registryAdmin(store.db),
    readModel: createReadModel(store.db),
    history: { cadreHistory: (cadreId, unitCode) => store.records.cadreHistory(cadreId, unitCode) },
    library: createLibrary(store.db, store.keys),
    statistics: createStatisticsSource(store.db),
    payloadCodecs: [createPayloadCodec(config, logger)],
    readiness: {},
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;

  // Closed cases of both cities, as their workflows record them, and accounts of the library.
  const closed = async (caseId: string, unit: string) => {
    const app0 = application(unit);
    const register = (stage: string, extra: object = {}) => ({ caseId, origin: 'application' as const, policyVersion: 'default@2025.1', unitCode: unit, category: 'approval-reform', stage: stage as never, openedAt: '2026-01-05T01:00:00.000Z', ...extra });
    await store.records.recordEvent({ caseId, seq: 1, entry: { at: '2026-01-05T01:00:00.000Z', event: 'opened' }, register: register('acceptance'), records: [{ type: 'case', cadreId: app0.cadre.id, cadreName: app0.cadre.name, application: app0 as never }] });
    await store.records.recordEvent({ caseId, seq: 2, entry: { at: '2026-06-01T02:00:00.000Z', event: 'closed' }, register: register('closed', { outcome: 'exempt', closeReason: 'completed' }) });
    return caseId;
  };
  for (const [name, unit, org, committee] of [['A', 'JS-NJ-FGW', 'JS-NJ-ZZB', 'JS-NJ-SW'], ['B', 'JS-SZ-KS-ZWB', 'JS-SZ-KS-ZZB', 'JS-SZ-KS-SW']] as const) {
    closedCases.push({ kind: 'case', name, caseId: await closed(`case-2026-MATRIX${name}001`, unit), unit, invited: [] });
    const path = pathOf[localityOfUnit[unit]!]!;
    const by = { sub: 'seed-org', role: 'organization', body: org };
    const text = { ...accountText, anonymize: 'refuse' as const };
    const pending = await proposeTypicalCase(store.db, store.keys, { caseId: await closed(`case-2026-MATRIX${name}002`, unit), kind: 'goodPractice', text, path, by, at: '2026-07-01T00:00:00.000Z' });
    const published = await proposeTypicalCase(store.db, store.keys, { caseId: await closed(`case-2026-MATRIX${name}003`, unit), kind: 'goodPractice', text, path, by, at: '2026-07-01T00:00:00.000Z' });
    await reviewTypicalCase(store.db, store.keys, { entryId: published.entry.id, review: { decision: 'approve' }, by: { sub: 'seed-committee', role: 'committee', body: committee }, at: '2026-07-02T00:00:00.000Z' });
    accounts.pending.push({ kind: 'account', entryId: String(pending.entry.id), unit, published: false });
    accounts.published.push({ kind: 'account', entryId: String(published.entry.id), unit, published: true });
  }

  // A case in each locality, and one of locality A at expert review with EXPERT invited.
  // a report of each city, as the schedules keep them
  const reportRegistry = await readRegistry(store.db);
  for (const [locality, path] of [['JS-NJ', ['JS-NJ', 'JS']], ['JS-SZ-KS', ['JS-SZ-KS', 'JS-SZ', 'JS']]] as const) {
    const reportId = `monthly-${locality}-2026-01`;
    const { content, html } = await buildReport(store.db, reportRegistry, PolicyRegistry.load(), { reportId, kind: 'monthly', locality, periodCode: '2026-01', asOf: new Date().toISOString() });
    await storeReport(store.db, { reportId, kind: 'monthly', locality, localities: [...path], period: content.period, generatedAt: content.generatedAt, content, html });
  }
  [cases.A, cases.B, cases.X] = await Promise.all([open('A', 'JS-NJ-FGW'), open('B', 'JS-SZ-KS-ZWB'), open('X', 'JS-NJ-ZJJ')]);
  const org: Actor = { sub: 'setup-org', role: 'organization', unit: 'JS-NJ-ZZB' };
  const x = cases.X.caseId;
  expect((await call(org, 'POST', `/v1/cases/${x}/acceptance`, { decision: 'accept' })).status).toBe(200);
  expect((await call(org, 'POST', `/v1/cases/${x}/investigation`, actionSpecs.investigation.example)).body).toMatchObject({ stage: 'expertReview' });
  const invited = await call(org, 'POST', `/v1/cases/${x}/expert-invitation`, actionSpecs.expertInvitation.example);
  expect((invited.body as unknown as CaseState).experts.invited).toContain(EXPERT);
  cases.X.invited = (invited.body as unknown as CaseState).experts.invited;
});

afterAll(async () => {
  await app?.close();
  await clientConnection?.close();
  worker?.shutdown();
  await running;
  await workerConnection?.close();
  await store?.close();
});

// ---- The targets and requests of each route ----

function targetsOf(route: AccessName): Target[] {
  const row = accessRows[route];
  if (row.url.includes(':caseId')) return [cases.A, cases.B, cases.X];
  if (route === 'openCase') return [{ kind: 'unit', unit: 'JS-NJ-FGW' }, { kind: 'unit', unit: 'JS-SZ-KS-ZWB' }];
  // the library: closed cases to propose, accounts awaiting approval, published accounts
  if (route === 'proposeTypicalCase') return closedCases;
  if (route === 'libraryEntry') return accounts.published;
  if (row.url.includes(':entryId')) return accounts.pending;
  // the cadres of cases A (南京市) and B (昆山市)
  if (route === 'cadreHistory') return [{ kind: 'cadre', cadreId: 'C-320100-0001', unit: 'JS-NJ-FGW' }, { kind: 'cadre', cadreId: 'C-320583-0001', unit: 'JS-SZ-KS-ZWB' }];
  // the figures of each city and of a unit of each; the reports of each city
  if (route === 'statistics') {
    return [
      { kind: 'query', query: '?locality=JS-NJ', locality: 'JS-NJ' },
      { kind: 'query', query: '?locality=JS-SZ-KS', locality: 'JS-SZ-KS' },
      { kind: 'query', query: '?unit=JS-NJ-FGW', unit: 'JS-NJ-FGW' },
      { kind: 'query', query: '?unit=JS-SZ-KS-ZWB', unit: 'JS-SZ-KS-ZWB' },
    ];
  }
  if (route === 'getReport') return [{ kind: 'report', reportId: 'monthly-JS-NJ-2026-01', locality: 'JS-NJ' }, { kind: 'report', reportId: 'monthly-JS-SZ-KS-2026-01', locality: 'JS-SZ-KS' }];
  if (route === 'adminLocality') {
    return [
      { kind: 'entry', path: 'JS-NJ', body: { name: '南京市', parent: 'JS' }, locality: 'JS-NJ' },
      { kind: 'entry', path: 'JS-SZ-KS', body: { name: '昆山市', parent: 'JS-SZ' }, locality: 'JS-SZ-KS' },
    ];
  }
  if (route === 'adminBody') {
    return [
      { kind: 'entry', path: 'JS-NJ-FGW', body: { name: '南京市发展和改革委员会', kind: 'unit', locality: 'JS-NJ' }, locality: 'JS-NJ' },
      { kind: 'entry', path: 'JS-SZ-KS-ZWB', body: { name: '昆山市政务服务管理办公室', kind: 'unit', locality: 'JS-SZ-KS' }, locality: 'JS-SZ-KS' },
    ];
  }
  if (route === 'adminCadre') {
    return [
      { kind: 'entry', path: 'C-320100-0001', body: { name: '张明', unit: 'JS-NJ-FGW' }, locality: 'JS-NJ' },
      { kind: 'entry', path: 'C-320583-0001', body: { name: '李静', unit: 'JS-SZ-KS-ZWB' }, locality: 'JS-SZ-KS' },
    ];
  }
  return [{ kind: 'none' }];
}

/** A valid request of `route` on `target`: valid, so that only the caller decides the answer. */
function requestOf(route: AccessName, target: Target): { method: string; path: string; body?: unknown } {
  const row = accessRows[route];
  let path = row.url.replace(':measureId', 'm-1').replace(':version', 'default@2025.1');
  if (target.kind === 'case') path = path.replace(':caseId', target.caseId);
  if (target.kind === 'cadre') path = path.replace(':cadreId', target.cadreId);
  if (target.kind === 'entry') path = path.replace(/:(code|id)$/, target.path);
  if (target.kind === 'account') path = path.replace(':entryId', target.entryId);
  if (route === 'proposeTypicalCase' && target.kind === 'case') return { method: row.method, path, body: { caseId: target.caseId, kind: 'goodPractice', ...accountText } };
  if (route === 'reviseTypicalCase') return { method: row.method, path, body: accountText };
  if (route === 'reviewTypicalCase') return { method: row.method, path, body: { decision: 'approve' } };
  if (target.kind === 'report') path = path.replace(':reportId', target.reportId);
  if (target.kind === 'query') path += target.query;
  if (route === 'openCase' && target.kind === 'unit') return { method: row.method, path, body: application(target.unit) };
  if (route in actionSpecs) return { method: row.method, path, body: actionSpecs[route as keyof typeof actionSpecs].example };
  if (target.kind === 'entry') return { method: row.method, path, body: target.body };
  if (route === 'codecDecode' || route === 'codecEncode') return { method: row.method, path, body: { payloads: [] } };
  return { method: row.method, path };
}

/** What of a successful read's answer lies outside the caller's jurisdiction. */
function leaks(route: AccessName, role: Role, variant: Variant, answer: Answer): string[] {
  if (answer.status !== 200) return [];
  if (route === 'listCases' || route === 'tasks') {
    const items = answer.body.items as { caseId: string; unitCode: string }[];
    const known = Object.values(cases);
    return items
      .filter((i) => {
        const target = known.find((c) => c.caseId === i.caseId) ?? ({ kind: 'case', name: 'A', caseId: i.caseId, unit: i.unitCode, invited: [] } as CaseTarget);
        return !within(role, variant, target);
      })
      .map((i) => `${i.caseId} (${i.unitCode})`);
  }
  if (route === 'listTypicalProposals') {
    const items = answer.body.items as { entryId: string; locality: string }[];
    const place = places[variant as keyof typeof places];
    return items.filter((i) => !(pathOf[i.locality] ?? [i.locality]).includes(place)).map((i) => `account ${i.entryId} (${i.locality})`);
  }
  if (route === 'listReports') {
    const items = answer.body.items as { reportId: string; locality: string }[];
    const place = places[variant as keyof typeof places];
    return items.filter((r) => !(pathOf[r.locality] ?? [r.locality]).includes(place)).map((r) => r.reportId);
  }
  if (route === 'statistics') {
    const units = (answer.body.units as { unit: string }[]).map((u) => u.unit);
    return units.filter((u) => !within(role, variant, { kind: 'query', query: '', unit: u })).map((u) => `figures of ${u}`);
  }
  if (route === 'adminRegistry') {
    const doc = answer.body as { bodies: { code: string; locality: string }[] };
    const place = places[variant as keyof typeof places];
    return doc.bodies.filter((b) => !(pathOf[b.locality] ?? [b.locality]).includes(place)).map((b) => b.code);
  }
  return [];
}

/** Runs `fn` over `items`, `limit` at a time. */
async function inParallel<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i]!);
      }
    }),
  );
  return out;
}

const routeNames = Object.keys(accessRows) as AccessName[];

describe('The role × body matrix', () => {
  test('When the matrix is laid out, then it covers every route of the route table, the admin routes and the codec endpoint', () => {
    expect(routeNames).toEqual(expect.arrayContaining(['openCase', 'getCase', 'tasks', 'acceptance', 'revisit', 'adminRegistry', 'adminBody', 'adminAudit', 'codecDecode', 'codecEncode']));
    // the admin reads and acts on no case, inbox or codec: only the registry (and the public policies)
    expect(routeNames.filter((r) => accessRows[r].roles.includes('admin'))).toEqual(['listPolicies', 'getPolicy', 'adminRegistry', 'adminLocality', 'adminBody', 'adminCadre', 'adminAudit']);
  });

  test.each(routeNames.map((r) => [r, `${accessRows[r].method} ${accessRows[r].url}`] as const))('When %s (%s) is called by every role for every body, then each answer is what the rules say', async (route) => {
    const cells = roles.flatMap((role) => variants.flatMap((variant) => targetsOf(route).map((target) => ({ role, variant, target }))));

    const answers = await inParallel(cells, 4, async ({ role, variant, target }) => {
      const request = requestOf(route, target);
      return call(actorFor(role, variant), request.method, request.path, request.body);
    });

    const wrong: string[] = [];
    cells.forEach(({ role, variant, target }, i) => {
      const answer = answers[i]!;
      const want = expected(route, role, variant, target);
      const where = `${role} of ${variant}${target.kind === 'case' ? ` on case ${target.name}` : target.kind === 'unit' ? ` for ${target.unit}` : target.kind === 'entry' ? ` on ${target.path}` : target.kind === 'account' ? ` on account ${target.entryId}` : ''}`;
      const type = answer.body.type as string | undefined;
      if (want.status === 'inside') {
        if ([401, 403, 404].includes(answer.status) || answer.status >= 500) wrong.push(`${where}: ${answer.status} ${type ?? ''}, expected an answer inside the jurisdiction`);
      } else if (answer.status !== want.status || (want.type && type !== PROBLEM_BASE + want.type) || (want.detail && !want.detail.test(String(answer.body.detail)))) {
        wrong.push(`${where}: ${answer.status} ${type ?? ''} ${want.detail ? String(answer.body.detail) : ''}, expected ${want.status} ${want.type ?? ''}`.trim());
      }
      for (const leak of leaks(route, role, variant, answer)) wrong.push(`${where}: answered with ${leak}, outside its jurisdiction`);
    });

    expect(wrong).toEqual([]);
  });

  test('When every route has been called, then no case holds an action of a body outside its jurisdiction', async () => {
    const timelines = await Promise.all(Object.values(cases).map(async (c) => [c.name, (await client.workflow.getHandle(c.caseId).query(getCaseQuery)).timeline] as const));
    const strangers = timelines.flatMap(([name, timeline]) => timeline.filter((e) => e.actor && e.actor.sub.endsWith(name === 'B' ? '-A' : '-B')).map((e) => `${name}: ${e.event} by ${e.actor!.sub}`));

    expect(strangers).toEqual([]);
    // and the bodies inside did act: the matrix reached the cases
    expect(timelines.find(([name]) => name === 'A')![1].some((e) => e.actor?.sub.endsWith('-A'))).toBe(true);
    expect(timelines.find(([name]) => name === 'B')![1].some((e) => e.actor?.sub.endsWith('-B'))).toBe(true);
  });
});
