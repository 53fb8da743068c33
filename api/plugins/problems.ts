/**
 * The error handler: every failure leaves as an RFC 9457 problem document, in the language the
 * request prefers (Chinese by default, English for Accept-Language: en; see api/i18n.ts). Client
 * errors say what was wrong; server errors say nothing about the inside (the log has it, under the
 * request id). In Chinese, a field error names the field by its path and its Chinese label
 * (api/labels.ts): `body.cadre.name（干部姓名）: …`.
 */
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { contentLanguage, inLocale, localeOf, zodErrorMaps, type Locale } from '../i18n';
import { labelOf } from '../labels';
import { problemFromError, problemKinds, ProblemError, problemType, type LocalFieldError, type Problem } from '../problems';

const locations: Record<string, string> = { body: 'body', querystring: 'query', params: 'params', headers: 'headers' };

/** Every invalid field of a failed validation; an unknown field is named by its own path. */
export function fieldErrors(context: string | undefined, issues: { instancePath: string; message?: string | undefined; keyword: string; params: Record<string, unknown> }[]): LocalFieldError[] {
  const base = locations[context ?? ''] ?? context ?? 'request';
  const out: LocalFieldError[] = [];
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

/**
 * The invalid fields of a failed validation with zod's messages in `locale`: the route's schema for
 * that part of the request is run again on the same data with the locale's error map (messages
 * written into a schema keep precedence, and are translated from the catalogue).
 */
function localizedFieldErrors(request: FastifyRequest, err: FastifyError, locale: Locale): LocalFieldError[] {
  const context = err.validationContext ?? '';
  const schema = (request.routeOptions.schema as Record<string, unknown> | undefined)?.[context];
  const data: Record<string, unknown> = { body: request.body, querystring: request.query, params: request.params, headers: request.headers };
  if (schema instanceof z.ZodType) {
    const result = schema.safeParse(data[context], { error: zodErrorMaps[locale] });
    if (!result.success) {
      return fieldErrors(
        context,
        result.error.issues.map((issue) => ({ instancePath: `/${issue.path.join('/')}`, message: issue.message, keyword: issue.code, params: issue as unknown as Record<string, unknown> })),
      );
    }
  }
  return fieldErrors(context, err.validation as never);
}

/** The problem for a framework error (body parsing, limits), or undefined. */
function frameworkProblem(err: FastifyError): ProblemError | undefined {
  switch (err.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new ProblemError('payloadTooLarge', 'The request body is larger than this API accepts.');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new ProblemError('unsupportedMediaType', 'Send the body as application/json.');
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return new ProblemError('malformedRequest', 'The body is not valid JSON.');
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new ProblemError('malformedRequest', 'The body is empty.');
  }
  if (err.statusCode === 429) return new ProblemError('rateLimited', 'Too many requests from this caller; see Retry-After.');
  if (err.statusCode === 413) return new ProblemError('payloadTooLarge');
  if (err.statusCode === 415) return new ProblemError('unsupportedMediaType');
  if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500) return new ProblemError('malformedRequest');
  return undefined;
}

/** A field error's message in `locale`; in Chinese it names the field by path and label. */
function fieldMessage(error: LocalFieldError, locale: Locale): string {
  const message = inLocale(error.message, locale);
  if (locale === 'en') return message;
  const label = labelOf(error.path);
  return `${error.path}${label ? `（${label}）` : ''}: ${message}`;
}

/** The document of `problem` for the request `requestId`, in `locale`. */
export function problemDocument(problem: ProblemError, requestId: string, locale: Locale): Problem {
  const kind = problemKinds[problem.kind];
  return {
    type: problemType(problem.kind),
    title: locale === 'zh' ? kind.zh : kind.title,
    status: problem.status,
    ...(problem.detail ? { detail: inLocale(problem.detail, locale) } : {}),
    requestId,
    ...(problem.extra.errors ? { errors: problem.extra.errors.map((e) => ({ path: e.path, message: fieldMessage(e, locale) })) } : {}),
    ...(problem.extra.checks ? { checks: problem.extra.checks } : {}),
  };
}

export function sendProblem(request: FastifyRequest, reply: FastifyReply, problem: ProblemError): FastifyReply {
  const locale = localeOf(request.headers['accept-language']);
  for (const [name, value] of Object.entries(problem.extra.headers ?? {})) reply.header(name, value);
  reply.header('content-language', contentLanguage[locale]);
  reply.header('vary', 'Accept-Language');
  return reply.code(problem.status).type('application/problem+json').send(problemDocument(problem, request.id, locale));
}

export default fp(
  async (app) => {
    app.setErrorHandler((err: FastifyError, request, reply) => {
      let problem: ProblemError | undefined;
      if (hasZodFastifySchemaValidationErrors(err)) {
        problem = new ProblemError('validation', 'Some fields are invalid.', {
          errors: localizedFieldErrors(request, err, localeOf(request.headers['accept-language'])),
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

    app.setNotFoundHandler((request, reply) => sendProblem(request, reply, new ProblemError('notFound', 'There is no such resource.')));
  },
  { name: 'problems' },
);
