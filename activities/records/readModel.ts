/**
 * The read model: what the inbox and the case list are answered from, in the record system. Each
 * case's register row (`cases`) carries where the case belongs, who was invited, who it awaits and
 * its next deadline; `case_tasks` holds its open tasks. Both are written from a snapshot of the case
 * that the case's record activity carries (`writeSnapshot`, in the transaction of the reaction's
 * ledger entries); `(seq, at)` orders snapshots, so a late retry never overwrites a newer one.
 *
 * The reads are one indexed query each, keyset-paginated: the inbox soonest due first (then case id),
 * the case list newest first. Who sees what is decided here, in SQL, by the same rules the API
 * applies to a case's state (api/access.ts `canSeeCase`, api/read-model.ts `inboxTasksOf`).
 */
import { roles, taskKinds, type Role, type Stage } from '../../domain/case';
import type { Outcome } from '../../domain/policy';
import type { CaseSnapshot, RecordEventInput } from '../types';
import type { Queryable } from './db';
import { InvalidRecordInput } from './errors';

const instantOk = (v: unknown): v is string => typeof v === 'string' && !Number.isNaN(Date.parse(v));
const strings = (v: unknown): v is string[] => Array.isArray(v) && v.every((x) => typeof x === 'string');

/** Refuses a snapshot the tables cannot take, for good (InvalidRecordInput is not retried). */
export function checkSnapshot(caseId: string, snap: CaseSnapshot): void {
  const bad = (why: string) => new InvalidRecordInput(`read model of ${caseId}: ${why}`);
  if (!Number.isInteger(snap.seq) || snap.seq < -1) throw bad('seq must be an integer of at least -1');
  if (!instantOk(snap.at)) throw bad(`at is not an instant: ${JSON.stringify(snap.at)}`);
  if (!strings(snap.localities) || !strings(snap.experts)) throw bad('localities and experts are lists of codes');
  if (!Array.isArray(snap.awaiting) || !snap.awaiting.every((r) => (roles as readonly string[]).includes(r))) throw bad('awaiting lists roles');
  if (snap.nextDueAt !== undefined && !instantOk(snap.nextDueAt)) throw bad('nextDueAt is not an instant');
  if (!Array.isArray(snap.tasks)) throw bad('tasks is a list');
  const ids = new Set<string>();
  for (const t of snap.tasks) {
    if (typeof t.taskId !== 'string' || !t.taskId || ids.has(t.taskId)) throw bad(`task ids must be distinct strings (${JSON.stringify(t.taskId)})`);
    ids.add(t.taskId);
    if (!(taskKinds as readonly string[]).includes(t.kind) || !(roles as readonly string[]).includes(t.role)) throw bad(`task ${t.taskId} has an unknown kind or role`);
    if (!instantOk(t.opensAt) || !instantOk(t.dueAt)) throw bad(`task ${t.taskId} has a bad opensAt or dueAt`);
    if (t.assignees !== undefined && !strings(t.assignees)) throw bad(`task ${t.taskId}: assignees are subjects`);
  }
}

const iso = (v: string) => new Date(v).toISOString();

/**
 * Writes the snapshot of a case into its register row and replaces its open tasks, unless the row
 * already holds a snapshot with a greater (seq, at). The case must be registered (its first ledger
 * entry written): a case with no register row yet gets its snapshot with that entry. Returns whether
 * it was written. The caller holds the case's lock (and the transaction).
 */
export async function writeSnapshot(tx: Queryable, caseId: string, register: RecordEventInput['register'], snap: CaseSnapshot): Promise<boolean> {
  const tasks = snap.tasks.map((t) => ({
    task_id: t.taskId,
    kind: t.kind,
    role: t.role,
    body: t.body ?? null,
    assignees: t.assignees ?? null,
    opens_at: iso(t.opensAt),
    due_at: iso(t.dueAt),
    overdue: t.overdue,
    provisional: t.provisional,
  }));
  // In one statement: the register row takes the snapshot unless it holds a newer one, and only then
  // are the case's task rows replaced (the old ones deleted before the new go in: the insert waits
  // for the count of the deleted).
  const { rows } = await tx.query<{ written: boolean }>(
    `WITH snap AS (
       UPDATE cases SET
         stage = $2, outcome = $3, close_reason = $4, localities = $5::text[], experts = $6::text[], awaiting = $7::text[],
         next_due_at = $8, overdue = $9, snapshot_seq = $10, snapshot_at = $11, snapshot_written_at = clock_timestamp()
       WHERE case_id = $1 AND erased_at IS NULL
         AND (snapshot_seq IS NULL OR (snapshot_seq, snapshot_at) <= ($10::integer, $11::timestamptz))
       RETURNING unit_code
     ), gone AS (
       DELETE FROM case_tasks WHERE case_id = $1 AND EXISTS (SELECT 1 FROM snap) RETURNING 1
     ), added AS (
       INSERT INTO case_tasks (case_id, task_id, kind, role, body, assignees, unit_code, localities, opens_at, due_at, overdue, provisional)
       SELECT $1, x.task_id, x.kind, x.role, x.body, x.assignees, snap.unit_code, $5::text[], x.opens_at, x.due_at, x.overdue, x.provisional
       FROM snap, jsonb_to_recordset($12::jsonb) AS x(task_id text, kind text, role text, body text, assignees text[], opens_at timestamptz, due_at timestamptz, overdue boolean, provisional boolean)
       WHERE (SELECT count(*) FROM gone) >= 0
     )
     SELECT EXISTS (SELECT 1 FROM snap) AS written`,
    [
      caseId,
      register.stage,
      register.outcome ?? null,
      register.closeReason ?? null,
      snap.localities,
      snap.experts,
      snap.awaiting,
      snap.nextDueAt === undefined ? null : iso(snap.nextDueAt),
      snap.overdue,
      snap.seq,
      iso(snap.at),
      JSON.stringify(tasks),
    ],
  );
  return rows[0]?.written === true;
}

// ---- reads ----

/** Who is asking: the role, the subject, and the body and its locality (every role but an expert has them). */
export interface ReadViewer {
  role: Role;
  sub: string;
  unit?: string | undefined;
  locality?: string | undefined;
}

/** Positions in a listing, exclusive: the next page starts after this row. */
export interface InboxAfter {
  dueAt: string;
  caseId: string;
}
export interface ListAfter {
  openedAt: string;
  caseId: string;
}

export interface InboxRow {
  caseId: string;
  stage: Stage;
  unitCode: string;
  category: string;
  nextDueAt: string;
  snapshotAt?: string | undefined;
  recordedAt?: string | undefined;
  tasks: { taskId: string; kind: CaseSnapshot['tasks'][number]['kind']; opensAt: string; dueAt: string; overdue: boolean; provisional: boolean }[];
}

export interface RegisterRow {
  caseId: string;
  stage: Stage;
  outcome?: Outcome | undefined;
  unitCode: string;
  category: string;
  policyVersion: string;
  awaiting: Role[];
  nextDeadline?: string | undefined;
  overdue: boolean;
  openedAt: string;
  closedAt?: string | undefined;
  snapshotAt?: string | undefined;
  recordedAt?: string | undefined;
}

export interface RegisterFilter {
  stage?: Stage | undefined;
  outcome?: Outcome | undefined;
  unit?: string | undefined;
  category?: string | undefined;
  awaiting?: Role | undefined;
  overdue?: boolean | undefined;
}

/** Collects `$n` parameters while a statement is built. */
class Params {
  readonly values: unknown[] = [];
  add(value: unknown): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }
}

/**
 * The tasks of table alias `t` that `viewer` may see in its inbox: its role's, open by `now`; a unit's
 * of its own unit; an expert's where it is an assignee; a body's in its locality or below, and of a
 * task with a body only that body's; a task with assignees only theirs.
 */
function taskScope(t: string, viewer: ReadViewer, now: string, p: Params): string {
  const clauses = [`${t}.role = ${p.add(viewer.role)}`, `${t}.opens_at <= ${p.add(now)}::timestamptz`];
  if (viewer.role === 'unit') {
    if (!viewer.unit) throw new TypeError('a unit viewer names its unit');
    clauses.push(`${t}.unit_code = ${p.add(viewer.unit)}`);
  } else if (viewer.role === 'expert') {
    clauses.push(`${t}.assignees @> ARRAY[${p.add(viewer.sub)}::text]`);
  } else {
    if (!viewer.locality) throw new TypeError('a body viewer carries its locality');
    clauses.push(`(cardinality(${t}.localities) = 0 OR ${p.add(viewer.locality)}::text = ANY(${t}.localities))`);
  }
  if (viewer.role !== 'expert') {
    clauses.push(viewer.unit ? `(${t}.body IS NULL OR ${t}.body = ${p.add(viewer.unit)})` : `${t}.body IS NULL`);
    clauses.push(`(${t}.assignees IS NULL OR ${p.add(viewer.sub)}::text = ANY(${t}.assignees))`);
  }
  return clauses.join(' AND ');
}

/** The cases of alias `c` that `viewer` may see at all (api/access.ts `canSeeCase`). */
function caseScope(c: string, viewer: ReadViewer, p: Params): string {
  switch (viewer.role) {
    case 'unit':
      if (!viewer.unit) throw new TypeError('a unit viewer names its unit');
      return `${c}.unit_code = ${p.add(viewer.unit)}`;
    case 'expert':
      return `${c}.experts @> ARRAY[${p.add(viewer.sub)}::text]`;
    default:
      if (!viewer.locality) throw new TypeError('a body viewer carries its locality');
      // A case recorded before the read model has no snapshot yet, so where it belongs is not known here.
      return `${c}.snapshot_seq IS NOT NULL AND (cardinality(${c}.localities) = 0 OR ${p.add(viewer.locality)}::text = ANY(${c}.localities))`;
  }
}

const ISO = (col: string) => `to_char(${col} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
const isoOf = (v: Date | string | null): string | undefined => (v === null ? undefined : new Date(v).toISOString());

/** The statement of one inbox page (see `inboxPage`); `limit + 1` rows tell whether another page follows. */
export function inboxQuery(viewer: ReadViewer, now: Date, limit: number, after?: InboxAfter): { sql: string; params: unknown[] } {
  const p = new Params();
  const at = now.toISOString();
  const n = p.add(limit + 1);
  /** The first task (by due date, then id) of its case that the viewer may see, among those `where` picks, in order. */
  const firsts = (where: string) => {
    const scopeT = taskScope('t', viewer, at, p);
    const scopeU = taskScope('u', viewer, at, p);
    const position = after ? ` AND (t.due_at, t.case_id) > (${p.add(iso(after.dueAt))}::timestamptz, ${p.add(after.caseId)}::text)` : '';
    return `(SELECT t.case_id, t.due_at FROM case_tasks t
      WHERE ${where} AND ${scopeT}${position}
        AND NOT EXISTS (SELECT 1 FROM case_tasks u WHERE u.case_id = t.case_id AND ${scopeU} AND (u.due_at, u.task_id) < (t.due_at, t.task_id))
      ORDER BY t.due_at, t.case_id LIMIT ${n})`;
  };
  // A body's inbox is the tasks that name it and those of its role that name no body, each walked in
  // order on its own index and merged; a unit's and an expert's are one walk.
  const candidates =
    viewer.role !== 'unit' && viewer.role !== 'expert' && viewer.unit ? `${firsts(`t.body = ${p.add(viewer.unit)}`)} UNION ALL ${firsts('t.body IS NULL')}` : firsts('TRUE');
  const scopeV = taskScope('v', viewer, at, p);
  const sql = `
    WITH page AS (
      SELECT case_id, due_at FROM (${candidates}) AS candidates
      ORDER BY due_at, case_id
      LIMIT ${n}
    )
    SELECT page.case_id, page.due_at, c.stage, c.unit_code, c.category, c.snapshot_at, c.snapshot_written_at,
      (SELECT json_agg(json_build_object('taskId', v.task_id, 'kind', v.kind, 'opensAt', ${ISO('v.opens_at')}, 'dueAt', ${ISO('v.due_at')}, 'overdue', v.overdue, 'provisional', v.provisional) ORDER BY v.due_at, v.task_id)
         FROM case_tasks v WHERE v.case_id = page.case_id AND ${scopeV}) AS tasks
    FROM page JOIN cases c ON c.case_id = page.case_id
    ORDER BY page.due_at, page.case_id`;
  return { sql, params: p.values };
}

/**
 * One page of the inbox of `viewer` at `now`: the cases with a task it may act on, each once, at the
 * position of its soonest-due such task, ordered by (that due date, case id); each with all of those
 * tasks. `more` says whether a page follows.
 */
export async function inboxPage(db: Queryable, viewer: ReadViewer, now: Date, limit: number, after?: InboxAfter): Promise<{ rows: InboxRow[]; more: boolean }> {
  const { sql, params } = inboxQuery(viewer, now, limit, after);
  const { rows } = await db.query<{
    case_id: string;
    due_at: Date | string;
    stage: Stage;
    unit_code: string;
    category: string;
    snapshot_at: Date | string | null;
    snapshot_written_at: Date | string | null;
    tasks: InboxRow['tasks'] | string | null;
  }>(sql, params);
  const more = rows.length > limit;
  return {
    more,
    rows: rows.slice(0, limit).map((r) => ({
      caseId: r.case_id,
      stage: r.stage,
      unitCode: r.unit_code,
      category: r.category,
      nextDueAt: new Date(r.due_at).toISOString(),
      snapshotAt: isoOf(r.snapshot_at),
      recordedAt: isoOf(r.snapshot_written_at),
      tasks: (typeof r.tasks === 'string' ? (JSON.parse(r.tasks) as InboxRow['tasks']) : (r.tasks ?? [])),
    })),
  };
}

function filterClauses(c: string, f: RegisterFilter, p: Params): string[] {
  const out: string[] = [];
  if (f.stage) out.push(`${c}.stage = ${p.add(f.stage)}`);
  if (f.outcome) out.push(`${c}.outcome = ${p.add(f.outcome)}`);
  if (f.unit) out.push(`${c}.unit_code = ${p.add(f.unit)}`);
  if (f.category) out.push(`${c}.category = ${p.add(f.category)}`);
  if (f.awaiting) out.push(`${p.add(f.awaiting)}::text = ANY(${c}.awaiting)`);
  if (f.overdue !== undefined) out.push(`${c}.overdue = ${p.add(f.overdue)}`);
  return out;
}

/** The statements of one page of the case list and of its count (see `registerPage`). */
export function registerQueries(viewer: ReadViewer, filter: RegisterFilter, limit: number, after?: ListAfter): { page: { sql: string; params: unknown[] }; count: { sql: string; params: unknown[] } } {
  const p = new Params();
  const where = [caseScope('c', viewer, p), ...filterClauses('c', filter, p)];
  const countParams = [...p.values];
  const countSql = `SELECT count(*)::int AS n FROM cases c WHERE ${where.join(' AND ')}`;
  if (after) where.push(`(c.opened_at, c.case_id) < (${p.add(iso(after.openedAt))}::timestamptz, ${p.add(after.caseId)}::text)`);
  const sql = `
    SELECT c.case_id, c.stage, c.outcome, c.unit_code, c.category, c.policy_version, c.awaiting, c.next_due_at, c.overdue,
           c.opened_at, c.closed_at, c.snapshot_at, c.snapshot_written_at
    FROM cases c
    WHERE ${where.join(' AND ')}
    ORDER BY c.opened_at DESC, c.case_id DESC
    LIMIT ${p.add(limit + 1)}`;
  return { page: { sql, params: p.values }, count: { sql: countSql, params: countParams } };
}

/**
 * One page of the case register as `viewer` may see it, matching `filter`, newest first (opened at,
 * then case id, both descending), and how many cases match in all.
 */
export async function registerPage(db: Queryable, viewer: ReadViewer, filter: RegisterFilter, limit: number, after?: ListAfter): Promise<{ rows: RegisterRow[]; more: boolean; total: number }> {
  const q = registerQueries(viewer, filter, limit, after);
  const [page, count] = await Promise.all([
    db.query<{
      case_id: string;
      stage: Stage;
      outcome: Outcome | null;
      unit_code: string;
      category: string;
      policy_version: string;
      awaiting: Role[] | string;
      next_due_at: Date | string | null;
      overdue: boolean;
      opened_at: Date | string;
      closed_at: Date | string | null;
      snapshot_at: Date | string | null;
      snapshot_written_at: Date | string | null;
    }>(q.page.sql, q.page.params),
    db.query<{ n: number }>(q.count.sql, q.count.params),
  ]);
  const rows = page.rows;
  return {
    more: rows.length > limit,
    total: count.rows[0]?.n ?? 0,
    rows: rows.slice(0, limit).map((r) => ({
      caseId: r.case_id,
      stage: r.stage,
      outcome: r.outcome ?? undefined,
      unitCode: r.unit_code,
      category: r.category,
      policyVersion: r.policy_version,
      awaiting: Array.isArray(r.awaiting) ? r.awaiting : [],
      nextDeadline: isoOf(r.next_due_at),
      overdue: r.overdue,
      openedAt: new Date(r.opened_at).toISOString(),
      closedAt: isoOf(r.closed_at),
      snapshotAt: isoOf(r.snapshot_at),
      recordedAt: isoOf(r.snapshot_written_at),
    })),
  };
}
