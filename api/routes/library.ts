/**
 * The typical-case library (典型案例库): the organization department of a closed case's jurisdiction
 * proposes an anonymized account of it (good practice or warning); the party committee of the case's
 * jurisdiction, never a person who wrote the account, approves it (published) or returns it with a
 * reason; every body of every locality reads and searches what is published. Proposals are seen by
 * the organization departments and committees of the case's jurisdiction only (anyone else: 404).
 * No case's workflow is involved: the case is closed, its facts and personal data come from the
 * record system.
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { librarySearchSchema, mayPropose, mayReview, maySeeUnpublished, typicalProposalSchema, typicalReviewSchema, typicalRevisionSchema, typicalStatuses } from '../../domain/library';
import type { Registry } from '../../domain/registry';
import { LibraryStepRefused, type LibraryCaseFacts, type TypicalCaseRow } from '../../activities/records/library';
import { routeAccess } from '../access';
import { cursorAfter, entryNotFound, entryParams, libraryPageSchema, libraryProblem, libraryTag, pageAfter, proposalPageSchema, proposalSchema, proposalView, publishedEntrySchema, publishedView } from '../library';
import { actorOf } from '../plugins/auth';
import { publicBaseUrl } from '../plugins/docs';
import { CaseNotFoundError } from '../problems';
import { bearerSecurity, bodyProblems, commonProblems, ok, problemResponses } from '../schemas';

const cursor = z.string().max(1024).optional().describe('`nextCursor` of the previous page (opaque; it belongs to this listing, these filters and this caller).');
const libraryQuery = librarySearchSchema.extend({ limit: z.coerce.number().int().min(1).max(100).default(20), cursor }).strict();
const proposalsQuery = z.object({ status: z.enum(typicalStatuses).optional(), limit: z.coerce.number().int().min(1).max(100).default(20), cursor }).strict();

/** Where a case belongs: the locality path its register keeps, else (a case recorded before the read model) its unit's in the registry. */
const pathOf = (facts: LibraryCaseFacts, registry: Registry): string[] => (facts.localities.length ? facts.localities : registry.path(registry.body(facts.unitCode)?.locality ?? ''));

/** Runs a step of the library, its refusals as problem documents. */
async function step<T>(where: 'body' | 'entry', run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    if (err instanceof LibraryStepRefused) throw libraryProblem(err, where);
    throw err;
  }
}

const libraryRoutes: FastifyPluginAsyncZod = async (app) => {
  const base = publicBaseUrl(app.config);
  const byOf = (actor: ReturnType<typeof actorOf>) => ({ sub: actor.sub, role: actor.role, body: actor.unit! });
  /** The account, when `see` lets the caller see it; else 404, as for one that does not exist. */
  const visible = async (entryId: string, see: (row: TypicalCaseRow) => boolean): Promise<TypicalCaseRow> => {
    const row = await app.library.entry(Number(entryId));
    if (!row || !see(row)) throw entryNotFound();
    return row;
  };

  app.route({
    ...routeAccess.librarySearch,
    config: { access: 'librarySearch' },
    schema: {
      tags: ['library'],
      summary: 'The typical-case library: published, anonymized accounts, newest first, searchable.',
      description:
        'Every body of every locality reads it. Filter by `kind` (`goodPractice` 容错典型, `warning` 警示案例), `category`, `situation` and `outcome`; `q` finds accounts whose title, account or lessons contain it (a substring in any letter case). Paged with an opaque cursor; `total` counts every match.',
      security: bearerSecurity,
      querystring: libraryQuery,
      response: { 200: ok(libraryPageSchema, 'One page of published accounts.'), ...problemResponses(400, ...commonProblems) },
    },
    handler: async (request) => {
      const { limit, cursor: at, ...filter } = request.query;
      const tag = libraryTag('library', actorOf(request), filter);
      const page = await app.library.search(filter, { limit, after: pageAfter(tag, at) });
      const registry = await app.registry.current();
      return { items: page.rows.map((r) => publishedView(r, registry)), nextCursor: cursorAfter(tag, page.more, page.rows.at(-1), (r) => r.publishedAt!), total: page.total };
    },
  });

  app.route({
    ...routeAccess.libraryEntry,
    config: { access: 'libraryEntry' },
    schema: {
      tags: ['library'],
      summary: 'One published account of the library.',
      security: bearerSecurity,
      params: entryParams,
      response: { 200: ok(publishedEntrySchema, 'The account.'), ...problemResponses(400, 404, ...commonProblems) },
    },
    handler: async (request) => publishedView(await visible(request.params.entryId, (r) => r.status === 'published'), await app.registry.current()),
  });

  app.route({
    ...routeAccess.proposeTypicalCase,
    config: { access: 'proposeTypicalCase' },
    schema: {
      tags: ['library'],
      summary: 'Propose a closed case of my jurisdiction as a typical case, with an anonymized account.',
      description:
        'Good practice (`goodPractice`) comes from tolerated cases (exempt or mitigate, closed after correction and revisits), warnings (`warning`) from denied cases and cases excluded by screening (422 `typicalKindMismatch` otherwise; 422 `notTypical` for a case refused, withdrawn or closed for want of a supplement; 409 `caseNotClosed` for an open case). The title, account and lessons are checked against the case’s personal data (the cadre’s name and id, the accountability case reference, the names and ids of the unit’s people in the registry): by default personal data found is refused (422 `personalDataInAccount`, each find named by field, kind and character, never by value); with `anonymize: "replace"` it is replaced by placeholders (某干部, 某同志, （编号略）) and `replaced` says what was. A case whose personal data was erased cannot be checked and is refused (409 `personalDataErased`); one case has one account (409 `alreadyProposed`). The account then awaits the approval of the party committee of the case’s jurisdiction.',
      security: bearerSecurity,
      body: typicalProposalSchema,
      response: { 201: ok(proposalSchema, 'Proposed: it awaits approval.'), ...problemResponses(...bodyProblems, 404, 409, 422, ...commonProblems) },
    },
    handler: async (request, reply) => {
      const actor = actorOf(request);
      const { caseId, kind, ...text } = request.body;
      const facts = await app.library.caseFacts(caseId);
      const registry = await app.registry.current();
      if (!facts || !mayPropose(actor, pathOf(facts, registry))) throw new CaseNotFoundError(caseId);
      const { entry, replaced } = await step('body', () => app.library.propose({ caseId, kind, text, path: pathOf(facts, registry), by: byOf(actor), at: app.now().toISOString() }));
      request.log.info({ entryId: entry.id, caseId, kind, replaced: replaced.length }, 'typical case proposed');
      return reply
        .code(201)
        .header('location', `${base}/v1/library/proposals/${entry.id}`)
        .send(proposalView(entry, registry, { replaced }));
    },
  });

  app.route({
    ...routeAccess.listTypicalProposals,
    config: { access: 'listTypicalProposals' },
    schema: {
      tags: ['library'],
      summary: 'The accounts of cases of my jurisdiction, whatever their status (or one status), newest proposal first.',
      security: bearerSecurity,
      querystring: proposalsQuery,
      response: { 200: ok(proposalPageSchema, 'One page of accounts with their status.'), ...problemResponses(400, ...commonProblems) },
    },
    handler: async (request) => {
      const actor = actorOf(request);
      const { limit, cursor: at, status } = request.query;
      const tag = libraryTag('proposals', actor, { status });
      const page = await app.library.proposals(actor.locality!, status, { limit, after: pageAfter(tag, at) });
      const registry = await app.registry.current();
      return { items: page.rows.map((r) => proposalView(r, registry)), nextCursor: cursorAfter(tag, page.more, page.rows.at(-1), (r) => r.proposedAt) };
    },
  });

  app.route({
    ...routeAccess.getTypicalProposal,
    config: { access: 'getTypicalProposal' },
    schema: {
      tags: ['library'],
      summary: 'An account of a case of my jurisdiction, with its status and every step (who, when, what).',
      security: bearerSecurity,
      params: entryParams,
      response: { 200: ok(proposalSchema, 'The account and its history.'), ...problemResponses(400, 404, ...commonProblems) },
    },
    handler: async (request) => {
      const actor = actorOf(request);
      const row = await visible(request.params.entryId, (r) => maySeeUnpublished(actor, r.localities));
      return proposalView(row, await app.registry.current(), { history: await app.library.audit(row.id) });
    },
  });

  app.route({
    ...routeAccess.reviseTypicalCase,
    config: { access: 'reviseTypicalCase' },
    schema: {
      tags: ['library'],
      summary: 'Revise an account awaiting approval or returned, and submit it for approval again.',
      description: 'Checked against the case’s personal data as a proposal is. 409 `wrongStatus` once published.',
      security: bearerSecurity,
      params: entryParams,
      body: typicalRevisionSchema,
      response: { 200: ok(proposalSchema, 'Revised: it awaits approval.'), ...problemResponses(...bodyProblems, 404, 409, 422, ...commonProblems) },
    },
    handler: async (request) => {
      const actor = actorOf(request);
      const row = await visible(request.params.entryId, (r) => mayPropose(actor, r.localities));
      const done = await step('body', () => app.library.revise({ entryId: row.id, text: request.body, by: byOf(actor), at: app.now().toISOString() }));
      if (!done) throw entryNotFound();
      request.log.info({ entryId: row.id, revision: done.entry.revision, replaced: done.replaced.length }, 'typical case revised');
      return proposalView(done.entry, await app.registry.current(), { replaced: done.replaced });
    },
  });

  app.route({
    ...routeAccess.reviewTypicalCase,
    config: { access: 'reviewTypicalCase' },
    schema: {
      tags: ['library'],
      summary: 'Approve (publish) or return an account of a case of my jurisdiction.',
      description:
        'For the party committee of the case’s jurisdiction; whoever proposed or revised the account may not (409 `fourEyes`). Approval checks the account again against the case’s personal data as the record system holds it now (422 `personalDataInAccount`; 409 `personalDataErased` if it was erased meanwhile: return it instead). A return needs a reason.',
      security: bearerSecurity,
      params: entryParams,
      body: typicalReviewSchema,
      response: { 200: ok(proposalSchema, 'Published, or returned.'), ...problemResponses(...bodyProblems, 404, 409, 422, ...commonProblems) },
    },
    handler: async (request) => {
      const actor = actorOf(request);
      const row = await visible(request.params.entryId, (r) => maySeeUnpublished(actor, r.localities));
      if (!mayReview(actor, row.localities)) throw entryNotFound();
      const done = await step('entry', () => app.library.review({ entryId: row.id, review: request.body, by: byOf(actor), at: app.now().toISOString() }));
      if (!done) throw entryNotFound();
      request.log.info({ entryId: row.id, decision: request.body.decision }, 'typical case reviewed');
      return proposalView(done, await app.registry.current());
    },
  });
};

export default libraryRoutes;
