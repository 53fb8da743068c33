/**
 * RFC 9457 problem documents: one error shape for every failure the API reports, each kind with a
 * stable `type` URI. The errors the gateway throws are named here too, so routes and the error
 * handler never look at Temporal's own error classes.
 */
import { z } from 'zod';
import { ActionRejected, type ActionRejectedType } from '../workflows/messages';
import type { Text } from './i18n';

export const PROBLEM_BASE = 'https://rongcuo.dev/problems/';

/** Every kind of problem, its status and title in English and Chinese. The `type` of a document is PROBLEM_BASE + key. */
export const problemKinds = {
  validation: { status: 400, title: 'The request is invalid', zh: '请求无效' },
  malformedRequest: { status: 400, title: 'The request could not be read', zh: '无法读取请求' },
  invalidInput: { status: 400, title: 'The case rejected the input', zh: '案件不接受此输入' },
  invalidCursor: { status: 400, title: 'The cursor does not belong to this listing', zh: '分页游标不属于此列表' },
  unauthorized: { status: 401, title: 'A valid bearer token is required', zh: '需要有效的持有者令牌' },
  forbidden: { status: 403, title: 'This role may not do this', zh: '此角色无权执行此操作' },
  outsideJurisdiction: { status: 403, title: 'This is outside your jurisdiction', zh: '超出您的管辖范围' },
  notFound: { status: 404, title: 'Not found', zh: '未找到' },
  requestTimeout: { status: 408, title: 'The request took too long to arrive', zh: '请求到达超时' },
  wrongStage: { status: 409, title: 'The case is not at a stage that allows this', zh: '案件当前所处阶段不允许此操作' },
  fourEyes: { status: 409, title: 'The same person may not act twice on this decision', zh: '同一人不得对此决定重复办理' },
  windowClosed: { status: 409, title: 'The time allowed for this has passed', zh: '办理期限已过' },
  caseNotClosed: { status: 409, title: 'The case is not closed', zh: '案件尚未结案' },
  alreadyProposed: { status: 409, title: 'This case has already been proposed as a typical case', zh: '该案件已被推荐为典型案例' },
  wrongStatus: { status: 409, title: 'The typical case is not at a status that allows this', zh: '典型案例当前状态不允许此操作' },
  personalDataErased: { status: 409, title: 'The case’s personal data was erased: the account cannot be checked', zh: '案件个人信息已删除，无法核查案例文本' },
  idempotencyConflict: { status: 409, title: 'This Idempotency-Key was used with a different request', zh: '此 Idempotency-Key 已用于不同的请求' },
  payloadTooLarge: { status: 413, title: 'The request body is too large', zh: '请求体过大' },
  uriTooLong: { status: 414, title: 'The URL is too long', zh: 'URL 过长' },
  unsupportedMediaType: { status: 415, title: 'The request body must be application/json in UTF-8', zh: '请求体须为 UTF-8 编码的 application/json' },
  registryRejected: { status: 422, title: 'The registry cannot take this change', zh: '登记册不接受此变更' },
  notTypical: { status: 422, title: 'This case cannot be a typical case', zh: '此案件不能作为典型案例' },
  typicalKindMismatch: { status: 422, title: 'The case’s outcome does not suit this kind of typical case', zh: '案件结果与所选典型案例类别不符' },
  personalDataInAccount: { status: 422, title: 'The account holds personal data of the case', zh: '案例文本含有案件的个人信息' },
  undecryptablePayload: { status: 422, title: 'A payload could not be decrypted', zh: '有载荷无法解密' },
  rateLimited: { status: 429, title: 'Too many requests', zh: '请求过于频繁' },
  headersTooLarge: { status: 431, title: 'The request line and headers are too large', zh: '请求行和请求头过大' },
  internal: { status: 500, title: 'Internal error', zh: '内部错误' },
  unavailable: { status: 503, title: 'Service unavailable', zh: '服务暂时不可用' },
} as const satisfies Record<string, { status: number; title: string; zh: string }>;
export type ProblemKind = keyof typeof problemKinds;

export const problemType = (kind: ProblemKind): string => PROBLEM_BASE + kind;

export const fieldErrorSchema = z.object({
  path: z.string().describe('Where the problem is: `body.cadre.name`, `query.limit`, `params.caseId`, `headers.idempotency-key`.'),
  message: z.string(),
});
export type FieldError = z.infer<typeof fieldErrorSchema>;
/** A field error before it is put in the request's language. */
export interface LocalFieldError {
  path: string;
  message: Text;
}

/** The one error document (application/problem+json). */
export const problemSchema = z
  .object({
    type: z.string().describe('A stable URI naming the kind of problem.'),
    title: z.string(),
    status: z.number().int(),
    detail: z.string().optional(),
    requestId: z.string().optional().describe('The request id, also in the X-Request-Id response header and in the logs.'),
    errors: z.array(fieldErrorSchema).optional().describe('Every invalid field (validation problems only).'),
    checks: z.record(z.string(), z.enum(['ok', 'failed'])).optional().describe('Readiness checks (readiness problems only).'),
  })
  .meta({
    id: 'Problem',
    description: 'An RFC 9457 problem document.',
    examples: [{ type: problemType('wrongStage'), title: problemKinds['wrongStage'].title, status: 409, detail: 'The case is in investigation; acceptance was decided already.', requestId: 'req-7f3a' }],
  });
export type Problem = z.infer<typeof problemSchema>;

/** An error that already knows its problem document. */
export class ProblemError extends Error {
  override name = 'ProblemError';
  readonly status: number;
  constructor(
    readonly kind: ProblemKind,
    /** The detail: English (translated from the catalogue in api/i18n.ts), or both languages. */
    readonly detail?: Text,
    readonly extra: { errors?: LocalFieldError[]; checks?: Record<string, 'ok' | 'failed'>; headers?: Record<string, string> } = {},
  ) {
    super(detail === undefined ? problemKinds[kind].title : typeof detail === 'string' ? detail : detail.en);
    this.status = problemKinds[kind].status;
  }
}

/** The case does not exist, or the caller may not know that it does; the two are never told apart. */
export class CaseNotFoundError extends Error {
  override name = 'CaseNotFoundError';
  constructor(readonly caseId: string) {
    super(`case ${caseId} not found`);
  }
}

export type { ActionRejectedType };
const rejectedTypes = new Set<string>(Object.values(ActionRejected));
export const isActionRejectedType = (type: string | undefined | null): type is ActionRejectedType => !!type && rejectedTypes.has(type);

/** The workflow refused an action; `message` is its human-readable reason. */
export class ActionRejectedError extends Error {
  override name = 'ActionRejectedError';
  constructor(
    readonly type: ActionRejectedType,
    message: string,
  ) {
    super(message);
  }
}

/** An Idempotency-Key already opened a case from a different request. */
export class IdempotencyConflictError extends Error {
  override name = 'IdempotencyConflictError';
  constructor(readonly caseId: string) {
    super(`case ${caseId} was opened with this key from a different request`);
  }
}

/** Temporal (or another dependency) cannot be reached; the request may be retried. */
export class UnavailableError extends Error {
  override name = 'UnavailableError';
}

/** A cursor that is malformed or was issued for another query. */
export class InvalidCursorError extends Error {
  override name = 'InvalidCursorError';
}


/** The detail of every "case not found", whatever the real reason. */
export const CASE_NOT_FOUND_DETAIL = 'No case with this id is visible to you.';

/** Maps the errors routes and the gateway throw to a problem; undefined for anything unexpected. */
export function problemFromError(err: unknown): ProblemError | undefined {
  if (err instanceof ProblemError) return err;
  if (err instanceof CaseNotFoundError) return new ProblemError('notFound', CASE_NOT_FOUND_DETAIL);
  if (err instanceof ActionRejectedError) {
    // A workflow's NotFound must read exactly like a missing case: its reason would tell a unit
    // that another unit's case exists.
    if (err.type === 'notFound') return new ProblemError('notFound', CASE_NOT_FOUND_DETAIL);
    // A workflow's rejection type is its problem kind: one name for one thing.
    return new ProblemError(err.type, err.message);
  }
  if (err instanceof IdempotencyConflictError) return new ProblemError('idempotencyConflict', 'This Idempotency-Key already opened a case from a different request body.');
  if (err instanceof InvalidCursorError) return new ProblemError('invalidCursor', err.message);
  if (err instanceof UnavailableError) return new ProblemError('unavailable', 'A service the API depends on is unavailable; retry later.', { headers: { 'retry-after': '5' } });
  return undefined;
}
