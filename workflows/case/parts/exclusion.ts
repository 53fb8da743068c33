/**
 * A screening exclusion is reported to the organization department of the case's jurisdiction
 * (甄别排除报告), naming each rule that fired in Chinese with what it rests on. The department either
 * confirms it, and the case closes as excluded (handed to discipline inspection where a rule says so),
 * or — when a declared circumstance that fired turns out to be false — says why and sends the case on
 * to investigation. When its deadline passes unanswered the exclusion stands: supervision is told
 * once and the case closes as if confirmed, since the rules are the policy's negative list and an
 * unanswered report must not keep a case open. Cases excluded before this step closed at once
 * (patch `exclusion-review`).
 */
import type { z } from 'zod';
import type { Actor, exclusionConfirmationSchema, exclusionOverrideSchema, ScreeningResult } from '../../../domain/case';
import type { CircumstanceKey } from '../../../domain/policy';
import { circumstanceLabels } from '../../../domain/labels';
import type { CaseMachine } from '../machine';
import { handOffAndClose } from './hand-off';

/** The screening that excluded the case. */
const excluding = (m: CaseMachine): ScreeningResult => m.s.screenings.at(-1)!;

/** The rules that fired, in Chinese: `NL-2 谋取私利的，不予容错（申请中申报：谋取私利）`. */
export function exclusionRulesText(result: ScreeningResult): string {
  return result.hits.map((h) => `${h.ruleId} ${h.text.zh}（${h.evidence}）`).join('；');
}

/**
 * The circumstances behind the exclusion, when every rule that fired is a circumstance rule (a
 * declared or confirmed circumstance, which may turn out false); undefined when a rule of scope or
 * of repetition fired, which only confirmation answers.
 */
export function overridableCircumstances(m: CaseMachine): CircumstanceKey[] | undefined {
  const out: CircumstanceKey[] = [];
  for (const hit of excluding(m).hits) {
    const rule = m.policy.screeningRules.find((r) => r.id === hit.ruleId);
    if (rule?.kind !== 'circumstance') return undefined;
    if (!out.includes(rule.circumstance)) out.push(rule.circumstance);
  }
  return out;
}

export const circumstanceList = (keys: readonly CircumstanceKey[]) => keys.map((k) => `${k}（${circumstanceLabels[k]}）`).join('、');

/** The screening excluded the case: the organization department is told and the case waits for its answer. */
export function reportExclusion(m: CaseMachine, result: ScreeningResult): void {
  const ruleIds = result.hits.map((h) => h.ruleId);
  m.s.exclusion = { phase: result.phase, at: m.now, ruleIds };
  m.event('exclusionReported', undefined, { phase: result.phase, rules: ruleIds });
  m.moveTo('exclusionReview');
  const task = m.task('exclusionReview')!;
  m.notify(`exclusion-report-${m.s.screenings.length}`, 'exclusionReport', m.audienceFor('organization'), {
    phase: result.phase,
    rules: exclusionRulesText(result),
    overridable: overridableCircumstances(m) !== undefined,
    dueAt: task.dueAt,
  });
}

export function enterExclusionReview(m: CaseMachine): void {
  const body = m.bodyOf('organization');
  m.openWait('exclusionReview', 'organization', 'exclusionReview', body ? { body } : {});
}

/** The exclusion stands: the case is not tolerable; law, discipline and private-gain rules hand it to discipline inspection. */
function exclude(m: CaseMachine): void {
  m.s.outcome = 'deny';
  const handOffRules = excluding(m).hits.filter((h) => h.handOffToDiscipline).map((h) => h.ruleId);
  if (handOffRules.length) handOffAndClose(m, 'screening', handOffRules, undefined, 'notTolerable');
  else m.close('notTolerable');
}

export function applyExclusionConfirmation(m: CaseMachine, actor: Actor, input: z.output<typeof exclusionConfirmationSchema>): void {
  m.closeTask(m.task('exclusionReview'));
  m.s.exclusion!.decision = { by: actor.sub, at: m.now, decision: 'confirmed', ...(input.comments ? { comments: input.comments } : {}) };
  m.event('exclusionConfirmed', actor, { rules: m.s.exclusion!.ruleIds });
  exclude(m);
}

export function applyExclusionOverride(m: CaseMachine, actor: Actor, input: z.output<typeof exclusionOverrideSchema>): void {
  m.closeTask(m.task('exclusionReview'));
  m.s.exclusion!.decision = { by: actor.sub, at: m.now, decision: 'overridden', reason: input.reason, falseCircumstances: input.falseCircumstances };
  m.event('exclusionOverridden', actor, { rules: m.s.exclusion!.ruleIds, falseCircumstances: input.falseCircumstances });
  m.moveTo('investigation');
}

/** No answer by the deadline: the exclusion stands (the watcher has told supervision). */
export function exclusionLapsed(m: CaseMachine): void {
  m.closeTask(m.task('exclusionReview'));
  m.s.exclusion!.decision = { by: 'none', at: m.now, decision: 'lapsed' };
  m.event('exclusionLapsed', undefined, { rules: m.s.exclusion!.ruleIds });
  exclude(m);
}
