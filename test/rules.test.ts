/** Screening, scoring and deadline arithmetic as pure functions over the policy and the calendar: no Temporal, no records. */
import { assess } from '../domain/assessment';
import { WorkingDayCalendar } from '../domain/calendar';
import { nextEscalation, planDueDate, planRevisits, planWait, reminderInstants } from '../domain/deadlines';
import { defaultPolicy } from '../domain/policies';
import { repeatLookBack, screen, windowStart } from '../domain/screening';
import { factors, sampleApplication } from './support/applications';

const calendar = WorkingDayCalendar.default();
const assessInput = (score: number, extra: Partial<Parameters<typeof assess>[0]> = {}) => ({
  scoring: defaultPolicy.scoring,
  experts: defaultPolicy.experts,
  factors: factors(score),
  performance: [],
  lossAmount: 100_000,
  technical: false,
  ...extra,
});

test('When factors are scored, then each shows its weight and weighted points, and the composite picks the band', () => {
  const a = assess(assessInput(8));
  expect(a.factors).toHaveLength(6);
  expect(a.factors.find((f) => f.key === 'motive')).toMatchObject({ score: 8, weight: 0.2, weighted: 16 });
  expect(a.composite).toBe(80);
  expect(a.suggested).toBe('exempt');
  expect(assess(assessInput(6)).suggested).toBe('mitigate');
  expect(assess(assessInput(4)).suggested).toBe('deny');
});

test('When the cadre has annual evaluations, then consistent performance adjusts the composite', () => {
  const a = assess(assessInput(7, { performance: [{ year: 2025, grade: 'excellent' }, { year: 2024, grade: 'excellent' }, { year: 2023, grade: 'incompetent' }] }));
  expect(a.base).toBe(70);
  expect(a.performance.map((p) => p.points)).toEqual([2, 2, -5]);
  expect(a.performanceAdjustment).toBe(-1);
  expect(a.composite).toBe(69);
});

test('When the composite is near a threshold, the case technical, or the loss large, then experts are required with the reason', () => {
  expect(assess(assessInput(5.2)).expertReasons.join()).toMatch(/与档次分界相差不超过 5 分/);
  expect(assess(assessInput(9, { technical: true })).expertReasons).toEqual(['案件涉及专业技术问题']);
  expect(assess(assessInput(9, { lossAmount: 1_000_000 })).expertReasons.join()).toMatch(/达到 1000000 元/);
  expect(assess(assessInput(9)).expertReviewRequired).toBe(false);
});

test('When an application is clean, then screening passes and lists every rule it checked', () => {
  const r = screen({ phase: 'application', at: '2026-06-01T00:00:00Z', rules: defaultPolicy.screeningRules, application: sampleApplication(), earlier: [] });
  expect(r).toMatchObject({ passed: true, hits: [] });
  expect(r.checked).toEqual(defaultPolicy.screeningRules.map((x) => x.id));
});

test('When an earlier tolerated case lies inside the repeat window, then RP-1 fires naming it; one outside the window does not count', () => {
  const at = '2026-06-01T00:00:00.000Z';
  expect(windowStart(at, { amount: 36, unit: 'months' })).toBe('2023-06-01T00:00:00.000Z');
  expect(repeatLookBack(defaultPolicy, at)).toBe('2023-06-01T00:00:00.000Z');
  const inside = { caseId: 'case-2025-EARLIER01', outcome: 'exempt', finalAt: '2025-02-01T00:00:00.000Z' };
  const outside = { caseId: 'case-2022-OLD0000001', outcome: 'exempt', finalAt: '2023-05-01T00:00:00.000Z' };
  const hit = screen({ phase: 'application', at, rules: defaultPolicy.screeningRules, application: sampleApplication(), earlier: [inside, outside] });
  expect(hit.hits.map((x) => x.ruleId)).toEqual(['RP-1']);
  expect(hit.hits[0]!.evidence).toContain('case-2025-EARLIER01');
  expect(hit.hits[0]!.evidence).not.toContain('case-2022-OLD0000001');
  expect(screen({ phase: 'application', at, rules: defaultPolicy.screeningRules, application: sampleApplication(), earlier: [outside] }).passed).toBe(true);
});

test('When a wait is planned in working days, then it skips the holidays of the calendar and reminds at the policy offsets', () => {
  // 2026-09-30 (Wed) + 5 working days: 10-01…10-07 is the National Day holiday, 10-10 (Sat) a make-up working day
  const plan = planWait(calendar, '2026-09-30T02:00:00.000Z', { amount: 5, unit: 'workingDays' }, defaultPolicy.reminders);
  expect(plan.dueDate).toBe('2026-10-13');
  expect(plan.reminders).toEqual(['2026-10-09T01:00:00.000Z', '2026-10-13T01:00:00.000Z']);
  expect(plan.provisional).toBe(false);
});

test('When a wait is short, then reminders before it opens or after its deadline are dropped, and seconds offsets count back from the deadline', () => {
  const reminders = { before: [{ amount: 3, unit: 'workingDays' as const }, { amount: 10, unit: 'seconds' as const }], onTheDay: true };
  const opensAt = '2026-12-01T02:00:00.000Z';
  const plan = planWait(calendar, opensAt, { amount: 60, unit: 'seconds' }, reminders);
  expect(plan.dueAt).toBe('2026-12-01T02:01:00.000Z');
  expect(plan.reminders).toEqual(['2026-12-01T02:00:50.000Z']);
  expect(reminderInstants(calendar, opensAt, '2026-12-02T15:59:59.999Z', reminders)).toEqual(['2026-12-02T01:00:00.000Z', '2026-12-02T15:59:49.999Z']);
});

test('When a measure is due on a date of a provisional year, then its plan says so; escalations follow the interval', () => {
  const plan = planDueDate(calendar, '2027-03-01', defaultPolicy.reminders, '2026-12-01T02:00:00.000Z');
  expect(plan.dueAt).toBe('2027-03-01T15:59:59.999Z');
  expect(plan.provisional).toBe(true);
  expect(nextEscalation(calendar, '2026-12-04T15:59:59.999Z', { amount: 5, unit: 'workingDays' })).toBe('2026-12-11T15:59:59.999Z');
});

test('When revisits are planned for a tier, then each opens on a working day at its month offset and a tier change keeps what is past', () => {
  const slots = planRevisits(calendar, defaultPolicy, '2026-01-15T02:00:00.000Z', 'focus', 0);
  expect(slots.map((s) => s.monthOffset)).toEqual([1, 3, 6, 12]);
  expect(slots.map((s) => s.scheduledFor.slice(0, 10))).toEqual(['2026-02-24', '2026-04-15', '2026-07-15', '2027-01-15']);
  expect(planRevisits(calendar, defaultPolicy, '2026-01-15T02:00:00.000Z', 'incentive', 3).map((s) => s.monthOffset)).toEqual([6, 12]);
});
