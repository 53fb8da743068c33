/**
 * Follow-up (回访): revisits on the schedule of the cadre's tier, each recorded by the body that made
 * the ruling (谁容错、谁回访); a new tier re-plans the rest; after the last revisit the case closes
 * (a mitigated case once its influence period has ended too, see results.ts).
 */
import type { z } from 'zod';
import type { Actor, Revisit, revisitSchema } from '../../../domain/case';
import { planRevisits } from '../../../domain/deadlines';
import type { Tier } from '../../../domain/policy';
import type { DomainRecord } from '../../../activities/types';
import type { CaseMachine } from '../machine';
import { closeIfDone } from './results';

export const revisitTaskId = (revisitId: string) => `revisit-${revisitId}`;

export function revisitRecord(r: Revisit): DomainRecord {
  return {
    type: 'revisit',
    revisitId: r.id,
    monthOffset: r.monthOffset,
    tier: r.tier,
    status: r.status,
    ...(r.record
      ? { thinking: r.record.thinking, workPerformance: r.record.workPerformance, lifeSituation: r.record.lifeSituation, assessment: r.record.assessment, recordedBy: r.record.by, ...(r.record.newTier ? { newTier: r.record.newTier } : {}) }
      : {}),
  };
}

/** Plans the revisits of `tier` after `afterMonth`, replacing the scheduled ones after it. */
export function scheduleRevisits(m: CaseMachine, tier: Tier, afterMonth: number): void {
  for (const r of m.s.revisits) {
    if (r.status === 'scheduled' && r.monthOffset > afterMonth) {
      r.status = 'cancelled';
      m.closeTask(m.task('revisit', revisitTaskId(r.id)), 'cancelled');
    }
  }
  const slots = planRevisits(m.calendar, m.policy, m.s.finalAt!, tier, afterMonth);
  const added: Revisit[] = [];
  for (const slot of slots) {
    const id = `r${m.s.revisits.length + 1}`;
    const task = m.openTask('revisit', 'organization', slot.basis, { id: revisitTaskId(id), opensAt: slot.scheduledFor, ...(m.rulingBody() ? { body: m.rulingBody()! } : {}) });
    const revisit: Revisit = { id, monthOffset: slot.monthOffset, tier, scheduledFor: slot.scheduledFor, dueAt: task.dueAt, status: 'scheduled', overdue: false };
    m.s.revisits.push(revisit);
    added.push(revisit);
  }
  m.event('revisitsScheduled', undefined, { tier, months: slots.map((s) => s.monthOffset) }, added.map(revisitRecord));
}

export const dueRevisit = (m: CaseMachine): Revisit | undefined => m.s.revisits.find((r) => r.status === 'open');

/** A scheduled revisit's time has come: it opens and its body is told (called by the watcher). */
export function openRevisit(m: CaseMachine, r: Revisit): void {
  r.status = 'open';
  m.event('revisitOpened', undefined, { revisitId: r.id, monthOffset: r.monthOffset, dueAt: r.dueAt }, [revisitRecord(r)]);
  const task = m.task('revisit', revisitTaskId(r.id))!;
  m.notify(`${task.id}:due`, 'revisitDue', m.audienceOf(task), { taskId: task.id, revisitId: r.id, dueAt: r.dueAt, monthOffset: r.monthOffset, tier: r.tier });
}

export function applyRevisit(m: CaseMachine, actor: Actor, input: z.output<typeof revisitSchema>): void {
  const r = dueRevisit(m)!;
  r.status = 'done';
  r.record = { at: m.now, by: actor.sub, thinking: input.thinking, workPerformance: input.workPerformance, lifeSituation: input.lifeSituation, assessment: input.assessment, ...(input.newTier ? { newTier: input.newTier } : {}) };
  m.closeTask(m.task('revisit', revisitTaskId(r.id)));
  m.event('revisitRecorded', actor, { revisitId: r.id, monthOffset: r.monthOffset, newTier: input.newTier }, [revisitRecord(r)]);
  if (input.newTier && input.newTier !== r.tier) scheduleRevisits(m, input.newTier, r.monthOffset);
  closeIfDone(m);
}
