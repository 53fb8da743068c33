/**
 * Assessment (评估): the composite score of the six judging factors, adjusted by the cadre's
 * consistent performance (一贯表现, looked up from the record system before the findings arrive), the
 * suggested outcome band, and whether experts are needed. Pure: no clock, no I/O.
 */
import type { Assessment } from './case';
import { factorKeys, type FactorKey, type Outcome, type Policy } from './policy';

export type PerformanceGrade = 'excellent' | 'competent' | 'basicallyCompetent' | 'incompetent';

export interface AssessmentInput {
  scoring: Policy['scoring'];
  experts: Policy['experts'];
  factors: Record<FactorKey, { score: number; note: string }>;
  /** The cadre's annual evaluations, newest first. */
  performance: readonly { year: number; grade: PerformanceGrade }[];
  lossAmount: number;
  technical: boolean;
}

const round2 = (n: number) => Math.round(n * 100) / 100;

/** The band a composite falls in: ≥ exemptMin exempt, ≥ mitigateMin mitigate, else deny. */
export function band(composite: number, bands: { exemptMin: number; mitigateMin: number }): Outcome {
  if (composite >= bands.exemptMin) return 'exempt';
  if (composite >= bands.mitigateMin) return 'mitigate';
  return 'deny';
}

/**
 * Six weighted factors (0–10 each, scaled to 0–100) plus performance points give the composite; a
 * composite within the controversy margin of a threshold, a technical case or a loss reaching the
 * policy amount needs expert review.
 */
export function assess(input: AssessmentInput): Assessment {
  const { weights, bands, controversyMargin, performance } = input.scoring;
  const factors = factorKeys.map((key) => {
    const f = input.factors[key];
    return { key, score: f.score, weight: weights[key], weighted: round2(f.score * weights[key] * 10), note: f.note };
  });
  const base = round2(factors.reduce((sum, f) => sum + f.weighted, 0));
  const perf = input.performance.slice(0, performance.years).map((e) => ({ year: e.year, grade: e.grade, points: performance.points[e.grade] }));
  const performanceAdjustment = round2(perf.reduce((sum, p) => sum + p.points, 0));
  const composite = round2(Math.min(100, Math.max(0, base + performanceAdjustment)));
  const controversial = [bands.exemptMin, bands.mitigateMin].some((t) => Math.abs(composite - t) <= controversyMargin);
  const expertReasons: string[] = [];
  if (controversial) expertReasons.push(`综合得分 ${composite} 与档次分界相差不超过 ${controversyMargin} 分`);
  if (input.technical) expertReasons.push('案件涉及专业技术问题');
  if (input.lossAmount >= input.experts.lossThreshold) expertReasons.push(`损失金额 ${input.lossAmount} 元达到 ${input.experts.lossThreshold} 元`);
  return {
    factors,
    base,
    performance: perf,
    performanceAdjustment,
    composite,
    suggested: band(composite, bands),
    bands,
    controversial,
    expertReviewRequired: expertReasons.length > 0,
    expertReasons,
  };
}
