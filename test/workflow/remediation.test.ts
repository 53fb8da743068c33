/** Result effects, remediation and follow-up revisits ("whoever tolerates, revisits"). */
import { updates } from '../../workflows/case/actions';
import { act, eventually, expectRejected, remediate, toFinal, toRuling } from '../support/drive';
import { actors, days, startCase, startHarness, recordHistory, state, type CaseHarness } from '../support/case-harness';

let h: CaseHarness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => h?.stop());

const revisit = (n: number) => ({ thinking: `思想稳定 ${n}`, workPerformance: '工作积极', lifeSituation: '生活正常', assessment: '良好' });

test('When an exempt case completes remediation, all four focus-tier revisits and both decision-effect trackings, then it closes with the 12-month tracking', async () => {
  const handle = await startCase(h);
  await toRuling(handle, 9);
  let s = await toFinal(h, handle, { outcome: 'exempt', tier: 'focus', reasons: '符合免责情形' });
  expect(s.stage).toBe('remediation');
  expect(s.rulingBody).toBe('JS-NJ-ZZB');
  expect(s.revisits.map((r) => [r.monthOffset, r.status])).toEqual([
    [1, 'scheduled'],
    [3, 'scheduled'],
    [6, 'scheduled'],
    [12, 'scheduled'],
  ]);
  await expectRejected(handle, updates.revisit, actors.org, revisit(0), 'wrongStage', /尚无到期的回访/);
  s = await remediate(h, handle, { dueInDays: 20, complete: true });
  expect(s.stage).toBe('followUp');
  for (const [i, month] of [1, 3, 6, 12].entries()) {
    const r = (await state(handle)).revisits[i]!;
    expect(r.monthOffset).toBe(month);
    const wait = Date.parse(r.scheduledFor) - (await h.env.currentTimeMs()) + days(1);
    await h.env.sleep(Math.max(wait, 1000));
    expect((await state(handle)).revisits[i]!.status).toBe('open');
    await expectRejected(handle, updates.revisit, actors.provinceOrg, revisit(i), 'forbidden', /谁容错、谁回访/);
    s = await act(handle, updates.revisit, actors.org2, revisit(i));
    // the decision-effect trackings open with the 6- and 12-month revisits; the case waits for the last one
    if (month === 6 || month === 12) {
      expect(s.stage).toBe('followUp');
      s = await act(handle, updates.effectTracking, actors.org2, { reformDecision: 'sustained', results: `第 ${month} 个月：改革继续实施`, recoveredSinceRuling: month * 1000 });
    }
  }
  expect(s.effectTrackings?.map((t) => [t.monthOffset, t.status, t.record?.recoveredSinceRuling])).toEqual([
    [6, 'done', 6000],
    [12, 'done', 12000],
  ]);
  expect(s.stage).toBe('closed');
  expect(s.closeReason).toBe('completed');
  expect(s.revisits.every((r) => r.status === 'done' && r.record?.by === 'org-officer-2')).toBe(true);
  expect(h.notifier.of(s.caseId, 'revisitDue')).toHaveLength(4);
  const final = await handle.result();
  expect(final.closeReason).toBe('completed');
  expect(h.records.eventsOf(s.caseId).length).toBe(final.timeline.length);
  const history = await handle.fetchHistory();
  // the longest path stays far below Temporal's 51,200-event limit
  expect(history.events!.length).toBeLessThan(2000);
  await recordHistory(handle, 'exempt-full-follow-up-effect-tracking');
});

test('When a mitigated case has an overdue measure, then it is escalated repeatedly until verified, and a tier change replans the revisits', async () => {
  const handle = await startCase(h);
  await toRuling(handle, 6);
  let s = await toFinal(h, handle, { outcome: 'mitigate', influenceMonths: 12, tier: 'support', reasons: '从轻处理' });
  expect(s.outcome).toBe('mitigate');
  expect(s.influenceUntil).toBeDefined();
  s = await remediate(h, handle, { dueInDays: 10, complete: false });
  expect(s.measures[0]).toMatchObject({ id: 'm1', status: 'open' });
  await h.env.sleep(days(25));
  s = await state(handle);
  const measureTask = s.tasks.find((t) => t.id === 'measure-m1')!;
  expect(measureTask.overdue).toBe(true);
  expect(s.measures[0]!.overdue).toBe(true);
  expect(measureTask.escalations).toBeGreaterThanOrEqual(2);
  // each escalation goes to the supervision body of the locality and to the unit that must act
  await eventually(() => expect(h.notifier.of(s.caseId, 'measureOverdue').filter((n) => n.audience.role === 'supervisor').length).toBe(measureTask.escalations));
  expect(h.notifier.of(s.caseId, 'measureOverdue').filter((n) => n.audience.role === 'supervisor').every((n) => n.audience.unit === 'JS-NJ-JD')).toBe(true);
  expect(h.notifier.of(s.caseId, 'measureOverdue').filter((n) => n.audience.role === 'unit').every((n) => n.audience.unit === 'JS-NJ-FGW')).toBe(true);
  expect((await handle.describe()).searchAttributes.CaseOverdue).toEqual([true]);
  await expectRejected(handle, updates.measureVerification, actors.org, { measureId: 'm1', verified: true, comments: '未完成' }, 'wrongStage', /须先由单位报告完成/);
  await act(handle, updates.measureProgress, actors.unit, { measureId: 'm1', progress: '已完成整改', percent: 100, completed: true });
  s = await act(handle, updates.measureVerification, actors.org, { measureId: 'm1', verified: false, comments: '材料不全，退回' });
  expect(s.measures[0]!.status).toBe('open');
  await act(handle, updates.measureProgress, actors.unit, { measureId: 'm1', progress: '补齐材料', percent: 100, completed: true });
  s = await act(handle, updates.measureVerification, actors.org, { measureId: 'm1', verified: true, comments: '已落实' });
  expect(s.stage).toBe('followUp');
  // the 3-month revisit moves the cadre to the incentive tier: only the 6- and 12-month revisits remain
  const first = s.revisits[0]!;
  await h.env.sleep(Date.parse(first.scheduledFor) - (await h.env.currentTimeMs()) + days(1));
  s = await act(handle, updates.revisit, actors.org, { ...revisit(1), newTier: 'incentive' });
  expect(s.revisits.filter((r) => r.status !== 'cancelled').map((r) => [r.monthOffset, r.tier, r.status])).toEqual([
    [3, 'support', 'done'],
    [6, 'incentive', 'scheduled'],
    [12, 'incentive', 'scheduled'],
  ]);
  await recordHistory(handle, 'tier-change-mitigate', { running: true });
});

test('When a revisit is not recorded within its window, then it stays open and keeps escalating at the policy interval', async () => {
  const handle = await startCase(h);
  await toRuling(handle, 9);
  await toFinal(h, handle, { outcome: 'exempt', tier: 'focus', reasons: '免责' });
  await remediate(h, handle, { dueInDays: 10, complete: true });
  let s = await state(handle);
  const r = s.revisits[0]!;
  await h.env.sleep(Date.parse(r.dueAt) - (await h.env.currentTimeMs()) + days(20));
  s = await state(handle);
  expect(s.revisits[0]).toMatchObject({ status: 'open', overdue: true });
  const task = s.tasks.find((t) => t.id === `revisit-${r.id}`)!;
  expect(task.escalations).toBeGreaterThanOrEqual(2);
  s = await act(handle, updates.revisit, actors.org, revisit(1));
  expect(s.revisits[0]!.status).toBe('done');
});

describe('What a final ruling leaves in the record', () => {
  test('When an exempt ruling becomes final, then the cadre is recorded with "no negative evaluation" from that day', async () => {
    const handle = await startCase(h);
    await toRuling(handle, 9);
    const s = await toFinal(h, handle, { outcome: 'exempt', tier: 'support', reasons: '符合免责情形' });
    expect(s.stage).toBe('remediation');
    expect(s.influence).toBeUndefined();
    await eventually(() => {
      const final = h.records.events.find((e) => e.caseId === s.caseId && e.entry.event === 'rulingFinal');
      expect(final?.records?.filter((r) => r.type === 'cadreResult')).toEqual([
        { type: 'cadreResult', kind: 'noNegativeEvaluation', from: new Date(Date.parse(s.finalAt!) + 8 * 3600_000).toISOString().slice(0, 10), status: 'inForce' },
      ]);
    });
  });

  test('When a mitigated case finishes its revisits before its influence period ends, then it stays open until the end, tells the ruling body and closes', async () => {
    const handle = await startCase(h);
    await toRuling(handle, 6);
    let s = await toFinal(h, handle, { outcome: 'mitigate', influenceMonths: 18, tier: 'incentive', reasons: '从轻处理' });
    const finalDay = new Date(Date.parse(s.finalAt!) + 8 * 3600_000).toISOString().slice(0, 10);
    expect(s.influence).toEqual({ from: finalDay, until: s.influenceUntil, endsAt: expect.stringMatching(/T16:00:00\.000Z$/) });
    // the period ends when its last day does: 00:00 Beijing time on the day after
    expect(new Date(Date.parse(s.influence!.endsAt) + 8 * 3600_000).toISOString().slice(0, 10)).not.toBe(s.influenceUntil);
    s = await remediate(h, handle, { dueInDays: 10, complete: true });
    expect(s.stage).toBe('followUp');
    for (const i of [0, 1]) {
      const r = (await state(handle)).revisits[i]!;
      await h.env.sleep(Math.max(Date.parse(r.scheduledFor) - (await h.env.currentTimeMs()) + days(1), 1000));
      s = await act(handle, updates.revisit, actors.org, revisit(i));
    }
    // every revisit is done, but the influence period still runs (18 months after the ruling)
    expect(s.revisits.every((r) => r.status === 'done')).toBe(true);
    expect(s.stage).toBe('followUp');
    expect(h.notifier.of(s.caseId, 'influencePeriodEnded')).toEqual([]);
    await h.env.sleep(Date.parse(s.influence!.endsAt) - (await h.env.currentTimeMs()) + 60_000);
    const closed = await handle.result();
    expect(closed.stage).toBe('closed');
    expect(closed.closeReason).toBe('completed');
    expect(closed.influence?.endedAt).toBeDefined();
    expect(closed.timeline.map((e) => e.event).slice(-2)).toEqual(['influencePeriodEnded', 'closed']);
    const notices = h.notifier.of(s.caseId, 'influencePeriodEnded');
    expect(notices).toHaveLength(1);
    expect(notices[0]!.audience).toEqual({ role: 'organization', unit: 'JS-NJ-ZZB' });
    expect(notices[0]!.vars).toMatchObject({ from: finalDay, until: s.influenceUntil });
    const influence = h.records.events.filter((e) => e.caseId === s.caseId).flatMap((e) => e.records ?? []).filter((r) => r.type === 'cadreResult');
    expect(influence).toEqual([
      { type: 'cadreResult', kind: 'influencePeriod', from: finalDay, until: s.influenceUntil, status: 'inForce' },
      { type: 'cadreResult', kind: 'influencePeriod', from: finalDay, until: s.influenceUntil, status: 'ended' },
    ]);
    await recordHistory(handle, 'mitigate-influence-period-ended');
  });

  test('When the province\'s organization department proposes the ruling, then it is the ruling body: the correction plan and revisits are its own', async () => {
    const handle = await startCase(h);
    await toRuling(handle, 9);
    let s = await toFinal(h, handle, { outcome: 'exempt', tier: 'incentive', reasons: '符合免责情形' });
    expect(s.rulingBody).toBe('JS-NJ-ZZB');
    const other = await startCase(h);
    await toRuling(other, 9);
    await act(other, updates.rulingProposal, actors.provinceOrg, { outcome: 'exempt', tier: 'incentive', reasons: '符合免责情形' });
    s = await act(other, updates.rulingReview, actors.committee, { decision: 'approve', comments: '同意' });
    expect(s.rulingBody).toBe('JS-ZZB');
    s = await state(other);
    await h.env.sleep(Date.parse(s.tasks.find((t) => t.kind === 'appeal' && t.status === 'open')!.dueAt) - (await h.env.currentTimeMs()) + 60_000);
    s = await state(other);
    expect(s.tasks.find((t) => t.kind === 'correctionPlan' && t.status === 'open')?.body).toBe('JS-ZZB');
    expect(s.tasks.filter((t) => t.kind === 'revisit').map((t) => t.body)).toEqual(['JS-ZZB', 'JS-ZZB']);
    await act(other, updates.correctionPlan, actors.provinceOrg, { opinion: '完善流程', measures: [{ title: '修订细则', description: '补齐复核环节', dueDate: new Date((await h.env.currentTimeMs()) + days(20)).toISOString().slice(0, 10) }] });
    const r = (await state(other)).revisits[0]!;
    await h.env.sleep(Date.parse(r.scheduledFor) - (await h.env.currentTimeMs()) + days(1));
    await expectRejected(other, updates.revisit, actors.org, revisit(0), 'forbidden', /谁容错、谁回访.*JS-ZZB/);
    s = await act(other, updates.revisit, actors.provinceOrg, revisit(0));
    expect(s.revisits[0]!.record?.by).toBe(actors.provinceOrg.sub);
  });
});
