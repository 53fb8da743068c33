/**
 * Intake: acceptance (受理), supplement (补正), withdrawal, and boundary screening (边界甄别), which
 * runs on the application when it is accepted and again on the investigation's findings.
 */
import type { z } from 'zod';
import type { acceptanceSchema, Actor, supplementSchema, withdrawalSchema } from '../../../domain/case';
import { screen } from '../../../domain/screening';
import type { CaseMachine } from '../machine';
import { reportExclusion } from './exclusion';
import { patches } from '../patches';
import { handOff } from './hand-off';

export { handOff } from './hand-off';

/** The `body` option of a task, when the body is known. */
export const bodyOpt = (body: string | undefined) => (body ? { body } : {});

export function enterAcceptance(m: CaseMachine): void {
  m.openWait('acceptance', 'organization', 'acceptance', bodyOpt(m.bodyOf('organization')));
}

export function enterSupplement(m: CaseMachine): void {
  m.openWait('supplement', 'unit', 'supplement');
}

export function applyAcceptance(m: CaseMachine, actor: Actor, input: z.output<typeof acceptanceSchema>): void {
  m.closeTask(m.task('acceptance'));
  if (input.decision === 'refuse') {
    m.event('refused', actor, { reason: input.reason });
    m.notify('acceptance-decision', 'decision', { role: 'unit', unit: m.s.unitCode }, { step: 'acceptance', decision: 'refuse', ...(input.reason ? { reason: input.reason } : {}) });
    m.close('refused');
    return;
  }
  if (input.decision === 'requestSupplement') {
    m.event('supplementRequested', actor, { requestedItems: input.requestedItems, reason: input.reason });
    m.moveTo('supplement');
    const task = m.task('supplement')!;
    m.notify(`supplement-request-${task.id}`, 'supplementRequested', { role: 'unit', unit: m.s.unitCode }, { taskId: task.id, dueAt: task.dueAt, items: (input.requestedItems ?? []).join('；') });
    return;
  }
  m.event('accepted', actor);
  if (screenCase(m, 'application')) m.moveTo('investigation');
}

export function applySupplement(m: CaseMachine, actor: Actor, input: z.output<typeof supplementSchema>): void {
  m.closeTask(m.task('supplement'));
  m.s.supplements.push({ at: m.now, note: input.note, evidenceCount: input.evidence.length });
  m.s.application = {
    ...m.s.application,
    evidence: [...m.s.application.evidence, ...input.evidence],
    circumstances: { ...m.s.application.circumstances, ...(input.circumstances ?? {}) },
  };
  m.event('supplemented', actor, { evidence: input.evidence.length, circumstancesChanged: Object.keys(input.circumstances ?? {}) });
  m.moveTo('acceptance');
}

export function applyWithdrawal(m: CaseMachine, actor: Actor, input: z.output<typeof withdrawalSchema>): void {
  m.event('withdrawn', actor, { reason: input.reason });
  m.close('withdrawn');
}

/** A missed supplement deadline closes the case. */
export function supplementLapsed(m: CaseMachine): void {
  m.close('supplementTimeout');
}

/**
 * Screens the case on the pinned policy. True when it passed. An exclusion names its rules and is
 * reported to the organization department, which confirms or overrides it (parts/exclusion.ts).
 * Before that step existed, an exclusion handed law, discipline and private-gain cases to discipline
 * inspection and closed the case at once; cases that did so replay that way.
 */
export function screenCase(m: CaseMachine, phase: 'application' | 'investigation'): boolean {
  const result = screen({
    phase,
    at: m.now,
    rules: m.policy.screeningRules,
    application: m.s.application,
    confirmed: phase === 'investigation' ? m.s.investigation?.confirmedCircumstances : undefined,
    earlier: m.internal.lookup.earlier,
  });
  m.s.screenings.push(result);
  m.event('screened', undefined, { phase, passed: result.passed, rules: result.hits.map((h) => h.ruleId) });
  if (result.passed) return true;
  if (m.patched(patches.exclusionReview)) {
    reportExclusion(m, result);
    return false;
  }
  m.s.outcome = 'deny';
  const handOffRules = result.hits.filter((h) => h.handOffToDiscipline).map((h) => h.ruleId);
  if (handOffRules.length) handOff(m, 'screening', handOffRules, undefined);
  m.close('notTolerable');
  return false;
}
