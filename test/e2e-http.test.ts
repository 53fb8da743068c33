/**
 * End to end over HTTP: the API on a real port, a worker with the real record and notification
 * systems, the Temporal dev server. One case goes from application through ruling, remediation and
 * a revisit, each step by the role that owns it, under a drill policy whose waits last seconds.
 */
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { buildApp } from '../api/app';
import { createTemporalGateway } from '../api/gateway';
import { createReadModel } from '../api/read-model';
import { signToken } from '../api/tokens';
import { loadConfig } from '../common/config';
import type { Actor, CaseState } from '../domain/case';
import { PolicyRegistry } from '../domain/policies';
import { Registry } from '../domain/registry';
import { checkCompleteness } from '../activities/records/verify-cli';
import { getCaseQuery } from '../workflows/messages';
import { demoRegistry, staticRegistry } from '../api/registry';
import { actors, factors, sampleApplication } from './support/case-harness';
import { eventually } from './support/drive';
import { openTestStore, type TestStore } from './support/databases';
import { startStoreWorker } from './support/store-worker';
import { drillPolicy } from './support/policies';
import { testServerAddress } from './support/temporal';

jest.setTimeout(180_000);

// the decision-effect tracking opens with the support tier's one revisit
const drill = drillPolicy('drill', 120, { appealWindow: 4 }, { followUp: { unit: 'seconds', focus: [2, 4], support: [3], incentive: [3], effectTracking: [3] } });

/** Cadres of this run, registered with the demo registry: each case has its own, so the repeat rule never meets an earlier run's. */
const runCadres = Array.from({ length: 5 }, () => sampleApplication().cadre);
let nextCadre = 0;
const registeredApplication = () => sampleApplication({ cadreId: runCadres[nextCadre++]!.id });
const registry = Registry.parse({ ...demoRegistry.document, cadres: [...demoRegistry.document.cadres, ...runCadres.map((c) => ({ id: c.id, name: c.name, unit: 'JS-NJ-FGW' }))] });

const config = loadConfig({ TEMPORAL_TASK_QUEUE: `e2e-${randomUUID()}`, LOG_LEVEL: 'silent' });
let store: TestStore;
let worker: Worker;
let running: Promise<void>;
let workerConnection: NativeConnection;
let clientConnection: Connection;
let app: FastifyInstance;
let base: string;

beforeAll(async () => {
  store = await openTestStore();
  const address = testServerAddress();
  ({ worker, connection: workerConnection, running } = await startStoreWorker(store, config));
  clientConnection = await Connection.connect({ address });
  const client = new Client({ connection: clientConnection });
  app = await buildApp({
    config,
    logger: pino({ level: 'silent' }),
    cases: createTemporalGateway(client, config),
    readModel: createReadModel(store.db),
    policies: new PolicyRegistry([drill]),
    registry: staticRegistry(registry),
    readiness: { temporal: async () => void (await client.workflowService.getSystemInfo({})), database: async () => void (await store.db.query('SELECT 1')) },
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await app?.close();
  await clientConnection?.close();
  worker?.shutdown();
  await running;
  await workerConnection?.close();
  await store?.close();
});

async function call(actor: Actor, method: string, path: string, body?: unknown): Promise<{ status: number; body: CaseState; headers: Headers }> {
  const token = await signToken(config, actor);
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  return { status: res.status, body: (await res.json()) as CaseState, headers: res.headers };
}

test('When a case is driven over HTTP by each role, then it goes from application to its last revisit and leaves an intact ledger', async () => {
  const ready = await fetch(`${base}/readyz`);
  expect(ready.status).toBe(200);

  const opened = await call(actors.unit, 'POST', '/v1/cases', registeredApplication());
  expect(opened.status).toBe(201);
  const caseId: string = opened.body.caseId;
  expect(opened.headers.get('location')).toContain(`/v1/cases/${caseId}`);
  expect(caseId).toMatch(/^case-\d{4}-/);

  // the answer is the case after its first reaction: opened first, the acceptance wait with its deadline
  expect(opened.body.timeline[0]).toMatchObject({ event: 'opened', actor: { sub: actors.unit.sub, role: 'unit' } });
  expect(opened.body.tasks).toEqual([expect.objectContaining({ kind: 'acceptance', role: 'organization', status: 'open', label: '受理决定' })]);
  expect(Date.parse(opened.body.tasks[0]!.dueAt)).toBeGreaterThan(Date.parse(opened.body.openedAt));
  expect(opened.body.stageLabel).toBe('待受理');
  const read = await call(actors.unit, 'GET', `/v1/cases/${caseId}`);
  expect(read.body.openedAt).toBe(opened.body.openedAt);
  await eventually(async () => {
    const listed = (await call(actors.unit, 'GET', '/v1/cases')).body as unknown as { items: { caseId: string; openedAt: string }[] };
    expect(listed.items.find((i) => i.caseId === caseId)?.openedAt).toBe(opened.body.openedAt);
  });

  const hidden = await call(actors.otherUnit, 'GET', `/v1/cases/${caseId}`);
  expect(hidden.status).toBe(404);

  let r = await call(actors.org, 'POST', `/v1/cases/${caseId}/acceptance`, { decision: 'accept' });
  expect(r.status).toBe(200);
  expect(r.body.stage).toBe('investigation');

  // the inbox follows the case by its record activity, milliseconds after the Update answered
  await eventually(async () => {
    const tasks = await call(actors.org, 'GET', '/v1/tasks?limit=200');
    expect(tasks.status).toBe(200);
    const items = (tasks.body as unknown as { items: { caseId: string; stage: string; tasks: { kind: string }[]; asOf: string }[] }).items;
    expect(items.find((i) => i.caseId === caseId)).toMatchObject({ stage: 'investigation', tasks: [{ kind: 'investigation' }], asOf: expect.any(String) });
  });

  r = await call(actors.org, 'POST', `/v1/cases/${caseId}/investigation`, { factors: factors(9), evaluation: '一贯表现良好', confirmedCircumstances: sampleApplication().circumstances });
  expect(r.body.stage).toBe('consultation');
  r = await call(actors.discipline, 'POST', `/v1/cases/${caseId}/consultation`, { opinion: 'concur', reasons: '同意' });
  expect(r.body.stage).toBe('rulingProposal');
  r = await call(actors.org, 'POST', `/v1/cases/${caseId}/ruling-proposal`, { outcome: 'exempt', tier: 'support', reasons: '符合免责情形' });
  expect(r.body.stage).toBe('rulingReview');
  const selfReview = await call({ sub: actors.org.sub, role: 'committee', unit: 'JS-NJ-SW' }, 'POST', `/v1/cases/${caseId}/ruling-review`, { decision: 'approve', comments: '自审' });
  expect(selfReview.status).toBe(409);
  r = await call(actors.committee, 'POST', `/v1/cases/${caseId}/ruling-review`, { decision: 'approve', comments: '同意' });
  expect(r.body.stage).toBe('appeal');

  await eventually(async () => expect((await call(actors.unit, 'GET', `/v1/cases/${caseId}`)).body.stage).toBe('remediation'), 30_000);
  const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
  r = await call(actors.org, 'POST', `/v1/cases/${caseId}/correction-plan`, { opinion: '完善流程', measures: [{ title: '修订细则', description: '补齐复核环节', dueDate: tomorrow }] });
  expect(r.status).toBe(200);
  r = await call(actors.unit, 'POST', `/v1/cases/${caseId}/measures/m1/progress`, { progress: '已完成', percent: 100, completed: true });
  expect(r.body.measures[0]?.status).toBe('completed');
  r = await call(actors.org, 'POST', `/v1/cases/${caseId}/measures/m1/verification`, { verified: true, comments: '已落实' });
  expect(r.body.stage).toBe('followUp');

  await eventually(async () => expect((await call(actors.org, 'GET', `/v1/cases/${caseId}`)).body.revisits[0]?.status).toBe('open'), 30_000);
  // whoever tolerates, revisits: the province's organization department sees the case but may not revisit
  const wrongBody = await call(actors.provinceOrg, 'POST', `/v1/cases/${caseId}/revisit`, { thinking: '稳定', workPerformance: '积极', lifeSituation: '正常', assessment: '良好' });
  expect(wrongBody.status).toBe(403);
  // and the organization department of another locality is told nothing of it
  const stranger = await call(actors.otherOrg, 'POST', `/v1/cases/${caseId}/revisit`, { thinking: '稳定', workPerformance: '积极', lifeSituation: '正常', assessment: '良好' });
  expect(stranger.status).toBe(404);
  expect((await call(actors.otherOrg, 'GET', `/v1/cases/${caseId}`)).status).toBe(404);
  r = await call(actors.org, 'POST', `/v1/cases/${caseId}/revisit`, { thinking: '稳定', workPerformance: '积极', lifeSituation: '正常', assessment: '良好' });
  expect(r.status).toBe(200);
  // the revisits are done, but the decision-effect tracking holds the case open until it is recorded (or lapses)
  expect(r.body.stage).toBe('followUp');
  expect(r.body.effectTrackings).toEqual([expect.objectContaining({ id: 'e1', monthOffset: 3, status: 'planned' })]);
  const tracking = { reformDecision: 'sustained', results: '改革继续实施，成效明显', recoveredSinceRuling: 1000 };
  expect((await call(actors.provinceOrg, 'POST', `/v1/cases/${caseId}/effect-tracking`, tracking)).status).toBe(403);
  const tooMuch = await call(actors.org, 'POST', `/v1/cases/${caseId}/effect-tracking`, { ...tracking, recoveredSinceRuling: 1e12 });
  expect(tooMuch.status).toBe(400);
  expect((tooMuch.body as unknown as { detail: string }).detail).toMatch(/认定以来挽回的损失不能超过申请时尚未挽回的损失/);
  r = await call(actors.org, 'POST', `/v1/cases/${caseId}/effect-tracking`, tracking);
  expect(r.status).toBe(200);
  expect(r.body.effectTrackings?.[0]).toMatchObject({ status: 'done', record: { by: actors.org.sub, reformDecision: 'sustained', recoveredSinceRuling: 1000 } });
  const final: CaseState = r.body;
  expect(final.stage).toBe('closed');
  expect(final.closeReason).toBe('completed');

  const list = await call(actors.supervisor, 'GET', `/v1/cases?unit=JS-NJ-FGW`);
  expect(list.status).toBe(200);

  await eventually(async () => {
    const [verification] = await store.records.verifyLedger(caseId);
    expect(verification).toMatchObject({ ok: true, entries: final.timeline.length });
  }, 20_000);
  // ledger:verify --against-temporal: the chain holds every entry the case has
  const client = new Client({ connection: clientConnection });
  const [complete] = await checkCompleteness(await store.records.verifyLedger(caseId), async (id) => (await client.workflow.getHandle(id).query(getCaseQuery)).timeline.length);
  expect(complete).toMatchObject({ ok: true, entries: final.timeline.length });
  const { rows } = await store.db.query<{ stage: string; outcome: string }>('SELECT stage, outcome FROM cases WHERE case_id = $1', [caseId]);
  expect(rows[0]).toEqual({ stage: 'closed', outcome: 'exempt' });
  // the tracking is a record of its own, its results sealed like every personal column
  expect((await store.records.readCase(caseId))?.effectTrackings).toEqual([
    { trackingId: 'e1', monthOffset: 3, status: 'done', reformDecision: 'sustained', results: '改革继续实施，成效明显', recoveredSinceRuling: 1000, recordedBy: actors.org.sub },
  ]);
  const { rows: outbox } = await store.db.query<{ n: number }>('SELECT count(*)::int AS n FROM outbox WHERE key LIKE $1', [`${caseId}%`]);
  expect(outbox[0]!.n).toBeGreaterThan(3);
});

test('When a case is withdrawn right after it opens, then its timeline and its ledger read opened, withdrawn, closed', async () => {
  const opened = await call(actors.unit, 'POST', '/v1/cases', registeredApplication());
  const caseId = opened.body.caseId;
  const r = await call(actors.unit, 'POST', `/v1/cases/${caseId}/withdrawal`, { reason: '误报，撤回' });
  expect(r.status).toBe(200);
  expect(r.body.timeline.map((e) => e.event)).toEqual(['opened', 'withdrawn', 'closed']);
  await eventually(async () => {
    const { rows } = await store.db.query<{ event: string }>('SELECT event FROM ledger WHERE case_id = $1 ORDER BY seq', [caseId]);
    expect(rows.map((x) => x.event)).toEqual(['opened', 'withdrawn', 'closed']);
  }, 20_000);
  // the listing never shows a closed stage on an open row
  await eventually(async () => {
    const listed = (await call(actors.unit, 'GET', '/v1/cases')).body as unknown as { items: { caseId: string; status: string; stage: string }[] };
    expect(listed.items.find((i) => i.caseId === caseId)).toMatchObject({ status: 'closed', stage: 'closed' });
  });
});

test('When an Idempotency-Key is reused on an action with another body, then 409 idempotencyConflict and the first action stands', async () => {
  const opened = await call(actors.unit, 'POST', '/v1/cases', registeredApplication());
  const caseId = opened.body.caseId;
  const token = await signToken(config, actors.org);
  const send = (body: unknown) =>
    fetch(`${base}/v1/cases/${caseId}/acceptance`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'idempotency-key': 'acc-1' }, body: JSON.stringify(body) });
  const first = await send({ decision: 'requestSupplement', requestedItems: ['会议纪要'] });
  expect(first.status).toBe(200);
  const again = await send({ decision: 'requestSupplement', requestedItems: ['会议纪要'] });
  expect(again.status).toBe(200);
  const other = await send({ decision: 'refuse', reason: '不属于受理范围' });
  expect(other.status).toBe(409);
  expect(((await other.json()) as { type: string }).type).toMatch(/idempotencyConflict$/);
  const state = (await call(actors.org, 'GET', `/v1/cases/${caseId}`)).body;
  expect(state.stage).toBe('supplement');
  expect(state.timeline.filter((e) => e.event === 'supplementRequested')).toHaveLength(1);
});
