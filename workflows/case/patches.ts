/**
 * The changes to the case workflow's commands made behind `patched()`, one id each. A case that was
 * running before a change replays its history without the change's marker, so `patched` answers false
 * there and the old commands are kept; from its first new workflow task on it takes the change. Once
 * no case started before a change is open, `deprecatePatch` it, then remove it (see the README).
 */
export const patches = {
  /** The Chinese workflow-list columns: CaseStageName, CaseAwaitingBody, CaseUnitName. */
  chineseListColumns: 'chinese-list-columns',
} as const;
