/**
 * The deadline watcher: what happens as time passes. Scheduled revisits open (a task planned to open
 * later wakes the watcher at its opening and is announced then, see `CaseMachine.tasksComeOpen`), reminders go out before
 * a deadline, an overdue wait escalates to supervision (again every escalation interval while it
 * stays open) and applies its expiry rule. Also the re-planning when a calendar notice arrives.
 * Pure: the shell calls `tick` when `nextWakeAt` comes.
 */
import { calendarYearSchema, type CalendarYearDocument } from '../../domain/calendar';
import { WorkingDayCalendar } from '../../domain/calendar';
import type { PendingTask, TaskKind } from '../../domain/case';
import { nextEscalation, planFromBasis, revisitOpening } from '../../domain/deadlines';
import { taskLabels } from '../../domain/labels';
import type { CaseMachine } from './machine';
import { endExpertReview, consultationLapsed } from './parts/experts';
import { revisitTaskId, openRevisit } from './parts/follow-up';
import { supplementLapsed } from './parts/intake';
import { measureTaskId } from './parts/remediation';
import { appealLapsed } from './parts/ruling';
import { exclusionLapsed } from './parts/exclusion';
import { endInfluence, influenceEndsAt } from './parts/results';
import { effectTrackingLapsed, effectTrackingTaskId } from './parts/effect-tracking';

/**
 * What a wait does when its deadline passes: keep waiting and escalate (again every interval),
 * proceed without it (escalating once), close the case, or lapse quietly (the appeal window).
 */
export const onDeadline: Record<TaskKind, { rule: 'escalate' | 'proceed' | 'close' | 'lapse'; then?: (m: CaseMachine) => void }> = {
  acceptance: { rule: 'escalate' },
  supplement: { rule: 'close', then: supplementLapsed },
  investigation: { rule: 'escalate' },
  expertInvitation: { rule: 'escalate' },
  expertOpinion: { rule: 'proceed', then: endExpertReview },
  consultation: { rule: 'proceed', then: consultationLapsed },
  rulingProposal: { rule: 'escalate' },
  rulingReview: { rule: 'escalate' },
  appeal: { rule: 'lapse', then: appealLapsed },
  reconsideration: { rule: 'escalate' },
  correctionPlan: { rule: 'escalate' },
  measure: { rule: 'escalate' },
  revisit: { rule: 'escalate' },
  // An unanswered exclusion report: supervision is told once, and the exclusion stands (parts/exclusion.ts).
  exclusionReview: { rule: 'proceed', then: exclusionLapsed },
  handOffOutcome: { rule: 'escalate' },
  // An unrecorded decision-effect tracking: escalated once, then it lapses and no longer holds the case (parts/effect-tracking.ts).
  effectTracking: { rule: 'proceed', then: effectTrackingLapsed },
};

const at = (iso: string | undefined) => (iso === undefined ? undefined : Date.parse(iso));

/** The next instant at which something is due, or undefined when nothing is. */
export function nextWakeAt(m: CaseMachine): number | undefined {
  const now = Date.parse(m.now);
  let next: number | undefined;
  const consider = (t: number | undefined) => {
    if (t !== undefined && t > now && (next === undefined || t < next)) next = t;
  };
  for (const t of m.openTasks()) {
    consider(at(t.opensAt));
    consider(at(t.reminders[t.remindersSent]));
    if (!t.overdue) consider(at(t.dueAt));
    else if (onDeadline[t.kind].rule === 'escalate') consider(at(t.nextEscalationAt));
  }
  consider(at(influenceEndsAt(m)));
  return next;
}

function escalate(m: CaseMachine, t: PendingTask): void {
  const n = ++t.escalations;
  const measure = t.kind === 'measure' ? m.s.measures.find((x) => measureTaskId(x.id) === t.id) : undefined;
  const vars = { task: t.kind, taskLabel: t.label, dueAt: t.dueAt, escalations: n, role: t.role, ...(measure ? { measure: measure.title, dueDate: measure.dueDate } : {}) };
  const template = measure ? 'measureOverdue' : 'escalation';
  // to the supervision body of the case's locality, and to the body that must act
  m.notify(`${t.id}:escalation:${n}`, template, m.audienceFor('supervisor'), vars);
  if (t.role !== 'expert') m.notify(`${t.id}:escalation:${n}:body`, template, m.audienceOf(t), vars);
  m.event('escalated', undefined, { taskId: t.id, task: t.kind, dueAt: t.dueAt, escalation: n, awaiting: t.role });
  if (onDeadline[t.kind].rule === 'escalate') t.nextEscalationAt = nextEscalation(m.calendar, t.nextEscalationAt ?? t.dueAt, m.policy.escalationInterval);
}

/** Handles everything due at `m.now`. */
export function tick(m: CaseMachine): void {
  const now = Date.parse(m.now);
  m.tasksComeOpen();
  const influenceEnd = influenceEndsAt(m);
  if (influenceEnd !== undefined && Date.parse(influenceEnd) <= now) endInfluence(m);
  for (const t of [...m.openTasks()]) {
    if (t.status !== 'open' || Date.parse(t.opensAt) > now) continue;
    if (t.kind === 'revisit') {
      const r = m.s.revisits.find((x) => revisitTaskId(x.id) === t.id);
      if (r?.status === 'scheduled') openRevisit(m, r);
    }
    while (t.remindersSent < t.reminders.length && Date.parse(t.reminders[t.remindersSent]!) <= now) {
      const n = t.remindersSent++;
      if (!t.overdue && Date.parse(t.dueAt) > now) {
        m.notify(`${t.id}:reminder:${n}`, 'reminder', m.audienceOf(t), { task: t.kind, taskLabel: t.label, dueAt: t.dueAt });
        m.event('reminderSent', undefined, { taskId: t.id, task: t.kind, dueAt: t.dueAt });
      }
    }
    const expiry = onDeadline[t.kind];
    if (!t.overdue && Date.parse(t.dueAt) <= now) {
      t.overdue = true;
      m.version++;
      m.event('deadlinePassed', undefined, { taskId: t.id, task: t.kind, dueAt: t.dueAt, then: expiry.rule });
      const measure = t.kind === 'measure' ? m.s.measures.find((x) => measureTaskId(x.id) === t.id) : undefined;
      if (measure) measure.overdue = true;
      const revisit = t.kind === 'revisit' ? m.s.revisits.find((x) => revisitTaskId(x.id) === t.id) : undefined;
      if (revisit) revisit.overdue = true;
      if (expiry.rule === 'escalate' || expiry.rule === 'proceed') escalate(m, t);
      expiry.then?.(m);
    } else if (t.overdue && expiry.rule === 'escalate' && t.nextEscalationAt && Date.parse(t.nextEscalationAt) <= now) {
      escalate(m, t);
    }
  }
}

/**
 * A State Council notice for a year arrived: the case's calendar takes it, and every open wait that
 * is not yet overdue is counted again. Those whose deadline (or opening) moved are recorded in the
 * timeline and their body is told. Returns false when the notice changes nothing.
 */
export function applyCalendarNotice(m: CaseMachine, raw: CalendarYearDocument): boolean {
  const parsed = calendarYearSchema.safeParse(raw);
  if (!parsed.success || parsed.data.provisional) return false;
  const doc = parsed.data;
  const current = m.internal.calendar.find((d) => d.year === doc.year);
  if (current && JSON.stringify(current) === JSON.stringify(doc)) return false;
  m.internal.calendar = [...m.internal.calendar.filter((d) => d.year !== doc.year), doc].sort((a, b) => a.year - b.year);
  m.calendar = new WorkingDayCalendar(m.internal.calendar);
  const now = Date.parse(m.now);
  const changes: { taskId: string; task: TaskKind; from: string; to: string }[] = [];
  for (const t of m.openTasks()) {
    if (t.overdue) continue;
    const revisit = t.kind === 'revisit' ? m.s.revisits.find((x) => revisitTaskId(x.id) === t.id) : undefined;
    if (revisit?.status === 'scheduled' && m.s.finalAt) {
      const opensAt = revisitOpening(m.calendar, m.policy, m.s.finalAt, revisit.monthOffset);
      if (opensAt !== t.opensAt && Date.parse(opensAt) > now) {
        t.opensAt = opensAt;
        revisit.scheduledFor = opensAt;
        if (t.basis.kind === 'wait') t.basis = { ...t.basis, from: opensAt };
      }
    }
    // A decision-effect tracking not yet open moves with its opening day, as a revisit does.
    const tracking = t.kind === 'effectTracking' ? m.s.effectTrackings?.find((x) => effectTrackingTaskId(x.id) === t.id) : undefined;
    if (tracking?.status === 'planned' && m.s.finalAt && Date.parse(t.opensAt) > now) {
      const opensAt = revisitOpening(m.calendar, m.policy, m.s.finalAt, tracking.monthOffset);
      if (opensAt !== t.opensAt && Date.parse(opensAt) > now) {
        t.opensAt = opensAt;
        tracking.opensAt = opensAt;
        if (t.basis.kind === 'wait') t.basis = { ...t.basis, from: opensAt };
      }
    }
    const plan = planFromBasis(m.calendar, t.basis, m.policy.reminders, t.opensAt);
    const moved = plan.dueAt !== t.dueAt;
    if (!moved && plan.provisional === t.provisional) continue;
    if (moved) changes.push({ taskId: t.id, task: t.kind, from: t.dueAt, to: plan.dueAt });
    t.dueAt = plan.dueAt;
    t.reminders = plan.reminders;
    t.remindersSent = plan.reminders.filter((r) => Date.parse(r) <= now).length;
    t.provisional = plan.provisional;
    if (revisit) revisit.dueAt = plan.dueAt;
    if (tracking) tracking.dueAt = plan.dueAt;
    const measure = t.kind === 'measure' ? m.s.measures.find((x) => measureTaskId(x.id) === t.id) : undefined;
    if (measure) measure.dueAt = plan.dueAt;
    if (moved) m.notify(`${t.id}:replanned:${doc.year}`, 'deadlineChanged', m.audienceOf(t), { task: t.kind, taskLabel: taskLabels[t.kind], from: changes.at(-1)!.from, dueAt: plan.dueAt, year: doc.year });
  }
  m.event('calendarNoticeApplied', undefined, { year: doc.year, source: doc.source, changes });
  return true;
}
