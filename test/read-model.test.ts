/**
 * The read model against real databases (PostgreSQL where TEST_DATABASE_URL is set, always in CI,
 * and the embedded PGlite): snapshots written the way the record activity writes them, then the inbox
 * and the case list read back, page by page, and held to the rule on each case's state
 * (`inboxTasksOf`, `canSeeCase`). Also through HTTP: pagination fields and a bad cursor's problem.
 */
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { loadConfig } from '../common/config';
import { buildApp } from '../api/app';
import { canSeeCase } from '../api/access';
import { createReadModel, decodeCursor, encodeCursor, inboxTasksOf, type CaseFilter, type ReadModel } from '../api/read-model';
import { staticRegistry } from '../api/registry';
import { signToken } from '../api/tokens';
import { PolicyRegistry } from '../domain/policies';
import { demoRegistry } from '../api/registry';
import type { Actor, CaseState, PendingTask, Role, Stage } from '../domain/case';
import { InvalidCursorError } from '../api/problems';
import { registerOf, snapshotOf } from '../workflows/case/read-model';
import { RecordingGateway, sampleState, sampleTask } from './support/api-app';
import { openTestStore, testStoreKinds, type TestStore } from './support/databases';
import { prng } from '../bench/lib/random';

jest.setTimeout(120_000);

const NOW = new Date('2026-06-01T00:00:00.000Z');
const OPENED = '2026-03-10T02:00:00.000Z';

const actor = (role: Role, unit: string | undefined, sub = `${role}-${unit ?? 'x'}`): Actor => ({
  sub,
  role,
  ...(unit ? { unit, locality: role === 'expert' ? undefined : demoRegistry.body(unit)!.locality } : {}),
});
const viewers = {
  unitFgw: actor('unit', 'JS-NJ-FGW'),
  unitZjj: actor('unit', 'JS-NJ-ZJJ'),
  unitKs: actor('unit', 'JS-SZ-KS-ZWB'),
  orgNj: actor('organization', 'JS-NJ-ZZB'),
  orgJs: actor('organization', 'JS-ZZB'),
  orgKs: actor('organization', 'JS-SZ-KS-ZZB'),
  discNj: actor('discipline', 'JS-NJ-JW'),
  supJs: actor('supervisor', 'JS-JD'),
  supKs: actor('supervisor', 'JS-SZ-KS-JD'),
  amy: { sub: 'expert-amy', role: 'expert' } as Actor,
  bo: { sub: 'expert-bo', role: 'expert' } as Actor,
};

const caseId = (n: number) => `case-2026-${String(n).padStart(8, '0')}`;

/** A case of `unit` (its jurisdiction from the demo registry) with these tasks. */
function caseOf(n: number, unit: string, tasks: Partial<PendingTask>[], over: Partial<CaseState> = {}): CaseState {
  const s = sampleState(caseId(n));
  s.unitCode = unit;
  s.jurisdiction = demoRegistry.jurisdictionOf(unit)!;
  s.openedAt = new Date(Date.parse(OPENED) + n * 60_000).toISOString();
  s.tasks = tasks.map((t, i) => sampleTask({ id: `task-${String(i).padStart(2, '0')}`, ...t }));
  return Object.assign(s, over);
}

/** Writes the case as the record activity does: its first entry and its snapshot, in one transaction. */
async function record(store: TestStore, s: CaseState, seq = 0, at = NOW.toISOString()): Promise<void> {
  const events = seq === 0 ? [{ seq: 0, entry: { at: s.openedAt, event: 'opened' } }] : [];
  await store.records.recordReaction({ caseId: s.caseId, register: registerOf(s), events, snapshot: snapshotOf(s, seq, at) });
}

/** Every page of the inbox, following the cursors. */
async function wholeInbox(rm: ReadModel, viewer: Actor, limit: number, now = NOW) {
  const items = [];
  let cursor: string | undefined;
  for (let pages = 0; pages < 1000; pages++) {
    const page = await rm.inbox(viewer, { limit, cursor }, now);
    expect(page.items.length).toBeLessThanOrEqual(limit);
    items.push(...page.items);
    if (!page.nextCursor) return items;
    expect(page.items).toHaveLength(limit);
    cursor = page.nextCursor;
  }
  throw new Error('no last page');
}

async function wholeList(rm: ReadModel, viewer: Actor, filter: CaseFilter, limit: number) {
  const items = [];
  let cursor: string | undefined;
  let total = -1;
  for (let pages = 0; pages < 1000; pages++) {
    const page = await rm.list(viewer, filter, { limit, cursor });
    if (total >= 0) expect(page.total).toBe(total);
    total = page.total;
    items.push(...page.items);
    if (!page.nextCursor) return { items, total };
    cursor = page.nextCursor;
  }
  throw new Error('no last page');
}

/** The inbox as the rule computes it from the states. */
function expectedInbox(states: CaseState[], viewer: Actor, now = NOW) {
  return states
    .map((s) => ({ caseId: s.caseId, tasks: inboxTasksOf(s, viewer, now).map((t) => t.id), first: inboxTasksOf(s, viewer, now)[0]?.dueAt }))
    .filter((e) => e.first !== undefined)
    .sort((a, b) => (a.first! < b.first! ? -1 : a.first! > b.first! ? 1 : a.caseId < b.caseId ? -1 : a.caseId > b.caseId ? 1 : 0))
    .map(({ caseId, tasks }) => ({ caseId, tasks }));
}

describe.each(testStoreKinds())('the read model on %s', (kind) => {
  let store: TestStore;
  let rm: ReadModel;
  beforeEach(async () => {
    store = await openTestStore(kind);
    rm = createReadModel(store.db);
  });
  afterEach(async () => store?.close());

  test('When more cases wait than a page holds, then paging gives every one once, soonest due first and then by case id', async () => {
    const states: CaseState[] = [];
    for (let n = 1; n <= 23; n++) {
      // ties on the due date, so the case id decides
      const due = `2026-06-${String(10 + (n % 5)).padStart(2, '0')}T09:00:00.000Z`;
      states.push(caseOf(n, n % 2 ? 'JS-NJ-FGW' : 'JS-NJ-ZJJ', [{ role: 'organization', dueAt: due }, { kind: 'investigation', role: 'organization', dueAt: '2026-07-01T09:00:00.000Z' }]));
    }
    for (const s of states) await record(store, s);

    const items = await wholeInbox(rm, viewers.orgNj, 5);

    expect(items.map((i) => ({ caseId: i.caseId, tasks: i.tasks.map((t) => t.taskId) }))).toEqual(expectedInbox(states, viewers.orgNj));
    expect(items).toHaveLength(23);
    expect(new Set(items.map((i) => i.caseId)).size).toBe(23);
    const firsts = items.map((i) => `${i.nextDueAt} ${i.caseId}`);
    expect([...firsts].sort()).toEqual(firsts);
    expect(items[0]).toMatchObject({ stage: 'acceptance', unitCode: expect.any(String), category: 'approval-reform', asOf: NOW.toISOString(), recordedAt: expect.any(String) });
    expect(items[0]!.tasks[1]).toEqual({ taskId: 'task-01', kind: 'investigation', opensAt: OPENED, dueAt: '2026-07-01T09:00:00.000Z', overdue: false, provisional: false });
  });

  test('When a revisit opens a year ahead, then it is not in today’s inbox, and it is there once it has opened', async () => {
    const s = caseOf(1, 'JS-NJ-FGW', [{ kind: 'revisit', role: 'organization', opensAt: '2027-03-10T00:00:00.000Z', dueAt: '2027-03-20T09:00:00.000Z' }], { rulingBody: 'JS-NJ-ZZB' });
    await record(store, s);

    expect((await rm.inbox(viewers.orgNj, { limit: 50 }, NOW)).items).toEqual([]);
    expect((await rm.inbox(viewers.orgNj, { limit: 50 }, new Date('2027-03-11T00:00:00.000Z'))).items.map((i) => i.caseId)).toEqual([s.caseId]);
    // whoever tolerates, revisits: not the province's organization department
    expect((await rm.inbox(viewers.orgJs, { limit: 50 }, new Date('2027-03-11T00:00:00.000Z'))).items).toEqual([]);
  });

  test('When cases of other localities and other units wait, then neither is in the inbox; a body above sees only tasks that name no other body', async () => {
    const nj = caseOf(1, 'JS-NJ-FGW', [{ role: 'unit', kind: 'supplement' }, { role: 'organization', body: 'JS-NJ-ZZB' }, { role: 'supervisor', kind: 'rulingReview' }]);
    const ks = caseOf(2, 'JS-SZ-KS-ZWB', [{ role: 'unit', kind: 'supplement' }, { role: 'organization', body: 'JS-SZ-KS-ZZB' }, { role: 'supervisor', kind: 'rulingReview' }]);
    await record(store, nj);
    await record(store, ks);

    const ids = async (v: Actor) => (await rm.inbox(v, { limit: 50 }, NOW)).items.map((i) => i.caseId);
    expect(await ids(viewers.unitFgw)).toEqual([nj.caseId]);
    expect(await ids(viewers.unitZjj)).toEqual([]);
    expect(await ids(viewers.unitKs)).toEqual([ks.caseId]);
    expect(await ids(viewers.orgNj)).toEqual([nj.caseId]);
    expect(await ids(viewers.orgKs)).toEqual([ks.caseId]);
    expect(await ids(viewers.orgJs)).toEqual([]);
    expect(await ids(viewers.supJs)).toEqual([nj.caseId, ks.caseId]);
    expect(await ids(viewers.supKs)).toEqual([ks.caseId]);
    expect(await ids(viewers.discNj)).toEqual([]);
  });

  test('When experts are invited, then each sees the opinion task only where it is assigned, and the case list only the cases it was invited to', async () => {
    const both = caseOf(1, 'JS-NJ-FGW', [{ kind: 'expertOpinion', role: 'expert', assignees: ['expert-amy', 'expert-bo'] }], { experts: { invited: ['expert-amy', 'expert-bo'], opinions: [] } });
    const amyOnly = caseOf(2, 'JS-NJ-FGW', [{ kind: 'expertOpinion', role: 'expert', assignees: ['expert-amy'] }], { experts: { invited: ['expert-amy', 'expert-bo'], opinions: [] } });
    const none = caseOf(3, 'JS-NJ-FGW', [{ kind: 'expertOpinion', role: 'expert', assignees: ['expert-amy'] }]);
    for (const s of [both, amyOnly, none]) await record(store, s);

    expect((await rm.inbox(viewers.amy, { limit: 50 }, NOW)).items.map((i) => i.caseId)).toEqual([both.caseId, amyOnly.caseId]);
    expect((await rm.inbox(viewers.bo, { limit: 50 }, NOW)).items.map((i) => i.caseId)).toEqual([both.caseId]);
    expect((await rm.inbox(viewers.orgNj, { limit: 50 }, NOW)).items).toEqual([]);
    const listed = await rm.list(viewers.bo, {}, { limit: 50 });
    expect(listed.items.map((i) => i.caseId).sort()).toEqual([both.caseId, amyOnly.caseId]);
    expect(listed.total).toBe(2);
  });

  test('When cases of every shape are written, then every viewer’s inbox, read a page at a time, is exactly what the rule gives on each case’s state', async () => {
    const rand = prng(20260601);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
    const units = ['JS-NJ-FGW', 'JS-NJ-ZJJ', 'JS-SZ-KS-ZWB'];
    const roleKinds: [Role, PendingTask['kind']][] = [
      ['unit', 'supplement'],
      ['organization', 'acceptance'],
      ['organization', 'revisit'],
      ['organization', 'correctionPlan'],
      ['discipline', 'consultation'],
      ['expert', 'expertOpinion'],
      ['committee', 'rulingReview'],
      ['supervisor', 'measure'],
    ];
    const bodies = [undefined, undefined, 'JS-NJ-ZZB', 'JS-SZ-KS-ZZB', 'JS-ZZB', 'JS-NJ-JW', 'JS-JD', 'JS-NJ-SW'];
    const experts = ['expert-amy', 'expert-bo', 'expert-cy'];
    const states: CaseState[] = [];
    for (let n = 1; n <= 60; n++) {
      const invited = experts.filter(() => rand() < 0.5);
      const tasks: Partial<PendingTask>[] = Array.from({ length: Math.floor(rand() * 4) }, () => {
        const [role, kind] = pick(roleKinds);
        const assigned = role === 'expert' && rand() < 0.8 ? { assignees: experts.filter(() => rand() < 0.5) } : {};
        const body = role !== 'expert' && role !== 'unit' ? pick(bodies) : undefined;
        return {
          role,
          kind,
          ...assigned,
          ...(body ? { body } : {}),
          opensAt: rand() < 0.8 ? '2026-03-10T02:00:00.000Z' : '2026-09-01T00:00:00.000Z',
          dueAt: `2026-0${6 + Math.floor(rand() * 3)}-1${Math.floor(rand() * 3)}T09:00:00.000Z`,
          overdue: rand() < 0.2,
        };
      });
      const over: Partial<CaseState> = { experts: { invited, opinions: [] }, ...(rand() < 0.3 ? { rulingBody: pick(['JS-NJ-ZZB', 'JS-ZZB', 'JS-SZ-KS-ZZB']) } : {}) };
      const s = caseOf(n, pick(units), tasks, over);
      if (rand() < 0.1) delete s.jurisdiction; // a case recorded without one: every body of the role sees it
      states.push(s);
    }
    for (const s of states) await record(store, s);

    for (const [name, v] of Object.entries(viewers)) {
      for (const now of [NOW, new Date('2026-10-01T00:00:00.000Z')]) {
        const got = (await wholeInbox(rm, v, 4, now)).map((i) => ({ caseId: i.caseId, tasks: i.tasks.map((t) => t.taskId) }));
        expect({ name, now, got }).toEqual({ name, now, got: expectedInbox(states, v, now) });
      }
      // and the case list: what canSeeCase admits, newest first
      const listed = await wholeList(rm, v, {}, 7);
      const visible = states.filter((s) => canSeeCase(v, s)).sort((a, b) => (a.openedAt < b.openedAt ? 1 : -1));
      expect({ name, list: listed.items.map((i) => i.caseId), total: listed.total }).toEqual({ name, list: visible.map((s) => s.caseId), total: visible.length });
    }
  });

  test('When a late retry brings an older snapshot, then the newer one stays; a later one of the same entry replaces it', async () => {
    const s = caseOf(1, 'JS-NJ-FGW', [{ role: 'organization', dueAt: '2026-06-10T09:00:00.000Z' }]);
    await record(store, s, 0, '2026-05-01T00:00:00.000Z');
    const newer = structuredClone(s);
    newer.tasks = [sampleTask({ id: 'investigation-2', kind: 'investigation', dueAt: '2026-06-20T09:00:00.000Z' })];
    newer.stage = 'investigation' as Stage;
    await store.records.recordReaction({ caseId: s.caseId, register: registerOf(newer), events: [{ seq: 1, entry: { at: '2026-05-02T00:00:00.000Z', event: 'accepted' } }], snapshot: snapshotOf(newer, 1, '2026-05-02T00:00:00.000Z') });

    // the first attempt of the first reaction, late: its entry is there already, its snapshot is older
    await record(store, s, 0, '2026-05-01T00:00:00.000Z');
    const after = await rm.inbox(viewers.orgNj, { limit: 50 }, NOW);
    expect(after.items.map((i) => [i.stage, i.tasks.map((t) => t.taskId)])).toEqual([['investigation', ['investigation-2']]]);

    // a reaction that changed the tasks without an entry: same seq, later time
    const later = structuredClone(newer);
    later.tasks = [];
    await store.records.recordReaction({ caseId: s.caseId, register: registerOf(later), events: [], snapshot: snapshotOf(later, 1, '2026-05-03T00:00:00.000Z') });
    expect((await rm.inbox(viewers.orgNj, { limit: 50 }, NOW)).items).toEqual([]);
    expect((await rm.list(viewers.orgNj, {}, { limit: 5 })).items[0]).toMatchObject({ caseId: s.caseId, stage: 'investigation', awaiting: [], asOf: '2026-05-03T00:00:00.000Z' });
  });

  test('When a later snapshot keeps a task and adds another, then the kept task reads as the later snapshot has it, beside the new one', async () => {
    const s = caseOf(1, 'JS-NJ-FGW', [{ role: 'organization', dueAt: '2026-06-10T09:00:00.000Z' }, { kind: 'investigation', role: 'organization', dueAt: '2026-06-12T09:00:00.000Z' }]);
    await record(store, s, 0, '2026-05-01T00:00:00.000Z');
    const later = structuredClone(s);
    // task-00 stays with a moved deadline, task-01 is done, task-02 opens
    later.tasks = [sampleTask({ id: 'task-00', dueAt: '2026-06-15T09:00:00.000Z' }), sampleTask({ id: 'task-02', kind: 'investigation', dueAt: '2026-06-25T09:00:00.000Z' })];
    await store.records.recordReaction({ caseId: s.caseId, register: registerOf(later), events: [{ seq: 1, entry: { at: '2026-05-02T00:00:00.000Z', event: 'accepted' } }], snapshot: snapshotOf(later, 1, '2026-05-02T00:00:00.000Z') });

    const [item] = (await rm.inbox(viewers.orgNj, { limit: 50 }, NOW)).items;
    expect(item!.tasks.map((t) => [t.taskId, t.dueAt])).toEqual([
      ['task-00', '2026-06-15T09:00:00.000Z'],
      ['task-02', '2026-06-25T09:00:00.000Z'],
    ]);
  });

  test('When the case list is filtered, then it pages through the matching cases newest first and counts them all', async () => {
    const states: CaseState[] = [];
    for (let n = 1; n <= 12; n++) {
      const stage: Stage = n % 3 === 0 ? 'investigation' : 'acceptance';
      const tasks: Partial<PendingTask>[] = stage === 'acceptance' ? [{ role: 'organization', overdue: n % 4 === 0 }] : [{ role: 'unit', kind: 'supplement' }];
      states.push(caseOf(n, n <= 8 ? 'JS-NJ-FGW' : 'JS-SZ-KS-ZWB', tasks, { stage }));
    }
    for (const s of states) await record(store, s);
    const ids = (xs: { caseId: string }[]) => xs.map((x) => x.caseId);
    const newestFirst = (xs: CaseState[]) => ids([...xs].reverse());

    expect(await wholeList(rm, viewers.supJs, {}, 5)).toEqual({ items: expect.any(Array), total: 12 });
    expect(ids((await wholeList(rm, viewers.supJs, {}, 5)).items)).toEqual(newestFirst(states));
    expect(ids((await wholeList(rm, viewers.supKs, {}, 5)).items)).toEqual(newestFirst(states.slice(8)));
    expect(ids((await wholeList(rm, viewers.unitFgw, {}, 3)).items)).toEqual(newestFirst(states.slice(0, 8)));
    const investigation = await wholeList(rm, viewers.orgNj, { stage: 'investigation' }, 2);
    expect({ ids: ids(investigation.items), total: investigation.total }).toEqual({ ids: newestFirst(states.filter((s, i) => i < 8 && s.stage === 'investigation')), total: 2 });
    expect((await wholeList(rm, viewers.supJs, { awaiting: 'unit' }, 5)).total).toBe(4);
    expect(ids((await wholeList(rm, viewers.supJs, { overdue: true }, 5)).items)).toEqual([caseId(8), caseId(4)]);
    expect((await wholeList(rm, viewers.supJs, { unit: 'JS-SZ-KS-ZWB', stage: 'acceptance' }, 5)).total).toBe(2);
    const row = (await rm.list(viewers.supJs, {}, { limit: 1 })).items[0];
    expect(row).toEqual({
      caseId: caseId(12),
      status: 'open',
      stage: 'investigation',
      outcome: undefined,
      unitCode: 'JS-SZ-KS-ZWB',
      category: 'approval-reform',
      policyVersion: states[0]!.policyVersion,
      awaiting: ['unit'],
      nextDeadline: '2026-03-17T09:00:00.000Z',
      overdue: false,
      openedAt: states[11]!.openedAt,
      closedAt: undefined,
      asOf: NOW.toISOString(),
      recordedAt: expect.any(String),
    });
  });

  test('When a cursor is malformed or belongs to another listing, then it is refused', async () => {
    await record(store, caseOf(1, 'JS-NJ-FGW', [{ role: 'organization' }]));
    await record(store, caseOf(2, 'JS-NJ-FGW', [{ role: 'organization' }]));
    const page = await rm.inbox(viewers.orgNj, { limit: 1 }, NOW);
    expect(page.nextCursor).toEqual(expect.any(String));

    for (const bad of ['x', '!!!!!!!!!!!!', Buffer.from('{"v":1}').toString('base64url'), encodeCursor('other', ['2026-06-01T00:00:00.000Z', caseId(1)])]) {
      await expect(rm.inbox(viewers.orgNj, { limit: 1, cursor: bad }, NOW)).rejects.toThrow(InvalidCursorError);
    }
    await expect(rm.inbox(viewers.orgKs, { limit: 1, cursor: page.nextCursor }, NOW)).rejects.toThrow(InvalidCursorError);
    await expect(rm.list(viewers.orgNj, {}, { limit: 1, cursor: page.nextCursor })).rejects.toThrow(InvalidCursorError);
    const listed = await rm.list(viewers.orgNj, { stage: 'acceptance' }, { limit: 1 });
    await expect(rm.list(viewers.orgNj, { stage: 'closed' }, { limit: 1, cursor: listed.nextCursor })).rejects.toThrow(InvalidCursorError);
    expect(() => decodeCursor('t', encodeCursor('t', ['not an instant', caseId(1)]))).toThrow(InvalidCursorError);
  });
});

describe('the inbox and the case list over HTTP', () => {
  let store: TestStore;
  let app: FastifyInstance;
  const config = loadConfig({} as NodeJS.ProcessEnv);
  beforeAll(async () => {
    store = await openTestStore();
    app = await buildApp({
      config,
      logger: pino({ level: 'silent' }),
      cases: new RecordingGateway(),
      readModel: createReadModel(store.db),
      registry: staticRegistry(demoRegistry),
      policies: PolicyRegistry.load(),
      readiness: {},
      now: () => NOW,
    });
    await app.ready();
    for (let n = 1; n <= 3; n++) await record(store, caseOf(n, 'JS-NJ-FGW', [{ role: 'organization', dueAt: `2026-06-1${n}T09:00:00.000Z` }]));
  });
  afterAll(async () => {
    await app?.close();
    await store?.close();
  });
  const get = async (url: string, who: Actor = viewers.orgNj) =>
    app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${await signToken(config, { sub: who.sub, role: who.role, ...(who.unit ? { unit: who.unit } : {}) })}` } });

  test('When the inbox is read a page at a time, then each page says where the next starts, and the last says nothing', async () => {
    const first = await get('/v1/tasks?limit=2');
    expect(first.statusCode).toBe(200);
    expect(first.json().items.map((i: { caseId: string }) => i.caseId)).toEqual([caseId(1), caseId(2)]);
    const second = await get(`/v1/tasks?limit=2&cursor=${first.json().nextCursor}`);
    expect(second.json()).toEqual({ items: [expect.objectContaining({ caseId: caseId(3), asOf: NOW.toISOString(), recordedAt: expect.any(String) })] });
  });

  test('When the cursor is bad, then the answer is a 400 invalidCursor problem', async () => {
    for (const cursor of ['nonsense', encodeCursor('another', ['2026-06-01T00:00:00.000Z', caseId(1)])]) {
      const res = await get(`/v1/tasks?cursor=${cursor}`);
      expect(res.statusCode).toBe(400);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.json()).toMatchObject({ type: 'https://rongcuo.dev/problems/invalidCursor', status: 400 });
    }
    const listCursor = (await get('/v1/cases?limit=1')).json().nextCursor;
    expect((await get(`/v1/cases?limit=1&cursor=${listCursor}`)).statusCode).toBe(200);
    expect((await get(`/v1/cases?limit=1&stage=closed&cursor=${listCursor}`)).json()).toMatchObject({ type: 'https://rongcuo.dev/problems/invalidCursor' });
  });

  test('When the case list is read, then it counts the matching cases and pages through them', async () => {
    const res = await get('/v1/cases?limit=2');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ total: 3, nextCursor: expect.any(String), items: [{ caseId: caseId(3) }, { caseId: caseId(2) }] });
    expect((await get('/v1/cases', viewers.orgKs)).json()).toEqual({ items: [], total: 0 });
  });
});
