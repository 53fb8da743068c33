/**
 * The case: what a unit files, what each role may submit, and the state a case workflow keeps.
 * These zod schemas are the single source of truth for API bodies, Update validators and the
 * OpenAPI document.
 */
import { z } from 'zod';
import { circumstanceKeys, factorKeys, faultKinds, outcomes, situations, tiers, type CircumstanceKey, type FactorKey, type Outcome, type Tier } from './policy';

export const roles = ['unit', 'organization', 'discipline', 'expert', 'committee', 'supervisor'] as const;
export type Role = (typeof roles)[number];

/** Unit codes and categories are short codes, never personal data: they go into search attributes. */
export const unitCodeSchema = z.string().regex(/^[A-Z0-9][A-Z0-9-]{1,31}$/, 'a unit code: 2–32 upper-case letters, digits or dashes');
export const categorySchema = z.string().regex(/^[a-z][a-z0-9-]{1,31}$/, 'a category code: 2–32 lower-case letters, digits or dashes');
export const caseIdSchema = z.string().regex(/^case-[A-Z0-9-]{4,40}$/, 'a case id such as case-2026-0000001');

/**
 * Who acted: taken from the verified token by the API, never from a request body. `unit` is the
 * code of the body the person belongs to: required for the unit role, and for the other roles it
 * names their department (it decides "whoever tolerates, revisits").
 */
export const actorSchema = z
  .object({ sub: z.string().min(1).max(128), role: z.enum(roles), unit: unitCodeSchema.optional() })
  .strict();
export type Actor = z.infer<typeof actorSchema>;

const text = (max: number) => z.string().trim().min(1).max(max);
/** A civil date, YYYY-MM-DD, that exists on the calendar. */
const isoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'a date as YYYY-MM-DD')
  .refine((d) => {
    const t = new Date(`${d}T00:00:00Z`);
    return !Number.isNaN(t.getTime()) && t.toISOString().slice(0, 10) === d;
  }, 'not a calendar date');
const money = z.number().min(0).max(1e13);

export const circumstancesSchema = z.object(
  Object.fromEntries(circumstanceKeys.map((k) => [k, z.boolean()])) as Record<CircumstanceKey, z.ZodBoolean>,
).strict();
export type Circumstances = z.infer<typeof circumstancesSchema>;

export const evidenceSchema = z
  .object({ title: text(200), uri: z.url().max(2000), sha256: z.string().regex(/^[a-f0-9]{64}$/, 'a lower-case hex SHA-256') })
  .strict();

/** What a unit (or discipline, on referral) files. Files themselves never enter workflow history. */
export const applicationSchema = z
  .object({
    cadre: z.object({ id: text(64), name: text(100), post: text(200), rank: text(100) }).strict(),
    unitCode: unitCodeSchema,
    incident: z
      .object({
        date: isoDate,
        summary: text(4000),
        situation: z.enum(situations),
        faultKind: z.enum(faultKinds),
        category: categorySchema,
        lossAmount: money,
        recoveredAmount: money,
        technical: z.boolean().default(false),
      })
      .strict()
      .refine((i) => i.recoveredAmount <= i.lossAmount, { message: 'recoveredAmount cannot exceed lossAmount', path: ['recoveredAmount'] }),
    circumstances: circumstancesSchema,
    accountabilityCaseRef: text(100).optional(),
    evidence: z.array(evidenceSchema).max(50).default([]),
  })
  .strict();
export type Application = z.infer<typeof applicationSchema>;

// ---- Human actions (each is a Workflow Update; the API adds the actor) ----

export const acceptanceSchema = z
  .object({
    decision: z.enum(['accept', 'refuse', 'requestSupplement']),
    reason: text(2000).optional(),
    requestedItems: z.array(text(500)).min(1).max(20).optional(),
  })
  .strict()
  .superRefine((a, ctx) => {
    if (a.decision === 'refuse' && !a.reason) ctx.addIssue({ code: 'custom', path: ['reason'], message: 'a refusal needs a reason' });
    if (a.decision === 'requestSupplement' && !a.requestedItems) ctx.addIssue({ code: 'custom', path: ['requestedItems'], message: 'a supplement request lists what is missing' });
  });

export const supplementSchema = z
  .object({ note: text(4000), evidence: z.array(evidenceSchema).max(50).default([]), circumstances: circumstancesSchema.partial().optional() })
  .strict();

export const withdrawalSchema = z.object({ reason: text(2000) }).strict();

const factorSchema = z.object({ score: z.number().min(0).max(10), note: text(2000) }).strict();
export const investigationSchema = z
  .object({
    factors: z.object(Object.fromEntries(factorKeys.map((k) => [k, factorSchema])) as Record<FactorKey, typeof factorSchema>).strict(),
    evaluation: text(8000),
    confirmedCircumstances: circumstancesSchema,
    technical: z.boolean().optional(),
  })
  .strict();
export type Investigation = z.infer<typeof investigationSchema>;

export const expertInvitationSchema = z
  .object({ experts: z.array(z.string().min(1).max(128)).min(1).max(15).refine((e) => new Set(e).size === e.length, 'experts must be distinct') })
  .strict();

export const expertOpinionSchema = z.object({ recommendation: z.enum(outcomes), opinion: text(8000) }).strict();

export const consultationSchema = z.object({ opinion: z.enum(['concur', 'object']), reasons: text(4000) }).strict();

const rulingFields = {
  outcome: z.enum(outcomes),
  influenceMonths: z.number().int().min(1).max(60).optional(),
  recommendedForm: z.number().int().min(1).max(4).optional(),
  tier: z.enum(tiers).optional(),
};
const rulingChecks = (r: { outcome: Outcome; influenceMonths?: number | undefined; recommendedForm?: number | undefined; tier?: Tier | undefined }, ctx: z.RefinementCtx) => {
  if (r.outcome === 'mitigate' && r.influenceMonths === undefined) ctx.addIssue({ code: 'custom', path: ['influenceMonths'], message: 'mitigate needs an influence period in months' });
  if (r.outcome !== 'mitigate' && r.influenceMonths !== undefined) ctx.addIssue({ code: 'custom', path: ['influenceMonths'], message: 'only mitigate carries an influence period' });
  if (r.outcome === 'deny' && r.recommendedForm === undefined) ctx.addIssue({ code: 'custom', path: ['recommendedForm'], message: 'deny needs a recommended form 1–4' });
  if (r.outcome !== 'deny' && r.recommendedForm !== undefined) ctx.addIssue({ code: 'custom', path: ['recommendedForm'], message: 'only deny carries a recommended form' });
  if (r.outcome !== 'deny' && r.tier === undefined) ctx.addIssue({ code: 'custom', path: ['tier'], message: 'a tolerated outcome needs a revisit tier' });
  if (r.outcome === 'deny' && r.tier !== undefined) ctx.addIssue({ code: 'custom', path: ['tier'], message: 'deny has no revisit tier' });
};

export const rulingProposalSchema = z
  .object({ ...rulingFields, reasons: text(8000), justification: text(4000).optional() })
  .strict()
  .superRefine(rulingChecks);
export type RulingProposal = z.infer<typeof rulingProposalSchema>;

export const rulingReviewSchema = z.object({ decision: z.enum(['approve', 'return']), comments: text(4000) }).strict();

export const appealSchema = z.object({ grounds: text(8000) }).strict();

export const reconsiderationSchema = z
  .object({
    decision: z.enum(['uphold', 'overturn']),
    reasons: text(8000),
    replacement: z.object(rulingFields).strict().superRefine(rulingChecks).optional(),
  })
  .strict()
  .superRefine((r, ctx) => {
    if (r.decision === 'overturn' && !r.replacement) ctx.addIssue({ code: 'custom', path: ['replacement'], message: 'overturning states the replacement ruling' });
    if (r.decision === 'uphold' && r.replacement) ctx.addIssue({ code: 'custom', path: ['replacement'], message: 'upholding takes no replacement ruling' });
  });

export const correctionPlanSchema = z
  .object({
    opinion: text(8000),
    measures: z
      .array(z.object({ title: text(200), description: text(4000), dueDate: isoDate }).strict())
      .min(1)
      .max(30),
  })
  .strict();

export const measureProgressSchema = z.object({ progress: text(4000), percent: z.number().int().min(0).max(100), completed: z.boolean() }).strict();
export const measureVerificationSchema = z.object({ verified: z.boolean(), comments: text(4000) }).strict();

export const revisitSchema = z
  .object({
    thinking: text(4000),
    workPerformance: text(4000),
    lifeSituation: text(4000),
    assessment: text(4000),
    newTier: z.enum(tiers).optional(),
  })
  .strict();

// ---- Case state (returned by the query and by every accepted Update) ----

export const stages = [
  'submitted',
  'supplement_requested',
  'screening',
  'investigation',
  'expert_review',
  'consultation',
  'ruling',
  'ruling_proposed',
  'notified',
  'reconsideration',
  'remediation',
  'follow_up',
  'closed',
] as const;
export type Stage = (typeof stages)[number];

export const closeReasons = ['refused', 'supplement_timeout', 'not_tolerable', 'withdrawn', 'denied', 'completed'] as const;
export type CloseReason = (typeof closeReasons)[number];

export type TaskKind =
  | 'acceptance'
  | 'supplement'
  | 'investigation'
  | 'expertInvitation'
  | 'expertOpinions'
  | 'consultation'
  | 'rulingProposal'
  | 'review'
  | 'appealWindow'
  | 'reconsideration'
  | 'correctionPlan'
  | 'measure'
  | 'revisit';

/** A wait: who must act, by when, and what the reminders and escalations have done so far. */
export interface PendingTask {
  id: string;
  kind: TaskKind;
  role: Role;
  /** Subjects allowed to act (experts invited), if narrower than the role. */
  assignees?: string[];
  opensAt: string;
  dueAt: string;
  reminders: string[];
  remindersSent: number;
  escalations: number;
  nextEscalationAt?: string;
  overdue: boolean;
  provisional: boolean;
  status: 'open' | 'done' | 'cancelled';
}

export interface TimelineEntry {
  at: string;
  event: string;
  actor?: { sub: string; role: Role };
  detail?: Record<string, unknown>;
}

export interface ScreeningHit {
  ruleId: string;
  text: { zh: string; en: string };
  handOffToDiscipline: boolean;
  evidence: string;
}
export interface ScreeningResult {
  phase: 'application' | 'investigation';
  at: string;
  passed: boolean;
  hits: ScreeningHit[];
  checked: string[];
}

export interface Assessment {
  factors: { key: FactorKey; score: number; weight: number; weighted: number; note: string }[];
  base: number;
  performance: { year: number; grade: string; points: number }[];
  performanceAdjustment: number;
  composite: number;
  suggested: Outcome;
  bands: { exemptMin: number; mitigateMin: number };
  controversial: boolean;
  expertReviewRequired: boolean;
  expertReasons: string[];
}

export interface Ruling {
  outcome: Outcome;
  influenceMonths?: number;
  recommendedForm?: number;
  tier?: Tier;
  reasons: string;
  justification?: string;
  proposedBy: string;
  proposedAt: string;
  outsideBand: boolean;
  reviews: { by: string; at: string; decision: 'approve' | 'return'; comments: string }[];
  status: 'proposed' | 'returned' | 'approved' | 'final' | 'superseded';
}

export interface Measure {
  id: string;
  title: string;
  description: string;
  dueDate: string;
  dueAt: string;
  status: 'open' | 'completed' | 'verified';
  progress: { at: string; by: string; progress: string; percent: number; completed: boolean }[];
  verification?: { at: string; by: string; verified: boolean; comments: string };
  overdue: boolean;
}

export interface Revisit {
  id: string;
  monthOffset: number;
  tier: Tier;
  scheduledFor: string;
  dueAt: string;
  status: 'scheduled' | 'open' | 'done' | 'cancelled';
  overdue: boolean;
  record?: { at: string; by: string; thinking: string; workPerformance: string; lifeSituation: string; assessment: string; newTier?: Tier };
}

export interface CaseState {
  caseId: string;
  origin: 'application' | 'referral';
  policyVersion: string;
  unitCode: string;
  category: string;
  openedAt: string;
  openedBy: { sub: string; role: Role };
  stage: Stage;
  closeReason?: CloseReason;
  outcome?: Outcome;
  application: Application;
  supplements: { at: string; note: string; evidenceCount: number }[];
  screenings: ScreeningResult[];
  investigation?: Investigation & { by: string; at: string };
  assessment?: Assessment;
  experts: { invited: string[]; invitedBy?: string; opinions: { by: string; at: string; recommendation: Outcome; opinion: string }[]; quorumMet?: boolean };
  consultation?: { by: string; at: string; opinion: 'concur' | 'object' | 'none'; reasons: string };
  rulings: Ruling[];
  appeal?: { at: string; by: string; grounds: string; decision?: { by: string; at: string; decision: 'uphold' | 'overturn'; reasons: string } };
  handOff?: { at: string; reason: 'screening' | 'denied'; recommendedForm?: number; ruleIds?: string[] };
  correctionPlan?: { at: string; by: string; opinion: string };
  measures: Measure[];
  revisits: Revisit[];
  /** The department that made the ruling: "whoever tolerates, revisits". */
  rulingBody?: string;
  finalAt?: string;
  /** Mitigate: the last day of the influence period (影响期). */
  influenceUntil?: string;
  tasks: PendingTask[];
  timeline: TimelineEntry[];
}

/** The state of a case the moment it is opened, before any wait is planned. */
export function initialCaseState(
  input: { caseId: string; origin: CaseState['origin']; application: Application; openedBy: Actor; policy: { version: string } },
  openedAt: string,
): CaseState {
  return {
    caseId: input.caseId,
    origin: input.origin,
    policyVersion: input.policy.version,
    unitCode: input.application.unitCode,
    category: input.application.incident.category,
    openedAt,
    openedBy: { sub: input.openedBy.sub, role: input.openedBy.role },
    stage: 'submitted',
    application: input.application,
    supplements: [],
    screenings: [],
    experts: { invited: [], opinions: [] },
    rulings: [],
    measures: [],
    revisits: [],
    tasks: [],
    timeline: [],
  };
}
