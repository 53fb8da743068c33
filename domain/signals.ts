/**
 * Aggregate abuse signals (防止容错纠错被滥用): what the statistics of a locality say about a unit
 * that deserves a closer look, each with its rule, the figures it rests on and the cases behind it.
 * Pure functions over the statistics and the policy's `oversight` rules; no clock, no I/O.
 *
 * - `unitToleranceRate` (单位容错率显著偏高): a unit with at least `minDecided` final rulings in the
 *   period whose tolerance rate (exempt or mitigate among them) is above its locality's by more than
 *   chance explains: the lower bound of the one-sided Wilson score interval of the unit's rate at
 *   `confidence` (z = Φ⁻¹(confidence)) lies strictly above the locality's rate over the same period.
 * - `categoryClustering` (单位案件类别集中): a unit with at least `minCases` applications of the period
 *   in one category, that category's share of the unit's applications being at least `minShare`.
 */
import type { OversightRules } from './policy';
import { statisticsLabels, type Statistics } from './statistics';

export type AggregateSignalKind = 'unitToleranceRate' | 'categoryClustering';

export interface AggregateSignal {
  signal: AggregateSignalKind;
  unit: string;
  unitName: string;
  /** One sentence in Chinese: what was found, by which rule. */
  explanation: string;
  /** The figures the rule compared. */
  figures: Record<string, number | string>;
  /** The cases behind it: the unit's tolerated cases, or its cases of the category. */
  cases: string[];
}

export const aggregateSignalLabels: Record<AggregateSignalKind, string> = {
  unitToleranceRate: '单位容错率显著高于本地区',
  categoryClustering: '单位申请集中于同一类别',
};

/**
 * Φ⁻¹(p), the standard normal quantile, by Acklam's rational approximation (relative error below
 * 1.2e-9 on (0, 1)); enough for a confidence level.
 */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) throw new RangeError('p must lie strictly between 0 and 1');
  const a = [-3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1, 2.506628277459239];
  const b = [-5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1];
  const c = [-7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];
  const low = 0.02425;
  if (p < low) {
    const q = Math.sqrt(-2 * Math.log(p));
    return (((((c[0]! * q + c[1]!) * q + c[2]!) * q + c[3]!) * q + c[4]!) * q + c[5]!) / ((((d[0]! * q + d[1]!) * q + d[2]!) * q + d[3]!) * q + 1);
  }
  if (p > 1 - low) return -normalQuantile(1 - p);
  const q = p - 0.5;
  const r = q * q;
  return ((((((a[0]! * r + a[1]!) * r + a[2]!) * r + a[3]!) * r + a[4]!) * r + a[5]!) * q) / (((((b[0]! * r + b[1]!) * r + b[2]!) * r + b[3]!) * r + b[4]!) * r + 1);
}

/** The lower bound of the one-sided Wilson score interval of `successes` in `n` at `confidence`. */
export function wilsonLowerBound(successes: number, n: number, confidence: number): number {
  if (n <= 0) return 0;
  const z = normalQuantile(confidence);
  const p = successes / n;
  const z2 = z * z;
  const centre = p + z2 / (2 * n);
  const margin = z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  return Math.max(0, (centre - margin) / (1 + z2 / n));
}

const pct = (r: number) => `${(r * 100).toFixed(1)}%`;

/** Units of a locality whose tolerance rate stands far above the locality's (see the module's rule). */
export function unitToleranceRateSignals(stats: Statistics, rule: OversightRules['unitToleranceRate']): AggregateSignal[] {
  if (stats.scope.kind !== 'locality') return [];
  const localityRate = stats.outcomes.toleranceRate;
  if (localityRate === undefined) return [];
  const out: AggregateSignal[] = [];
  for (const u of stats.units) {
    const { decided, tolerated } = u.outcomes;
    if (decided < rule.minDecided) continue;
    const lower = wilsonLowerBound(tolerated, decided, rule.confidence);
    if (!(lower > localityRate)) continue;
    out.push({
      signal: 'unitToleranceRate',
      unit: u.unit,
      unitName: u.name,
      explanation:
        `${u.name}本期认定生效 ${decided} 件，其中容错（免责或从轻减轻）${tolerated} 件，容错率 ${pct(tolerated / decided)}；` +
        `按单侧 Wilson 区间（置信水平 ${pct(rule.confidence)}）其下限 ${pct(lower)}，高于${stats.scope.name}同期容错率 ${pct(localityRate)}` +
        `（规则：认定生效不少于 ${rule.minDecided} 件且区间下限高于本地区容错率）。`,
      figures: { decided, tolerated, unitRate: tolerated / decided, lowerBound: lower, localityRate, localityDecided: stats.outcomes.decided, confidence: rule.confidence, minDecided: rule.minDecided },
      cases: u.toleratedCases,
    });
  }
  return out;
}

/** Units whose applications cluster in one category (see the module's rule). */
export function categoryClusteringSignals(stats: Statistics, rule: OversightRules['categoryClustering']): AggregateSignal[] {
  const out: AggregateSignal[] = [];
  for (const u of stats.units) {
    if (u.applications === 0) continue;
    for (const c of u.categories) {
      const share = c.count / u.applications;
      if (c.count < rule.minCases || share < rule.minShare) continue;
      out.push({
        signal: 'categoryClustering',
        unit: u.unit,
        unitName: u.name,
        explanation:
          `${u.name}本期申请 ${u.applications} 件，其中“${statisticsLabels.category(c.category)}”类 ${c.count} 件，占 ${pct(share)}` +
          `（规则：同一类别不少于 ${rule.minCases} 件且占比不低于 ${pct(rule.minShare)}）。`,
        figures: { applications: u.applications, category: c.category, count: c.count, share, minCases: rule.minCases, minShare: rule.minShare },
        cases: c.cases,
      });
    }
  }
  return out;
}

/** Every aggregate signal of the statistics under the policy's rules, by unit then signal. */
export function aggregateSignals(stats: Statistics, rules: Pick<OversightRules, 'unitToleranceRate' | 'categoryClustering'>): AggregateSignal[] {
  return [...unitToleranceRateSignals(stats, rules.unitToleranceRate), ...categoryClusteringSignals(stats, rules.categoryClustering)].sort(
    (a, b) => a.unit.localeCompare(b.unit) || a.signal.localeCompare(b.signal),
  );
}
