/**
 * The API's data access: everything it asks of Temporal goes through a CaseGateway. The Temporal
 * implementation is built once, at start-up, around one client; routes only see this interface and
 * the errors in `problems.ts`.
 */
import { createHash, randomUUID } from 'node:crypto';
import {
  isGrpcServiceError,
  ServiceError,
  WorkflowExecutionAlreadyStartedError,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  WorkflowUpdateRPCTimeoutOrCancelledError,
  WithStartWorkflowOperation,
  type Client,
  type WorkflowExecutionInfo,
} from '@temporalio/client';
import { executionInfoFromRaw } from '@temporalio/client/lib/helpers';
import { ApplicationFailure, type SearchAttributePair, type TypedSearchAttributes } from '@temporalio/common';
import type { UpdateDefinition } from '@temporalio/common';
import { z } from 'zod';
import type { Config } from '../common/config';
import { categorySchema, roles, stages, stageSchema, unitCodeSchema, type Actor, type CaseState, type PendingTask, type Role, type Stage } from '../domain/case';
import { categoryLabel, faultKindLabels, situationLabels, unitLabel } from '../domain/labels';
import { outcomes, type Outcome } from '../domain/policy';
import { caseWorkflowType, getCaseQuery, openUpdate, searchAttributes, type Action, type CaseInput } from '../workflows/messages';
import { canSeeCase } from './access';
import { ActionRejectedError, CaseNotFoundError, IdempotencyConflictError, InvalidCursorError, isActionRejectedType, UnavailableError } from './problems';

// ---- The interface ----

/** A case-changing Update: takes the actor and the validated input, returns the new state. */
export type CaseUpdate<T> = UpdateDefinition<CaseState, [Action<T>], string>;

export interface StartedCase {
  /** False when the case already existed with the same request digest (an idempotent retry). */
  created: boolean;
  state: CaseState;
}

/** Filters of the case listing. Every value matches a strict pattern, so it can go into a visibility query. */
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

/** One row of the case listing, from search attributes only: nothing personal. */
export interface CaseSummary {
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
export interface InboxEntry {
  caseId: string;
  stage: Stage;
  unitCode: string;
  category: string;
  nextDueAt: string;
  tasks: InboxTask[];
}

export interface CaseGateway {
  /** Starts the case workflow `input.caseId`; an existing case with the same digest is returned, a different digest is an IdempotencyConflictError. */
  start(input: CaseInput & { requestDigest: string }): Promise<StartedCase>;
  /** The full state (getCaseQuery). CaseNotFoundError if there is no such case. Visibility is the caller's check. */
  get(caseId: string): Promise<CaseState>;
  /**
   * Runs an Update as `actor`. With `request` (a client's retry key and the digest of its body) a
   * retry is applied once and the key reused with another body is refused. Throws ActionRejectedError, CaseNotFoundError.
   */
  act<T>(update: CaseUpdate<T>, caseId: string, actor: Actor, input: T, request?: { key: string; digest: string }): Promise<CaseState>;
  /** One page of the cases `viewer` may see, matching `filter`. */
  list(viewer: Actor, filter: CaseFilter, page: PageRequest): Promise<CasePage>;
  /** The open cases waiting for `viewer`, soonest due first. */
  inbox(viewer: Actor, limit: number): Promise<InboxEntry[]>;
}

// ---- Pure helpers: start options, visibility queries, cursors, inbox entries ----

/** The search attributes a case starts with; the workflow keeps them current afterwards. */
export function initialSearchAttributes(input: CaseInput): SearchAttributePair[] {
  return [
    { key: searchAttributes.stage, value: 'acceptance' },
    { key: searchAttributes.unitCode, value: input.application.unitCode },
    { key: searchAttributes.category, value: input.application.incident.category },
    { key: searchAttributes.policyVersion, value: input.policy.version },
    { key: searchAttributes.awaiting, value: ['organization'] },
    { key: searchAttributes.overdue, value: false },
    ...(input.jurisdiction ? [{ key: searchAttributes.localities, value: input.jurisdiction.path }] : []),
  ];
}

/** The one-line summary the Temporal UI shows: codes and words, never a name. */
export function caseSummary(input: CaseInput): string {
  const { unitCode, incident } = input.application;
  return `${input.origin === 'referral' ? '移送启动' : '容错申请'} · ${unitLabel(unitCode, input.jurisdiction?.names)} · ${categoryLabel(incident.category)} · ${situationLabels[incident.situation]}`;
}

/** The details the Temporal UI shows at the case's start (markdown): codes, dates and amounts, nothing personal. */
export function caseDetails(input: CaseInput): string {
  const { unitCode, incident } = input.application;
  const rows: [string, string][] = [
    ['案件', input.caseId],
    ['启动方式', input.origin === 'referral' ? '纪检监察机关移送' : '单位申请'],
    ['单位', unitLabel(unitCode, input.jurisdiction?.names) === unitCode ? unitCode : `${unitLabel(unitCode, input.jurisdiction?.names)}（${unitCode}）`],
    ['类别', categoryLabel(incident.category)],
    ['情形', situationLabels[incident.situation]],
    ['过错性质', faultKindLabels[incident.faultKind]],
    ['发生日期', incident.date],
    ['损失（元）', String(incident.lossAmount)],
    ['已挽回（元）', String(incident.recoveredAmount)],
    ['规程', input.policy.version],
  ];
  return ['**容错纠错案件**', '', '| | |', '|---|---|', ...rows.map(([k, v]) => `| ${k} | ${v} |`)].join('\n');
}

/**
 * A visibility query literal. Values are checked against the zod patterns before they get here;
 * this refuses anything outside a conservative alphabet anyway, so no value can end the literal.
 */
export function literal(value: string): string {
  if (!/^[A-Za-z0-9_.@-]{1,64}$/.test(value)) throw new TypeError('value not allowed in a visibility query');
  return `'${value}'`;
}

function scopeClauses(viewer: Actor): string[] {
  const clauses = [`WorkflowType = ${literal(caseWorkflowType)}`];
  if (viewer.role === 'unit') {
    if (!viewer.unit) throw new TypeError('a unit viewer names its unit');
    clauses.push(`CaseUnit = ${literal(viewer.unit)}`);
  } else if (viewer.role !== 'expert') {
    if (!viewer.locality) throw new TypeError('a body viewer carries its locality');
    clauses.push(`CaseLocalities = ${literal(viewer.locality)}`);
  }
  return clauses;
}

/** The visibility query for a listing: the case workflow type, the viewer's scope, then each filter. */
export function buildListQuery(viewer: Actor, filter: CaseFilter): string {
  const f = caseFilterSchema.parse(filter);
  const clauses = scopeClauses(viewer);
  if (f.stage) clauses.push(`CaseStage = ${literal(f.stage)}`);
  if (f.outcome) clauses.push(`CaseOutcome = ${literal(f.outcome)}`);
  if (f.unit) clauses.push(`CaseUnit = ${literal(f.unit)}`);
  if (f.category) clauses.push(`CaseCategory = ${literal(f.category)}`);
  if (f.awaiting) clauses.push(`CaseAwaiting = ${literal(f.awaiting)}`);
  if (f.overdue !== undefined) clauses.push(`CaseOverdue = ${f.overdue ? 'true' : 'false'}`);
  return clauses.join(' AND ');
}

/** The visibility query for an inbox: open cases awaiting the viewer's role (its unit's, for a unit). */
export function buildInboxQuery(viewer: Actor): string {
  return [...scopeClauses(viewer), `ExecutionStatus = 'Running'`, `CaseAwaiting = ${literal(viewer.role)}`].join(' AND ');
}

const TAG_BYTES = 8;
const queryTag = (query: string) => createHash('sha256').update(query).digest().subarray(0, TAG_BYTES);

/** A cursor is the server's page token behind a tag of the query it belongs to, base64url-encoded. */
export function encodeCursor(query: string, pageToken: Uint8Array): string {
  return Buffer.concat([queryTag(query), pageToken]).toString('base64url');
}

/** The page token inside `cursor`; InvalidCursorError if it is malformed or belongs to another query. */
export function decodeCursor(query: string, cursor: string): Uint8Array {
  if (!/^[A-Za-z0-9_-]{12,4096}$/.test(cursor)) throw new InvalidCursorError('The cursor is malformed.');
  const bytes = Buffer.from(cursor, 'base64url');
  if (bytes.length <= TAG_BYTES || !bytes.subarray(0, TAG_BYTES).equals(queryTag(query))) {
    throw new InvalidCursorError('The cursor belongs to a different listing; start again without it.');
  }
  return new Uint8Array(bytes.subarray(TAG_BYTES));
}

/** A listing row from what visibility knows about an execution. */
export function summarize(info: Pick<WorkflowExecutionInfo, 'workflowId' | 'status' | 'startTime' | 'closeTime'> & { typedSearchAttributes: TypedSearchAttributes }): CaseSummary {
  const sa = info.typedSearchAttributes;
  const stage = sa.get(searchAttributes.stage);
  const outcome = sa.get(searchAttributes.outcome);
  const next = sa.get(searchAttributes.nextDeadline);
  return {
    caseId: info.workflowId,
    // The stage says it first: a closed case is still running while its last records are written.
    status: info.status.name === 'RUNNING' && stage !== 'closed' ? 'open' : 'closed',
    stage: (stages as readonly string[]).includes(stage ?? '') ? (stage as Stage) : undefined,
    outcome: (outcomes as readonly string[]).includes(outcome ?? '') ? (outcome as Outcome) : undefined,
    unitCode: sa.get(searchAttributes.unitCode),
    category: sa.get(searchAttributes.category),
    policyVersion: sa.get(searchAttributes.policyVersion),
    awaiting: (sa.get(searchAttributes.awaiting) ?? []).filter((r): r is Role => (roles as readonly string[]).includes(r)),
    nextDeadline: next ? next.toISOString() : undefined,
    overdue: sa.get(searchAttributes.overdue) ?? false,
    openedAt: info.startTime.toISOString(),
    closedAt: info.closeTime ? info.closeTime.toISOString() : undefined,
  };
}

/**
 * What of `state` is waiting for `viewer`: its role's open tasks (an expert's only where it is an
 * assignee; a revisit only for the body that made the ruling), or undefined if nothing is.
 */
export function inboxEntry(state: CaseState, viewer: Actor): InboxEntry | undefined {
  if (!canSeeCase(viewer, state)) return undefined;
  const tasks = state.tasks
    .filter((t) => t.status === 'open' && t.role === viewer.role)
    .filter((t) => !t.assignees || t.assignees.includes(viewer.sub))
    .filter((t) => t.kind !== 'revisit' || !state.rulingBody || !viewer.unit || state.rulingBody === viewer.unit)
    .sort((a, b) => a.dueAt.localeCompare(b.dueAt))
    .map((t) => ({ taskId: t.id, kind: t.kind, opensAt: t.opensAt, dueAt: t.dueAt, overdue: t.overdue, provisional: t.provisional }));
  const first = tasks[0];
  if (!first) return undefined;
  return { caseId: state.caseId, stage: state.stage, unitCode: state.unitCode, category: state.category, nextDueAt: first.dueAt, tasks };
}

/** Orders inbox entries soonest due first, then by case id. */
export function byDueDate(a: InboxEntry, b: InboxEntry): number {
  return a.nextDueAt.localeCompare(b.nextDueAt) || a.caseId.localeCompare(b.caseId);
}

async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

// ---- The Temporal implementation ----

export interface TemporalGatewayOptions {
  /** How long a query may take before the API answers 503 (a worker must be polling to answer it). */
  queryTimeoutMs?: number;
  /** The most open cases an inbox looks at. */
  inboxScanLimit?: number;
  /** Queries run at once when a listing or an inbox needs case state. */
  concurrency?: number;
}

/** gRPC codes that are transient whatever the message: a retry later may succeed. */
const UNAVAILABLE_CODES = new Set([4 /* DEADLINE_EXCEEDED */, 8 /* RESOURCE_EXHAUSTED */, 10 /* ABORTED */, 14 /* UNAVAILABLE */]);
const FAILED_PRECONDITION = 9;
/**
 * FAILED_PRECONDITION is mostly permanent (a namespace that is not active here, a feature turned
 * off), but the server also uses it for WorkflowNotReady: an Update or query reached a case whose
 * workflow task is failing or not yet processed ("Unable to perform workflow execution update due
 * to unexpected workflow task failure."), which a worker's next attempt clears. Those are known by
 * their error detail's type, or by their message.
 */
const WORKFLOW_NOT_READY = /workflow ?not ?ready|workflow task (failure|in failed state|is failing)|workflow task failed/i;

function isWorkflowNotReady(grpc: { details: string; metadata?: unknown }): boolean {
  if (WORKFLOW_NOT_READY.test(grpc.details)) return true;
  const metadata = grpc.metadata as { get?: (key: string) => unknown[] } | undefined;
  const details = typeof metadata?.get === 'function' ? metadata.get('grpc-status-details-bin') : [];
  return details.some((d) => (Buffer.isBuffer(d) || typeof d === 'string') && d.toString().includes('WorkflowNotReadyFailure'));
}

/** True for a Temporal condition that is transient: the request may be retried later (503 with Retry-After). */
function isUnavailable(err: unknown): boolean {
  if (err instanceof WorkflowUpdateRPCTimeoutOrCancelledError) return true;
  const grpc = err instanceof ServiceError ? err.cause : err;
  if (!isGrpcServiceError(grpc)) return false;
  return UNAVAILABLE_CODES.has(grpc.code) || (grpc.code === FAILED_PRECONDITION && isWorkflowNotReady(grpc));
}

/** Temporal's errors in the API's words; anything unrecognised is returned as it is (a 500). */
export function translateTemporalError(err: unknown, caseId: string): unknown {
  if (err instanceof WorkflowNotFoundError) return new CaseNotFoundError(caseId);
  if (err instanceof WorkflowUpdateFailedError && err.cause instanceof ApplicationFailure && isActionRejectedType(err.cause.type)) {
    return new ActionRejectedError(err.cause.type, err.cause.message);
  }
  if (isUnavailable(err)) return new UnavailableError('Temporal is unavailable', { cause: err });
  return err;
}

/** The gateway over one Temporal client, created once at start-up and shared by every request. */
export function createTemporalGateway(client: Client, config: Pick<Config, 'taskQueue'>, options: TemporalGatewayOptions = {}): CaseGateway {
  const queryTimeoutMs = options.queryTimeoutMs ?? 10_000;
  const inboxScanLimit = options.inboxScanLimit ?? 200;
  const concurrency = options.concurrency ?? 8;

  const query = (caseId: string): Promise<CaseState> =>
    client.withDeadline(Date.now() + queryTimeoutMs, () => client.workflow.getHandle(caseId).query(getCaseQuery)).catch((err: unknown) => {
      throw translateTemporalError(err, caseId);
    });

  /** Experts see only the cases they were invited to; the invitation lives in the case state. */
  const visibleToExpert = async (viewer: Actor, caseId: string): Promise<boolean> => {
    try {
      return canSeeCase(viewer, await query(caseId));
    } catch (err) {
      if (err instanceof CaseNotFoundError) return false;
      throw err;
    }
  };

  return {
    async start(input) {
      const startToken = randomUUID();
      const startWorkflowOperation = new WithStartWorkflowOperation(caseWorkflowType, {
        taskQueue: config.taskQueue,
        workflowId: input.caseId,
        args: [{ ...input, startToken }],
        memo: { requestDigest: input.requestDigest },
        typedSearchAttributes: initialSearchAttributes(input),
        staticSummary: caseSummary(input),
        staticDetails: caseDetails(input),
        // A retry of the same request meets the case it started; the open Update tells the two apart.
        workflowIdConflictPolicy: 'USE_EXISTING',
        // A closed case keeps its number: it is never reused for a new case.
        workflowIdReusePolicy: 'REJECT_DUPLICATE',
      });
      try {
        return await client.workflow.executeUpdateWithStart(openUpdate, { args: [{ requestDigest: input.requestDigest, startToken, caseId: input.caseId }], startWorkflowOperation });
      } catch (err) {
        if (err instanceof WorkflowUpdateFailedError && err.cause instanceof ApplicationFailure && err.cause.type === 'idempotencyConflict') throw new IdempotencyConflictError(input.caseId);
        if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw translateTemporalError(err, input.caseId);
      }
      // The number belongs to a closed case: a retry of the request that opened it, or a clash.
      const existing = await client.workflow.getHandle(input.caseId).describe().catch((e: unknown) => {
        throw translateTemporalError(e, input.caseId);
      });
      if (existing.memo?.requestDigest !== input.requestDigest) throw new IdempotencyConflictError(input.caseId);
      return { created: false, state: await query(input.caseId) };
    },

    get: query,

    async act(update, caseId, actor, input, request) {
      // The Update id joins the key and the body's digest: a retry is one Update, another body under
      // the same key is another Update, which the case refuses as an idempotency conflict.
      const updateId = request ? `${request.key}:${request.digest.slice(0, 16)}` : undefined;
      try {
        return await client.workflow.getHandle(caseId).executeUpdate(update, { args: [{ actor, input, caseId, ...(request ? { request } : {}) }], ...(updateId ? { updateId } : {}) });
      } catch (err) {
        const translated = translateTemporalError(err, caseId);
        if (translated instanceof CaseNotFoundError) {
          // Updates cannot reach a closed workflow. Say the case is closed to whoever may see it.
          const state = await query(caseId).catch(() => undefined);
          if (state && canSeeCase(actor, state)) throw new ActionRejectedError('wrongStage', `The case is closed (${state.closeReason ?? state.stage}).`);
        }
        throw translated;
      }
    },

    async list(viewer, filter, page) {
      const q = buildListQuery(viewer, filter);
      const nextPageToken = page.cursor ? decodeCursor(q, page.cursor) : undefined;
      let response;
      try {
        response = await client.workflowService.listWorkflowExecutions({ namespace: client.options.namespace, query: q, pageSize: page.limit, nextPageToken });
      } catch (err) {
        if (isGrpcServiceError(err) && err.code === 3 /* INVALID_ARGUMENT */ && nextPageToken) throw new InvalidCursorError('The cursor has expired; start again without it.');
        throw translateTemporalError(err, '');
      }
      const infos = await Promise.all(response.executions.map((raw) => executionInfoFromRaw(raw, client.options.loadedDataConverter, raw, client.options.namespace)));
      let items = infos.map(summarize);
      if (viewer.role === 'expert') {
        const visible = await mapLimit(items, concurrency, (item) => visibleToExpert(viewer, item.caseId));
        items = items.filter((_, i) => visible[i]);
      }
      const token = response.nextPageToken;
      return { items, nextCursor: token && token.length > 0 ? encodeCursor(q, token) : undefined };
    },

    async inbox(viewer, limit) {
      const ids: string[] = [];
      try {
        for await (const info of client.workflow.list({ query: buildInboxQuery(viewer), pageSize: Math.min(inboxScanLimit, 1000) })) {
          ids.push(info.workflowId);
          if (ids.length >= inboxScanLimit) break;
        }
      } catch (err) {
        throw translateTemporalError(err, '');
      }
      const states = await mapLimit(ids, concurrency, (id) => query(id).catch((err: unknown) => (err instanceof CaseNotFoundError ? undefined : Promise.reject(err))));
      return states
        .map((s) => (s ? inboxEntry(s, viewer) : undefined))
        .filter((e): e is InboxEntry => e !== undefined)
        .sort(byDueDate)
        .slice(0, limit);
    },
  };
}
