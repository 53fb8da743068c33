/** Every action is refused, with a specific reason and no trace in history, when its stage, its actor or the rules forbid it. */
import {
  decideAcceptanceUpdate,
  decideReconsiderationUpdate,
  fileAppealUpdate,
  giveConsultationUpdate,
  inviteExpertsUpdate,
  issueCorrectionPlanUpdate,
  proposeRulingUpdate,
  recordRevisitUpdate,
  reportMeasureProgressUpdate,
  reviewRulingUpdate,
  submitInvestigationUpdate,
  submitSupplementUpdate,
  verifyMeasureUpdate,
  withdrawUpdate,
} from '../../workflows/messages';
import { act, expectRejected, toFinal, toRuling } from '../support/drive';
import { actors, investigation, startCase, startHarness, type CaseHarness } from '../support/case-harness';

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
    [submitSupplementUpdate, actors.unit, { note: '补充', evidence: [] }],
    [submitInvestigationUpdate, actors.org, investigation(9)],
    [inviteExpertsUpdate, actors.org, { experts: ['expert-1'] }],
    [giveConsultationUpdate, actors.discipline, { opinion: 'concur', reasons: '同意' }],
    [proposeRulingUpdate, actors.org, ruling],
    [reviewRulingUpdate, actors.committee, { decision: 'approve', comments: '同意' }],
    [fileAppealUpdate, actors.unit, { grounds: '申诉' }],
    [decideReconsiderationUpdate, actors.committee, { decision: 'uphold', reasons: '维持' }],
    [issueCorrectionPlanUpdate, actors.org, { opinion: '整改', measures: [{ title: 't', description: 'd', dueDate: '2099-01-01' }] }],
    [reportMeasureProgressUpdate, actors.unit, { measureId: 'm1', progress: 'p', percent: 10, completed: false }],
    [verifyMeasureUpdate, actors.org, { measureId: 'm1', verified: true, comments: 'ok' }],
    [recordRevisitUpdate, actors.org, revisit],
  ];
  for (const [update, actor, input] of cases) {
    await expectRejected(handle, update, actor, input as never, 'WrongStage', /not possible while the case is submitted/);
  }
});

test('When a role acts outside its powers, then it is refused as NotAllowedForActor; a supervisor changes nothing', async () => {
  const handle = await startCase(h);
  await expectRejected(handle, decideAcceptanceUpdate, actors.unit, { decision: 'accept' }, 'NotAllowedForActor', /organization/);
  await expectRejected(handle, decideAcceptanceUpdate, actors.supervisor, { decision: 'accept' }, 'NotAllowedForActor');
  await expectRejected(handle, decideAcceptanceUpdate, actors.committee, { decision: 'accept' }, 'NotAllowedForActor');
  await expectRejected(handle, withdrawUpdate, actors.org, { reason: '撤回' }, 'NotAllowedForActor');
  await expectRejected(handle, withdrawUpdate, actors.supervisor, { reason: '撤回' }, 'NotAllowedForActor');
});

test('When a unit acts on another unit\'s case, then the case is reported not found', async () => {
  const handle = await startCase(h);
  await expectRejected(handle, withdrawUpdate, actors.otherUnit, { reason: '撤回' }, 'NotFound');
});

test('When the input breaks the rules of its schema, then it is refused as InvalidInput naming the field', async () => {
  const handle = await startCase(h);
  await expectRejected(handle, decideAcceptanceUpdate, actors.org, { decision: 'refuse' } as never, 'InvalidInput', /reason/);
  await expectRejected(handle, decideAcceptanceUpdate, actors.org, { decision: 'accept', extra: 1 } as never, 'InvalidInput', /extra/);
});

test('When the proposer reviews its own ruling, then four eyes refuses it', async () => {
  const handle = await startCase(h);
  await toRuling(handle, 9);
  const proposer = { sub: 'dual-role-person', role: 'organization' as const, unit: 'ORG-NJ' };
  await act(handle, proposeRulingUpdate, proposer, ruling);
  await expectRejected(handle, reviewRulingUpdate, { sub: 'dual-role-person', role: 'committee' }, { decision: 'approve', comments: '自审' }, 'FourEyes', /cannot be the person who proposed/);
});

test('When the first reviewer or the proposer decides the appeal, then four eyes refuses it', async () => {
  const handle = await startCase(h);
  await toRuling(handle, 9);
  await act(handle, proposeRulingUpdate, { sub: 'p-1', role: 'organization', unit: 'ORG-NJ' }, ruling);
  await act(handle, reviewRulingUpdate, actors.committee, { decision: 'approve', comments: '同意' });
  await act(handle, fileAppealUpdate, actors.unit, { grounds: '申诉' });
  await expectRejected(handle, decideReconsiderationUpdate, actors.committee, { decision: 'uphold', reasons: '维持' }, 'FourEyes', /first reviewer/);
  await expectRejected(handle, decideReconsiderationUpdate, { sub: 'p-1', role: 'committee' }, { decision: 'uphold', reasons: '维持' }, 'FourEyes', /proposer/);
  await expectRejected(handle, withdrawUpdate, actors.unit, { reason: '撤回' }, 'WrongStage');
});

test('When someone other than the ruling body revisits, or an organization invites itself as expert, then the rules refuse it', async () => {
  const handle = await startCase(h);
  await toRuling(handle, 9);
  await toFinal(h, handle, ruling);
  await expectRejected(handle, recordRevisitUpdate, actors.otherOrg, revisit, 'NotAllowedForActor', /ORG-NJ/);
  await expectRejected(handle, issueCorrectionPlanUpdate, actors.org, { opinion: '整改', measures: [{ title: 't', description: 'd', dueDate: '2001-01-01' }] }, 'InvalidInput', /past/);
  const other = await startCase(h);
  await act(other, decideAcceptanceUpdate, actors.org, { decision: 'accept' });
  const s = await act(other, submitInvestigationUpdate, actors.org, { ...investigation(9), technical: true });
  expect(s.stage).toBe('expert_review');
  await expectRejected(other, inviteExpertsUpdate, actors.org, { experts: ['org-officer-1'] }, 'FourEyes');
  await expectRejected(other, inviteExpertsUpdate, actors.org, { experts: ['e1', 'e2', 'e3', 'e4'] }, 'InvalidInput', /allows 3/);
});
