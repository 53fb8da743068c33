/**
 * The activity interfaces the case workflow calls. Rules, calendar arithmetic and all I/O live behind
 * them, so their answers land in history and a change to code or data never breaks a running case.
 */
import type { Actor, Application, Assessment, CaseState, Investigation, ScreeningResult, TimelineEntry } from '../domain/case';
import type { FactorKey, Policy, PolicyDuration, Tier } from '../domain/policy';

export interface DeadlinePlan {
  dueAt: string;
  dueDate: string;
  reminders: string[];
  provisional: boolean;
  warnings: string[];
}

export interface PlanDeadlineInput {
  /** The instant the wait starts. */
  from: string;
  duration: PolicyDuration;
  reminders: Policy['reminders'];
}

export interface PlanDueDateInput {
  /** A civil date (YYYY-MM-DD) by which something is due, e.g. a correction measure. */
  dueDate: string;
  reminders: Policy['reminders'];
}

export interface PlanEscalationInput {
  /** The previous escalation (or the deadline); the next one is one interval later. */
  after: string;
  interval: PolicyDuration;
}

export interface ScreenInput {
  caseId: string;
  phase: 'application' | 'investigation';
  at: string;
  rules: Policy['screeningRules'];
  application: Application;
  /** The investigation's confirmed circumstances replace the declared ones in the second screening. */
  confirmed?: Investigation['confirmedCircumstances'];
}

export interface AssessInput {
  caseId: string;
  at: string;
  scoring: Policy['scoring'];
  experts: Policy['experts'];
  factors: Record<FactorKey, { score: number; note: string }>;
  cadreId: string;
  lossAmount: number;
  technical: boolean;
}

export interface RevisitPlanItem {
  monthOffset: number;
  tier: Tier;
  scheduledFor: string;
  dueAt: string;
  reminders: string[];
}

export interface PlanRevisitsInput {
  /** The instant the ruling became final: revisits count from it. */
  rulingAt: string;
  tier: Tier;
  schedule: number[];
  /** The unit of the schedule's offsets (the policy's followUp.unit). */
  unit: 'months' | 'seconds';
  /** Only offsets strictly after this many months are planned (a tier change keeps what is past). */
  afterMonth: number;
  due: PolicyDuration;
  reminders: Policy['reminders'];
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
  | { type: 'revisit'; revisitId: string; monthOffset: number; tier: string; status: string; thinking?: string; workPerformance?: string; lifeSituation?: string; assessment?: string; newTier?: string; recordedBy?: string };

export type NotificationTemplate =
  | 'caseOpened'
  | 'reminder'
  | 'escalation'
  | 'supplementRequested'
  | 'decision'
  | 'rulingNotice'
  | 'handOff'
  | 'rulingReport'
  | 'expertInvitation'
  | 'measureOverdue'
  | 'revisitDue'
  | 'caseClosed';

export interface NotifyInput {
  caseId: string;
  /** Idempotency key: the same key is delivered once, however often the activity is retried. */
  key: string;
  template: NotificationTemplate;
  audience: { role: Actor['role']; unit?: string; subjects?: string[] };
  vars: Record<string, string | number | boolean>;
}

export interface CaseActivities {
  planDeadline(input: PlanDeadlineInput): Promise<DeadlinePlan>;
  planDueDate(input: PlanDueDateInput): Promise<DeadlinePlan>;
  planEscalation(input: PlanEscalationInput): Promise<string>;
  planRevisits(input: PlanRevisitsInput): Promise<RevisitPlanItem[]>;
  screen(input: ScreenInput): Promise<ScreeningResult>;
  assess(input: AssessInput): Promise<Assessment>;
  recordEvent(input: RecordEventInput): Promise<void>;
  notify(input: NotifyInput): Promise<void>;
}

/** The record system as the activities see it. The PostgreSQL implementation is in activities/records. */
export interface RecordSystem {
  /** Earlier cases of this cadre, tolerated (exempt or mitigate) in this category, ruled final since `since`. */
  findToleratedCases(cadreId: string, category: string, since: string, excludeCaseId: string): Promise<{ caseId: string; outcome: string; finalAt: string }[]>;
  /** The cadre's annual evaluations, newest first. */
  performanceRecords(cadreId: string, years: number, before: string): Promise<{ year: number; grade: 'excellent' | 'competent' | 'basicallyCompetent' | 'incompetent' }[]>;
  recordEvent(input: RecordEventInput): Promise<void>;
}

/** The notification system as the activities see it. */
export interface Notifier {
  notify(input: NotifyInput): Promise<void>;
}
