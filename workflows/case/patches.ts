/**
 * The changes to the case workflow's commands made behind `patched()`, one id each. A case that was
 * running before a change replays its history without the change's marker, so `patched` answers false
 * there and the old commands are kept; from its first new workflow task on it takes the change. Once
 * no case started before a change is open, `deprecatePatch` it, then remove it (see the README).
 */
export const patches = {
  /** A snapshot for the read model whenever a reaction changes it, and at the start of every run. */
  readModelSnapshots: 'read-model-snapshots',
  /** Every task that opens tells the body that must act (`CaseMachine.openTask`). */
  taskOpeningNotices: 'task-opening-notices',
  /** A screening exclusion goes to the organization department for review (parts/exclusion.ts). */
  exclusionReview: 'exclusion-review',
  /** A hand-off waits for discipline inspection's outcome before the case closes (parts/hand-off.ts). */
  handOffOutcome: 'hand-off-outcome',
  /** An overturned ruling's replacement is proposed and reviewed like any ruling (parts/ruling.ts). */
  replacementRulingReview: 'replacement-ruling-review',
  /** What a final ruling leaves in the cadre's record (parts/results.ts). */
  rulingResults: 'ruling-results',
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

/**
 * The baseline of the cases started from this version on. Temporal records a marker and upserts the
 * `TemporalChangeVersion` search attribute for every patch a case asks about, so a new case asked about
 * each patch above in its first workflow tasks: eight commands for nothing, since a new case takes
 * every change. It asks about the baseline instead, which stands for all of them: one marker. A case
 * started before replays its history without the baseline's marker, so each patch answers as it did;
 * where such a case runs on under this version, the baseline answers true, as each patch would.
 * Patches added later are asked about on their own, until a later baseline takes them in too.
 */
export const baselinePatch = 'baseline-2026-12';
const implied: readonly string[] = Object.values(patches);

/** `patched` of the workflow API as the case asks it: a patch of the baseline is answered by the baseline. */
export function withBaseline(patched: (patchId: string) => boolean): (patchId: string) => boolean {
  return (patchId) => (implied.includes(patchId) && patched(baselinePatch)) || patched(patchId);
}
