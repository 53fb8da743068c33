/**
 * The policy is data: a versioned, validated document holding everything a locality decides
 * (deadlines, reminders, scoring weights and bands, expert rules, windows, revisit schedules and the
 * negative list). A case pins the version it started under; loading a new policy never changes it.
 */
import { z } from 'zod';

/**
 * Working days follow the holiday calendar; calendar days and months end on a working day. `seconds`
 * exists for drills and end-to-end tests of a whole case in minutes; no locality's policy uses it.
 */
export const durationUnits = ['workingDays', 'calendarDays', 'months', 'seconds'] as const;
export const durationSchema = z
  .object({ amount: z.number().int().min(0).max(3650), unit: z.enum(durationUnits) })
  .strict();
export type PolicyDuration = z.infer<typeof durationSchema>;

/** The six judging factors (动机态度、客观条件、程序方法、性质程度、后果影响、挽回损失). */
export const factorKeys = ['motive', 'conditions', 'procedure', 'nature', 'consequence', 'recovery'] as const;
export type FactorKey = (typeof factorKeys)[number];

/** Circumstances a unit declares and an investigation confirms. */
export const circumstanceKeys = [
  'collectiveDecision',
  'proceduresFollowed',
  'privateGain',
  'knowinglyViolated',
  'ignoredRules',
  'brokeLawOrDiscipline',
  'politicalRisk',
  'seriousSafetyAccident',
  'majorEconomicLoss',
  'activeRemedy',
  'forceMajeure',
] as const;
export type CircumstanceKey = (typeof circumstanceKeys)[number];

/** The three tolerable situations: reform uncertainty, forward-looking decision, livelihood trial and error. */
export const situations = ['reformUncertainty', 'forwardLookingDecision', 'livelihoodTrialAndError'] as const;
export type Situation = (typeof situations)[number];

export const faultKinds = ['administrative', 'political', 'moral'] as const;
export type FaultKind = (typeof faultKinds)[number];

export const tiers = ['focus', 'support', 'incentive'] as const;
/** Revisit tiers: 重点关注 (focus), 一般帮扶 (support), 正向激励 (incentive). */
export type Tier = (typeof tiers)[number];

export const outcomes = ['exempt', 'mitigate', 'deny'] as const;
export type Outcome = (typeof outcomes)[number];

const ruleText = z.object({ zh: z.string().min(1), en: z.string().min(1) }).strict();

/**
 * A screening rule. `circumstance` rules fire when that circumstance is declared or confirmed;
 * `scope` rules fire on a fault kind or situation outside what may be tolerated; the `repeat` rule
 * fires when the record system knows an earlier tolerated case of the same cadre and category.
 */
export const screeningRuleSchema = z.discriminatedUnion('kind', [
  z.object({ id: z.string().regex(/^[A-Z]{2,4}-\d{1,3}$/), kind: z.literal('circumstance'), circumstance: z.enum(circumstanceKeys), text: ruleText, handOffToDiscipline: z.boolean() }).strict(),
  z.object({ id: z.string().regex(/^[A-Z]{2,4}-\d{1,3}$/), kind: z.literal('faultKind'), allowed: z.array(z.enum(faultKinds)).min(1), text: ruleText, handOffToDiscipline: z.boolean() }).strict(),
  z.object({ id: z.string().regex(/^[A-Z]{2,4}-\d{1,3}$/), kind: z.literal('situation'), allowed: z.array(z.enum(situations)).min(1), text: ruleText, handOffToDiscipline: z.boolean() }).strict(),
  z.object({ id: z.string().regex(/^[A-Z]{2,4}-\d{1,3}$/), kind: z.literal('repeat'), window: durationSchema, text: ruleText, handOffToDiscipline: z.boolean() }).strict(),
]);
export type ScreeningRule = z.infer<typeof screeningRuleSchema>;

/**
 * Deadlines added after the first policies were published, with the value a policy without them
 * means. A case pins its policy as it was, so a case opened before a deadline existed counts it
 * from here (`deadlineOf`); a document that leaves it out gets the same value when it is loaded.
 */
export const laterDeadlineDefaults = {
  /** The organization department confirms or overrides a screening exclusion (甄别排除结论确认). */
  exclusionReview: { amount: 5, unit: 'workingDays' },
  /** Discipline inspection records what became of a case handed to it (移交处理结果反馈). */
  handOffOutcome: { amount: 30, unit: 'workingDays' },
  /** The ruling body records how the reform decision at stake turned out (决策执行效果跟踪评价), from each tracking's opening. */
  effectTracking: { amount: 10, unit: 'workingDays' },
} as const satisfies Record<string, PolicyDuration>;

/**
 * When the ruling body tracks the effect of the reform decision at stake (决策执行效果跟踪评价), as
 * offsets from the final ruling in `followUp.unit`, where a policy does not say (`effectTrackingOf`).
 * A policy that wants none says `"effectTracking": []`.
 */
export const effectTrackingDefault: readonly number[] = [6, 12];

/**
 * The per-case abuse signals (防止容错机制的滥用) and their thresholds: a cadre applying again within a
 * window in any category, a ruling outside the suggested band, against the consultation's objection or
 * against most expert opinions, an exemption of a large loss. A policy without some of them means
 * these values (`signalPolicyOf`), so a case pinned to an older document raises them too.
 */
export const signalDefaults = {
  /** More than `maxApplications` cases of one cadre opened within `window` (this one included), in any category. */
  repeatApplication: { enabled: true, window: { amount: 36, unit: 'months' }, maxApplications: 1 },
  /** An approved ruling whose outcome is not the band the composite score suggests. */
  outsideBand: { enabled: true },
  /** An approved ruling that tolerates (exempts or mitigates) although discipline inspection objected in the consultation. */
  againstConsultation: { enabled: true },
  /** An approved ruling whose outcome more than `share` of the expert opinions did not recommend. */
  againstExperts: { enabled: true, share: 0.5 },
  /** An approved exemption of a loss above `lossAmount` (CNY, the application's loss amount). */
  largeExemption: { enabled: true, lossAmount: 1_000_000 },
} as const;

const enabled = z.boolean();
export const signalPolicySchema = z
  .object({
    repeatApplication: z
      .object({ enabled, window: durationSchema, maxApplications: z.number().int().min(1).max(100) })
      .strict()
      .default(signalDefaults.repeatApplication),
    outsideBand: z.object({ enabled }).strict().default(signalDefaults.outsideBand),
    againstConsultation: z.object({ enabled }).strict().default(signalDefaults.againstConsultation),
    againstExperts: z.object({ enabled, share: z.number().min(0).max(1) }).strict().default(signalDefaults.againstExperts),
    largeExemption: z.object({ enabled, lossAmount: z.number().min(0) }).strict().default(signalDefaults.largeExemption),
  })
  .strict();
export type SignalPolicy = z.infer<typeof signalPolicySchema>;

/**
 * The aggregate abuse signals over a locality's statistics (domain/signals.ts), and what a policy
 * without them means. Both are stated statistical rules with a minimum count, not bare thresholds:
 * - `unitToleranceRate`: a unit whose tolerance rate (exempt or mitigate among its final rulings)
 *   stands far above its locality's: the lower bound of the one-sided Wilson score interval of the
 *   unit's rate, at `confidence`, lies above the locality's rate, with at least `minDecided` final
 *   rulings of the unit in the period;
 * - `categoryClustering`: a unit whose applications cluster in one category: at least `minCases` of
 *   its applications of the period in that category, and that category's share of them at least `minShare`.
 */
export const aggregateSignalDefaults = {
  unitToleranceRate: { minDecided: 10, confidence: 0.95 },
  categoryClustering: { minCases: 10, minShare: 0.6 },
} as const;

export const unitToleranceRateSchema = z
  .object({ minDecided: z.number().int().min(1).max(100_000), confidence: z.number().gt(0.5).lt(1) })
  .strict();
export const categoryClusteringSchema = z
  .object({ minCases: z.number().int().min(1).max(100_000), minShare: z.number().gt(0).max(1) })
  .strict();

const months = z.array(z.number().int().min(1).max(120)).min(1);

export const policySchema = z
  .object({
    id: z.string().regex(/^[a-z0-9-]{2,40}$/, 'lower-case letters, digits and dashes'),
    version: z.string().regex(/^[a-z0-9-]{2,40}@\d{4}\.\d{1,3}$/, 'id@YYYY.N, e.g. default@2025.1'),
    title: ruleText,
    locality: z.string().min(1),
    effectiveFrom: z.iso.date(),
    deadlines: z
      .object({
        acceptance: durationSchema,
        supplement: durationSchema,
        investigation: durationSchema,
        expertReview: durationSchema,
        consultation: durationSchema,
        rulingProposal: durationSchema,
        review: durationSchema,
        appealWindow: durationSchema,
        reconsideration: durationSchema,
        correctionPlan: durationSchema,
        revisitDue: durationSchema,
        exclusionReview: durationSchema.default(laterDeadlineDefaults.exclusionReview),
        handOffOutcome: durationSchema.default(laterDeadlineDefaults.handOffOutcome),
        effectTracking: durationSchema.default(laterDeadlineDefaults.effectTracking),
      })
      .strict(),
    reminders: z.object({ before: z.array(durationSchema).max(5), onTheDay: z.boolean() }).strict(),
    /** How often an overdue wait escalates again while it stays open. */
    escalationInterval: durationSchema,
    scoring: z
      .object({
        weights: z.object(Object.fromEntries(factorKeys.map((k) => [k, z.number().min(0).max(1)])) as Record<FactorKey, z.ZodNumber>).strict(),
        /** Composite ≥ exemptMin suggests exempt; ≥ mitigateMin mitigate; below, deny. */
        bands: z.object({ exemptMin: z.number().min(0).max(100), mitigateMin: z.number().min(0).max(100) }).strict(),
        /** A composite this close to a band threshold is controversial and needs experts. */
        controversyMargin: z.number().min(0).max(50),
        /** Points added to the composite per recent annual evaluation grade (consistent performance). */
        performance: z
          .object({
            years: z.number().int().min(0).max(10),
            points: z.object({ excellent: z.number(), competent: z.number(), basicallyCompetent: z.number(), incompetent: z.number() }).strict(),
          })
          .strict(),
      })
      .strict()
      .refine((s) => Math.abs(Object.values(s.weights).reduce((a, b) => a + b, 0) - 1) < 1e-9, { message: 'weights must sum to 1', path: ['weights'] })
      .refine((s) => s.bands.exemptMin > s.bands.mitigateMin, { message: 'exemptMin must be above mitigateMin', path: ['bands'] }),
    experts: z
      .object({ lossThreshold: z.number().min(0), count: z.number().int().min(1).max(15), quorum: z.number().int().min(1) })
      .strict()
      .refine((e) => e.quorum <= e.count, { message: 'quorum cannot exceed count', path: ['quorum'] }),
    mitigation: z.object({ maxInfluenceMonths: z.number().int().min(1).max(60) }).strict(),
    /**
     * Revisit offsets per tier, counted from the final ruling in `unit` (months; seconds for drills),
     * and the offsets of the decision-effect trackings (`effectTracking`, the same unit; empty: none).
     */
    followUp: z
      .object({
        unit: z.enum(['months', 'seconds']).default('months'),
        focus: months,
        support: months,
        incentive: months,
        effectTracking: z.array(z.number().int().min(1).max(120)).max(12).default([...effectTrackingDefault]),
      })
      .strict(),
    screeningRules: z.array(screeningRuleSchema).min(1),
    /**
     * How long the record system keeps a closed case's personal data, in years after closing; then it
     * may be erased (`npm run records:erase`). Optional, so documents written before it stay valid.
     */
    retention: z.object({ years: z.number().int().min(1).max(100) }).strict().default({ years: 10 }),
    /**
     * Oversight (监督, 动态监管): the thresholds of the per-case abuse signals (`signals`) and the rules
     * of the aggregate signals the periodic reports raise. Optional, with defaults, so documents written
     * before it stay valid and cases pinned to them keep working.
     */
    oversight: z
      .object({
        signals: signalPolicySchema.default(signalDefaults),
        unitToleranceRate: unitToleranceRateSchema.default(aggregateSignalDefaults.unitToleranceRate),
        categoryClustering: categoryClusteringSchema.default(aggregateSignalDefaults.categoryClustering),
      })
      .strict()
      .default({ signals: signalDefaults, unitToleranceRate: aggregateSignalDefaults.unitToleranceRate, categoryClustering: aggregateSignalDefaults.categoryClustering }),
  })
  .strict()
  .refine((p) => new Set(p.screeningRules.map((r) => r.id)).size === p.screeningRules.length, { message: 'screening rule ids must be unique', path: ['screeningRules'] });

export type Policy = z.infer<typeof policySchema>;
export type DeadlineKey = keyof Policy['deadlines'];

/** The policy's duration for `key`; for a deadline the pinned document predates, its default. */
export function deadlineOf(policy: Pick<Policy, 'deadlines'>, key: DeadlineKey): PolicyDuration {
  return (policy.deadlines as Partial<Policy['deadlines']>)[key] ?? (laterDeadlineDefaults as Partial<Record<DeadlineKey, PolicyDuration>>)[key]!;
}

/** The abuse signals' thresholds of a pinned policy; each one the document predates from its default. */
export function signalPolicyOf(policy: { oversight?: { signals?: Partial<SignalPolicy> } }): SignalPolicy {
  return { ...signalDefaults, ...(policy.oversight?.signals ?? {}) } as SignalPolicy;
}

/** The decision-effect trackings' offsets of a pinned policy; for a document that predates them, the default. */
export function effectTrackingOf(policy: { followUp: { effectTracking?: readonly number[] } }): readonly number[] {
  return policy.followUp.effectTracking ?? effectTrackingDefault;
}

export type OversightRules = Policy['oversight'];

/** The oversight rules of a policy; for a pinned document that predates them (or one of them), the defaults. */
export function oversightOf(policy: Pick<Policy, 'oversight'> | { oversight?: Partial<OversightRules> }): Pick<OversightRules, 'unitToleranceRate' | 'categoryClustering'> {
  const o = (policy.oversight ?? {}) as Partial<OversightRules>;
  return {
    unitToleranceRate: o.unitToleranceRate ?? { ...aggregateSignalDefaults.unitToleranceRate },
    categoryClustering: o.categoryClustering ?? { ...aggregateSignalDefaults.categoryClustering },
  };
}
