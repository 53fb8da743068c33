/**
 * The reports as people read them, in Chromium (Debian's /usr/bin/chromium through playwright-core,
 * or CHROMIUM_PATH): a monthly report and a quarterly digest of 南京市, over a year of plausible
 * cases written through the record system, opened through the API with a supervisor's token. The page
 * draws its three charts as inline SVG, loads nothing from anywhere else, runs no script, and prints.
 * Screenshots and a PDF go to test/output/reports/.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { chromium, type Browser } from 'playwright-core';
import { readRegistry } from '../activities/records/registry';
import { storeReport } from '../activities/records/statistics';
import { buildReport } from '../activities/reports';
import { buildApp } from '../api/app';
import { staticRegistry } from '../api/registry';
import { createStatisticsSource } from '../api/statistics';
import { signToken } from '../api/tokens';
import { loadConfig } from '../common/config';
import { defaultPolicy, PolicyRegistry } from '../domain/policies';
import type { Registry } from '../domain/registry';
import { plausibleSteps, seedCase } from '../bench/lib/casework';
import { RecordingGateway } from './support/api-app';
import { openTestStore, type TestStore } from './support/databases';
import { prng } from '../bench/lib/random';

jest.setTimeout(300_000);

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const OUT = path.join(__dirname, 'output', 'reports');
const NOW = new Date('2026-07-01T02:00:00+08:00');
const config = loadConfig({ LOG_LEVEL: 'silent' });

let store: TestStore;
let registry: Registry;
let app: FastifyInstance;
let base: string;
let browser: Browser;

beforeAll(async () => {
  fs.mkdirSync(OUT, { recursive: true });
  store = await openTestStore('pglite');
  const random = prng(7);
  const units = ['JS-NJ-FGW', 'JS-NJ-ZJJ'];
  const categories = ['approval-reform', 'land-use', 'procurement'];
  // A year of cases of 南京市; JS-NJ-FGW's mostly of one category and mostly tolerated.
  for (let i = 0; i < 160; i++) {
    const unit = units[i % 2]!;
    const openedAt = new Date(Date.parse('2025-07-05T02:00:00Z') + Math.floor(random() * 330) * 86_400_000).toISOString();
    let { steps, tasks } = plausibleSteps(openedAt, random, { organization: 'JS-NJ-ZZB', discipline: 'JS-NJ-JW' });
    if (unit === 'JS-NJ-FGW' && i % 4 !== 1) steps = steps.map((s) => (s.event === 'rulingFinal' || s.event === 'rulingApproved' ? { ...s, outcome: 'exempt' as const, detail: { outcome: 'exempt' } } : s.outcome ? { ...s, outcome: 'exempt' as const } : s));
    const category = unit === 'JS-NJ-FGW' && i % 5 !== 0 ? 'approval-reform' : categories[Math.floor(random() * 3)]!;
    tasks = tasks.map((t) => ({ ...t, overdue: Date.parse(t.dueAt) < NOW.getTime() }));
    await seedCase(store.records, { caseId: `case-2026-BR${String(i).padStart(5, '0')}`, unitCode: unit, category, localities: ['JS-NJ', 'JS'], steps, tasks });
  }
  registry = await readRegistry(store.db);
  const policies = new PolicyRegistry([defaultPolicy]);
  for (const [kind, period] of [['monthly', '2026-06'], ['quarterly', '2026-Q2']] as const) {
    const reportId = `${kind}-JS-NJ-${period}`;
    const { content, html } = await buildReport(store.db, registry, policies, { reportId, kind, locality: 'JS-NJ', periodCode: period, asOf: NOW.toISOString() });
    await storeReport(store.db, { reportId, kind, locality: 'JS-NJ', localities: ['JS-NJ', 'JS'], period: content.period, generatedAt: content.generatedAt, content, html });
  }
  app = await buildApp({ config, logger: pino({ level: 'silent' }), cases: new RecordingGateway(), policies, registry: staticRegistry(registry), readiness: {}, now: () => NOW, statistics: createStatisticsSource(store.db) });
  await app.listen({ host: '127.0.0.1', port: 0 });
  base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
});

afterAll(async () => {
  await browser?.close();
  await app?.close();
  await store?.close();
});

test.each([
  ['monthly', 'monthly-JS-NJ-2026-06', '南京市容错纠错工作月度报告（2026年6月）', '六、逾期事项'],
  ['quarterly', 'quarterly-JS-NJ-2026-Q2', '南京市容错纠错工作季度会商摘要（2026年第二季度）', '六、需共同关注的案件'],
])('When the %s report is opened in a browser, then it reads in Chinese with its three charts, loads nothing else and prints', async (name, reportId, title, section) => {
  const token = await signToken(config, { sub: 'sup-nj', role: 'supervisor', unit: 'JS-NJ-JD', locality: 'JS-NJ' });
  const context = await browser.newContext({ extraHTTPHeaders: { authorization: `Bearer ${token}` }, viewport: { width: 900, height: 1200 }, javaScriptEnabled: false });
  const page = await context.newPage();
  const elsewhere: string[] = [];
  page.on('request', (r) => {
    if (!r.url().startsWith(base)) elsewhere.push(r.url());
  });

  const response = await page.goto(`${base}/v1/reports/${reportId}`);

  expect(response?.status()).toBe(200);
  expect(response?.headers()['content-type']).toBe('text/html; charset=utf-8');
  expect(await page.locator('h1').innerText()).toBe(title);
  await expect(page.locator('h2', { hasText: section }).count()).resolves.toBe(1);
  // three figures, each a chart or, with nothing to draw, a sentence saying so
  expect(await page.locator('figure').count()).toBe(3);
  expect(await page.locator('figure svg').count()).toBeGreaterThanOrEqual(name === 'quarterly' ? 3 : 2);
  // the charts have their words: the outcomes' legend, the stages' names
  const svgText = await page.locator('figure svg').allTextContents();
  expect(svgText.join(' ')).toContain('免予问责');
  expect(svgText.join(' ')).toContain('待受理');
  expect(elsewhere).toEqual([]);
  expect(await page.content()).not.toMatch(/<script/i);
  await page.screenshot({ path: path.join(OUT, `${name}.png`), fullPage: true });
  await page.screenshot({ path: path.join(OUT, `${name}-first-screen.png`) });
  await page.emulateMedia({ media: 'print' });
  await page.pdf({ path: path.join(OUT, `${name}.pdf`), format: 'A4', printBackground: true });
  expect(fs.statSync(path.join(OUT, `${name}.pdf`)).size).toBeGreaterThan(10_000);
  await context.close();
});
