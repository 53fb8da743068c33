/**
 * What the API and the workflows share: the task queue default, the workflow type, search-attribute
 * keys and the typed Update and Query definitions. Importing this module never loads activity code.
 */
import { defineQuery, defineUpdate } from '@temporalio/workflow';
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import type { z } from 'zod';
import type {
  acceptanceSchema,
  Actor,
  appealSchema,
  Application,
  CaseState,
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
import type { Policy } from '../domain/policy';

export const DEFAULT_TASK_QUEUE = 'rongcuo-cases';
export const caseWorkflowType = 'caseWorkflow';

/** Searchable, non-personal attributes a supervisor filters on in the Temporal UI. */
export const searchAttributes = {
  stage: defineSearchAttributeKey('CaseStage', SearchAttributeType.KEYWORD),
  outcome: defineSearchAttributeKey('CaseOutcome', SearchAttributeType.KEYWORD),
  unitCode: defineSearchAttributeKey('CaseUnit', SearchAttributeType.KEYWORD),
  category: defineSearchAttributeKey('CaseCategory', SearchAttributeType.KEYWORD),
  awaiting: defineSearchAttributeKey('CaseAwaiting', SearchAttributeType.KEYWORD_LIST),
  nextDeadline: defineSearchAttributeKey('CaseNextDeadline', SearchAttributeType.DATETIME),
  overdue: defineSearchAttributeKey('CaseOverdue', SearchAttributeType.BOOL),
  policyVersion: defineSearchAttributeKey('CasePolicyVersion', SearchAttributeType.KEYWORD),
} as const;

/** Name → Temporal type, as the CLI's `--search-attribute Name=Type` and the operator API want them. */
export const searchAttributeDefinitions: Record<string, 'Keyword' | 'KeywordList' | 'Datetime' | 'Bool'> = {
  CaseStage: 'Keyword',
  CaseOutcome: 'Keyword',
  CaseUnit: 'Keyword',
  CaseCategory: 'Keyword',
  CaseAwaiting: 'KeywordList',
  CaseNextDeadline: 'Datetime',
  CaseOverdue: 'Bool',
  CasePolicyVersion: 'Keyword',
};

/** The input a case starts with. The whole policy document is pinned into history. */
export interface CaseInput {
  caseId: string;
  origin: 'application' | 'referral';
  application: Application;
  openedBy: Actor;
  policy: Policy;
  /** A hash of the request that opened the case, so an idempotent retry can be told from a clash. */
  requestDigest?: string;
  /** Continue-as-new earlier than the server suggests (for tests and tuning); 0 = server's advice only. */
  continueAsNewAfterEvents?: number;
}

/** Every Update carries the acting person (from the verified token) and its validated input. */
export interface Action<T> {
  actor: Actor;
  input: T;
}
type In<S extends z.ZodType> = Action<z.output<S>>;

export const decideAcceptanceUpdate = defineUpdate<CaseState, [In<typeof acceptanceSchema>]>('decideAcceptance');
export const submitSupplementUpdate = defineUpdate<CaseState, [In<typeof supplementSchema>]>('submitSupplement');
export const withdrawUpdate = defineUpdate<CaseState, [In<typeof withdrawalSchema>]>('withdraw');
export const submitInvestigationUpdate = defineUpdate<CaseState, [In<typeof investigationSchema>]>('submitInvestigation');
export const inviteExpertsUpdate = defineUpdate<CaseState, [In<typeof expertInvitationSchema>]>('inviteExperts');
export const submitExpertOpinionUpdate = defineUpdate<CaseState, [In<typeof expertOpinionSchema>]>('submitExpertOpinion');
export const giveConsultationUpdate = defineUpdate<CaseState, [In<typeof consultationSchema>]>('giveConsultation');
export const proposeRulingUpdate = defineUpdate<CaseState, [In<typeof rulingProposalSchema>]>('proposeRuling');
export const reviewRulingUpdate = defineUpdate<CaseState, [In<typeof rulingReviewSchema>]>('reviewRuling');
export const fileAppealUpdate = defineUpdate<CaseState, [In<typeof appealSchema>]>('fileAppeal');
export const decideReconsiderationUpdate = defineUpdate<CaseState, [In<typeof reconsiderationSchema>]>('decideReconsideration');
export const issueCorrectionPlanUpdate = defineUpdate<CaseState, [In<typeof correctionPlanSchema>]>('issueCorrectionPlan');
export const reportMeasureProgressUpdate = defineUpdate<CaseState, [Action<z.output<typeof measureProgressSchema> & { measureId: string }>]>('reportMeasureProgress');
export const verifyMeasureUpdate = defineUpdate<CaseState, [Action<z.output<typeof measureVerificationSchema> & { measureId: string }>]>('verifyMeasure');
export const recordRevisitUpdate = defineUpdate<CaseState, [In<typeof revisitSchema>]>('recordRevisit');

/** The full case state: stage, timeline, pending tasks, scores, rulings, measures, revisits. */
export const getCaseQuery = defineQuery<CaseState>('getCase');

/** Failure types an Update validator or the workflow raises; the API maps them to problem documents. */
export const ActionRejected = {
  wrongStage: 'WrongStage',
  forbidden: 'NotAllowedForActor',
  fourEyes: 'FourEyes',
  windowClosed: 'WindowClosed',
  invalidInput: 'InvalidInput',
  notFound: 'NotFound',
} as const;

/**
 * Activity failures that retrying cannot fix (the record and notification systems raise them); every
 * other activity failure is retried with backoff. Kept equal to the activities' own lists by a test.
 */
export const nonRetryableActivityErrorTypes = ['LedgerConflict', 'InvalidRecordInput', 'InvalidNotification'];
