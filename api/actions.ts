/**
 * The human actions on a case: for each action route, the body schema, the Workflow Update it runs
 * and a sample body (shown in the OpenAPI document and used by the tests).
 */
import type { z } from 'zod';
import {
  acceptanceSchema,
  appealSchema,
  consultationSchema,
  correctionPlanSchema,
  expertInvitationSchema,
  expertOpinionSchema,
  investigationSchema,
  measureProgressSchema,
  measureVerificationSchema,
  reconsiderationSchema,
  revisitSchema,
  rulingProposalSchema,
  rulingReviewSchema,
  supplementSchema,
  withdrawalSchema,
} from '../domain/case';
import {
  decideAcceptanceUpdate,
  decideReconsiderationUpdate,
  fileAppealUpdate,
  giveConsultationUpdate,
  inviteExpertsUpdate,
  issueCorrectionPlanUpdate,
  proposeRulingUpdate,
  recordRevisitUpdate,
  reportMeasureProgressUpdate,
  reviewRulingUpdate,
  submitExpertOpinionUpdate,
  submitInvestigationUpdate,
  submitSupplementUpdate,
  verifyMeasureUpdate,
  withdrawUpdate,
} from '../workflows/messages';
import type { ActionRouteName } from './access';
import type { CaseUpdate } from './gateway';
import { sampleApplication, sampleEvidence } from './schemas';

export interface ActionSpec<S extends z.ZodType = z.ZodType> {
  summary: string;
  schema: S;
  /** Measure routes add the measure id from the path to the input. */
  measure: boolean;
  update: CaseUpdate<z.output<S>> | CaseUpdate<z.output<S> & { measureId: string }>;
  example: z.input<S>;
}

const spec = <S extends z.ZodType>(s: ActionSpec<S>): ActionSpec<S> => s;

const factor = (score: number, note: string) => ({ score, note });

export const actionSpecs = {
  acceptance: spec({
    summary: 'Accept or refuse an application, or ask the unit for a supplement (受理).',
    schema: acceptanceSchema,
    update: decideAcceptanceUpdate,
    measure: false,
    example: { decision: 'accept' },
  }),
  supplement: spec({
    summary: 'Supplement an application the organization department asked to complete (补正).',
    schema: supplementSchema,
    update: submitSupplementUpdate,
    measure: false,
    example: { note: 'The minutes of the collective decision are attached.', evidence: [sampleEvidence] },
  }),
  withdrawal: spec({
    summary: 'Withdraw the application (before the ruling).',
    schema: withdrawalSchema,
    update: withdrawUpdate,
    measure: false,
    example: { reason: 'The matter was resolved by the provincial department.' },
  }),
  investigation: spec({
    summary: 'Submit the investigation findings: six factor scores, evaluation, confirmed circumstances (调查核实).',
    schema: investigationSchema,
    update: submitInvestigationUpdate,
    measure: false,
    example: {
      factors: {
        motive: factor(9, 'Acted to speed up approvals for investors.'),
        conditions: factor(8, 'Provincial rules were not yet issued.'),
        procedure: factor(7, 'Collective decision recorded; legal review skipped.'),
        nature: factor(8, 'Administrative, no private gain.'),
        consequence: factor(7, 'Two approvals revoked; limited loss.'),
        recovery: factor(9, 'Most of the loss recovered within two months.'),
      },
      evaluation: 'A reform pilot under uncertainty; consistent good performance; active remedy.',
      confirmedCircumstances: sampleApplication.circumstances,
    },
  }),
  expertInvitations: spec({
    summary: 'Invite experts or third-party assessors (专家/第三方评估).',
    schema: expertInvitationSchema,
    update: inviteExpertsUpdate,
    measure: false,
    example: { experts: ['expert-amy', 'expert-bo', 'expert-chen'] },
  }),
  expertOpinions: spec({
    summary: 'Give an invited expert’s opinion.',
    schema: expertOpinionSchema,
    update: submitExpertOpinionUpdate,
    measure: false,
    example: { recommendation: 'exempt', opinion: 'The decision was reasonable given what was known at the time.' },
  }),
  consultation: spec({
    summary: 'Give discipline inspection’s consultation opinion (会商).',
    schema: consultationSchema,
    update: giveConsultationUpdate,
    measure: false,
    example: { opinion: 'concur', reasons: 'No indication of private gain or knowing violation.' },
  }),
  rulingProposal: spec({
    summary: 'Propose the ruling: exempt, mitigate or deny (认定).',
    schema: rulingProposalSchema,
    update: proposeRulingUpdate,
    measure: false,
    example: { outcome: 'exempt', tier: 'incentive', reasons: 'Tolerable situation (a); composite 86; expert opinions concur.' },
  }),
  rulingReview: spec({
    summary: 'Approve or return a proposed ruling (审核); never by its proposer.',
    schema: rulingReviewSchema,
    update: reviewRulingUpdate,
    measure: false,
    example: { decision: 'approve', comments: 'Reasons and evidence are sufficient.' },
  }),
  appeal: spec({
    summary: 'Appeal the ruling within the window (申诉).',
    schema: appealSchema,
    update: fileAppealUpdate,
    measure: false,
    example: { grounds: 'The recovered amount was not taken into account.' },
  }),
  reconsideration: spec({
    summary: 'Uphold or overturn the ruling on appeal (复核); not by the first reviewer.',
    schema: reconsiderationSchema,
    update: decideReconsiderationUpdate,
    measure: false,
    example: { decision: 'uphold', reasons: 'The recovered amount was considered in the recovery factor.' },
  }),
  correctionPlan: spec({
    summary: 'Issue the correction opinion with its measures (纠错).',
    schema: correctionPlanSchema,
    update: issueCorrectionPlanUpdate,
    measure: false,
    example: {
      opinion: 'Complete the approval rules and re-train the approval staff.',
      measures: [{ title: 'Publish the approval rules', description: 'Adopt and publish the one-window approval rules.', dueDate: '2026-06-30' }],
    },
  }),
  measureProgress: spec({
    summary: 'Report progress on a correction measure.',
    schema: measureProgressSchema,
    update: reportMeasureProgressUpdate,
    measure: true,
    example: { progress: 'Draft rules circulated for comment.', percent: 60, completed: false },
  }),
  measureVerification: spec({
    summary: 'Verify a correction measure.',
    schema: measureVerificationSchema,
    update: verifyMeasureUpdate,
    measure: true,
    example: { verified: true, comments: 'Rules published on 2026-05-20.' },
  }),
  revisits: spec({
    summary: 'Record a revisit (回访); by the body that made the ruling.',
    schema: revisitSchema,
    update: recordRevisitUpdate,
    measure: false,
    example: {
      thinking: 'Positive; draws lessons from the case.',
      workPerformance: 'Leads the approval reform team; targets met.',
      lifeSituation: 'Stable.',
      assessment: 'On track.',
    },
  }),
} satisfies Record<ActionRouteName, ActionSpec>;
