/**
 * The typical-case library as the API reads and changes it: the record system's library
 * (activities/records/library.ts) on the store the process has open, the shapes its routes answer
 * with, and its refusals as problem documents. Without a record store the routes answer 503.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { personalDataWords } from '../domain/anonymization';
import type { Actor } from '../domain/case';
import { categoryLabel, closeReasonLabels, outcomeLabels, situationLabels, typicalKindLabels, typicalKindWords, typicalStatusLabels } from '../domain/labels';
import { typicalKinds, typicalStatuses, type LibrarySearch, type TypicalStatus } from '../domain/library';
import { outcomes, situations, type Situation } from '../domain/policy';
import type { Registry } from '../domain/registry';
import type { Db } from '../activities/records/db';
import {
  LibraryStepRefused,
  libraryCaseFacts,
  listTypicalProposals,
  proposeTypicalCase,
  reviewTypicalCase,
  reviseTypicalCase,
  searchLibrary,
  typicalCaseAudit,
  typicalCaseEntry,
  type LibraryCaseFacts,
  type TypicalAuditRow,
  type TypicalCaseRow,
} from '../activities/records/library';
import type { RecordKeys } from '../activities/records/sealing';
import { bilingual } from './i18n';
import { ProblemError, UnavailableError, type LocalFieldError } from './problems';
import { decodeCursor, encodeCursor } from './read-model';

export interface PageRequest {
  limit: number;
  cursor?: string | undefined;
}

/** What the library routes need of the record system. */
export interface LibrarySource {
  caseFacts(caseId: string): Promise<LibraryCaseFacts | undefined>;
  propose: (input: Parameters<typeof proposeTypicalCase>[2]) => ReturnType<typeof proposeTypicalCase>;
  revise: (input: Parameters<typeof reviseTypicalCase>[2]) => ReturnType<typeof reviseTypicalCase>;
  review: (input: Parameters<typeof reviewTypicalCase>[2]) => ReturnType<typeof reviewTypicalCase>;
  entry(entryId: number): Promise<TypicalCaseRow | undefined>;
  audit(entryId: number): Promise<TypicalAuditRow[]>;
  search: (filter: LibrarySearch, page: Parameters<typeof searchLibrary>[2]) => ReturnType<typeof searchLibrary>;
  proposals: (locality: string, status: TypicalStatus | undefined, page: Parameters<typeof listTypicalProposals>[3]) => ReturnType<typeof listTypicalProposals>;
}

/** The library on the record store the process has open (PostgreSQL, or the embedded store). */
export function createLibrary(db: Db, keys: RecordKeys): LibrarySource {
  return {
    caseFacts: (caseId) => libraryCaseFacts(db, caseId),
    propose: (input) => proposeTypicalCase(db, keys, input),
    revise: (input) => reviseTypicalCase(db, keys, input),
    review: (input) => reviewTypicalCase(db, keys, input),
    entry: (entryId) => typicalCaseEntry(db, entryId),
    audit: (entryId) => typicalCaseAudit(db, entryId),
    search: (filter, page) => searchLibrary(db, filter, page),
    proposals: (locality, status, page) => listTypicalProposals(db, locality, status, page),
  };
}

const unavailable = () => Promise.reject(new UnavailableError('this API has no record store: the typical-case library lives in it'));
/** For a process with no record store. */
export const noLibrary: LibrarySource = {
  caseFacts: unavailable,
  propose: unavailable,
  revise: unavailable,
  review: unavailable,
  entry: unavailable,
  audit: unavailable,
  search: unavailable,
  proposals: unavailable,
};

// ---- Shapes ----

export const entryIdSchema = z.string().regex(/^[1-9][0-9]{0,9}$/, 'a typical case id: a positive number');
export const entryParams = z.object({ entryId: entryIdSchema });

const publishedFields = {
  entryId: z.string(),
  kind: z.enum(typicalKinds),
  kindLabel: z.string(),
  category: z.string(),
  categoryLabel: z.string(),
  situation: z.enum(situations).optional(),
  situationLabel: z.string().optional(),
  outcome: z.enum(outcomes).optional(),
  outcomeLabel: z.string().optional(),
  closeReason: z.string(),
  closeReasonLabel: z.string(),
  locality: z.string(),
  localityName: z.string().describe('Where the case belonged, province first (江苏省南京市): no unit, no case id.'),
  title: z.string(),
  account: z.string(),
  lessons: z.string(),
};

export const publishedEntrySchema = z
  .object({ ...publishedFields, publishedAt: z.string() })
  .meta({ id: 'TypicalCase', description: 'A published account of the typical-case library: anonymized, readable by every body.' });

const replacedSchema = z.array(z.object({ field: z.string(), kind: z.string(), kindLabel: z.string(), placeholder: z.string() })).describe('What automatic replacement replaced, by field and kind (never the value).');

export const proposalSchema = z
  .object({
    ...publishedFields,
    caseId: z.string(),
    status: z.enum(typicalStatuses),
    statusLabel: z.string(),
    revision: z.number().int(),
    proposedBy: z.string(),
    proposingBody: z.string(),
    proposedAt: z.string(),
    revisedBy: z.string().optional(),
    revisedAt: z.string().optional(),
    reviewedBy: z.string().optional(),
    reviewingBody: z.string().optional(),
    reviewedAt: z.string().optional(),
    returnReason: z.string().optional(),
    publishedAt: z.string().optional(),
    replaced: replacedSchema.optional(),
    history: z
      .array(
        z.object({
          at: z.string(),
          by: z.object({ sub: z.string(), role: z.string(), body: z.string() }),
          action: z.enum(['propose', 'revise', 'approve', 'return']),
          status: z.enum(typicalStatuses),
          revision: z.number().int(),
          reason: z.string().optional(),
          title: z.string(),
          account: z.string(),
          lessons: z.string(),
          replaced: replacedSchema,
        }),
      )
      .optional()
      .describe('Every step, oldest first: who, when, what (the account as it stood after the step).'),
  })
  .meta({ id: 'TypicalCaseProposal', description: 'An account of the library with where it stands: for the proposing departments and the approvers of the case’s jurisdiction.' });

export const libraryPageSchema = z.object({
  items: z.array(publishedEntrySchema),
  nextCursor: z.string().optional().describe('Pass back as `cursor` for the next page; absent on the last page.'),
  total: z.number().int().describe('How many published accounts match, over all pages.'),
});
export const proposalPageSchema = z.object({ items: z.array(proposalSchema), nextCursor: z.string().optional() });

const published = (row: TypicalCaseRow, registry: Registry) => ({
  entryId: String(row.id),
  kind: row.kind,
  kindLabel: typicalKindLabels[row.kind],
  category: row.category,
  categoryLabel: categoryLabel(row.category),
  ...(row.situation ? { situation: row.situation as Situation, situationLabel: situationLabels[row.situation as Situation] } : {}),
  ...(row.outcome ? { outcome: row.outcome, outcomeLabel: outcomeLabels[row.outcome] } : {}),
  closeReason: row.closeReason,
  closeReasonLabel: (closeReasonLabels as Record<string, string>)[row.closeReason] ?? row.closeReason,
  locality: row.locality,
  localityName: registry.locality(row.locality) ? registry.placeName(row.locality) : row.locality,
  title: row.title,
  account: row.account,
  lessons: row.lessons,
});

export const publishedView = (row: TypicalCaseRow, registry: Registry): z.infer<typeof publishedEntrySchema> => ({ ...published(row, registry), publishedAt: row.publishedAt! });

const replacedView = (replaced: readonly { field: string; kind: keyof typeof personalDataWords; placeholder: string }[]) =>
  replaced.map((r) => ({ field: r.field, kind: r.kind, kindLabel: personalDataWords[r.kind].zh, placeholder: r.placeholder }));

export function proposalView(row: TypicalCaseRow, registry: Registry, extra: { replaced?: TypicalAuditRow['replaced']; history?: TypicalAuditRow[] } = {}): z.infer<typeof proposalSchema> {
  const present = <T extends object>(o: T): T => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
  return present({
    ...published(row, registry),
    caseId: row.caseId,
    status: row.status,
    statusLabel: typicalStatusLabels[row.status],
    revision: row.revision,
    proposedBy: row.proposedBy,
    proposingBody: row.proposingBody,
    proposedAt: row.proposedAt,
    revisedBy: row.revisedBy,
    revisedAt: row.revisedAt,
    reviewedBy: row.reviewedBy,
    reviewingBody: row.reviewingBody,
    reviewedAt: row.reviewedAt,
    returnReason: row.returnReason,
    publishedAt: row.publishedAt,
    replaced: extra.replaced ? replacedView(extra.replaced) : undefined,
    history: extra.history?.map((h) => present({ ...h, replaced: replacedView(h.replaced) })),
  });
}

// ---- Cursors: (instant, entry id), bound to the listing and its caller ----

export function libraryTag(kind: 'library' | 'proposals', viewer: Actor, filter: object): string {
  const scope = [kind, viewer.role, kind === 'proposals' ? `${viewer.locality}|${viewer.unit}` : '', filter];
  return createHash('sha256').update(JSON.stringify(scope)).digest('base64url').slice(0, 11);
}

export const pageAfter = (tag: string, cursor: string | undefined): { at: string; id: number } | undefined => {
  if (!cursor) return undefined;
  const [at, id] = decodeCursor(tag, cursor, entryIdSchema);
  return { at, id: Number(id) };
};

export const cursorAfter = (tag: string, more: boolean, last: TypicalCaseRow | undefined, at: (r: TypicalCaseRow) => string): string | undefined =>
  more && last ? encodeCursor(tag, [at(last), String(last.id)]) : undefined;

// ---- Refusals ----

/** A refusal of the library as a problem document, in both languages, naming what was found and where (never the value). */
export function libraryProblem(err: LibraryStepRefused, where: 'body' | 'entry'): ProblemError {
  const r = err.refusal;
  switch (r.reason) {
    case 'caseNotClosed':
      return new ProblemError('caseNotClosed', bilingual('Only a closed case can be a typical case.', '只有已结案的案件才能作为典型案例。'));
    case 'notTypical': {
      const why = r.closeReason ? (closeReasonLabels as Record<string, string>)[r.closeReason] ?? r.closeReason : '';
      return new ProblemError(
        'notTypical',
        bilingual(
          `The case closed as ${r.closeReason ?? 'it did'}: only a tolerated case (exempt or mitigate) is good practice, only a denied or excluded one a warning.`,
          `该案件以“${why}”结案：只有免责或从轻减轻的案件可作为容错典型，只有不予容错或经甄别排除的案件可作为警示案例。`,
        ),
        { errors: [{ path: 'body.caseId', message: bilingual('a case that can be neither kind', '不能作为任何一类典型案例的案件') }] },
      );
    }
    case 'typicalKindMismatch':
      return new ProblemError(
        'typicalKindMismatch',
        r.asked === 'warning'
          ? bilingual('A tolerated case (exempt or mitigate) is good practice, not a warning: warnings come from denied and excluded cases.', '予以容错（免责、从轻或减轻）的案件只能作为容错典型，不能作为警示案例：警示案例来自不予容错或经甄别排除的案件。')
          : bilingual('A denied or excluded case is a warning, not good practice: good practice comes from tolerated cases.', '不予容错或经甄别排除的案件只能作为警示案例，不能作为容错典型：容错典型来自免责、从轻或减轻的案件。'),
        { errors: [{ path: 'body.kind', message: bilingual(`this case suits ${r.suits}`, `该案件应作为“${typicalKindWords[r.suits].zh}”`) }] },
      );
    case 'personalDataErased':
      return new ProblemError(
        'personalDataErased',
        bilingual(
          'The case’s personal data was erased when its retention period ended: there is nothing left to check the account against, so it cannot be proposed or published.',
          '该案件保存期满，个人信息已删除，已无从核查案例文本是否含有个人信息，因此不能推荐或发布。',
        ),
      );
    case 'personalDataInAccount': {
      const errors: LocalFieldError[] = r.findings.map((f) => ({
        path: `${where}.${f.field}`,
        message: bilingual(`${personalDataWords[f.kind].en}, from character ${f.position}`, `${personalDataWords[f.kind].zh}（自第 ${f.position} 个字起）`),
      }));
      const kinds = [...new Set(r.findings.map((f) => f.kind))];
      return new ProblemError(
        'personalDataInAccount',
        bilingual(
          `The text holds personal data of the case (${kinds.map((k) => personalDataWords[k].en).join(', ')}): remove it, or send anonymize: "replace" to have it replaced by placeholders.`,
          `文本含有案件的个人信息（${kinds.map((k) => personalDataWords[k].zh).join('、')}）：请删除，或以 anonymize: "replace" 自动替换为“某干部”等占位词。`,
        ),
        { errors },
      );
    }
    case 'alreadyProposed':
      return new ProblemError('alreadyProposed', bilingual(`This case is typical case ${r.entryId} already: revise that one.`, `该案件已是编号 ${r.entryId} 的典型案例，请修改该案例。`));
    case 'fourEyes':
      return new ProblemError('fourEyes', bilingual('Whoever proposed or revised the account may not approve or return it.', '推荐或修改该案例的人不得审核该案例。'));
    case 'wrongStatus':
      return new ProblemError('wrongStatus', bilingual(`The typical case is ${r.status}.`, `该典型案例${typicalStatusLabels[r.status]}。`));
  }
}

export const entryNotFound = () => new ProblemError('notFound', bilingual('No typical case with this id is visible to you.', '没有您可查看的该编号典型案例。'));
