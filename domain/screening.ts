/**
 * Boundary screening (边界甄别): the pinned policy's explainable rules over the application (or the
 * investigation's confirmed circumstances) and the cadre's earlier tolerated cases, looked up from
 * the record system before the screening runs. Pure: no clock, no I/O.
 */
import type { Application, Circumstances, Investigation, ScreeningHit, ScreeningResult } from './case';
import { circumstanceLabels, faultKindLabels, situationLabels } from './labels';
import type { Policy, PolicyDuration } from './policy';

/** An earlier case of the same cadre and category, tolerated (exempt or mitigate) and final. */
export interface EarlierToleratedCase {
  caseId: string;
  outcome: string;
  finalAt: string;
}

function monthsBefore(iso: string, months: number): string {
  const d = new Date(iso);
  const target = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() - months, 1));
  const lastDay = new Date(Date.UTC(target.getUTCFullYear(), target.getUTCMonth() + 1, 0)).getUTCDate();
  target.setUTCDate(Math.min(d.getUTCDate(), lastDay));
  target.setUTCHours(d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds(), d.getUTCMilliseconds());
  return target.toISOString();
}

/** The start of a look-back window ending at `at` (working days are counted as 7/5 calendar days, rounded up). */
export function windowStart(at: string, window: PolicyDuration): string {
  if (window.unit === 'months') return monthsBefore(at, window.amount);
  const seconds = window.unit === 'seconds' ? window.amount : (window.unit === 'workingDays' ? Math.ceil((window.amount * 7) / 5) : window.amount) * 86_400;
  return new Date(Date.parse(at) - seconds * 1000).toISOString();
}

/** The longest repeat window of a policy, so one lookup serves every repeat rule. */
export function repeatLookBack(policy: Pick<Policy, 'screeningRules'>, at: string): string {
  const starts = policy.screeningRules.flatMap((r) => (r.kind === 'repeat' ? [windowStart(at, r.window)] : []));
  return starts.sort()[0] ?? at;
}

export interface ScreeningInput {
  phase: 'application' | 'investigation';
  at: string;
  rules: Policy['screeningRules'];
  application: Application;
  /** The investigation's confirmed circumstances replace the declared ones in the second screening. */
  confirmed?: Investigation['confirmedCircumstances'] | undefined;
  earlier: readonly EarlierToleratedCase[];
}

/** Runs every screening rule and names each one that fires, with its text and evidence (in Chinese). */
export function screen(input: ScreeningInput): ScreeningResult {
  const circumstances: Circumstances = input.confirmed ?? input.application.circumstances;
  const { incident } = input.application;
  const hits: ScreeningHit[] = [];
  for (const rule of input.rules) {
    const hit = (evidence: string) => hits.push({ ruleId: rule.id, text: rule.text, handOffToDiscipline: rule.handOffToDiscipline, evidence });
    switch (rule.kind) {
      case 'circumstance':
        if (circumstances[rule.circumstance]) hit(`${input.confirmed ? '调查核实确认' : '申请中申报'}：${circumstanceLabels[rule.circumstance]}`);
        break;
      case 'faultKind':
        if (!rule.allowed.includes(incident.faultKind)) hit(`过错性质为${faultKindLabels[incident.faultKind]}，不在可容错范围（${rule.allowed.map((k) => faultKindLabels[k]).join('、')}）内`);
        break;
      case 'situation':
        if (!rule.allowed.includes(incident.situation)) hit(`所涉情形“${situationLabels[incident.situation]}”不在可容错情形内`);
        break;
      case 'repeat': {
        const since = windowStart(input.at, rule.window);
        const earlier = input.earlier.filter((e) => e.finalAt >= since);
        if (earlier.length > 0) {
          hit(`${since.slice(0, 10)} 以来已有同类容错案件：${earlier.map((e) => `${e.caseId}（${e.outcome === 'exempt' ? '免责' : '从轻减轻'}，${e.finalAt.slice(0, 10)}）`).join('、')}`);
        }
        break;
      }
    }
  }
  return { phase: input.phase, at: input.at, passed: hits.length === 0, hits, checked: input.rules.map((r) => r.id) };
}
