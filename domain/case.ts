/**
 * The case: what a unit files, what each role may submit, and the state a case workflow keeps.
 * These zod schemas are the single source of truth for API bodies, Update validators and the
 * OpenAPI document.
 */
import { z } from 'zod';
import { closeReasonLabels, handOffDispositionWords, reformDecisionWords, stageLabels, taskLabels, type HandOffDisposition, type ReformDecision } from './labels';
import { circumstanceKeys, durationSchema, factorKeys, faultKinds, outcomes, situations, tiers, type CircumstanceKey, type FactorKey, type Outcome, type Tier } from './policy';

export const roles = ['unit', 'organization', 'discipline', 'expert', 'committee', 'supervisor', 'admin'] as const;
export type Role = (typeof roles)[number];
/**
 * The roles that work cases: every role but `admin`, which keeps the registry (localities, bodies,
 * cadres) and never reads or acts on a case.
 */
export const caseRoles = roles.filter((r): r is Exclude<Role, 'admin'> => r !== 'admin');
export type CaseRole = (typeof caseRoles)[number];

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
  .object({
    sub: z.string().min(1).max(128),
    role: z.enum(roles),
    unit: unitCodeSchema.optional(),
    /** The locality of the actor's body, from the registry (set by the API, never taken from a token). */
    locality: unitCodeSchema.optional(),
  })
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

/** The id of a correction suggestion: `s<opinion>-<n>`, the n-th suggestion of the case's opinion of that number. */
export const suggestionIdSchema = z.string().regex(/^s\d{1,2}-\d{1,2}$/, 'a suggestion id such as s1-2');

/**
 * An invited expert's or third-party assessor's opinion (专家/第三方评估): its recommendation and
 * reasons, and optionally its assessment report (an evidence reference) and correction suggestions
 * (纠错建议), each of which the correction plan must answer.
 */
export const expertOpinionSchema = z
  .object({
    recommendation: z.enum(outcomes).meta({ description: '评估结论：exempt 免责，mitigate 从轻或减轻，deny 不予容错。' }),
    opinion: text(8000).meta({ description: '评估意见及理由。' }),
    report: evidenceSchema.optional().meta({ description: '评估报告（材料名称、地址与 SHA-256 摘要；文件本身不进入案件）。' }),
    suggestions: z.array(text(2000)).min(1).max(20).optional().meta({ description: '纠错建议，逐条列出；纠错方案须逐条回应（采纳为整改措施，或说明不予采纳的理由）。' }),
  })
  .strict()
  .meta({ description: '受邀专家或第三方评估机构提交评估意见，可附评估报告和纠错建议。' });

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
  .object({
    ...rulingFields,
    reasons: text(8000),
    /** Why the ruling leaves the suggested band (required then). */
    justification: text(4000).optional(),
    /** The answer to discipline inspection's objection in the consultation (required when it objected). */
    objectionResponse: text(4000).optional(),
  })
  .strict()
  .superRefine(rulingChecks);
export type RulingProposal = z.infer<typeof rulingProposalSchema>;

export const rulingReviewSchema = z.object({ decision: z.enum(['approve', 'return']), comments: text(4000) }).strict();

export const appealSchema = z.object({ grounds: text(8000) }).strict();

/**
 * Upholding keeps the ruling; overturning sets it aside, and the replacement ruling is then proposed
 * by the organization department and reviewed by the committee like any ruling (four eyes).
 * `replacement`, when given, is the outcome the reconsideration calls for: the replacement proposal
 * must have it. (Cases overturned before this rule took their replacement from here, final at once.)
 */
export const reconsiderationSchema = z
  .object({
    decision: z.enum(['uphold', 'overturn']),
    reasons: text(8000),
    replacement: z.object(rulingFields).strict().superRefine(rulingChecks).optional(),
  })
  .strict()
  .superRefine((r, ctx) => {
    if (r.decision === 'uphold' && r.replacement) ctx.addIssue({ code: 'custom', path: ['replacement'], message: 'upholding takes no replacement ruling' });
  });

const circumstanceKeySchema = z.enum(circumstanceKeys);

/** The organization department confirms a screening exclusion (确认甄别排除): the case closes as excluded. */
export const exclusionConfirmationSchema = z
  .object({ comments: text(4000).optional().meta({ description: '确认意见（可选）。' }) })
  .strict()
  .meta({ description: '组织部门确认边界甄别的排除结论：案件以“经甄别不属于容错范围”结案，涉及违纪违法等情形的移交纪检监察机关。' });

/**
 * The organization department finds a declared circumstance that excluded the case false and sends
 * the case on to investigation (改送调查核实), with its reason.
 */
export const exclusionOverrideSchema = z
  .object({
    reason: text(4000).meta({ description: '认定申报情形不实、改送调查核实的理由。' }),
    falseCircumstances: z
      .array(circumstanceKeySchema)
      .min(1)
      .max(circumstanceKeys.length)
      .refine((c) => new Set(c).size === c.length, 'circumstances must be distinct')
      .meta({ description: '经核实不属实的申报情形（须包括触发排除的每一项情形）。' }),
  })
  .strict()
  .meta({ description: '组织部门经核实认为触发排除的申报情形不属实，说明理由后将案件改送调查核实。' });

export const handOffDispositions = Object.keys(handOffDispositionWords) as [HandOffDisposition, ...HandOffDisposition[]];

/** Discipline inspection records what became of a case handed to it (移交处理结果). */
export const handOffOutcomeSchema = z
  .object({
    disposition: z.enum(handOffDispositions).meta({ description: `处理结果：${handOffDispositions.map((d) => `\`${d}\` ${handOffDispositionWords[d].zh}`).join('，')}。` }),
    form: z.number().int().min(1).max(4).optional().meta({ description: '运用的“四种形态”（1–4），处理结果为 sanctioned 时必填。' }),
    note: text(4000).meta({ description: '处理情况说明。' }),
  })
  .strict()
  .superRefine((o, ctx) => {
    if (o.disposition === 'sanctioned' && o.form === undefined) ctx.addIssue({ code: 'custom', path: ['form'], message: 'a sanction names the form of discipline used (1–4)' });
    if (o.disposition !== 'sanctioned' && o.form !== undefined) ctx.addIssue({ code: 'custom', path: ['form'], message: 'only a sanction names a form of discipline' });
  })
  .meta({ description: '纪检监察机关反馈移交案件的处理结果，记入档案。' });

/** The correction plan's answer to one correction suggestion of an expert or third-party opinion. */
export const suggestionResponseSchema = z
  .object({
    suggestionId: suggestionIdSchema.meta({ description: '所回应的纠错建议编号（见案件 experts.opinions[].suggestions[].id，如 s1-2）。' }),
    adopted: z.boolean().meta({ description: '是否采纳：true 采纳为整改措施，false 不予采纳。' }),
    measureNo: z.number().int().min(1).max(30).optional().meta({ description: '采纳时，落实该建议的整改措施在本方案 measures 中的序号（从 1 起）。' }),
    reason: text(2000).optional().meta({ description: '不予采纳时的理由。' }),
  })
  .strict()
  .superRefine((r, ctx) => {
    if (r.adopted && r.measureNo === undefined) ctx.addIssue({ code: 'custom', path: ['measureNo'], message: 'an adopted suggestion names the measure that carries it out' });
    if (r.adopted && r.reason !== undefined) ctx.addIssue({ code: 'custom', path: ['reason'], message: 'only a suggestion not adopted takes a reason' });
    if (!r.adopted && r.reason === undefined) ctx.addIssue({ code: 'custom', path: ['reason'], message: 'a suggestion not adopted needs a reason' });
    if (!r.adopted && r.measureNo !== undefined) ctx.addIssue({ code: 'custom', path: ['measureNo'], message: 'only an adopted suggestion names a measure' });
  });
export type SuggestionResponse = z.infer<typeof suggestionResponseSchema>;

export const correctionPlanSchema = z
  .object({
    opinion: text(8000),
    measures: z
      .array(z.object({ title: text(200), description: text(4000), dueDate: isoDate }).strict())
      .min(1)
      .max(30),
    suggestionResponses: z
      .array(suggestionResponseSchema)
      .max(400)
      .refine((r) => new Set(r.map((x) => x.suggestionId)).size === r.length, 'each suggestion is answered once')
      .optional()
      .meta({ description: '对专家（第三方）评估意见所提每条纠错建议的回应：采纳的列明整改措施，不予采纳的说明理由。案件有纠错建议时必填，须逐条回应。' }),
  })
  .strict()
  .superRefine((p, ctx) => {
    (p.suggestionResponses ?? []).forEach((r, i) => {
      if (r.measureNo !== undefined && r.measureNo > p.measures.length) ctx.addIssue({ code: 'custom', path: ['suggestionResponses', i, 'measureNo'], message: 'not the number of a measure of this plan' });
    });
  });

export const measureProgressSchema = z.object({ progress: text(4000), percent: z.number().int().min(0).max(100), completed: z.boolean() }).strict();
export const measureVerificationSchema = z.object({ verified: z.boolean(), comments: text(4000) }).strict();

export const reformDecisions = Object.keys(reformDecisionWords) as [ReformDecision, ...ReformDecision[]];

/** The ruling body records how the reform decision at stake has turned out (决策执行效果跟踪评价). */
export const effectTrackingSchema = z
  .object({
    reformDecision: z.enum(reformDecisions).meta({ description: `所涉改革决策的执行情况：${reformDecisions.map((d) => `\`${d}\` ${reformDecisionWords[d].zh}`).join('，')}。` }),
    results: text(4000).meta({ description: '决策执行效果：取得的成效、存在的问题和后续影响。' }),
    recoveredSinceRuling: money.meta({ description: '认定以来累计挽回的损失金额（元），不超过申请时尚未挽回的损失。' }),
  })
  .strict()
  .meta({ description: '作出认定的组织部门按规程规定的时间跟踪评价所涉改革决策的执行效果。' });

export const revisitSchema = z
  .object({
    thinking: text(4000),
    workPerformance: text(4000),
    lifeSituation: text(4000),
    assessment: text(4000),
    newTier: z.enum(tiers).optional(),
  })
  .strict();

// ---- Case state (returned by the query, by every accepted Update and by the API) ----

/**
 * Where a case rests between reactions. A waiting stage carries the name of the task it waits on and
 * of the action that ends it (`acceptance`, `rulingReview`, …); screening and assessment are steps of
 * a reaction, never a resting place (see workflows/case/transitions.ts).
 */
export const stages = Object.keys(stageLabels) as (keyof typeof stageLabels)[];
export type Stage = keyof typeof stageLabels;
export const stageSchema = z.enum(stages as [Stage, ...Stage[]]).meta({ description: `The stage: ${stages.map((s) => `\`${s}\` ${stageLabels[s]}`).join(', ')}.` });

export const closeReasons = Object.keys(closeReasonLabels) as (keyof typeof closeReasonLabels)[];
export type CloseReason = keyof typeof closeReasonLabels;

export const taskKinds = Object.keys(taskLabels) as (keyof typeof taskLabels)[];
export type TaskKind = keyof typeof taskLabels;
export const taskKindSchema = z.enum(taskKinds as [TaskKind, ...TaskKind[]]).meta({ description: `The task: ${taskKinds.map((k) => `\`${k}\` ${taskLabels[k]}`).join(', ')}.` });

const instant = z.string().describe('An ISO instant (UTC).');
const civilDate = z.string().describe('A civil date in China, YYYY-MM-DD.');
const who = z.object({ sub: z.string(), role: z.enum(roles) }).strict();
const outcomeSchema = z.enum(outcomes);
const tierSchema = z.enum(tiers);

/** How a task's deadline was counted, so a newly published calendar notice can count it again. */
export const planBasisSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('wait'), from: instant, duration: durationSchema }).strict(),
  z.object({ kind: z.literal('dueDate'), dueDate: civilDate }).strict(),
]);
export type PlanBasis = z.infer<typeof planBasisSchema>;

/** A wait: who must act, by when, and what the reminders and escalations have done so far. */
export const pendingTaskSchema = z
  .object({
    id: z.string(),
    kind: taskKindSchema,
    label: z.string().describe('The task in Chinese.'),
    role: z.enum(roles),
    /** Subjects allowed to act (experts invited), if narrower than the role. */
    assignees: z.array(z.string()).optional(),
    /** The body that must act (a unit code), where one is known. */
    body: z.string().optional(),
    opensAt: instant,
    dueAt: instant,
    basis: planBasisSchema,
    reminders: z.array(instant),
    remindersSent: z.number().int(),
    escalations: z.number().int(),
    nextEscalationAt: instant.optional(),
    overdue: z.boolean(),
    provisional: z.boolean().describe('The deadline counts days of a year whose holiday notice is not published yet.'),
    status: z.enum(['open', 'done', 'cancelled']),
  })
  .strict();
export type PendingTask = z.infer<typeof pendingTaskSchema>;

export const timelineEntrySchema = z
  .object({ at: instant, event: z.string(), actor: who.optional(), detail: z.record(z.string(), z.unknown()).optional() })
  .strict();
export type TimelineEntry = z.infer<typeof timelineEntrySchema>;

export const screeningHitSchema = z
  .object({ ruleId: z.string(), text: z.object({ zh: z.string(), en: z.string() }).strict(), handOffToDiscipline: z.boolean(), evidence: z.string() })
  .strict();
export type ScreeningHit = z.infer<typeof screeningHitSchema>;

export const screeningResultSchema = z
  .object({ phase: z.enum(['application', 'investigation']), at: instant, passed: z.boolean(), hits: z.array(screeningHitSchema), checked: z.array(z.string()) })
  .strict();
export type ScreeningResult = z.infer<typeof screeningResultSchema>;

export const assessmentSchema = z
  .object({
    factors: z.array(z.object({ key: z.enum(factorKeys), score: z.number(), weight: z.number(), weighted: z.number(), note: z.string() }).strict()),
    base: z.number(),
    performance: z.array(z.object({ year: z.number().int(), grade: z.string(), points: z.number() }).strict()),
    performanceAdjustment: z.number(),
    composite: z.number(),
    suggested: outcomeSchema,
    bands: z.object({ exemptMin: z.number(), mitigateMin: z.number() }).strict(),
    controversial: z.boolean(),
    expertReviewRequired: z.boolean(),
    expertReasons: z.array(z.string()),
  })
  .strict();
export type Assessment = z.infer<typeof assessmentSchema>;

export const rulingSchema = z
  .object({
    outcome: outcomeSchema,
    outcomeLabel: z.string(),
    influenceMonths: z.number().int().optional(),
    recommendedForm: z.number().int().optional(),
    tier: tierSchema.optional(),
    reasons: z.string(),
    justification: z.string().optional(),
    objectionResponse: z.string().optional(),
    proposedBy: z.string(),
    proposedAt: instant,
    outsideBand: z.boolean(),
    reviews: z.array(z.object({ by: z.string(), at: instant, decision: z.enum(['approve', 'return']), comments: z.string() }).strict()),
    status: z.enum(['proposed', 'returned', 'approved', 'final', 'superseded']),
  })
  .strict();
export type Ruling = z.infer<typeof rulingSchema>;

export const measureSchema = z
  .object({
    id: z.string(),
    title: z.string(),
    description: z.string(),
    dueDate: civilDate,
    dueAt: instant,
    status: z.enum(['open', 'completed', 'verified']),
    progress: z.array(z.object({ at: instant, by: z.string(), progress: z.string(), percent: z.number(), completed: z.boolean() }).strict()),
    verification: z.object({ at: instant, by: z.string(), verified: z.boolean(), comments: z.string() }).strict().optional(),
    overdue: z.boolean(),
  })
  .strict();
export type Measure = z.infer<typeof measureSchema>;

export const revisitStateSchema = z
  .object({
    id: z.string(),
    monthOffset: z.number(),
    tier: tierSchema,
    scheduledFor: instant,
    dueAt: instant,
    status: z.enum(['scheduled', 'open', 'done', 'cancelled']),
    overdue: z.boolean(),
    record: z
      .object({ at: instant, by: z.string(), thinking: z.string(), workPerformance: z.string(), lifeSituation: z.string(), assessment: z.string(), newTier: tierSchema.optional() })
      .strict()
      .optional(),
  })
  .strict();
export type Revisit = z.infer<typeof revisitStateSchema>;

/**
 * A decision-effect tracking: when it opens (an offset from the final ruling), its deadline, and what
 * the ruling body recorded. `planned` until it is recorded (`done`) or its deadline passes
 * unrecorded (`lapsed`); `cancelled` when the case closes otherwise.
 */
export const effectTrackingStateSchema = z
  .object({
    id: z.string(),
    monthOffset: z.number().describe('When it opens: months after the final ruling (the policy\'s follow-up unit).'),
    opensAt: instant,
    dueAt: instant,
    status: z.enum(['planned', 'done', 'lapsed', 'cancelled']),
    record: z
      .object({ at: instant, by: z.string(), reformDecision: z.enum(reformDecisions), results: z.string(), recoveredSinceRuling: z.number() })
      .strict()
      .optional(),
  })
  .strict();
export type EffectTracking = z.infer<typeof effectTrackingStateSchema>;

/**
 * Where a case belongs, pinned when it opens from the registry: its unit's locality, that locality
 * and the ones above it (who may see the case), and the bodies that serve it.
 */
export const jurisdictionSchema = z
  .object({
    locality: z.string(),
    path: z.array(z.string()).describe('The locality and its ancestors, nearest first.'),
    bodies: z
      .object({ organization: z.string().optional(), discipline: z.string().optional(), committee: z.string().optional(), supervision: z.string().optional() })
      .strict(),
    /** The Chinese names of the unit and of those bodies, by code, for what people read. */
    names: z.record(z.string(), z.string()).optional(),
  })
  .strict();
export type Jurisdiction = z.infer<typeof jurisdictionSchema>;

export const caseStateSchema = z
  .object({
    caseId: z.string(),
    origin: z.enum(['application', 'referral']),
    policyVersion: z.string(),
    unitCode: z.string(),
    category: z.string(),
    jurisdiction: jurisdictionSchema.optional(),
    openedAt: instant,
    openedBy: who,
    stage: stageSchema,
    stageLabel: z.string().describe('The stage in Chinese.'),
    closeReason: z.enum(closeReasons as [CloseReason, ...CloseReason[]]).optional(),
    outcome: outcomeSchema.optional(),
    application: applicationSchema,
    supplements: z.array(z.object({ at: instant, note: z.string(), evidenceCount: z.number().int() }).strict()),
    screenings: z.array(screeningResultSchema),
    investigation: investigationSchema.extend({ by: z.string(), at: instant }).optional(),
    assessment: assessmentSchema.optional(),
    experts: z
      .object({
        invited: z.array(z.string()),
        invitedBy: z.string().optional(),
        opinions: z.array(
          z
            .object({
              by: z.string(),
              at: instant,
              recommendation: outcomeSchema,
              opinion: z.string(),
              report: evidenceSchema.optional(),
              /** Correction suggestions, numbered `s<opinion>-<n>`; the correction plan answers each. */
              suggestions: z.array(z.object({ id: z.string(), text: z.string() }).strict()).optional(),
            })
            .strict(),
        ),
        quorumMet: z.boolean().optional(),
      })
      .strict(),
    consultation: z.object({ by: z.string(), at: instant, opinion: z.enum(['concur', 'object', 'none']), reasons: z.string() }).strict().optional(),
    rulings: z.array(rulingSchema),
    appeal: z
      .object({
        at: instant,
        by: z.string(),
        grounds: z.string(),
        decision: z
          .object({
            by: z.string(),
            at: instant,
            decision: z.enum(['uphold', 'overturn']),
            reasons: z.string(),
            /** Overturned: the outcome the replacement ruling must have, when the reconsideration named one. */
            replacement: z.object({ outcome: outcomeSchema }).strict().optional(),
          })
          .strict()
          .optional(),
      })
      .strict()
      .optional(),
    handOff: z
      .object({
        at: instant,
        reason: z.enum(['screening', 'denied']),
        recommendedForm: z.number().int().optional(),
        ruleIds: z.array(z.string()).optional(),
        /** What discipline inspection recorded it made of the case. */
        outcome: z
          .object({ by: z.string(), at: instant, disposition: z.enum(handOffDispositions), dispositionLabel: z.string(), form: z.number().int().optional(), note: z.string() })
          .strict()
          .optional(),
      })
      .strict()
      .optional(),
    /** A screening exclusion reported to the organization department, and what it decided. */
    exclusion: z
      .object({
        phase: z.enum(['application', 'investigation']),
        at: instant,
        ruleIds: z.array(z.string()),
        decision: z
          .object({
            by: z.string(),
            at: instant,
            decision: z.enum(['confirmed', 'overridden', 'lapsed']),
            comments: z.string().optional(),
            reason: z.string().optional(),
            falseCircumstances: z.array(circumstanceKeySchema).optional(),
          })
          .strict()
          .optional(),
      })
      .strict()
      .optional(),
    correctionPlan: z
      .object({
        at: instant,
        by: z.string(),
        opinion: z.string(),
        /** The answer to each correction suggestion of the expert (third-party) opinions. */
        suggestionResponses: z
          .array(z.object({ suggestionId: z.string(), adopted: z.boolean(), measureId: z.string().optional(), reason: z.string().optional() }).strict())
          .optional(),
      })
      .strict()
      .optional(),
    measures: z.array(measureSchema),
    revisits: z.array(revisitStateSchema),
    /** The decision-effect trackings (决策执行效果跟踪评价) planned from the final ruling; absent in cases that predate them. */
    effectTrackings: z.array(effectTrackingStateSchema).optional(),
    /** The department that made the ruling: "whoever tolerates, revisits". */
    rulingBody: z.string().optional(),
    finalAt: instant.optional(),
    /** Mitigate: the last day of the influence period (影响期). */
    influenceUntil: civilDate.optional(),
    /**
     * Mitigate: the influence period as recorded (first and last day), the instant it ends (00:00
     * Beijing time after its last day) and when the case saw it end. The case stays open until then.
     */
    influence: z.object({ from: civilDate, until: civilDate, endsAt: instant, endedAt: instant.optional() }).strict().optional(),
    tasks: z.array(pendingTaskSchema),
    timeline: z.array(timelineEntrySchema),
    /** The record system refused this case's ledger entries for good; they are retried until it takes them. */
    recordFailure: z.object({ since: instant, seq: z.number().int(), error: z.string(), attempts: z.number().int() }).strict().optional(),
  })
  .strict()
  .meta({ id: 'CaseState', description: 'The state of a case: stage, tasks, timeline, assessment, rulings, measures, revisits.' });
export type CaseState = z.infer<typeof caseStateSchema>;
