/**
 * Sealed personal data and erasure in the record system, against a PostgreSQL server
 * (TEST_DATABASE_URL) and the embedded PGlite store: ciphertext at rest, lookups by the live cadre id,
 * the ledger chain verifying before and after erasure, refusals, the audit, the command, and a store
 * migrated from the version before sealing.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import pino from 'pino';
import { loadConfig } from '../common/config';
import { parsePayloadKeys } from '../common/payload-keys';
import type { Application } from '../domain/case';
import { PolicyRegistry } from '../domain/policies';
import {
  createRecordSystem,
  eraseCase,
  ErasureRefused,
  InvalidRecordInput,
  migrate,
  migrations,
  openDb,
  plaintextReport,
  RecordKeys,
  retentionFromPolicies,
  scratchSchema,
  SEALED_PREFIX,
  type Db,
  type RecordStore,
} from '../activities/records';
import { canonicalJson, chainHash, GENESIS, sha256Hex } from '../activities/records/ledger';
import { sampleApplication } from '../domain/examples';
import type { DomainRecord, RecordEventInput } from '../activities/types';
import { runErase } from '../scripts/records-erase';

jest.setTimeout(120_000);

const logger = pino({ level: 'silent' });
const pgUrl = process.env.TEST_DATABASE_URL;
const masterKey = (id: string) => parsePayloadKeys(`${id}:${randomBytes(32).toString('base64')}`)[0]!;
const oldMaster = masterKey('m-2025');
const keys = new RecordKeys([oldMaster]);
const retention = retentionFromPolicies(PolicyRegistry.load());
const NOW = new Date('2026-06-01T00:00:00.000Z');

interface Backend {
  name: string;
  /** A new, empty store of this backend, opened, with the settings that point a process at it; `close` also removes it. */
  fresh(): Promise<{ db: Db; env: NodeJS.ProcessEnv; close(): Promise<void> }>;
  /** Whether the store admits one process at a time (the command needs it closed). */
  singleProcess: boolean;
}

function pgliteBackend(): Backend {
  return {
    name: 'PGlite (embedded)',
    singleProcess: true,
    async fresh() {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rongcuo-erasure-'));
      const env = { DATA_DIR: dir, LOG_LEVEL: 'silent' };
      const db = await openDb(loadConfig(env), logger);
      return { db, env, close: async () => void (await db.close(), fs.rmSync(dir, { recursive: true, force: true })) };
    },
  };
}

function postgresBackend(url: string): Backend {
  return {
    name: 'PostgreSQL (TEST_DATABASE_URL)',
    singleProcess: false,
    async fresh() {
      const scratch = await scratchSchema(url, 'rc_erase');
      const env = { DATABASE_URL: scratch.url, LOG_LEVEL: 'silent' };
      const db = await openDb(loadConfig(env), logger);
      return { db, env, close: async () => void (await db.close(), await scratch.drop()) };
    },
  };
}

const backends: Backend[] = [pgliteBackend()];
if (pgUrl) backends.push(postgresBackend(pgUrl));
else if (process.env.CI) {
  it('When CI runs the erasure tests, then TEST_DATABASE_URL points at a PostgreSQL server', () => {
    throw new Error('TEST_DATABASE_URL is not set: CI must provide a PostgreSQL server for the record-system tests');
  });
}

// ---- builders ----

let counter = 0;
interface Person {
  caseId: string;
  cadreId: string;
  name: string;
  summary: string;
  reasons: string;
  progress: string;
  thinking: string;
}
const person = (): Person => {
  const n = ++counter;
  return {
    caseId: `case-E${process.pid}-${Date.now().toString(36).toUpperCase()}-${n}`,
    cadreId: `C-ERASE-${process.pid}-${n}`,
    name: `司马青衫${'一二三四五六七八九十'[n % 10]}`,
    summary: `审批流程创新导致项目延误，编号${n}号`,
    reasons: `主动挽回损失，第${n}案`,
    progress: `已修订审批制度第${n}条`,
    thinking: `思想稳定，回访${n}次`,
  };
};

const application = (p: Person, category: string): Application => ({
  cadre: { id: p.cadreId, name: p.name, post: '处长', rank: '四级调研员' },
  unitCode: 'JS-NJ-FGW',
  incident: {
    date: '2013-03-01',
    summary: p.summary,
    situation: 'reformUncertainty',
    faultKind: 'administrative',
    category,
    lossAmount: 120000,
    recoveredAmount: 80000,
    technical: false,
  },
  circumstances: sampleApplication.circumstances,
  evidence: [],
});

/** The cadre's earlier tolerated cases in `category` final since `since`, as the case's lookup reads them. */
const tolerated = async (records: RecordStore, cadreId: string, category: string, since: string) =>
  (await records.lookupCadre({ caseId: 'case-none', cadreId, category, since, performanceYears: 0, at: NOW.toISOString() })).earlier;

const daysBefore = (at: string, days: number) => new Date(new Date(at).getTime() - days * 86_400_000).toISOString();

function event(p: Person, seq: number, at: string, stage: RecordEventInput['register']['stage'], opts: { event: string; category: string; outcome?: string; records?: DomainRecord[] }): RecordEventInput {
  return {
    caseId: p.caseId,
    seq,
    entry: { at, event: opts.event, actor: { sub: 'org-officer-1', role: 'organization' }, detail: { note: p.summary } },
    register: {
      caseId: p.caseId,
      origin: 'application',
      policyVersion: 'default@2025.1',
      unitCode: 'JS-NJ-FGW',
      category: opts.category,
      stage,
      openedAt: daysBefore(at, 0),
      ...(opts.outcome ? { outcome: opts.outcome } : {}),
    },
    ...(opts.records ? { records: opts.records } : {}),
  };
}

/**
 * A case of `p` ruled exempt, with a measure, its progress and a revisit; closed at `closedAt`
 * unless `open`. Returns the number of ledger entries.
 */
async function recordCase(records: RecordStore, p: Person, closedAt: string, opts: { open?: boolean; category?: string } = {}): Promise<number> {
  const category = opts.category ?? 'investment-approval';
  const at = (days: number) => daysBefore(closedAt, days);
  const opened = at(400);
  const base = (seq: number, when: string, stage: RecordEventInput['register']['stage'], o: Omit<Parameters<typeof event>[4], 'category'>) => {
    const e = event(p, seq, when, stage, { ...o, category });
    e.register.openedAt = opened;
    return e;
  };
  await records.recordEvent(base(1, opened, 'acceptance', { event: 'opened', records: [{ type: 'case', cadreId: p.cadreId, cadreName: p.name, application: application(p, category) }] }));
  await records.recordEvent(
    base(2, at(300), 'remediation', {
      event: 'rulingFinal',
      outcome: 'exempt',
      records: [
        { type: 'ruling', rulingNo: 1, outcome: 'exempt', status: 'final', proposedBy: 'org-officer-1', reasons: p.reasons },
        { type: 'measure', measureId: 'm1', title: `完善${p.name}所在处室审批流程`, dueDate: '2013-06-30', status: 'open' },
      ],
    }),
  );
  await records.recordEvent(base(3, at(200), 'followUp', { event: 'measureVerified', outcome: 'exempt', records: [{ type: 'measure', measureId: 'm1', title: `完善${p.name}所在处室审批流程`, dueDate: '2013-06-30', status: 'verified', lastProgress: p.progress, percent: 100 }] }));
  await records.recordEvent(
    base(4, at(100), 'followUp', {
      event: 'revisitRecorded',
      outcome: 'exempt',
      records: [
        { type: 'revisit', revisitId: 'r6', monthOffset: 6, tier: 'incentive', status: 'done', thinking: p.thinking, workPerformance: '积极', lifeSituation: '正常', assessment: '良好', recordedBy: 'org-officer-2' },
        { type: 'effectTracking', trackingId: 'e1', monthOffset: 6, opensAt: at(110), dueAt: at(95), status: 'done', reformDecision: 'sustained', results: `${p.name}牵头的改革继续实施`, recoveredSinceRuling: 1000, recordedBy: 'org-officer-2' },
      ],
    }),
  );
  if (opts.open) return 4;
  await records.recordEvent(base(5, closedAt, 'closed', { event: 'closed', outcome: 'exempt' }));
  return 5;
}

const personalTables = ['ledger', 'cases', 'rulings', 'measures', 'measure_progress', 'revisits', 'effect_trackings', 'case_keys', 'erasures'];

/** Every stored row of the case, as the database's own JSON text. */
async function rawRows(db: Db, caseId: string): Promise<string> {
  const parts: string[] = [];
  for (const table of personalTables) {
    const { rows } = await db.query<{ row: string }>(`SELECT row_to_json(t)::text AS row FROM ${table} t WHERE case_id = $1`, [caseId]);
    parts.push(...rows.map((r) => r.row));
  }
  return parts.join('\n');
}

const plaintextOf = (p: Person) => [p.name, p.cadreId, p.summary, p.reasons, p.progress, p.thinking];

const refusalOf = async (attempt: Promise<unknown>): Promise<ErasureRefused> => {
  try {
    await attempt;
  } catch (err) {
    if (err instanceof ErasureRefused) return err;
    throw err;
  }
  throw new Error('the erasure was not refused');
};

describe.each(backends)('sealed personal data and erasure on $name', (backend) => {
  let store: Awaited<ReturnType<Backend['fresh']>>;
  let db: Db;
  let records: RecordStore;

  beforeAll(async () => {
    store = await backend.fresh();
    db = store.db;
    await migrate(db, logger);
    records = createRecordSystem(db, logger, keys);
  });

  afterAll(async () => {
    await db?.close(); // the handle in use: the command test reopens the embedded store
    await store?.close();
  });

  const erase = (caseId: string, now = NOW) => eraseCase(db, { caseId, by: 'records-officer-7', reason: 'retention period ended (PIPL art. 47)', retentionYears: retention, now });

  it('When a case is recorded, then its ledger and table rows hold no plaintext of the personal data, and reading the case opens it', async () => {
    // Arrange
    const p = person();

    // Act
    await recordCase(records, p, '2015-03-01T02:00:00.000Z');

    // Assert
    const raw = await rawRows(db, p.caseId);
    for (const text of plaintextOf(p)) expect(raw).not.toContain(text);
    const ledger = (await db.query<{ payload: { register: { stage: string }; sealed: string } }>('SELECT payload FROM ledger WHERE case_id = $1 ORDER BY seq', [p.caseId])).rows;
    expect(ledger.map((r) => r.payload.register.stage)).toEqual(['acceptance', 'remediation', 'followUp', 'followUp', 'closed']);
    expect(ledger.every((r) => r.payload.sealed.startsWith(SEALED_PREFIX))).toBe(true);
    const read = await records.readCase(p.caseId);
    expect(read).toMatchObject({ stage: 'closed', outcome: 'exempt', closedAt: '2015-03-01T02:00:00.000Z', cadre: { id: p.cadreId, name: p.name } });
    expect(read?.application?.incident.summary).toBe(p.summary);
    expect(read?.rulings[0]?.reasons).toBe(p.reasons);
    expect(read?.measures[0]).toMatchObject({ lastProgress: p.progress, reports: [{ seq: 3, progress: p.progress }] });
    expect(read?.revisits[0]?.thinking).toBe(p.thinking);
    expect(read?.effectTrackings?.[0]?.results).toBe(`${p.name}牵头的改革继续实施`);
  });

  it('When a cadre\'s earlier tolerated cases are looked up by the live id, then the keyed hash finds them, also after the master keys are rotated', async () => {
    // Arrange
    const p = person();
    const other = person();
    await recordCase(records, p, '2024-03-01T02:00:00.000Z', { category: 'land-use' });
    await recordCase(records, other, '2024-03-01T02:00:00.000Z', { category: 'land-use' });
    const rotated = createRecordSystem(db, logger, new RecordKeys([masterKey('m-2026'), oldMaster]));
    const later = { ...person(), cadreId: p.cadreId };
    await recordCase(rotated, later, '2025-03-01T02:00:00.000Z', { category: 'land-use' });

    // Act
    const found = await tolerated(rotated, p.cadreId, 'land-use', '2020-01-01');
    const byOldKeys = await tolerated(records, p.cadreId, 'land-use', '2020-01-01');

    // Assert
    expect(found.map((c) => c.caseId)).toEqual([later.caseId, p.caseId]);
    expect(byOldKeys.map((c) => c.caseId)).toEqual([p.caseId]); // the old keys cannot know the new key's hash
    expect((await rotated.readCase(p.caseId))?.cadre?.name).toBe(p.name);
    expect(await tolerated(records, 'C-NOBODY', 'land-use', '2020-01-01')).toEqual([]);
    const { rows } = await db.query<{ cadre_ref: string }>('SELECT cadre_ref FROM cases WHERE case_id = $1', [p.caseId]);
    expect(rows[0]?.cadre_ref).toMatch(/^[0-9a-f]{64}$/);
  });

  it('When a closed case past its retention is erased, then its chain verifies before and after, its personal data is unreadable and the erasure is audited', async () => {
    // Arrange
    const p = person();
    const entries = await recordCase(records, p, '2015-03-01T02:00:00.000Z');
    const before = (await records.verifyLedger(p.caseId))[0];
    expect(before).toMatchObject({ ok: true, entries });
    expect((await tolerated(records, p.cadreId, 'investment-approval', '2010-01-01')).map((c) => c.caseId)).toEqual([p.caseId]);

    // Act
    const result = await erase(p.caseId);

    // Assert
    const after = (await records.verifyLedger(p.caseId))[0];
    expect(after).toEqual({ caseId: p.caseId, ok: true, entries: entries + 1, head: result.head });
    expect(result).toMatchObject({ ledgerSeq: entries + 1, retentionYears: 10, closedAt: '2015-03-01T02:00:00.000Z', retentionEndedAt: '2025-03-01T02:00:00.000Z', plaintextLedgerEntries: 0 });
    const read = await records.readCase(p.caseId);
    expect(read).toMatchObject({ stage: 'closed', outcome: 'exempt', erased: { at: NOW.toISOString(), by: 'records-officer-7', reason: 'retention period ended (PIPL art. 47)' } });
    expect(read?.application).toBeUndefined();
    expect(read?.cadre).toBeUndefined();
    expect(read?.rulings).toEqual([{ rulingNo: 1, outcome: 'exempt', status: 'final' }]);
    expect(read?.measures).toEqual([{ measureId: 'm1', status: 'verified', percent: 100, reports: [{ seq: 3 }] }]);
    expect(read?.revisits).toEqual([{ revisitId: 'r6', status: 'done', tier: 'incentive' }]);
    expect(read?.effectTrackings).toEqual([{ trackingId: 'e1', monthOffset: 6, status: 'done', reformDecision: 'sustained', recoveredSinceRuling: 1000, recordedBy: 'org-officer-2' }]);
    const raw = await rawRows(db, p.caseId);
    for (const text of plaintextOf(p)) expect(raw).not.toContain(text);
    const key = (await db.query<{ wrapped_key: string | null; destroyed_at: Date | null }>('SELECT wrapped_key, destroyed_at FROM case_keys WHERE case_id = $1', [p.caseId])).rows[0];
    expect(key?.wrapped_key).toBeNull();
    expect(new Date(key!.destroyed_at!).toISOString()).toBe(NOW.toISOString());
    const last = (await db.query<{ event: string; actor_sub: string; actor_role: string; payload: Record<string, unknown> }>('SELECT event, actor_sub, actor_role, payload FROM ledger WHERE case_id = $1 AND seq = $2', [p.caseId, entries + 1])).rows[0];
    expect(last).toMatchObject({ event: 'erased', actor_sub: 'records-officer-7', actor_role: 'recordsOfficer' });
    expect(Object.keys(last!.payload).sort()).toEqual(['erasure', 'register']);
    const audit = (await db.query('SELECT erased_by, reason, policy_version, retention_years, ledger_seq FROM erasures WHERE case_id = $1', [p.caseId])).rows;
    expect(audit).toEqual([{ erased_by: 'records-officer-7', reason: 'retention period ended (PIPL art. 47)', policy_version: 'default@2025.1', retention_years: 10, ledger_seq: entries + 1 }]);
    expect(await tolerated(records, p.cadreId, 'investment-approval', '2010-01-01')).toEqual([]);
    await expect(db.query('DELETE FROM erasures WHERE case_id = $1', [p.caseId])).rejects.toThrow(/append-only/);
  });

  it('When a case whose ruling was mailed to the cadre is erased, then the cadre\'s address is gone from its deliveries and the outbox, and the unit\'s stays', async () => {
    // Arrange
    const p = person();
    await recordCase(records, p, '2015-03-01T02:00:00.000Z');
    const cadreAddress = `${p.caseId.toLowerCase()}@cadres.test`;
    for (const [key, audience, target] of [
      [`${p.caseId}:ruling-notice-1:cadre#email:cadre`, { role: 'unit', unit: 'JS-NJ-FGW', cadre: true }, cadreAddress],
      [`${p.caseId}:ruling-notice-1#email:unit@units.test`, { role: 'unit', unit: 'JS-NJ-FGW' }, 'unit@units.test'],
    ] as const) {
      await db.query(`INSERT INTO notifications (key, parent_key, case_id, channel, template, audience, target, status) VALUES ($1, 'p', $2, 'email', 'rulingNotice', $3::jsonb, $4, 'outbox')`, [key, p.caseId, JSON.stringify(audience), target]);
      await db.query(`INSERT INTO outbox (key, case_id, to_address, subject, text, message_id) VALUES ($1, $2, $3, '认定告知', '认定告知', '<m@rongcuo>')`, [key, p.caseId, target]);
    }

    // Act
    await erase(p.caseId);

    // Assert
    const targets = (await db.query<{ target: string | null }>('SELECT target FROM notifications WHERE case_id = $1 ORDER BY key', [p.caseId])).rows.map((r) => r.target);
    const outbox = (await db.query<{ to_address: string }>('SELECT to_address FROM outbox WHERE case_id = $1 ORDER BY key', [p.caseId])).rows.map((r) => r.to_address);
    expect(targets.sort()).toEqual([null, 'unit@units.test'].sort());
    expect(outbox.sort()).toEqual(['', 'unit@units.test']);
  });

  it('When a case whose notices named a measure is erased, then what the notices said is gone and that they were sent stays', async () => {
    // Arrange: an overdue measure's notice carries the measure's title in its variables and its mail
    const p = person();
    await recordCase(records, p, '2015-03-01T02:00:00.000Z');
    const title = `整改${p.caseId}的审批台账`;
    const key = `${p.caseId}:measure-1:escalation:1:body#email:unit@units.test`;
    await db.query(`INSERT INTO notifications (key, parent_key, case_id, channel, template, audience, target, subject, vars, status) VALUES ($1, 'p', $2, 'email', 'measureOverdue', $3::jsonb, 'unit@units.test', '措施逾期', $4::jsonb, 'sent')`, [
      key,
      p.caseId,
      JSON.stringify({ role: 'unit', unit: 'JS-NJ-FGW' }),
      JSON.stringify({ measure: title, dueDate: '2015-06-01' }),
    ]);
    await db.query(`INSERT INTO outbox (key, case_id, to_address, subject, text, message_id) VALUES ($1, $2, 'unit@units.test', '措施逾期', $3, '<m2@rongcuo>')`, [key, p.caseId, `纠错措施“${title}”已于 2015-06-01 到期`]);

    // Act
    await erase(p.caseId);

    // Assert
    const rows = (await db.query<{ vars: unknown; template: string; status: string; subject: string }>('SELECT vars, template, status, subject FROM notifications WHERE key = $1', [key])).rows;
    const mails = (await db.query<{ text: string; subject: string }>('SELECT text, subject FROM outbox WHERE key = $1', [key])).rows;
    expect(rows).toEqual([{ vars: null, template: 'measureOverdue', status: 'sent', subject: '措施逾期' }]);
    expect(mails).toEqual([{ text: '', subject: '措施逾期' }]);
    expect(JSON.stringify([rows, mails])).not.toContain(title);
  });

  it('When erasure is asked for an open case, a case within retention or an unknown case, then each is refused with a clear message and nothing changes', async () => {
    // Arrange
    const open = person();
    const recent = person();
    await recordCase(records, open, '2014-03-01T02:00:00.000Z', { open: true });
    await recordCase(records, recent, '2020-03-01T02:00:00.000Z');
    const before = await records.verifyLedger();

    // Act
    const refusals = [await refusalOf(erase(open.caseId)), await refusalOf(erase(recent.caseId)), await refusalOf(erase('case-unknown'))];

    // Assert
    expect(refusals.map((r) => r.refusal)).toEqual(['openCase', 'withinRetention', 'unknownCase']);
    expect(refusals[0]?.message).toBe(`case ${open.caseId} is open (stage followUp): only a closed case is erased`);
    expect(refusals[1]?.message).toBe(`case ${recent.caseId} closed on 2020-03-01T02:00:00.000Z and is kept 10 years under default@2025.1: it may be erased from 2030-03-01T02:00:00.000Z`);
    expect(refusals[2]?.message).toBe('case case-unknown is not in the record system');
    expect(await records.verifyLedger()).toEqual(before);
    expect((await records.readCase(recent.caseId))?.cadre?.name).toBe(recent.name);
    expect((await db.query('SELECT case_id FROM erasures WHERE case_id = ANY($1)', [[open.caseId, recent.caseId]])).rows).toEqual([]);
  });

  it('When an erased case is erased again or is sent another event, then both are refused and the chain stays verified', async () => {
    // Arrange
    const p = person();
    await recordCase(records, p, '2015-03-01T02:00:00.000Z');
    await erase(p.caseId);

    // Act
    const again = await refusalOf(erase(p.caseId, new Date('2027-01-01T00:00:00Z')));
    const more = records.recordEvent(event(p, 7, '2026-07-01T00:00:00.000Z', 'closed', { event: 'note', category: 'investment-approval' }));

    // Assert
    expect(again).toMatchObject({ refusal: 'alreadyErased', message: `case ${p.caseId} was already erased on ${NOW.toISOString()}` });
    await expect(more).rejects.toBeInstanceOf(InvalidRecordInput);
    expect((await records.verifyLedger(p.caseId))[0]).toMatchObject({ ok: true, entries: 6 });
  });

  it('When records:erase is run for a case past retention, then it erases it and reports the verified chain; for an open case it refuses with exit code 1', async () => {
    // Arrange
    const p = person();
    const open = person();
    await recordCase(records, p, '2014-03-01T02:00:00.000Z');
    await recordCase(records, open, '2014-03-01T02:00:00.000Z', { open: true });
    if (backend.singleProcess) await db.close();
    const out: string[] = [];
    const err: string[] = [];

    try {
      // Act
      const erased = await runErase([p.caseId, '--reason', 'retention period ended', '--by', 'archivist-2'], store.env, (t) => out.push(t), (t) => err.push(t));
      const refused = await runErase([open.caseId, '--by', 'archivist-2'], store.env, (t) => out.push(t), (t) => err.push(t));
      const unknown = await runErase(['case-unknown', '--json'], store.env, (t) => out.push(t), (t) => err.push(t));

      // Assert
      expect([erased, refused, unknown]).toEqual([0, 1, 1]);
      expect(out[0]).toMatch(new RegExp(`^case ${p.caseId} erased at .* by archivist-2 \\(retention period ended\\)`));
      expect(out[0]).toMatch(/ledger entry 6 "erased" appended; chain ok, 6 entries, head [0-9a-f]{64}/);
      expect(err).toEqual([`refused: case ${open.caseId} is open (stage followUp): only a closed case is erased\n`]);
      expect(JSON.parse(out[1]!)).toEqual({ erased: false, caseId: 'case-unknown', refusal: 'unknownCase', message: 'case case-unknown is not in the record system' });
    } finally {
      if (backend.singleProcess) {
        db = await openDb(loadConfig(store.env), logger);
        records = createRecordSystem(db, logger, keys);
      }
    }
    expect((await records.readCase(p.caseId))?.erased?.by).toBe('archivist-2');
    expect((await records.readCase(open.caseId))?.cadre?.name).toBe(open.name);
  });

  it('When a store from the version before sealing is migrated, then its plaintext rows stay readable, found and reported, and erasing such a case clears its columns while its ledger keeps verifying', async () => {
    // Arrange: a case written as the previous version wrote it (plaintext payload and columns).
    const old = await backend.fresh();
    try {
      await migrate(old.db, logger, migrations.filter((m) => m.version < 3));
      const p = person();
      const closedAt = '2014-05-01T02:00:00.000Z';
      const register = { caseId: p.caseId, origin: 'application', policyVersion: 'default@2025.1', unitCode: 'JS-NJ-FGW', category: 'land-use', stage: 'closed', outcome: 'exempt', openedAt: '2013-05-01T02:00:00.000Z' };
      const entry = { at: closedAt, event: 'closed', actor: { sub: 'org-officer-1', role: 'organization' } };
      const payloadText = canonicalJson({ entry, register, records: [] });
      const digest = sha256Hex(payloadText);
      const hash = chainHash(GENESIS, { caseId: p.caseId, seq: 1, at: closedAt, event: 'closed', actorSub: 'org-officer-1', actorRole: 'organization', payloadDigest: digest });
      await old.db.query(
        `INSERT INTO ledger (case_id, seq, at, event, actor_sub, actor_role, payload, payload_digest, prev_hash, hash) VALUES ($1, 1, $2, 'closed', 'org-officer-1', 'organization', $3::jsonb, $4, $5, $6)`,
        [p.caseId, closedAt, payloadText, digest, GENESIS, hash],
      );
      await old.db.query(
        `INSERT INTO cases (case_id, origin, policy_version, unit_code, category, stage, outcome, opened_at, updated_at, last_seq, cadre_id, cadre_name, application, final_at)
         VALUES ($1, 'application', 'default@2025.1', 'JS-NJ-FGW', 'land-use', 'closed', 'exempt', '2013-05-01T02:00:00Z', $2, 1, $3, $4, $5::jsonb, $2)`,
        [p.caseId, closedAt, p.cadreId, p.name, JSON.stringify(application(p, 'land-use'))],
      );
      await old.db.query(`INSERT INTO rulings (case_id, ruling_no, outcome, status, proposed_by, reasons, created_at, updated_at) VALUES ($1, 1, 'exempt', 'final', 'org-officer-1', $2, $3, $3)`, [p.caseId, p.reasons, closedAt]);

      // Act
      const applied = await migrate(old.db, logger);
      const upgraded = createRecordSystem(old.db, logger, keys);
      const report = await plaintextReport(old.db);
      const found = await tolerated(upgraded, p.cadreId, 'land-use', '2010-01-01');
      const read = await upgraded.readCase(p.caseId);
      const result = await eraseCase(old.db, { caseId: p.caseId, by: 'records-officer-7', reason: 'retention period ended', retentionYears: retention, now: NOW });

      // Assert
      expect(applied).toEqual(migrations.map((m) => m.version).filter((v) => v >= 3));
      expect(report).toEqual({ ledgerEntries: 1, rows: 2 });
      expect(found.map((c) => c.caseId)).toEqual([p.caseId]);
      expect(read).toMatchObject({ closedAt, cadre: { id: p.cadreId, name: p.name }, rulings: [{ reasons: p.reasons }] });
      expect(read?.application?.incident.summary).toBe(p.summary);
      expect(result.plaintextLedgerEntries).toBe(1);
      expect((await upgraded.verifyLedger(p.caseId))[0]).toMatchObject({ ok: true, entries: 2 });
      expect(await plaintextReport(old.db)).toEqual({ ledgerEntries: 1, rows: 0 });
      const columns = (await old.db.query<{ row: string }>(`SELECT row_to_json(t)::text AS row FROM cases t WHERE case_id = $1`, [p.caseId])).rows[0]?.row;
      expect(columns).not.toContain(p.name);
    } finally {
      await old.close();
    }
  });
});
