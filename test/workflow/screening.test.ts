/** Boundary screening: every rule of the default policy excludes a case, names itself, and hands off when it should. */
import { defaultPolicy } from '../../domain/policies';
import type { Policy } from '../../domain/policy';
import { updates } from '../../workflows/case/actions';
import { act, toInvestigation } from '../support/drive';
import { actors, investigation, sampleApplication, startCase, startHarness, recordHistory, state, type CaseHarness } from '../support/case-harness';

let h: CaseHarness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => h?.stop());

const circumstanceRules = defaultPolicy.screeningRules.flatMap((r) => (r.kind === 'circumstance' ? [r] : []));

test.each(circumstanceRules.map((r) => [r.id, r.circumstance] as const))(
  'When the application declares the red line of %s (%s), then screening excludes the case, names the rule and hands it to discipline',
  async (ruleId, circumstance) => {
    const handle = await startCase(h, { application: sampleApplication({ circumstances: { [circumstance]: true } }) });
    const s = await toInvestigation(handle);
    expect(s.stage).toBe('closed');
    expect(s.closeReason).toBe('notTolerable');
    const screening = s.screenings[0]!;
    expect(screening.passed).toBe(false);
    expect(screening.hits.map((x) => x.ruleId)).toEqual([ruleId]);
    expect(screening.hits[0]!.text.zh).toMatch(/不予容错/);
    expect(screening.checked).toEqual(defaultPolicy.screeningRules.map((r) => r.id));
    expect(s.handOff).toMatchObject({ reason: 'screening', ruleIds: [ruleId] });
    await handle.result();
    expect(h.notifier.of(s.caseId, 'handOff')).toHaveLength(1);
    expect(h.notifier.of(s.caseId, 'handOff')[0]!.audience.role).toBe('discipline');
  },
);

test('When the fault is political rather than administrative, then scope rule SC-1 excludes it without a hand-off', async () => {
  const handle = await startCase(h, { application: sampleApplication({ incident: { faultKind: 'political' } }) });
  const s = await toInvestigation(handle);
  expect(s.closeReason).toBe('notTolerable');
  expect(s.screenings[0]!.hits.map((x) => x.ruleId)).toEqual(['SC-1']);
  expect(s.handOff).toBeUndefined();
});

test('When a locality policy allows fewer situations, then scope rule SC-2 excludes a case outside them', async () => {
  const policy: Policy = {
    ...defaultPolicy,
    id: 'narrow',
    version: 'narrow@2026.1',
    screeningRules: defaultPolicy.screeningRules.map((r) => (r.kind === 'situation' ? { ...r, allowed: ['reformUncertainty'] } : r)),
  };
  const handle = await startCase(h, { policy, application: sampleApplication({ incident: { situation: 'livelihoodTrialAndError' } }) });
  const s = await toInvestigation(handle);
  expect(s.policyVersion).toBe('narrow@2026.1');
  expect(s.screenings[0]!.hits.map((x) => x.ruleId)).toEqual(['SC-2']);
  expect(s.screenings[0]!.hits[0]!.evidence).toMatch(/处理社情民意问题中的试错过失/);
});

test('When the record system knows an earlier tolerated case of the same cadre and category, then the repeat rule RP-1 excludes it', async () => {
  const application = sampleApplication();
  h.records.tolerated.push({ cadreId: application.cadre.id, category: application.incident.category, caseId: 'case-2025-EARLIER01', outcome: 'exempt', finalAt: new Date(await h.env.currentTimeMs() - 400 * 86_400_000).toISOString() });
  const handle = await startCase(h, { application });
  const s = await toInvestigation(handle);
  expect(s.screenings[0]!.hits.map((x) => x.ruleId)).toEqual(['RP-1']);
  expect(s.screenings[0]!.hits[0]!.evidence).toMatch(/case-2025-EARLIER01/);
  expect(s.handOff).toBeUndefined();
});

test('When the earlier tolerated case is outside the repeat window or of another category, then RP-1 does not fire', async () => {
  const application = sampleApplication();
  const now = await h.env.currentTimeMs();
  h.records.tolerated.push(
    { cadreId: application.cadre.id, category: application.incident.category, caseId: 'case-2020-OLD00001', outcome: 'exempt', finalAt: new Date(now - 4 * 365 * 86_400_000).toISOString() },
    { cadreId: application.cadre.id, category: 'procurement', caseId: 'case-2025-OTHER001', outcome: 'mitigate', finalAt: new Date(now - 30 * 86_400_000).toISOString() },
  );
  const handle = await startCase(h, { application });
  const s = await toInvestigation(handle);
  expect(s.screenings[0]!.passed).toBe(true);
  expect(s.stage).toBe('investigation');
});

test('When the investigation confirms private gain the application did not declare, then the second screening excludes and hands off', async () => {
  const handle = await startCase(h);
  await toInvestigation(handle);
  const s = await act(handle, updates.investigation, actors.org, investigation(9, { privateGain: true }));
  expect(s.stage).toBe('closed');
  expect(s.screenings.map((x) => [x.phase, x.passed])).toEqual([
    ['application', true],
    ['investigation', false],
  ]);
  expect(s.screenings[1]!.hits[0]!.evidence).toMatch(/调查核实确认/);
  expect(s.handOff?.ruleIds).toEqual(['NL-2']);
  expect(s.assessment).toBeUndefined();
  expect((await state(handle)).timeline.map((e) => e.event)).toContain('handedOff');
  await recordHistory(handle, 'excluded-after-investigation');
});
