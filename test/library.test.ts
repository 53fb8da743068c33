/**
 * The typical-case library over HTTP on a real port, on the record system in PostgreSQL
 * (TEST_DATABASE_URL) and in the embedded store: proposals of closed cases by the organization
 * department of their jurisdiction (good practice from tolerated cases, warnings from denied and
 * excluded ones), the anonymization check against the case's sealed personal data at proposal and
 * again at approval (refused by default, replaced when asked), erased cases, approval by the party
 * committee under four eyes, returns and revisions, the audit of every step, and the published
 * library read and searched by every body of every locality, a page at a time.
 * The closed cases are written to the record system as their workflows would record them; no
 * workflow is involved (the library changes none).
 */
import { Writable } from 'node:stream';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { buildApp } from '../api/app';
import { createLibrary } from '../api/library';
import { PROBLEM_BASE } from '../api/problems';
import { cachedRegistry } from '../api/registry';
import { signToken } from '../api/tokens';
import { eraseCase } from '../activities/records/erasure';
import { readRegistry, saveRegistry } from '../activities/records/registry';
import type { RecordEventInput } from '../activities/types';
import { loadConfig } from '../common/config';
import { redactPaths, serializers } from '../common/logger';
import type { Actor } from '../domain/case';
import { sampleApplication } from '../domain/examples';
import { PolicyRegistry } from '../domain/policies';
import { RecordingGateway } from './support/api-app';
import { openTestStore, testStoreKinds, type TestStore } from './support/databases';

jest.setTimeout(120_000);

const config = loadConfig({ LOG_LEVEL: 'silent', API_RATE_LIMIT: '100000' });
const as = (role: Actor['role'], unit: string, sub: string): Actor => ({ sub, role, unit });
const who = {
  org: as('organization', 'JS-NJ-ZZB', 'org-nj-1'),
  org2: as('organization', 'JS-NJ-ZZB', 'org-nj-2'),
  provinceOrg: as('organization', 'JS-ZZB', 'org-js-1'),
  kunshanOrg: as('organization', 'JS-SZ-KS-ZZB', 'org-ks-1'),
  committee: as('committee', 'JS-NJ-SW', 'sw-nj-1'),
  provinceCommittee: as('committee', 'JS-SW', 'sw-js-1'),
  kunshanCommittee: as('committee', 'JS-SZ-KS-SW', 'sw-ks-1'),
  /** a committee member whose subject is the proposer's */
  sameSubCommittee: as('committee', 'JS-NJ-SW', 'org-nj-1'),
  kunshanUnit: as('unit', 'JS-SZ-KS-ZWB', 'clerk-ks'),
  nanjingUnit: as('unit', 'JS-NJ-ZJJ', 'clerk-nj'),
  discipline: as('discipline', 'JS-SZ-KS-JW', 'jw-ks'),
  supervisor: as('supervisor', 'JS-JD', 'jd-js'),
  admin: as('admin', 'JS-NJ-ZZB', 'admin-nj'),
  expert: { sub: 'expert-amy', role: 'expert' } as Actor,
};

const CADRE = sampleApplication.cadre; // 张明, C-320100-0001, of 南京市发展和改革委员会
const COLLEAGUE = { id: 'C-320100-0003', name: '王芳' };

interface Closed {
  unit?: string;
  cadre?: { id: string; name: string };
  stage?: string;
  outcome?: 'exempt' | 'mitigate' | 'deny';
  closeReason?: string;
  category?: string;
  situation?: string;
}

describe.each(testStoreKinds())('The typical-case library on %s', (kind) => {
  let store: TestStore;
  let app: FastifyInstance;
  let base: string;
  const logLines: string[] = [];
  let n = 0;

  /** A case as its workflow records it: opened with its application, then at its last stage. */
  async function recordCase(c: Closed = {}): Promise<string> {
    const caseId = `case-2026-LIB${String(++n).padStart(7, '0')}`;
    const unitCode = c.unit ?? 'JS-NJ-FGW';
    const cadre = c.cadre ?? CADRE;
    const category = c.category ?? 'approval-reform';
    const application = {
      ...sampleApplication,
      unitCode,
      cadre: { ...sampleApplication.cadre, ...cadre },
      incident: { ...sampleApplication.incident, category, situation: c.situation ?? 'reformUncertainty' },
    };
    const register = (stage: string, extra: object = {}): RecordEventInput['register'] => ({
      caseId,
      origin: 'application',
      policyVersion: 'default@2025.1',
      unitCode,
      category,
      stage: stage as RecordEventInput['register']['stage'],
      openedAt: '2026-01-05T01:00:00.000Z',
      ...extra,
    });
    await store.records.recordEvent({ caseId, seq: 1, entry: { at: '2026-01-05T01:00:00.000Z', event: 'opened' }, register: register('acceptance'), records: [{ type: 'case', cadreId: cadre.id, cadreName: cadre.name, application: application as never }] });
    const stage = c.stage ?? 'closed';
    await store.records.recordEvent({
      caseId,
      seq: 2,
      entry: { at: '2026-06-01T02:00:00.000Z', event: stage === 'closed' ? 'closed' : 'rulingFinal' },
      register: register(stage, { ...(c.outcome ? { outcome: c.outcome } : {}), ...(c.closeReason ? { closeReason: c.closeReason } : {}) }),
    });
    return caseId;
  }

  const tolerated = (extra: Closed = {}) => recordCase({ outcome: 'exempt', closeReason: 'completed', ...extra });

  interface Answer {
    status: number;
    headers: Headers;
    body: Record<string, unknown> & { errors?: { path: string; message: string }[]; items?: Record<string, unknown>[] };
  }

  async function call(actor: Actor, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Answer> {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: { authorization: `Bearer ${await signToken(config, actor)}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    return { status: res.status, headers: res.headers, body: (await res.json()) as Answer['body'] };
  }

  const clean = { title: '容缺审批试点中的担当作为', account: '某局在审批制度改革中先行先试，试点“一窗通办”，因省级配套规则尚未出台，两项审批事后撤销，造成一定损失；当事干部主动挽回大部分损失。', lessons: '改革试点要同步完善配套规则，出现偏差及时纠正。' };
  const propose = (caseId: string, kindOf: 'goodPractice' | 'warning', text: object = clean, actor = who.org, headers: Record<string, string> = {}) =>
    call(actor, 'POST', '/v1/library/proposals', { caseId, kind: kindOf, ...text }, headers);
  const review = (entryId: unknown, decision: 'approve' | 'return', actor = who.committee, reason?: string) =>
    call(actor, 'POST', `/v1/library/proposals/${entryId}/review`, { decision, ...(reason ? { reason } : {}) });
  const rows = async (caseId: string) => (await store.db.query('SELECT * FROM typical_cases WHERE case_id = $1', [caseId])).rows;

  beforeAll(async () => {
    store = await openTestStore(kind);
    // a colleague of the cadre in the same unit: the registry records the unit's people
    await saveRegistry(
      store.db,
      { localities: [{ code: 'JS', name: '江苏省' }, { code: 'JS-NJ', name: '南京市', parent: 'JS' }], bodies: [{ code: 'JS-NJ-FGW', name: '南京市发展和改革委员会', kind: 'unit', locality: 'JS-NJ' }], cadres: [{ ...COLLEAGUE, unit: 'JS-NJ-FGW' }] },
      { sub: 'operator', source: 'test' },
    );
    const sink = new Writable({ write: (chunk: Buffer, _enc, done) => void (logLines.push(chunk.toString('utf8')), done()) });
    app = await buildApp({
      config,
      logger: pino({ level: 'debug', redact: { paths: redactPaths, censor: '[redacted]' }, serializers }, sink),
      cases: new RecordingGateway(),
      policies: PolicyRegistry.load(),
      registry: cachedRegistry(() => readRegistry(store.db), 0),
      library: createLibrary(store.db, store.keys),
      readiness: {},
    });
    await app.listen({ host: '127.0.0.1', port: 0 });
    base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await app?.close();
    await store?.close();
  });

  describe('Proposing', () => {
    test('When the organization department proposes a tolerated case of its jurisdiction with a clean account, then it awaits approval, seen by its jurisdiction\'s departments and committees only, and is not in the library yet', async () => {
      const caseId = await tolerated();

      const res = await propose(caseId, 'goodPractice');

      expect(res.status).toBe(201);
      const id = res.body.entryId as string;
      expect(res.headers.get('location')).toMatch(new RegExp(`/v1/library/proposals/${id}$`));
      expect(res.body).toMatchObject({
        caseId,
        kind: 'goodPractice',
        kindLabel: '容错典型（好经验好典例）',
        status: 'proposed',
        statusLabel: '待审核',
        category: 'approval-reform',
        situation: 'reformUncertainty',
        outcome: 'exempt',
        outcomeLabel: '免予问责（免责）',
        locality: 'JS-NJ',
        localityName: '江苏省南京市',
        revision: 1,
        proposedBy: 'org-nj-1',
        proposingBody: 'JS-NJ-ZZB',
        ...clean,
      });
      for (const viewer of [who.org2, who.provinceOrg, who.committee]) expect((await call(viewer, 'GET', `/v1/library/proposals/${id}`)).status).toBe(200);
      for (const viewer of [who.kunshanOrg, who.kunshanCommittee]) {
        expect((await call(viewer, 'GET', `/v1/library/proposals/${id}`)).status).toBe(404);
        expect((await call(viewer, 'GET', '/v1/library/proposals')).body.items!.map((i) => i.entryId)).not.toContain(id);
      }
      expect((await call(who.org2, 'GET', '/v1/library/proposals?status=proposed')).body.items!.map((i) => i.entryId)).toContain(id);
      expect((await call(who.kunshanUnit, 'GET', `/v1/library/${id}`)).status).toBe(404);
      expect((await call(who.org, 'GET', `/v1/library/${id}`)).status).toBe(404);
    });

    test('When the account names the cadre, then 422 naming each find by field, kind and character, never by value, and nothing is written', async () => {
      const caseId = await tolerated();

      const res = await propose(caseId, 'goodPractice', { ...clean, title: '张明同志的改革', lessons: '编号Ｃ－３２０１００－０００１的干部与王芳共同决策' });
      const en = await propose(caseId, 'goodPractice', { ...clean, title: '张 明同志的改革' }, who.org, { 'accept-language': 'en' });

      expect(res.status).toBe(422);
      expect(res.body).toMatchObject({ type: `${PROBLEM_BASE}personalDataInAccount`, title: '案例文本含有案件的个人信息' });
      expect(res.body.errors).toEqual([
        { path: 'body.title', message: 'body.title（标题）: 干部姓名（自第 1 个字起）' },
        { path: 'body.lessons', message: 'body.lessons（启示）: 干部编号（自第 3 个字起）' },
        { path: 'body.lessons', message: 'body.lessons（启示）: 单位人员姓名（自第 20 个字起）' },
      ]);
      expect(JSON.stringify(res.body)).not.toMatch(/张明|王芳|320100/);
      expect(en.body.errors).toEqual([{ path: 'body.title', message: 'the cadre’s name, from character 1' }]);
      expect(en.body.title).toBe('The account holds personal data of the case');
      expect(await rows(caseId)).toEqual([]);
    });

    test('When the proposal asks for replacement, then the cadre, the colleague, the ids and the accountability reference are replaced by placeholders and nothing personal is stored', async () => {
      const caseId = await tolerated({ outcome: 'mitigate', category: 'land-use', situation: 'forwardLookingDecision' });

      const res = await propose(caseId, 'goodPractice', {
        title: '张明：土地利用中的前瞻决策',
        account: '张 明（c-320100-0001）与王芳在问责案件 JS-NJ-JW-2025-017 所涉项目中提出先行供地，后因规划调整造成损失。',
        lessons: '前瞻性决策要留有调整余地。',
        anonymize: 'replace',
      });

      expect(res.status).toBe(201);
      expect(res.body.title).toBe('某干部：土地利用中的前瞻决策');
      expect(res.body.account).toBe('某干部（（编号略））与某同志在问责案件 （案件编号略） 所涉项目中提出先行供地，后因规划调整造成损失。');
      expect(res.body.replaced).toEqual([
        { field: 'title', kind: 'cadreName', kindLabel: '干部姓名', placeholder: '某干部' },
        { field: 'account', kind: 'cadreName', kindLabel: '干部姓名', placeholder: '某干部' },
        { field: 'account', kind: 'cadreId', kindLabel: '干部编号', placeholder: '（编号略）' },
        { field: 'account', kind: 'personName', kindLabel: '单位人员姓名', placeholder: '某同志' },
        { field: 'account', kind: 'caseReference', kindLabel: '问责案件编号', placeholder: '（案件编号略）' },
      ]);
      const stored = JSON.stringify([await rows(caseId), (await store.db.query('SELECT * FROM typical_case_audit')).rows]);
      expect(stored).not.toMatch(/张|王芳|320100|2025-017/);
    });

    test.each([
      ['a warning for a tolerated case', { outcome: 'exempt', closeReason: 'completed' }, 'warning', 422, 'typicalKindMismatch', 'body.kind'],
      ['good practice for a denied case', { outcome: 'deny', closeReason: 'denied' }, 'goodPractice', 422, 'typicalKindMismatch', 'body.kind'],
      ['good practice for an excluded case', { closeReason: 'notTolerable' }, 'goodPractice', 422, 'typicalKindMismatch', 'body.kind'],
      ['a withdrawn case', { closeReason: 'withdrawn' }, 'warning', 422, 'notTypical', 'body.caseId'],
      ['an open case', { stage: 'followUp', outcome: 'exempt' }, 'goodPractice', 409, 'caseNotClosed', undefined],
    ] as const)('When the department proposes %s, then %i %s and nothing is written', async (_name, c, kindOf, status, type, path) => {
      const caseId = await recordCase(c as Closed);

      const res = await propose(caseId, kindOf);

      expect(res.status).toBe(status);
      expect(res.body.type).toBe(PROBLEM_BASE + type);
      if (path) expect(res.body.errors?.[0]?.path).toBe(path);
      expect(await rows(caseId)).toEqual([]);
    });

    test('When a warning is proposed for a tolerated case, then the problem says in Chinese where warnings come from', async () => {
      const res = await propose(await tolerated(), 'warning');

      expect(res.body.detail).toBe('予以容错（免责、从轻或减轻）的案件只能作为容错典型，不能作为警示案例：警示案例来自不予容错或经甄别排除的案件。');
      expect(res.body.errors).toEqual([{ path: 'body.kind', message: 'body.kind（类别）: 该案件应作为“容错典型（好经验好典例）”' }]);
    });

    test('When warnings are proposed for a denied and an excluded case, then both are taken', async () => {
      expect((await propose(await recordCase({ outcome: 'deny', closeReason: 'denied', category: 'procurement', situation: 'livelihoodTrialAndError' }), 'warning')).status).toBe(201);
      expect((await propose(await recordCase({ closeReason: 'notTolerable' }), 'warning')).status).toBe(201);
    });

    test('When a department of another locality proposes a case, or a case that does not exist, then 404 exactly as for a case it cannot see; the same case twice is 409', async () => {
      const caseId = await tolerated();
      const outside = await propose(caseId, 'goodPractice', clean, who.kunshanOrg);
      const unknown = await propose('case-2026-NOSUCHCASE', 'goodPractice');

      expect(outside.status).toBe(404);
      expect(unknown.status).toBe(404);
      expect(outside.body.detail).toBe(unknown.body.detail);
      expect((await propose(caseId, 'goodPractice', clean, who.provinceOrg)).status).toBe(201);
      expect((await propose(caseId, 'goodPractice')).body).toMatchObject({ status: 409, type: `${PROBLEM_BASE}alreadyProposed` });
    });

    test('When roles outside the rows call, then 403: an expert reads no library, an admin neither, only organization proposes and only the committee approves', async () => {
      expect((await call(who.expert, 'GET', '/v1/library')).status).toBe(403);
      expect((await call(who.admin, 'GET', '/v1/library')).status).toBe(403);
      expect((await propose(await tolerated(), 'goodPractice', clean, who.committee)).status).toBe(403);
      expect((await call(who.supervisor, 'GET', '/v1/library/proposals')).status).toBe(403);
      expect((await review(1, 'approve', who.org)).status).toBe(403);
    });
  });

  describe('Approving and returning', () => {
    test('When the proposer\'s own subject reviews it, then 409 fourEyes; when the committee returns it, the department revises it and another member approves it, then it is published and every step is audited', async () => {
      const caseId = await tolerated();
      const id = (await propose(caseId, 'goodPractice')).body.entryId;

      const self = await review(id, 'approve', who.sameSubCommittee);
      const noReason = await review(id, 'return');
      const returned = await review(id, 'return', who.committee, '请补充整改成效');
      const reviseOther = await call(who.kunshanOrg, 'PUT', `/v1/library/proposals/${id}`, clean);
      const revised = await call(who.org2, 'PUT', `/v1/library/proposals/${id}`, { ...clean, lessons: `${clean.lessons}整改后试点经验已在全市推广。` });
      const reviserReviews = await review(id, 'approve', as('committee', 'JS-NJ-SW', 'org-nj-2'));
      const outsideCommittee = await review(id, 'approve', who.kunshanCommittee);
      const approved = await review(id, 'approve', who.committee);
      const again = await review(id, 'return', who.committee, '再议');
      const reviseAfter = await call(who.org, 'PUT', `/v1/library/proposals/${id}`, clean);

      expect(self.body).toMatchObject({ status: 409, type: `${PROBLEM_BASE}fourEyes`, detail: '推荐或修改该案例的人不得审核该案例。' });
      expect(noReason.status).toBe(400);
      expect(returned.body).toMatchObject({ status: 'returned', statusLabel: '已退回修改', returnReason: '请补充整改成效', reviewedBy: 'sw-nj-1' });
      expect(reviseOther.status).toBe(404);
      expect(revised.body).toMatchObject({ status: 'proposed', revision: 2, revisedBy: 'org-nj-2' });
      expect(reviserReviews.body.type).toBe(`${PROBLEM_BASE}fourEyes`);
      expect(outsideCommittee.status).toBe(404);
      expect(approved.status).toBe(200);
      expect(approved.body).toMatchObject({ status: 'published', statusLabel: '已发布', reviewedBy: 'sw-nj-1', reviewingBody: 'JS-NJ-SW' });
      expect(again.body.type).toBe(`${PROBLEM_BASE}wrongStatus`);
      expect(reviseAfter.body.type).toBe(`${PROBLEM_BASE}wrongStatus`);

      const history = (await call(who.committee, 'GET', `/v1/library/proposals/${id}`)).body.history as Record<string, unknown>[];
      expect(history.map((h) => [h.action, (h.by as { sub: string }).sub, h.status, h.revision])).toEqual([
        ['propose', 'org-nj-1', 'proposed', 1],
        ['return', 'sw-nj-1', 'returned', 1],
        ['revise', 'org-nj-2', 'proposed', 2],
        ['approve', 'sw-nj-1', 'published', 2],
      ]);
      expect(history[1]).toMatchObject({ reason: '请补充整改成效', by: { sub: 'sw-nj-1', role: 'committee', body: 'JS-NJ-SW' } });
      expect(history[3]!.lessons).toBe(`${clean.lessons}整改后试点经验已在全市推广。`);
      expect(history.every((h) => typeof h.at === 'string')).toBe(true);
      await expect(store.db.query('UPDATE typical_case_audit SET reason = NULL')).rejects.toThrow(/append-only/);
      await expect(store.db.query('DELETE FROM typical_case_audit')).rejects.toThrow(/append-only/);
    });

    test('When the published account is read by a unit of another city, discipline of another city and the province\'s supervision, then each reads it, anonymized and without case or unit', async () => {
      const caseId = await tolerated();
      const id = (await propose(caseId, 'goodPractice')).body.entryId;
      await review(id, 'approve');

      for (const reader of [who.kunshanUnit, who.nanjingUnit, who.discipline, who.supervisor, who.kunshanOrg]) {
        const res = await call(reader, 'GET', `/v1/library/${id}`);
        expect(res.status).toBe(200);
        expect(res.body).toMatchObject({ entryId: id, kind: 'goodPractice', localityName: '江苏省南京市', ...clean });
        expect(res.body).not.toHaveProperty('caseId');
        expect(JSON.stringify(res.body)).not.toMatch(/JS-NJ-FGW|case-2026|org-nj|sw-nj/);
      }
    });

    test('When personal data of the case appears in an account after it was proposed (the unit\'s registered people changed), then approval checks again and refuses, naming the stored field', async () => {
      const caseId = await tolerated();
      const id = (await propose(caseId, 'goodPractice', { ...clean, lessons: '李华等同志积极配合整改。' })).body.entryId;
      await saveRegistry(
        store.db,
        { localities: [{ code: 'JS', name: '江苏省' }, { code: 'JS-NJ', name: '南京市', parent: 'JS' }], bodies: [{ code: 'JS-NJ-FGW', name: '南京市发展和改革委员会', kind: 'unit', locality: 'JS-NJ' }], cadres: [{ id: 'C-320100-0004', name: '李华', unit: 'JS-NJ-FGW' }] },
        { sub: 'operator', source: 'test' },
      );

      const res = await review(id, 'approve');

      expect(res.body).toMatchObject({ status: 422, type: `${PROBLEM_BASE}personalDataInAccount` });
      expect(res.body.errors).toEqual([{ path: 'entry.lessons', message: 'entry.lessons（启示）: 单位人员姓名（自第 1 个字起）' }]);
      expect((await rows(caseId))[0]).toMatchObject({ status: 'proposed' });
      expect((await review(id, 'return', who.committee, '请删去人员姓名')).body.status).toBe('returned');
      expect((await call(who.org, 'PUT', `/v1/library/proposals/${id}`, { ...clean, lessons: '李华等同志积极配合整改。', anonymize: 'replace' })).body.lessons).toBe('某同志等同志积极配合整改。');
    });
  });

  describe('Erased cases', () => {
    const erase = (caseId: string) => eraseCase(store.db, { caseId, by: 'records-officer', reason: 'retention period ended', retentionYears: () => 0 });

    test('When a case\'s personal data was erased, then it cannot be proposed, a pending proposal of it cannot be published (only returned), and what was published of another stays readable', async () => {
      const erasedFirst = await tolerated();
      await erase(erasedFirst);
      const pending = await tolerated();
      const pendingId = (await propose(pending, 'goodPractice')).body.entryId;
      const publishedCase = await tolerated();
      const publishedId = (await propose(publishedCase, 'goodPractice')).body.entryId;
      await review(publishedId, 'approve');
      await erase(pending);
      await erase(publishedCase);

      const proposal = await propose(erasedFirst, 'goodPractice');
      const approval = await review(pendingId, 'approve');

      expect(proposal.body).toMatchObject({ status: 409, type: `${PROBLEM_BASE}personalDataErased` });
      expect(proposal.body.detail).toBe('该案件保存期满，个人信息已删除，已无从核查案例文本是否含有个人信息，因此不能推荐或发布。');
      expect(approval.body).toMatchObject({ status: 409, type: `${PROBLEM_BASE}personalDataErased` });
      expect((await review(pendingId, 'return', who.committee, '案件信息已删除')).body.status).toBe('returned');
      expect((await call(who.kunshanUnit, 'GET', `/v1/library/${publishedId}`)).body).toMatchObject({ entryId: publishedId, ...clean });
    });
  });

  describe('Searching', () => {
    let ids: Record<string, string>;

    beforeAll(async () => {
      const publish = async (c: Closed, kindOf: 'goodPractice' | 'warning', title: string) => {
        // the province's department and committee, whose jurisdiction holds both cities
        const proposed = await propose(await recordCase(c), kindOf, { ...clean, title }, who.provinceOrg);
        expect(proposed.body).toMatchObject({ status: 'proposed' });
        const id = proposed.body.entryId as string;
        expect((await review(id, 'approve', who.provinceCommittee)).body.status).toBe('published');
        return id;
      };
      ids = {
        exempt: await publish({ outcome: 'exempt', closeReason: 'completed', category: 'approval-reform', situation: 'reformUncertainty' }, 'goodPractice', '检索：审批改革 Pilot 免责'),
        mitigate: await publish({ outcome: 'mitigate', closeReason: 'completed', category: 'land-use', situation: 'forwardLookingDecision' }, 'goodPractice', '检索：土地利用 100% 从轻'),
        denied: await publish({ outcome: 'deny', closeReason: 'denied', category: 'procurement', situation: 'livelihoodTrialAndError' }, 'warning', '检索：政府采购 不予容错'),
        excluded: await publish({ closeReason: 'notTolerable', category: 'procurement', situation: 'livelihoodTrialAndError' }, 'warning', '检索：政府采购 经甄别排除'),
        kunshan: await publish({ outcome: 'exempt', closeReason: 'completed', unit: 'JS-SZ-KS-ZWB', cadre: { id: 'C-320583-0001', name: '李静' } }, 'goodPractice', '检索：昆山 审批'),
      };
    });

    /** The accounts of this search set matching `query` (their titles say 检索), or any matching `words` alone. */
    const search = async (query: string, words = '检索', reader = who.kunshanUnit) => {
      const res = await call(reader, 'GET', `/v1/library?q=${encodeURIComponent(words)}${query ? `&${query}` : ''}`);
      expect(res.status).toBe(200);
      return (res.body.items ?? []).map((i) => i.entryId);
    };

    test('When the library is searched by kind, category, situation, outcome and words, then each finds exactly its accounts, newest first', async () => {
      expect(await search('kind=warning')).toEqual([ids.excluded, ids.denied]);
      expect(await search('category=procurement')).toEqual([ids.excluded, ids.denied]);
      expect(await search('situation=forwardLookingDecision')).toEqual([ids.mitigate]);
      expect(await search('outcome=exempt')).toEqual([ids.kunshan, ids.exempt]);
      expect(await search('kind=goodPractice&category=approval-reform')).toEqual([ids.kunshan, ids.exempt]);
      expect(await search('kind=goodPractice&category=approval-reform&outcome=mitigate')).toEqual([]);
      expect(await search('', 'pilot')).toEqual([ids.exempt]);
      expect(await search('', '100%')).toEqual([ids.mitigate]);
      expect(await search('', '经甄别')).toEqual([ids.excluded]);
      expect(await search('', '_')).toEqual([]);
    });

    test('When a unit of 昆山市 reads the library, then it holds the accounts of both cities, with their Chinese labels', async () => {
      const res = await call(who.kunshanUnit, 'GET', `/v1/library?q=${encodeURIComponent('检索')}`);

      expect(res.body.total).toBe(5);
      const byId = new Map(res.body.items!.map((i) => [i.entryId, i]));
      expect(byId.get(ids.kunshan)).toMatchObject({ localityName: '江苏省苏州市昆山市', categoryLabel: '审批制度改革', situationLabel: '改革创新不确定性下的工作失误' });
      expect(byId.get(ids.excluded)).toMatchObject({ kindLabel: '警示案例', closeReasonLabel: '经甄别不属于容错范围' });
      expect(byId.get(ids.excluded)).not.toHaveProperty('outcome');
      expect(byId.get(ids.denied)).toMatchObject({ outcome: 'deny', outcomeLabel: '不予容错' });
    });

    test('When the library is read a page at a time, then the pages hold every match once, in order, and a cursor of another listing is refused', async () => {
      const seen: unknown[] = [];
      let cursor: string | undefined;
      let pages = 0;
      do {
        const res = await call(who.discipline, 'GET', `/v1/library?q=${encodeURIComponent('检索')}&limit=2${cursor ? `&cursor=${cursor}` : ''}`);
        expect(res.status).toBe(200);
        expect(res.body.total).toBe(5);
        seen.push(...res.body.items!.map((i) => i.entryId));
        cursor = res.body.nextCursor as string | undefined;
        pages++;
      } while (cursor && pages < 10);

      expect(seen).toEqual([ids.kunshan, ids.excluded, ids.denied, ids.mitigate, ids.exempt]);
      expect(pages).toBe(3);
      const first = await call(who.discipline, 'GET', `/v1/library?q=${encodeURIComponent('检索')}&limit=2`);
      const foreign = await call(who.discipline, 'GET', `/v1/library?kind=warning&limit=2&cursor=${first.body.nextCursor as string}`);
      expect(foreign.body).toMatchObject({ status: 400, type: `${PROBLEM_BASE}invalidCursor` });
    });
  });

  test('When accounts were proposed, refused and read, then no log line carries the cadre\'s name or id', () => {
    const logs = logLines.join('\n');
    expect(logs).toContain('typical case proposed');
    expect(logs).not.toMatch(/张明|王芳|C-320100-0001|C-320100-0003/);
  });
});
