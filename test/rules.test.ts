/** Screening and scoring as pure rules over the policy, with a stand-in record system. */
import { assessCase, screenCase } from '../activities/rules';
import { defaultPolicy } from '../domain/policies';
import type { RecordSystem } from '../activities/types';
import { factors, sampleApplication } from './support/case-harness';

const noRecords: Pick<RecordSystem, 'findToleratedCases' | 'performanceRecords'> = {
  findToleratedCases: async () => [],
  performanceRecords: async () => [],
};

const assessInput = (score: number, extra: Partial<Parameters<typeof assessCase>[1]> = {}) => ({
  caseId: 'case-2026-TEST000001',
  at: '2026-06-01T02:00:00.000Z',
  scoring: defaultPolicy.scoring,
  experts: defaultPolicy.experts,
  factors: factors(score),
  cadreId: 'C-1',
  lossAmount: 100_000,
  technical: false,
  ...extra,
});

test('When factors are scored, then each shows its weight and weighted points, and the composite picks the band', async () => {
  const a = await assessCase(noRecords, assessInput(8));
  expect(a.factors).toHaveLength(6);
  expect(a.factors.find((f) => f.key === 'motive')).toMatchObject({ score: 8, weight: 0.2, weighted: 16 });
  expect(a.composite).toBe(80);
  expect(a.suggested).toBe('exempt');
  expect((await assessCase(noRecords, assessInput(6))).suggested).toBe('mitigate');
  expect((await assessCase(noRecords, assessInput(4))).suggested).toBe('deny');
});

test('When the record system holds annual evaluations, then consistent performance adjusts the composite', async () => {
  const records = { ...noRecords, performanceRecords: async () => [{ year: 2025, grade: 'excellent' as const }, { year: 2024, grade: 'excellent' as const }, { year: 2023, grade: 'incompetent' as const }] };
  const a = await assessCase(records, assessInput(7));
  expect(a.base).toBe(70);
  expect(a.performance.map((p) => p.points)).toEqual([2, 2, -5]);
  expect(a.performanceAdjustment).toBe(-1);
  expect(a.composite).toBe(69);
});

test('When the composite is near a threshold, the case technical, or the loss large, then experts are required with the reason', async () => {
  expect((await assessCase(noRecords, assessInput(5.2))).expertReasons.join()).toMatch(/within 5 of a band threshold/);
  expect((await assessCase(noRecords, assessInput(9, { technical: true }))).expertReasons).toEqual(['the case is flagged technical']);
  expect((await assessCase(noRecords, assessInput(9, { lossAmount: 1_000_000 }))).expertReasons.join()).toMatch(/reaches 1000000/);
  expect((await assessCase(noRecords, assessInput(9))).expertReviewRequired).toBe(false);
});

test('When an application is clean, then screening passes and lists every rule it checked', async () => {
  const r = await screenCase(noRecords, { caseId: 'c', phase: 'application', at: '2026-06-01T00:00:00Z', rules: defaultPolicy.screeningRules, application: sampleApplication() });
  expect(r).toMatchObject({ passed: true, hits: [] });
  expect(r.checked).toEqual(defaultPolicy.screeningRules.map((x) => x.id));
});

test('When the repeat rule asks the record system, then it asks with the window start of the policy', async () => {
  const calls: string[] = [];
  const records = { ...noRecords, findToleratedCases: async (_c: string, _k: string, since: string) => (calls.push(since), []) };
  await screenCase(records, { caseId: 'c', phase: 'application', at: '2026-06-01T00:00:00.000Z', rules: defaultPolicy.screeningRules, application: sampleApplication() });
  expect(calls).toEqual(['2023-06-01T00:00:00.000Z']);
});
