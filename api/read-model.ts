/**
 * The inbox and the case list, answered from the read model in the record system
 * (activities/records/readModel.ts) rather than from Temporal: one indexed query a page, complete,
 * in a stable order, with an opaque keyset cursor. The per-case state (`GET /v1/cases/:id`) stays a
 * workflow query, the authoritative state; the read model follows it by the case's record activity
 * (milliseconds after an Update answers; during a record-system outage, until it recovers), and says
 * how recent it is: every row carries the workflow time of its snapshot and when it was written.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { inboxPage, registerPage, type ReadViewer } from '../activities/records/readModel';
import type { Queryable } from '../activities/records/db';
import { caseIdSchema, categorySchema, roles, stageSchema, unitCodeSchema, type Actor, type CaseState, type PendingTask, type Role, type Stage } from '../domain/case';
import { outcomes, type Outcome } from '../domain/policy';
import { canSeeCase } from './access';
import { InvalidCursorError, UnavailableError } from './problems';

/** Filters of the case listing. */
export const caseFilterSchema = z
  .object({
    stage: stageSchema.optional(),
    outcome: z.enum(outcomes).optional(),
    unit: unitCodeSchema.optional(),
    category: categorySchema.optional(),
    awaiting: z.enum(roles).optional(),
    overdue: z.boolean().optional(),
  })
  .strict();
export type CaseFilter = z.infer<typeof caseFilterSchema>;

export interface PageRequest {
  limit: number;
  cursor?: string | undefined;
}

/** When the read model learnt what a row says: the workflow time of the case's snapshot and when the record system wrote it. */
export interface Freshness {
  asOf?: string | undefined;
  recordedAt?: string | undefined;
}

/** One row of the case listing, from the case register: nothing personal. */
export interface CaseSummary extends Freshness {
  caseId: string;
  status: 'open' | 'closed';
  stage?: Stage | undefined;
  outcome?: Outcome | undefined;
  unitCode?: string | undefined;
  category?: string | undefined;
  policyVersion?: string | undefined;
  awaiting: Role[];
  nextDeadline?: string | undefined;
  overdue: boolean;
  openedAt: string;
  closedAt?: string | undefined;
}

export interface CasePage {
  items: CaseSummary[];
  /** Pass back as `cursor` for the next page; absent on the last page. */
  nextCursor?: string | undefined;
  /** How many cases match the filters (all pages). */
  total: number;
}

export interface InboxTask {
  taskId: string;
  kind: PendingTask['kind'];
  opensAt: string;
  dueAt: string;
  overdue: boolean;
  provisional: boolean;
}

/** A case waiting for the caller, with the caller's open tasks, soonest due first. */
export interface InboxEntry extends Freshness {
  caseId: string;
  stage: Stage;
  unitCode: string;
  category: string;
  nextDueAt: string;
  tasks: InboxTask[];
}

export interface InboxPage {
  items: InboxEntry[];
  nextCursor?: string | undefined;
}

export interface ReadModel {
  /** One page of the open cases waiting for `viewer` at `now`, soonest due first, then by case id. */
  inbox(viewer: Actor, page: PageRequest, now: Date): Promise<InboxPage>;
  /** One page of the cases `viewer` may see, matching `filter`, newest first, and how many match. */
  list(viewer: Actor, filter: CaseFilter, page: PageRequest): Promise<CasePage>;
}

// ---- The rule, on one case's state ----

/**
 * What of `state` waits for `viewer` at `now`: its role's tasks already open (a revisit a year ahead
 * is not in today's inbox); a unit's of its own cases; an expert's where it was invited and is an
 * assignee; a body's in its locality or below; a task with a body (a revisit's: the body that made the
 * ruling) only for that body. The read model's SQL applies exactly this rule; the tests hold it to it.
 */
export function inboxTasksOf(state: CaseState, viewer: Actor, now: Date): PendingTask[] {
  if (!canSeeCase(viewer, state)) return [];
  return state.tasks
    .filter((t) => t.status === 'open' && t.role === viewer.role && Date.parse(t.opensAt) <= now.getTime())
    .filter((t) => !t.assignees || t.assignees.includes(viewer.sub))
    .filter((t) => {
      const body = t.body ?? (t.kind === 'revisit' ? state.rulingBody : undefined);
      return viewer.role === 'expert' || !body || body === viewer.unit;
    })
    .sort((a, b) => a.dueAt.localeCompare(b.dueAt) || a.id.localeCompare(b.id));
}

// ---- Cursors ----

const CURSOR = /^[A-Za-z0-9_-]{8,1024}$/;
const cursorSchema = z.object({ v: z.literal(1), l: z.string(), k: z.tuple([z.string(), z.string()]) }).strict();

/** A tag of the listing a cursor belongs to: the viewer's scope and the filters, so it cannot be replayed on another. */
function listingTag(kind: 'inbox' | 'cases', viewer: Actor, filter: CaseFilter = {}): string {
  const scope = [kind, viewer.role, viewer.role === 'unit' ? viewer.unit : viewer.role === 'expert' ? viewer.sub : `${viewer.locality}|${viewer.unit}|${viewer.sub}`, caseFilterSchema.parse(filter)];
  return createHash('sha256').update(JSON.stringify(scope)).digest('base64url').slice(0, 11);
}

/** An opaque cursor: the last row's position and the listing's tag, as base64url JSON. */
export function encodeCursor(tag: string, key: [string, string]): string {
  return Buffer.from(JSON.stringify({ v: 1, l: tag, k: key })).toString('base64url');
}

/**
 * The position inside `cursor`; InvalidCursorError when it is malformed or belongs to another listing.
 * A position is an instant and the id of the row (a case id unless `id` says otherwise).
 */
export function decodeCursor(tag: string, cursor: string, id: z.ZodType<string> = caseIdSchema): [string, string] {
  const malformed = () => new InvalidCursorError('The cursor is malformed; start again without it.');
  if (!CURSOR.test(cursor)) throw malformed();
  let parsed: z.infer<typeof cursorSchema>;
  try {
    const r = cursorSchema.safeParse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')));
    if (!r.success) throw malformed();
    parsed = r.data;
  } catch {
    throw malformed();
  }
  if (parsed.l !== tag) throw new InvalidCursorError('The cursor belongs to a different listing; start again without it.');
  const [instant, rowId] = parsed.k;
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/.test(instant) || Number.isNaN(Date.parse(instant)) || !id.safeParse(rowId).success) throw malformed();
  return [instant, rowId];
}

// ---- The record-system implementation ----

const viewerOf = (a: Actor): ReadViewer => ({ role: a.role, sub: a.sub, unit: a.unit, locality: a.locality });

/** The read model on the record store the process has open (PostgreSQL, or the embedded store). */
export function createReadModel(db: Queryable): ReadModel {
  return {
    async inbox(viewer, page, now) {
      const tag = listingTag('inbox', viewer);
      const after = page.cursor ? decodeCursor(tag, page.cursor) : undefined;
      const { rows, more } = await inboxPage(db, viewerOf(viewer), now, page.limit, after ? { dueAt: after[0], caseId: after[1] } : undefined);
      const last = rows.at(-1);
      return {
        items: rows.map((r) => ({
          caseId: r.caseId,
          stage: r.stage,
          unitCode: r.unitCode,
          category: r.category,
          nextDueAt: r.nextDueAt,
          tasks: r.tasks,
          asOf: r.snapshotAt,
          recordedAt: r.recordedAt,
        })),
        nextCursor: more && last ? encodeCursor(tag, [last.nextDueAt, last.caseId]) : undefined,
      };
    },

    async list(viewer, filter, page) {
      const f = caseFilterSchema.parse(filter);
      const tag = listingTag('cases', viewer, f);
      const after = page.cursor ? decodeCursor(tag, page.cursor) : undefined;
      const { rows, more, total } = await registerPage(db, viewerOf(viewer), f, page.limit, after ? { openedAt: after[0], caseId: after[1] } : undefined);
      const last = rows.at(-1);
      return {
        items: rows.map((r) => ({
          caseId: r.caseId,
          status: r.stage === 'closed' ? 'closed' : 'open',
          stage: r.stage,
          outcome: r.outcome,
          unitCode: r.unitCode,
          category: r.category,
          policyVersion: r.policyVersion,
          awaiting: r.awaiting,
          nextDeadline: r.nextDeadline,
          overdue: r.overdue,
          openedAt: r.openedAt,
          closedAt: r.closedAt,
          asOf: r.snapshotAt,
          recordedAt: r.recordedAt,
        })),
        nextCursor: more && last ? encodeCursor(tag, [last.openedAt, last.caseId]) : undefined,
        total,
      };
    },
  };
}

/** For a process with no record store: the listings answer 503 (the case routes still work). */
export const noReadModel: ReadModel = {
  inbox: () => Promise.reject(new UnavailableError('this API has no record store: the inbox is read from its read model')),
  list: () => Promise.reject(new UnavailableError('this API has no record store: the case list is read from its register')),
};
