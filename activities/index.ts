/**
 * The case activities, built by a factory from injected dependencies: the record system and the
 * notification system. They do I/O only; the workflow makes its decisions itself.
 */
import type { CaseActivities, Notifier, RecordSystem } from './types';

export interface ActivityDeps {
  records: RecordSystem;
  notifier: Notifier;
}

export function createActivities({ records, notifier }: ActivityDeps): CaseActivities {
  return {
    /** The cadre's earlier tolerated cases and recent annual evaluations, for screening and scoring. */
    async lookupCadre(input) {
      const [earlier, performance] = await Promise.all([
        records.findToleratedCases(input.cadreId, input.category, input.since, input.caseId),
        input.performanceYears > 0 ? records.performanceRecords(input.cadreId, input.performanceYears, input.at) : Promise.resolve([]),
      ]);
      return { at: input.at, earlier, performance };
    },
    /** One reaction's ledger entries, in order; a retry skips the entries already written. */
    async recordEvents(input) {
      for (const e of input.events) await records.recordEvent({ caseId: input.caseId, register: input.register, ...e });
    },
    notify: (input) => notifier.notify(input),
  };
}
