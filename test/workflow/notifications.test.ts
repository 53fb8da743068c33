/** Every notification the workflow asks for carries the variables its template needs, in Chinese and English. */
import { renderTemplate } from '../../activities/notify';
import { updates } from '../../workflows/case/actions';
import { act, remediate, sleepPast, toFinal, toInvestigation, toRuling } from '../support/drive';
import { actors, days, investigation, sampleApplication, startCase, startHarness, state, type CaseHarness } from '../support/case-harness';

let h: CaseHarness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => h?.stop());

test('When cases go through refusal, supplement, experts, appeal, hand-off, overdue measures and revisits, then no notification lacks a variable', async () => {
  const refused = await startCase(h);
  await act(refused, updates.acceptance, actors.org, { decision: 'requestSupplement', requestedItems: ['会议纪要'] });
  await act(refused, updates.supplement, actors.unit, { note: '已补充', evidence: [] });
  await act(refused, updates.acceptance, actors.org, { decision: 'refuse', reason: '不属于受理范围' });
  await refused.result();

  const excluded = await startCase(h, { application: sampleApplication({ circumstances: { privateGain: true } }) });
  await toInvestigation(excluded);
  await act(excluded, updates.exclusionConfirmation, actors.org, {});
  await act(excluded, updates.handOffOutcome, actors.discipline, { disposition: 'cleared', note: '经核查予以了结' });
  await excluded.result();

  const experts = await startCase(h);
  await toInvestigation(experts);
  await act(experts, updates.investigation, actors.org, { ...investigation(9), technical: true });
  await act(experts, updates.expertInvitation, actors.org, { experts: ['expert-1', 'expert-2'] });
  await h.env.sleep(days(20));

  const appealed = await startCase(h);
  await toRuling(appealed, 6);
  await act(appealed, updates.rulingProposal, actors.org, { outcome: 'mitigate', influenceMonths: 6, tier: 'focus', reasons: '从轻' });
  await act(appealed, updates.rulingReview, actors.committee, { decision: 'approve', comments: '同意' });
  await act(appealed, updates.appeal, actors.unit, { grounds: '请求免责' });
  await act(appealed, updates.reconsideration, actors.committee2, { decision: 'uphold', reasons: '维持' });
  await remediate(h, appealed, { dueInDays: 5, complete: false });
  const firstRevisit = (await state(appealed)).revisits[0]!;
  await sleepPast(h, firstRevisit.dueAt, days(12));

  const denied = await startCase(h);
  await toRuling(denied, 3);
  await toFinal(h, denied, { outcome: 'deny', recommendedForm: 1, reasons: '不予容错' });
  await act(denied, updates.handOffOutcome, actors.discipline, { disposition: 'sanctioned', form: 1, note: '谈话提醒' });
  await denied.result();

  const sent = h.notifier.sent;
  const templates = new Set(sent.map((n) => n.template));
  for (const t of ['caseOpened', 'taskOpened', 'reminder', 'escalation', 'supplementRequested', 'decision', 'rulingNotice', 'rulingNoticeToCadre', 'handOff', 'rulingReport', 'expertInvitation', 'measureOverdue', 'revisitDue', 'caseClosed', 'exclusionReport'] as const) {
    expect(templates).toContain(t);
  }
  for (const n of sent) {
    const rendered = renderTemplate(n.template, n.vars);
    expect({ template: n.template, missing: rendered.missing }).toEqual({ template: n.template, missing: [] });
    expect(rendered.lang).toBe('zh');
  }
});
