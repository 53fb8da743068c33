/**
 * Oversight within one case: abuse signals raised the moment their fact becomes true, third-party
 * reports and correction suggestions answered by the correction plan, and the decision-effect
 * trackings of follow-up.
 */
import { randomUUID } from 'node:crypto';
import { defaultPolicy } from '../../domain/policies';
import { updates } from '../../workflows/case/actions';
import { act, eventually, expectRejected, remediate, sleepPast, toFinal, toRuling } from '../support/drive';
import { actors, days, investigation, noticeBatches, recordHistory, sampleApplication, startCase, startHarness, state, type CaseHarness } from '../support/case-harness';

let h: CaseHarness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => h?.stop());

const signalsOf = (s: { timeline: { event: string; detail?: Record<string, unknown> }[] }) => s.timeline.filter((e) => e.event === 'abuseSignal').map((e) => e.detail!);

describe('Abuse signals', () => {
  test('When a cadre with a case in one category applies again in another within the window, then the second case raises repeatApplication to supervision and discipline, naming cases, not the cadre', async () => {
    // Arrange: a first case of the cadre, written to the record system
    const cadreId = `P-${randomUUID().slice(0, 8)}`;
    const first = await startCase(h, { application: sampleApplication({ cadreId, incident: { category: 'land-use' } }) });
    const firstId = (await state(first)).caseId;
    await eventually(() => expect(h.records.eventsOf(firstId)).toContain('opened'));

    // Act: the same cadre applies again, in another category
    const second = await startCase(h, { application: sampleApplication({ cadreId, incident: { category: 'approval-reform' } }) });

    // Assert: the signal is raised once the opening's lookup answers, before anything else happens
    let s = await state(second);
    await eventually(async () => {
      s = await state(second);
      expect(signalsOf(s)).toHaveLength(1);
    });
    expect(s.timeline.map((e) => e.event)).toEqual(['opened', 'abuseSignal']);
    expect(signalsOf(s)[0]).toEqual({
      signal: 'repeatApplication',
      applications: 2,
      maxApplications: 1,
      window: { amount: 36, unit: 'months' },
      since: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/),
      earlier: [{ caseId: firstId, category: 'land-use', openedAt: expect.any(String) }],
    });
    expect(signalsOf(await state(first))).toEqual([]);
    await eventually(() => expect(h.notifier.of(s.caseId, 'abuseSignal')).toHaveLength(2));
    const notices = h.notifier.of(s.caseId, 'abuseSignal');
    expect(notices.map((n) => n.audience)).toEqual([
      { role: 'supervisor', unit: 'JS-NJ-JD' },
      { role: 'discipline', unit: 'JS-NJ-JW' },
    ]);
    expect(notices[0]!.vars).toMatchObject({ caseId: s.caseId, unitCode: 'JS-NJ-FGW', category: 'approval-reform', signal: 'repeatApplication' });
    expect(notices[0]!.vars.explanation).toContain(`同一干部共有 2 起容错案件（含本案），超过规定的 1 起；其他案件：${firstId}（land-use，`);
    expect(JSON.stringify(notices)).not.toContain(cadreId);
    expect(JSON.stringify(notices)).not.toContain('张三');
    await eventually(() => expect(h.records.eventsOf(s.caseId)).toEqual(['opened', 'abuseSignal']));

    // the investigation's lookup finds the same cases: nothing is raised twice
    s = await act(second, updates.acceptance, actors.org, { decision: 'accept' });
    s = await act(second, updates.investigation, actors.org, investigation(9));
    expect(signalsOf(s)).toHaveLength(1);
    await recordHistory(second, 'abuse-signal-repeat-application', { running: true });
  });

  test('When a large-loss case is exempted outside its band, against the consultation objection and most expert opinions, then the approval raises four explained signals in its one notice batch, and the correction plan must answer every suggestion', async () => {
    // Arrange: a loss above the policy's amount needs experts; a composite of 60 suggests mitigation
    const handle = await startCase(h, { application: sampleApplication({ incident: { lossAmount: 2_000_000, recoveredAmount: 100_000 } }) });
    await act(handle, updates.acceptance, actors.org, { decision: 'accept' });
    let s = await act(handle, updates.investigation, actors.org, investigation(6));
    expect(s.stage).toBe('expertReview');
    await act(handle, updates.expertInvitation, actors.org, { experts: ['expert-1', 'expert-2', 'expert-3'] });
    const report = { title: '第三方评估报告', uri: 'https://files.example.gov.cn/r/1.pdf', sha256: 'a'.repeat(64) };
    s = await act(handle, updates.expertOpinion, actors.expert1, { recommendation: 'mitigate', opinion: '损失较大，宜从轻处理。', report, suggestions: ['建立审批事项合法性审查前置环节。', '对审批人员开展专题培训。'] });
    expect(s.experts.opinions[0]).toMatchObject({ report, suggestions: [{ id: 's1-1', text: '建立审批事项合法性审查前置环节。' }, { id: 's1-2', text: '对审批人员开展专题培训。' }] });
    expect(s.timeline.at(-1)).toMatchObject({ event: 'expertOpinionGiven', detail: { recommendation: 'mitigate', report: true, suggestions: 2 } });
    s = await act(handle, updates.expertOpinion, actors.expert2, { recommendation: 'mitigate', opinion: '同意从轻。', suggestions: ['完善损失追偿机制。'] });
    expect(s.stage).toBe('consultation');
    await act(handle, updates.consultation, actors.discipline, { opinion: 'object', reasons: '损失金额较大，不宜免责。' });
    await act(handle, updates.rulingProposal, actors.org, {
      outcome: 'exempt',
      tier: 'support',
      reasons: '属改革探索中的失误。',
      justification: '当事人积极挽回损失，改革成效显著。',
      objectionResponse: '已充分考虑损失金额。',
    });
    expect(signalsOf(await state(handle))).toEqual([]);

    // Act
    s = await act(handle, updates.rulingReview, actors.committee, { decision: 'approve', comments: '同意' });

    // Assert: each signal explained by its figures
    expect(signalsOf(s)).toEqual([
      { signal: 'outsideBand', outcome: 'exempt', suggested: 'mitigate', composite: 60, bands: { exemptMin: 75, mitigateMin: 50 }, direction: 'lenient' },
      { signal: 'againstConsultation', outcome: 'exempt', consultationOpinion: 'object' },
      { signal: 'againstExperts', outcome: 'exempt', opinions: 2, against: 2, share: 0.5, recommendations: { exempt: 0, mitigate: 2, deny: 0 } },
      { signal: 'largeExemption', lossAmount: 2_000_000, recoveredAmount: 100_000, threshold: 1_000_000 },
    ]);
    const approvedAt = s.timeline.findIndex((e) => e.event === 'rulingApproved');
    expect(s.timeline.slice(approvedAt + 1, approvedAt + 5).map((e) => e.event)).toEqual(['abuseSignal', 'abuseSignal', 'abuseSignal', 'abuseSignal']);
    await eventually(() => expect(h.notifier.of(s.caseId, 'abuseSignal')).toHaveLength(8));
    const notices = h.notifier.of(s.caseId, 'abuseSignal');
    expect(notices.filter((n) => n.audience.role === 'supervisor').map((n) => n.vars.signal)).toEqual(['outsideBand', 'againstConsultation', 'againstExperts', 'largeExemption']);
    expect(notices.filter((n) => n.audience.role === 'discipline').every((n) => n.audience.unit === 'JS-NJ-JW')).toBe(true);
    expect(notices.find((n) => n.vars.signal === 'largeExemption')!.vars.explanation).toBe('损失金额 2,000,000 元（申请时已挽回 100,000 元），超过规程规定的 1,000,000 元，予以免责。');
    expect(notices.find((n) => n.vars.signal === 'outsideBand')!.vars.explanation).toContain('综合得分 60 分对应的建议档次为“从轻或减轻处理”');
    // the signals ride with the ruling notice in the approval's one notice activity
    const batches = await noticeBatches(handle);
    const withSignals = batches.filter((b) => b.some((k) => k.includes(':signal:')));
    expect(withSignals).toHaveLength(1);
    expect(withSignals[0]).toEqual(expect.arrayContaining([`${s.caseId}:ruling-notice-1`, `${s.caseId}:signal:largeExemption:ruling-1:discipline`]));

    // Remediation: the correction plan answers each of the three suggestions
    await sleepPast(h, s.tasks.find((t) => t.kind === 'appeal' && t.status === 'open')!.dueAt);
    s = await state(handle);
    expect(s.stage).toBe('remediation');
    const dueDate = new Date((await h.env.currentTimeMs()) + days(30)).toISOString().slice(0, 10);
    const measures = [
      { title: '建立合法性审查环节', description: '审批前进行合法性审查', dueDate },
      { title: '开展专题培训', description: '全员培训', dueDate },
    ];
    await expectRejected(handle, updates.correctionPlan, actors.org, { opinion: '完善审批', measures }, 'invalidInput', /以下建议未作回应：s1-1（“建立审批事项合法性审查前置环节。”）；s1-2（“对审批人员开展专题培训。”）；s2-1（“完善损失追偿机制。”）/);
    await expectRejected(
      handle,
      updates.correctionPlan,
      actors.org,
      { opinion: '完善审批', measures, suggestionResponses: [{ suggestionId: 's1-1', adopted: true, measureNo: 1 }, { suggestionId: 's1-2', adopted: true, measureNo: 2 }] },
      'invalidInput',
      /未作回应：s2-1（“完善损失追偿机制。”）/,
    );
    await expectRejected(handle, updates.correctionPlan, actors.org, { opinion: '完善审批', measures, suggestionResponses: [{ suggestionId: 's3-1', adopted: false, reason: '无' }] }, 'invalidInput', /没有编号为 s3-1 的纠错建议/);
    s = await act(handle, updates.correctionPlan, actors.org, {
      opinion: '完善审批',
      measures,
      suggestionResponses: [
        { suggestionId: 's1-1', adopted: true, measureNo: 1 },
        { suggestionId: 's1-2', adopted: true, measureNo: 2 },
        { suggestionId: 's2-1', adopted: false, reason: '损失已由保险赔付，另行追偿不具可行性。' },
      ],
    });
    expect(s.correctionPlan?.suggestionResponses).toEqual([
      { suggestionId: 's1-1', adopted: true, measureId: 'm1' },
      { suggestionId: 's1-2', adopted: true, measureId: 'm2' },
      { suggestionId: 's2-1', adopted: false, reason: '损失已由保险赔付，另行追偿不具可行性。' },
    ]);
    await eventually(() => {
      const plan = h.records.events.find((e) => e.caseId === s.caseId && e.entry.event === 'correctionPlanIssued');
      expect(plan?.entry.detail).toEqual({ measures: 2, suggestionResponses: s.correctionPlan!.suggestionResponses });
    });
    await recordHistory(handle, 'abuse-signals-ruling-suggestions', { running: true });
  });

  test('When a ruling stays in its band, with a concurring consultation and no experts, then it raises no signal', async () => {
    const handle = await startCase(h);
    await toRuling(handle, 9);
    const s = await toFinal(h, handle, { outcome: 'exempt', tier: 'incentive', reasons: '符合免责情形' });
    expect(signalsOf(s)).toEqual([]);
    expect(h.notifier.of(s.caseId, 'abuseSignal')).toEqual([]);
  });
});

describe('Decision-effect tracking', () => {
  const revisit = { thinking: '思想稳定', workPerformance: '工作积极', lifeSituation: '生活正常', assessment: '良好' };
  const tracking = (recoveredSinceRuling: number) => ({ reformDecision: 'sustained' as const, results: '改革继续实施，审批时限缩短。', recoveredSinceRuling });

  test('When the 6-month tracking is recorded and the 12-month one is not, then follow-up waits past the last revisit until that deadline passes, escalates once, records it lapsed and closes', async () => {
    const handle = await startCase(h);
    await toRuling(handle, 9);
    let s = await toFinal(h, handle, { outcome: 'exempt', tier: 'support', reasons: '符合免责情形' });
    expect(s.effectTrackings?.map((t) => [t.id, t.monthOffset, t.status])).toEqual([
      ['e1', 6, 'planned'],
      ['e2', 12, 'planned'],
    ]);
    const task = s.tasks.find((t) => t.id === 'effectTracking-e1')!;
    expect(task).toMatchObject({ kind: 'effectTracking', label: '决策执行效果跟踪评价', role: 'organization', body: 'JS-NJ-ZZB', opensAt: s.effectTrackings![0]!.opensAt, status: 'open' });
    s = await remediate(h, handle, { dueInDays: 10, complete: true });
    expect(s.stage).toBe('followUp');
    await expectRejected(handle, updates.effectTracking, actors.org, tracking(0), 'wrongStage', /尚无到期的决策执行效果跟踪评价；下一次于 \d{4}-\d{2}-\d{2} 开始/);

    // the 3-month revisit, then the 6-month revisit and tracking
    await sleepPast(h, s.revisits[0]!.scheduledFor, days(1));
    await act(handle, updates.revisit, actors.org, revisit);
    await sleepPast(h, s.effectTrackings![0]!.opensAt, days(1));
    await act(handle, updates.revisit, actors.org, revisit);
    const opened = h.notifier.of(s.caseId, 'taskOpened').filter((n) => n.vars.taskId === 'effectTracking-e1');
    expect(opened).toHaveLength(1);
    expect(opened[0]!.audience).toEqual({ role: 'organization', unit: 'JS-NJ-ZZB' });
    expect(opened[0]!.vars).toMatchObject({ task: 'effectTracking', trackingMonth: 6 });
    expect(h.notifier.of(s.caseId, 'taskOpened').filter((n) => n.vars.taskId === 'effectTracking-e2')).toEqual([]);
    await expectRejected(handle, updates.effectTracking, actors.provinceOrg, tracking(0), 'forbidden', /谁容错、谁回访：本案决策执行效果跟踪评价由作出认定的/);
    // the application lost 200,000 and had recovered 150,000: at most 50,000 more
    await expectRejected(handle, updates.effectTracking, actors.org, tracking(50_001), 'invalidInput', /不能超过申请时尚未挽回的损失（50000 元）/);
    s = await act(handle, updates.effectTracking, actors.org2, tracking(30_000));
    expect(s.effectTrackings![0]).toMatchObject({ status: 'done', record: { by: actors.org2.sub, reformDecision: 'sustained', results: '改革继续实施，审批时限缩短。', recoveredSinceRuling: 30_000 } });
    expect(s.tasks.find((t) => t.id === 'effectTracking-e1')!.status).toBe('done');

    // Act: the 12-month revisit is the last, but the 12-month tracking is still due
    await sleepPast(h, s.revisits[2]!.scheduledFor, days(1));
    s = await act(handle, updates.revisit, actors.org, revisit);
    expect(s.revisits.every((r) => r.status === 'done')).toBe(true);
    expect(s.stage).toBe('followUp');
    await sleepPast(h, s.effectTrackings![1]!.dueAt);

    // Assert
    const closed = await handle.result();
    expect(closed.closeReason).toBe('completed');
    expect(closed.effectTrackings![1]!.status).toBe('lapsed');
    expect(closed.timeline.map((e) => e.event).slice(-4)).toEqual(['deadlinePassed', 'escalated', 'effectTrackingLapsed', 'closed']);
    const escalations = h.notifier.of(s.caseId, 'escalation').filter((n) => n.vars.task === 'effectTracking');
    expect(escalations.map((n) => n.audience)).toEqual([
      { role: 'supervisor', unit: 'JS-NJ-JD' },
      { role: 'organization', unit: 'JS-NJ-ZZB' },
    ]);
    await eventually(() => {
      const records = h.records.events.filter((e) => e.caseId === s.caseId).flatMap((e) => e.records ?? []).filter((r) => r.type === 'effectTracking');
      expect(records.map((r) => [r.trackingId, r.status])).toEqual([
        ['e1', 'planned'],
        ['e2', 'planned'],
        ['e1', 'done'],
        ['e2', 'lapsed'],
      ]);
      expect(records[2]).toMatchObject({ reformDecision: 'sustained', results: '改革继续实施，审批时限缩短。', recoveredSinceRuling: 30_000, recordedBy: actors.org2.sub });
    });
    await recordHistory(handle, 'effect-tracking-lapsed');
  });

  test('When a pinned policy predates effect tracking, then the default offsets apply; a policy of none plans none and closes after the last revisit', async () => {
    const { effectTracking: _dropped, ...followUp } = defaultPolicy.followUp;
    const older = { ...defaultPolicy, followUp } as typeof defaultPolicy;
    let handle = await startCase(h, { policy: older });
    await toRuling(handle, 9);
    let s = await toFinal(h, handle, { outcome: 'exempt', tier: 'incentive', reasons: '符合免责情形' });
    expect(s.effectTrackings?.map((t) => t.monthOffset)).toEqual([6, 12]);

    handle = await startCase(h, { policy: { ...defaultPolicy, followUp: { ...defaultPolicy.followUp, effectTracking: [] } } });
    await toRuling(handle, 9);
    s = await toFinal(h, handle, { outcome: 'exempt', tier: 'incentive', reasons: '符合免责情形' });
    expect(s.effectTrackings).toBeUndefined();
    s = await remediate(h, handle, { dueInDays: 10, complete: true });
    for (const r of s.revisits) {
      await sleepPast(h, r.scheduledFor, days(1));
      s = await act(handle, updates.revisit, actors.org, revisit);
    }
    expect(s.stage).toBe('closed');
  });
});
