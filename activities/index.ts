/**
 * The case activities, built by a factory from injected dependencies: the record system and the
 * notification system. They do I/O only; the workflow makes its decisions itself.
 */
import type { CaseActivities, Notifier, NotifyInput, RecordSystem } from './types';

export interface ActivityDeps {
  records: RecordSystem;
  notifier: Notifier;
  /**
   * How long the record activity spends on a reaction's notices after its write (default 5 s): what
   * is not delivered by then is left to the case's own notice activity, which retries for a day, so a
   * slow mail server never holds up the next reaction's record.
   */
  noticeBudgetMs?: number;
}

export function createActivities({ records, notifier, noticeBudgetMs = 5_000 }: ActivityDeps): CaseActivities {
  /** Delivers `notifications` in order until the budget is spent; answers the keys not delivered. */
  async function deliverWithin(notifications: NotifyInput[]): Promise<string[]> {
    const delivered = new Set<string>();
    const all = (async () => {
      for (const n of notifications) {
        await notifier.notify(n);
        delivered.add(n.key);
      }
    })();
    // A failure or the end of the budget leaves the rest to the case's notice activity (each notice
    // is delivered once by its key, so one still under way here is not sent twice).
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([all.catch(() => undefined), new Promise<void>((resolve) => (timer = setTimeout(resolve, noticeBudgetMs)))]);
    clearTimeout(timer);
    return notifications.filter((n) => !delivered.has(n.key)).map((n) => n.key);
  }

  return {
    /**
     * One reaction's ledger entries, in order (a retry skips the entries already written), and the
     * case's snapshot for the read model, in one transaction; then, when
     * asked, the cadre's earlier tolerated cases and recent annual evaluations for screening and scoring,
     * and the cadre's other cases in any category for the repeat-application signal; then the
     * reaction's notices, once what they tell is on record.
     */
    async recordEvents(input) {
      if (input.events.length || input.snapshot) {
        await records.recordReaction({ caseId: input.caseId, events: input.events, register: input.register, ...(input.snapshot ? { snapshot: input.snapshot } : {}) });
      }
      const lookup = input.lookup ? await records.lookupCadre(input.lookup) : undefined;
      const undelivered = input.notifications?.length ? await deliverWithin(input.notifications) : [];
      return { caseId: input.caseId, ...(lookup ? { lookup } : {}), ...(undelivered.length ? { undelivered } : {}) };
    },
    /** One reaction's notices, in order; a retry skips those already delivered (each has its key). */
    async notifyAll(input) {
      for (const n of input.notifications) await notifier.notify(n);
    },
  };
}
