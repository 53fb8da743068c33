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
  /**
   * The watcher keeps its timer while the next instant due stays the same: a reaction that moves no
   * deadline no longer cancels the timer and starts it again (two commands and a timer task each).
   */
  watcherKeepsTimer: 'watcher-keeps-timer',
  /**
   * Search attributes are upserted only where they differ from the case's current ones: a case the
   * API starts with its opening's attributes (workflows/case/opening.ts) upserts none in its first
   * task, and a reaction sends only the attributes it changed.
   */
  searchAttributesAsChanged: 'search-attributes-as-changed',
} as const;

type PatchId = (typeof patches)[keyof typeof patches];

/** What each older baseline stands for (each takes in the one before it). */
const baseline202612: readonly PatchId[] = [
  patches.readModelSnapshots,
  patches.taskOpeningNotices,
  patches.exclusionReview,
  patches.handOffOutcome,
  patches.replacementRulingReview,
  patches.rulingResults,
  patches.chineseListColumns,
  patches.abuseSignals,
  patches.effectTracking,
  patches.noticesWithRecords,
];
const baseline202612b: readonly PatchId[] = [...baseline202612, patches.watcherKeepsTimer];

/**
 * The baselines, newest first: each is one patch id that stands for every patch before it. Temporal
 * records a marker and upserts the `TemporalChangeVersion` search attribute for every patch a case
 * asks about, so a new case that asked about each patch above would spend a command pair on each in
 * its first workflow tasks for nothing, since a new case takes every change. It asks about the newest
 * baseline instead: one marker. A case started before a baseline replays its history without that
 * baseline's marker, so each patch answers as it did (through the baseline the case did record, or
 * its own marker); where such a case runs on under this version, the newest baseline answers true,
 * as each patch would. A patch added later is listed under a new baseline put first here.
 */
export const baselines: readonly { id: string; implies: readonly PatchId[] }[] = [
  { id: 'baseline-2026-12c', implies: Object.values(patches) },
  { id: 'baseline-2026-12b', implies: baseline202612b },
  { id: 'baseline-2026-12', implies: baseline202612 },
];

/** The baseline a new case records. */
export const baselinePatch = baselines[0]!.id;

/**
 * `patched` of the workflow API as the case asks it: a patch is answered by the newest baseline that
 * implies it and the case has recorded (or, in a new workflow task, records now), else by its own marker.
 */
export function withBaseline(patched: (patchId: string) => boolean): (patchId: string) => boolean {
  return (patchId) => baselines.some((b) => (b.implies as readonly string[]).includes(patchId) && patched(b.id)) || patched(patchId);
}
