/**
 * Applications and findings that pass screening, shared by the tests and the benchmarks (which compile
 * this file alone from test/, see tsconfig.bench.json): nothing here may depend on jest or a server.
 */
import { randomUUID } from 'node:crypto';
import { sampleApplication as documentedApplication } from '../../api/schemas';
import type { Application } from '../../domain/case';

/** Circumstances that trip no rule: those of the application documented in the API's examples. */
const noCircumstances = documentedApplication.circumstances;

/** An application that passes screening; a fresh cadre id each time unless given, so the repeat rule never fires. */
export function sampleApplication(overrides: { incident?: Partial<Application['incident']>; circumstances?: Partial<Application['circumstances']>; cadreId?: string } = {}): Application {
  return {
    cadre: { id: overrides.cadreId ?? `P-${randomUUID().slice(0, 8)}`, name: '张三', post: '科长', rank: '正科级' },
    unitCode: 'JS-NJ-FGW',
    incident: {
      date: '2026-03-10',
      summary: '试点审批改革中因经验不足导致流程疏漏',
      situation: 'reformUncertainty',
      faultKind: 'administrative',
      category: 'approval-reform',
      lossAmount: 200000,
      recoveredAmount: 150000,
      technical: false,
      ...overrides.incident,
    },
    circumstances: { ...noCircumstances, ...overrides.circumstances },
    evidence: [],
  };
}

/** Factor scores giving a composite of exactly `score * 10` with neutral performance. */
export function factors(score: number) {
  const f = { score, note: '核实情况' };
  return { motive: f, conditions: f, procedure: f, nature: f, consequence: f, recovery: f };
}

export const investigation = (score: number, confirmed: Partial<Application['circumstances']> = {}) => ({
  factors: factors(score),
  evaluation: '一贯表现良好，属于改革创新中的探索性失误',
  confirmedCircumstances: { ...noCircumstances, ...confirmed },
});
