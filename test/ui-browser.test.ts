/**
 * The supervisor's window, in a real browser: a dev server with its Web UI pointed at the API's codec
 * endpoint, a worker and the API with encryption, Chromium (Debian's, through playwright-core).
 * A case is opened and accepted over HTTP; then the UI is read twice: without signing in (current
 * details readable, nothing personal), and after signing in as a supervisor and running the UI setup
 * (columns, saved views, the codec with credentials): the list filtered by stage, the Chinese summary
 * line and details, and the decoded application. Screenshots go to test/output/ui/.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, type Worker } from '@temporalio/worker';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { chromium, type Browser, type Page } from 'playwright-core';
import { createActivities } from '../activities';
import { buildApp } from '../api/app';
import { createTemporalGateway } from '../api/gateway';
import { sampleApplication } from '../api/schemas';
import { demoRegistry, staticRegistry } from '../api/registry';
import { Registry } from '../domain/registry';
import { signToken } from '../api/tokens';
import { caseViews, uiSetupScript } from '../api/ui-setup';
import { EncryptionCodec } from '../common/codec';
import { loadConfig } from '../common/config';
import type { CaseState } from '../domain/case';
import { PolicyRegistry } from '../domain/policies';
import { devServerArgs, freePort, stopChild, waitForPort, waitForTemporal } from '../scripts/dev-server';
import { resolveTemporalCli } from '../scripts/tools';
import { createCaseWorker } from '../worker/worker';
import { workflowBundle } from './support/case-harness';
import { MemoryNotifier, MemoryRecords } from './support/doubles';
import { eventually } from './support/drive';

jest.setTimeout(300_000);

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const OUT = path.join(__dirname, 'output', 'ui');
const marker = randomBytes(4).toString('hex').toUpperCase();
const cadre = { ...sampleApplication.cadre, id: `CADRE-${marker}`, name: `保密人${marker}` };
const registry = staticRegistry(Registry.parse({ ...demoRegistry.document, cadres: [...demoRegistry.document.cadres, { id: cadre.id, name: cadre.name, unit: sampleApplication.unitCode }] }));
const incidentSummary = `${sampleApplication.incident.summary}（编号${marker}）`;

let dir: string;
let server: ChildProcess;
let workerConnection: NativeConnection;
let worker: Worker;
let running: Promise<void>;
let connection: Connection;
let app: FastifyInstance;
let browser: Browser;
let api: string;
let ui: string;
let caseId: string;
let runId: string;

/** The text of a page and of every frame in it (the UI renders markdown in frames). */
async function allText(page: Page): Promise<string> {
  const parts: string[] = [];
  for (const frame of page.frames()) parts.push(await frame.evaluate<string>('document.body ? document.body.innerText : ""').catch(() => ''));
  return parts.join('\n');
}

/**
 * Opens `url`. The UI is a single-page app: a navigation it starts itself while the page loads (a
 * redirect, a settings reload) aborts ours, so an aborted navigation is tried again.
 */
async function visit(page: Page, url: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await page.goto(url, { waitUntil: 'domcontentloaded' });
      return;
    } catch (err) {
      if (attempt >= 5 || !/ERR_ABORTED|interrupted by another navigation/.test(String(err))) throw err;
      await page.waitForTimeout(500);
    }
  }
}

async function waitForText(page: Page, wanted: string, timeoutMs = 60_000): Promise<void> {
  await eventually(async () => expect(await allText(page)).toContain(wanted), timeoutMs);
}

async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: path.join(OUT, `${name}.png`), fullPage: true });
}

async function newPage(): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1440, height: 1000 }, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
  return context.newPage();
}

beforeAll(async () => {
  fs.mkdirSync(OUT, { recursive: true });
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rongcuo-ui-'));
  const [port, uiPort, apiPort] = [await freePort(), await freePort(), await freePort()];
  api = `http://127.0.0.1:${apiPort}`;
  ui = `http://127.0.0.1:${uiPort}`;
  const log = fs.openSync(path.join(dir, 'server.log'), 'a');
  server = spawn(resolveTemporalCli(), devServerArgs({ port, uiPort, namespace: 'default', dbFilename: path.join(dir, 'temporal.db'), uiCodecEndpoint: `${api}/codec` }), { stdio: ['ignore', log, log] });
  fs.closeSync(log);
  const address = `127.0.0.1:${port}`;
  await waitForTemporal({ connection: { address }, namespace: 'default', timeoutMs: 60_000, child: server });

  const config = loadConfig({
    LOG_LEVEL: 'silent',
    TEMPORAL_TASK_QUEUE: `ui-${randomUUID()}`,
    API_PUBLIC_URL: api,
    CODEC_CORS_ORIGINS: ui,
    SIGNIN_DEV_IDENTITIES: 'true',
  });
  const codec = new EncryptionCodec([{ id: 'k-ui', key: randomBytes(32) }]);
  workerConnection = await NativeConnection.connect({ address });
  worker = await createCaseWorker({
    connection: workerConnection,
    namespace: 'default',
    taskQueue: config.taskQueue,
    workflowBundle: await workflowBundle(),
    activities: createActivities({ records: new MemoryRecords(), notifier: new MemoryNotifier() }),
    payloadCodecs: [codec],
  });
  running = worker.run();
  connection = await Connection.connect({ address });
  const client = new Client({ connection, dataConverter: { payloadCodecs: [codec] } });
  app = await buildApp({
    registry,
    config,
    logger: pino({ level: 'silent' }),
    cases: createTemporalGateway(client, config),
    policies: PolicyRegistry.load(),
    readiness: { temporal: async () => undefined, database: async () => undefined },
    payloadCodecs: [codec],
  });
  await app.listen({ host: '127.0.0.1', port: apiPort });

  // One case, opened by its unit and accepted by the organization department: now in investigation.
  const unit = await signToken(config, { sub: 'clerk-1', role: 'unit', unit: 'JS-NJ-FGW' });
  const org = await signToken(config, { sub: 'officer-1', role: 'organization', unit: 'JS-ZZB' });
  const opened = await fetch(`${api}/v1/cases`, {
    method: 'POST',
    headers: { authorization: `Bearer ${unit}`, 'content-type': 'application/json', 'idempotency-key': `ui-${marker}` },
    body: JSON.stringify({ ...sampleApplication, cadre, incident: { ...sampleApplication.incident, summary: incidentSummary } }),
  });
  expect(opened.status).toBe(201);
  caseId = ((await opened.json()) as CaseState).caseId;
  const accepted = await fetch(`${api}/v1/cases/${caseId}/acceptance`, {
    method: 'POST',
    headers: { authorization: `Bearer ${org}`, 'content-type': 'application/json' },
    body: JSON.stringify({ decision: 'accept' }),
  });
  expect(accepted.status).toBe(200);
  expect(((await accepted.json()) as CaseState).stage).toBe('investigation');
  runId = (await client.workflow.getHandle(caseId).describe()).runId;
  // The list answers from the visibility store, which follows shortly.
  await eventually(async () => {
    const { executions } = await client.workflowService.listWorkflowExecutions({ namespace: 'default', query: `WorkflowId = '${caseId}' AND CaseStage = 'investigation'` });
    expect(executions).toHaveLength(1);
  }, 30_000);

  expect(await waitForPort(uiPort, '127.0.0.1', 60_000)).toBe(true);
  // playwright-core gives the browser a fresh temporary profile (its own --user-data-dir) and each test a fresh context.
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
});

afterAll(async () => {
  await browser?.close();
  await app?.close();
  await connection?.close();
  worker?.shutdown();
  await running;
  await workerConnection?.close();
  if (server) await stopChild(server, 15_000);
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

const casePage = (tab: 'history' | 'user-metadata') => `${ui}/namespaces/default/workflows/${encodeURIComponent(caseId)}/${runId}/${tab}`;
const summary = '调查核实 · 南京市发展和改革委员会 · 审批制度改革 · ';

test('When nobody has signed in, then the UI shows the current details but no personal data, and the input stays encrypted', async () => {
  const page = await newPage();
  // Even with the UI set up to send credentials: without the session there is nothing to send.
  await visit(page, `${ui}/namespaces/default/workflows`);
  await page.evaluate(uiSetupScript({ codecEndpoint: `${api}/codec`, namespace: 'default' }));
  await page.waitForLoadState('load');

  await visit(page, casePage('user-metadata'));
  await waitForText(page, summary);
  await shot(page, '1-not-signed-in-details');
  await visit(page, casePage('history'));
  await waitForText(page, caseId);
  await page.waitForTimeout(3000);
  await shot(page, '2-not-signed-in-history');

  const seen = await allText(page);
  expect(seen).toContain('encryption-key-id');
  for (const secret of [cadre.name, cadre.id, incidentSummary]) expect(seen).not.toContain(secret);
  await page.context().close();
});

test('When a supervisor signs in and sets up the UI, then the list filters by stage with the case columns, and the case shows its Chinese summary and decoded application', async () => {
  const page = await newPage();
  await visit(page, `${api}/signin`);
  await page.getByRole('button', { name: '以监督部门（开发身份）登录' }).click();
  await waitForText(page, '已登录：监督部门');
  await shot(page, '3-signed-in');

  await visit(page, `${ui}/namespaces/default/workflows`);
  await page.evaluate(uiSetupScript({ codecEndpoint: `${api}/codec`, namespace: 'default' }));
  await page.waitForLoadState('load');
  for (const view of caseViews) await waitForText(page, view.name);

  await visit(page, `${ui}/namespaces/default/workflows?query=${encodeURIComponent("CaseStage = 'investigation'")}`);
  await waitForText(page, caseId);
  const list = await allText(page);
  for (const column of ['CaseStageName', 'CaseAwaitingBody', 'CaseNextDeadline', 'CaseOverdue', 'CaseUnitName']) expect(list).toContain(column);
  // the columns read in Chinese: the stage, the body awaited, the unit
  for (const value of ['调查核实', '中共南京市委组织部', '南京市发展和改革委员会']) expect(list).toContain(value);
  await shot(page, '4-list-by-stage');

  await visit(page, casePage('user-metadata'));
  await waitForText(page, summary);
  const details = await allText(page);
  expect(details).toMatch(/调查核实 · 南京市发展和改革委员会 · 审批制度改革 · \d+月\d+日截止/);
  expect(details).toContain('等待：');
  expect(details).toMatch(/调查核实（组织部门 中共南京市委组织部）截止 \d{4}-\d\d-\d\d \d\d:\d\d（北京时间）/);
  await shot(page, '5-signed-in-details');

  await visit(page, casePage('history'));
  await waitForText(page, incidentSummary, 90_000);
  const history = await allText(page);
  expect(history).toContain('JS-NJ-FGW');
  expect(history).not.toContain('Codec Server could not connect');
  await shot(page, '6-signed-in-history');
  await page.context().close();
});

test('When a supervisor of another locality signs in, then the case of 南京市 shows its current details but its payloads stay encrypted, without an error banner', async () => {
  const page = await newPage();
  await visit(page, `${api}/signin`);
  await page.getByRole('button', { name: '以昆山市监督部门（开发身份）登录' }).click();
  await waitForText(page, '已登录：监督部门 昆山市容错纠错监督组 JS-SZ-KS-JD');

  await visit(page, `${ui}/namespaces/default/workflows`);
  await page.evaluate(uiSetupScript({ codecEndpoint: `${api}/codec`, namespace: 'default' }));
  await page.waitForLoadState('load');
  await visit(page, casePage('history'));
  await waitForText(page, caseId);
  await page.waitForTimeout(3000);
  await shot(page, '7-other-locality-history');

  const seen = await allText(page);
  expect(seen).toContain('encryption-key-id');
  expect(seen).not.toContain('Codec Server could not connect');
  for (const secret of [cadre.name, cadre.id, incidentSummary]) expect(seen).not.toContain(secret);
  await page.context().close();
});
