/**
 * The hand-off to discipline inspection (移交纪检监察): a denied case, or one excluded by a screening
 * rule of law, discipline or private gain, is handed over with what it rests on; discipline
 * inspection then records what became of it (移交处理结果), which the record system keeps, and the
 * case closes. Cases handed over before that step existed closed at once (patch `hand-off-outcome`).
 */
import type { z } from 'zod';
import type { Actor, CloseReason, handOffOutcomeSchema } from '../../../domain/case';
import { handOffDispositionLabels } from '../../../domain/labels';
import type { DomainRecord } from '../../../activities/types';
import type { CaseMachine } from '../machine';
import { patches } from '../patches';

export function handOffRecord(m: CaseMachine): DomainRecord {
  const h = m.s.handOff!;
  return {
    type: 'handOff',
    reason: h.reason,
    ...(h.ruleIds ? { ruleIds: h.ruleIds } : {}),
    ...(h.recommendedForm ? { recommendedForm: h.recommendedForm } : {}),
    status: h.outcome ? 'recorded' : 'awaiting',
    ...(h.outcome ? { disposition: h.outcome.disposition, ...(h.outcome.form ? { form: h.outcome.form } : {}), note: h.outcome.note, recordedBy: h.outcome.by } : {}),
  };
}

/** Hands the case to discipline inspection: the hand-off is recorded and discipline is told (with the record when it will answer). */
export function handOff(m: CaseMachine, reason: 'screening' | 'denied', ruleIds: string[] | undefined, recommendedForm: number | undefined, awaitsOutcome = false): void {
  m.s.handOff = { at: m.now, reason, ...(ruleIds ? { ruleIds } : {}), ...(recommendedForm ? { recommendedForm } : {}) };
  m.event('handedOff', undefined, { to: 'discipline', reason, ruleIds, recommendedForm }, awaitsOutcome ? [handOffRecord(m)] : undefined);
  m.notify(`handoff-${reason}`, 'handOff', m.audienceFor('discipline'), { reason, ...(ruleIds ? { ruleIds: ruleIds.join(', ') } : {}), ...(recommendedForm ? { recommendedForm } : {}) });
}

/** Hands the case over and ends it here: it waits for discipline's outcome, then closes as `closeReason`. */
export function handOffAndClose(m: CaseMachine, reason: 'screening' | 'denied', ruleIds: string[] | undefined, recommendedForm: number | undefined, closeReason: CloseReason): void {
  if (!m.patched(patches.handOffOutcome)) {
    handOff(m, reason, ruleIds, recommendedForm);
    m.close(closeReason);
    return;
  }
  handOff(m, reason, ruleIds, recommendedForm, true);
  m.moveTo('handOff');
}

export function enterHandOff(m: CaseMachine): void {
  const body = m.bodyOf('discipline');
  m.openWait('handOffOutcome', 'discipline', 'handOffOutcome', body ? { body } : {});
}

/** The close reason of a handed-off case: a denial closes as denied, a screening exclusion as not tolerable. */
const closeReasonOf = (m: CaseMachine): CloseReason => (m.s.handOff?.reason === 'denied' ? 'denied' : 'notTolerable');

export function applyHandOffOutcome(m: CaseMachine, actor: Actor, input: z.output<typeof handOffOutcomeSchema>): void {
  m.closeTask(m.task('handOffOutcome'));
  m.s.handOff!.outcome = {
    by: actor.sub,
    at: m.now,
    disposition: input.disposition,
    dispositionLabel: handOffDispositionLabels[input.disposition],
    ...(input.form !== undefined ? { form: input.form } : {}),
    note: input.note,
  };
  m.event('handOffOutcomeRecorded', actor, { disposition: input.disposition, ...(input.form !== undefined ? { form: input.form } : {}) }, [handOffRecord(m)]);
  m.close(closeReasonOf(m));
}
