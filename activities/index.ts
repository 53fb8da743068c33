/**
 * The case activities, built by a factory from injected dependencies: the record system, the
 * notification system and the working-day calendar. The worker wires the real ones; tests may pass doubles.
 */
import { log } from '@temporalio/activity';
import type { WorkingDayCalendar } from '../domain/calendar';
import { planDeadline, planDueDate, planEscalation, planRevisits } from './planning';
import { assessCase, screenCase } from './rules';
import type { CaseActivities, Notifier, RecordSystem } from './types';

export interface ActivityDeps {
  records: RecordSystem;
  notifier: Notifier;
  calendar: WorkingDayCalendar;
}

export function createActivities({ records, notifier, calendar }: ActivityDeps): CaseActivities {
  return {
    async planDeadline(input) {
      const plan = planDeadline(calendar, input);
      for (const w of plan.warnings) log.warn('Provisional calendar', { warning: w });
      return plan;
    },
    async planDueDate(input) {
      return planDueDate(calendar, input);
    },
    async planEscalation(input) {
      return planEscalation(calendar, input);
    },
    async planRevisits(input) {
      return planRevisits(calendar, input);
    },
    screen: (input) => screenCase(records, input),
    assess: (input) => assessCase(records, input),
    recordEvent: (input) => records.recordEvent(input),
    notify: (input) => notifier.notify(input),
  };
}
