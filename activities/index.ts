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
    /**
     * One reaction's ledger entries, in order (a retry skips the entries already written), and the
     * case's snapshot for the read model, in one transaction; then, when
     * asked, the cadre's earlier tolerated cases and recent annual evaluations for screening and scoring,
     * and the cadre's other cases in any category for the repeat-application signal.
     */
    async recordEvents(input) {
      if (input.events.length || input.snapshot) {
        await records.recordReaction({ caseId: input.caseId, events: input.events, register: input.register, ...(input.snapshot ? { snapshot: input.snapshot } : {}) });
      }
      if (!input.lookup) return { caseId: input.caseId };
      const l = input.lookup;
      const [earlier, performance, applications] = await Promise.all([
        records.findToleratedCases(l.cadreId, l.category, l.since, l.caseId),
        l.performanceYears > 0 ? records.performanceRecords(l.cadreId, l.performanceYears, l.at) : Promise.resolve([]),
        l.applicationsSince !== undefined ? records.findApplications(l.cadreId, l.applicationsSince, l.caseId) : Promise.resolve(undefined),
      ]);
      return { caseId: input.caseId, lookup: { at: l.at, earlier, performance, ...(applications ? { applications } : {}) } };
    },
    /** One reaction's notices, in order; a retry skips those already delivered (each has its key). */
    async notifyAll(input) {
      for (const n of input.notifications) await notifier.notify(n);
    },
  };
}
