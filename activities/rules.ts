/**
 * Boundary screening (边界甄别) and assessment (评估): explainable rules over the policy, run as
 * activities so every answer, with the rules that fired and the factors that counted, lands in history.
 */
import type { Assessment, Circumstances, ScreeningHit, ScreeningResult } from '../domain/case';
import { factorKeys, type Outcome } from '../domain/policy';
import type { AssessInput, RecordSystem, ScreenInput } from './types';

function monthsBefore(iso: string, months: number): string {
  const d = new Date(iso);
  const target = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() - months, 1));
  const lastDay = new Date(Date.UTC(target.getUTCFullYear(), target.getUTCMonth() + 1, 0)).getUTCDate();
  target.setUTCDate(Math.min(d.getUTCDate(), lastDay));
  target.setUTCHours(d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds(), d.getUTCMilliseconds());
  return target.toISOString();
}

function windowStart(at: string, window: { amount: number; unit: string }): string {
  if (window.unit === 'months') return monthsBefore(at, window.amount);
  const days = window.unit === 'workingDays' ? Math.ceil((window.amount * 7) / 5) : window.amount;
  return new Date(Date.parse(at) - days * 86_400_000).toISOString();
}

/** Runs every screening rule of the pinned policy and names each one that fires, with its text. */
export async function screenCase(records: Pick<RecordSystem, 'findToleratedCases'>, input: ScreenInput): Promise<ScreeningResult> {
  const circumstances: Circumstances = input.confirmed ?? input.application.circumstances;
  const { incident, cadre } = input.application;
  const hits: ScreeningHit[] = [];
  for (const rule of input.rules) {
    const hit = (evidence: string) => hits.push({ ruleId: rule.id, text: rule.text, handOffToDiscipline: rule.handOffToDiscipline, evidence });
    switch (rule.kind) {
      case 'circumstance':
        if (circumstances[rule.circumstance]) {
          hit(`${input.confirmed ? 'confirmed by the investigation' : 'declared in the application'}: ${rule.circumstance}`);
        }
        break;
      case 'faultKind':
        if (!rule.allowed.includes(incident.faultKind)) hit(`fault kind ${incident.faultKind} is outside ${rule.allowed.join(', ')}`);
        break;
      case 'situation':
        if (!rule.allowed.includes(incident.situation)) hit(`situation ${incident.situation} is outside ${rule.allowed.join(', ')}`);
        break;
      case 'repeat': {
        const since = windowStart(input.at, rule.window);
        const earlier = await records.findToleratedCases(cadre.id, incident.category, since, input.caseId);
        if (earlier.length > 0) {
          hit(`earlier tolerated case(s) of the same category since ${since.slice(0, 10)}: ${earlier.map((e) => `${e.caseId} (${e.outcome}, ${e.finalAt.slice(0, 10)})`).join(', ')}`);
        }
        break;
      }
    }
  }
  return { phase: input.phase, at: input.at, passed: hits.length === 0, hits, checked: input.rules.map((r) => r.id) };
}

const round2 = (n: number) => Math.round(n * 100) / 100;

function band(composite: number, bands: { exemptMin: number; mitigateMin: number }): Outcome {
  if (composite >= bands.exemptMin) return 'exempt';
  if (composite >= bands.mitigateMin) return 'mitigate';
  return 'deny';
}

/**
 * The composite score: six weighted factors (0–10 each, scaled to 0–100), adjusted by the cadre's
 * consistent performance (一贯表现) from the record system, giving a suggested band. A composite within
 * the controversy margin of a threshold, a technical case or a large loss needs expert review.
 */
export async function assessCase(records: Pick<RecordSystem, 'performanceRecords'>, input: AssessInput): Promise<Assessment> {
  const { weights, bands, controversyMargin, performance } = input.scoring;
  const factors = factorKeys.map((key) => {
    const f = input.factors[key];
    return { key, score: f.score, weight: weights[key], weighted: round2(f.score * weights[key] * 10), note: f.note };
  });
  const base = round2(factors.reduce((sum, f) => sum + f.weighted, 0));
  const evaluations = performance.years > 0 ? await records.performanceRecords(input.cadreId, performance.years, input.at) : [];
  const perf = evaluations.slice(0, performance.years).map((e) => ({ year: e.year, grade: e.grade, points: performance.points[e.grade] }));
  const performanceAdjustment = round2(perf.reduce((sum, p) => sum + p.points, 0));
  const composite = round2(Math.min(100, Math.max(0, base + performanceAdjustment)));
  const controversial = [bands.exemptMin, bands.mitigateMin].some((t) => Math.abs(composite - t) <= controversyMargin);
  const expertReasons: string[] = [];
  if (controversial) expertReasons.push(`composite ${composite} is within ${controversyMargin} of a band threshold`);
  if (input.technical) expertReasons.push('the case is flagged technical');
  if (input.lossAmount >= input.experts.lossThreshold) expertReasons.push(`the loss ${input.lossAmount} reaches ${input.experts.lossThreshold}`);
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
