/** The policy is data: validated documents, immutable versions, several localities. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { defaultPolicy, PolicyError, PolicyRegistry } from '../domain/policies';
import { deadlineOf, laterDeadlineDefaults, policySchema, type Policy } from '../domain/policy';

function dirWith(files: Record<string, unknown>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rongcuo-policies-'));
  for (const [name, doc] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), typeof doc === 'string' ? doc : JSON.stringify(doc));
  return dir;
}

test('When the default policy is loaded, then it carries the defaults of the domain', () => {
  expect(defaultPolicy.deadlines.acceptance).toEqual({ amount: 5, unit: 'workingDays' });
  expect(defaultPolicy.deadlines.appealWindow).toEqual({ amount: 15, unit: 'calendarDays' });
  expect(defaultPolicy.deadlines.reconsideration).toEqual({ amount: 30, unit: 'calendarDays' });
  expect(defaultPolicy.experts).toEqual({ lossThreshold: 1_000_000, count: 3, quorum: 2 });
  expect(defaultPolicy.followUp).toMatchObject({ unit: 'months', focus: [1, 3, 6, 12], support: [3, 6, 12], incentive: [6, 12] });
  expect(defaultPolicy.reminders).toEqual({ before: [{ amount: 3, unit: 'workingDays' }], onTheDay: true });
  expect(defaultPolicy.screeningRules.find((r) => r.kind === 'repeat')).toMatchObject({ window: { amount: 36, unit: 'months' } });
});

test('When weights do not sum to 1 or the quorum exceeds the count, then the policy is rejected naming the field', () => {
  const bad = { ...defaultPolicy, scoring: { ...defaultPolicy.scoring, weights: { ...defaultPolicy.scoring.weights, motive: 0.5 } }, experts: { ...defaultPolicy.experts, quorum: 5 } };
  const result = policySchema.safeParse(bad);
  expect(result.success).toBe(false);
  const paths = result.error!.issues.map((i) => i.path.join('.'));
  expect(paths).toEqual(expect.arrayContaining(['scoring.weights', 'experts.quorum']));
});

test('When a locality publishes its own policy, then its cases start under it and other localities keep the default', () => {
  const kunshan = { ...defaultPolicy, id: 'kunshan', version: 'kunshan@2026.1', locality: 'kunshan', effectiveFrom: '2026-01-01', deadlines: { ...defaultPolicy.deadlines, acceptance: { amount: 3, unit: 'workingDays' } } };
  const registry = PolicyRegistry.load(dirWith({ 'kunshan.json': kunshan }));
  expect(registry.list().map((p) => p.version)).toEqual(['default@2025.1', 'kunshan@2026.1']);
  expect(registry.current('kunshan', '2026-06-01').version).toBe('kunshan@2026.1');
  expect(registry.current('kunshan', '2025-06-01').version).toBe('default@2025.1');
  expect(registry.current('default', '2026-06-01').version).toBe('default@2025.1');
});

test('When a document reuses a loaded version with other content, then loading fails: versions are immutable', () => {
  const changed = { ...defaultPolicy, escalationInterval: { amount: 1, unit: 'workingDays' } };
  expect(() => PolicyRegistry.load(dirWith({ 'changed.json': changed }))).toThrow(PolicyError);
  expect(() => PolicyRegistry.load(dirWith({ 'changed.json': changed }))).toThrow(/default@2025.1 is loaded twice/);
});

test('When a policy file is not JSON or breaks the schema, then the error names the file and the field', () => {
  expect(() => PolicyRegistry.load(dirWith({ 'broken.json': '{ not json' }))).toThrow(/broken.json is not valid JSON/);
  expect(() => PolicyRegistry.load(dirWith({ 'odd.json': { ...defaultPolicy, version: 'odd', id: 'odd' } }))).toThrow(/odd.json is invalid: version/);
});

test('When a case\'s locality has no policy of its own, then the nearest locality above it that has one decides, else the default', () => {
  const province = { ...defaultPolicy, id: 'jiangsu', version: 'jiangsu@2026.1', locality: 'JS', effectiveFrom: '2026-01-01' };
  const kunshan = { ...defaultPolicy, id: 'kunshan', version: 'kunshan@2026.1', locality: 'JS-SZ-KS', effectiveFrom: '2026-01-01', deadlines: { ...defaultPolicy.deadlines, acceptance: { amount: 3, unit: 'workingDays' } } };
  const registry = PolicyRegistry.load(dirWith({ 'jiangsu.json': province, 'kunshan.json': kunshan }));
  expect(registry.currentFor(['JS-SZ-KS', 'JS-SZ', 'JS'], '2026-06-01').version).toBe('kunshan@2026.1');
  expect(registry.currentFor(['JS-NJ', 'JS'], '2026-06-01').version).toBe('jiangsu@2026.1');
  expect(registry.currentFor(['SN-XA', 'SN'], '2026-06-01').version).toBe('default@2025.1');
  expect(registry.currentFor(['JS-SZ-KS', 'JS-SZ', 'JS'], '2025-06-01').version).toBe('default@2025.1');
});

test('When a pinned policy predates the exclusion-review and hand-off-outcome deadlines, then they count from their defaults, which the default document states', () => {
  const { exclusionReview: _e, handOffOutcome: _h, ...older } = defaultPolicy.deadlines;
  const pinned = { ...defaultPolicy, deadlines: older } as unknown as Policy;

  expect(deadlineOf(pinned, 'exclusionReview')).toEqual({ amount: 5, unit: 'workingDays' });
  expect(deadlineOf(pinned, 'handOffOutcome')).toEqual({ amount: 30, unit: 'workingDays' });
  expect(deadlineOf(pinned, 'acceptance')).toEqual(defaultPolicy.deadlines.acceptance);
  // a document that leaves them out is loaded with the same values: one version, one content
  expect(policySchema.parse({ ...defaultPolicy, deadlines: older }).deadlines).toEqual(defaultPolicy.deadlines);
  expect(defaultPolicy.deadlines).toMatchObject(laterDeadlineDefaults);
});
