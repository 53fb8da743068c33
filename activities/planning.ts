/** Deadline arithmetic (期限计算) on the working-day calendar: every wait's due time, reminders and escalations. */
import { computeDeadline, endOfDay, reminderTimes, toCivilDate, type WorkingDayCalendar } from '../domain/calendar';
import type { DeadlinePlan, PlanDeadlineInput, PlanDueDateInput, PlanEscalationInput, PlanRevisitsInput, RevisitPlanItem } from './types';

const plusSeconds = (iso: string, n: number) => new Date(Date.parse(iso) + n * 1000).toISOString();

/** A drill's deadline in seconds: no calendar, one reminder halfway when the policy has any reminders. */
function drillDeadline(from: string, seconds: number, reminders: PlanDeadlineInput['reminders']): DeadlinePlan {
  const dueAt = plusSeconds(from, seconds);
  const halfway = reminders.before.length > 0 || reminders.onTheDay ? [plusSeconds(from, seconds / 2)] : [];
  return { dueAt, dueDate: toCivilDate(dueAt), reminders: halfway, provisional: false, warnings: [] };
}

export function planDeadline(calendar: WorkingDayCalendar, input: PlanDeadlineInput): DeadlinePlan {
  if (input.duration.unit === 'seconds') return drillDeadline(input.from, input.duration.amount, input.reminders);
  const d = computeDeadline(calendar, input.from, { amount: input.duration.amount, unit: input.duration.unit });
  return { ...d, reminders: reminderTimes(calendar, d.dueDate, input.reminders.before.flatMap((b) => (b.unit === 'seconds' ? [] : [{ amount: b.amount, unit: b.unit }])), input.reminders.onTheDay) };
}

/** A due date given as a civil date (a correction measure's): due at the end of that day in China. */
export function planDueDate(calendar: WorkingDayCalendar, input: PlanDueDateInput): DeadlinePlan {
  const provisional = calendar.isProvisional(input.dueDate);
  return {
    dueAt: endOfDay(input.dueDate),
    dueDate: input.dueDate,
    reminders: reminderTimes(calendar, input.dueDate, calendarOnly(input.reminders.before), input.reminders.onTheDay),
    provisional,
    warnings: provisional ? [`${input.dueDate.slice(0, 4)} has no published holiday notice yet; working days there are provisional`] : [],
  };
}

/** The next escalation of an overdue wait: one policy interval after the previous one. */
export function planEscalation(calendar: WorkingDayCalendar, input: PlanEscalationInput): string {
  if (input.interval.unit === 'seconds') return plusSeconds(input.after, Math.max(1, input.interval.amount));
  return computeDeadline(calendar, input.after, { amount: input.interval.amount, unit: input.interval.unit }).dueAt;
}

function calendarOnly(before: PlanDeadlineInput['reminders']['before']) {
  return before.flatMap((b) => (b.unit === 'seconds' ? [] : [{ amount: b.amount, unit: b.unit }]));
}

/**
 * The revisit schedule of a tier (回访): each revisit opens on the ruling date plus its month offset
 * (moved to a working day) and is due within the policy's window after that.
 */
export function planRevisits(calendar: WorkingDayCalendar, input: PlanRevisitsInput): RevisitPlanItem[] {
  if (input.unit === 'seconds') {
    return input.schedule
      .filter((m) => m > input.afterMonth)
      .map((offset) => {
        const scheduledFor = plusSeconds(input.rulingAt, offset);
        const due = planDeadline(calendar, { from: scheduledFor, duration: input.due, reminders: input.reminders });
        return { monthOffset: offset, tier: input.tier, scheduledFor, dueAt: due.dueAt, reminders: due.reminders };
      });
  }
  const rulingDate = toCivilDate(input.rulingAt);
  return input.schedule
    .filter((m) => m > input.afterMonth)
    .map((monthOffset) => {
      let opens = calendar.addMonths(rulingDate, monthOffset);
      if (!calendar.isWorkingDay(opens)) opens = calendar.addWorkingDays(opens, 0);
      const scheduledFor = `${opens}T01:00:00.000Z`;
      const due = planDeadline(calendar, { from: scheduledFor, duration: input.due, reminders: input.reminders });
      return { monthOffset, tier: input.tier, scheduledFor, dueAt: due.dueAt, reminders: due.reminders };
    });
}
