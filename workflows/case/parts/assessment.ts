/**
 * Investigation and assessment (调查核实、评估): the findings are screened again, scored on the pinned
 * policy with the cadre's consistent performance, and decide whether experts are needed.
 */
import type { z } from 'zod';
import { assess } from '../../../domain/assessment';
import type { Actor, investigationSchema } from '../../../domain/case';
import type { CaseMachine } from '../machine';
import { bodyOpt, screenCase } from './intake';

export function enterInvestigation(m: CaseMachine): void {
  m.openWait('investigation', 'organization', 'investigation', bodyOpt(m.bodyOf('organization')));
  // The second screening and the score need the cadre's record as it stands now; fetched while the
  // organization investigates, so the findings are answered at once.
  m.requestLookup();
}

export function applyInvestigation(m: CaseMachine, actor: Actor, input: z.output<typeof investigationSchema>): void {
  m.closeTask(m.task('investigation'));
  m.s.investigation = { ...input, by: actor.sub, at: m.now };
  m.event('investigationSubmitted', actor, { scores: Object.fromEntries(Object.entries(input.factors).map(([k, f]) => [k, f.score])) });
  if (!screenCase(m, 'investigation')) return;
  m.s.assessment = assess({
    scoring: m.policy.scoring,
    experts: m.policy.experts,
    factors: input.factors,
    performance: m.internal.lookup.performance,
    lossAmount: m.s.application.incident.lossAmount,
    technical: input.technical ?? m.s.application.incident.technical,
  });
  m.event('assessed', undefined, { composite: m.s.assessment.composite, suggested: m.s.assessment.suggested, expertReviewRequired: m.s.assessment.expertReviewRequired });
  m.moveTo(m.s.assessment.expertReviewRequired ? 'expertReview' : 'consultation');
}
