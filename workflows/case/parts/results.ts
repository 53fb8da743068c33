/**
 * What a final ruling leaves in the cadre's record (结果运用): an exemption is recorded as “no negative
 * evaluation” (不作负面评价); a mitigation records its influence period (影响期), from the day the
 * ruling became final to its last day. The case stays open until the influence period ends (after its
 * revisits, if they end first), then tells the ruling body and closes. Cases whose ruling became final
 * before this existed recorded neither and closed after their last revisit (patch `ruling-results`).
 */
import { startOfWorkday, toCivilDate } from '../../../domain/calendar';
import type { Ruling } from '../../../domain/case';
import type { DomainRecord } from '../../../activities/types';
import type { CaseMachine } from '../machine';

function influenceRecord(m: CaseMachine): DomainRecord {
  const i = m.s.influence!;
  return { type: 'cadreResult', kind: 'influencePeriod', from: i.from, until: i.until, status: i.endedAt ? 'ended' : 'inForce' };
}

/** The records of a ruling that has just become final; sets the influence period a mitigation carries. */
export function resultRecords(m: CaseMachine, ruling: Ruling): DomainRecord[] {
  const from = toCivilDate(m.now);
  if (ruling.outcome === 'exempt') return [{ type: 'cadreResult', kind: 'noNegativeEvaluation', from, status: 'inForce' }];
  if (ruling.outcome === 'mitigate' && m.s.influenceUntil) {
    // The period ends when its last day does: 00:00 Beijing time on the day after.
    m.s.influence = { from, until: m.s.influenceUntil, endsAt: startOfWorkday(m.calendar.addCalendarDays(m.s.influenceUntil, 1), 0) };
    return [influenceRecord(m)];
  }
  return [];
}

/** The instant the influence period ends, while it runs. */
export const influenceEndsAt = (m: CaseMachine): string | undefined => (m.s.influence && !m.s.influence.endedAt ? m.s.influence.endsAt : undefined);

/** The influence period has ended (called by the watcher): recorded, the ruling body told, and the case closes when nothing else is left. */
export function endInfluence(m: CaseMachine): void {
  const i = m.s.influence!;
  i.endedAt = m.now;
  m.version++;
  m.event('influencePeriodEnded', undefined, { from: i.from, until: i.until }, [influenceRecord(m)]);
  m.notify('influence-period-ended', 'influencePeriodEnded', m.audienceFor('organization', m.rulingBody()), { from: i.from, until: i.until });
  closeIfDone(m);
}

/**
 * In follow-up, the case closes once every revisit is done, every decision-effect tracking is recorded
 * or has lapsed, and no influence period is still running.
 */
export function closeIfDone(m: CaseMachine): void {
  if (m.s.stage !== 'followUp' || influenceEndsAt(m)) return;
  if (!m.s.revisits.every((r) => r.status === 'done' || r.status === 'cancelled')) return;
  if ((m.s.effectTrackings ?? []).some((t) => t.status === 'planned')) return;
  m.close('completed');
}
