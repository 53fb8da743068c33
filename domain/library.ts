/**
 * The typical-case library (典型案例库): anonymized accounts of closed cases, published for publicity
 * of good practice (宣传引导: 积极推介敢试敢为的容错好经验好典例) and for warning education (警示教育:
 * 通报典型案例予以警示提醒). The decisions, as pure functions:
 * - which closed case may be which kind of account: a tolerated case (exempt or mitigate, corrected and
 *   revisited) is good practice; a denied case or one excluded by screening is a warning; a case
 *   refused, withdrawn or closed for want of a supplement is neither;
 * - who proposes (the organization department of the case's jurisdiction), who approves (the party
 *   committee of the case's jurisdiction, the review authority that also approves rulings; never a
 *   person who wrote the text), who sees an account before it is published (those two) and who reads
 *   the published library (every body of every locality);
 * - what of the case is personal data to keep out of the text (see anonymization.ts).
 */
import { z } from 'zod';
import { caseIdSchema, categorySchema, type Actor, type Application, type CaseRole } from './case';
import type { PersonalItem } from './anonymization';
import { oversees } from './registry';
import { outcomes, situations, type Outcome } from './policy';
import { typicalKindWords, typicalStatusWords } from './labels';

export const typicalKinds = Object.keys(typicalKindWords) as [keyof typeof typicalKindWords, ...(keyof typeof typicalKindWords)[]];
export type TypicalKind = (typeof typicalKinds)[number];
export const typicalStatuses = Object.keys(typicalStatusWords) as [keyof typeof typicalStatusWords, ...(keyof typeof typicalStatusWords)[]];
export type TypicalStatus = (typeof typicalStatuses)[number];

/**
 * What happens to personal data found in a proposal: `refuse` (the default) refuses it and names what
 * was found and where; `replace` puts placeholders (某干部, 某同志, （编号略）) in its place and says so.
 */
export const anonymizeModes = ['refuse', 'replace'] as const;
export type AnonymizeMode = (typeof anonymizeModes)[number];

const text = (max: number) => z.string().trim().min(1).max(max);

const accountFields = {
  title: text(200).meta({ description: '标题。' }),
  account: text(20000).meta({ description: '案例正文：经过、认定与处理，不得含有干部姓名、编号等个人信息。' }),
  lessons: text(8000).meta({ description: '启示（经验或教训）。' }),
  anonymize: z
    .enum(anonymizeModes)
    .default('refuse')
    .meta({ description: '发现案件个人信息时：`refuse`（默认）拒绝并指出所在位置；`replace` 自动替换为“某干部”等占位词。' }),
};

export const typicalProposalSchema = z
  .object({
    caseId: caseIdSchema,
    kind: z.enum(typicalKinds).meta({ description: '`goodPractice` 容错典型（免责、从轻或减轻的案件），`warning` 警示案例（不予容错或经甄别排除的案件）。' }),
    ...accountFields,
  })
  .strict()
  .meta({ id: 'TypicalCaseProposal', description: '组织部门推荐已结案件为典型案例，附案例正文与启示。' });
export type TypicalProposal = z.infer<typeof typicalProposalSchema>;

export const typicalRevisionSchema = z
  .object(accountFields)
  .strict()
  .meta({ id: 'TypicalCaseRevision', description: '修改待审核或被退回的典型案例，修改后重新提交审核。' });
export type TypicalRevision = z.infer<typeof typicalRevisionSchema>;

export const typicalReviewSchema = z
  .object({
    decision: z.enum(['approve', 'return']).meta({ description: '`approve` 审核通过并发布，`return` 退回修改。' }),
    reason: text(4000).optional().meta({ description: '退回理由（退回时必填）。' }),
  })
  .strict()
  .superRefine((r, ctx) => {
    if (r.decision === 'return' && !r.reason) ctx.addIssue({ code: 'custom', path: ['reason'], message: 'a return needs a reason' });
  })
  .meta({ id: 'TypicalCaseReview', description: '党委（审核机关）审核典型案例：通过即发布，或说明理由退回。' });
export type TypicalReview = z.infer<typeof typicalReviewSchema>;

/** The library's search filters. */
export const librarySearchSchema = z
  .object({
    kind: z.enum(typicalKinds).optional(),
    category: categorySchema.optional(),
    situation: z.enum(situations).optional(),
    outcome: z.enum(outcomes).optional(),
    q: z.string().trim().min(1).max(100).optional().describe('Words the title, account or lessons contain (a substring, any letter case).'),
  })
  .strict();
export type LibrarySearch = z.infer<typeof librarySearchSchema>;

/** What the library reads of a case from the record system's register. */
export interface TypicalCaseFacts {
  stage: string;
  outcome?: Outcome | undefined;
  closeReason?: string | undefined;
  /** The case's personal data was erased (its retention period ended). */
  erased: boolean;
}

/** Why a case may not (now) be an account of the library. */
export type TypicalRefusal =
  | { reason: 'caseNotClosed' }
  | { reason: 'notTypical'; closeReason?: string | undefined }
  | { reason: 'typicalKindMismatch'; asked: TypicalKind; suits: TypicalKind }
  | { reason: 'personalDataErased' };

/** The kind of account a closed case can be, or undefined when it can be none. */
export function typicalKindOf(facts: Pick<TypicalCaseFacts, 'stage' | 'outcome' | 'closeReason'>): TypicalKind | undefined {
  if (facts.stage !== 'closed') return undefined;
  if (facts.closeReason === 'completed' && (facts.outcome === 'exempt' || facts.outcome === 'mitigate')) return 'goodPractice';
  if (facts.closeReason === 'denied' || facts.closeReason === 'notTolerable') return 'warning';
  return undefined;
}

/**
 * Whether the case may be proposed (or, later, published) as an account of `kind`: it must be closed,
 * its outcome must suit the kind, and its personal data must still be there to check the text against.
 * An erased case has nothing left to check against, so nothing of it is proposed or published from then
 * on (what was published before stays: it was checked when it was published).
 */
export function typicalRefusal(facts: TypicalCaseFacts, kind: TypicalKind): TypicalRefusal | undefined {
  if (facts.stage !== 'closed') return { reason: 'caseNotClosed' };
  const suits = typicalKindOf(facts);
  if (!suits) return { reason: 'notTypical', closeReason: facts.closeReason };
  if (suits !== kind) return { reason: 'typicalKindMismatch', asked: kind, suits };
  if (facts.erased) return { reason: 'personalDataErased' };
  return undefined;
}

/**
 * The personal data of a case to keep out of its account: the cadre's name and id (from the register
 * and from the application), the accountability case the application refers to, and the names and
 * ids of the people the registry records in the case's unit. The application records no other person
 * (its incident summary is free text): what a summary says of others is the proposer's to leave out.
 */
export function casePersonalItems(record: { cadre?: { id: string; name: string } | undefined; application?: Application | undefined }, unitPeople: readonly { id: string; name: string }[]): PersonalItem[] {
  const items: PersonalItem[] = [];
  const cadres = [record.cadre, record.application?.cadre].filter((c): c is { id: string; name: string } => c !== undefined);
  for (const c of cadres) items.push({ kind: 'cadreName', value: c.name }, { kind: 'cadreId', value: c.id });
  if (record.application?.accountabilityCaseRef) items.push({ kind: 'caseReference', value: record.application.accountabilityCaseRef });
  const cadreIds = new Set(cadres.map((c) => c.id));
  for (const p of unitPeople) if (!cadreIds.has(p.id)) items.push({ kind: 'personName', value: p.name }, { kind: 'personId', value: p.id });
  return items;
}

/** The roles that read the published library: every role that acts for a body (not an expert; not the admin, who keeps the registry only). */
export const libraryReaderRoles = ['unit', 'organization', 'discipline', 'committee', 'supervisor'] as const satisfies readonly CaseRole[];
/** The roles that see accounts before they are published: the proposing departments and the approvers. */
export const libraryEditorRoles = ['organization', 'committee'] as const satisfies readonly CaseRole[];

/** Whether `actor` may propose an account of a case whose locality path is `path`: an organization department of its jurisdiction. */
export const mayPropose = (actor: Actor, path: readonly string[]): boolean => actor.role === 'organization' && oversees(actor.locality, { path: [...path] });

/** Whether `actor` may approve or return an account of a case of `path`: the party committee of its jurisdiction. */
export const mayReview = (actor: Actor, path: readonly string[]): boolean => actor.role === 'committee' && oversees(actor.locality, { path: [...path] });

/** Whether `actor` may see an unpublished account of a case of `path`: the organization departments and committees of its jurisdiction. */
export const maySeeUnpublished = (actor: Actor, path: readonly string[]): boolean => mayPropose(actor, path) || mayReview(actor, path);

/** Four eyes: the person who approves or returns an account wrote none of it (neither proposed nor revised it). */
export const fourEyesHolds = (reviewer: Pick<Actor, 'sub'>, writers: readonly string[]): boolean => !writers.includes(reviewer.sub);

/** Which statuses allow which step. */
export const typicalSteps = {
  revise: ['proposed', 'returned'],
  review: ['proposed'],
} as const satisfies Record<string, readonly TypicalStatus[]>;
