/**
 * What the API and the workflows share: the task queue default, the workflow type, search-attribute
 * keys, the case's input, and the Query, Signal and Update definitions that are not actions (each
 * action's Update is defined with its spec in workflows/case/actions.ts). Importing this module
 * never loads activity code.
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import type { CalendarYearDocument } from '../domain/calendar';
import type { Actor, Application, CaseState, Jurisdiction } from '../domain/case';
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
  /** The case's locality and those above it: a body's listing selects its own locality here. */
  localities: defineSearchAttributeKey('CaseLocalities', SearchAttributeType.KEYWORD_LIST),
  /** The workflow list's columns in Chinese: the stage, the bodies awaited and the unit, by name (never a person's). */
  stageName: defineSearchAttributeKey('CaseStageName', SearchAttributeType.KEYWORD),
  awaitingBodies: defineSearchAttributeKey('CaseAwaitingBody', SearchAttributeType.KEYWORD_LIST),
  unitName: defineSearchAttributeKey('CaseUnitName', SearchAttributeType.KEYWORD),
} as const;

const temporalTypeName = {
  [SearchAttributeType.KEYWORD]: 'Keyword',
  [SearchAttributeType.KEYWORD_LIST]: 'KeywordList',
  [SearchAttributeType.DATETIME]: 'Datetime',
  [SearchAttributeType.BOOL]: 'Bool',
} as const;

/** Name → Temporal type, as the CLI's `--search-attribute Name=Type` and the operator API want them. */
export const searchAttributeDefinitions: Record<string, 'Keyword' | 'KeywordList' | 'Datetime' | 'Bool'> = Object.fromEntries(
  Object.values(searchAttributes).map((k) => [k.name, temporalTypeName[k.type as keyof typeof temporalTypeName]]),
);

/** The input a case starts with. The whole policy document and a calendar snapshot are pinned into history. */
export interface CaseInput {
  caseId: string;
  origin: 'application' | 'referral';
  application: Application;
  openedBy: Actor;
  policy: Policy;
  /** The working-day calendar years the case can reach, as they stood when it opened. */
  calendar: CalendarYearDocument[];
  /** The case's locality, the localities above it and the bodies that serve it, from the registry. */
  jurisdiction?: Jurisdiction;
  /** A hash of the request that opened the case, so an idempotent retry can be told from a clash. */
  requestDigest?: string;
  /** Drawn by the request that starts the case (see openUpdate). */
  startToken?: string;
  /** Continue-as-new earlier than the server suggests (for tests and tuning); 0 = server's advice only. */
  continueAsNewAfterEvents?: number;
}

/**
 * Every action carries the acting person (from the verified token) and its input. `request` names a
 * client's retry key and the digest of its body: a key reused with another body is refused.
 */
export interface Action<T> {
  actor: Actor;
  input: T;
  /** The case acted on: the workflow knows it, but the payload names it for the codec endpoint, which sees payloads alone. */
  caseId?: string;
  request?: { key: string; digest: string };
}

/**
 * Opening a case (Update-with-Start): answers with the case as it stands after its first reaction.
 * `created` tells whether this request started it (its `startToken` is the case's own) or met a case
 * a retry of the same request had started; another request's digest is refused.
 */
export const openUpdate = defineUpdate<{ created: boolean; state: CaseState }, [{ requestDigest?: string; startToken: string; caseId?: string }]>('open');

/** The full case state: stage, timeline, pending tasks, scores, rulings, measures, revisits. */
export const getCaseQuery = defineQuery<CaseState>('getCase');

/** A newly published State Council holiday notice: open cases re-plan the deadlines counted over its year. */
export const calendarNoticeSignal = defineSignal<[CalendarYearDocument]>('calendarNotice');

/** Failure types an Update validator or the workflow raises; each is also the API's problem type. */
export const ActionRejected = {
  wrongStage: 'wrongStage',
  forbidden: 'forbidden',
  fourEyes: 'fourEyes',
  windowClosed: 'windowClosed',
  invalidInput: 'invalidInput',
  notFound: 'notFound',
  idempotencyConflict: 'idempotencyConflict',
} as const;
export type ActionRejectedType = (typeof ActionRejected)[keyof typeof ActionRejected];

/**
 * Activity failures that retrying cannot fix (the record and notification systems raise them); every
 * other activity failure is retried with backoff. Kept equal to the activities' own lists by a test.
 */
export const nonRetryableActivityErrorTypes = ['LedgerConflict', 'InvalidRecordInput', 'InvalidNotification'];
