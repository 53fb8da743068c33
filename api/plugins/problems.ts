/**
 * The error handler: every failure leaves as an RFC 9457 problem document. Client errors say what
 * was wrong; server errors say nothing about the inside (the log has it, under the request id).
 */
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { problemFromError, problemKinds, ProblemError, problemType, type FieldError, type Problem } from '../problems';

const locations: Record<string, string> = { body: 'body', querystring: 'query', params: 'params', headers: 'headers' };

/** Every invalid field of a failed validation; an unknown field is named by its own path. */
export function fieldErrors(context: string | undefined, issues: { instancePath: string; message?: string | undefined; keyword: string; params: Record<string, unknown> }[]): FieldError[] {
  const base = locations[context ?? ''] ?? context ?? 'request';
  const out: FieldError[] = [];
  for (const issue of issues) {
    const segments = issue.instancePath.split('/').filter((s) => s !== '');
    const at = [base, ...segments].join('.');
    if (issue.keyword === 'unrecognized_keys' && Array.isArray(issue.params.keys)) {
      for (const key of issue.params.keys) out.push({ path: `${at}.${String(key)}`, message: 'unknown field' });
    } else {
      out.push({ path: at, message: issue.message ?? 'invalid' });
    }
  }
  return out;
}

/** The problem for a framework error (body parsing, limits), or undefined. */
function frameworkProblem(err: FastifyError): ProblemError | undefined {
  switch (err.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new ProblemError('payload-too-large', 'The request body is larger than this API accepts.');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new ProblemError('unsupported-media-type', 'Send the body as application/json.');
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return new ProblemError('malformed-request', 'The body is not valid JSON.');
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new ProblemError('malformed-request', 'The body is empty.');
  }
  if (err.statusCode === 429) return new ProblemError('rate-limited', 'Too many requests from this caller; see Retry-After.');
  if (err.statusCode === 413) return new ProblemError('payload-too-large');
  if (err.statusCode === 415) return new ProblemError('unsupported-media-type');
  if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500) return new ProblemError('malformed-request');
  return undefined;
}

/** The document of `problem` for the request `requestId`. */
export function problemDocument(problem: ProblemError, requestId: string): Problem {
  return {
    type: problemType(problem.kind),
    title: problemKinds[problem.kind].title,
    status: problem.status,
    ...(problem.detail ? { detail: problem.detail } : {}),
    requestId,
    ...(problem.extra.errors ? { errors: problem.extra.errors } : {}),
    ...(problem.extra.checks ? { checks: problem.extra.checks } : {}),
  };
}

export function sendProblem(request: FastifyRequest, reply: FastifyReply, problem: ProblemError): FastifyReply {
  for (const [name, value] of Object.entries(problem.extra.headers ?? {})) reply.header(name, value);
  return reply.code(problem.status).type('application/problem+json').send(problemDocument(problem, request.id));
}

export default fp(
  async (app) => {
    app.setErrorHandler((err: FastifyError, request, reply) => {
      let problem: ProblemError | undefined;
      if (hasZodFastifySchemaValidationErrors(err)) {
        problem = new ProblemError('validation', 'Some fields are invalid.', {
          errors: fieldErrors(err.validationContext, err.validation as never),
        });
      } else {
        problem = problemFromError(err) ?? frameworkProblem(err);
      }
      if (!problem || problem.status >= 500) {
        request.log.error({ err }, 'request failed');
        return sendProblem(request, reply, problem ?? new ProblemError('internal', 'The request could not be completed; the request id identifies it in the logs.'));
      }
      if (problem.status !== 404) request.log.info({ problem: problem.kind, status: problem.status }, 'request refused');
      return sendProblem(request, reply, problem);
    });

    app.setNotFoundHandler((request, reply) => sendProblem(request, reply, new ProblemError('not-found', 'There is no such resource.')));
  },
  { name: 'problems' },
);
