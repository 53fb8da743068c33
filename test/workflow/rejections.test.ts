/** Every action is refused, with a specific reason and no trace in history, when its stage, its actor or the rules forbid it. */
import { updates } from '../../workflows/case/actions';
import { act, expectRejected, toFinal, toRuling } from '../support/drive';
import { actors, investigation, startCase, startHarness, state, type CaseHarness } from '../support/case-harness';

let h: CaseHarness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => h?.stop());

const ruling = { outcome: 'exempt' as const, tier: 'support' as const, reasons: '免责' };
const revisit = { thinking: '稳定', workPerformance: '积极', lifeSituation: '正常', assessment: '良好' };

test('When a newly submitted case receives actions of later stages, then each is refused as WrongStage', async () => {
  const handle = await startCase(h);
  const cases: [Parameters<typeof expectRejected>[1], Parameters<typeof expectRejected>[2], unknown][] = [
    [updates.supplement, actors.unit, { note: '补充', evidence: [] }],
    [updates.investigation, actors.org, investigation(9)],
    [updates.expertInvitation, actors.org, { experts: ['expert-1'] }],
    [updates.consultation, actors.discipline, { opinion: 'concur', reasons: '同意' }],
    [updates.rulingProposal, actors.org, ruling],
    [updates.rulingReview, actors.committee, { decision: 'approve', comments: '同意' }],
    [updates.appeal, actors.unit, { grounds: '申诉' }],
    [updates.reconsideration, actors.committee, { decision: 'uphold', reasons: '维持' }],
    [updates.correctionPlan, actors.org, { opinion: '整改', measures: [{ title: 't', description: 'd', dueDate: '2099-01-01' }] }],
    [updates.measureProgress, actors.unit, { measureId: 'm1', progress: 'p', percent: 10, completed: false }],
    [updates.measureVerification, actors.org, { measureId: 'm1', verified: true, comments: 'ok' }],
    [updates.revisit, actors.org, revisit],
  ];
  for (const [update, actor, input] of cases) {
    await expectRejected(handle, update, actor, input as never, 'wrongStage', /待受理/);
  }
});

test('When a role acts outside its powers, then it is refused as NotAllowedForActor; a supervisor changes nothing', async () => {
  const handle = await startCase(h);
  await expectRejected(handle, updates.acceptance, actors.unit, { decision: 'accept' }, 'forbidden', /组织部门/);
  await expectRejected(handle, updates.acceptance, actors.supervisor, { decision: 'accept' }, 'forbidden');
  await expectRejected(handle, updates.acceptance, actors.committee, { decision: 'accept' }, 'forbidden');
  await expectRejected(handle, updates.withdrawal, actors.org, { reason: '撤回' }, 'forbidden');
  await expectRejected(handle, updates.withdrawal, actors.supervisor, { reason: '撤回' }, 'forbidden');
});

test('When a unit acts on another unit\'s case, then the case is reported not found', async () => {
  const handle = await startCase(h);
  await expectRejected(handle, updates.withdrawal, actors.otherUnit, { reason: '撤回' }, 'notFound');
});

test('When the input breaks the rules of its schema, then it is refused as InvalidInput naming the field', async () => {
  const handle = await startCase(h);
  await expectRejected(handle, updates.acceptance, actors.org, { decision: 'refuse' } as never, 'invalidInput', /reason/);
  await expectRejected(handle, updates.acceptance, actors.org, { decision: 'accept', extra: 1 } as never, 'invalidInput', /extra/);
});

test('When the proposer reviews its own ruling, then four eyes refuses it', async () => {
  const handle = await startCase(h);
  await toRuling(handle, 9);
  const proposer = { sub: 'dual-role-person', role: 'organization' as const, unit: 'JS-NJ-ZZB', locality: 'JS-NJ' };
  await act(handle, updates.rulingProposal, proposer, ruling);
  await expectRejected(handle, updates.rulingReview, { sub: 'dual-role-person', role: 'committee', unit: 'JS-NJ-SW', locality: 'JS-NJ' }, { decision: 'approve', comments: '自审' }, 'fourEyes', /审核人不能是提出人/);
});

test('When the first reviewer or the proposer decides the appeal, then four eyes refuses it', async () => {
  const handle = await startCase(h);
  await toRuling(handle, 9);
  await act(handle, updates.rulingProposal, { sub: 'p-1', role: 'organization', unit: 'JS-NJ-ZZB', locality: 'JS-NJ' }, ruling);
  await act(handle, updates.rulingReview, actors.committee, { decision: 'approve', comments: '同意' });
  await act(handle, updates.appeal, actors.unit, { grounds: '申诉' });
  await expectRejected(handle, updates.reconsideration, actors.committee, { decision: 'uphold', reasons: '维持' }, 'fourEyes', /初审以外/);
  await expectRejected(handle, updates.reconsideration, { sub: 'p-1', role: 'committee', unit: 'JS-NJ-SW', locality: 'JS-NJ' }, { decision: 'uphold', reasons: '维持' }, 'fourEyes', /提出人/);
  await expectRejected(handle, updates.withdrawal, actors.unit, { reason: '撤回' }, 'wrongStage');
});

test('When someone other than the ruling body revisits, or an organization invites itself as expert, then the rules refuse it', async () => {
  const handle = await startCase(h);
  await toRuling(handle, 9);
  await toFinal(h, handle, ruling);
  await expectRejected(handle, updates.revisit, actors.provinceOrg, revisit, 'forbidden', /JS-NJ-ZZB/);
  // a body outside the case's jurisdiction is told nothing of the case
  await expectRejected(handle, updates.revisit, actors.otherOrg, revisit, 'notFound');
  await expectRejected(handle, updates.correctionPlan, actors.org, { opinion: '整改', measures: [{ title: 't', description: 'd', dueDate: '2001-01-01' }] }, 'invalidInput', /不能早于今天/);
  const other = await startCase(h);
  await act(other, updates.acceptance, actors.org, { decision: 'accept' });
  const s = await act(other, updates.investigation, actors.org, { ...investigation(9), technical: true });
  expect(s.stage).toBe('expertReview');
  await expectRejected(other, updates.expertInvitation, actors.org, { experts: ['org-officer-1'] }, 'fourEyes');
  await expectRejected(other, updates.expertInvitation, actors.org, { experts: ['e1', 'e2', 'e3', 'e4'] }, 'invalidInput', /最多邀请 3 名/);
});

describe('Integrity of the process', () => {
  test('When the organization invites fewer experts than the quorum, then it is refused, so the quorum cannot be bypassed', async () => {
    const handle = await startCase(h);
    await act(handle, updates.acceptance, actors.org, { decision: 'accept' });
    const s = await act(handle, updates.investigation, actors.org, { ...investigation(9), technical: true });
    expect(s.stage).toBe('expertReview');
    await expectRejected(handle, updates.expertInvitation, actors.org, { experts: ['expert-1'] }, 'invalidInput', /至少邀请 2 名/);
    const invited = await act(handle, updates.expertInvitation, actors.org, { experts: ['expert-1', 'expert-2'] });
    const after = await act(handle, updates.expertOpinion, actors.expert1, { recommendation: 'exempt', opinion: '同意' });
    // one opinion of the two invited is below the quorum of 2: the review goes on
    expect(after.stage).toBe('expertReview');
    expect(invited.experts.invited).toHaveLength(2);
  });

  test('When discipline inspection objected in the consultation, then the ruling proposal must answer the objection in writing', async () => {
    const handle = await startCase(h);
    await act(handle, updates.acceptance, actors.org, { decision: 'accept' });
    await act(handle, updates.investigation, actors.org, investigation(9));
    await act(handle, updates.consultation, actors.discipline, { opinion: 'object', reasons: '决策程序存在明显瑕疵' });
    await expectRejected(handle, updates.rulingProposal, actors.org, ruling, 'invalidInput', /objectionResponse/);
    const s = await act(handle, updates.rulingProposal, actors.org, { ...ruling, objectionResponse: '程序瑕疵已在“程序方法”因素中扣分，且已整改' });
    expect(s.rulings[0]?.objectionResponse).toMatch(/程序方法/);
  });

  test('When an organization officer without a department proposes a ruling, then it is refused: the ruling body must be known', async () => {
    const handle = await startCase(h);
    await toRuling(handle, 9);
    await expectRejected(handle, updates.rulingProposal, { sub: 'org-officer-9', role: 'organization', locality: 'JS-NJ' }, ruling, 'forbidden', /unit/);
    const s = await act(handle, updates.rulingProposal, actors.org, ruling);
    expect(s.rulingBody).toBe(actors.org.unit);
  });

  test('When a body outside the case\'s locality acts, then the case is not found to it; the province above it may act', async () => {
    const handle = await startCase(h);
    expect((await state(handle)).jurisdiction).toMatchObject({ locality: 'JS-NJ', path: ['JS-NJ', 'JS'], bodies: { organization: 'JS-NJ-ZZB', discipline: 'JS-NJ-JW', committee: 'JS-NJ-SW', supervision: 'JS-NJ-JD' } });
    await expectRejected(handle, updates.acceptance, actors.otherOrg, { decision: 'accept' }, 'notFound');
    await expectRejected(handle, updates.acceptance, { ...actors.org, locality: undefined } as never, { decision: 'accept' }, 'notFound');
    const s = await act(handle, updates.acceptance, actors.provinceOrg, { decision: 'accept' });
    expect(s.stage).toBe('investigation');
    expect(s.tasks.find((t) => t.kind === 'investigation' && t.status === 'open')?.body).toBe('JS-NJ-ZZB');
  });

  test('When a case was opened on referral, then the unit cannot withdraw it', async () => {
    const handle = await startCase(h, { origin: 'referral', openedBy: actors.discipline });
    await expectRejected(handle, updates.withdrawal, actors.unit, { reason: '撤回' }, 'forbidden', /移送/);
  });
});
