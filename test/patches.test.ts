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
const oldest = baselines.at(-1)!;

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

test.each(baselines.slice(1).map((b) => [b.id, b] as const))('a case on the older baseline %s replays its patches as taken, and the newer patches as not taken', (_id, baseline) => {
  const { patched } = patchedOf([baseline.id], true);
  const isPatched = withBaseline(patched);
  const newer = all.filter((p) => !baseline.implies.includes(p));
  expect(newer.length).toBeGreaterThan(0);
  for (const p of baseline.implies) expect(isPatched(p)).toBe(true);
  for (const p of newer) expect(isPatched(p)).toBe(false);
});

test('a case from before any baseline replays each patch by its own marker', () => {
  const { patched } = patchedOf([patches.readModelSnapshots], true);
  const isPatched = withBaseline(patched);
  expect(isPatched(patches.readModelSnapshots)).toBe(true);
  for (const p of all.filter((p) => p !== patches.readModelSnapshots)) expect(isPatched(p)).toBe(false);
});

test.each([older, oldest].map((b) => [b.id, b] as const))('a case on %s running on takes the newest baseline at its first new workflow task', (_id, baseline) => {
  const recorded = [baseline.id];
  const isPatched = withBaseline(patchedOf(recorded, false).patched);
  expect(isPatched(patches.searchAttributesAsChanged)).toBe(true);
  expect(recorded).toEqual([baseline.id, newest.id]);
});
