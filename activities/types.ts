/**
 * The activity interfaces the case workflow calls: I/O only. Decisions (screening, scoring, deadlines,
 * schedules) are pure functions in domain/ that the workflow calls itself.
 */
import type { PerformanceGrade } from '../domain/assessment';
import type { Actor, Application, CaseState, Role, TaskKind, TimelineEntry } from '../domain/case';
import type { EarlierToleratedCase } from '../domain/screening';
import type { EarlierApplication } from '../domain/oversight/signals';

/** What the case needs to know of the cadre before it decides: looked up when it opens and again when investigation starts. */
export interface LookupCadreInput {
  caseId: string;
  cadreId: string;
  category: string;
  /** Earlier tolerated cases final since this instant count (the longest repeat window of the policy). */
  since: string;
  /** The cadre's other cases opened since this instant, in any category (the repeat-application signal's window); absent: not asked. */
  applicationsSince?: string;
  /** How many annual evaluations the policy's scoring reads. */
  performanceYears: number;
  /** The instant of the lookup: evaluations of years before it count. */
  at: string;
}

export interface CadreLookup {
  at: string;
  earlier: EarlierToleratedCase[];
  performance: { year: number; grade: PerformanceGrade }[];
  /** The cadre's other cases opened since `applicationsSince`, in any category and at any stage. */
  applications?: EarlierApplication[];
}

/** One event of the case for the record system: written once, keyed by case and sequence number. */
export interface RecordEventInput {
  caseId: string;
  seq: number;
  entry: TimelineEntry;
  /** The register row after the event: stage, outcome and the non-personal facts the register keeps. */
  register: Pick<CaseState, 'caseId' | 'origin' | 'policyVersion' | 'unitCode' | 'category' | 'stage' | 'openedAt'> & {
    outcome?: string;
    closeReason?: string;
  };
  /** Domain records the event creates or changes, written in the same transaction as the ledger entry. */
  records?: DomainRecord[];
}

export type DomainRecord =
  | { type: 'case'; cadreId: string; cadreName: string; application: Application }
  | { type: 'ruling'; rulingNo: number; outcome: string; influenceMonths?: number; recommendedForm?: number; tier?: string; status: string; proposedBy: string; reasons: string }
  | { type: 'measure'; measureId: string; title: string; dueDate: string; status: string; lastProgress?: string; percent?: number }
  | { type: 'revisit'; revisitId: string; monthOffset: number; tier: string; status: string; thinking?: string; workPerformance?: string; lifeSituation?: string; assessment?: string; newTier?: string; recordedBy?: string }
  /** What a final ruling leaves in the cadre's record: no negative evaluation (exempt), an influence period (mitigate). */
  | { type: 'cadreResult'; kind: 'noNegativeEvaluation' | 'influencePeriod'; from: string; until?: string; status: 'inForce' | 'ended' }
  /** A decision-effect tracking (决策执行效果跟踪评价): planned, recorded by the ruling body, or lapsed. */
  | {
      type: 'effectTracking';
      trackingId: string;
      monthOffset: number;
      opensAt: string;
      dueAt: string;
      status: 'planned' | 'done' | 'lapsed' | 'cancelled';
      reformDecision?: string;
      results?: string;
      recoveredSinceRuling?: number;
      recordedBy?: string;
    }
  /** A hand-off to discipline inspection, and what discipline recorded it made of the case. */
  | {
      type: 'handOff';
      reason: string;
      ruleIds?: string[];
      recommendedForm?: number;
      status: 'awaiting' | 'recorded';
      disposition?: string;
      form?: number;
      note?: string;
      recordedBy?: string;
    };

export type NotificationTemplate =
  | 'caseOpened'
  | 'reminder'
  | 'escalation'
  | 'supplementRequested'
  | 'decision'
  | 'rulingNotice'
  | 'rulingNoticeToCadre'
  | 'taskOpened'
  | 'handOff'
  | 'rulingReport'
  | 'expertInvitation'
  | 'measureOverdue'
  | 'revisitDue'
  | 'caseClosed'
  | 'deadlineChanged'
  | 'recordFailed'
  | 'exclusionReport'
  | 'influencePeriodEnded'
  | 'abuseSignal'

  /** A periodic report to a body of its locality (not a case's: `caseId` is the report's id). */
  | 'periodicReport';

export interface NotifyInput {
  caseId: string;
  /** Idempotency key: the same key is delivered once, however often the activity is retried. */
  key: string;
  template: NotificationTemplate;
  /**
   * Who receives it: the mailboxes and webhooks of a role's body (`unit`), or of persons (`subjects`:
   * invited experts), or the cadre of the case (`cadre`: the cadre's id, whose unit is `unit`), reached
   * at the address the registry keeps for the cadre and never by webhook.
   */
  audience: { role: Actor['role']; unit?: string; subjects?: string[]; cadre?: string };
  /** The supervision body of the case's locality: told when the notice cannot be delivered. */
  supervision?: string;
  vars: Record<string, string | number | boolean>;
}

/** An open task as the read model keeps it: what the inbox shows of it and what decides who sees it. */
export interface ReadModelTask {
  taskId: string;
  kind: TaskKind;
  role: Role;
  /** The body that must act (a revisit's: the body that made the ruling); only that body sees the task. */
  body?: string;
  /** The subjects who may act, where narrower than the role (an expert task: the invited experts it is assigned to). */
  assignees?: string[];
  opensAt: string;
  dueAt: string;
  overdue: boolean;
  provisional: boolean;
}

/**
 * The case as the read model (inbox, case list) keeps it after a reaction: the register's extra
 * facts and the open tasks. Nothing personal. `(seq, at)` orders snapshots: the record system keeps
 * the greatest, so a late retry never overwrites a newer snapshot.
 */
export interface CaseSnapshot {
  /** The last timeline entry (ledger seq) the snapshot follows; -1 before the first. */
  seq: number;
  /** The workflow time of the reaction the snapshot was taken in. */
  at: string;
  /** The case's locality and those above it, nearest first (`CaseState.jurisdiction.path`); empty when unknown. */
  localities: string[];
  /** Subjects of the invited experts: an expert sees the cases it was invited to. */
  experts: string[];
  /** What the search attributes say at `at`: the roles with a task open, the soonest deadline among them, whether one is overdue. */
  awaiting: Role[];
  nextDueAt?: string;
  overdue: boolean;
  /** Every task with status `open`, including those that open later (a scheduled revisit). */
  tasks: ReadModelTask[];
}

/**
 * The ledger entries of one reaction, in order: written in one activity, each exactly once, with the
 * case's snapshot for the read model in the same transaction (absent only from activities scheduled
 * by a worker of before the read model). When the case asks for the cadre's record (`lookup`), it is
 * read in the same round trip, after the writes.
 */
export interface RecordEventsInput {
  caseId: string;
  events: Omit<RecordEventInput, 'caseId' | 'register'>[];
  register: RecordEventInput['register'];
  snapshot?: CaseSnapshot;
  lookup?: LookupCadreInput;
  /**
   * The reaction's notices, sent once its entries are on record (cases since the patch
   * `notices-with-records`; before it, each reaction's notices had an activity of their own).
   */
  notifications?: NotifyInput[];
}

/** What the record activity answers: its case, the lookup when asked, and the notices it could not deliver now. */
export interface RecordEventsResult {
  caseId?: string;
  lookup?: CadreLookup;
  /** Keys of the notices not delivered within the activity's budget: the case sends them on with `notifyAll`. */
  undelivered?: string[];
}

/** One reaction for the record system: its entries and the case's snapshot, written in one transaction. */
export type RecordReactionInput = Omit<RecordEventsInput, 'lookup' | 'notifications'>;

/** The notices of one reaction, sent in one activity; each is delivered once, by its key. */
export interface NotifyAllInput {
  caseId: string;
  notifications: NotifyInput[];
}

export interface CaseActivities {
  /** Answers with the case's id beside the lookup, so the payload names its case (for the codec endpoint). */
  recordEvents(input: RecordEventsInput): Promise<RecordEventsResult>;
  notifyAll(input: NotifyAllInput): Promise<void>;
}

/** The record system as the activities see it. The PostgreSQL implementation is in activities/records. */
export interface RecordSystem {
  /**
   * What the case needs of the cadre's record, in one read: the cadre's earlier cases tolerated
   * (exempt or mitigate) in this category and ruled final since `since`, newest first; the annual
   * evaluations of the `performanceYears` years before `at`, newest first; and, when asked, the
   * cadre's other cases opened since `applicationsSince` (any category, any stage), oldest first.
   * The case itself (`caseId`) is never among them.
   */
  lookupCadre(input: LookupCadreInput): Promise<CadreLookup>;
  recordEvent(input: RecordEventInput): Promise<void>;
  /**
   * A reaction's entries, in order (those already written are skipped), and then its snapshot unless
   * the read model holds a newer one, all in one transaction.
   */
  recordReaction(input: RecordReactionInput): Promise<void>;
}

/** The notification system as the activities see it. */
export interface Notifier {
  notify(input: NotifyInput): Promise<void>;
}
