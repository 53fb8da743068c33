/**
 * The record system against real databases: a PostgreSQL server (TEST_DATABASE_URL) and the
 * embedded PGlite store in a temporary folder. The same suite runs on both.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import pino from 'pino';
import { loadConfig } from '../common/config';
import type { Application } from '../domain/case';
import {
  createRecordSystem,
  EmbeddedStoreLocked,
  InvalidRecordInput,
  LedgerConflict,
  LedgerOutOfOrder,
  migrate,
  migrations,
  openDb,
  openPostgres,
  RecordKeys,
  seedDemoData,
  type Db,
  type RecordStore,
} from '../activities/records';
import { parsePayloadKeys } from '../common/payload-keys';
import { demoCadres, demoRecipients, demoRegistry, demoUnits } from '../activities/records/seed';
import { readRegistry, saveRegistry } from '../activities/records/registry';
import { isStalePlan, scratchSchema, statementNamer } from '../activities/records/db';
import { LOCK_NAMESPACE } from '../activities/records/migrate';
import { sampleApplication } from '../domain/examples';
import type { DomainRecord, RecordEventInput } from '../activities/types';

jest.setTimeout(120_000);

const logger = pino({ level: 'silent' });
const keys = new RecordKeys(parsePayloadKeys(`t1:${randomBytes(32).toString('base64')}`));
const pgUrl = process.env.TEST_DATABASE_URL;
const allVersions = migrations.map((m) => m.version);

interface Backend {
  name: string;
  /** Opens a handle on this suite's store (call again after close to simulate a restart). */
  open(): Promise<Db>;
  setUp(): Promise<void>;
  tearDown(): Promise<void>;
  /** A handle on a second, fresh and empty store, where the backend can have one; for race tests. */
  freshTwin?(): Promise<[Db, Db, () => Promise<void>]>;
}

/** PGlite loads its WebAssembly with dynamic import(), which Jest allows only with this Node flag. */
function assertVmModules(): void {
  const flag = '--experimental-vm-modules';
  if (!process.execArgv.includes(flag) && !(process.env.NODE_OPTIONS ?? '').includes(flag)) {
    throw new Error(`PGlite under Jest needs Node's ${flag}: run NODE_OPTIONS=${flag} npx jest`);
  }
}

function pgliteBackend(): Backend {
  let dir = '';
  return {
    name: 'PGlite (embedded)',
    async setUp() {
      assertVmModules();
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rongcuo-records-'));
    },
    open: () => openDb(loadConfig({ DATA_DIR: dir }), logger),
    async tearDown() {
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

function withSearchPath(url: string, schema: string): string {
  const u = new URL(url);
  u.searchParams.set('options', `-c search_path=${schema}`);
  return u.toString();
}

function postgresBackend(url: string): Backend {
  const schema = `rc_test_${randomBytes(6).toString('hex')}`;
  const schemas: string[] = [schema];
  const admin = async <T>(fn: (c: Client) => Promise<T>): Promise<T> => {
    const client = new Client({ connectionString: url });
    await client.connect();
    try {
      return await fn(client);
    } finally {
      await client.end();
    }
  };
  return {
    name: 'PostgreSQL (TEST_DATABASE_URL)',
    setUp: () => admin(async (c) => void (await c.query(`CREATE SCHEMA ${schema}`))),
    open: () => openDb(loadConfig({ DATABASE_URL: withSearchPath(url, schema) }), logger),
    tearDown: () => admin(async (c) => void (await c.query(`DROP SCHEMA IF EXISTS ${schemas.join(', ')} CASCADE`))),
    async freshTwin() {
      const twin = `rc_test_${randomBytes(6).toString('hex')}`;
      schemas.push(twin);
      await admin(async (c) => void (await c.query(`CREATE SCHEMA ${twin}`)));
      const config = loadConfig({ DATABASE_URL: withSearchPath(url, twin) });
      const a = await openDb(config, logger);
      const b = await openDb(config, logger);
      return [a, b, async () => void (await Promise.all([a.close(), b.close()]))];
    },
  };
}

const backends: Backend[] = [pgliteBackend()];
if (pgUrl) backends.push(postgresBackend(pgUrl));
else if (process.env.CI) {
  it('When CI runs the record tests, then TEST_DATABASE_URL points at a PostgreSQL server', () => {
    throw new Error('TEST_DATABASE_URL is not set: CI must provide a PostgreSQL server for the record-system tests');
  });
} else {
  console.warn('TEST_DATABASE_URL is not set: the PostgreSQL half of test/records.test.ts is skipped (it runs in CI).');
}

// ---- builders ----

let caseCounter = 0;
const newCaseId = () => `case-T${process.pid}-${Date.now().toString(36).toUpperCase()}-${++caseCounter}`;

const application = (cadreId: string, category = 'investment-approval'): Application => ({
  cadre: { id: cadreId, name: '测试干部', post: '处长', rank: '四级调研员' },
  unitCode: 'JS-NJ-FGW',
  incident: {
    date: '2025-03-01',
    summary: '改革试点中审批流程创新导致项目延误',
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

function event(
  caseId: string,
  seq: number,
  opts: { at?: string; event?: string; stage?: RecordEventInput['register']['stage']; outcome?: string; category?: string; records?: DomainRecord[]; detail?: Record<string, unknown> } = {},
): RecordEventInput {
  const at = opts.at ?? new Date(Date.UTC(2026, 0, 5, 1, 0, seq)).toISOString();
  return {
    caseId,
    seq,
    entry: { at, event: opts.event ?? `event-${seq}`, actor: { sub: 'org-officer-1', role: 'organization' }, ...(opts.detail ? { detail: opts.detail } : {}) },
    register: {
      caseId,
      origin: 'application',
      policyVersion: 'default@2025.1',
      unitCode: 'JS-NJ-FGW',
      category: opts.category ?? 'investment-approval',
      stage: opts.stage ?? 'investigation',
      openedAt: '2026-01-05T01:00:00.000Z',
      ...(opts.outcome ? { outcome: opts.outcome } : {}),
    },
    ...(opts.records ? { records: opts.records } : {}),
  };
}

async function recordChain(records: RecordStore, caseId: string, count: number): Promise<void> {
  for (let seq = 1; seq <= count; seq++) await records.recordEvent(event(caseId, seq));
}

/** A case of `cadreId` whose ruling `outcome` became final at `finalAt`. */
async function ruledCase(records: RecordStore, cadreId: string, category: string, outcome: string, finalAt: string, caseId = newCaseId()): Promise<string> {
  await records.recordEvent(
    event(caseId, 1, { at: '2020-01-01T00:00:00.000Z', event: 'opened', stage: 'acceptance', category, records: [{ type: 'case', cadreId, cadreName: '测试干部', application: application(cadreId, category) }] }),
  );
  await records.recordEvent(
    event(caseId, 2, {
      at: finalAt,
      event: 'rulingFinal',
      stage: outcome === 'deny' ? 'closed' : 'remediation',
      outcome,
      category,
      records: [{ type: 'ruling', rulingNo: 1, outcome, status: 'final', proposedBy: 'org-officer-1', reasons: '综合研判', ...(outcome === 'deny' ? { recommendedForm: 1 } : {}) }],
    }),
  );
  return caseId;
}

const count = async (db: Db, sql: string, params: unknown[] = []): Promise<number> =>
  (await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${sql}`, params)).rows[0]?.n ?? -1;

describe.each(backends)('record system on $name', (backend) => {
  let db: Db;
  let records: RecordStore;
  let firstMigration: number[];

  beforeAll(async () => {
    await backend.setUp();
    db = await backend.open();
    firstMigration = await migrate(db, logger);
    records = createRecordSystem(db, logger, keys);
  });

  afterAll(async () => {
    await db?.close();
    await backend.tearDown();
  });

  /** Runs `sql` as the table owner with the ledger's triggers switched off, as a tamperer would. */
  const tamper = (sql: string) => db.exec(`ALTER TABLE ledger DISABLE TRIGGER ALL; ${sql}; ALTER TABLE ledger ENABLE TRIGGER ALL;`);

  describe('migrations', () => {
    it('When the store is opened again after a restart, then no migration is applied twice', async () => {
      // Arrange
      await db.close();

      // Act
      db = await backend.open();
      records = createRecordSystem(db, logger, keys);
      const second = await migrate(db, logger);

      // Assert
      expect(firstMigration).toEqual(allVersions);
      expect(second).toEqual([]);
      const { rows } = await db.query<{ version: number }>('SELECT version FROM schema_migrations ORDER BY version');
      expect(rows.map((r) => r.version)).toEqual(allVersions);
    });

    if (backend.freshTwin) {
      it('When two processes migrate a fresh database at once, then each migration is applied exactly once', async () => {
        // Arrange
        const [a, b, close] = await backend.freshTwin!();

        try {
          // Act
          const [fromA, fromB] = await Promise.all([migrate(a, logger), migrate(b, logger)]);

          // Assert
          expect([...fromA, ...fromB].sort((x, y) => x - y)).toEqual(allVersions);
          expect(await count(a, 'schema_migrations')).toBe(allVersions.length);
        } finally {
          await close();
        }
      });
    } else {
      it('When a second handle opens the embedded store while it is open, then it is refused', async () => {
        // Act
        const second = backend.open();

        // Assert
        await expect(second).rejects.toBeInstanceOf(EmbeddedStoreLocked);
      });
    }
  });

  describe('recordEvent', () => {
    it('When the same event is recorded twice, then there is one ledger entry and one register row', async () => {
      // Arrange
      const caseId = newCaseId();
      const input = event(caseId, 1, { records: [{ type: 'case', cadreId: 'C-IDEM', cadreName: '测试干部', application: application('C-IDEM') }] });

      // Act
      await records.recordEvent(input);
      await records.recordEvent(structuredClone(input));

      // Assert
      expect(await count(db, 'ledger WHERE case_id = $1', [caseId])).toBe(1);
      expect(await count(db, 'cases WHERE case_id = $1', [caseId])).toBe(1);
      const { rows } = await db.query<{ stage: string; last_seq: number }>('SELECT stage, last_seq FROM cases WHERE case_id = $1', [caseId]);
      expect(rows[0]).toEqual({ stage: 'investigation', last_seq: 1 });
      expect((await records.readCase(caseId))?.cadre?.id).toBe('C-IDEM');
    });

    it('When a retry carries different content for a recorded entry, then it fails with LedgerConflict and changes nothing', async () => {
      // Arrange
      const caseId = newCaseId();
      await records.recordEvent(event(caseId, 1, { stage: 'acceptance' }));

      // Act
      const retry = records.recordEvent(event(caseId, 1, { stage: 'investigation' }));

      // Assert
      await expect(retry).rejects.toBeInstanceOf(LedgerConflict);
      await expect(retry).rejects.toMatchObject({ name: 'LedgerConflict', caseId, seq: 1 });
      const { rows } = await db.query<{ stage: string }>('SELECT stage FROM cases WHERE case_id = $1', [caseId]);
      expect(rows[0]?.stage).toBe('acceptance');
    });

    it('When an entry arrives before the one it follows, then it fails with the retryable LedgerOutOfOrder and succeeds later', async () => {
      // Arrange
      const caseId = newCaseId();
      await records.recordEvent(event(caseId, 1));

      // Act
      const early = records.recordEvent(event(caseId, 3));
      await expect(early).rejects.toBeInstanceOf(LedgerOutOfOrder);
      await records.recordEvent(event(caseId, 2));
      await records.recordEvent(event(caseId, 3));

      // Assert
      expect(await count(db, 'ledger WHERE case_id = $1', [caseId])).toBe(3);
      expect((await records.verifyLedger(caseId))[0]?.ok).toBe(true);
    });

    it('When an event carries domain records, then ruling, measure progress and revisit tracking records are written with it', async () => {
      // Arrange
      const caseId = newCaseId();
      await records.recordEvent(event(caseId, 1, { records: [{ type: 'case', cadreId: 'C-DOM', cadreName: '测试干部', application: application('C-DOM') }] }));

      // Act
      await records.recordEvent(
        event(caseId, 2, {
          stage: 'remediation',
          outcome: 'mitigate',
          records: [
            { type: 'ruling', rulingNo: 1, outcome: 'mitigate', influenceMonths: 6, tier: 'support', status: 'final', proposedBy: 'org-officer-1', reasons: '主动挽回损失' },
            { type: 'measure', measureId: 'm1', title: '完善审批流程', dueDate: '2026-03-31', status: 'open' },
          ],
        }),
      );
      await records.recordEvent(event(caseId, 3, { stage: 'remediation', outcome: 'mitigate', records: [{ type: 'measure', measureId: 'm1', title: '完善审批流程', dueDate: '2026-03-31', status: 'completed', lastProgress: '已修订制度', percent: 100 }] }));
      await records.recordEvent(
        event(caseId, 4, {
          stage: 'followUp',
          outcome: 'mitigate',
          records: [{ type: 'revisit', revisitId: 'r3', monthOffset: 3, tier: 'support', status: 'done', thinking: '思想稳定', workPerformance: '积极', lifeSituation: '正常', assessment: '良好', newTier: 'incentive', recordedBy: 'org-officer-2' }],
        }),
      );

      // Assert
      const ruling = (await db.query('SELECT outcome, influence_months, tier, status FROM rulings WHERE case_id = $1', [caseId])).rows;
      expect(ruling).toEqual([{ outcome: 'mitigate', influence_months: 6, tier: 'support', status: 'final' }]);
      const measure = (await db.query('SELECT due_date, status, percent FROM measures WHERE case_id = $1', [caseId])).rows;
      expect(measure).toEqual([{ due_date: '2026-03-31', status: 'completed', percent: 100 }]);
      const read = await records.readCase(caseId);
      expect(read?.rulings).toEqual([{ rulingNo: 1, outcome: 'mitigate', status: 'final', reasons: '主动挽回损失' }]);
      expect(read?.measures).toEqual([{ measureId: 'm1', status: 'completed', percent: 100, title: '完善审批流程', lastProgress: '已修订制度', reports: [{ seq: 3, progress: '已修订制度' }] }]);
      expect(read?.revisits).toEqual([
        { revisitId: 'r3', status: 'done', tier: 'support', newTier: 'incentive', thinking: '思想稳定', workPerformance: '积极', lifeSituation: '正常', assessment: '良好' },
      ]);
      const register = (await db.query<{ final_at: Date; stage: string }>('SELECT final_at, stage FROM cases WHERE case_id = $1', [caseId])).rows[0];
      expect(register?.stage).toBe('followUp');
      expect(new Date(register!.final_at).toISOString()).toBe(event(caseId, 2).entry.at);
    });

    it('When decision-effect trackings are planned, recorded and lapse, then effect_trackings keeps each with its results sealed', async () => {
      // Arrange
      const caseId = newCaseId();
      await records.recordEvent(event(caseId, 1, { records: [{ type: 'case', cadreId: 'C-EFF', cadreName: '测试干部', application: application('C-EFF') }] }));
      const planned = (trackingId: string, monthOffset: number) =>
        ({ type: 'effectTracking', trackingId, monthOffset, opensAt: `2026-0${monthOffset === 6 ? 7 : 9}-01T01:00:00.000Z`, dueAt: `2026-0${monthOffset === 6 ? 7 : 9}-15T15:59:59.999Z`, status: 'planned' }) as const;

      // Act
      await records.recordEvent(event(caseId, 2, { stage: 'remediation', outcome: 'exempt', records: [planned('e1', 6), planned('e2', 9)] }));
      await records.recordEvent(
        event(caseId, 3, {
          stage: 'followUp',
          outcome: 'exempt',
          records: [{ ...planned('e1', 6), status: 'done', reformDecision: 'reversed', results: '试点已停止，改为常规审批', recoveredSinceRuling: 12_345.67, recordedBy: 'org-officer-2' }],
        }),
      );
      await records.recordEvent(event(caseId, 4, { stage: 'closed', outcome: 'exempt', records: [{ ...planned('e2', 9), status: 'lapsed' }] }));

      // Assert
      const rows = (await db.query<{ tracking_id: string; status: string; results: string | null; recorded_at: Date | null }>('SELECT tracking_id, status, results, recorded_at FROM effect_trackings WHERE case_id = $1 ORDER BY tracking_id', [caseId])).rows;
      expect(rows.map((r) => [r.tracking_id, r.status, r.recorded_at !== null])).toEqual([
        ['e1', 'done', true],
        ['e2', 'lapsed', false],
      ]);
      expect(rows[0]!.results).toMatch(/^enc:v1:/);
      expect((await records.readCase(caseId))?.effectTrackings).toEqual([
        { trackingId: 'e1', monthOffset: 6, status: 'done', reformDecision: 'reversed', results: '试点已停止，改为常规审批', recoveredSinceRuling: 12_345.67, recordedBy: 'org-officer-2' },
        { trackingId: 'e2', monthOffset: 9, status: 'lapsed' },
      ]);
      // a tracking recorded as done must say how the decision turned out
      await expect(records.recordEvent(event(caseId, 5, { stage: 'closed', outcome: 'exempt', records: [{ ...planned('e3', 6), status: 'done' }] }))).rejects.toThrow(InvalidRecordInput);
    });

    it('When the database refuses one of an event\'s records, then nothing of the event is written', async () => {
      // Arrange
      const caseId = newCaseId();
      const bad = event(caseId, 1, { records: [{ type: 'measure', measureId: 'm1', title: '完善审批流程', dueDate: '2026-02-30', status: 'open' }] });

      // Act
      const attempt = records.recordEvent(bad);

      // Assert
      await expect(attempt).rejects.toBeInstanceOf(InvalidRecordInput);
      expect(await count(db, 'ledger WHERE case_id = $1', [caseId])).toBe(0);
      expect(await count(db, 'cases WHERE case_id = $1', [caseId])).toBe(0);
    });
  });

  describe('ledger', () => {
    it('When a case\'s events are recorded, then its hash chain verifies up to the last entry', async () => {
      // Arrange
      const caseId = newCaseId();

      // Act
      await recordChain(records, caseId, 4);
      const [result] = await records.verifyLedger(caseId);

      // Assert
      const last = (await db.query<{ hash: string }>('SELECT hash FROM ledger WHERE case_id = $1 AND seq = 4', [caseId])).rows[0];
      expect(result).toEqual({ caseId, ok: true, entries: 4, head: last?.hash });
    });

    it('When a payload digest is changed behind the disabled trigger, then verification names that entry', async () => {
      // Arrange
      const caseId = newCaseId();
      await recordChain(records, caseId, 4);

      // Act
      await tamper(`UPDATE ledger SET payload_digest = repeat('a', 64) WHERE case_id = '${caseId}' AND seq = 2`);
      const [result] = await records.verifyLedger(caseId);

      // Assert
      expect(result).toMatchObject({ caseId, ok: false, firstBrokenSeq: 2 });
    });

    it('When an entry\'s payload is edited behind the disabled trigger, then verification names that entry', async () => {
      // Arrange
      const caseId = newCaseId();
      await recordChain(records, caseId, 4);

      // Act
      await tamper(`UPDATE ledger SET payload = jsonb_set(payload, '{register,stage}', '"closed"') WHERE case_id = '${caseId}' AND seq = 3`);
      const [result] = await records.verifyLedger(caseId);

      // Assert
      expect(result).toMatchObject({ ok: false, firstBrokenSeq: 3 });
      expect(result?.problem).toMatch(/payload/);
    });

    it('When an entry\'s event column is edited behind the disabled trigger, then verification names that entry', async () => {
      // Arrange
      const caseId = newCaseId();
      await recordChain(records, caseId, 3);

      // Act
      await tamper(`UPDATE ledger SET event = 'approved' WHERE case_id = '${caseId}' AND seq = 1`);
      const [result] = await records.verifyLedger(caseId);

      // Assert
      expect(result).toMatchObject({ ok: false, firstBrokenSeq: 1 });
    });

    it('When a middle entry is deleted, then verification reports the missing entry', async () => {
      // Arrange
      const caseId = newCaseId();
      await recordChain(records, caseId, 5);

      // Act
      await tamper(`DELETE FROM ledger WHERE case_id = '${caseId}' AND seq = 3`);
      const [result] = await records.verifyLedger(caseId);

      // Assert
      expect(result).toMatchObject({ ok: false, entries: 4, firstBrokenSeq: 3 });
    });

    it('When a middle entry is deleted and the later ones renumbered, then verification reports the broken link', async () => {
      // Arrange
      const caseId = newCaseId();
      await recordChain(records, caseId, 4);

      // Act
      await tamper(
        `DELETE FROM ledger WHERE case_id = '${caseId}' AND seq = 2;
         UPDATE ledger SET seq = 2 WHERE case_id = '${caseId}' AND seq = 3;
         UPDATE ledger SET seq = 3 WHERE case_id = '${caseId}' AND seq = 4`,
      );
      const [result] = await records.verifyLedger(caseId);

      // Assert
      expect(result).toMatchObject({ ok: false, firstBrokenSeq: 2 });
    });

    it('When the last entry is deleted, then verification reports it against the register', async () => {
      // Arrange
      const caseId = newCaseId();
      await recordChain(records, caseId, 3);

      // Act
      await tamper(`DELETE FROM ledger WHERE case_id = '${caseId}' AND seq = 3`);
      const [result] = await records.verifyLedger(caseId);

      // Assert
      expect(result).toMatchObject({ ok: false, entries: 2, firstBrokenSeq: 3 });
    });

    it('When two entries swap places, then verification reports the first of them', async () => {
      // Arrange
      const caseId = newCaseId();
      await recordChain(records, caseId, 4);

      // Act
      await tamper(
        `UPDATE ledger SET seq = 100 WHERE case_id = '${caseId}' AND seq = 2;
         UPDATE ledger SET seq = 2 WHERE case_id = '${caseId}' AND seq = 3;
         UPDATE ledger SET seq = 3 WHERE case_id = '${caseId}' AND seq = 100`,
      );
      const [result] = await records.verifyLedger(caseId);

      // Assert
      expect(result).toMatchObject({ ok: false, entries: 4, firstBrokenSeq: 2 });
    });

    it('When someone updates, deletes or truncates ledger rows, then the trigger refuses and the chain still verifies', async () => {
      // Arrange
      const caseId = newCaseId();
      await recordChain(records, caseId, 2);

      // Act and assert, one statement after the other: a refusal left without a handler while the
      // test waits for another would fail the test as an unhandled rejection
      await expect(db.query(`UPDATE ledger SET event = 'x' WHERE case_id = $1`, [caseId])).rejects.toThrow(/append-only/);
      await expect(db.query('DELETE FROM ledger WHERE case_id = $1', [caseId])).rejects.toThrow(/append-only/);
      await expect(db.query('TRUNCATE ledger')).rejects.toThrow(/append-only/);
      expect((await records.verifyLedger(caseId))[0]).toMatchObject({ ok: true, entries: 2 });
    });

    it('When every case is verified, then intact and broken chains are told apart', async () => {
      // Arrange
      const intact = newCaseId();
      const broken = newCaseId();
      await recordChain(records, intact, 2);
      await recordChain(records, broken, 2);
      await tamper(`UPDATE ledger SET actor_sub = 'someone-else' WHERE case_id = '${broken}' AND seq = 2`);

      // Act
      const results = await records.verifyLedger();

      // Assert
      expect(results.find((r) => r.caseId === intact)).toMatchObject({ ok: true, entries: 2 });
      expect(results.find((r) => r.caseId === broken)).toMatchObject({ ok: false, firstBrokenSeq: 2 });
    });
  });

  describe('queries', () => {
    it('When earlier cases are looked up for the repeat rule, then only final tolerated cases of that cadre and category inside the window count', async () => {
      // Arrange
      const cadre = `C-REP-${caseCounter}`;
      const recentExempt = await ruledCase(records, cadre, 'land-use', 'exempt', '2025-06-01T02:00:00.000Z');
      const recentMitigate = await ruledCase(records, cadre, 'land-use', 'mitigate', '2024-02-10T02:00:00.000Z');
      await ruledCase(records, cadre, 'land-use', 'exempt', '2023-12-31T15:59:59.000Z'); // 2023-12-31 23:59:59 in China: before the window
      await ruledCase(records, cadre, 'land-use', 'deny', '2025-07-01T02:00:00.000Z');
      await ruledCase(records, cadre, 'procurement', 'exempt', '2025-07-01T02:00:00.000Z');
      await ruledCase(records, 'C-SOMEONE-ELSE', 'land-use', 'exempt', '2025-07-01T02:00:00.000Z');
      const current = await ruledCase(records, cadre, 'land-use', 'exempt', '2025-08-01T02:00:00.000Z');
      const notFinal = newCaseId();
      await records.recordEvent(event(notFinal, 1, { stage: 'appeal', outcome: 'exempt', category: 'land-use', records: [{ type: 'case', cadreId: cadre, cadreName: '测试干部', application: application(cadre, 'land-use') }] }));

      // Act
      const found = (await records.lookupCadre({ caseId: current, cadreId: cadre, category: 'land-use', since: '2024-01-01', performanceYears: 0, at: '2025-08-01T02:00:00.000Z' })).earlier;

      // Assert
      expect(found).toEqual([
        { caseId: recentExempt, outcome: 'exempt', finalAt: '2025-06-01T02:00:00.000Z' },
        { caseId: recentMitigate, outcome: 'mitigate', finalAt: '2024-02-10T02:00:00.000Z' },
      ]);
    });

    it('When the cadre\'s applications are looked up for the repeat-application signal, then every case of the cadre opened in the window counts, in any category and at any stage', async () => {
      // Arrange
      const cadre = `C-APP-${caseCounter}`;
      const opened = async (category: string, openedAt: string, stage: RecordEventInput['register']['stage'] = 'acceptance', who = cadre) => {
        const caseId = newCaseId();
        const e = event(caseId, 1, { at: openedAt, event: 'opened', stage, category, records: [{ type: 'case', cadreId: who, cadreName: '测试干部', application: application(who, category) }] });
        await records.recordEvent({ ...e, register: { ...e.register, openedAt } });
        return caseId;
      };
      const landUse = await opened('land-use', '2025-03-01T02:00:00.000Z', 'closed');
      const procurement = await opened('procurement', '2025-09-01T02:00:00.000Z', 'investigation');
      await opened('land-use', '2022-12-31T15:59:59.000Z'); // before the window
      await opened('land-use', '2025-10-01T02:00:00.000Z', 'acceptance', 'C-SOMEONE-ELSE');
      const current = await opened('approval-reform', '2026-01-10T02:00:00.000Z');

      // Act
      const lookup = await records.lookupCadre({ caseId: current, cadreId: cadre, category: 'approval-reform', since: '2023-01-01', applicationsSince: '2023-01-01', performanceYears: 0, at: '2026-01-10T02:00:00.000Z' });
      const found = lookup.applications;

      // Assert
      expect(found).toEqual([
        { caseId: landUse, category: 'land-use', openedAt: '2025-03-01T02:00:00.000Z' },
        { caseId: procurement, category: 'procurement', openedAt: '2025-09-01T02:00:00.000Z' },
      ]);
      expect(lookup.earlier).toEqual([]);
      expect((await records.lookupCadre({ caseId: current, cadreId: 'C-NOBODY', category: 'land-use', since: '2000-01-01', applicationsSince: '2000-01-01', performanceYears: 3, at: '2026-01-10T02:00:00.000Z' })).applications).toEqual([]);
      expect((await records.lookupCadre({ caseId: current, cadreId: cadre, category: 'land-use', since: '2000-01-01', performanceYears: 0, at: '2026-01-10T02:00:00.000Z' })).applications).toBeUndefined();
    });

    it('When performance records are asked for, then the latest complete years come newest first', async () => {
      // Arrange
      const cadre = `C-PERF-${caseCounter}`;
      const grades: [number, string][] = [
        [2021, 'incompetent'],
        [2022, 'basicallyCompetent'],
        [2023, 'competent'],
        [2024, 'excellent'],
        [2025, 'competent'],
        [2026, 'excellent'],
      ];
      for (const [year, grade] of grades) await db.query('INSERT INTO performance_records (cadre_id, year, grade) VALUES ($1, $2, $3)', [cadre, year, grade]);

      // Act
      const lookup = (years: number, at: string) => records.lookupCadre({ caseId: newCaseId(), cadreId: cadre, category: 'land-use', since: '2020-01-01', performanceYears: years, at });
      const found = (await lookup(3, '2026-01-01T00:00:00+08:00')).performance;

      // Assert
      expect(found).toEqual([
        { year: 2025, grade: 'competent' },
        { year: 2024, grade: 'excellent' },
        { year: 2023, grade: 'competent' },
      ]);
      expect((await lookup(0, '2026-06-01')).performance).toEqual([]);
      expect((await lookup(10, '2026-06-01')).performance.map((g) => g.year)).toEqual([2025, 2024, 2023, 2022, 2021]);
    });
  });

  describe('demo data', () => {
    it('When demo data is wanted, then it loads into an empty store once and never again', async () => {
      // Arrange
      const now = new Date('2026-04-01T00:00:00Z');
      const refused = await seedDemoData(db, { seedDemoData: false }, logger, now);
      const unitsBefore = await count(db, 'units');

      // Act: `auto` seeds the embedded store and never PostgreSQL; `true` seeds either, once
      const auto = await seedDemoData(db, { seedDemoData: 'auto' }, logger, now);
      const first = auto || (await seedDemoData(db, { seedDemoData: true }, logger, now));
      const second = await seedDemoData(db, { seedDemoData: true }, logger, now);

      // Assert
      expect(auto).toBe(db.kind === 'pglite');
      expect([refused, unitsBefore, first, second]).toEqual([false, 0, true, false]);
      expect(await count(db, 'units')).toBe(demoUnits.length);
      expect(await count(db, 'cadres')).toBe(demoCadres.length);
      expect(await count(db, 'recipients')).toBe(demoRecipients.length);
      expect(await count(db, `units WHERE unit_code = 'JS-NJ-FGW' AND name = '南京市发展和改革委员会' AND locality_code = 'JS-NJ'`)).toBe(1);
      expect(await count(db, 'localities')).toBe(demoRegistry.localities.length);
      expect(await count(db, 'bodies')).toBe(demoRegistry.bodies.length);
      expect(await count(db, `registry_changes WHERE by_sub = 'system' AND source = 'demo data'`)).toBe(1);
      expect((await readRegistry(db)).document).toEqual({ ...demoRegistry, localities: [...demoRegistry.localities].sort((x, y) => x.code.localeCompare(y.code)), bodies: [...demoRegistry.bodies].sort((x, y) => x.code.localeCompare(y.code)), cadres: [...demoRegistry.cadres].sort((x, y) => x.id.localeCompare(y.id)) });
      // each body has its own address, so a notice for one body reaches that body
      expect(await count(db, `recipients WHERE unit = 'JS-SZ-KS-ZZB' AND role = 'organization'`)).toBe(1);
      const cadre = demoCadres[0]!;
      expect((await records.lookupCadre({ caseId: newCaseId(), cadreId: cadre.id, category: 'land-use', since: now.toISOString(), performanceYears: 3, at: now.toISOString() })).performance).toEqual([
        { year: 2025, grade: cadre.grades[2] },
        { year: 2024, grade: cadre.grades[1] },
        { year: 2023, grade: cadre.grades[0] },
      ]);
    });
  });

  describe('registry', () => {
    it('When a registry document is saved twice with a change, then entries are added or updated, never doubled, and each save is audited', async () => {
      // Arrange
      const doc = {
        localities: [{ code: 'SN', name: '陕西省' }, { code: 'SN-XA', name: '西安市', parent: 'SN' }],
        bodies: [{ code: 'SN-XA-SWJ', name: '西安市商务局', kind: 'unit' as const, locality: 'SN-XA' }, { code: 'SN-XA-ZZB', name: '中共西安市委组织部', kind: 'organization' as const, locality: 'SN-XA' }],
        cadres: [{ id: 'C-610100-0001', name: '王磊', unit: 'SN-XA-SWJ' }],
      };

      // Act
      await saveRegistry(db, doc, { sub: 'admin-1', source: 'sn.json' });
      await saveRegistry(db, { ...doc, bodies: [{ ...doc.bodies[0]!, name: '西安市商务局（更名）' }, doc.bodies[1]!] }, { sub: 'admin-1', source: 'sn-2.json' });

      // Assert
      const registry = await readRegistry(db);
      expect(registry.body('SN-XA-SWJ')?.name).toBe('西安市商务局（更名）');
      expect(registry.path('SN-XA')).toEqual(['SN-XA', 'SN']);
      expect(registry.cadre('C-610100-0001')?.unit).toBe('SN-XA-SWJ');
      expect(await count(db, `bodies WHERE code LIKE 'SN-%'`)).toBe(2);
      expect(await count(db, `registry_changes WHERE by_sub = 'admin-1'`)).toBe(2);
      await expect(saveRegistry(db, { ...doc, cadres: [{ id: 'C-X', name: '某', unit: 'SN-XA-ZZB' }] }, { sub: 'admin-1', source: 'bad.json' })).rejects.toThrow(/not a unit/);
      expect(await count(db, `registry_changes WHERE source = 'bad.json'`)).toBe(0);
    });
  });
});

describe('the PostgreSQL handle', () => {
  it('When statement texts are named, then one text keeps one name, texts past the limit get none, and a renewal gives every text a new one', () => {
    // Arrange
    const names = statementNamer(2);

    // Act
    const first = names.name('SELECT 1');
    const again = names.name('SELECT 1');
    const second = names.name('SELECT 2');
    const third = names.name('SELECT 3');
    names.renew();
    const renewed = names.name('SELECT 1');

    // Assert
    expect(first).toMatch(/^rc0_[0-9a-f]{24}$/);
    expect(again).toBe(first);
    expect(second).toMatch(/^rc0_[0-9a-f]{24}$/);
    expect(second).not.toBe(first);
    expect(third).toBeUndefined();
    expect(renewed).toMatch(/^rc1_[0-9a-f]{24}$/);
    expect(renewed?.slice(4)).toBe(first?.slice(4));
    expect(names.name('SELECT 3')).toMatch(/^rc1_/);
  });

  (pgUrl ? it : it.skip)('When two transactions take one advisory lock, then the second runs only once the first has ended, and a key that is no int4 is refused', async () => {
    // Arrange
    const db = openPostgres(pgUrl!);
    const lock = [LOCK_NAMESPACE + 7, Math.floor(Math.random() * 1e9)] as const;
    const order: string[] = [];
    try {
      // Act
      const first = db.transaction(async () => {
        order.push('first begins');
        await new Promise((resolve) => setTimeout(resolve, 300));
        order.push('first ends');
      }, { lock });
      await new Promise((resolve) => setTimeout(resolve, 50));
      const second = db.transaction(async () => void order.push('second begins'), { lock });
      await Promise.all([first, second]);
      const refused = db.transaction(async () => undefined, { lock: [1, 2 ** 31] });

      // Assert
      expect(order).toEqual(['first begins', 'first ends', 'second begins']);
      await expect(refused).rejects.toThrow(RangeError);
    } finally {
      await db.close();
    }
  });

  (pgUrl ? it : it.skip)('When another process changes a table a prepared statement reads, then a statement or a transaction that meets it runs again at once, prepared anew', async () => {
    // Arrange
    const scratch = await scratchSchema(pgUrl!, 'rc_stale');
    const db = openPostgres(scratch.url);
    const other = openPostgres(scratch.url);
    try {
      await db.exec('CREATE TABLE t (id int PRIMARY KEY, a text)');
      await db.query('INSERT INTO t VALUES ($1, $2)', [1, 'x']);
      const read = 'SELECT * FROM t WHERE id = $1';
      // the statement is prepared on each of the pool's connections
      await Promise.all(Array.from({ length: 10 }, () => db.transaction((tx) => tx.query(read, [1]))));

      // Act
      await other.exec("ALTER TABLE t ADD COLUMN b text NOT NULL DEFAULT 'y'");
      const inTransaction = await db.transaction((tx) => tx.query(read, [1])).then(
        () => 'committed',
        (err: unknown) => (isStalePlan(err) ? 'stale' : String(err)),
      );
      const retried = await Promise.all(Array.from({ length: 10 }, () => db.transaction((tx) => tx.query(read, [1]))));
      await other.exec('ALTER TABLE t DROP COLUMN b');
      const outside = await Promise.all(Array.from({ length: 10 }, () => db.query(read, [1])));

      // Assert
      expect(inTransaction).toBe('committed');
      for (const r of retried) expect(r.rows).toEqual([{ id: 1, a: 'x', b: 'y' }]);
      for (const r of outside) expect(r.rows).toEqual([{ id: 1, a: 'x' }]);
    } finally {
      await Promise.all([db.close(), other.close()]);
      await scratch.drop();
    }
  });

  (pgUrl ? it : it.skip)('When a statement with parameters runs on PostgreSQL, then its connection holds it prepared under its text\'s name and runs it again with other values', async () => {
    // Arrange
    const db = openPostgres(pgUrl!);
    const sql = 'SELECT $1::int + 1 AS n';
    try {
      // Act
      const { answers, prepared } = await db.transaction(async (tx) => {
        const answers = [(await tx.query<{ n: number }>(sql, [1])).rows[0]?.n, (await tx.query<{ n: number }>(sql, [41])).rows[0]?.n];
        const prepared = (await tx.query<{ name: string; statement: string }>("SELECT name, statement FROM pg_prepared_statements WHERE statement = $1", [sql])).rows;
        return { answers, prepared };
      });

      // Assert
      expect(answers).toEqual([2, 42]);
      expect(prepared).toEqual([{ name: statementNamer().name(sql), statement: sql }]);
    } finally {
      await db.close();
    }
  });
});
