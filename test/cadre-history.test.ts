/**
 * A cadre's history over HTTP, read from a real record store (PostgreSQL in CI): what final rulings
 * left in the record (no negative evaluation, influence periods), the rulings in force and earlier
 * tolerated cases; who may read it (the bodies of the cadre's unit's locality and above, the cadre's
 * own unit) and that nobody else learns the cadre exists; and that the cadre id reaches no log line.
 */
import { Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { buildApp } from '../api/app';
import { demoRegistry } from '../api/registry';
import { signToken } from '../api/tokens';
import { loadConfig } from '../common/config';
import { redactPaths, serializers } from '../common/logger';
import type { Actor } from '../domain/case';
import { sampleApplication } from '../domain/examples';
import { PolicyRegistry } from '../domain/policies';
import type { DomainRecord, RecordEventInput } from '../activities/types';
import { openTestStore, type TestStore } from './support/databases';

jest.setTimeout(120_000);

const CADRE = sampleApplication.cadre.id; // C-320100-0001 of 南京市发展和改革委员会 (JS-NJ-FGW)
const OTHER_CADRE = 'C-320583-0001'; // of 昆山市政务服务管理办公室

const body = (role: Actor['role'], unit: string, sub = `${role}-1`): Actor => ({ sub, role, unit });
const who = {
  org: body('organization', 'JS-NJ-ZZB'),
  provinceOrg: body('organization', 'JS-ZZB'),
  discipline: body('discipline', 'JS-NJ-JW'),
  committee: body('committee', 'JS-NJ-SW'),
  supervisor: body('supervisor', 'JS-NJ-JD'),
  unit: body('unit', 'JS-NJ-FGW'),
  otherUnit: body('unit', 'JS-NJ-ZJJ'),
  otherOrg: body('organization', 'JS-SZ-KS-ZZB'),
  expert: { sub: 'expert-amy', role: 'expert' } as Actor,
};

let store: TestStore;
let app: FastifyInstance;
const logLines: string[] = [];
const config = loadConfig({} as NodeJS.ProcessEnv);

let seqs = new Map<string, number>();
async function write(caseId: string, at: string, event: string, stage: string, records: DomainRecord[], outcome?: string, cadreId = CADRE): Promise<void> {
  const seq = (seqs.get(caseId) ?? 0) + 1;
  seqs.set(caseId, seq);
  const unitCode = cadreId === CADRE ? 'JS-NJ-FGW' : 'JS-SZ-KS-ZWB';
  const input: RecordEventInput = {
    caseId,
    seq,
    entry: { at, event },
    register: { caseId, origin: 'application', policyVersion: 'default@2025.1', unitCode, category: 'approval-reform', stage: stage as RecordEventInput['register']['stage'], openedAt: '2026-01-05T01:00:00.000Z', ...(outcome ? { outcome } : {}) },
    records,
  };
  await store.records.recordEvent(input);
}

const opened = (cadreId = CADRE): DomainRecord => ({ type: 'case', cadreId, cadreName: cadreId === CADRE ? '张明' : '李静', application: { ...sampleApplication, cadre: { ...sampleApplication.cadre, id: cadreId } } as never });
const ruling = (outcome: string, extra: Partial<Extract<DomainRecord, { type: 'ruling' }>> = {}): DomainRecord => ({ type: 'ruling', rulingNo: 1, outcome, status: 'final', proposedBy: 'org-officer-1', reasons: '认定理由', ...extra });

beforeAll(async () => {
  store = await openTestStore();
  seqs = new Map();
  // An exempt case, final on 2026-03-02: no negative evaluation.
  await write('case-2026-HIST00001', '2026-01-05T01:00:00.000Z', 'opened', 'acceptance', [opened()]);
  await write('case-2026-HIST00001', '2026-03-02T02:00:00.000Z', 'rulingFinal', 'remediation', [ruling('exempt', { tier: 'support' }), { type: 'cadreResult', kind: 'noNegativeEvaluation', from: '2026-03-02', status: 'inForce' }], 'exempt');
  // A mitigated case whose influence period ran from 2026-04-01 to 2026-10-09 and has ended.
  await write('case-2026-HIST00002', '2026-01-05T01:00:00.000Z', 'opened', 'acceptance', [opened()]);
  await write('case-2026-HIST00002', '2026-04-01T02:00:00.000Z', 'rulingFinal', 'remediation', [ruling('mitigate', { influenceMonths: 6, tier: 'focus' }), { type: 'cadreResult', kind: 'influencePeriod', from: '2026-04-01', until: '2026-10-09', status: 'inForce' }], 'mitigate');
  await write('case-2026-HIST00002', '2026-10-09T16:00:00.000Z', 'influencePeriodEnded', 'followUp', [{ type: 'cadreResult', kind: 'influencePeriod', from: '2026-04-01', until: '2026-10-09', status: 'ended' }], 'mitigate');
  // An open case of the same cadre (no ruling yet), and a case of another cadre.
  await write('case-2026-HIST00003', '2026-11-02T01:00:00.000Z', 'opened', 'acceptance', [opened()]);
  await write('case-2026-HIST00004', '2026-01-05T01:00:00.000Z', 'opened', 'acceptance', [opened(OTHER_CADRE)]);
  await write('case-2026-HIST00004', '2026-03-02T02:00:00.000Z', 'rulingFinal', 'remediation', [ruling('exempt', { tier: 'support' }), { type: 'cadreResult', kind: 'noNegativeEvaluation', from: '2026-03-02', status: 'inForce' }], 'exempt', OTHER_CADRE);

  const sink = new Writable({ write: (chunk: Buffer, _enc, done) => void (logLines.push(chunk.toString('utf8')), done()) });
  const logger = pino({ level: 'debug', redact: { paths: redactPaths, censor: '[redacted]' }, serializers }, sink);
  app = await buildApp({ config, logger, cases: {} as never, policies: PolicyRegistry.load(), registry: { current: async () => demoRegistry }, readiness: {}, history: store.records });
  await app.ready();
});

afterAll(async () => {
  await app?.close();
  await store?.close();
});

async function get(actor: Actor, cadreId = CADRE, headers: Record<string, string> = {}) {
  return app.inject({ method: 'GET', url: `/v1/cadres/${encodeURIComponent(cadreId)}/history`, headers: { authorization: `Bearer ${await signToken(config, actor)}`, ...headers } });
}

test('When the organization department of the cadre\'s locality reads the history, then it shows the tolerated cases, rulings in force, no-negative-evaluation records and influence periods', async () => {
  const res = await get(who.org);

  expect(res.statusCode).toBe(200);
  expect(res.json()).toEqual({
    cadreId: CADRE,
    unitCode: 'JS-NJ-FGW',
    toleratedCases: [
      { caseId: 'case-2026-HIST00002', unitCode: 'JS-NJ-FGW', category: 'approval-reform', outcome: 'mitigate', outcomeLabel: '从轻或减轻处理', finalAt: '2026-04-01T02:00:00.000Z' },
      { caseId: 'case-2026-HIST00001', unitCode: 'JS-NJ-FGW', category: 'approval-reform', outcome: 'exempt', outcomeLabel: '免予问责（免责）', finalAt: '2026-03-02T02:00:00.000Z' },
    ],
    rulingsInForce: [
      { caseId: 'case-2026-HIST00002', rulingNo: 1, outcome: 'mitigate', outcomeLabel: '从轻或减轻处理', influenceMonths: 6, tier: 'focus', finalAt: '2026-04-01T02:00:00.000Z' },
      { caseId: 'case-2026-HIST00001', rulingNo: 1, outcome: 'exempt', outcomeLabel: '免予问责（免责）', tier: 'support', finalAt: '2026-03-02T02:00:00.000Z' },
    ],
    noNegativeEvaluations: [{ caseId: 'case-2026-HIST00001', label: '不作负面评价', from: '2026-03-02' }],
    influencePeriods: [{ caseId: 'case-2026-HIST00002', from: '2026-04-01', until: '2026-10-09', status: 'ended', statusLabel: '已届满', endedAt: '2026-10-09T16:00:00.000Z' }],
  });
});

test.each([
  ['the province\'s organization department', who.provinceOrg],
  ['discipline inspection of the locality', who.discipline],
  ['the party committee of the locality', who.committee],
  ['supervision of the locality', who.supervisor],
  ['the cadre\'s own unit', who.unit],
])('When %s reads the history, then it gets it', async (_name, actor) => {
  const res = await get(actor);

  expect(res.statusCode).toBe(200);
  expect(res.json().noNegativeEvaluations).toHaveLength(1);
});

test.each([
  ['an organization department of another locality', who.otherOrg],
  ['another unit of the same locality', who.otherUnit],
])('When %s reads the history, then 404 exactly as for an unknown cadre', async (_name, actor) => {
  const res = await get(actor);
  const unknown = await get(who.org, 'C-999999-9999');

  expect(res.statusCode).toBe(404);
  expect(unknown.statusCode).toBe(404);
  const { requestId: _a, ...refused } = res.json();
  const { requestId: _b, ...missing } = unknown.json();
  expect(refused).toEqual(missing);
  expect(refused.detail).toBe('没有您可查看的该编号干部。');
});

test('When an expert asks for a cadre\'s history, then 403: the role may not read histories', async () => {
  const res = await get(who.expert);

  expect(res.statusCode).toBe(403);
});

test('When another cadre\'s history is read, then it holds only that cadre\'s cases', async () => {
  const res = await get(body('organization', 'JS-SZ-KS-ZZB'), OTHER_CADRE);

  expect(res.statusCode).toBe(200);
  expect(res.json().toleratedCases.map((c: { caseId: string }) => c.caseId)).toEqual(['case-2026-HIST00004']);
});

test('When the history is asked in English, then the refusal is in English', async () => {
  const res = await get(who.otherOrg, CADRE, { 'accept-language': 'en' });

  expect(res.statusCode).toBe(404);
  expect(res.json().detail).toBe('No cadre with this id is visible to you.');
});

test('When histories are read and refused, then no log line carries the cadre id', async () => {
  await get(who.org);
  await get(who.otherOrg);

  const logs = logLines.join('\n');
  expect(logs).toContain('/v1/cadres/[redacted]/history');
  expect(logs).not.toContain(CADRE);
  expect(logs).not.toContain(OTHER_CADRE);
});

test('When the API has no record store, then the history is unavailable (503), after the same visibility check', async () => {
  const bare = await buildApp({ config, logger: pino({ level: 'silent' }), cases: {} as never, policies: PolicyRegistry.load(), registry: { current: async () => demoRegistry }, readiness: {} });
  await bare.ready();
  const token = await signToken(config, who.org);
  const res = await bare.inject({ method: 'GET', url: `/v1/cadres/${CADRE}/history`, headers: { authorization: `Bearer ${token}` } });
  const unknown = await bare.inject({ method: 'GET', url: '/v1/cadres/C-999999-9999/history', headers: { authorization: `Bearer ${token}` } });
  await bare.close();

  expect(res.statusCode).toBe(503);
  expect(unknown.statusCode).toBe(404);
});

test('When a hand-off and then discipline\'s outcome are recorded, then the record holds both, the outcome\'s note sealed with the case\'s key', async () => {
  const caseId = 'case-2026-HIST00005';
  await write(caseId, '2026-01-05T01:00:00.000Z', 'opened', 'acceptance', [opened()]);
  await write(caseId, '2026-02-02T02:00:00.000Z', 'handedOff', 'handOff', [{ type: 'handOff', reason: 'screening', ruleIds: ['NL-2'], status: 'awaiting' }], 'deny');
  const awaiting = (await store.db.query<{ status: string; rule_ids: string[]; note: string | null }>('SELECT status, rule_ids, note FROM hand_offs WHERE case_id = $1', [caseId])).rows[0];
  await write(caseId, '2026-03-02T02:00:00.000Z', 'handOffOutcomeRecorded', 'closed', [{ type: 'handOff', reason: 'screening', ruleIds: ['NL-2'], status: 'recorded', disposition: 'sanctioned', form: 1, note: '已谈话提醒', recordedBy: 'discipline-1' }], 'deny');

  const row = (await store.db.query<{ status: string; disposition: string; form: number; note: string; recorded_by: string; recorded_at: Date; handed_at: Date }>('SELECT * FROM hand_offs WHERE case_id = $1', [caseId])).rows[0]!;
  expect(awaiting).toEqual({ status: 'awaiting', rule_ids: ['NL-2'], note: null });
  expect(row).toMatchObject({ status: 'recorded', disposition: 'sanctioned', form: 1, recorded_by: 'discipline-1' });
  expect(new Date(row.handed_at).toISOString()).toBe('2026-02-02T02:00:00.000Z');
  expect(new Date(row.recorded_at).toISOString()).toBe('2026-03-02T02:00:00.000Z');
  expect(row.note).toMatch(/^enc:v1:/);
  expect(row.note).not.toContain('谈话');
  expect((await store.records.verifyLedger(caseId))[0]).toMatchObject({ ok: true, entries: 3 });
});
