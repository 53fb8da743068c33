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

test('When a unit appeals and another committee member overturns, then the replacement ruling is proposed and reviewed by two people and, approved, is final', async () => {
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
  // the overturned ruling is set aside; its replacement is proposed like any ruling
  expect(s.stage).toBe('rulingProposal');
  expect(s.outcome).toBeUndefined();
  expect(s.rulings.map((r) => [r.outcome, r.status])).toEqual([['mitigate', 'superseded']]);
  expect(s.appeal?.decision).toMatchObject({ by: 'committee-2', decision: 'overturn', replacement: { outcome: 'exempt' } });
  await expectRejected(handle, updates.withdrawal, actors.unit, { reason: '撤回' }, 'wrongStage', /申诉复核/);
  // the reconsideration named the outcome; the composite of 60 suggests mitigate, so leaving the band needs a justification
  expect(s.assessment?.suggested).toBe('mitigate');
  await expectRejected(handle, updates.rulingProposal, actors.org, { outcome: 'mitigate', influenceMonths: 3, tier: 'focus', reasons: '从轻', justification: '—' }, 'invalidInput', /替代认定意见须与之一致/);
  await expectRejected(handle, updates.rulingProposal, actors.org, { outcome: 'exempt', tier: 'incentive', reasons: '改为免责' }, 'invalidInput', /justification/);
  s = await act(handle, updates.rulingProposal, actors.org2, { outcome: 'exempt', tier: 'incentive', reasons: '依申诉复核决定改为免责', justification: '损失已全额挽回，申诉复核撤销原认定' });
  expect(s.stage).toBe('rulingReview');
  expect(s.rulings[1]).toMatchObject({ outcome: 'exempt', status: 'proposed', proposedBy: actors.org2.sub, outsideBand: true, justification: expect.stringMatching(/全额挽回/) });
  expect(s.rulingBody).toBe('JS-NJ-ZZB');
  // four eyes: the reviewer of the replacement is not its proposer
  await expectRejected(handle, updates.rulingReview, { sub: actors.org2.sub, role: 'committee', unit: 'JS-NJ-SW', locality: 'JS-NJ' }, { decision: 'approve', comments: '同意' }, 'fourEyes', /审核人不能是提出人/);
  s = await act(handle, updates.rulingReview, actors.committee, { decision: 'approve', comments: '同意' });
  expect(s.stage).toBe('remediation');
  expect(s.outcome).toBe('exempt');
  expect(s.rulings.map((r) => [r.outcome, r.status])).toEqual([
    ['mitigate', 'superseded'],
    ['exempt', 'final'],
  ]);
  expect(s.revisits.map((r) => r.monthOffset)).toEqual([6, 12]);
  // the unit is told of the replacement, with no second appeal window
  await eventually(() => expect(h.notifier.of(s.caseId, 'rulingNotice')).toHaveLength(2));
  expect(h.notifier.of(s.caseId, 'rulingNotice')[1]!.vars).not.toHaveProperty('appealDueAt');
  await expectRejected(handle, updates.appeal, actors.unit, { grounds: '再次申诉' }, 'windowClosed', /只能提出一次/);
  await recordHistory(handle, 'appeal-overturned-replacement-reviewed', { running: true });
});

test('When the replacement of an overturned ruling is returned, then it is proposed again and the reviewed one is final', async () => {
  const handle = await startCase(h);
  await toRuling(handle, 9);
  await act(handle, updates.rulingProposal, actors.org, { outcome: 'exempt', tier: 'support', reasons: '免责' });
  await act(handle, updates.rulingReview, actors.committee, { decision: 'approve', comments: '同意' });
  await act(handle, updates.appeal, actors.unit, { grounds: '回访档次不当' });
  let s = await act(handle, updates.reconsideration, actors.committee2, { decision: 'overturn', reasons: '回访档次应调整' });
  expect(s.stage).toBe('rulingProposal');
  s = await act(handle, updates.rulingProposal, actors.org, { outcome: 'exempt', tier: 'focus', reasons: '免责，重点关注' });
  s = await act(handle, updates.rulingReview, actors.committee, { decision: 'return', comments: '请说明档次调整的理由' });
  expect(s.stage).toBe('rulingProposal');
  s = await act(handle, updates.rulingProposal, actors.org, { outcome: 'exempt', tier: 'incentive', reasons: '免责，正向激励' });
  s = await act(handle, updates.rulingReview, actors.committee2, { decision: 'approve', comments: '同意' });
  expect(s.stage).toBe('remediation');
  expect(s.rulings.map((r) => r.status)).toEqual(['superseded', 'returned', 'final']);
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

test('When the ruling is deny, then the case is handed to discipline with the recommended form, waits for its outcome and closes as denied', async () => {
  const handle = await startCase(h);
  await toRuling(handle, 3);
  const s0 = await state(handle);
  expect(s0.assessment?.suggested).toBe('deny');
  await toFinal(h, handle, { outcome: 'deny', recommendedForm: 2, reasons: '不符合容错情形' });
  let s = await state(handle);
  expect(s.stage).toBe('handOff');
  expect(s.outcome).toBe('deny');
  expect(s.handOff).toMatchObject({ reason: 'denied', recommendedForm: 2 });
  const task = s.tasks.find((t) => t.kind === 'handOffOutcome' && t.status === 'open')!;
  expect(task).toMatchObject({ role: 'discipline', body: 'JS-NJ-JW' });
  // unanswered, it escalates like any wait and keeps waiting
  await sleepPast(h, task.dueAt);
  s = await state(handle);
  expect(s.stage).toBe('handOff');
  expect(s.tasks.find((t) => t.id === task.id)).toMatchObject({ overdue: true, escalations: 1 });
  s = await act(handle, updates.handOffOutcome, actors.discipline, { disposition: 'sanctioned', form: 2, note: '给予党内警告处分。' });
  expect(s.stage).toBe('closed');
  expect(s.closeReason).toBe('denied');
  expect(s.handOff?.outcome).toMatchObject({ disposition: 'sanctioned', form: 2 });
  await handle.result();
  const handOffs = h.notifier.of(s.caseId, 'handOff');
  expect(handOffs).toHaveLength(1);
  expect(handOffs[0]!.vars.recommendedForm).toBe(2);
  expect(s.revisits).toEqual([]);
  const written = h.records.events.filter((e) => e.caseId === s.caseId).flatMap((e) => e.records ?? []).filter((r) => r.type === 'handOff');
  expect(written.map((r) => r.type === 'handOff' && r.status)).toEqual(['awaiting', 'recorded']);
  await recordHistory(handle, 'denied-hand-off-outcome');
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
