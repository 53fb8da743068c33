/**
 * The API's data access to cases themselves: everything it asks of Temporal goes through a
 * CaseGateway (start, the authoritative state, actions). The listings (inbox, case list) come from
 * the read model in the record system (read-model.ts). The Temporal implementation is built once, at
 * start-up, around one client; routes only see this interface and the errors in `problems.ts`.
 */
import { randomUUID } from 'node:crypto';
import {
  isGrpcServiceError,
  ServiceError,
  WorkflowExecutionAlreadyStartedError,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  WorkflowUpdateRPCTimeoutOrCancelledError,
  WithStartWorkflowOperation,
  type Client,
} from '@temporalio/client';
import { ApplicationFailure, type SearchAttributePair } from '@temporalio/common';
import type { UpdateDefinition } from '@temporalio/common';
import type { Config } from '../common/config';
import type { Actor, CaseState } from '../domain/case';
import { categoryLabel, faultKindLabels, situationLabels, unitLabel } from '../domain/labels';
import { caseWorkflowType, getCaseQuery, openUpdate, type Action, type CaseInput } from '../workflows/messages';
import { openedCase } from '../workflows/case/opening';
import { visibilityOf } from '../workflows/case/visibility';
import { canSeeCase } from './access';
import { ActionRejectedError, CaseNotFoundError, IdempotencyConflictError, isActionRejectedType, UnavailableError } from './problems';

// ---- The interface ----

/** A case-changing Update: takes the actor and the validated input, returns the new state. */
export type CaseUpdate<T> = UpdateDefinition<CaseState, [Action<T>], string>;

export interface StartedCase {
  /** False when the case already existed with the same request digest (an idempotent retry). */
  created: boolean;
  state: CaseState;
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
}

// ---- Pure helpers: start options ----

/**
 * The search attributes a case starts with: those its first reaction leaves when it opens at `now`
 * (the workflow runs that reaction itself and upserts only what comes out differently), without the
 * ones that have no value yet. The workflow keeps them current afterwards.
 */
export function initialSearchAttributes(input: CaseInput, now: Date): SearchAttributePair[] {
  const opened = openedCase(input, now.toISOString());
  return visibilityOf(opened, now.getTime(), { names: true }).searchAttributes.filter(
    (p): p is SearchAttributePair => p.value !== null && !(Array.isArray(p.value) && p.value.length === 0),
  );
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

// ---- The Temporal implementation ----

export interface TemporalGatewayOptions {
  /** How long a query may take before the API answers 503 (a worker must be polling to answer it). */
  queryTimeoutMs?: number;
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

  const query = (caseId: string): Promise<CaseState> =>
    client.withDeadline(Date.now() + queryTimeoutMs, () => client.workflow.getHandle(caseId).query(getCaseQuery)).catch((err: unknown) => {
      throw translateTemporalError(err, caseId);
    });

  return {
    async start(input) {
      const startToken = randomUUID();
      const startWorkflowOperation = new WithStartWorkflowOperation(caseWorkflowType, {
        taskQueue: config.taskQueue,
        workflowId: input.caseId,
        args: [{ ...input, startToken }],
        memo: { requestDigest: input.requestDigest },
        typedSearchAttributes: initialSearchAttributes(input, new Date()),
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
  };
}
