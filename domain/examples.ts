/**
 * The documented sample application and its evidence: the OpenAPI examples, the README's sample case
 * and the action examples all take them from here. The cadre and the unit are in the demo registry.
 */
import type { z } from 'zod';
import type { applicationSchema } from './case';

export const sampleEvidence = {
  title: 'Minutes of the 2025-03-02 party group meeting',
  uri: 'https://records.example.gov.cn/evidence/2025-0417.pdf',
  sha256: 'a3f5c2e1b4d6978812345678901234567890abcdefabcdefabcdefabcdef0123',
};

export const sampleApplication = {
  cadre: { id: 'C-320100-0001', name: '张明', post: '产业发展处处长', rank: '四级调研员' },
  unitCode: 'JS-NJ-FGW',
  incident: {
    date: '2025-03-14',
    summary: 'A pilot one-window approval for new industrial projects was launched before the provincial rules were complete; two approvals had to be revoked.',
    situation: 'reformUncertainty',
    faultKind: 'administrative',
    category: 'approval-reform',
    lossAmount: 420000,
    recoveredAmount: 380000,
    technical: false,
  },
  circumstances: {
    collectiveDecision: true,
    proceduresFollowed: true,
    privateGain: false,
    knowinglyViolated: false,
    ignoredRules: false,
    brokeLawOrDiscipline: false,
    politicalRisk: false,
    seriousSafetyAccident: false,
    majorEconomicLoss: false,
    activeRemedy: true,
    forceMajeure: false,
  },
  accountabilityCaseRef: 'JS-NJ-JW-2025-017',
  evidence: [sampleEvidence],
} satisfies z.input<typeof applicationSchema>;

