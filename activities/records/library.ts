/**
 * The typical-case library in the record system (migration 011): proposing an account of a closed
 * case, revising it, approving (publishing) or returning it, each step audited in the same
 * transaction, and reading the library back. Every step that stores text checks it against the
 * case's personal data, read through the record system's normal unsealing path (`readCase`) under
 * the case's lock, so an erasure cannot slip in between the check and the write. The decisions are
 * domain/library.ts and domain/anonymization.ts.
 */
import { findPersonalData, replacePersonalData, type Finding, type Replacement } from '../../domain/anonymization';
import {
  casePersonalItems,
  fourEyesHolds,
  typicalRefusal,
  typicalSteps,
  type AnonymizeMode,
  type LibrarySearch,
  type TypicalKind,
  type TypicalRefusal,
  type TypicalReview,
  type TypicalStatus,
} from '../../domain/library';
import type { Outcome } from '../../domain/policy';
import type { Db, Queryable } from './db';
import { lockCase, readCase } from './recordSystem';
import type { RecordKeys } from './sealing';

/** Why the library refused a step; nothing was written. */
export type LibraryRefusal =
  | TypicalRefusal
  | { reason: 'personalDataInAccount'; findings: PersonalDataFound[] }
  | { reason: 'alreadyProposed'; entryId: number }
  | { reason: 'fourEyes' }
  | { reason: 'wrongStatus'; status: TypicalStatus };

/** Personal data found in a text: the field, the kind, and the character (from 1) it starts at; never the value. */
export interface PersonalDataFound {
  field: string;
  kind: Finding['kind'];
  position: number;
}

const located = (texts: Readonly<Record<string, string>>, findings: readonly Finding[]): PersonalDataFound[] =>
  findings.map((f) => ({ field: f.field, kind: f.kind, position: [...(texts[f.field] ?? '').slice(0, f.start)].length + 1 }));

export class LibraryStepRefused extends Error {
  override name = 'LibraryStepRefused';
  constructor(readonly refusal: LibraryRefusal) {
    super(`typical-case step refused: ${refusal.reason}`);
  }
}

/** Who took a step: the subject, role and body of the token. */
export interface LibraryAuthor {
  sub: string;
  role: string;
  body: string;
}

/** What the library reads of a case from the register. */
export interface LibraryCaseFacts {
  caseId: string;
  unitCode: string;
  category: string;
  stage: string;
  outcome?: Outcome | undefined;
  closeReason?: string | undefined;
  /** The locality path the read model keeps (empty for a case recorded before it). */
  localities: string[];
  erased: boolean;
}

export interface TypicalCaseRow {
  id: number;
  caseId: string;
  kind: TypicalKind;
  status: TypicalStatus;
  category: string;
  situation?: string | undefined;
  outcome?: Outcome | undefined;
  closeReason: string;
  locality: string;
  localities: string[];
  title: string;
  account: string;
  lessons: string;
  revision: number;
  proposedBy: string;
  proposingBody: string;
  proposedAt: string;
  revisedBy?: string | undefined;
  revisedAt?: string | undefined;
  reviewedBy?: string | undefined;
  reviewingBody?: string | undefined;
  reviewedAt?: string | undefined;
  returnReason?: string | undefined;
  publishedAt?: string | undefined;
  updatedAt: string;
}

export interface TypicalAuditRow {
  id: number;
  at: string;
  by: LibraryAuthor;
  action: 'propose' | 'revise' | 'approve' | 'return';
  status: TypicalStatus;
  revision: number;
  reason?: string | undefined;
  title: string;
  account: string;
  lessons: string;
  replaced: Replacement[];
}

/** The text of an account, as proposed or revised. */
export interface AccountText {
  title: string;
  account: string;
  lessons: string;
  anonymize: AnonymizeMode;
}

const iso = (v: Date | string | null | undefined): string | undefined => (v === null || v === undefined ? undefined : new Date(v).toISOString());
const opt = <T>(v: T | null): T | undefined => (v === null ? undefined : v);

interface RawRow {
  id: number;
  case_id: string;
  kind: TypicalKind;
  status: TypicalStatus;
  category: string;
  situation: string | null;
  outcome: Outcome | null;
  close_reason: string;
  locality: string;
  localities: string[];
  title: string;
  account: string;
  lessons: string;
  revision: number;
  proposed_by: string;
  proposing_body: string;
  proposed_at: Date;
  revised_by: string | null;
  revised_at: Date | null;
  reviewed_by: string | null;
  reviewing_body: string | null;
  reviewed_at: Date | null;
  return_reason: string | null;
  published_at: Date | null;
  updated_at: Date;
}

const rowOf = (r: RawRow): TypicalCaseRow => ({
  id: r.id,
  caseId: r.case_id,
  kind: r.kind,
  status: r.status,
  category: r.category,
  situation: opt(r.situation),
  outcome: opt(r.outcome),
  closeReason: r.close_reason,
  locality: r.locality,
  localities: r.localities,
  title: r.title,
  account: r.account,
  lessons: r.lessons,
  revision: r.revision,
  proposedBy: r.proposed_by,
  proposingBody: r.proposing_body,
  proposedAt: iso(r.proposed_at)!,
  revisedBy: opt(r.revised_by),
  revisedAt: iso(r.revised_at),
  reviewedBy: opt(r.reviewed_by),
  reviewingBody: opt(r.reviewing_body),
  reviewedAt: iso(r.reviewed_at),
  returnReason: opt(r.return_reason),
  publishedAt: iso(r.published_at),
  updatedAt: iso(r.updated_at)!,
});

/** The register's facts of a case, or undefined when the record system has no such case. */
export async function libraryCaseFacts(db: Queryable, caseId: string): Promise<LibraryCaseFacts | undefined> {
  const r = (
    await db.query<{ unit_code: string; category: string; stage: string; outcome: Outcome | null; close_reason: string | null; localities: string[]; erased_at: Date | null }>(
      'SELECT unit_code, category, stage, outcome, close_reason, localities, erased_at FROM cases WHERE case_id = $1',
      [caseId],
    )
  ).rows[0];
  if (!r) return undefined;
  return { caseId, unitCode: r.unit_code, category: r.category, stage: r.stage, outcome: opt(r.outcome), closeReason: opt(r.close_reason), localities: r.localities, erased: r.erased_at !== null };
}

/**
 * The text checked against the case's personal data (opened with the case's key) and the names and ids
 * of its unit's people in the registry: cleaned by placeholders when asked to, else refused naming what
 * was found and where. The caller holds the case's lock.
 */
async function anonymized(tx: Queryable, keys: RecordKeys, facts: LibraryCaseFacts, text: AccountText): Promise<{ texts: { title: string; account: string; lessons: string }; replaced: Replacement[]; situation?: string | undefined }> {
  const record = await readCase(tx, keys, facts.caseId);
  const people = (await tx.query<{ cadre_id: string; name: string }>('SELECT cadre_id, name FROM cadres WHERE unit_code = $1', [facts.unitCode])).rows;
  const items = casePersonalItems({ cadre: record?.cadre, application: record?.application }, people.map((p) => ({ id: p.cadre_id, name: p.name })));
  const texts = { title: text.title, account: text.account, lessons: text.lessons };
  if (text.anonymize === 'replace') {
    const out = replacePersonalData(texts, items);
    if (out.remaining.length) throw new LibraryStepRefused({ reason: 'personalDataInAccount', findings: located(out.texts, out.remaining) });
    return { texts: out.texts as typeof texts, replaced: out.replaced, situation: record?.application?.incident.situation };
  }
  const findings = findPersonalData(texts, items);
  if (findings.length) throw new LibraryStepRefused({ reason: 'personalDataInAccount', findings: located(texts, findings) });
  return { texts, replaced: [], situation: record?.application?.incident.situation };
}

/** The case as it stands now, under its lock, and whether it may be an account of `kind`. */
async function checkedFacts(tx: Queryable, caseId: string, kind: TypicalKind): Promise<LibraryCaseFacts> {
  await lockCase(tx, caseId);
  const facts = await libraryCaseFacts(tx, caseId);
  if (!facts) throw new LibraryStepRefused({ reason: 'caseNotClosed' });
  const refusal = typicalRefusal(facts, kind);
  if (refusal) throw new LibraryStepRefused(refusal);
  return facts;
}

async function audit(tx: Queryable, entryId: number, at: string, by: LibraryAuthor, action: TypicalAuditRow['action'], status: TypicalStatus, revision: number, text: { title: string; account: string; lessons: string }, replaced: Replacement[], reason?: string): Promise<void> {
  await tx.query(
    `INSERT INTO typical_case_audit (entry_id, at, by_sub, by_role, by_body, action, status, revision, reason, title, account, lessons, replaced)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13::jsonb)`,
    [entryId, at, by.sub, by.role, by.body, action, status, revision, reason ?? null, text.title, text.account, text.lessons, JSON.stringify(replaced)],
  );
}

async function entryForUpdate(tx: Queryable, entryId: number): Promise<TypicalCaseRow | undefined> {
  const r = (await tx.query<RawRow>('SELECT * FROM typical_cases WHERE id = $1 FOR UPDATE', [entryId])).rows[0];
  return r ? rowOf(r) : undefined;
}

/** Proposes an account of the closed case `caseId` whose locality path is `path`; LibraryStepRefused when refused. */
export function proposeTypicalCase(
  db: Db,
  keys: RecordKeys,
  input: { caseId: string; kind: TypicalKind; text: AccountText; path: readonly string[]; by: LibraryAuthor; at: string },
): Promise<{ entry: TypicalCaseRow; replaced: Replacement[] }> {
  return db.transaction(async (tx) => {
    const facts = await checkedFacts(tx, input.caseId, input.kind);
    const existing = (await tx.query<{ id: number }>('SELECT id FROM typical_cases WHERE case_id = $1', [input.caseId])).rows[0];
    if (existing) throw new LibraryStepRefused({ reason: 'alreadyProposed', entryId: existing.id });
    const { texts, replaced, situation } = await anonymized(tx, keys, facts, input.text);
    const row = (
      await tx.query<RawRow>(
        `INSERT INTO typical_cases (case_id, kind, status, category, situation, outcome, close_reason, locality, localities, title, account, lessons, revision,
           proposed_by, proposing_body, proposed_at, updated_at)
         VALUES ($1, $2, 'proposed', $3, $4, $5, $6, $7, $8, $9, $10, $11, 1, $12, $13, $14, $14) RETURNING *`,
        [input.caseId, input.kind, facts.category, situation ?? null, facts.outcome ?? null, facts.closeReason ?? '', input.path[0] ?? '', [...input.path], texts.title, texts.account, texts.lessons, input.by.sub, input.by.body, input.at],
      )
    ).rows[0]!;
    await audit(tx, row.id, input.at, input.by, 'propose', 'proposed', 1, texts, replaced);
    return { entry: rowOf(row), replaced };
  });
}

/** Revises a proposed or returned account (checked again) and submits it for approval again. */
export function reviseTypicalCase(db: Db, keys: RecordKeys, input: { entryId: number; text: AccountText; by: LibraryAuthor; at: string }): Promise<{ entry: TypicalCaseRow; replaced: Replacement[] } | undefined> {
  return db.transaction(async (tx) => {
    const caseId = (await tx.query<{ case_id: string }>('SELECT case_id FROM typical_cases WHERE id = $1', [input.entryId])).rows[0]?.case_id;
    if (!caseId) return undefined;
    await lockCase(tx, caseId);
    const entry = (await entryForUpdate(tx, input.entryId))!;
    if (!(typicalSteps.revise as readonly string[]).includes(entry.status)) throw new LibraryStepRefused({ reason: 'wrongStatus', status: entry.status });
    const facts = await checkedFacts(tx, caseId, entry.kind);
    const { texts, replaced } = await anonymized(tx, keys, facts, input.text);
    const revision = entry.revision + 1;
    const row = (
      await tx.query<RawRow>(
        `UPDATE typical_cases SET status = 'proposed', title = $2, account = $3, lessons = $4, revision = $5, revised_by = $6, revised_at = $7, updated_at = $7
         WHERE id = $1 RETURNING *`,
        [input.entryId, texts.title, texts.account, texts.lessons, revision, input.by.sub, input.at],
      )
    ).rows[0]!;
    await audit(tx, input.entryId, input.at, input.by, 'revise', 'proposed', revision, texts, replaced);
    return { entry: rowOf(row), replaced };
  });
}

/**
 * Approves (publishes) or returns a proposed account. Approval checks the text again against the
 * case's personal data as the record system holds it now; the reviewer must have written none of it.
 */
export function reviewTypicalCase(db: Db, keys: RecordKeys, input: { entryId: number; review: TypicalReview; by: LibraryAuthor; at: string }): Promise<TypicalCaseRow | undefined> {
  return db.transaction(async (tx) => {
    const caseId = (await tx.query<{ case_id: string }>('SELECT case_id FROM typical_cases WHERE id = $1', [input.entryId])).rows[0]?.case_id;
    if (!caseId) return undefined;
    await lockCase(tx, caseId);
    const entry = (await entryForUpdate(tx, input.entryId))!;
    if (!(typicalSteps.review as readonly string[]).includes(entry.status)) throw new LibraryStepRefused({ reason: 'wrongStatus', status: entry.status });
    if (!fourEyesHolds(input.by, [entry.proposedBy, ...(entry.revisedBy ? [entry.revisedBy] : [])])) throw new LibraryStepRefused({ reason: 'fourEyes' });
    const text = { title: entry.title, account: entry.account, lessons: entry.lessons };
    if (input.review.decision === 'approve') {
      const facts = await checkedFacts(tx, caseId, entry.kind);
      await anonymized(tx, keys, facts, { ...text, anonymize: 'refuse' });
    }
    const approve = input.review.decision === 'approve';
    const row = (
      await tx.query<RawRow>(
        `UPDATE typical_cases SET status = $2, reviewed_by = $3, reviewing_body = $4, reviewed_at = $5, return_reason = $6,
           published_at = CASE WHEN $2 = 'published' THEN $5::timestamptz END, updated_at = $5
         WHERE id = $1 RETURNING *`,
        [input.entryId, approve ? 'published' : 'returned', input.by.sub, input.by.body, input.at, approve ? null : (input.review.reason ?? null)],
      )
    ).rows[0]!;
    await audit(tx, input.entryId, input.at, input.by, approve ? 'approve' : 'return', approve ? 'published' : 'returned', entry.revision, text, [], input.review.reason);
    return rowOf(row);
  });
}

export async function typicalCaseEntry(db: Queryable, entryId: number): Promise<TypicalCaseRow | undefined> {
  const r = (await db.query<RawRow>('SELECT * FROM typical_cases WHERE id = $1', [entryId])).rows[0];
  return r ? rowOf(r) : undefined;
}

export async function typicalCaseAudit(db: Queryable, entryId: number): Promise<TypicalAuditRow[]> {
  const rows = (
    await db.query<{ id: number; at: Date; by_sub: string; by_role: string; by_body: string; action: TypicalAuditRow['action']; status: TypicalStatus; revision: number; reason: string | null; title: string; account: string; lessons: string; replaced: Replacement[] | string }>(
      'SELECT * FROM typical_case_audit WHERE entry_id = $1 ORDER BY id',
      [entryId],
    )
  ).rows;
  return rows.map((r) => ({
    id: r.id,
    at: iso(r.at)!,
    by: { sub: r.by_sub, role: r.by_role, body: r.by_body },
    action: r.action,
    status: r.status,
    revision: r.revision,
    reason: opt(r.reason),
    title: r.title,
    account: r.account,
    lessons: r.lessons,
    replaced: typeof r.replaced === 'string' ? (JSON.parse(r.replaced) as Replacement[]) : r.replaced,
  }));
}

/** A LIKE pattern that finds `q` as it is: its wildcards and escape character escaped. */
const containing = (q: string): string => `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/** A page of the published library, newest first, and how many accounts match. */
export async function searchLibrary(db: Queryable, filter: LibrarySearch, page: { limit: number; after?: { at: string; id: number } | undefined }): Promise<{ rows: TypicalCaseRow[]; more: boolean; total: number }> {
  const where = `status = 'published'
    AND ($1::text IS NULL OR kind = $1) AND ($2::text IS NULL OR category = $2)
    AND ($3::text IS NULL OR situation = $3) AND ($4::text IS NULL OR outcome = $4)
    AND ($5::text IS NULL OR title ILIKE $5 ESCAPE '\\' OR account ILIKE $5 ESCAPE '\\' OR lessons ILIKE $5 ESCAPE '\\')`;
  const params = [filter.kind ?? null, filter.category ?? null, filter.situation ?? null, filter.outcome ?? null, filter.q ? containing(filter.q) : null];
  const rows = (
    await db.query<RawRow>(
      `SELECT * FROM typical_cases WHERE ${where} AND ($6::timestamptz IS NULL OR (published_at, id) < ($6::timestamptz, $7::int))
       ORDER BY published_at DESC, id DESC LIMIT $8`,
      [...params, page.after?.at ?? null, page.after?.id ?? null, page.limit + 1],
    )
  ).rows;
  const total = (await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM typical_cases WHERE ${where}`, params)).rows[0]?.n ?? 0;
  return { rows: rows.slice(0, page.limit).map(rowOf), more: rows.length > page.limit, total };
}

/** A page of the accounts of cases of `locality` and below (any status, or `status`), newest proposal first. */
export async function listTypicalProposals(db: Queryable, locality: string, status: TypicalStatus | undefined, page: { limit: number; after?: { at: string; id: number } | undefined }): Promise<{ rows: TypicalCaseRow[]; more: boolean }> {
  const rows = (
    await db.query<RawRow>(
      `SELECT * FROM typical_cases WHERE localities @> ARRAY[$1::text] AND ($2::text IS NULL OR status = $2)
         AND ($3::timestamptz IS NULL OR (proposed_at, id) < ($3::timestamptz, $4::int))
       ORDER BY proposed_at DESC, id DESC LIMIT $5`,
      [locality, status ?? null, page.after?.at ?? null, page.after?.id ?? null, page.limit + 1],
    )
  ).rows;
  return { rows: rows.slice(0, page.limit).map(rowOf), more: rows.length > page.limit };
}
