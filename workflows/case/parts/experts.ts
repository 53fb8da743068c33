/** Expert or third-party review (专家/第三方评估) and the consultation with discipline inspection (会商). */
import type { z } from 'zod';
import type { Actor, consultationSchema, expertInvitationSchema, expertOpinionSchema } from '../../../domain/case';
import type { CaseMachine } from '../machine';
import { bodyOpt } from './intake';
import { numberSuggestions } from './suggestions';

export function enterExpertReview(m: CaseMachine): void {
  m.openWait('expertInvitation', 'organization', 'expertReview', bodyOpt(m.bodyOf('organization')));
}

export function applyExpertInvitation(m: CaseMachine, actor: Actor, input: z.output<typeof expertInvitationSchema>): void {
  m.closeTask(m.task('expertInvitation'));
  m.s.experts.invited = [...m.s.experts.invited, ...input.experts];
  m.s.experts.invitedBy = actor.sub;
  m.event('expertsInvited', actor, { count: input.experts.length });
  const task = m.task('expertOpinion') ?? m.openWait('expertOpinion', 'expert', 'expertReview', { assignees: m.s.experts.invited });
  task.assignees = m.s.experts.invited;
  const uninvited = m.s.experts.invited.filter((e) => !m.internal.expertsNotified.includes(e));
  m.notify(`experts-invited-${m.internal.expertsNotified.length}`, 'expertInvitation', { role: 'expert', subjects: uninvited }, { taskId: task.id, dueAt: task.dueAt });
  m.internal.expertsNotified = [...m.internal.expertsNotified, ...uninvited];
}

export function applyExpertOpinion(m: CaseMachine, actor: Actor, input: z.output<typeof expertOpinionSchema>): void {
  const suggestions = numberSuggestions(m.s.experts.opinions.length + 1, input.suggestions);
  m.s.experts.opinions.push({
    by: actor.sub,
    at: m.now,
    recommendation: input.recommendation,
    opinion: input.opinion,
    ...(input.report ? { report: input.report } : {}),
    ...(suggestions ? { suggestions } : {}),
  });
  m.event('expertOpinionGiven', actor, { recommendation: input.recommendation, ...(input.report ? { report: true } : {}), ...(suggestions ? { suggestions: suggestions.length } : {}) });
  if (m.s.experts.opinions.length >= m.policy.experts.quorum) endExpertReview(m);
}

/** The review ends with the quorum, or at its deadline with what arrived (the watcher escalates). */
export function endExpertReview(m: CaseMachine): void {
  m.s.experts.quorumMet = m.s.experts.opinions.length >= m.policy.experts.quorum;
  m.closeTask(m.task('expertOpinion'));
  m.closeTask(m.task('expertInvitation'), 'cancelled');
  m.event('expertReviewEnded', undefined, { opinions: m.s.experts.opinions.length, quorumMet: m.s.experts.quorumMet });
  m.moveTo('consultation');
}

export function enterConsultation(m: CaseMachine): void {
  m.openWait('consultation', 'discipline', 'consultation', bodyOpt(m.bodyOf('discipline')));
}

export function applyConsultation(m: CaseMachine, actor: Actor, input: z.output<typeof consultationSchema>): void {
  m.closeTask(m.task('consultation'));
  m.s.consultation = { by: actor.sub, at: m.now, opinion: input.opinion, reasons: input.reasons };
  m.event('consultationGiven', actor, { opinion: input.opinion });
  m.moveTo('rulingProposal');
}

/** No opinion by the deadline: the case proceeds without one (the watcher escalates). */
export function consultationLapsed(m: CaseMachine): void {
  m.closeTask(m.task('consultation'));
  m.s.consultation = { by: 'none', at: m.now, opinion: 'none', reasons: '会商期限届满，纪检监察机关未提出意见' };
  m.event('consultationLapsed');
  m.moveTo('rulingProposal');
}
