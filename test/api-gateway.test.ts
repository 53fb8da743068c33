/**
 * The pure parts of the Temporal gateway and of the listings: the start options, the inbox rule on a
 * case's state, case numbers and the mapping of Temporal's errors. The gateway's calls to a real
 * server are covered by the end-to-end suite, the read model's queries by read-model.test.ts.
 */
import { ServiceError, WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure, TypedSearchAttributes } from '@temporalio/common';
import { WorkingDayCalendar } from '../domain/calendar';
import { applicationSchema, caseIdSchema, type Actor, type CaseState, type PendingTask } from '../domain/case';
import { CaseMachine } from '../workflows/case/machine';
import { demoRegistry } from '../api/registry';
import { sampleTask } from './support/api-app';
import { defaultPolicy } from '../domain/policies';
import { searchAttributes, type CaseInput } from '../workflows/messages';
import { caseDetails, caseSummary, initialSearchAttributes, translateTemporalError } from '../api/gateway';
import { openedCase } from '../workflows/case/opening';
import { inboxTasksOf } from '../api/read-model';
import { canonicalJson, chinaCivilDate, crockford, derivedCaseId, randomCaseId, requestDigest } from '../api/ids';
import { ActionRejectedError, CaseNotFoundError, UnavailableError } from '../api/problems';
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

describe('Start options', () => {
  test('When a case starts, then its search attributes are those its opening leaves: waiting for acceptance, with its deadline', () => {
    const now = new Date('2026-03-10T02:00:00.000Z');
    const pairs = initialSearchAttributes(input, now);
    const acceptance = openedCase(input, now.toISOString()).tasks.find((t) => t.kind === 'acceptance')!;

    expect(new TypedSearchAttributes(pairs).get(searchAttributes.stage)).toBe('acceptance');
    expect(Object.fromEntries(pairs.map((p) => [p.key.name, p.value]))).toEqual({
      CaseStage: 'acceptance',
      CaseStageName: '待受理',
      CaseUnit: 'JS-NJ-FGW',
      CaseUnitName: 'JS-NJ-FGW',
      CaseCategory: 'approval-reform',
      CasePolicyVersion: defaultPolicy.version,
      CaseAwaiting: ['organization'],
      CaseAwaitingBody: ['组织部门'],
      CaseNextDeadline: new Date(acceptance.dueAt),
      CaseOverdue: false,
    });
    expect(Date.parse(acceptance.dueAt)).toBeGreaterThan(now.getTime());
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
    const shown = JSON.stringify([initialSearchAttributes(input, new Date()).map((p) => p.value), caseSummary(input), caseDetails(input)]);

    for (const value of personal) expect(shown).not.toContain(value);
  });
});

describe('The inbox rule on a case', () => {
  const NOW = new Date('2026-03-12T00:00:00.000Z');
  const task = (over: Partial<PendingTask>): PendingTask => sampleTask({ id: 't', ...over });
  const state = (over: Partial<CaseState>): CaseState => ({
    ...CaseMachine.initial(input, '2026-03-10T02:00:00.000Z').state,
    stage: 'remediation',
    jurisdiction: demoRegistry.jurisdictionOf('JS-NJ-FGW')!,
    ...over,
  });
  const ids = (s: CaseState, viewer: Actor, now = NOW) => inboxTasksOf(s, viewer, now).map((t) => t.id);

  test('When a case has open tasks for several roles, then the viewer’s open ones count, soonest first', () => {
    const s = state({
      tasks: [
        task({ id: 'late', kind: 'measure', role: 'unit', dueAt: '2026-05-01T09:00:00.000Z' }),
        task({ id: 'soon', kind: 'measure', role: 'unit', dueAt: '2026-04-01T09:00:00.000Z', overdue: true }),
        task({ id: 'done', kind: 'measure', role: 'unit', dueAt: '2026-03-01T09:00:00.000Z', status: 'done' }),
        task({ id: 'theirs', kind: 'correctionPlan', role: 'organization', dueAt: '2026-03-20T09:00:00.000Z' }),
      ],
    });

    expect(ids(s, unit)).toEqual(['soon', 'late']);
  });

  test('When nothing is open for the viewer, then nothing counts', () => {
    expect(ids(state({ tasks: [task({ role: 'organization' })] }), unit)).toEqual([]);
  });

  test('When a task opens later, then it counts only from then on', () => {
    const s = state({ tasks: [task({ kind: 'revisit', role: 'organization', opensAt: '2027-03-10T00:00:00.000Z' })] });

    expect(ids(s, org)).toEqual([]);
    expect(ids(s, org, new Date('2027-03-10T00:00:00.000Z'))).toEqual(['t']);
  });

  test("When a unit looks at another unit's case, or a body at another locality's, then nothing counts", () => {
    expect(ids(state({ unitCode: 'SX-XA-JYJ', tasks: [task({ role: 'unit' })] }), unit)).toEqual([]);
    expect(ids(state({ jurisdiction: demoRegistry.jurisdictionOf('JS-SZ-KS-ZWB')!, tasks: [task({ role: 'organization' })] }), org)).toEqual([]);
  });

  test('When an expert was not invited or is not an assignee, then nothing counts', () => {
    const opinionTask = task({ kind: 'expertOpinion', role: 'expert', assignees: ['expert-bo'] });

    expect(ids(state({ experts: { invited: ['expert-bo'], opinions: [] }, tasks: [opinionTask] }), expert)).toEqual([]);
    expect(ids(state({ experts: { invited: ['expert-amy', 'expert-bo'], opinions: [] }, tasks: [opinionTask] }), expert)).toEqual([]);
    expect(ids(state({ experts: { invited: ['expert-amy'], opinions: [] }, tasks: [{ ...opinionTask, assignees: ['expert-amy'] }] }), expert)).toEqual(['t']);
  });

  test('When a revisit is due, then it counts for the body that made the ruling only', () => {
    const s = state({ rulingBody: 'JS-NJ-ZZB', tasks: [task({ kind: 'revisit', role: 'organization' })] });

    expect(ids(s, org)).toEqual(['t']);
    expect(ids(s, { ...org, unit: 'JS-ZZB', locality: 'JS' })).toEqual([]);
  });

  test('When a task names the body that must act, then it counts for that body only', () => {
    const s = state({ tasks: [task({ role: 'organization', body: 'JS-NJ-ZZB' })] });

    expect(ids(s, org)).toEqual(['t']);
    expect(ids(s, { ...org, unit: 'JS-ZZB', locality: 'JS' })).toEqual([]);
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
