/**
 * Statistics from the record system, on both stores (PostgreSQL where TEST_DATABASE_URL is set, always
 * in CI, and the embedded PGlite): a known set of cases of 南京市 and 昆山市 written through the record
 * system's normal write path, the figures read back for a locality, a unit and the province, then
 * through HTTP: scoping (a body of 南京市 never sees 昆山市's figures or reports), the CSV form, and
 * the reports' list, JSON and page.
 */
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { readRegistry } from '../activities/records/registry';
import { readStatistics, storeReport } from '../activities/records/statistics';
import { buildReport } from '../activities/reports';
import { buildApp } from '../api/app';
import { staticRegistry } from '../api/registry';
import { createStatisticsSource } from '../api/statistics';
import { signToken } from '../api/tokens';
import { loadConfig } from '../common/config';
import type { Actor } from '../domain/case';
import { defaultPolicy, PolicyRegistry } from '../domain/policies';
import type { Registry } from '../domain/registry';
import type { Statistics } from '../domain/statistics';
import { seedCase, type SeedCase } from '../bench/lib/casework';
import { RecordingGateway } from './support/api-app';
import { openTestStore, testStoreKinds, type TestStore } from './support/databases';

jest.setTimeout(120_000);

const NJ = ['JS-NJ', 'JS'];
const KS = ['JS-SZ-KS', 'JS-SZ', 'JS'];
const at = (date: string, time = '10:00') => new Date(`${date}T${time}:00+08:00`).toISOString();
const org = { sub: 'org-nj', role: 'organization' as const };
const NOW = new Date(at('2026-04-01', '09:00'));
const MARCH = { from: '2026-03-01', to: '2026-03-31' };

/** The known set: four cases of 南京市 (two units), one of 昆山市. */
const cases: SeedCase[] = [
  {
    // exempt, with a consultation objection, an escalation and a per-case signal
    caseId: 'case-2026-NJ000001',
    unitCode: 'JS-NJ-FGW',
    category: 'approval-reform',
    localities: NJ,
    steps: [
      { at: at('2026-03-02'), event: 'opened', stage: 'acceptance' },
      { at: at('2026-03-04'), event: 'accepted', stage: 'investigation', actor: org },
      { at: at('2026-03-04'), event: 'screened', stage: 'investigation', detail: { phase: 'application', passed: true, rules: [] } },
      { at: at('2026-03-08'), event: 'escalated', stage: 'investigation', detail: { taskId: 't1', task: 'investigation', awaiting: 'organization', escalation: 1 } },
      { at: at('2026-03-09'), event: 'assessed', stage: 'consultation' },
      { at: at('2026-03-10'), event: 'consultationGiven', stage: 'rulingProposal', detail: { opinion: 'object' }, actor: { sub: 'disc', role: 'discipline' } },
      { at: at('2026-03-12'), event: 'rulingApproved', stage: 'appeal', outcome: 'exempt', detail: { outcome: 'exempt' } },
      { at: at('2026-03-12', '11:00'), event: 'abuseSignal', stage: 'appeal', outcome: 'exempt', detail: { signal: 'againstObjection', reasons: 'not counted: only the name is kept' } },
      { at: at('2026-03-30'), event: 'rulingFinal', stage: 'remediation', outcome: 'exempt', detail: { outcome: 'exempt' } },
    ],
  },
  {
    // refused
    caseId: 'case-2026-NJ000002',
    unitCode: 'JS-NJ-FGW',
    category: 'approval-reform',
    localities: NJ,
    steps: [
      { at: at('2026-03-05'), event: 'opened', stage: 'acceptance' },
      { at: at('2026-03-06'), event: 'refused', stage: 'closed', detail: { reason: 'free text is never kept' } },
      { at: at('2026-03-06'), event: 'closed', stage: 'closed', detail: { reason: 'refused' } },
    ],
  },
  {
    // excluded by NL-2, confirmed, handed off; discipline's outcome overdue
    caseId: 'case-2026-NJ000003',
    unitCode: 'JS-NJ-ZJJ',
    category: 'land-use',
    localities: NJ,
    steps: [
      { at: at('2026-03-03'), event: 'opened', stage: 'acceptance' },
      { at: at('2026-03-04'), event: 'screened', stage: 'exclusionReview', detail: { phase: 'application', passed: false, rules: ['NL-2'] } },
      { at: at('2026-03-04'), event: 'exclusionReported', stage: 'exclusionReview', detail: { phase: 'application', rules: ['NL-2'] } },
      { at: at('2026-03-09'), event: 'exclusionConfirmed', stage: 'handOff', detail: { rules: ['NL-2'] } },
      { at: at('2026-03-09'), event: 'handedOff', stage: 'handOff', detail: { to: 'discipline', reason: 'screening', ruleIds: ['NL-2'] } },
    ],
    tasks: [{ taskId: 'handOffOutcome-1', kind: 'handOffOutcome', role: 'discipline', body: 'JS-NJ-JW', opensAt: at('2026-03-09'), dueAt: at('2026-03-20'), overdue: true, provisional: false }],
  },
  {
    // opened in February; accepted, appealed and upheld, denied in March
    caseId: 'case-2026-NJ000004',
    unitCode: 'JS-NJ-ZJJ',
    category: 'procurement',
    localities: NJ,
    steps: [
      { at: at('2026-02-20'), event: 'opened', stage: 'acceptance' },
      { at: at('2026-03-02'), event: 'accepted', stage: 'investigation' },
      { at: at('2026-03-06'), event: 'assessed', stage: 'rulingProposal' },
      { at: at('2026-03-10'), event: 'rulingApproved', stage: 'appeal', outcome: 'deny', detail: { outcome: 'deny' } },
      { at: at('2026-03-12'), event: 'appealFiled', stage: 'reconsideration' },
      { at: at('2026-03-18'), event: 'rulingUpheld', stage: 'reconsideration' },
      { at: at('2026-03-18', '10:05'), event: 'rulingFinal', stage: 'handOff', outcome: 'deny', detail: { outcome: 'deny' } },
    ],
  },
  {
    // 昆山市: mitigated
    caseId: 'case-2026-KS000001',
    unitCode: 'JS-SZ-KS-ZWB',
    category: 'approval-reform',
    localities: KS,
    steps: [
      { at: at('2026-03-02'), event: 'opened', stage: 'acceptance' },
      { at: at('2026-03-03'), event: 'accepted', stage: 'investigation' },
      { at: at('2026-03-25'), event: 'rulingFinal', stage: 'remediation', outcome: 'mitigate', detail: { outcome: 'mitigate' } },
    ],
    tasks: [{ taskId: 'correctionPlan-1', kind: 'correctionPlan', role: 'organization', body: 'JS-SZ-KS-ZZB', opensAt: at('2026-03-25'), dueAt: at('2026-04-08'), overdue: false, provisional: false }],
  },
];

describe.each(testStoreKinds())('Statistics on %s', (kind) => {
  let store: TestStore;
  let registry: Registry;
  let app: FastifyInstance;
  const config = loadConfig({ LOG_LEVEL: 'silent' });

  beforeAll(async () => {
    store = await openTestStore(kind);
    for (const c of cases) await seedCase(store.records, c);
    registry = await readRegistry(store.db);
    app = await buildApp({
      config,
      logger: pino({ level: 'silent' }),
      cases: new RecordingGateway(),
      policies: new PolicyRegistry([defaultPolicy]),
      registry: staticRegistry(registry),
      readiness: {},
      now: () => NOW,
      statistics: createStatisticsSource(store.db),
    });
    await app.ready();
  });
  afterAll(async () => {
    await app?.close();
    await store?.close();
  });

  const nanjing = () => readStatistics(store.db, registry, { kind: 'locality', code: 'JS-NJ' }, MARCH, NOW);

  test('When 南京市’s March is read, then every figure is the count of its ledger entries in March (Beijing calendar)', async () => {
    const s = await nanjing();

    expect(s.scope).toEqual({ kind: 'locality', code: 'JS-NJ', name: '南京市', localities: ['JS-NJ'] });
    expect([s.applications, s.acceptances, s.refusals]).toEqual([3, 2, 1]); // case 4 opened in February
    expect(s.exclusions).toEqual({ screenings: 1, byRule: [{ rule: 'NL-2', count: 1 }], confirmed: 1, overridden: 0, lapsed: 0 });
    expect(s.outcomes).toEqual({ decided: 2, exempt: 1, mitigate: 0, deny: 1, tolerated: 1, toleranceRate: 0.5, exemptRate: 0.5, mitigateRate: 0, denyRate: 0.5 });
    expect(s.appeals).toEqual({ filed: 1, upheld: 1, overturned: 0, overturnRate: 0 });
    expect(s.consultations).toEqual({ given: 1, objections: 1, objectionCases: ['case-2026-NJ000001'], lapsed: 0 });
    expect(s.handOffs).toEqual({ handed: 1, outcomesRecorded: 0 });
    expect(s.escalations).toEqual({ total: 1, byTask: [{ task: 'investigation', label: '调查核实', count: 1 }] });
    expect(s.abuseSignals).toEqual({ total: 1, bySignal: [{ signal: 'againstObjection', count: 1, cases: ['case-2026-NJ000001'] }] });
  });

  test('When the time in each stage is read, then it is the median and p90 of the stays that ended in the period, in days', async () => {
    const s = await nanjing();
    // acceptance: 2 days (1), 1 day (2), 1 day (3), 10 days (4: entered in February, left in March)
    expect(s.stages.find((x) => x.stage === 'acceptance')).toEqual({ stage: 'acceptance', label: '待受理', completed: 4, medianDays: 1.5, p90Days: 7.6 });
    // investigation: case 1 from 03-04 to 03-09 (5 days), case 4 from 03-02 to 03-06 (4 days)
    expect(s.stages.find((x) => x.stage === 'investigation')).toMatchObject({ completed: 2, medianDays: 4.5 });
    // in the lifecycle's order
    expect(s.stages.map((x) => x.stage).slice(0, 3)).toEqual(['acceptance', 'exclusionReview', 'investigation']);
  });

  test('When the open tasks are read, then they are counted by the body that must act, overdue ones apart', async () => {
    const s = await nanjing();

    expect(s.tasks).toEqual({ open: 1, overdue: 1, byBody: [{ body: 'JS-NJ-JW', name: '南京市纪委监委', role: 'discipline', open: 1, overdue: 1 }] });
  });

  test('When the figures are read per unit, then each unit has its applications by category and its tolerated cases', async () => {
    const s = await nanjing();

    expect(s.units.map((u) => [u.unit, u.applications, u.outcomes.decided, u.toleratedCases])).toEqual([
      ['JS-NJ-FGW', 2, 1, ['case-2026-NJ000001']],
      ['JS-NJ-ZJJ', 1, 1, []],
    ]);
    expect(s.units[0]!.categories).toEqual([{ category: 'approval-reform', label: '审批制度改革', count: 2, cases: ['case-2026-NJ000001', 'case-2026-NJ000002'] }]);
    const unit = await readStatistics(store.db, registry, { kind: 'unit', code: 'JS-NJ-FGW' }, MARCH, NOW);
    expect([unit.applications, unit.outcomes.decided, unit.units.map((u) => u.unit)]).toEqual([2, 1, ['JS-NJ-FGW']]);
  });

  test('When 昆山市 and the province are read, then 昆山市 has only its own case and the province both cities’', async () => {
    const ks = await readStatistics(store.db, registry, { kind: 'locality', code: 'JS-SZ-KS' }, MARCH, NOW);
    const js = await readStatistics(store.db, registry, { kind: 'locality', code: 'JS' }, MARCH, NOW);

    expect([ks.applications, ks.outcomes.mitigate, ks.units.map((u) => u.unit), ks.tasks.open]).toEqual([1, 1, ['JS-SZ-KS-ZWB'], 1]);
    expect([js.applications, js.outcomes.decided, js.units.map((u) => u.unit)]).toEqual([4, 3, ['JS-NJ-FGW', 'JS-NJ-ZJJ', 'JS-SZ-KS-ZWB']]);
  });

  test('When the period is February, then only February’s entries count: the opening of case 4', async () => {
    const s = await readStatistics(store.db, registry, { kind: 'locality', code: 'JS-NJ' }, { from: '2026-02-01', to: '2026-02-28' }, NOW);

    expect([s.applications, s.acceptances, s.outcomes.decided, s.stages]).toEqual([1, 0, 0, []]);
  });

  test('When decision-effect trackings are recorded, then the period counts those recorded in it (sustained or reversed, the loss recovered) and those that lapsed in it, of its own cases', async () => {
    const track = (caseId: string, id: string, status: 'done' | 'lapsed', at: string, decision?: 'sustained' | 'reversed', recovered?: number) =>
      store.db.query(
        `INSERT INTO effect_trackings (case_id, tracking_id, month_offset, opens_at, due_at, status, reform_decision, recovered_since_ruling, recorded_at, created_at, updated_at)
         VALUES ($1, $2, 6, $3, $3, $4, $5, $6, $7, $3, $3)`,
        [caseId, id, at, status, decision ?? null, recovered ?? null, status === 'done' ? at : null],
      );
    await track('case-2026-NJ000001', 'effect-e2e-6', 'done', at('2026-03-20'), 'sustained', 120_000);
    await track('case-2026-NJ000002', 'effect-e2e-6', 'done', at('2026-03-21'), 'reversed', 5_000.5);
    await track('case-2026-NJ000001', 'effect-e2e-12', 'lapsed', at('2026-03-28'));
    await track('case-2026-NJ000002', 'effect-e2e-12', 'done', at('2026-02-10'), 'sustained', 900); // February
    await track('case-2026-KS000001', 'effect-e2e-6', 'done', at('2026-03-20'), 'reversed', 77); // 昆山市

    const s = await nanjing();
    const ks = await readStatistics(store.db, registry, { kind: 'locality', code: 'JS-SZ-KS' }, MARCH, NOW);

    expect(s.effectTracking).toEqual({ recorded: 2, sustained: 1, reversed: 1, lapsed: 1, lossRecovered: 125_000.5 });
    expect(ks.effectTracking).toEqual({ recorded: 1, sustained: 0, reversed: 1, lapsed: 0, lossRecovered: 77 });
    await store.db.query("DELETE FROM effect_trackings WHERE tracking_id LIKE 'effect-e2e-%'");
  });

  // ---- Through HTTP ----

  const get = async (actor: Actor, url: string, accept?: string) => {
    const token = await signToken(config, actor);
    return app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${token}`, ...(accept ? { accept } : {}) } });
  };
  const body = (unit: string, role: Actor['role']): Actor => ({ sub: `${role}-${unit}`, role, unit, locality: registry.body(unit)!.locality });

  test('When a body of 南京市 asks for statistics, then it gets 南京市’s, and 昆山市’s figures are refused to it', async () => {
    const own = await get(body('JS-NJ-JD', 'supervisor'), '/v1/statistics?from=2026-03-01&to=2026-03-31');
    const ks = await get(body('JS-NJ-ZZB', 'organization'), '/v1/statistics?locality=JS-SZ-KS&from=2026-03-01&to=2026-03-31');
    const ksUnit = await get(body('JS-NJ-ZZB', 'organization'), '/v1/statistics?unit=JS-SZ-KS-ZWB');

    expect(own.statusCode).toBe(200);
    const figures = own.json<Statistics>();
    expect([figures.scope.code, figures.applications]).toEqual(['JS-NJ', 3]);
    expect(JSON.stringify(figures)).not.toContain('JS-SZ-KS');
    expect([ks.statusCode, ks.json<{ type: string }>().type]).toEqual([403, 'https://rongcuo.dev/problems/outsideJurisdiction']);
    expect(ksUnit.statusCode).toBe(403);
    // the province sees 昆山市
    expect((await get(body('JS-JD', 'supervisor'), '/v1/statistics?locality=JS-SZ-KS&from=2026-03-01&to=2026-03-31')).json<Statistics>().applications).toBe(1);
  });

  test('When a unit asks for statistics, then it gets its own figures only', async () => {
    const own = await get(body('JS-NJ-FGW', 'unit'), '/v1/statistics?from=2026-03-01&to=2026-03-31');
    const other = await get(body('JS-NJ-FGW', 'unit'), '/v1/statistics?unit=JS-NJ-ZJJ');
    const locality = await get(body('JS-NJ-FGW', 'unit'), '/v1/statistics?locality=JS-NJ');

    expect([own.json<Statistics>().scope, own.json<Statistics>().applications]).toEqual([{ kind: 'unit', code: 'JS-NJ-FGW', name: '南京市发展和改革委员会', localities: [] }, 2]);
    expect([other.statusCode, locality.statusCode]).toEqual([403, 403]);
  });

  test('When the statistics are asked for as CSV, then they come as UTF-8 with a BOM and Chinese headers, by Accept or by format', async () => {
    const byAccept = await get(body('JS-NJ-ZZB', 'organization'), '/v1/statistics?from=2026-03-01&to=2026-03-31', 'text/csv');
    const byFormat = await get(body('JS-NJ-ZZB', 'organization'), '/v1/statistics?from=2026-03-01&to=2026-03-31&format=csv');

    expect(byAccept.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(byAccept.headers['content-disposition']).toBe('attachment; filename="statistics-JS-NJ-2026-03-01-2026-03-31.csv"');
    const raw = byAccept.rawPayload;
    expect([...raw.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const lines = raw.toString('utf8').slice(1).split('\r\n');
    expect(lines[0]).toBe('分类,项目,数值,比率');
    expect(lines).toEqual(expect.arrayContaining(['受理,申请,3,', '认定结果,免予问责（免责）,1,50.0%', '甄别排除,规则 NL-2,1,', '预警,againstObjection,1,']));
    expect(byFormat.body).toBe(byAccept.body);
  });

  test('When reports of both cities are kept, then a body of 南京市 lists and reads 南京市’s only, as JSON and as its page', async () => {
    const policies = new PolicyRegistry([defaultPolicy]);
    for (const [locality, path] of [['JS-NJ', NJ], ['JS-SZ-KS', KS]] as const) {
      const reportId = `monthly-${locality}-2026-03`;
      const { content, html } = await buildReport(store.db, registry, policies, { reportId, kind: 'monthly', locality, periodCode: '2026-03', asOf: NOW.toISOString() });
      expect((await storeReport(store.db, { reportId, kind: 'monthly', locality, localities: [...path], period: content.period, generatedAt: content.generatedAt, content, html })).outcome).toBe('recorded');
    }
    const nj = body('JS-NJ-JW', 'discipline');

    const list = await get(nj, '/v1/reports');
    expect(list.json<{ items: { reportId: string }[] }>().items.map((r) => r.reportId)).toEqual(['monthly-JS-NJ-2026-03']);
    expect((await get(nj, '/v1/reports/monthly-JS-SZ-KS-2026-03')).statusCode).toBe(404);
    const json = await get(nj, '/v1/reports/monthly-JS-NJ-2026-03');
    expect(json.json<{ content: { title: string; statistics: Statistics } }>().content).toMatchObject({ title: '南京市容错纠错工作月度报告（2026年3月）', statistics: { applications: 3 } });
    const page = await get(nj, '/v1/reports/monthly-JS-NJ-2026-03', 'text/html,application/xhtml+xml,*/*;q=0.8');
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.body).toContain('<svg');
    expect(page.body).not.toContain('<script');
    // the province reads both; a unit none
    expect((await get(body('JS-JD', 'supervisor'), '/v1/reports')).json<{ items: unknown[] }>().items).toHaveLength(2);
    expect((await get(body('JS-NJ-FGW', 'unit'), '/v1/reports')).statusCode).toBe(403);
  });
});
