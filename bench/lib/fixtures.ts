/**
 * What the benchmarks send: the actors, an application of a registered cadre that passes screening
 * and needs no experts, the inputs of each action, and the case input a bare client starts with (the
 * same the API builds).
 */
import { WorkingDayCalendar } from '../../domain/calendar';
import { demoRegistry } from '../../api/registry';
import type { Actor, Application } from '../../domain/case';
import type { Cadre, RegistryDocument } from '../../domain/registry';
import { defaultPolicy } from '../../domain/policies';
import { policySchema, type Policy } from '../../domain/policy';
import { chinaCivilDate, randomCaseId, requestDigest } from '../../api/ids';
import type { CaseInput } from '../../workflows/messages';
import { sampleApplication } from '../../test/support/applications';

export const actors = {
  unit: { sub: 'bench-unit-clerk', role: 'unit', unit: 'JS-NJ-FGW' } as Actor,
  org: { sub: 'bench-org-officer', role: 'organization', unit: 'JS-NJ-ZZB', locality: 'JS-NJ' } as Actor,
  discipline: { sub: 'bench-discipline', role: 'discipline', unit: 'JS-NJ-JW', locality: 'JS-NJ' } as Actor,
  committee: { sub: 'bench-committee', role: 'committee', unit: 'JS-NJ-SW', locality: 'JS-NJ' } as Actor,
};

export { investigation, sampleApplication } from '../../test/support/applications';

/**
 * The cadres the benchmarks open cases for, registered in the record store's registry with the demo
 * registry's (see `benchRegistry`): the API takes applications of registered cadres only, and a case
 * looks up its cadre's other cases, so every start is some cadre's application, each cadre's first
 * until a run has opened more cases than there are cadres (a second one raises the repeat-application
 * signal, a reaction more).
 */
export const benchCadres: Cadre[] = Array.from({ length: 6000 }, (_, i) => ({ id: `C-BENCH-${String(i + 1).padStart(5, '0')}`, name: '张三', unit: 'JS-NJ-FGW' }));
export const benchRegistry: RegistryDocument = { ...demoRegistry.document, cadres: [...demoRegistry.document.cadres, ...benchCadres] };

/** How many applications this process has made so far: the next one is of the next cadre. */
const drawn = { count: 0 };

/** An application the API accepts, of the next of the benchmark cadres; the bare client starts the same. */
export function registeredApplication(): Application {
  const cadre = benchCadres[drawn.count++ % benchCadres.length]!;
  return sampleApplication({ cadreId: cadre.id });
}

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
export function caseInput(policy: Policy = defaultPolicy, application = registeredApplication(), now = new Date()): CaseInput & { requestDigest: string } {
  const origin = 'application' as const;
  return {
    caseId: randomCaseId(Number(chinaCivilDate(now).slice(0, 4))),
    origin,
    application,
    openedBy: actors.unit,
    policy,
    calendar: WorkingDayCalendar.default().snapshot(now.getUTCFullYear(), now.getUTCFullYear() + 3),
    jurisdiction: demoRegistry.jurisdictionOf(application.unitCode)!,
    requestDigest: requestDigest({ origin, application }),
  };
}

/** A civil date `days` from now (UTC), for measure due dates. */
export function dateInDays(days: number, from = Date.now()): string {
  return new Date(from + days * 86_400_000).toISOString().slice(0, 10);
}
