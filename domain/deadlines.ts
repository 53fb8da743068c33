/**
 * Deadline arithmetic (期限计算) on the working-day calendar pinned in the case: every wait's due time,
 * its reminders, the escalations of an overdue wait and the revisit schedule. Pure: no clock, no I/O.
 *
 * Reminders follow the policy's `reminders.before` offsets, each in its own unit: a calendar offset
 * (working days, calendar days, months) reminds at 09:00 China time that long before the due date,
 * a `seconds` offset (drills) that many seconds before the due instant; `onTheDay` adds 09:00 China
 * time on the due date. The rule for short waits: a reminder that would fall at or before the moment
 * the wait opens, or at or after its deadline, is dropped, never sent late or early.
 */
import { computeDeadline, endOfDay, startOfWorkday, toCivilDate, type WorkingDayCalendar } from './calendar';
import type { PlanBasis } from './case';
import type { Policy, PolicyDuration, Tier } from './policy';

export interface DeadlinePlan {
  dueAt: string;
  dueDate: string;
  reminders: string[];
  provisional: boolean;
  warnings: string[];
}

const plusSeconds = (iso: string, n: number) => new Date(Date.parse(iso) + n * 1000).toISOString();

/** The reminder instants of a wait that opens at `opensAt` and is due at `dueAt` (see the module doc). */
export function reminderInstants(calendar: WorkingDayCalendar, opensAt: string, dueAt: string, reminders: Policy['reminders']): string[] {
  const dueDate = toCivilDate(dueAt);
  const out = reminders.before.map((b) => {
    switch (b.unit) {
      case 'seconds':
        return plusSeconds(dueAt, -b.amount);
      case 'workingDays':
        return startOfWorkday(calendar.subtractWorkingDays(dueDate, b.amount));
      case 'calendarDays':
        return startOfWorkday(calendar.addCalendarDays(dueDate, -b.amount));
      case 'months':
        return startOfWorkday(calendar.addMonths(dueDate, -b.amount));
    }
  });
  if (reminders.onTheDay) out.push(startOfWorkday(dueDate));
  const open = Date.parse(opensAt);
  const due = Date.parse(dueAt);
  return [...new Set(out)].filter((r) => Date.parse(r) > open && Date.parse(r) < due).sort();
}

/** A wait of `duration` from `from` (working days and calendar periods end on a working day; seconds for drills). */
export function planWait(calendar: WorkingDayCalendar, from: string, duration: PolicyDuration, reminders: Policy['reminders'], opensAt = from): DeadlinePlan {
  if (duration.unit === 'seconds') {
    const dueAt = plusSeconds(from, duration.amount);
    return { dueAt, dueDate: toCivilDate(dueAt), reminders: reminderInstants(calendar, opensAt, dueAt, reminders), provisional: false, warnings: [] };
  }
  const d = computeDeadline(calendar, from, { amount: duration.amount, unit: duration.unit });
  return { ...d, reminders: reminderInstants(calendar, opensAt, d.dueAt, reminders) };
}

/** Something due by a civil date (a correction measure): due at the end of that day in China. */
export function planDueDate(calendar: WorkingDayCalendar, dueDate: string, reminders: Policy['reminders'], opensAt: string): DeadlinePlan {
  const provisional = calendar.isProvisional(dueDate);
  const dueAt = endOfDay(dueDate);
  return {
    dueAt,
    dueDate,
    reminders: reminderInstants(calendar, opensAt, dueAt, reminders),
    provisional,
    warnings: provisional ? [`${dueDate.slice(0, 4)} has no published holiday notice yet; working days there are provisional`] : [],
  };
}

/** The plan of a task from how its deadline is counted. */
export function planFromBasis(calendar: WorkingDayCalendar, basis: PlanBasis, reminders: Policy['reminders'], opensAt: string): DeadlinePlan {
  return basis.kind === 'wait' ? planWait(calendar, basis.from, basis.duration, reminders, opensAt) : planDueDate(calendar, basis.dueDate, reminders, opensAt);
}

/** The next escalation of an overdue wait: one policy interval after the previous one (or the deadline). */
export function nextEscalation(calendar: WorkingDayCalendar, after: string, interval: PolicyDuration): string {
  if (interval.unit === 'seconds') return plusSeconds(after, Math.max(1, interval.amount));
  return computeDeadline(calendar, after, { amount: Math.max(1, interval.amount), unit: interval.unit }).dueAt;
}

export interface RevisitSlot {
  monthOffset: number;
  tier: Tier;
  /** When the revisit opens. */
  scheduledFor: string;
  basis: PlanBasis;
  plan: DeadlinePlan;
}

/**
 * The revisit schedule of a tier (回访): each revisit opens at 09:00 on the ruling date plus its
 * offset (moved to a working day) and is due within the policy's window after that. Offsets at or
 * before `afterMonth` are left out (a tier change keeps what is past).
 */
export function planRevisits(calendar: WorkingDayCalendar, policy: Pick<Policy, 'followUp' | 'deadlines' | 'reminders'>, rulingAt: string, tier: Tier, afterMonth: number): RevisitSlot[] {
  return policy.followUp[tier]
    .filter((m) => m > afterMonth)
    .map((monthOffset) => {
      const scheduledFor = revisitOpening(calendar, policy, rulingAt, monthOffset);
      const basis: PlanBasis = { kind: 'wait', from: scheduledFor, duration: policy.deadlines.revisitDue };
      return { monthOffset, tier, scheduledFor, basis, plan: planFromBasis(calendar, basis, policy.reminders, scheduledFor) };
    });
}

/** When the revisit `offset` after the ruling opens: 09:00 China time on that day, moved to a working day. */
export function revisitOpening(calendar: WorkingDayCalendar, policy: Pick<Policy, 'followUp'>, rulingAt: string, offset: number): string {
  if (policy.followUp.unit === 'seconds') return plusSeconds(rulingAt, offset);
  return startOfWorkday(calendar.addWorkingDays(calendar.addMonths(toCivilDate(rulingAt), offset), 0));
}

/** The last day of a mitigation's influence period (影响期), counted from the day the ruling became final. */
export function influenceUntil(calendar: WorkingDayCalendar, finalAt: string, months: number): string {
  return computeDeadline(calendar, finalAt, { amount: months, unit: 'months' }).dueDate;
}
