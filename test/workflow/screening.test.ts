/**
 * Boundary screening: every rule of the default policy excludes a case and names itself; the
 * exclusion is reported to the organization department, which confirms it (the case closes, handed
 * to discipline when the rule says so) or, finding a declared circumstance false, sends the case on
 * to investigation; unanswered, the exclusion stands at the deadline.
 */
import { defaultPolicy } from '../../domain/policies';
import type { Policy } from '../../domain/policy';
import { updates } from '../../workflows/case/actions';
import { act, eventually, expectRejected, sleepPast, toInvestigation } from '../support/drive';
import { actors, investigation, sampleApplication, startCase, startHarness, recordHistory, state, type CaseHarness } from '../support/case-harness';

let h: CaseHarness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => h?.stop());

const circumstanceRules = defaultPolicy.screeningRules.flatMap((r) => (r.kind === 'circumstance' ? [r] : []));

test.each(circumstanceRules.map((r) => [r.id, r.circumstance] as const))(
  'When the application declares the red line of %s (%s), then screening excludes the case, names the rule and, confirmed, hands it to discipline',
  async (ruleId, circumstance) => {
    const handle = await startCase(h, { application: sampleApplication({ circumstances: { [circumstance]: true } }) });
    let s = await toInvestigation(handle);
    expect(s.stage).toBe('exclusionReview');
    expect(s.exclusion).toMatchObject({ phase: 'application', ruleIds: [ruleId] });
    s = await act(handle, updates.exclusionConfirmation, actors.org, {});
    expect(s.stage).toBe('handOff');
    expect(s.outcome).toBe('deny');
    const screening = s.screenings[0]!;
    expect(screening.passed).toBe(false);
    expect(screening.hits.map((x) => x.ruleId)).toEqual([ruleId]);
    expect(screening.hits[0]!.text.zh).toMatch(/不予容错/);
    expect(screening.checked).toEqual(defaultPolicy.screeningRules.map((r) => r.id));
    expect(s.handOff).toMatchObject({ reason: 'screening', ruleIds: [ruleId] });
    await eventually(() => expect(h.notifier.of(s.caseId, 'handOff')).toHaveLength(1));
    expect(h.notifier.of(s.caseId, 'handOff')[0]!.audience).toEqual({ role: 'discipline', unit: 'JS-NJ-JW' });
  },
);

/** Opens a case, accepts it and confirms the exclusion its screening reported. */
async function excludedAndConfirmed(application = sampleApplication()) {
  const handle = await startCase(h, { application });
  const reported = await toInvestigation(handle);
  expect(reported.stage).toBe('exclusionReview');
  return { handle, s: await act(handle, updates.exclusionConfirmation, actors.org, { comments: '确认排除' }) };
}

test('When the fault is political rather than administrative, then scope rule SC-1 excludes it without a hand-off', async () => {
  const { s } = await excludedAndConfirmed(sampleApplication({ incident: { faultKind: 'political' } }));
  expect(s.stage).toBe('closed');
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
  const { s } = await excludedAndConfirmed(application);
  expect(s.closeReason).toBe('notTolerable');
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

test('When the investigation confirms private gain the application did not declare, then the second screening excludes and, confirmed, hands off', async () => {
  const handle = await startCase(h);
  await toInvestigation(handle);
  let s = await act(handle, updates.investigation, actors.org, investigation(9, { privateGain: true }));
  expect(s.stage).toBe('exclusionReview');
  expect(s.exclusion).toMatchObject({ phase: 'investigation', ruleIds: ['NL-2'] });
  s = await act(handle, updates.exclusionConfirmation, actors.org, {});
  expect(s.stage).toBe('handOff');
  expect(s.screenings.map((x) => [x.phase, x.passed])).toEqual([
    ['application', true],
    ['investigation', false],
  ]);
  expect(s.screenings[1]!.hits[0]!.evidence).toMatch(/调查核实确认/);
  expect(s.handOff?.ruleIds).toEqual(['NL-2']);
  expect(s.assessment).toBeUndefined();
  expect((await state(handle)).timeline.map((e) => e.event)).toContain('handedOff');
});

describe('The exclusion report to the organization department', () => {
  test('When screening excludes a case, then the organization department of its jurisdiction is told which rules fired, in Chinese, with its deadline', async () => {
    const handle = await startCase(h, { application: sampleApplication({ circumstances: { privateGain: true } }) });
    const s = await toInvestigation(handle);
    const task = s.tasks.find((t) => t.kind === 'exclusionReview' && t.status === 'open')!;
    expect(task).toMatchObject({ role: 'organization', body: 'JS-NJ-ZZB', label: '确认甄别排除结论' });
    expect(s.stageLabel).toBe('甄别排除待确认');
    expect(s.outcome).toBeUndefined();
    expect(s.handOff).toBeUndefined();
    await eventually(() => expect(h.notifier.of(s.caseId, 'exclusionReport')).toHaveLength(1));
    const report = h.notifier.of(s.caseId, 'exclusionReport')[0]!;
    expect(report.audience).toEqual({ role: 'organization', unit: 'JS-NJ-ZZB' });
    expect(report.vars).toMatchObject({ phase: 'application', overridable: true, dueAt: task.dueAt });
    expect(report.vars.rules).toBe('NL-2 谋取私利的，不予容错（申请中申报：谋取私利）');
  });

  test('When the declared circumstance turns out false, then with a reason the organization sends the case on to investigation, which screens again', async () => {
    const handle = await startCase(h, { application: sampleApplication({ circumstances: { privateGain: true } }) });
    await toInvestigation(handle);
    // every circumstance that fired must be answered, and only those
    await expectRejected(handle, updates.exclusionOverride, actors.org, { reason: '申报有误', falseCircumstances: ['politicalRisk'] }, 'invalidInput', /缺少 privateGain（谋取私利）/);
    await expectRejected(handle, updates.exclusionOverride, actors.org, { reason: '申报有误', falseCircumstances: ['privateGain', 'politicalRisk'] }, 'invalidInput', /politicalRisk（重大政治风险） 未触发本次排除/);
    await expectRejected(handle, updates.exclusionOverride, actors.org, { falseCircumstances: ['privateGain'] } as never, 'invalidInput', /reason/);
    await expectRejected(handle, updates.exclusionOverride, actors.unit, { reason: '申报有误', falseCircumstances: ['privateGain'] }, 'forbidden');
    await expectRejected(handle, updates.exclusionOverride, actors.otherOrg, { reason: '申报有误', falseCircumstances: ['privateGain'] }, 'notFound');
    let s = await act(handle, updates.exclusionOverride, actors.org, { reason: '经核实，“谋取私利”系填报错误，相关款项已全额上缴财政。', falseCircumstances: ['privateGain'] });
    expect(s.stage).toBe('investigation');
    expect(s.exclusion?.decision).toMatchObject({ by: actors.org.sub, decision: 'overridden', falseCircumstances: ['privateGain'], reason: expect.stringMatching(/填报错误/) });
    expect(s.outcome).toBeUndefined();
    expect(s.tasks.find((t) => t.kind === 'investigation' && t.status === 'open')).toBeDefined();
    s = await act(handle, updates.investigation, actors.org, investigation(9));
    expect(s.screenings.map((x) => [x.phase, x.passed])).toEqual([
      ['application', false],
      ['investigation', true],
    ]);
    expect(s.stage).toBe('consultation');
    expect(s.timeline.map((e) => e.event)).toEqual(expect.arrayContaining(['exclusionReported', 'exclusionOverridden']));
    await recordHistory(handle, 'exclusion-overridden', { running: true });
  });

  test('When a rule of scope fired, then the exclusion can only be confirmed, not sent on to investigation', async () => {
    const handle = await startCase(h, { application: sampleApplication({ incident: { faultKind: 'moral' }, circumstances: { privateGain: true } }) });
    const s = await toInvestigation(handle);
    expect(s.exclusion?.ruleIds).toEqual(['NL-2', 'SC-1']);
    await expectRejected(handle, updates.exclusionOverride, actors.org, { reason: '申报有误', falseCircumstances: ['privateGain'] }, 'invalidInput', /只能确认排除结论/);
  });

  test('When the confirmed exclusion is handed to discipline, then the case stays open until discipline records its outcome, which goes to the record', async () => {
    const handle = await startCase(h, { application: sampleApplication({ circumstances: { privateGain: true } }) });
    await toInvestigation(handle);
    let s = await act(handle, updates.exclusionConfirmation, actors.org, { comments: '经核实申报属实' });
    expect(s.exclusion?.decision).toMatchObject({ decision: 'confirmed', comments: '经核实申报属实' });
    const task = s.tasks.find((t) => t.kind === 'handOffOutcome' && t.status === 'open')!;
    expect(task).toMatchObject({ role: 'discipline', body: 'JS-NJ-JW', label: '反馈移交处理结果' });
    await expectRejected(handle, updates.handOffOutcome, actors.discipline, { disposition: 'sanctioned', note: '已处理' }, 'invalidInput', /form/);
    await expectRejected(handle, updates.handOffOutcome, actors.org, { disposition: 'cleared', note: '了结' }, 'forbidden');
    s = await act(handle, updates.handOffOutcome, actors.discipline, { disposition: 'sanctioned', form: 1, note: '已对当事人进行谈话提醒。' });
    expect(s.stage).toBe('closed');
    expect(s.closeReason).toBe('notTolerable');
    expect(s.handOff?.outcome).toMatchObject({ by: actors.discipline.sub, disposition: 'sanctioned', dispositionLabel: '已依规依纪依法处理', form: 1 });
    await handle.result();
    const written = h.records.events.filter((e) => e.caseId === s.caseId).flatMap((e) => e.records ?? []).filter((r) => r.type === 'handOff');
    expect(written).toEqual([
      { type: 'handOff', reason: 'screening', ruleIds: ['NL-2'], status: 'awaiting' },
      { type: 'handOff', reason: 'screening', ruleIds: ['NL-2'], status: 'recorded', disposition: 'sanctioned', form: 1, note: '已对当事人进行谈话提醒。', recordedBy: actors.discipline.sub },
    ]);
    await recordHistory(handle, 'exclusion-confirmed-hand-off-outcome');
  });

  test('When the organization does not answer by the deadline, then supervision is told once and the exclusion stands', async () => {
    const handle = await startCase(h, { application: sampleApplication({ incident: { faultKind: 'political' } }) });
    const s = await toInvestigation(handle);
    await sleepPast(h, s.tasks.find((t) => t.kind === 'exclusionReview' && t.status === 'open')!.dueAt);
    const after = await handle.result();
    expect(after.stage).toBe('closed');
    expect(after.closeReason).toBe('notTolerable');
    expect(after.exclusion?.decision).toMatchObject({ by: 'none', decision: 'lapsed' });
    expect(after.timeline.map((e) => e.event)).toEqual(expect.arrayContaining(['deadlinePassed', 'escalated', 'exclusionLapsed', 'closed']));
    expect(h.notifier.of(s.caseId, 'escalation').map((n) => n.audience)).toEqual([
      { role: 'supervisor', unit: 'JS-NJ-JD' },
      { role: 'organization', unit: 'JS-NJ-ZZB' },
    ]);
  });
});
