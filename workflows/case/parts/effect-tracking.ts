/**
 * Decision-effect tracking (决策执行效果跟踪评价): at the times the policy sets (`followUp.effectTracking`,
 * offsets from the final ruling), the ruling body records how the reform decision at stake has turned
 * out — sustained or reversed, its results, the loss recovered since the ruling. Each tracking is a
 * task of the ruling body that opens at its time with the policy's deadline (`deadlines.effectTracking`).
 * A tracking not recorded by its deadline lapses: supervision and the ruling body are told once, the
 * record says it was not made, and it no longer holds the case open. Follow-up ends only when every
 * tracking is recorded or lapsed (see results.ts). Cases that entered remediation before trackings
 * existed plan none (patch `effect-tracking`).
 */
import type { z } from 'zod';
import type { Actor, EffectTracking, effectTrackingSchema } from '../../../domain/case';
import { revisitOpening } from '../../../domain/deadlines';
import { deadlineOf, effectTrackingOf } from '../../../domain/policy';
import type { DomainRecord } from '../../../activities/types';
import type { CaseMachine } from '../machine';
import { patches } from '../patches';
import { closeIfDone } from './results';

export const effectTrackingTaskId = (trackingId: string) => `effectTracking-${trackingId}`;

export function effectTrackingRecord(t: EffectTracking): DomainRecord {
  return {
    type: 'effectTracking',
    trackingId: t.id,
    monthOffset: t.monthOffset,
    opensAt: t.opensAt,
    dueAt: t.dueAt,
    status: t.status,
    ...(t.record ? { reformDecision: t.record.reformDecision, results: t.record.results, recoveredSinceRuling: t.record.recoveredSinceRuling, recordedBy: t.record.by } : {}),
  };
}

/** On entering remediation (the ruling is final): plans the trackings of the pinned policy, each a task of the ruling body. */
export function scheduleEffectTracking(m: CaseMachine): void {
  const offsets = [...new Set(effectTrackingOf(m.policy))].sort((a, b) => a - b);
  if (!offsets.length || !m.patched(patches.effectTracking)) return;
  const body = m.rulingBody();
  const trackings: EffectTracking[] = [];
  for (const monthOffset of offsets) {
    const id = `e${trackings.length + 1}`;
    const opensAt = revisitOpening(m.calendar, m.policy, m.s.finalAt!, monthOffset);
    const task = m.openTask('effectTracking', 'organization', { kind: 'wait', from: opensAt, duration: deadlineOf(m.policy, 'effectTracking') }, { id: effectTrackingTaskId(id), opensAt, ...(body ? { body } : {}) });
    trackings.push({ id, monthOffset, opensAt, dueAt: task.dueAt, status: 'planned' });
  }
  m.s.effectTrackings = trackings;
  m.event('effectTrackingScheduled', undefined, { months: offsets }, trackings.map(effectTrackingRecord));
}

/** The tracking open now: planned, and its time has come. */
export const dueEffectTracking = (m: CaseMachine): EffectTracking | undefined =>
  (m.s.effectTrackings ?? []).find((t) => t.status === 'planned' && Date.parse(t.opensAt) <= Date.parse(m.now));

export function applyEffectTracking(m: CaseMachine, actor: Actor, input: z.output<typeof effectTrackingSchema>): void {
  const t = dueEffectTracking(m)!;
  t.status = 'done';
  t.record = { at: m.now, by: actor.sub, reformDecision: input.reformDecision, results: input.results, recoveredSinceRuling: input.recoveredSinceRuling };
  m.closeTask(m.task('effectTracking', effectTrackingTaskId(t.id)));
  m.event('effectTracked', actor, { trackingId: t.id, monthOffset: t.monthOffset, reformDecision: input.reformDecision, recoveredSinceRuling: input.recoveredSinceRuling }, [effectTrackingRecord(t)]);
  closeIfDone(m);
}

/** A tracking's deadline passed unrecorded (the watcher has escalated once): it lapses, and no longer holds the case. */
export function effectTrackingLapsed(m: CaseMachine): void {
  for (const t of m.s.effectTrackings ?? []) {
    const task = m.task('effectTracking', effectTrackingTaskId(t.id));
    if (t.status !== 'planned' || !task?.overdue) continue;
    t.status = 'lapsed';
    m.closeTask(task, 'cancelled');
    m.event('effectTrackingLapsed', undefined, { trackingId: t.id, monthOffset: t.monthOffset, dueAt: t.dueAt }, [effectTrackingRecord(t)]);
  }
  closeIfDone(m);
}
