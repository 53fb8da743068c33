/**
 * The changes to the case workflow's commands made behind `patched()`, one id each. A case that was
 * running before a change replays its history without the change's marker, so `patched` answers false
 * there and the old commands are kept; from its first new workflow task on it takes the change. Once
 * no case started before a change is open, `deprecatePatch` it, then remove it (see the README).
 */
export const patches = {
  /** The Chinese workflow-list columns: CaseStageName, CaseAwaitingBody, CaseUnitName. */
  chineseListColumns: 'chinese-list-columns',
  /**
   * Per-case abuse signals (parts/oversight.ts): an `abuseSignal` timeline entry and notices to
   * supervision and discipline inspection. Asked only when a signal is due, so a case that raises
   * none carries no marker. (The cadre lookup also asks for the cadre's other cases now; an
   * activity's input is not a command Temporal compares on replay, and answers recorded without them
   * raise nothing.)
   */
  abuseSignals: 'abuse-signals',
  /** Decision-effect trackings planned when a case enters remediation (parts/effect-tracking.ts). */
  effectTracking: 'effect-tracking',
  /**
   * A reaction's notices go with its record activity, sent once its entries are written (one activity
   * and one workflow task fewer per reaction); those the activity could not deliver in its budget go
   * on in a notice activity of their own, as every reaction's notices did before.
   */
  noticesWithRecords: 'notices-with-records',
} as const;
