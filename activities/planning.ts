/** Deadline arithmetic (期限计算) on the working-day calendar: every wait's due time, reminders and escalations. */
import { computeDeadline, endOfDay, reminderTimes, toCivilDate, type WorkingDayCalendar } from '../domain/calendar';
import type { DeadlinePlan, PlanDeadlineInput, PlanDueDateInput, PlanEscalationInput, PlanRevisitsInput, RevisitPlanItem } from './types';

export function planDeadline(calendar: WorkingDayCalendar, input: PlanDeadlineInput): DeadlinePlan {
  const d = computeDeadline(calendar, input.from, input.duration);
  return { ...d, reminders: reminderTimes(calendar, d.dueDate, input.reminders.before, input.reminders.onTheDay) };
}

/** A due date given as a civil date (a correction measure's): due at the end of that day in China. */
export function planDueDate(calendar: WorkingDayCalendar, input: PlanDueDateInput): DeadlinePlan {
  const provisional = calendar.isProvisional(input.dueDate);
  return {
    dueAt: endOfDay(input.dueDate),
    dueDate: input.dueDate,
    reminders: reminderTimes(calendar, input.dueDate, input.reminders.before, input.reminders.onTheDay),
    provisional,
    warnings: provisional ? [`${input.dueDate.slice(0, 4)} has no published holiday notice yet; working days there are provisional`] : [],
  };
}

/** The next escalation of an overdue wait: one policy interval after the previous one. */
export function planEscalation(calendar: WorkingDayCalendar, input: PlanEscalationInput): string {
  return computeDeadline(calendar, input.after, input.interval).dueAt;
}

/**
 * The revisit schedule of a tier (回访): each revisit opens on the ruling date plus its month offset
 * (moved to a working day) and is due within the policy's window after that.
 */
export function planRevisits(calendar: WorkingDayCalendar, input: PlanRevisitsInput): RevisitPlanItem[] {
  const rulingDate = toCivilDate(input.rulingAt);
  return input.schedule
    .filter((m) => m > input.afterMonth)
    .map((monthOffset) => {
      let opens = calendar.addMonths(rulingDate, monthOffset);
      if (!calendar.isWorkingDay(opens)) opens = calendar.addWorkingDays(opens, 0);
      const scheduledFor = `${opens}T01:00:00.000Z`;
      const due = computeDeadline(calendar, scheduledFor, input.due);
      return {
        monthOffset,
        tier: input.tier,
        scheduledFor,
        dueAt: due.dueAt,
        reminders: reminderTimes(calendar, due.dueDate, input.reminders.before, input.reminders.onTheDay),
      };
    });
}
