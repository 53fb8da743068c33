/**
 * The HTTP shapes around the domain schemas: parameters, listings, responses and the error
 * responses every route documents. Request bodies are the domain's zod schemas themselves.
 */
import { z } from 'zod';
import { applicationSchema, caseIdSchema, caseStateSchema, categorySchema, roles, stageSchema, taskKindSchema, unitCodeSchema } from '../domain/case';
import { measureIdSchema } from '../workflows/case/actions';
import { outcomes, policySchema } from '../domain/policy';
import { caseFilterSchema } from './read-model';
import { clientTokenPattern } from './ids';
import { problemKinds, problemSchema, type ProblemKind } from './problems';

// ---- Examples: the domain's (also used by the tests, so every one of them is known to validate) ----

import { sampleApplication, sampleEvidence } from '../domain/examples';

export { sampleApplication, sampleEvidence };

/** The application body as documented: the domain schema with its example. */
export const applicationBody = applicationSchema.meta({ id: 'Application', examples: [sampleApplication] });

// ---- Parameters ----

export const caseParams = z.object({ caseId: caseIdSchema });
export const measureParams = z.object({ caseId: caseIdSchema, measureId: measureIdSchema });
/** A cadre id as the application carries it (personal data: it never reaches a log line). */
export const cadreParams = z.object({ cadreId: z.string().trim().min(1).max(64) });
export const policyParams = z.object({ version: policySchema.shape.version });

export const idempotencyKeySchema = z
  .string()
  .regex(clientTokenPattern, '1–128 letters, digits, dots, underscores, colons or dashes')
  .describe('Makes a retried request safe: the same key (from the same caller) is applied once and returns the same result.');

/** Headers an action or a start may carry. Other headers pass through untouched. */
export const idempotencyHeaders = z.looseObject({
  'idempotency-key': idempotencyKeySchema.optional(),
  'x-request-id': z.string().optional().describe('Logged and echoed; when it is 1–128 safe characters it is also the idempotency key if Idempotency-Key is absent.'),
});

export const listCasesQuery = caseFilterSchema
  .extend({
    overdue: z.stringbool().optional(),
    limit: z.coerce.number().int().min(1).max(100).default(20),
    cursor: z.string().max(1024).optional().describe('`nextCursor` of the previous page (opaque; it belongs to this listing, these filters and this caller).'),
  })
  .strict();

export const inboxQuery = z
  .object({
    limit: z.coerce.number().int().min(1).max(200).default(50),
    cursor: z.string().max(1024).optional().describe('`nextCursor` of the previous page (opaque; it belongs to this caller’s inbox).'),
  })
  .strict();

/** How recent a row of the read model is: it follows the case by its record activity (see the README, "The read model"). */
const freshness = {
  asOf: z.string().optional().describe('The workflow time of the reaction this row reflects (ISO instant).'),
  recordedAt: z.string().optional().describe('When the record system wrote this row (ISO instant): the read model lags the case by the time from `asOf` to this.'),
};

// ---- Responses ----

/** The full case state, as the workflow keeps it (the domain's schema). */
export { caseStateSchema };

export const caseSummarySchema = z
  .object({
    caseId: z.string(),
    status: z.enum(['open', 'closed']),
    stage: stageSchema.optional(),
    outcome: z.enum(outcomes).optional(),
    unitCode: unitCodeSchema.optional(),
    category: categorySchema.optional(),
    policyVersion: z.string().optional(),
    awaiting: z.array(z.enum(roles)),
    nextDeadline: z.string().optional(),
    overdue: z.boolean(),
    openedAt: z.string(),
    closedAt: z.string().optional(),
    ...freshness,
  })
  .meta({ id: 'CaseSummary', description: 'A row of the case listing, from the case register in the record system: nothing personal.' });

export const casePageSchema = z.object({
  items: z.array(caseSummarySchema),
  nextCursor: z.string().optional().describe('Pass back as `cursor` for the next page; absent on the last page.'),
  total: z.number().int().describe('How many cases match the filters, over all pages.'),
});

export const inboxEntrySchema = z
  .object({
    caseId: z.string(),
    stage: stageSchema,
    unitCode: z.string(),
    category: z.string(),
    nextDueAt: z.string(),
    tasks: z.array(
      z.object({ taskId: z.string(), kind: taskKindSchema, opensAt: z.string(), dueAt: z.string(), overdue: z.boolean(), provisional: z.boolean() }),
    ),
    ...freshness,
  })
  .meta({ id: 'InboxEntry', description: 'A case waiting for the caller, with the caller’s open tasks, from the read model.' });

export const inboxSchema = z.object({
  items: z.array(inboxEntrySchema),
  nextCursor: z.string().optional().describe('Pass back as `cursor` for the next page; absent on the last page.'),
});

export const policyResponse = policySchema.meta({ id: 'Policy', description: 'A policy document: deadlines, scoring, experts, windows, revisit schedules, screening rules.' });
export const policyListSchema = z.object({ items: z.array(policyResponse) });

export const healthSchema = z.object({ status: z.literal('ok') });
export const readySchema = z.object({ status: z.literal('ready'), checks: z.record(z.string(), z.literal('ok')) });

// ---- The codec endpoint (Temporal's codec-server protocol: the JSON form of temporal.api.common.v1.Payloads) ----

const base64Schema = z.string().regex(/^[A-Za-z0-9+/_-]*={0,2}$/, 'base64');

export const jsonPayloadSchema = z
  .looseObject({
    metadata: z.record(z.string(), base64Schema).nullish().describe('Metadata values, base64 (e.g. `encoding`: base64 of `binary/encrypted`).'),
    data: base64Schema.nullish().describe('The payload bytes, base64.'),
  })
  .meta({ id: 'Payload', description: 'A Temporal payload in its protobuf JSON form: metadata values and data in base64.' });

export const payloadsSchema = z
  .object({ payloads: z.array(jsonPayloadSchema) })
  .meta({
    id: 'Payloads',
    description: 'Payloads in the order given; the answer has as many, in the same order.',
    examples: [{ payloads: [{ metadata: { encoding: 'anNvbi9wbGFpbg==' }, data: 'eyJjYXNlSWQiOiJjYXNlLTIwMjYtQUFBQUFBQUFBMSJ9' }] }],
  });

export const codecHeaders = z.looseObject({
  'x-namespace': z.string().max(255).optional().describe('The Temporal namespace the payloads belong to, as the Temporal UI sends it. Informational: one set of keys serves the deployment.'),
});

const statusKinds: Record<number, ProblemKind[]> = {};
for (const [kind, { status }] of Object.entries(problemKinds) as [ProblemKind, { status: number }][]) (statusKinds[status] ??= []).push(kind);

/** The documented error responses for `statuses`, each a problem document naming its possible types. */
export function problemResponses(...statuses: number[]) {
  return Object.fromEntries(
    statuses.map((status) => [
      status,
      {
        description: (statusKinds[status] ?? []).map((k) => `${problemKinds[k].title} (\`${k}\`)`).join('; '),
        content: { 'application/problem+json': { schema: problemSchema } },
      },
    ]),
  );
}

/** A documented success response. */
export function ok<S extends z.ZodType>(schema: S, description: string) {
  return { description, content: { 'application/json': { schema } } };
}

/** Errors any authenticated route can answer with. */
export const commonProblems = [401, 403, 429, 500, 503] as const;
/** Errors of a route that takes a JSON body. */
export const bodyProblems = [400, 413, 415] as const;

export const bearerSecurity = [{ bearer: [] }];
