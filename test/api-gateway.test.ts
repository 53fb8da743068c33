/**
 * The pure parts of the Temporal gateway: visibility queries (and that no filter value can inject
 * into one), cursors, the start options, listing rows, inbox entries, case numbers and the mapping of
 * Temporal's errors. The gateway's calls to a real server are covered by the end-to-end suite.
 */
import { ServiceError, WorkflowNotFoundError, WorkflowUpdateFailedError, type WorkflowExecutionInfo } from '@temporalio/client';
import { ApplicationFailure, TypedSearchAttributes } from '@temporalio/common';
import { WorkingDayCalendar } from '../domain/calendar';
import { applicationSchema, caseIdSchema, type Actor, type CaseState, type PendingTask } from '../domain/case';
import { CaseMachine } from '../workflows/case/machine';
import { demoRegistry } from '../api/registry';
import { sampleTask } from './support/api-app';
import { defaultPolicy } from '../domain/policies';
import { searchAttributes, type CaseInput } from '../workflows/messages';
import {
  buildInboxQuery,
  buildListQuery,
  byDueDate,
  caseDetails,
  caseSummary,
  decodeCursor,
  encodeCursor,
  inboxEntry,
  initialSearchAttributes,
  literal,
  summarize,
  translateTemporalError,
  type CaseFilter,
} from '../api/gateway';
import { canonicalJson, chinaCivilDate, crockford, derivedCaseId, randomCaseId, requestDigest } from '../api/ids';
import { ActionRejectedError, CaseNotFoundError, InvalidCursorError, UnavailableError } from '../api/problems';
import { sampleApplication } from '../api/schemas';

const org: Actor = { sub: 'olga', role: 'organization', unit: 'JS-NJ-ZZB', locality: 'JS-NJ' };
const unit: Actor = { sub: 'alice', role: 'unit', unit: 'JS-NJ-FGW' };
const expert: Actor = { sub: 'expert-amy', role: 'expert' };

const application = applicationSchema.parse(sampleApplication);
const input: CaseInput = {
  caseId: 'case-2026-7ZK3M9QX1D',
  origin: 'application',
  application,
  openedBy: unit,
  policy: defaultPolicy,
  calendar: WorkingDayCalendar.default().snapshot(2026, 2029),
  requestDigest: 'f'.repeat(64),
};

/** Everything personal in the sample application: none of it may reach Temporal's indexed or displayed fields. */
const personal = [application.cadre.id, application.cadre.name, application.cadre.post, application.incident.summary, application.accountabilityCaseRef ?? '', application.evidence[0]?.uri ?? ''];

describe('Visibility query literals', () => {
  test.each(['JS-NJ-FGW', 'approval-reform', 'followUp', 'default@2025.1'])('When %s is quoted, then it becomes a single-quoted literal', (value) => {
    expect(literal(value)).toBe(`'${value}'`);
  });

  test.each(["X' OR WorkflowType != '", 'a"b', 'a\\b', 'two words', '', 'x'.repeat(65), 'CaseUnit=1;'])('When %j is quoted, then it is refused', (value) => {
    expect(() => literal(value)).toThrow(TypeError);
  });
});

describe('Listing queries', () => {
  test('When a body lists with no filter, then the query selects the case workflows of its jurisdiction', () => {
    expect(buildListQuery(org, {})).toBe("WorkflowType = 'caseWorkflow' AND CaseLocalities = 'JS-NJ'");
  });

  test('When every filter is given, then each becomes a clause on its search attribute', () => {
    const filter: CaseFilter = { stage: 'investigation', outcome: 'mitigate', unit: 'JS-NJ-FGW', category: 'approval-reform', awaiting: 'organization', overdue: true };

    expect(buildListQuery(org, filter)).toBe(
      "WorkflowType = 'caseWorkflow' AND CaseLocalities = 'JS-NJ' AND CaseStage = 'investigation' AND CaseOutcome = 'mitigate' AND CaseUnit = 'JS-NJ-FGW' AND CaseCategory = 'approval-reform' AND CaseAwaiting = 'organization' AND CaseOverdue = true",
    );
  });

  test('When overdue is false, then the clause asks for false', () => {
    expect(buildListQuery(org, { overdue: false })).toBe("WorkflowType = 'caseWorkflow' AND CaseLocalities = 'JS-NJ' AND CaseOverdue = false");
  });

  test('When a unit lists, then its own unit is always a clause, even if it asks for another', () => {
    expect(buildListQuery(unit, {})).toBe("WorkflowType = 'caseWorkflow' AND CaseUnit = 'JS-NJ-FGW'");
    expect(buildListQuery(unit, { unit: 'SX-XA-JYJ' })).toBe("WorkflowType = 'caseWorkflow' AND CaseUnit = 'JS-NJ-FGW' AND CaseUnit = 'SX-XA-JYJ'");
  });

  test('When a unit viewer has no unit, then no query is built', () => {
    expect(() => buildListQuery({ sub: 'x', role: 'unit' }, {})).toThrow();
  });

  test.each([
    ['unit', { unit: "JS' OR CaseUnit != 'X" }],
    ['unit', { unit: 'js-nj-fgw' }],
    ['category', { category: "a' OR 1=1 OR 'b" }],
    ['category', { category: 'Approval Reform' }],
    ['stage', { stage: 'closed OR true' }],
    ['awaiting', { awaiting: 'everyone' }],
    ['unknown key', { ExecutionStatus: 'Running' }],
  ])('When the %s filter is outside its pattern, then no query is built', (_field, filter) => {
    expect(() => buildListQuery(org, filter as CaseFilter)).toThrow();
  });

  test('When an inbox is built for a unit, then it asks for its unit’s running cases awaiting units', () => {
    expect(buildInboxQuery(unit)).toBe("WorkflowType = 'caseWorkflow' AND CaseUnit = 'JS-NJ-FGW' AND ExecutionStatus = 'Running' AND CaseAwaiting = 'unit'");
  });

  test('When an inbox is built for an expert, then it asks for running cases awaiting experts', () => {
    expect(buildInboxQuery(expert)).toBe("WorkflowType = 'caseWorkflow' AND ExecutionStatus = 'Running' AND CaseAwaiting = 'expert'");
  });
});

describe('Cursors', () => {
  const query = buildListQuery(org, { stage: 'investigation' });
  const token = new Uint8Array([0, 1, 2, 250, 251, 252, 253, 254, 255, 0, 0, 7]);

  test('When a page token is encoded, then the cursor is base64url and decodes to the same bytes', () => {
    const cursor = encodeCursor(query, token);

    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(Array.from(decodeCursor(query, cursor))).toEqual(Array.from(token));
  });

  test('When a cursor is used with another query, then it is refused', () => {
    const cursor = encodeCursor(query, token);

    expect(() => decodeCursor(buildListQuery(org, { stage: 'closed' }), cursor)).toThrow(InvalidCursorError);
    expect(() => decodeCursor(buildListQuery(unit, { stage: 'investigation' }), cursor)).toThrow(InvalidCursorError);
  });

  test('When a cursor is tampered with, then it is refused', () => {
    const cursor = encodeCursor(query, token);
    const tampered = (cursor[0] === 'A' ? 'B' : 'A') + cursor.slice(1);

    expect(() => decodeCursor(query, tampered)).toThrow(InvalidCursorError);
  });

  test.each(['', 'short', 'not base64url!!!!!!', 'a'.repeat(5000)])('When the cursor is %j, then it is refused as malformed', (cursor) => {
    expect(() => decodeCursor(query, cursor)).toThrow(InvalidCursorError);
  });
});

describe('Start options', () => {
  test('When a case starts, then its search attributes are the initial, non-personal values', () => {
    const pairs = initialSearchAttributes(input);

    expect(new TypedSearchAttributes(pairs).get(searchAttributes.stage)).toBe('acceptance');
    expect(Object.fromEntries(pairs.map((p) => [p.key.name, p.value]))).toEqual({
      CaseStage: 'acceptance',
      CaseUnit: 'JS-NJ-FGW',
      CaseCategory: 'approval-reform',
      CasePolicyVersion: defaultPolicy.version,
      CaseAwaiting: ['organization'],
      CaseOverdue: false,
    });
  });

  test('When a case starts, then the summary names origin, unit, category and situation', () => {
    expect(caseSummary(input)).toBe('容错申请 · JS-NJ-FGW · 审批制度改革 · 改革创新不确定性下的工作失误');
    const named = { ...input, jurisdiction: demoRegistry.jurisdictionOf(input.application.unitCode)! };
    expect(caseSummary(named)).toBe('容错申请 · 南京市发展和改革委员会 · 审批制度改革 · 改革创新不确定性下的工作失误');
    expect(caseDetails(named)).toContain('| 单位 | 南京市发展和改革委员会（JS-NJ-FGW） |');
  });

  test('When a case starts, then the details are a markdown table with the case number and policy', () => {
    const details = caseDetails(input);

    expect(details).toContain('| 案件 | case-2026-7ZK3M9QX1D |');
    expect(details).toContain(`| 规程 | ${defaultPolicy.version} |`);
    expect(details).toContain('| 情形 | 改革创新不确定性下的工作失误 |');
  });

  test('When a case starts, then nothing personal is in its search attributes, summary or details', () => {
    const shown = JSON.stringify([initialSearchAttributes(input).map((p) => p.value), caseSummary(input), caseDetails(input)]);

    for (const value of personal) expect(shown).not.toContain(value);
  });
});

describe('Listing rows', () => {
  const info = (status: 'RUNNING' | 'COMPLETED', attributes: TypedSearchAttributes) => ({
    workflowId: 'case-2026-7ZK3M9QX1D',
    status: { code: 0, name: status } as WorkflowExecutionInfo['status'],
    startTime: new Date('2026-03-10T02:00:00Z'),
    closeTime: status === 'COMPLETED' ? new Date('2027-03-10T02:00:00Z') : undefined,
    typedSearchAttributes: attributes,
  });

  test('When an open case is summarized, then the row carries its search attributes', () => {
    const attributes = new TypedSearchAttributes([
      ...initialSearchAttributes(input),
      { key: searchAttributes.nextDeadline, value: new Date('2026-03-17T09:00:00Z') },
    ]);

    expect(summarize(info('RUNNING', attributes))).toEqual({
      caseId: 'case-2026-7ZK3M9QX1D',
      status: 'open',
      stage: 'acceptance',
      outcome: undefined,
      unitCode: 'JS-NJ-FGW',
      category: 'approval-reform',
      policyVersion: defaultPolicy.version,
      awaiting: ['organization'],
      nextDeadline: '2026-03-17T09:00:00.000Z',
      overdue: false,
      openedAt: '2026-03-10T02:00:00.000Z',
      closedAt: undefined,
    });
  });

  test('When a closed case with unknown values is summarized, then it is closed and the unknown values are dropped', () => {
    const attributes = new TypedSearchAttributes([
      { key: searchAttributes.stage, value: 'handoff' },
      { key: searchAttributes.outcome, value: 'exempt' },
      { key: searchAttributes.awaiting, value: ['organization', 'nobody'] },
    ]);

    expect(summarize(info('COMPLETED', attributes))).toMatchObject({ status: 'closed', stage: undefined, outcome: 'exempt', awaiting: ['organization'], overdue: false, closedAt: '2027-03-10T02:00:00.000Z' });
  });
});

describe('Inbox entries', () => {
  const task = (over: Partial<PendingTask>): PendingTask => sampleTask({ id: 't', ...over });
  const state = (over: Partial<CaseState>): CaseState => ({
    ...CaseMachine.initial(input, '2026-03-10T02:00:00.000Z').state,
    stage: 'remediation',
    ...over,
  });

  test('When a case has open tasks for several roles, then the entry holds the viewer’s open ones, soonest first', () => {
    const s = state({
      tasks: [
        task({ id: 'late', kind: 'measure', role: 'unit', dueAt: '2026-05-01T09:00:00.000Z' }),
        task({ id: 'soon', kind: 'measure', role: 'unit', dueAt: '2026-04-01T09:00:00.000Z', overdue: true }),
        task({ id: 'done', kind: 'measure', role: 'unit', dueAt: '2026-03-01T09:00:00.000Z', status: 'done' }),
        task({ id: 'theirs', kind: 'correctionPlan', role: 'organization', dueAt: '2026-03-20T09:00:00.000Z' }),
      ],
    });

    const entry = inboxEntry(s, unit);

    expect(entry?.tasks.map((t) => t.taskId)).toEqual(['soon', 'late']);
    expect(entry?.nextDueAt).toBe('2026-04-01T09:00:00.000Z');
    expect(entry?.tasks[0]).toEqual({ taskId: 'soon', kind: 'measure', opensAt: '2026-03-10T02:00:00.000Z', dueAt: '2026-04-01T09:00:00.000Z', overdue: true, provisional: false });
  });

  test('When nothing is open for the viewer, then there is no entry', () => {
    expect(inboxEntry(state({ tasks: [task({ role: 'organization' })] }), unit)).toBeUndefined();
  });

  test("When a unit looks at another unit's case, then there is no entry", () => {
    expect(inboxEntry(state({ unitCode: 'SX-XA-JYJ', tasks: [task({ role: 'unit' })] }), unit)).toBeUndefined();
  });

  test('When an expert was not invited or is not an assignee, then there is no entry', () => {
    const opinionTask = task({ kind: 'expertOpinion', role: 'expert', assignees: ['expert-bo'] });

    expect(inboxEntry(state({ experts: { invited: ['expert-bo'], opinions: [] }, tasks: [opinionTask] }), expert)).toBeUndefined();
    expect(inboxEntry(state({ experts: { invited: ['expert-amy', 'expert-bo'], opinions: [] }, tasks: [opinionTask] }), expert)).toBeUndefined();
    expect(inboxEntry(state({ experts: { invited: ['expert-amy'], opinions: [] }, tasks: [{ ...opinionTask, assignees: ['expert-amy'] }] }), expert)?.tasks).toHaveLength(1);
  });

  test('When a revisit is due, then it is in the inbox of the body that made the ruling only', () => {
    const s = state({ rulingBody: 'JS-NJ-ZZB', tasks: [task({ kind: 'revisit', role: 'organization' })] });

    expect(inboxEntry(s, org)?.tasks).toHaveLength(1);
    expect(inboxEntry(s, { ...org, unit: 'SX-XA-ZZB' })).toBeUndefined();
  });

  test('When entries are sorted, then the soonest due comes first and ties go by case id', () => {
    const e = (caseId: string, nextDueAt: string) => ({ caseId, nextDueAt, stage: 'acceptance' as const, unitCode: 'U1', category: 'c1', tasks: [] });

    const sorted = [e('case-b', '2026-04-01'), e('case-c', '2026-03-01'), e('case-a', '2026-04-01')].sort(byDueDate);

    expect(sorted.map((x) => x.caseId)).toEqual(['case-c', 'case-a', 'case-b']);
  });
});

describe('Case numbers and request digests', () => {
  test('When bytes are written in Crockford base32, then the digits are the 5-bit groups', () => {
    expect(crockford(new Uint8Array([0, 0, 0, 0, 0]), 8)).toBe('00000000');
    expect(crockford(new Uint8Array([0xff, 0xff, 0xff, 0xff, 0xff]), 8)).toBe('ZZZZZZZZ');
    // 0x08 0x86 0x42 → 00001 00010 00011 00100 0010(0) → 1 2 3 4 4
    expect(crockford(new Uint8Array([0x08, 0x86, 0x42]), 4)).toBe('1234');
  });

  test('When a case number is drawn, then it is case-<year>-<10 Crockford digits> and a valid case id', () => {
    const id = randomCaseId(2026);

    expect(id).toMatch(/^case-2026-[0-9A-HJKMNP-TV-Z]{10}$/);
    expect(caseIdSchema.safeParse(id).success).toBe(true);
    expect(randomCaseId(2026)).not.toBe(id);
  });

  test('When a number is derived from an Idempotency-Key, then the same subject and key give the same number, others differ', () => {
    const id = derivedCaseId(2026, 'alice', 'apply-01');

    expect(id).toMatch(/^case-2026-[0-9A-HJKMNP-TV-Z]{10}$/);
    expect(derivedCaseId(2026, 'alice', 'apply-01')).toBe(id);
    expect(derivedCaseId(2026, 'bob', 'apply-01')).not.toBe(id);
    expect(derivedCaseId(2026, 'alice', 'apply-02')).not.toBe(id);
    // The separator keeps ("ab", "c") and ("a", "bc") apart.
    expect(derivedCaseId(2026, 'ab', 'c')).not.toBe(derivedCaseId(2026, 'a', 'bc'));
  });

  test('When bodies differ only in key order or absent fields, then their digests are equal; otherwise they differ', () => {
    expect(canonicalJson({ b: 1, a: { d: [2, { f: 1, e: 0 }], c: undefined } })).toBe('{"a":{"d":[2,{"e":0,"f":1}]},"b":1}');
    expect(requestDigest({ x: 1, y: 2 })).toBe(requestDigest({ y: 2, x: 1 }));
    expect(requestDigest({ x: 1, y: 2 })).not.toBe(requestDigest({ x: 1, y: 3 }));
  });

  test('When it is already the next day in China, then the civil date is China’s', () => {
    expect(chinaCivilDate(new Date('2025-12-31T16:30:00Z'))).toBe('2026-01-01');
    expect(chinaCivilDate(new Date('2025-12-31T15:59:00Z'))).toBe('2025-12-31');
  });
});

describe("Temporal's errors", () => {
  const grpcError = (code: number) => Object.assign(new Error(`${code} grpc`), { code, details: 'grpc', metadata: {} });

  test('When the workflow is not found, then the case is not found', () => {
    expect(translateTemporalError(new WorkflowNotFoundError('no', 'case-2026-X', undefined), 'case-2026-X')).toBeInstanceOf(CaseNotFoundError);
  });

  test('When an Update fails with an ActionRejected type, then it is an ActionRejectedError with the workflow’s reason', () => {
    const failure = ApplicationFailure.create({ type: 'fourEyes', message: 'the proposer may not review', nonRetryable: true });

    const translated = translateTemporalError(new WorkflowUpdateFailedError('update failed', failure), 'case-2026-X');

    expect(translated).toBeInstanceOf(ActionRejectedError);
    expect(translated).toMatchObject({ type: 'fourEyes', message: 'the proposer may not review' });
  });

  test('When an Update fails with another failure type, then the error is passed on unchanged', () => {
    const err = new WorkflowUpdateFailedError('update failed', ApplicationFailure.create({ type: 'TypeError', message: 'x is undefined' }));

    expect(translateTemporalError(err, 'case-2026-X')).toBe(err);
  });

  test.each([14, 4, 8])('When the server answers with gRPC code %i, then Temporal is unavailable', (code) => {
    expect(translateTemporalError(new ServiceError('failed', { cause: grpcError(code) }), '')).toBeInstanceOf(UnavailableError);
  });

  test('When the server answers with another gRPC code, then the error is passed on unchanged', () => {
    const err = new ServiceError('failed', { cause: grpcError(3) });

    expect(translateTemporalError(err, '')).toBe(err);
  });
});
