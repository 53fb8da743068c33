/**
 * The HTTP API against an in-memory CaseGateway and read model: the role matrix route by route, who
 * may see which case, every kind of problem document, idempotency, request ids, operations and the
 * OpenAPI document. Both are faked here because this is a test of the API piece; the Temporal gateway
 * runs against a real server in the end-to-end suite, the read model against real databases in
 * read-model.test.ts.
 */
import type { StatisticsSource } from '../api/statistics';
import { Writable } from 'node:stream';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import pino, { type Logger } from 'pino';
import { loadConfig, type Config } from '../common/config';
import { redactPaths } from '../common/logger';
import { applicationSchema, roles, type Actor, type CaseState, type Role } from '../domain/case';
import { PolicyRegistry } from '../domain/policies';
import { policySchema } from '../domain/policy';
import { ActionRejected, type CaseInput } from '../workflows/messages';
import { actionRouteNames, canSeeCase, mayCall, routeAccess, type ActionRouteName, type RouteName } from '../api/access';
import { actionSpecs } from '../workflows/case/actions';
import { demoRegistry } from '../api/registry';
import { CaseMachine } from '../workflows/case/machine';
import { WorkingDayCalendar } from '../domain/calendar';
import { defaultPolicy } from '../domain/policies';
import { buildApp } from '../api/app';
import type { CaseGateway, CaseUpdate, StartedCase } from '../api/gateway';
import type { CaseFilter, CasePage, CaseSummary, InboxEntry, InboxPage, PageRequest, ReadModel } from '../api/read-model';
import { jose } from '../api/jose';
import { ActionRejectedError, CaseNotFoundError, IdempotencyConflictError, InvalidCursorError, PROBLEM_BASE, UnavailableError, type ActionRejectedType } from '../api/problems';
import { sampleApplication } from '../api/schemas';
import { signToken } from '../api/tokens';
import type { LibrarySource } from '../api/library';
import type { TypicalCaseRow } from '../activities/records/library';

// ---- Fixtures ----

const NOW = new Date('2026-03-10T02:00:00Z');
const OWN_UNIT = 'JS-NJ-FGW';
const OTHER_UNIT = 'JS-SZ-KS-ZWB';
const OWN_CASE = 'case-2026-AAAAAAAAA1';
const OTHER_CASE = 'case-2026-BBBBBBBBB2';
const MISSING_CASE = 'case-2026-CCCCCCCCC3';
const CADRE_NAME = sampleApplication.cadre.name;

const actors: Record<Role, Actor> = {
  unit: { sub: 'alice', role: 'unit', unit: OWN_UNIT },
  organization: { sub: 'olga', role: 'organization', unit: 'JS-NJ-ZZB' },
  discipline: { sub: 'dong', role: 'discipline', unit: 'JS-NJ-JW' },
  expert: { sub: 'expert-amy', role: 'expert' },
  committee: { sub: 'chen', role: 'committee', unit: 'JS-NJ-SW' },
  supervisor: { sub: 'su', role: 'supervisor', unit: 'JS-NJ-JD' },
  admin: { sub: 'ada', role: 'admin', unit: 'JS-NJ-ZZB' },
};

/** An actor as the API passes it on: with its body's locality from the (demo) registry. */
const inRegistry = (actor: Actor): Actor => (actor.role === 'expert' ? actor : { ...actor, locality: demoRegistry.body(actor.unit!)!.locality });

function caseState(o: { caseId: string; unitCode: string; invited?: string[]; origin?: CaseInput['origin']; policyVersion?: string }): CaseState {
  const application = applicationSchema.parse({ ...sampleApplication, unitCode: o.unitCode });
  const input: CaseInput = {
    caseId: o.caseId,
    origin: o.origin ?? 'application',
    application,
    openedBy: { sub: 'alice', role: 'unit', unit: o.unitCode },
    policy: { ...defaultPolicy, version: o.policyVersion ?? defaultPolicy.version },
    calendar: WorkingDayCalendar.default().snapshot(2026, 2029),
  };
  const { state } = CaseMachine.initial(input, NOW.toISOString());
  state.experts.invited = o.invited ?? [];
  return state;
}

const listedCase: CaseSummary = {
  caseId: OWN_CASE,
  status: 'open',
  stage: 'acceptance',
  unitCode: OWN_UNIT,
  category: 'approval-reform',
  policyVersion: 'default@2025.1',
  awaiting: ['organization'],
  overdue: false,
  openedAt: NOW.toISOString(),
};

const inboxItem: InboxEntry = {
  caseId: OWN_CASE,
  stage: 'acceptance',
  unitCode: OWN_UNIT,
  category: 'approval-reform',
  nextDueAt: '2026-03-17T09:00:00.000Z',
  tasks: [{ taskId: 't-1', kind: 'acceptance', opensAt: NOW.toISOString(), dueAt: '2026-03-17T09:00:00.000Z', overdue: false, provisional: false }],
};

type Call =
  | { method: 'start'; input: CaseInput & { requestDigest: string } }
  | { method: 'get'; caseId: string }
  | { method: 'act'; update: string; caseId: string; actor: Actor; input: unknown; request: { key: string; digest: string } | undefined }
  | { method: 'list'; viewer: Actor; filter: CaseFilter; page: PageRequest }
  | { method: 'inbox'; viewer: Actor; page: PageRequest; now: Date };

/** An in-memory gateway and read model that records its calls, behaves like the workflow on ownership, and can be told to fail. */
class FakeGateway implements CaseGateway, ReadModel {
  readonly calls: Call[] = [];
  readonly cases = new Map<string, { state: CaseState; digest?: string }>();
  private failure: Error | undefined;

  constructor() {
    this.reset();
  }

  reset(): void {
    this.calls.length = 0;
    this.failure = undefined;
    this.cases.clear();
    this.cases.set(OWN_CASE, { state: caseState({ caseId: OWN_CASE, unitCode: OWN_UNIT, invited: ['expert-amy'] }) });
    this.cases.set(OTHER_CASE, { state: caseState({ caseId: OTHER_CASE, unitCode: OTHER_UNIT }) });
  }

  /** The next call fails with `err`, as Temporal or the workflow would fail it. */
  failNext(err: Error): void {
    this.failure = err;
  }

  private failIfTold(): void {
    const failure = this.failure;
    this.failure = undefined;
    if (failure) throw failure;
  }

  async start(input: CaseInput & { requestDigest: string }): Promise<StartedCase> {
    this.calls.push({ method: 'start', input });
    this.failIfTold();
    const existing = this.cases.get(input.caseId);
    if (existing) {
      if (existing.digest !== input.requestDigest) throw new IdempotencyConflictError(input.caseId);
      return { created: false, state: existing.state };
    }
    const state = caseState({ caseId: input.caseId, unitCode: input.application.unitCode, origin: input.origin, policyVersion: input.policy.version });
    this.cases.set(input.caseId, { state, digest: input.requestDigest });
    return { created: true, state };
  }

  async get(caseId: string): Promise<CaseState> {
    this.calls.push({ method: 'get', caseId });
    this.failIfTold();
    const found = this.cases.get(caseId);
    if (!found) throw new CaseNotFoundError(caseId);
    return found.state;
  }

  async act<T>(update: CaseUpdate<T>, caseId: string, actor: Actor, input: T, request?: { key: string; digest: string }): Promise<CaseState> {
    this.calls.push({ method: 'act', update: update.name, caseId, actor, input, request });
    this.failIfTold();
    const found = this.cases.get(caseId);
    if (!found) throw new CaseNotFoundError(caseId);
    // The workflow refuses a stranger's action as NotFound, with a reason that must not leak.
    if (!canSeeCase(actor, found.state)) throw new ActionRejectedError('notFound', `case ${caseId} belongs to unit ${found.state.unitCode}`);
    return found.state;
  }

  async list(viewer: Actor, filter: CaseFilter, page: PageRequest): Promise<CasePage> {
    this.calls.push({ method: 'list', viewer, filter, page });
    this.failIfTold();
    return { items: [listedCase], nextCursor: 'bmV4dC1wYWdlLXRva2Vu', total: 1 };
  }

  async inbox(viewer: Actor, page: PageRequest, now: Date): Promise<InboxPage> {
    this.calls.push({ method: 'inbox', viewer, page, now });
    this.failIfTold();
    return { items: [inboxItem], nextCursor: 'bmV4dC1pbmJveC1wYWdl' };
  }
}

interface Request {
  method: 'GET' | 'POST' | 'PUT';
  url: string;
  payload?: unknown;
}

const isAction = (route: RouteName): route is ActionRouteName => (actionRouteNames as readonly string[]).includes(route);

/** A valid request to `route` on `caseId`: the sample application, or the action's sample body. */
/** A published account of a 南京市 case, as the record system would answer (the library's own tests use the real one). */
const libraryRow: TypicalCaseRow = {
  id: 1,
  caseId: OWN_CASE,
  kind: 'goodPractice',
  status: 'published',
  category: 'approval-reform',
  closeReason: 'completed',
  outcome: 'exempt',
  locality: 'JS-NJ',
  localities: ['JS-NJ', 'JS'],
  title: '标题',
  account: '正文',
  lessons: '启示',
  revision: 1,
  proposedBy: 'olga-2',
  proposingBody: 'JS-NJ-ZZB',
  proposedAt: '2026-03-01T00:00:00.000Z',
  publishedAt: '2026-03-02T00:00:00.000Z',
  updatedAt: '2026-03-02T00:00:00.000Z',
};
/** A library double for the role matrix: every step succeeds on the one account. */
const fakeLibrary: LibrarySource = {
  caseFacts: async (caseId) => ({ caseId, unitCode: OWN_UNIT, category: 'approval-reform', stage: 'closed', outcome: 'exempt', closeReason: 'completed', localities: ['JS-NJ', 'JS'], erased: false }),
  propose: async () => ({ entry: { ...libraryRow, status: 'proposed', publishedAt: undefined }, replaced: [] }),
  revise: async () => ({ entry: { ...libraryRow, status: 'proposed', publishedAt: undefined }, replaced: [] }),
  review: async () => libraryRow,
  entry: async (id) => (id === 1 ? libraryRow : undefined),
  audit: async () => [],
  search: async () => ({ rows: [libraryRow], more: false, total: 1 }),
  proposals: async () => ({ rows: [libraryRow], more: false }),
};
const libraryText = { title: '标题', account: '正文', lessons: '启示' };

function requestFor(route: RouteName, caseId = OWN_CASE): Request {
  const { method, url } = routeAccess[route];
  const path = url.replace(':caseId', caseId).replace(':measureId', 'm-1').replace(':version', 'default@2025.1').replace(':cadreId', sampleApplication.cadre.id).replace(':entryId', '1');
  if (route === 'getReport') return { method, url: `${path.replace(':reportId', 'monthly-JS-NJ-2026-01')}?format=html` };
  if (route === 'openCase') return { method, url: path, payload: sampleApplication };
  if (route === 'proposeTypicalCase') return { method, url: path, payload: { caseId, kind: 'goodPractice', ...libraryText } };
  if (route === 'reviseTypicalCase') return { method, url: path, payload: libraryText };
  if (route === 'reviewTypicalCase') return { method, url: path, payload: { decision: 'approve' } };
  if (isAction(route)) return { method, url: path, payload: actionSpecs[route].example };
  return { method, url: path };
}

/** Which gateway method each route reaches. */
const gatewayMethodOf = (route: RouteName): Call['method'] | undefined =>
  route === 'openCase' ? 'start' : route === 'listCases' ? 'list' : route === 'getCase' ? 'get' : route === 'tasks' ? 'inbox' : isAction(route) ? 'act' : undefined;

const routeNames = Object.keys(routeAccess) as RouteName[];
const caseRoutes = routeNames.filter((r) => routeAccess[r].url.includes(':caseId'));

interface TestApp {
  app: FastifyInstance;
  config: Config;
  cases: FakeGateway;
  readiness: { temporal: jest.Mock<Promise<void>, []>; database: jest.Mock<Promise<void>, []> };
  call(who: Role | Actor | null, request: Request, headers?: Record<string, string>): Promise<LightMyRequestResponse>;
}

async function build(env: Record<string, string> = {}, logger: Logger = pino({ level: 'silent' }), policies: PolicyRegistry = PolicyRegistry.load()): Promise<TestApp> {
  const config = loadConfig(env as NodeJS.ProcessEnv);
  const cases = new FakeGateway();
  const readiness = { temporal: jest.fn(async () => undefined), database: jest.fn(async () => undefined) };
  const history = { cadreHistory: async (cadreId: string, unitCode: string) => ({ cadreId, unitCode, toleratedCases: [], rulingsInForce: [], noNegativeEvaluations: [], influencePeriods: [] }) };
  const outcomes = { decided: 0, exempt: 0, mitigate: 0, deny: 0, tolerated: 0 };
  const statistics: StatisticsSource = {
    statistics: async (_registry, scope, period) => ({
      scope: { ...scope, name: scope.code, localities: [] },
      period,
      asOf: NOW.toISOString(),
      applications: 0,
      acceptances: 0,
      refusals: 0,
      supplementRequests: 0,
      withdrawals: 0,
      exclusions: { screenings: 0, byRule: [], confirmed: 0, overridden: 0, lapsed: 0 },
      outcomes,
      appeals: { filed: 0, upheld: 0, overturned: 0 },
      consultations: { given: 0, objections: 0, objectionCases: [], lapsed: 0 },
      handOffs: { handed: 0, outcomesRecorded: 0 },
      effectTracking: { recorded: 0, sustained: 0, reversed: 0, lapsed: 0, lossRecovered: 0 },
      stages: [],
      tasks: { open: 0, overdue: 0, byBody: [] },
      escalations: { total: 0, byTask: [] },
      abuseSignals: { total: 0, bySignal: [] },
      units: [],
    }),
    listReports: async () => [],
    readReport: async (_locality, reportId) => ({ reportId, kind: 'monthly', locality: 'JS-NJ', period: { from: '2026-01-01', to: '2026-01-31' }, generatedAt: NOW.toISOString(), recordedAt: NOW.toISOString(), digest: '0'.repeat(64), content: {}, html: '<!DOCTYPE html><title>报告</title>' }),
  };
  const app = await buildApp({ config, logger, cases, readModel: cases, policies, readiness, now: () => NOW, history, library: fakeLibrary, statistics });
  await app.ready();
  return {
    app,
    config,
    cases,
    readiness,
    async call(who, request, headers = {}) {
      const actor = typeof who === 'string' ? actors[who] : who;
      const auth = actor ? { authorization: `Bearer ${await signToken(config, actor)}` } : {};
      return app.inject({ method: request.method, url: request.url, payload: request.payload as never, headers: { ...auth, ...headers } });
    },
  };
}

const problem = (kind: string) => PROBLEM_BASE + kind;
const withoutRequestId = (body: Record<string, unknown>) => {
  const { requestId: _ignored, ...rest } = body;
  return rest;
};

// ---- The contract ----

describe('The route table', () => {
  test('When the route table is read, then it is exactly the contract of the API (methods, paths, roles)', () => {
    // Written out by hand from the issue, so a wrong row in the code fails here.
    const contract: Record<RouteName, string> = {
      openCase: 'POST /v1/cases unit,discipline',
      listCases: 'GET /v1/cases unit,organization,discipline,expert,committee,supervisor',
      getCase: 'GET /v1/cases/:caseId unit,organization,discipline,expert,committee,supervisor',
      tasks: 'GET /v1/tasks unit,organization,discipline,expert,committee,supervisor',
      acceptance: 'POST /v1/cases/:caseId/acceptance organization',
      supplement: 'POST /v1/cases/:caseId/supplement unit',
      withdrawal: 'POST /v1/cases/:caseId/withdrawal unit',
      investigation: 'POST /v1/cases/:caseId/investigation organization',
      expertInvitation: 'POST /v1/cases/:caseId/expert-invitation organization',
      expertOpinion: 'POST /v1/cases/:caseId/expert-opinion expert',
      consultation: 'POST /v1/cases/:caseId/consultation discipline',
      rulingProposal: 'POST /v1/cases/:caseId/ruling-proposal organization',
      rulingReview: 'POST /v1/cases/:caseId/ruling-review committee',
      appeal: 'POST /v1/cases/:caseId/appeal unit',
      reconsideration: 'POST /v1/cases/:caseId/reconsideration committee',
      correctionPlan: 'POST /v1/cases/:caseId/correction-plan organization',
      measureProgress: 'POST /v1/cases/:caseId/measures/:measureId/progress unit',
      measureVerification: 'POST /v1/cases/:caseId/measures/:measureId/verification organization',
      revisit: 'POST /v1/cases/:caseId/revisit organization',
      exclusionConfirmation: 'POST /v1/cases/:caseId/exclusion-confirmation organization',
      exclusionOverride: 'POST /v1/cases/:caseId/exclusion-override organization',
      handOffOutcome: 'POST /v1/cases/:caseId/hand-off-outcome discipline',
      effectTracking: 'POST /v1/cases/:caseId/effect-tracking organization',
      listPolicies: 'GET /v1/policies *',
      getPolicy: 'GET /v1/policies/:version *',
      cadreHistory: 'GET /v1/cadres/:cadreId/history unit,organization,discipline,committee,supervisor',
      librarySearch: 'GET /v1/library unit,organization,discipline,committee,supervisor',
      libraryEntry: 'GET /v1/library/:entryId unit,organization,discipline,committee,supervisor',
      proposeTypicalCase: 'POST /v1/library/proposals organization',
      listTypicalProposals: 'GET /v1/library/proposals organization,committee',
      getTypicalProposal: 'GET /v1/library/proposals/:entryId organization,committee',
      reviseTypicalCase: 'PUT /v1/library/proposals/:entryId organization',
      reviewTypicalCase: 'POST /v1/library/proposals/:entryId/review committee',
      statistics: 'GET /v1/statistics unit,organization,discipline,committee,supervisor',
      listReports: 'GET /v1/reports organization,discipline,committee,supervisor',
      getReport: 'GET /v1/reports/:reportId organization,discipline,committee,supervisor',
    };
    const actual = Object.fromEntries(
      routeNames.map((name) => {
        const row = routeAccess[name];
        const who = row.roles.length === roles.length ? '*' : row.roles.join(',');
        return [name, `${row.method} ${row.url} ${who}`];
      }),
    );

    expect(actual).toEqual(contract);
  });

  test('When the roles of the write routes are read, then no write route lets a supervisor in', () => {
    const writes = routeNames.filter((r) => routeAccess[r].method === 'POST');

    const supervisorWrites = writes.filter((r) => mayCall(r, 'supervisor'));

    expect(supervisorWrites).toEqual([]);
  });
});

describe('The role matrix', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await build();
  });
  afterAll(async () => {
    await t.app.close();
  });
  beforeEach(() => t.cases.reset());

  const cells = routeNames.flatMap((route) => roles.map((role) => [route, role, mayCall(route, role) ? 'allowed' : 'refused'] as const));

  test.each(cells)('When %s is called by the %s role, then it is %s', async (route, role, verdict) => {
    const res = await t.call(role, requestFor(route));

    if (verdict === 'allowed') {
      expect(res.statusCode).toBeLessThan(300);
      const method = gatewayMethodOf(route);
      expect(t.cases.calls.map((c) => c.method)).toEqual(method ? [method] : []);
    } else {
      expect(res.statusCode).toBe(403);
      expect(res.json()).toMatchObject({ type: problem('forbidden'), status: 403 });
      expect(t.cases.calls).toEqual([]);
    }
  });

  test.each(actionRouteNames.map((r) => [r] as const))('When a supervisor calls %s, then 403 and the case is not touched', async (route) => {
    const res = await t.call('supervisor', requestFor(route));

    expect(res.statusCode).toBe(403);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(t.cases.calls).toEqual([]);
  });

  test.each(actionRouteNames.map((r) => [r, actionSpecs[r].update.name] as const))('When %s is allowed, then it runs the %s Update with the caller and the parsed body', async (route, updateName) => {
    const role = routeAccess[route].roles[0] as Role;

    const res = await t.call(role, requestFor(route));

    expect(res.statusCode).toBe(200);
    const call = t.cases.calls[0];
    expect(call).toMatchObject({ method: 'act', update: updateName, caseId: OWN_CASE, actor: actors[role] });
    const expectedInput = actionSpecs[route].body.parse(actionSpecs[route].example) as object;
    expect(call && call.method === 'act' ? call.input : undefined).toEqual(actionSpecs[route].path.includes(':measureId') ? { ...expectedInput, measureId: 'm-1' } : expectedInput);
  });
});

describe('Authentication', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await build();
  });
  afterAll(async () => {
    await t.app.close();
  });
  beforeEach(() => t.cases.reset());

  const sign = (claims: Record<string, unknown>, opts: { secret?: string; audience?: string; issuer?: string; exp?: number } = {}) => {
    const jwt = new jose.SignJWT(claims)
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer(opts.issuer ?? t.config.jwtIssuer)
      .setAudience(opts.audience ?? t.config.jwtAudience)
      .setIssuedAt()
      .setExpirationTime(opts.exp ?? '1h');
    return jwt.sign(new TextEncoder().encode(opts.secret ?? t.config.jwtSecret));
  };
  const withToken = async (token: string) => t.call(null, requestFor('getCase'), { authorization: `Bearer ${token}` });

  test.each(routeNames.map((r) => [r] as const))('When %s is called without a token, then 401 with a Bearer challenge', async (route) => {
    const res = await t.call(null, requestFor(route));

    expect(res.statusCode).toBe(401);
    expect(res.headers['www-authenticate']).toMatch(/^Bearer/);
    expect(res.json()).toMatchObject({ type: problem('unauthorized'), status: 401 });
    expect(t.cases.calls).toEqual([]);
  });

  test('When the token is signed with another secret, then 401', async () => {
    const token = await sign({ sub: 'olga', role: 'organization' }, { secret: 'another-secret-that-is-long-enough-0123456789' });

    const res = await withToken(token);

    expect(res.statusCode).toBe(401);
  });

  test('When the token has expired, then 401', async () => {
    const token = await sign({ sub: 'olga', role: 'organization' }, { exp: Math.floor(NOW.getTime() / 1000) - 3600 });

    const res = await withToken(token);

    expect(res.statusCode).toBe(401);
  });

  test('When the token has no expiry, then 401', async () => {
    const token = await new jose.SignJWT({ sub: 'olga', role: 'organization' })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer(t.config.jwtIssuer)
      .setAudience(t.config.jwtAudience)
      .sign(new TextEncoder().encode(t.config.jwtSecret));

    const res = await withToken(token);

    expect(res.statusCode).toBe(401);
  });

  test('When the token is for another audience or issuer, then 401', async () => {
    const otherAudience = await sign({ sub: 'olga', role: 'organization' }, { audience: 'someone-else' });
    const otherIssuer = await sign({ sub: 'olga', role: 'organization' }, { issuer: 'someone-else' });

    const results = [await withToken(otherAudience), await withToken(otherIssuer)];

    expect(results.map((r) => r.statusCode)).toEqual([401, 401]);
  });

  test('When the token names an unknown role, then 401', async () => {
    const token = await sign({ sub: 'mallory', role: 'root' });

    const res = await withToken(token);

    expect(res.statusCode).toBe(401);
  });

  test('When a unit token names no unit, then 401', async () => {
    const token = await sign({ sub: 'alice', role: 'unit' });

    const res = await withToken(token);

    expect(res.statusCode).toBe(401);
  });

  test('When the Authorization header is not a bearer token, then 401', async () => {
    const res = await t.call(null, requestFor('getCase'), { authorization: 'Basic YWxpY2U6c2VjcmV0' });

    expect(res.statusCode).toBe(401);
  });

  test('When a valid token is sent, then the actor of the Update is taken from it, not from the body', async () => {
    await t.call('organization', requestFor('acceptance'));

    expect(t.cases.calls[0]).toMatchObject({ method: 'act', actor: { sub: 'olga', role: 'organization', unit: 'JS-NJ-ZZB' } });
  });
});

describe('Who sees which case', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await build();
  });
  afterAll(async () => {
    await t.app.close();
  });
  beforeEach(() => t.cases.reset());

  const unitCaseRoutes = caseRoutes.filter((r) => mayCall(r, 'unit'));

  test.each(unitCaseRoutes.map((r) => [r] as const))("When a unit calls %s on another unit's case, then 404 exactly as for a missing case", async (route) => {
    const other = await t.call('unit', requestFor(route, OTHER_CASE));
    const missing = await t.call('unit', requestFor(route, MISSING_CASE));

    expect(other.statusCode).toBe(404);
    expect(missing.statusCode).toBe(404);
    expect(withoutRequestId(other.json())).toEqual(withoutRequestId(missing.json()));
    expect(other.body).not.toContain(OTHER_UNIT);
    expect(other.body).not.toContain(CADRE_NAME);
  });

  test('When a unit reads its own case, then it gets the full state', async () => {
    const res = await t.call('unit', requestFor('getCase'));

    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ caseId: OWN_CASE, unitCode: OWN_UNIT, application: { cadre: { name: CADRE_NAME } } });
  });

  test.each(['organization', 'discipline', 'committee', 'supervisor'] as const)("When the %s role reads any unit's case, then it gets the state", async (role) => {
    const res = await t.call(role, requestFor('getCase', OTHER_CASE));

    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ caseId: OTHER_CASE });
  });

  test('When an expert reads a case it was invited to, then it gets the state', async () => {
    const res = await t.call('expert', requestFor('getCase', OWN_CASE));

    expect(res.statusCode).toBe(200);
  });

  test('When an expert reads a case it was not invited to, then 404 exactly as for a missing case', async () => {
    const notInvited = await t.call('expert', requestFor('getCase', OTHER_CASE));
    const missing = await t.call('expert', requestFor('getCase', MISSING_CASE));

    expect(notInvited.statusCode).toBe(404);
    expect(withoutRequestId(notInvited.json())).toEqual(withoutRequestId(missing.json()));
    expect(notInvited.body).not.toContain(CADRE_NAME);
  });

  test('When an expert gives an opinion on a case it was not invited to, then 404', async () => {
    const res = await t.call('expert', requestFor('expertOpinion', OTHER_CASE));

    expect(res.statusCode).toBe(404);
    expect(res.body).not.toContain(OTHER_UNIT);
  });

  test('When a unit opens a case for another unit, then 403 and no case starts', async () => {
    const res = await t.call('unit', { method: 'POST', url: '/v1/cases', payload: { ...sampleApplication, unitCode: OTHER_UNIT } });

    expect(res.statusCode).toBe(403);
    expect(t.cases.calls).toEqual([]);
  });

  test('When a unit lists or asks for its tasks, then the gateway is asked as that unit', async () => {
    await t.call('unit', { method: 'GET', url: `/v1/cases?unit=${OTHER_UNIT}` });
    await t.call('unit', { method: 'GET', url: '/v1/tasks' });

    expect(t.cases.calls).toEqual([
      { method: 'list', viewer: inRegistry(actors.unit), filter: { unit: OTHER_UNIT }, page: { limit: 20, cursor: undefined } },
      { method: 'inbox', viewer: inRegistry(actors.unit), page: { limit: 50, cursor: undefined }, now: NOW },
    ]);
  });
});

describe('Problem documents', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await build();
  });
  afterAll(async () => {
    await t.app.close();
  });
  beforeEach(() => t.cases.reset());

  test('When the application has missing, malformed and unknown fields, then 400 lists every one by path', async () => {
    const { cadre, ...rest } = sampleApplication;
    const body = { ...rest, cadre: { ...cadre, name: undefined }, unitCode: 'not a unit', nickname: 'Xiao Zhang' };

    const res = await t.call('unit', { method: 'POST', url: '/v1/cases', payload: body });

    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    const json = res.json();
    expect(json).toMatchObject({ type: problem('validation'), title: expect.any(String), status: 400 });
    expect(json.errors.map((e: { path: string }) => e.path).sort()).toEqual(['body.cadre.name', 'body.nickname', 'body.unitCode']);
    expect(json.errors.every((e: { message: string }) => e.message.length > 0)).toBe(true);
    expect(t.cases.calls).toEqual([]);
  });

  test('When an action body breaks a cross-field rule, then 400 names the field', async () => {
    const res = await t.call('organization', { method: 'POST', url: `/v1/cases/${OWN_CASE}/acceptance`, payload: { decision: 'refuse' } });

    expect(res.statusCode).toBe(400);
    expect(res.json().errors).toEqual([{ path: 'body.reason', message: 'body.reason（理由）: 不予受理须说明理由' }]);
  });

  test('When an exclusion override or a hand-off outcome is incomplete, then 400 names each field in Chinese and nothing reaches the case', async () => {
    const override = await t.call('organization', { method: 'POST', url: `/v1/cases/${OWN_CASE}/exclusion-override`, payload: { falseCircumstances: [] } });
    const outcome = await t.call('discipline', { method: 'POST', url: `/v1/cases/${OWN_CASE}/hand-off-outcome`, payload: { disposition: 'sanctioned', note: '已处理' } });
    const english = await t.call('discipline', { method: 'POST', url: `/v1/cases/${OWN_CASE}/hand-off-outcome`, payload: { disposition: 'cleared', form: 2, note: '了结' } }, { 'accept-language': 'en' });

    expect(override.statusCode).toBe(400);
    expect(override.json().errors.map((e: { path: string }) => e.path).sort()).toEqual(['body.falseCircumstances', 'body.reason']);
    expect(override.json().errors.find((e: { path: string }) => e.path === 'body.reason').message).toMatch(/^body\.reason（理由）/);
    expect(outcome.statusCode).toBe(400);
    expect(outcome.json().errors).toEqual([{ path: 'body.form', message: 'body.form（运用的形态）: 已依规依纪依法处理的，须注明运用的“四种形态”（1–4）' }]);
    expect(english.json().errors).toEqual([{ path: 'body.form', message: 'only a sanction names a form of discipline' }]);
    expect(t.cases.calls).toEqual([]);
  });

  test('When a correction plan\'s answer to a suggestion, an expert\'s suggestions or a decision-effect tracking is malformed, then 400 names each field in Chinese and nothing reaches the case', async () => {
    const measures = [{ title: '修订细则', description: '补齐复核环节', dueDate: '2027-06-30' }];
    const plan = await t.call('organization', {
      method: 'POST',
      url: `/v1/cases/${OWN_CASE}/correction-plan`,
      payload: { opinion: '完善流程', measures, suggestionResponses: [{ suggestionId: 's1-1', adopted: true }, { suggestionId: 's1-2', adopted: false }, { suggestionId: 's1-3', adopted: true, measureNo: 2 }] },
    });
    const opinion = await t.call('expert', { method: 'POST', url: `/v1/cases/${OWN_CASE}/expert-opinion`, payload: { recommendation: 'exempt', opinion: '合理', suggestions: [], report: { title: '报告' } } });
    const tracking = await t.call('organization', { method: 'POST', url: `/v1/cases/${OWN_CASE}/effect-tracking`, payload: { reformDecision: 'paused', results: '', recoveredSinceRuling: -1 } });

    expect(plan.statusCode).toBe(400);
    expect(plan.json().errors).toEqual([
      { path: 'body.suggestionResponses.0.measureNo', message: 'body.suggestionResponses.0.measureNo（落实措施序号）: 采纳的纠错建议须列明落实该建议的整改措施序号' },
      { path: 'body.suggestionResponses.1.reason', message: 'body.suggestionResponses.1.reason（不予采纳的理由）: 不予采纳的纠错建议须说明理由' },
      { path: 'body.suggestionResponses.2.measureNo', message: 'body.suggestionResponses.2.measureNo（落实措施序号）: 不是本方案中整改措施的序号' },
    ]);
    expect(opinion.statusCode).toBe(400);
    expect(opinion.json().errors.map((e: { path: string }) => e.path).sort()).toEqual(['body.report.sha256', 'body.report.uri', 'body.suggestions']);
    expect(opinion.json().errors.find((e: { path: string }) => e.path === 'body.suggestions').message).toMatch(/^body\.suggestions（纠错建议）/);
    expect(tracking.statusCode).toBe(400);
    expect(tracking.json().errors.map((e: { path: string }) => e.path).sort()).toEqual(['body.recoveredSinceRuling', 'body.reformDecision', 'body.results']);
    expect(tracking.json().errors.find((e: { path: string }) => e.path === 'body.reformDecision').message).toMatch(/^body\.reformDecision（改革决策执行情况）/);
    expect(t.cases.calls).toEqual([]);
  });

  test('When a query filter is not one of the allowed values, then 400 names it and nothing is queried', async () => {
    const res = await t.call('organization', { method: 'GET', url: `/v1/cases?unit=${encodeURIComponent("X' OR CaseUnit != '")}&stage=nope` });

    expect(res.statusCode).toBe(400);
    expect(res.json().errors.map((e: { path: string }) => e.path).sort()).toEqual(['query.stage', 'query.unit']);
    expect(t.cases.calls).toEqual([]);
  });

  test('When the case id in the path is malformed, then 400 names params.caseId', async () => {
    const res = await t.call('organization', { method: 'GET', url: '/v1/cases/not-a-case' });

    expect(res.statusCode).toBe(400);
    expect(res.json().errors).toEqual([expect.objectContaining({ path: 'params.caseId' })]);
  });

  test('When discipline inspection opens a case without the accountability case, then 400 names the field', async () => {
    const { accountabilityCaseRef: _omitted, ...body } = sampleApplication;

    const res = await t.call('discipline', { method: 'POST', url: '/v1/cases', payload: body });

    expect(res.statusCode).toBe(400);
    expect(res.json().errors).toEqual([expect.objectContaining({ path: 'body.accountabilityCaseRef' })]);
  });

  test('When the body is not valid JSON, then 400 malformedRequest', async () => {
    const res = await t.call('unit', { method: 'POST', url: `/v1/cases/${OWN_CASE}/withdrawal`, payload: '{"reason": ' }, { 'content-type': 'application/json' });

    expect(res.statusCode).toBe(400);
    expect(res.json().type).toBe(problem('malformedRequest'));
  });

  test('When the case does not exist, then 404 notFound', async () => {
    const res = await t.call('organization', requestFor('getCase', MISSING_CASE));

    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({ type: problem('notFound'), status: 404 });
  });

  test('When the path is not a route, then 404 as a problem document', async () => {
    const res = await t.call('organization', { method: 'GET', url: '/v1/nothing-here' });

    expect(res.statusCode).toBe(404);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  });

  const rejections: [ActionRejectedType, number, string, boolean][] = [
    [ActionRejected.wrongStage, 409, 'wrongStage', true],
    [ActionRejected.fourEyes, 409, 'fourEyes', true],
    [ActionRejected.windowClosed, 409, 'windowClosed', true],
    [ActionRejected.forbidden, 403, 'forbidden', true],
    [ActionRejected.invalidInput, 400, 'invalidInput', true],
    [ActionRejected.notFound, 404, 'notFound', false],
  ];

  test.each(rejections)('When the workflow rejects an action with %s, then %i %s (its reason shown: %s)', async (type, status, kind, reasonShown) => {
    const reason = `rejected by the case: ${type} because of a rule`;
    t.cases.failNext(new ActionRejectedError(type, reason));

    const res = await t.call('committee', requestFor('rulingReview'));

    expect(res.statusCode).toBe(status);
    expect(res.json()).toMatchObject({ type: problem(kind), status });
    expect(res.json().detail === reason).toBe(reasonShown);
  });

  test('When the request body is larger than the limit, then 413', async () => {
    const small = await build({ API_BODY_LIMIT: '1024' });
    try {
      const res = await small.call('unit', { method: 'POST', url: `/v1/cases/${OWN_CASE}/withdrawal`, payload: { reason: 'x'.repeat(2000) } });

      expect(res.statusCode).toBe(413);
      expect(res.json()).toMatchObject({ type: problem('payloadTooLarge'), status: 413 });
      expect(small.cases.calls).toEqual([]);
    } finally {
      await small.app.close();
    }
  });

  test.each(['text/plain', 'application/x-www-form-urlencoded', 'application/xml'])('When a body is sent as %s, then 415', async (contentType) => {
    const res = await t.call('unit', { method: 'POST', url: `/v1/cases/${OWN_CASE}/withdrawal`, payload: 'reason=because' }, { 'content-type': contentType });

    expect(res.statusCode).toBe(415);
    expect(res.json()).toMatchObject({ type: problem('unsupportedMediaType'), status: 415 });
    expect(t.cases.calls).toEqual([]);
  });

  test('When a caller exceeds its rate, then 429 with Retry-After, and other callers are not held back', async () => {
    const limited = await build({ API_RATE_LIMIT: '3' });
    try {
      const alice = [];
      for (let i = 0; i < 4; i++) alice.push(await limited.call('unit', requestFor('listPolicies')));
      const olga = await limited.call('organization', requestFor('listPolicies'));

      expect(alice.map((r) => r.statusCode)).toEqual([200, 200, 200, 429]);
      expect(alice[3]?.json()).toMatchObject({ type: problem('rateLimited'), status: 429 });
      expect(alice[3]?.headers['retry-after']).toBeDefined();
      expect(olga.statusCode).toBe(200);
    } finally {
      await limited.app.close();
    }
  });

  test('When something unexpected fails, then 500 says nothing of the inside', async () => {
    t.cases.failNext(new Error('connection to 10.0.0.7 refused; password=hunter2'));

    const res = await t.call('organization', requestFor('acceptance'));

    expect(res.statusCode).toBe(500);
    expect(res.json()).toMatchObject({ type: problem('internal'), status: 500 });
    expect(res.body).not.toMatch(/hunter2|10\.0\.0\.7|stack|Error:/);
  });

  test('When Temporal is unavailable, then 503 with Retry-After and nothing of the inside', async () => {
    t.cases.failNext(new UnavailableError('14 UNAVAILABLE: connect ECONNREFUSED 127.0.0.1:7233'));

    const res = await t.call('organization', requestFor('getCase'));

    expect(res.statusCode).toBe(503);
    expect(res.json()).toMatchObject({ type: problem('unavailable'), status: 503 });
    expect(res.headers['retry-after']).toBeDefined();
    expect(res.body).not.toContain('ECONNREFUSED');
  });

  test('When a listing cursor belongs to another query, then 400 invalidCursor', async () => {
    t.cases.failNext(new InvalidCursorError('The cursor belongs to a different listing; start again without it.'));

    const res = await t.call('organization', { method: 'GET', url: '/v1/cases?cursor=AAAAAAAAAAAAAAAA' });

    expect(res.statusCode).toBe(400);
    expect(res.json().type).toBe(problem('invalidCursor'));
  });
});

describe('Opening a case', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await build();
  });
  afterAll(async () => {
    await t.app.close();
  });
  beforeEach(() => t.cases.reset());

  const open = (who: Role | Actor, payload: unknown, headers: Record<string, string> = {}) => t.call(who, { method: 'POST', url: '/v1/cases', payload }, headers);

  test('When a unit applies, then 201 with Location, and the workflow gets the application, the actor and the current policy', async () => {
    const res = await open('unit', sampleApplication);

    expect(res.statusCode).toBe(201);
    const caseId = res.json().caseId as string;
    expect(caseId).toMatch(/^case-2026-[0-9A-HJKMNP-TV-Z]{10}$/);
    expect(res.headers.location).toBe(`http://127.0.0.1:3000/v1/cases/${caseId}`);
    const call = t.cases.calls[0];
    expect(call?.method).toBe('start');
    const input = call && call.method === 'start' ? call.input : undefined;
    expect(input).toMatchObject({ caseId, origin: 'application', openedBy: actors.unit, policy: { version: 'default@2025.1' }, application: applicationSchema.parse(sampleApplication) });
    expect(input?.requestDigest).toMatch(/^[a-f0-9]{64}$/);
  });

  test('When discipline inspection opens a case, then its origin is referral', async () => {
    const res = await open('discipline', sampleApplication);

    expect(res.statusCode).toBe(201);
    expect(t.cases.calls[0]).toMatchObject({ method: 'start', input: { origin: 'referral', openedBy: actors.discipline } });
  });

  test('When the same Idempotency-Key is sent twice with the same body, then the same case is returned (201, then 200)', async () => {
    const first = await open('unit', sampleApplication, { 'idempotency-key': 'apply-2026-03-10-01' });
    const again = await open('unit', sampleApplication, { 'idempotency-key': 'apply-2026-03-10-01' });

    expect([first.statusCode, again.statusCode]).toEqual([201, 200]);
    expect(again.json().caseId).toBe(first.json().caseId);
    expect(again.headers.location).toBe(first.headers.location);
    expect(t.cases.cases.size).toBe(3);
  });

  test('When the same body is sent with its keys in another order, then it is the same request', async () => {
    const reordered = Object.fromEntries(Object.entries(sampleApplication).reverse());
    const first = await open('unit', sampleApplication, { 'idempotency-key': 'k-order' });
    const again = await open('unit', reordered, { 'idempotency-key': 'k-order' });

    expect([first.statusCode, again.statusCode]).toEqual([201, 200]);
  });

  test('When the same Idempotency-Key comes with a different body, then 409 idempotencyConflict', async () => {
    await open('unit', sampleApplication, { 'idempotency-key': 'apply-2026-03-10-02' });
    const changed = { ...sampleApplication, incident: { ...sampleApplication.incident, lossAmount: 500000 } };

    const res = await open('unit', changed, { 'idempotency-key': 'apply-2026-03-10-02' });

    expect(res.statusCode).toBe(409);
    expect(res.json()).toMatchObject({ type: problem('idempotencyConflict'), status: 409 });
  });

  test('When two people use the same Idempotency-Key, then each opens its own case', async () => {
    const bob: Actor = { sub: 'bob', role: 'unit', unit: OWN_UNIT };

    const alices = await open('unit', sampleApplication, { 'idempotency-key': 'shared-key' });
    const bobs = await open(bob, sampleApplication, { 'idempotency-key': 'shared-key' });

    expect([alices.statusCode, bobs.statusCode]).toEqual([201, 201]);
    expect(bobs.json().caseId).not.toBe(alices.json().caseId);
  });

  test('When no Idempotency-Key is sent, then every request opens a new case', async () => {
    const first = await open('unit', sampleApplication);
    const second = await open('unit', sampleApplication);

    expect(second.json().caseId).not.toBe(first.json().caseId);
  });

  test('When the Idempotency-Key has characters outside the allowed set, then 400 names the header', async () => {
    const res = await open('unit', sampleApplication, { 'idempotency-key': 'a key with spaces' });

    expect(res.statusCode).toBe(400);
    expect(res.json().errors).toEqual([expect.objectContaining({ path: 'headers.idempotency-key' })]);
    expect(t.cases.calls).toEqual([]);
  });
});

describe('Request ids and Update ids', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await build();
  });
  afterAll(async () => {
    await t.app.close();
  });
  beforeEach(() => t.cases.reset());

  const requestOfLastCall = () => {
    const call = t.cases.calls.at(-1);
    return call && call.method === 'act' ? call.request : { key: 'not an act call', digest: '' };
  };
  const updateIdOfLastCall = () => requestOfLastCall()?.key;

  test('When an action carries X-Request-Id, then it is echoed and becomes the Update id, prefixed by route and caller', async () => {
    const res = await t.call('organization', requestFor('acceptance'), { 'x-request-id': 'req-7f3a-01' });

    expect(res.headers['x-request-id']).toBe('req-7f3a-01');
    expect(updateIdOfLastCall()).toBe('acceptance:olga:req-7f3a-01');
  });

  test('When an action carries an Idempotency-Key, then the key is the Update id even with an X-Request-Id', async () => {
    await t.call('organization', requestFor('acceptance'), { 'idempotency-key': 'accept-once', 'x-request-id': 'req-7f3a-02' });

    expect(updateIdOfLastCall()).toBe('acceptance:olga:accept-once');
  });

  test('When the same action is retried with the same key, then both attempts carry the same Update id', async () => {
    await t.call('unit', requestFor('withdrawal'), { 'idempotency-key': 'withdraw-1' });
    const first = updateIdOfLastCall();
    await t.call('unit', requestFor('withdrawal'), { 'idempotency-key': 'withdraw-1' });

    expect(updateIdOfLastCall()).toBe(first);
    expect(requestOfLastCall()?.digest).toMatch(/^[0-9a-f]{64}$/);
  });

  test('When a key is reused with another body, then the digest sent to the case differs, so the case can refuse it', async () => {
    await t.call('unit', { ...requestFor('withdrawal'), payload: { reason: '第一次撤回理由' } }, { 'idempotency-key': 'withdraw-2' });
    const first = requestOfLastCall();
    await t.call('unit', { ...requestFor('withdrawal'), payload: { reason: '另一个理由' } }, { 'idempotency-key': 'withdraw-2' });

    expect(requestOfLastCall()?.key).toBe(first?.key);
    expect(requestOfLastCall()?.digest).not.toBe(first?.digest);
  });

  test('When an action carries neither, then no Update id is chosen and a fresh request id is echoed', async () => {
    const res = await t.call('organization', requestFor('acceptance'));

    expect(res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(updateIdOfLastCall()).toBeUndefined();
  });

  test('When X-Request-Id is unsafe, then it is replaced and not used as an Update id', async () => {
    const res = await t.call('organization', requestFor('acceptance'), { 'x-request-id': 'bad id\u0007with spaces' });

    expect(res.headers['x-request-id']).not.toContain('bad id');
    expect(updateIdOfLastCall()).toBeUndefined();
  });

  test('When a request fails, then its problem document carries the request id', async () => {
    const res = await t.call('organization', requestFor('getCase', MISSING_CASE), { 'x-request-id': 'req-missing-1' });

    expect(res.json().requestId).toBe('req-missing-1');
  });
});

describe('Listing, tasks and policies', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await build();
  });
  afterAll(async () => {
    await t.app.close();
  });
  beforeEach(() => t.cases.reset());

  test('When cases are listed with filters, then the gateway gets the parsed filters and page, and the page comes back', async () => {
    const res = await t.call('supervisor', { method: 'GET', url: '/v1/cases?stage=investigation&overdue=true&awaiting=organization&category=approval-reform&limit=5&cursor=abcdefghijklmnop' });

    expect(res.statusCode).toBe(200);
    expect(t.cases.calls).toEqual([
      {
        method: 'list',
        viewer: inRegistry(actors.supervisor),
        filter: { stage: 'investigation', overdue: true, awaiting: 'organization', category: 'approval-reform' },
        page: { limit: 5, cursor: 'abcdefghijklmnop' },
      },
    ]);
    expect(res.json()).toEqual({ items: [listedCase], nextCursor: 'bmV4dC1wYWdlLXRva2Vu', total: 1 });
  });

  test('When a page larger than 100 is asked for, then 400', async () => {
    const res = await t.call('supervisor', { method: 'GET', url: '/v1/cases?limit=1000' });

    expect(res.statusCode).toBe(400);
    expect(res.json().errors).toEqual([expect.objectContaining({ path: 'query.limit' })]);
  });

  test('When the inbox is asked for, then it lists the caller’s tasks as of now, a page at a time', async () => {
    const res = await t.call('organization', { method: 'GET', url: '/v1/tasks?limit=10&cursor=abcdefghijklmnop' });

    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ items: [inboxItem], nextCursor: 'bmV4dC1pbmJveC1wYWdl' });
    expect(t.cases.calls).toEqual([{ method: 'inbox', viewer: inRegistry(actors.organization), page: { limit: 10, cursor: 'abcdefghijklmnop' }, now: NOW }]);
  });

  test('When the inbox is asked for a page larger than 200, then 400', async () => {
    const res = await t.call('organization', { method: 'GET', url: '/v1/tasks?limit=201' });

    expect(res.statusCode).toBe(400);
    expect(res.json().errors).toEqual([expect.objectContaining({ path: 'query.limit' })]);
  });

  test('When the policies are listed, then the loaded default is among them', async () => {
    const res = await t.call('expert', requestFor('listPolicies'));

    expect(res.statusCode).toBe(200);
    expect(res.json().items.map((p: { version: string }) => p.version)).toContain('default@2025.1');
  });

  test('When one policy is asked for, then it is returned; an unknown version is 404', async () => {
    const found = await t.call('unit', requestFor('getPolicy'));
    const unknown = await t.call('unit', { method: 'GET', url: '/v1/policies/nowhere@2099.1' });

    expect(found.statusCode).toBe(200);
    expect(found.json()).toMatchObject({ version: 'default@2025.1', locality: 'default' });
    expect(unknown.statusCode).toBe(404);
  });
});

describe('Operations', () => {
  let t: TestApp;
  beforeEach(async () => {
    t = await build();
  });
  afterEach(async () => {
    await t.app.close();
  });

  test('When /healthz is called without a token, then 200', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/healthz' });

    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'ok' });
  });

  test('When Temporal and the database answer, then /readyz is 200', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/readyz' });

    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'ready', checks: { temporal: 'ok', database: 'ok' } });
  });

  test('When Temporal does not answer, then /readyz is 503 naming the check but not the error', async () => {
    t.readiness.temporal.mockRejectedValueOnce(new Error('14 UNAVAILABLE: No connection established to 10.1.2.3:7233'));

    const res = await t.app.inject({ method: 'GET', url: '/readyz' });

    expect(res.statusCode).toBe(503);
    expect(res.json()).toMatchObject({ type: problem('unavailable'), checks: { temporal: 'failed', database: 'ok' } });
    expect(res.body).not.toContain('10.1.2.3');
  });

  test('When the record database does not answer, then /readyz is 503', async () => {
    t.readiness.database.mockRejectedValueOnce(new Error('ECONNREFUSED'));

    const res = await t.app.inject({ method: 'GET', url: '/readyz' });

    expect(res.statusCode).toBe(503);
    expect(res.json().checks).toEqual({ temporal: 'ok', database: 'failed' });
  });

  test('When any response is sent, then it carries the security headers', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/healthz' });

    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['content-security-policy']).toBeDefined();
    expect(res.headers['strict-transport-security']).toBeDefined();
  });

  test('When a request is logged, then the line carries the request id and never the token or the cadre', async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const logged = await build({}, pino({ level: 'info', redact: { paths: redactPaths, censor: '[redacted]' } }, sink));
    try {
      const token = await signToken(logged.config, actors.unit);
      await logged.app.inject({ method: 'POST', url: '/v1/cases', payload: sampleApplication, headers: { authorization: `Bearer ${token}`, 'x-request-id': 'req-log-1' } });

      const output = lines.join('');
      expect(output).toContain('"requestId":"req-log-1"');
      expect(output).not.toContain(token);
      expect(output).not.toContain(CADRE_NAME);
    } finally {
      await logged.app.close();
    }
  });
});

describe('The OpenAPI document', () => {
  let t: TestApp;
  let doc: {
    paths: Record<string, Record<string, { security?: unknown; responses: Record<string, { content?: Record<string, unknown> }>; requestBody?: unknown }>>;
    components: { securitySchemes: Record<string, unknown>; schemas: Record<string, { examples?: unknown[] }> };
  };
  beforeAll(async () => {
    t = await build();
    doc = (await t.app.inject({ method: 'GET', url: '/openapi.json' })).json();
  });
  afterAll(async () => {
    await t.app.close();
  });

  const openapiPath = (url: string) => url.replace(/:(\w+)/g, '{$1}');

  test.each(routeNames.map((r) => [r, routeAccess[r].method, openapiPath(routeAccess[r].url)] as const))('When the document is read, then %s (%s %s) is in it with bearer security', (_name, method, path) => {
    const operation = doc.paths[path]?.[method.toLowerCase()];

    expect(operation).toBeDefined();
    expect(operation?.security).toEqual([{ bearer: [] }]);
  });

  test.each(['/healthz', '/readyz', '/openapi.json'])('When the document is read, then the operations route %s is in it', (path) => {
    expect(doc.paths[path]?.get).toBeDefined();
  });

  test('When the document is read, then it declares the bearer scheme and the shared problem schema', () => {
    expect(doc.components.securitySchemes.bearer).toEqual({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' });
    expect(doc.components.schemas.Problem).toBeDefined();
  });

  test.each(actionRouteNames.map((r) => [r, openapiPath(routeAccess[r].url)] as const))('When %s is documented, then every error response is a problem document', (_name, path) => {
    const responses = doc.paths[path]?.post?.responses ?? {};

    for (const status of ['400', '401', '403', '404', '409', '413', '415', '429', '500', '503']) {
      expect(responses[status]?.content?.['application/problem+json']).toEqual({ schema: { $ref: '#/components/schemas/Problem' } });
    }
  });

  test('When the application body is documented, then it carries the sample application as an example', () => {
    const body = doc.components.schemas.ApplicationInput;

    expect(body?.examples).toEqual([sampleApplication]);
  });

  test('When the new bodies are documented, then their fields carry Chinese descriptions and the action its example', () => {
    type Schema = { description?: string; properties?: Record<string, Schema> };
    const content = (url: string) => (doc.paths[openapiPath(url)]?.post?.requestBody as { content: Record<string, { schema: Schema; example?: unknown }> } | undefined)?.content['application/json'];
    const body = (url: string) => content(url)?.schema;
    const tracking = body(routeAccess.effectTracking.url);
    expect(tracking?.properties?.reformDecision?.description).toMatch(/改革决策的执行情况/);
    expect(content(routeAccess.effectTracking.url)?.example).toEqual(actionSpecs.effectTracking.example);
    expect(body(routeAccess.expertOpinion.url)?.properties?.suggestions?.description).toMatch(/纠错方案须逐条回应/);
    expect(body(routeAccess.correctionPlan.url)?.properties?.suggestionResponses?.description).toMatch(/逐条回应/);
  });

  test('When /docs is opened, then the UI is served', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/docs' });

    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/text\/html/);
  });
});

describe('Bodies and jurisdictions', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await build();
  });
  afterAll(async () => {
    await t.app.close();
  });
  beforeEach(() => t.cases.reset());

  test('When a token of a body role names no unit, then 401 says the unit claim is missing; an expert needs none', async () => {
    const res = await t.call({ sub: 'nobody', role: 'supervisor' }, requestFor('listCases'));
    expect(res.statusCode).toBe(401);
    expect(res.json().detail).toMatch(/unit/);
    expect((await t.call({ sub: 'expert-amy', role: 'expert' }, requestFor('listCases'))).statusCode).toBe(200);
  });

  test('When a token names a body that is not registered, or one of another kind, then 403 and the gateway is not asked', async () => {
    expect((await t.call({ sub: 'x', role: 'organization', unit: 'NO-SUCH-BODY' }, requestFor('listCases'))).statusCode).toBe(403);
    expect((await t.call({ sub: 'x', role: 'organization', unit: 'JS-NJ-JW' }, requestFor('listCases'))).statusCode).toBe(403);
    expect(t.cases.calls).toEqual([]);
  });

  test('When a case is opened, then its unit and cadre must be registered, and it starts with its jurisdiction under its locality\'s policy', async () => {
    const unknownUnit = await t.call({ ...actors.unit, unit: 'JS-NJ-FGW' }, { ...requestFor('openCase'), payload: { ...sampleApplication, unitCode: 'JS-NJ-XXX' } });
    expect(unknownUnit.statusCode).toBe(403);
    const unknownCadre = await t.call('unit', { ...requestFor('openCase'), payload: { ...sampleApplication, cadre: { ...sampleApplication.cadre, id: 'C-000000-0000' } } });
    expect(unknownCadre.statusCode).toBe(400);
    expect(unknownCadre.json().errors).toEqual([expect.objectContaining({ path: 'body.cadre.id' })]);
    const wrongName = await t.call('unit', { ...requestFor('openCase'), payload: { ...sampleApplication, cadre: { ...sampleApplication.cadre, name: '李四' } } });
    expect(wrongName.statusCode).toBe(400);
    expect(t.cases.calls).toEqual([]);

    const opened = await t.call('unit', requestFor('openCase'));
    expect(opened.statusCode).toBe(201);
    const started = t.cases.calls[0];
    expect(started?.method === 'start' ? started.input.jurisdiction : undefined).toEqual({
      locality: 'JS-NJ',
      path: ['JS-NJ', 'JS'],
      bodies: { organization: 'JS-NJ-ZZB', discipline: 'JS-NJ-JW', committee: 'JS-NJ-SW', supervision: 'JS-NJ-JD' },
      names: { 'JS-NJ-FGW': '南京市发展和改革委员会', 'JS-NJ-ZZB': '中共南京市委组织部', 'JS-NJ-JW': '南京市纪委监委', 'JS-NJ-SW': '中共南京市委', 'JS-NJ-JD': '南京市容错纠错监督组' },
    });
  });

  test('When a body of another locality reads a case, then 404 as for a missing case; the province above sees it', async () => {
    const own = t.cases.cases.get(OWN_CASE)!.state;
    own.jurisdiction = demoRegistry.jurisdictionOf(own.unitCode)!;
    const kunshan = await t.call({ sub: 'ks-officer', role: 'organization', unit: 'JS-SZ-KS-ZZB' }, requestFor('getCase'));
    expect(kunshan.statusCode).toBe(404);
    expect(JSON.stringify(kunshan.json())).not.toContain(sampleApplication.cadre.name);
    expect((await t.call({ sub: 'js-officer', role: 'organization', unit: 'JS-ZZB' }, requestFor('getCase'))).statusCode).toBe(200);
    expect((await t.call('organization', requestFor('getCase'))).statusCode).toBe(200);
  });

  test('When cases of two localities open, then each starts under its own locality\'s policy, side by side', async () => {
    const kunshan = policySchema.parse({ ...defaultPolicy, id: 'kunshan', version: 'kunshan@2026.1', locality: 'JS-SZ-KS', effectiveFrom: '2026-01-01', deadlines: { ...defaultPolicy.deadlines, acceptance: { amount: 3, unit: 'workingDays' } } });
    const two = await build({}, undefined, new PolicyRegistry([defaultPolicy, kunshan]));
    try {
      const nanjing = await two.call('unit', requestFor('openCase'));
      const ks = await two.call({ sub: 'ks-clerk', role: 'unit', unit: 'JS-SZ-KS-ZWB' }, { ...requestFor('openCase'), payload: { ...sampleApplication, unitCode: 'JS-SZ-KS-ZWB', cadre: { ...sampleApplication.cadre, id: 'C-320583-0001', name: '李静' } } });
      expect([nanjing.statusCode, ks.statusCode]).toEqual([201, 201]);
      const versions = two.cases.calls.flatMap((c) => (c.method === 'start' ? [[c.input.application.unitCode, c.input.policy.version, c.input.jurisdiction?.locality]] : []));
      expect(versions).toEqual([
        ['JS-NJ-FGW', 'default@2025.1', 'JS-NJ'],
        ['JS-SZ-KS-ZWB', 'kunshan@2026.1', 'JS-SZ-KS'],
      ]);
    } finally {
      await two.app.close();
    }
  });

  test('When discipline inspection of another locality refers a unit\'s case, then 403', async () => {
    const res = await t.call({ sub: 'ks-inspector', role: 'discipline', unit: 'JS-SZ-KS-JW' }, requestFor('openCase'));
    expect(res.statusCode).toBe(403);
    expect(res.json().detail).toMatch(/管辖/);
  });
});
