/**
 * Ruling (认定), its review (审核, four eyes), notice and appeal (告知、申诉/复核), and the result once
 * the ruling is final (结果运用): deny hands the case to discipline inspection, a tolerated outcome
 * goes on to remediation. A ruling overturned on appeal is replaced by a ruling proposed and
 * reviewed like any other (two people, a justification when it leaves the suggested band), which is
 * final once approved: the appeal was the case's one appeal. Cases overturned before that rule took
 * the replacement the reconsideration stated, final at once (patch `replacement-ruling-review`).
 */
import type { z } from 'zod';
import type { Actor, appealSchema, reconsiderationSchema, Ruling, rulingProposalSchema, rulingReviewSchema } from '../../../domain/case';
import { influenceUntil } from '../../../domain/deadlines';
import { outcomeLabels } from '../../../domain/labels';
import type { DomainRecord } from '../../../activities/types';
import type { CaseMachine } from '../machine';
import { bodyOpt } from './intake';
import { handOffAndClose } from './hand-off';
import { resultRecords } from './results';
import { patches } from '../patches';
import { raiseRulingSignals } from './oversight';

export const currentRuling = (m: CaseMachine): Ruling | undefined => m.s.rulings.at(-1);

export function rulingRecord(m: CaseMachine, i: number): DomainRecord {
  const r = m.s.rulings[i]!;
  return {
    type: 'ruling',
    rulingNo: i + 1,
    outcome: r.outcome,
    ...(r.influenceMonths !== undefined ? { influenceMonths: r.influenceMonths } : {}),
    ...(r.recommendedForm !== undefined ? { recommendedForm: r.recommendedForm } : {}),
    ...(r.tier ? { tier: r.tier } : {}),
    status: r.status,
    proposedBy: r.proposedBy,
    reasons: r.reasons,
  };
}

/**
 * A ruling of `fields` by `actor`, now: the one place a ruling is built. Whether it leaves the
 * suggested band is decided here; the proposal's check has required the justification then.
 */
function rulingOf(
  m: CaseMachine,
  fields: Pick<Ruling, 'outcome' | 'influenceMonths' | 'recommendedForm' | 'tier'> & { justification?: string | undefined; objectionResponse?: string | undefined },
  reasons: string,
  actor: Actor,
  status: Ruling['status'],
): Ruling {
  return {
    outcome: fields.outcome,
    outcomeLabel: outcomeLabels[fields.outcome],
    ...(fields.influenceMonths !== undefined ? { influenceMonths: fields.influenceMonths } : {}),
    ...(fields.recommendedForm !== undefined ? { recommendedForm: fields.recommendedForm } : {}),
    ...(fields.tier ? { tier: fields.tier } : {}),
    reasons,
    proposedBy: actor.sub,
    proposedAt: m.now,
    outsideBand: m.s.assessment ? fields.outcome !== m.s.assessment.suggested : false,
    ...(fields.justification ? { justification: fields.justification } : {}),
    ...(fields.objectionResponse ? { objectionResponse: fields.objectionResponse } : {}),
    reviews: [],
    status,
  };
}

/** Whether the ruling being proposed or reviewed replaces one overturned on appeal. */
export const isReplacement = (m: CaseMachine): boolean => m.s.appeal?.decision?.decision === 'overturn';

export function enterRulingProposal(m: CaseMachine): void {
  m.openWait('rulingProposal', 'organization', 'rulingProposal', bodyOpt(m.bodyOf('organization')));
}

export function enterRulingReview(m: CaseMachine): void {
  m.openWait('rulingReview', 'committee', 'review', bodyOpt(m.bodyOf('committee')));
}

export function applyRulingProposal(m: CaseMachine, actor: Actor, input: z.output<typeof rulingProposalSchema>): void {
  m.closeTask(m.task('rulingProposal'));
  m.s.rulings.push(rulingOf(m, input, input.reasons, actor, 'proposed'));
  // The ruling body is the proposer's organization department (the check made sure the token names it).
  m.s.rulingBody = actor.unit;
  m.event(
    'rulingProposed',
    actor,
    { outcome: input.outcome, outsideBand: currentRuling(m)!.outsideBand, suggested: m.s.assessment?.suggested, ...(isReplacement(m) ? { replacement: true } : {}) },
    [rulingRecord(m, m.s.rulings.length - 1)],
  );
  m.moveTo('rulingReview');
}

export function applyRulingReview(m: CaseMachine, actor: Actor, input: z.output<typeof rulingReviewSchema>): void {
  m.closeTask(m.task('rulingReview'));
  const ruling = currentRuling(m)!;
  ruling.reviews.push({ by: actor.sub, at: m.now, decision: input.decision, comments: input.comments });
  if (input.decision === 'return') {
    ruling.status = 'returned';
    m.event('rulingReturned', actor, { comments: input.comments }, [rulingRecord(m, m.s.rulings.length - 1)]);
    m.moveTo('rulingProposal');
    return;
  }
  ruling.status = 'approved';
  m.event('rulingApproved', actor, { outcome: ruling.outcome, ...(isReplacement(m) ? { replacement: true } : {}) }, [rulingRecord(m, m.s.rulings.length - 1)]);
  raiseRulingSignals(m, ruling);
  if (!isReplacement(m)) {
    m.moveTo('appeal');
    return;
  }
  // The replacement of an overturned ruling: the unit is told, and it is final (no second appeal).
  m.notify(`ruling-notice-${m.s.rulings.length}`, 'rulingNotice', { role: 'unit', unit: m.s.unitCode }, {
    outcome: ruling.outcome,
    outcomeLabel: ruling.outcomeLabel,
    ...(ruling.influenceMonths !== undefined ? { influenceMonths: ruling.influenceMonths } : {}),
    ...(ruling.recommendedForm !== undefined ? { recommendedForm: ruling.recommendedForm } : {}),
  });
  m.event('noticeSent', undefined, { outcome: ruling.outcome, replacement: true });
  finalizeRuling(m);
}

/** What a notice of `ruling` says of it. */
function rulingVars(ruling: Ruling): Record<string, string | number> {
  return {
    outcome: ruling.outcome,
    outcomeLabel: ruling.outcomeLabel,
    ...(ruling.influenceMonths !== undefined ? { influenceMonths: ruling.influenceMonths } : {}),
    ...(ruling.recommendedForm !== undefined ? { recommendedForm: ruling.recommendedForm } : {}),
  };
}

/** The cadre, in person, at the address the registry keeps for the cadre (the notifier finds it). */
const cadreAudience = (m: CaseMachine) => ({ role: 'unit' as const, unit: m.s.unitCode, cadre: m.s.application.cadre.id });

/** The unit is told of the ruling and of its right to appeal within the window; so is the cadre. */
export function enterAppeal(m: CaseMachine): void {
  const ruling = currentRuling(m)!;
  const window = m.openWait('appeal', 'unit', 'appealWindow');
  const vars = { ...rulingVars(ruling), appealDueAt: window.dueAt };
  m.notify(`ruling-notice-${m.s.rulings.length}`, 'rulingNotice', { role: 'unit', unit: m.s.unitCode }, { taskId: window.id, ...vars });
  m.notify(`ruling-notice-${m.s.rulings.length}:cadre`, 'rulingNoticeToCadre', cadreAudience(m), vars);
  m.event('noticeSent', undefined, { outcome: ruling.outcome, appealDueAt: window.dueAt });
}

export function applyAppeal(m: CaseMachine, actor: Actor, input: z.output<typeof appealSchema>): void {
  m.closeTask(m.task('appeal'));
  m.s.appeal = { at: m.now, by: actor.sub, grounds: input.grounds };
  m.event('appealFiled', actor);
  m.moveTo('reconsideration');
}

export function enterReconsideration(m: CaseMachine): void {
  m.openWait('reconsideration', 'committee', 'reconsideration', bodyOpt(m.bodyOf('committee')));
}

export function applyReconsideration(m: CaseMachine, actor: Actor, input: z.output<typeof reconsiderationSchema>): void {
  m.closeTask(m.task('reconsideration'));
  m.s.appeal!.decision = { by: actor.sub, at: m.now, decision: input.decision, reasons: input.reasons };
  if (input.decision === 'overturn' && m.patched(patches.replacementRulingReview)) {
    // The ruling is set aside; its replacement is proposed and reviewed like any ruling.
    const old = currentRuling(m)!;
    old.status = 'superseded';
    if (input.replacement) m.s.appeal!.decision.replacement = { outcome: input.replacement.outcome };
    m.event('rulingOverturned', actor, { from: old.outcome, ...(input.replacement ? { to: input.replacement.outcome } : {}), replacementToPropose: true }, [rulingRecord(m, m.s.rulings.length - 1)]);
    m.notify('reconsideration-decision', 'decision', { role: 'unit', unit: m.s.unitCode }, { step: 'reconsideration', decision: input.decision, reason: input.reasons });
    m.moveTo('rulingProposal');
    return;
  }
  if (input.decision === 'overturn' && input.replacement) {
    const old = currentRuling(m)!;
    old.status = 'superseded';
    m.s.rulings.push(rulingOf(m, input.replacement, input.reasons, actor, 'approved'));
    m.event('rulingOverturned', actor, { from: old.outcome, to: input.replacement.outcome }, [rulingRecord(m, m.s.rulings.length - 2), rulingRecord(m, m.s.rulings.length - 1)]);
  } else {
    m.event('rulingUpheld', actor);
  }
  m.notify('reconsideration-decision', 'decision', { role: 'unit', unit: m.s.unitCode }, { step: 'reconsideration', decision: input.decision, reason: input.reasons });
  m.notify('reconsideration-decision:cadre', 'rulingNoticeToCadre', cadreAudience(m), { ...rulingVars(currentRuling(m)!), decision: input.decision });
  finalizeRuling(m);
}

/** The appeal window passed without an appeal: the ruling is final. */
export function appealLapsed(m: CaseMachine): void {
  m.closeTask(m.task('appeal'));
  finalizeRuling(m);
}

/** The ruling in force is final: it is reported, and its result applied. */
export function finalizeRuling(m: CaseMachine): void {
  const ruling = currentRuling(m)!;
  ruling.status = 'final';
  m.s.outcome = ruling.outcome;
  m.s.finalAt = m.now;
  if (ruling.outcome === 'mitigate' && ruling.influenceMonths) m.s.influenceUntil = influenceUntil(m.calendar, m.now, ruling.influenceMonths);
  // What the ruling leaves in the cadre's record (no negative evaluation; the influence period).
  const results = m.patched(patches.rulingResults) ? resultRecords(m, ruling) : [];
  m.event('rulingFinal', undefined, { outcome: ruling.outcome, ...(m.s.influenceUntil ? { influenceUntil: m.s.influenceUntil } : {}) }, [rulingRecord(m, m.s.rulings.length - 1), ...results]);
  const report = { outcome: ruling.outcome, outcomeLabel: ruling.outcomeLabel, unitCode: m.s.unitCode, category: m.s.category };
  m.notify('ruling-report', 'rulingReport', m.audienceFor('discipline'), report);
  m.notify('ruling-copy', 'rulingReport', m.audienceFor('organization', m.s.rulingBody), report);
  if (ruling.outcome === 'deny') {
    handOffAndClose(m, 'denied', undefined, ruling.recommendedForm, 'denied');
    return;
  }
  m.moveTo('remediation');
}
