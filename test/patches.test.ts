/**
 * The case's patches and baselines (workflows/case/patches.ts): a new case records the newest
 * baseline only, and a case replaying a history answers each patch as the markers it recorded say.
 */
import { baselinePatch, baselines, patches, withBaseline } from '../workflows/case/patches';

/**
 * Temporal's `patched` as a case sees it: while replaying, true only for the markers in its history;
 * in a new workflow task, true for every id, recording a marker for each one asked.
 */
function patchedOf(recorded: string[], replaying: boolean): { patched: (id: string) => boolean; asked: string[] } {
  const asked: string[] = [];
  return {
    asked,
    patched: (id) => {
      if (!replaying || recorded.includes(id)) {
        if (!recorded.includes(id)) recorded.push(id);
        asked.push(id);
        return true;
      }
      return false;
    },
  };
}

const all = Object.values(patches);
const [newest, older] = baselines as [(typeof baselines)[number], (typeof baselines)[number]];

test('the newest baseline is the one a new case records, and it implies every patch and every older baseline’s', () => {
  expect(baselinePatch).toBe(newest.id);
  expect([...newest.implies].sort()).toEqual([...all].sort());
  for (let i = 1; i < baselines.length; i++) for (const p of baselines[i]!.implies) expect(baselines[i - 1]!.implies).toContain(p);
  expect(new Set(baselines.map((b) => b.id)).size).toBe(baselines.length);
});

test('a new case asks about the newest baseline only, whatever patch it asks about', () => {
  const recorded: string[] = [];
  const { patched, asked } = patchedOf(recorded, false);
  const isPatched = withBaseline(patched);
  for (const p of all) expect(isPatched(p)).toBe(true);
  expect(recorded).toEqual([newest.id]);
  expect(new Set(asked)).toEqual(new Set([newest.id]));
});

test('a case on the older baseline replays its patches as taken, and the newer patch as not taken', () => {
  const { patched } = patchedOf([older.id], true);
  const isPatched = withBaseline(patched);
  for (const p of older.implies) expect(isPatched(p)).toBe(true);
  expect(isPatched(patches.watcherKeepsTimer)).toBe(false);
});

test('a case from before any baseline replays each patch by its own marker', () => {
  const { patched } = patchedOf([patches.readModelSnapshots], true);
  const isPatched = withBaseline(patched);
  expect(isPatched(patches.readModelSnapshots)).toBe(true);
  expect(isPatched(patches.taskOpeningNotices)).toBe(false);
  expect(isPatched(patches.watcherKeepsTimer)).toBe(false);
});

test('an older case running on takes the newest baseline at its first new workflow task', () => {
  const recorded = [older.id];
  const isPatched = withBaseline(patchedOf(recorded, false).patched);
  expect(isPatched(patches.watcherKeepsTimer)).toBe(true);
  expect(recorded).toEqual([older.id, newest.id]);
});
