/** Ruling, review, notice and appeal; expert review; deny and its hand-off. */
import { updates } from '../../workflows/case/actions';
import { act, eventually, expectRejected, sleepPast, toFinal, toInvestigation, toRuling } from '../support/drive';
import { actors, days, investigation, sampleApplication, startCase, startHarness, recordHistory, state, type CaseHarness } from '../support/case-harness';

let h: CaseHarness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => h?.stop());

test('When the committee returns a ruling and then approves the revised one, then both rounds are kept and the second becomes final', async () => {
  const handle = await startCase(h);
  await toRuling(handle, 9);
  let s = await act(handle, updates.rulingProposal, actors.org, { outcome: 'exempt', tier: 'support', reasons: '符合免责情形' });
  expect(s.stage).toBe('rulingReview');
  s = await act(handle, updates.rulingReview, actors.committee, { decision: 'return', comments: '请补充一贯表现的说明' });
  expect(s.stage).toBe('rulingProposal');
  expect(s.rulings[0]!.status).toBe('returned');
  s = await act(handle, updates.rulingProposal, actors.org2, { outcome: 'exempt', tier: 'support', reasons: '符合免责情形，一贯表现优秀' });
  s = await act(handle, updates.rulingReview, actors.committee, { decision: 'approve', comments: '同意' });
  expect(s.stage).toBe('appeal');
  await eventually(() => expect(h.notifier.of(s.caseId, 'rulingNotice')).toHaveLength(1));
  await sleepPast(h, s.tasks.find((t) => t.kind === 'appeal' && t.status === 'open')!.dueAt);
  s = await state(handle);
  expect(s.stage).toBe('remediation');
  expect(s.outcome).toBe('exempt');
  expect(s.rulings.map((r) => r.status)).toEqual(['returned', 'final']);
  await eventually(() => expect(h.notifier.of(s.caseId, 'rulingReport').map((n) => n.audience.role).sort()).toEqual(['discipline', 'organization']));
  expect(s.revisits.map((r) => r.monthOffset)).toEqual([3, 6, 12]);
});

test('When a unit appeals within the window and another committee member overturns, then the replacement ruling is final', async () => {
  const handle = await startCase(h);
  await toRuling(handle, 6);
  await act(handle, updates.rulingProposal, actors.org, { outcome: 'mitigate', influenceMonths: 6, tier: 'focus', reasons: '从轻处理' });
  await act(handle, updates.rulingReview, actors.committee, { decision: 'approve', comments: '同意' });
  await h.env.sleep(days(5));
  let s = await act(handle, updates.appeal, actors.unit, { grounds: '已全额挽回损失，应予免责' });
  expect(s.stage).toBe('reconsideration');
  await expectRejected(handle, updates.reconsideration, actors.committee, { decision: 'uphold', reasons: '维持' }, 'fourEyes', /初审以外/);
  s = await act(handle, updates.reconsideration, actors.committee2, {
    decision: 'overturn',
    reasons: '损失已全额挽回，改为免责',
    replacement: { outcome: 'exempt', tier: 'incentive' },
  });
  expect(s.stage).toBe('remediation');
  expect(s.outcome).toBe('exempt');
  expect(s.rulings.map((r) => [r.outcome, r.status])).toEqual([
    ['mitigate', 'superseded'],
    ['exempt', 'final'],
  ]);
  expect(s.appeal?.decision).toMatchObject({ by: 'committee-2', decision: 'overturn' });
  expect(s.revisits.map((r) => r.monthOffset)).toEqual([6, 12]);
  await expectRejected(handle, updates.appeal, actors.unit, { grounds: '再次申诉' }, 'windowClosed', /只能提出一次/);
  await recordHistory(handle, 'appeal-overturned', { running: true });
});

test('When an appeal is upheld, then the original ruling is final with its influence period', async () => {
  const handle = await startCase(h);
  await toRuling(handle, 6);
  await act(handle, updates.rulingProposal, actors.org, { outcome: 'mitigate', influenceMonths: 6, tier: 'support', reasons: '从轻处理' });
  await act(handle, updates.rulingReview, actors.committee, { decision: 'approve', comments: '同意' });
  await act(handle, updates.appeal, actors.unit, { grounds: '请求免责' });
  const s = await act(handle, updates.reconsideration, actors.committee2, { decision: 'uphold', reasons: '原认定正确' });
  expect(s.outcome).toBe('mitigate');
  expect(s.influenceUntil).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  expect(s.rulings.at(-1)!.status).toBe('final');
  await recordHistory(handle, 'appeal-upheld-mitigate', { running: true });
});

test('When the appeal window has passed, then an appeal is rejected as out of window', async () => {
  const handle = await startCase(h);
  await toRuling(handle, 9);
  const s = await toFinal(h, handle, { outcome: 'exempt', tier: 'support', reasons: '免责' });
  expect(s.stage).toBe('remediation');
  await expectRejected(handle, updates.appeal, actors.unit, { grounds: '迟到的申诉' }, 'windowClosed', /申诉期已届满/);
});

test('When the ruling is deny, then the case is handed to discipline with the recommended form and closes as denied', async () => {
  const handle = await startCase(h);
  await toRuling(handle, 3);
  const s0 = await state(handle);
  expect(s0.assessment?.suggested).toBe('deny');
  await toFinal(h, handle, { outcome: 'deny', recommendedForm: 2, reasons: '不符合容错情形' });
  const s = await state(handle);
  expect(s.stage).toBe('closed');
  expect(s.closeReason).toBe('denied');
  expect(s.handOff).toMatchObject({ reason: 'denied', recommendedForm: 2 });
  await handle.result();
  const handOffs = h.notifier.of(s.caseId, 'handOff');
  expect(handOffs).toHaveLength(1);
  expect(handOffs[0]!.vars.recommendedForm).toBe(2);
  expect(s.revisits).toEqual([]);
  await recordHistory(handle, 'denied-hand-off');
});

test('When a ruling departs from the suggested band, then it needs a justification, which is recorded', async () => {
  const handle = await startCase(h);
  await toRuling(handle, 9);
  await expectRejected(handle, updates.rulingProposal, actors.org, { outcome: 'mitigate', influenceMonths: 3, tier: 'support', reasons: '从轻' }, 'invalidInput', /justification/);
  const s = await act(handle, updates.rulingProposal, actors.org, { outcome: 'mitigate', influenceMonths: 3, tier: 'support', reasons: '从轻', justification: '造成较大社会影响' });
  expect(s.rulings[0]).toMatchObject({ outsideBand: true, justification: '造成较大社会影响' });
});

test('When the composite lies near a threshold, then experts are required; a quorum of opinions ends the review', async () => {
  const handle = await startCase(h);
  await toInvestigation(handle);
  let s = await act(handle, updates.investigation, actors.org, investigation(7.5));
  expect(s.assessment).toMatchObject({ composite: 75, controversial: true, expertReviewRequired: true });
  expect(s.stage).toBe('expertReview');
  s = await act(handle, updates.expertInvitation, actors.org, { experts: ['expert-1', 'expert-2', 'expert-3'] });
  expect(s.tasks.find((t) => t.kind === 'expertOpinion' && t.status === 'open')?.assignees).toEqual(['expert-1', 'expert-2', 'expert-3']);
  await expectRejected(handle, updates.expertOpinion, { sub: 'expert-9', role: 'expert' }, { recommendation: 'exempt', opinion: '…' }, 'notFound');
  s = await act(handle, updates.expertOpinion, actors.expert1, { recommendation: 'exempt', opinion: '属于探索性失误' });
  expect(s.stage).toBe('expertReview');
  await expectRejected(handle, updates.expertOpinion, actors.expert1, { recommendation: 'exempt', opinion: '再次提交' }, 'wrongStage', /已提交过意见/);
  s = await act(handle, updates.expertOpinion, actors.expert2, { recommendation: 'mitigate', opinion: '建议从轻' });
  expect(s.stage).toBe('consultation');
  expect(s.experts.quorumMet).toBe(true);
  await recordHistory(handle, 'expert-review', { running: true });
});

test('When the expert quorum is missed by the deadline, then supervisors are escalated to and the case proceeds with what arrived', async () => {
  const handle = await startCase(h, { application: sampleApplication({ incident: { lossAmount: 2_000_000, recoveredAmount: 0 } }) });
  await toInvestigation(handle);
  let s = await act(handle, updates.investigation, actors.org, investigation(9));
  expect(s.assessment?.expertReasons.join(' ')).toMatch(/损失金额/);
  await act(handle, updates.expertInvitation, actors.org, { experts: ['expert-1', 'expert-2', 'expert-3'] });
  await act(handle, updates.expertOpinion, actors.expert3, { recommendation: 'exempt', opinion: '同意免责' });
  await h.env.sleep(days(20));
  s = await state(handle);
  expect(s.stage).toBe('consultation');
  expect(s.experts.quorumMet).toBe(false);
  expect(s.experts.opinions).toHaveLength(1);
  expect(s.timeline.map((e) => e.event)).toContain('expertReviewEnded');
  await eventually(() => expect(h.notifier.of(s.caseId, 'escalation').find((n) => n.vars.task === 'expertOpinion')?.audience.role).toBe('supervisor'));
  s = await act(handle, updates.consultation, actors.discipline, { opinion: 'object', reasons: '损失较大' });
  expect(s.stage).toBe('rulingProposal');
});
