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

test('When an exempt case completes remediation and all four focus-tier revisits, then it closes after the 12-month revisit', async () => {
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
  }
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
  await recordHistory(handle, 'exempt-full-follow-up');
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
