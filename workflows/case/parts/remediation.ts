/**
 * Remediation (纠错): the correction opinion and its measures; the unit reports progress, the
 * organization verifies each; done when every measure is verified. The revisit schedule is planned
 * when the case enters remediation, since revisits count from the final ruling.
 */
import type { z } from 'zod';
import type { Actor, correctionPlanSchema, Measure, measureProgressSchema, measureVerificationSchema } from '../../../domain/case';
import type { DomainRecord } from '../../../activities/types';
import type { CaseMachine } from '../machine';
import { currentRuling } from './ruling';
import { scheduleRevisits } from './follow-up';
import { closeIfDone } from './results';
import { scheduleEffectTracking } from './effect-tracking';
import { responsesOf } from './suggestions';

export function measureRecord(m: Measure): DomainRecord {
  const last = m.progress.at(-1);
  return { type: 'measure', measureId: m.id, title: m.title, dueDate: m.dueDate, status: m.status, ...(last ? { lastProgress: last.progress, percent: last.percent } : {}) };
}

export const measureTaskId = (measureId: string) => `measure-${measureId}`;

export function enterRemediation(m: CaseMachine): void {
  scheduleRevisits(m, currentRuling(m)!.tier ?? 'support', 0);
  scheduleEffectTracking(m);
  m.openWait('correctionPlan', 'organization', 'correctionPlan', m.rulingBody() ? { body: m.rulingBody()! } : {});
}

export function applyCorrectionPlan(m: CaseMachine, actor: Actor, input: z.output<typeof correctionPlanSchema>): void {
  m.closeTask(m.task('correctionPlan'));
  const responses = responsesOf(input.suggestionResponses);
  m.s.correctionPlan = { at: m.now, by: actor.sub, opinion: input.opinion, ...(responses ? { suggestionResponses: responses } : {}) };
  m.s.measures = input.measures.map((x, i) => ({ id: `m${i + 1}`, ...x, dueAt: '', status: 'open', progress: [], overdue: false }));
  for (const measure of m.s.measures) {
    const task = m.openTask('measure', 'unit', { kind: 'dueDate', dueDate: measure.dueDate }, { id: measureTaskId(measure.id) });
    measure.dueAt = task.dueAt;
  }
  // The answers to the correction suggestions go to the ledger with the plan.
  m.event('correctionPlanIssued', actor, { measures: m.s.measures.length, ...(responses ? { suggestionResponses: responses } : {}) }, m.s.measures.map(measureRecord));
}

export function applyMeasureProgress(m: CaseMachine, actor: Actor, input: z.output<typeof measureProgressSchema> & { measureId: string }): void {
  const { measureId, ...progress } = input;
  const measure = m.s.measures.find((x) => x.id === measureId)!;
  measure.progress.push({ at: m.now, by: actor.sub, ...progress });
  if (progress.completed) measure.status = 'completed';
  m.event('measureProgress', actor, { measureId, percent: progress.percent, completed: progress.completed }, [measureRecord(measure)]);
}

export function applyMeasureVerification(m: CaseMachine, actor: Actor, input: z.output<typeof measureVerificationSchema> & { measureId: string }): void {
  const { measureId, ...verification } = input;
  const measure = m.s.measures.find((x) => x.id === measureId)!;
  measure.verification = { at: m.now, by: actor.sub, ...verification };
  if (verification.verified) {
    measure.status = 'verified';
    m.closeTask(m.task('measure', measureTaskId(measure.id)));
  } else {
    measure.status = 'open';
  }
  m.event(verification.verified ? 'measureVerified' : 'measureRejected', actor, { measureId }, [measureRecord(measure)]);
  if (m.s.measures.every((x) => x.status === 'verified')) {
    m.event('remediationDone', undefined, { measures: m.s.measures.length });
    m.moveTo('followUp');
    closeIfDone(m);
  }
}
