/** The aggregate abuse signals: pure rules over the statistics, at and around their thresholds. */
import { defaultPolicy } from '../domain/policies';
import { oversightOf, policySchema, signalDefaults } from '../domain/policy';
import { aggregateSignals, categoryClusteringSignals, normalQuantile, unitToleranceRateSignals, wilsonLowerBound } from '../domain/signals';
import { outcomeCounts, type Statistics, type UnitFigures } from '../domain/statistics';

const ids = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `case-2026-${prefix}${String(i).padStart(4, '0')}`);

function unit(code: string, tolerated: number, denied: number, categories: Record<string, number> = {}): UnitFigures {
  const cats = Object.entries(categories).map(([category, count]) => ({ category, label: category, count, cases: ids(`${code.slice(-3)}${category.slice(0, 2).toUpperCase()}`, count) }));
  return {
    unit: code,
    name: `单位${code}`,
    applications: cats.reduce((n, c) => n + c.count, 0),
    outcomes: outcomeCounts(tolerated, 0, denied),
    toleratedCases: ids(code.slice(-3), tolerated),
    categories: cats.sort((a, b) => b.count - a.count),
  };
}

/** Statistics of a locality made of these units: its outcomes are theirs summed. */
function locality(units: UnitFigures[]): Statistics {
  const exempt = units.reduce((n, u) => n + u.outcomes.exempt, 0);
  const deny = units.reduce((n, u) => n + u.outcomes.deny, 0);
  return { scope: { kind: 'locality', code: 'JS-NJ', name: '南京市', localities: ['JS-NJ'] }, outcomes: outcomeCounts(exempt, 0, deny), units } as unknown as Statistics;
}

describe('The statistics behind the rules', () => {
  test('When the normal quantile is asked for, then it gives the textbook values', () => {
    expect(normalQuantile(0.95)).toBeCloseTo(1.644854, 5);
    expect(normalQuantile(0.975)).toBeCloseTo(1.959964, 5);
    expect(normalQuantile(0.5)).toBeCloseTo(0, 9);
    expect(normalQuantile(0.01)).toBeCloseTo(-2.326348, 5);
  });

  test('When the Wilson lower bound is computed, then it matches the closed form and stays below the observed rate', () => {
    // 9 of 10 at 95 % one-sided: (0.9 + z²/20 − z·√(0.09/10 + z²/400)) / (1 + z²/10)
    const z = 1.6448536;
    const expected = (0.9 + (z * z) / 20 - z * Math.sqrt(0.009 + (z * z) / 400)) / (1 + (z * z) / 10);
    expect(wilsonLowerBound(9, 10, 0.95)).toBeCloseTo(expected, 6);
    expect(wilsonLowerBound(10, 10, 0.95)).toBeLessThan(1);
    expect(wilsonLowerBound(0, 10, 0.95)).toBe(0);
    expect(wilsonLowerBound(0, 0, 0.95)).toBe(0);
  });
});

describe('A unit whose tolerance rate stands far above its locality’s', () => {
  const rule = { minDecided: 10, confidence: 0.95 };

  test('When a unit has 10 of 10 tolerated against a locality at 25 %, then it is signalled with its figures and cases', () => {
    const stats = locality([unit('U-A', 10, 0), unit('U-B', 5, 35)]);
    const [signal, ...more] = unitToleranceRateSignals(stats, rule);

    expect(more).toEqual([]);
    expect(signal).toMatchObject({ signal: 'unitToleranceRate', unit: 'U-A', figures: { decided: 10, tolerated: 10, unitRate: 1, localityRate: 0.3, minDecided: 10 } });
    expect(signal!.figures.lowerBound as number).toBeGreaterThan(0.3);
    expect(signal!.cases).toHaveLength(10);
    expect(signal!.explanation).toContain('Wilson');
  });

  test('When the unit has one decided case fewer than the minimum, then nothing is signalled, however high its rate', () => {
    expect(unitToleranceRateSignals(locality([unit('U-A', 9, 0), unit('U-B', 1, 40)]), rule)).toEqual([]);
  });

  test('When the unit has exactly the minimum count, then the rule applies', () => {
    expect(unitToleranceRateSignals(locality([unit('U-A', 10, 0), unit('U-B', 1, 40)]), rule).map((s) => s.unit)).toEqual(['U-A']);
  });

  test('When the lower bound is exactly the locality’s rate, then it is not above it: no signal', () => {
    const lower = wilsonLowerBound(8, 10, 0.95);
    const stats = { ...locality([unit('U-A', 8, 2)]), outcomes: { ...outcomeCounts(8, 0, 2), toleranceRate: lower } } as Statistics;
    expect(unitToleranceRateSignals(stats, rule)).toEqual([]);
    expect(unitToleranceRateSignals({ ...stats, outcomes: { ...stats.outcomes, toleranceRate: lower - 1e-9 } }, rule)).toHaveLength(1);
  });

  test('When a high rate is within chance (8 of 10 against 60 %), then nothing is signalled', () => {
    expect(unitToleranceRateSignals(locality([unit('U-A', 8, 2), unit('U-B', 22, 18)]), rule)).toEqual([]);
  });

  test('When the statistics are a unit’s, or nothing was decided, then there is nothing to compare with', () => {
    const stats = locality([unit('U-A', 10, 0), unit('U-B', 0, 40)]);
    expect(unitToleranceRateSignals({ ...stats, scope: { ...stats.scope, kind: 'unit' } }, rule)).toEqual([]);
    expect(unitToleranceRateSignals(locality([unit('U-A', 0, 0)]), rule)).toEqual([]);
  });
});

describe('A unit whose applications cluster in one category', () => {
  const rule = { minCases: 10, minShare: 0.6 };

  test('When 12 of 15 applications are of one category, then that category is signalled with its cases', () => {
    const [signal, ...more] = categoryClusteringSignals(locality([unit('U-A', 0, 0, { 'land-use': 12, procurement: 3 })]), rule);

    expect(more).toEqual([]);
    expect(signal).toMatchObject({ signal: 'categoryClustering', unit: 'U-A', figures: { applications: 15, category: 'land-use', count: 12, share: 0.8 } });
    expect(signal!.cases).toHaveLength(12);
  });

  test('When the share is exactly the threshold with exactly the minimum count, then it is signalled', () => {
    expect(categoryClusteringSignals(locality([unit('U-A', 0, 0, { 'land-use': 12, procurement: 8 })]), { minCases: 12, minShare: 0.6 })).toHaveLength(1);
  });

  test('When the count is one below the minimum, or the share just below the threshold, then nothing is signalled', () => {
    expect(categoryClusteringSignals(locality([unit('U-A', 0, 0, { 'land-use': 9 })]), rule)).toEqual([]);
    expect(categoryClusteringSignals(locality([unit('U-A', 0, 0, { 'land-use': 11, procurement: 8 })]), rule)).toEqual([]); // 57.9 %
  });
});

describe('The rules in the policy', () => {
  test('When a policy leaves out the oversight section, then it gets the defaults, and a pinned document without them reads them too', () => {
    const { oversight: _o, ...older } = defaultPolicy;
    const parsed = policySchema.parse(older);

    expect(parsed.oversight).toEqual({ signals: signalDefaults, unitToleranceRate: { minDecided: 10, confidence: 0.95 }, categoryClustering: { minCases: 10, minShare: 0.6 } });
    expect(oversightOf(older as never)).toEqual({ unitToleranceRate: parsed.oversight.unitToleranceRate, categoryClustering: parsed.oversight.categoryClustering });
    expect(oversightOf({ oversight: { categoryClustering: { minCases: 3, minShare: 0.5 } } })).toEqual({ unitToleranceRate: { minDecided: 10, confidence: 0.95 }, categoryClustering: { minCases: 3, minShare: 0.5 } });
  });

  test('When a threshold is out of range, then the policy is refused', () => {
    expect(policySchema.safeParse({ ...defaultPolicy, oversight: { unitToleranceRate: { minDecided: 0, confidence: 0.95 } } }).success).toBe(false);
    expect(policySchema.safeParse({ ...defaultPolicy, oversight: { categoryClustering: { minCases: 5, minShare: 1.5 } } }).success).toBe(false);
  });

  test('When every signal is asked for, then both rules run under the policy’s thresholds, by unit', () => {
    const stats = locality([unit('U-B', 0, 30, { procurement: 30 }), unit('U-A', 12, 0, { 'land-use': 12 })]);
    expect(aggregateSignals(stats, oversightOf(defaultPolicy)).map((s) => `${s.unit}:${s.signal}`)).toEqual(['U-A:categoryClustering', 'U-A:unitToleranceRate', 'U-B:categoryClustering']);
  });
});
