/**
 * What the benchmarks send: the actors, a sample application that passes screening and needs no
 * experts, the inputs of each action, and the case input a bare client starts with (the same the
 * API builds). Kept here rather than imported from test/, which the build does not compile.
 */
import { randomUUID } from 'node:crypto';
import type { Actor, Application } from '../../domain/case';
import { defaultPolicy } from '../../domain/policies';
import { policySchema, type Policy } from '../../domain/policy';
import { chinaCivilDate, randomCaseId, requestDigest } from '../../api/ids';
import type { CaseInput } from '../../workflows/messages';
import { sampleApplication as documentedApplication } from '../../api/schemas';

export const actors = {
  unit: { sub: 'bench-unit-clerk', role: 'unit', unit: 'JS-NJ-FGW' } as Actor,
  org: { sub: 'bench-org-officer', role: 'organization', unit: 'ORG-NJ' } as Actor,
  discipline: { sub: 'bench-discipline', role: 'discipline' } as Actor,
  committee: { sub: 'bench-committee', role: 'committee' } as Actor,
};

/** Circumstances that trip no rule: those of the application documented in the API's examples. */
const noCircumstances = documentedApplication.circumstances;

/** An application that passes screening; a fresh cadre id each time, so the repeat rule never fires. */
export function sampleApplication(): Application {
  return {
    cadre: { id: `P-${randomUUID().slice(0, 8)}`, name: '张三', post: '科长', rank: '正科级' },
    unitCode: actors.unit.unit!,
    incident: {
      date: '2026-03-10',
      summary: '试点审批改革中因经验不足导致流程疏漏',
      situation: 'reformUncertainty',
      faultKind: 'administrative',
      category: 'approval-reform',
      lossAmount: 200000,
      recoveredAmount: 150000,
      technical: false,
    },
    circumstances: { ...noCircumstances },
    evidence: [],
  };
}

const factor = (score: number) => ({ score, note: '核实情况' });

/** Findings with a uniform factor score; 9 gives a composite of 90, in the exempt band, no experts. */
export const investigation = (score = 9) => ({
  factors: { motive: factor(score), conditions: factor(score), procedure: factor(score), nature: factor(score), consequence: factor(score), recovery: factor(score) },
  evaluation: '一贯表现良好，属于改革创新中的探索性失误',
  confirmedCircumstances: { ...noCircumstances },
});

export const inputs = {
  accept: { decision: 'accept' as const },
  consultation: { opinion: 'concur' as const, reasons: '同意组织部门意见' },
  ruling: { outcome: 'exempt' as const, tier: 'focus' as const, reasons: '符合免责情形' },
  review: { decision: 'approve' as const, comments: '同意' },
  correctionPlan: (dueDate: string) => ({ opinion: '完善审批流程', measures: [{ title: '修订审批细则', description: '补齐试点审批流程中的复核环节', dueDate }] }),
  progress: (completed: boolean) => ({ measureId: 'm1', progress: completed ? '细则已修订并印发' : '正在修订细则', percent: completed ? 100 : 50, completed }),
  verification: { measureId: 'm1', verified: true, comments: '经核查已落实' },
  revisit: { thinking: '思想稳定', workPerformance: '工作积极', lifeSituation: '生活正常', assessment: '良好' },
};

/**
 * The default policy with a one-second appeal window, so a case reaches remediation and follow-up
 * on a real server in seconds; every other wait keeps its working days and months, so a case driven
 * there waits for weeks with only timers armed.
 */
export const quickAppealPolicy: Policy = policySchema.parse({
  ...defaultPolicy,
  id: 'bench-quick-appeal',
  version: 'bench-quick-appeal@2026.1',
  deadlines: { ...defaultPolicy.deadlines, appealWindow: { amount: 1, unit: 'seconds' } },
});

/** The input the API would build for a unit's application today (same id scheme, digest and policy). */
export function caseInput(policy: Policy = defaultPolicy, application = sampleApplication(), now = new Date()): CaseInput {
  const origin = 'application' as const;
  return {
    caseId: randomCaseId(Number(chinaCivilDate(now).slice(0, 4))),
    origin,
    application,
    openedBy: actors.unit,
    policy,
    requestDigest: requestDigest({ origin, application }),
  };
}

/** A civil date `days` from now (UTC), for measure due dates. */
export function dateInDays(days: number, from = Date.now()): string {
  return new Date(from + days * 86_400_000).toISOString().slice(0, 10);
}
