/**
 * The record system: case register, audit ledger, rulings, measures, revisit tracking records and
 * performance records, on PostgreSQL or the embedded store (the same SQL on both).
 *
 * Personal data is sealed with the case's key (see sealing.ts): the personal columns hold sealed
 * text, the cadre is indexed by a keyed hash of the id, and a ledger payload is
 * `{ register, sealed }`: the register row (no personal data) in the clear and the timeline entry with
 * its domain records sealed. The chain covers the stored payload, so it verifies without any key.
 */
import type { Logger } from 'pino';
import type { Application, Stage } from '../../domain/case';
import type { DomainRecord, RecordEventInput, RecordSystem } from '../types';
import type { AdvisoryLock, Db, Queryable } from './db';
import { InvalidRecordInput, LedgerConflict, LedgerOutOfOrder } from './errors';
import { canonicalJson, chainHash, GENESIS, sha256Hex, verifyChain, type ChainFields, type LedgerRow, type LedgerVerification } from './ledger';
import { LOCK_NAMESPACE } from './migrate';
import { checkSnapshot, writeSnapshot } from './readModel';
import { isSealed, RecordKeyError, type CaseKey, type RecordKeys } from './sealing';
import { readCadreHistory, writeResultRecord } from './results';
import { recordStatistics } from './statistics';
import type { CadreHistory } from '../../domain/history';

export type PerformanceGrade = 'excellent' | 'competent' | 'basicallyCompetent' | 'incompetent';

export interface RecordStore extends RecordSystem {
  /** Recomputes the hash chain of one case, or of every case, from the stored rows. */
  verifyLedger(caseId?: string): Promise<LedgerVerification[]>;
  /** The case as the record system holds it, personal data opened; undefined for an unknown case. */
  readCase(caseId: string): Promise<CaseRecord | undefined>;
  /** The cadre's tolerated cases, rulings in force, no-negative-evaluation records and influence periods. */
  cadreHistory(cadreId: string, unitCode: string): Promise<CadreHistory>;
}

/** A case read back from the record store. An erased case has `erased` and none of its personal data. */
export interface CaseRecord {
  caseId: string;
  stage: string;
  outcome?: string;
  closedAt?: string;
  erased?: { at: string; by: string; reason: string };
  cadre?: { id: string; name: string };
  application?: Application;
  rulings: { rulingNo: number; outcome: string; status: string; reasons?: string }[];
  measures: { measureId: string; status: string; percent?: number; title?: string; lastProgress?: string; reports: { seq: number; progress?: string }[] }[];
  revisits: { revisitId: string; status: string; tier: string; newTier?: string; thinking?: string; workPerformance?: string; lifeSituation?: string; assessment?: string }[];
  /** The decision-effect trackings, when the case planned any. */
  effectTrackings?: { trackingId: string; monthOffset: number; status: string; reformDecision?: string; results?: string; recoveredSinceRuling?: number; recordedBy?: string }[];
}

/** How many rows still hold personal data in the clear, written before it was sealed. */
export interface PlaintextReport {
  /** Ledger entries whose payload is in the clear: they stay so, even after erasure. */
  ledgerEntries: number;
  /** Register, ruling, measure and revisit rows with a personal column in the clear. */
  rows: number;
}

/** Stages a case reaches only once its ruling is final. */
const finalStages: Stage[] = ['remediation', 'followUp', 'closed'];

/** China has one time zone and no daylight saving: civil dates in the domain are UTC+8 dates. */
const CHINA_OFFSET = '+08:00';
const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;

function toInstant(value: string, what: string): Date {
  const date = new Date(DATE_ONLY.test(value) ? `${value}T00:00:00${CHINA_OFFSET}` : value);
  if (Number.isNaN(date.getTime())) throw new InvalidRecordInput(`${what} is not a date or an instant: ${JSON.stringify(value)}`);
  return date;
}

/** The year (in China) of a date or an instant. */
function chinaYear(value: string, what: string): number {
  return new Date(toInstant(value, what).getTime() + 8 * 3600_000).getUTCFullYear();
}

/** A 32-bit lock key per case, so concurrent writers of one case's chain queue up. */
const caseLockKey = (caseId: string): number => Buffer.from(sha256Hex(caseId), 'hex').readInt32BE(0);

/** The advisory lock that serialises the writers of one case's records, held to the end of the transaction. */
export const caseLock = (caseId: string): AdvisoryLock => [LOCK_NAMESPACE + 1, caseLockKey(caseId)];

/** Takes the case's lock inside a transaction already open (`db.transaction(fn, { lock: caseLock(id) })` takes it with BEGIN). */
export async function lockCase(tx: Queryable, caseId: string): Promise<void> {
  await tx.query('SELECT pg_advisory_xact_lock($1::int, $2::int)', caseLock(caseId));
}

/** The fields of a new ledger entry: the chain's fields, with the payload as canonical JSON instead of its digest. */
export type NewLedgerEntry = Omit<ChainFields, 'payloadDigest'> & { payloadText: string };

/** Appends an entry that chains from `prevHash`; returns its hash. The caller holds the case's lock. */
export async function appendLedgerEntry(tx: Queryable, entry: NewLedgerEntry, prevHash: string): Promise<string> {
  const payloadDigest = sha256Hex(entry.payloadText);
  const hash = chainHash(prevHash, { caseId: entry.caseId, seq: entry.seq, at: entry.at, event: entry.event, actorSub: entry.actorSub, actorRole: entry.actorRole, payloadDigest });
  await tx.query(
    `INSERT INTO ledger (case_id, seq, at, event, actor_sub, actor_role, payload, payload_digest, prev_hash, hash)
     VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, $8, $9, $10)`,
    [entry.caseId, entry.seq, entry.at, entry.event, entry.actorSub, entry.actorRole, entry.payloadText, payloadDigest, prevHash, hash],
  );
  return hash;
}

/** A case's key as case_keys keeps it: unwrapped, or refused when the case was erased (its key destroyed). */
function openStoredKey(keys: RecordKeys, caseId: string, keyId: string, wrapped: string | null): CaseKey {
  if (wrapped === null) throw new InvalidRecordInput(`case ${caseId} was erased: its key is destroyed and nothing more can be recorded`);
  return keys.openCaseKey(caseId, keyId, wrapped);
}

/** The case's key, if it has one. */
async function caseKeyOf(tx: Queryable, keys: RecordKeys, caseId: string): Promise<CaseKey | undefined> {
  const stored = (await tx.query<{ key_id: string; wrapped_key: string | null }>('SELECT key_id, wrapped_key FROM case_keys WHERE case_id = $1', [caseId])).rows[0];
  return stored ? openStoredKey(keys, caseId, stored.key_id, stored.wrapped_key) : undefined;
}

function checkInput(input: RecordEventInput): void {
  const bad = (why: string) => new InvalidRecordInput(`recordEvent(${input?.caseId}#${input?.seq}): ${why}`);
  if (typeof input.caseId !== 'string' || input.caseId.length === 0 || input.caseId.length > 100) throw bad('caseId must be a string of 1–100 characters');
  if (!Number.isInteger(input.seq) || input.seq < 0 || input.seq > 2_147_483_647) throw bad('seq must be a non-negative 32-bit integer');
  if (!input.entry || typeof input.entry.event !== 'string' || input.entry.event.length === 0) throw bad('entry.event is missing');
  if (Number.isNaN(new Date(input.entry.at).getTime())) throw bad(`entry.at is not an instant: ${JSON.stringify(input.entry.at)}`);
  if (!input.register || input.register.caseId !== input.caseId) throw bad('register.caseId must equal caseId');
  if (Number.isNaN(new Date(input.register.openedAt).getTime())) throw bad('register.openedAt is not an instant');
}

/** SQLSTATE classes 22 (data exception) and 23 (integrity) fail the same way on every retry. */
function asPermanent(err: unknown, input: Pick<RecordEventInput, 'caseId' | 'seq'>): unknown {
  const code = (err as { code?: unknown })?.code;
  if (typeof code === 'string' && (code.startsWith('22') || (code.startsWith('23') && code !== '23505'))) {
    return new InvalidRecordInput(`recordEvent(${input.caseId}#${input.seq}) was refused by the database (${code}): ${(err as Error).message}`);
  }
  return err;
}

async function writeRecord(tx: Queryable, keys: RecordKeys, key: CaseKey, caseId: string, seq: number, at: string, record: DomainRecord): Promise<void> {
  const seal = (field: string, text: string | undefined): string | null => (text === undefined ? null : key.seal(field, text));
  switch (record.type) {
    case 'case':
      await tx.query('UPDATE cases SET cadre_id = $2, cadre_name = $3, application = $4, cadre_ref = $5 WHERE case_id = $1', [
        caseId,
        seal('cases.cadre_id', record.cadreId),
        seal('cases.cadre_name', record.cadreName),
        seal('cases.application', canonicalJson(record.application)),
        keys.cadreRef(record.cadreId),
      ]);
      return;
    case 'ruling':
      await tx.query(
        `INSERT INTO rulings (case_id, ruling_no, outcome, influence_months, recommended_form, tier, status, proposed_by, reasons, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10)
         ON CONFLICT (case_id, ruling_no) DO UPDATE SET
           outcome = EXCLUDED.outcome, influence_months = EXCLUDED.influence_months, recommended_form = EXCLUDED.recommended_form,
           tier = EXCLUDED.tier, status = EXCLUDED.status, proposed_by = EXCLUDED.proposed_by, reasons = EXCLUDED.reasons,
           updated_at = EXCLUDED.updated_at`,
        [
          caseId,
          record.rulingNo,
          record.outcome,
          record.influenceMonths ?? null,
          record.recommendedForm ?? null,
          record.tier ?? null,
          record.status,
          record.proposedBy,
          seal(`rulings.reasons#${record.rulingNo}`, record.reasons),
          at,
        ],
      );
      if (record.status === 'final') await tx.query('UPDATE cases SET final_at = COALESCE(final_at, $2) WHERE case_id = $1', [caseId, at]);
      return;
    case 'measure':
      await tx.query(
        `INSERT INTO measures (case_id, measure_id, title, due_date, status, percent, last_progress, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)
         ON CONFLICT (case_id, measure_id) DO UPDATE SET
           title = EXCLUDED.title, due_date = EXCLUDED.due_date, status = EXCLUDED.status,
           percent = COALESCE(EXCLUDED.percent, measures.percent), last_progress = COALESCE(EXCLUDED.last_progress, measures.last_progress),
           updated_at = EXCLUDED.updated_at`,
        [
          caseId,
          record.measureId,
          seal(`measures.title#${record.measureId}`, record.title),
          record.dueDate,
          record.status,
          record.percent ?? null,
          seal(`measures.last_progress#${record.measureId}`, record.lastProgress),
          at,
        ],
      );
      if (record.lastProgress !== undefined) {
        await tx.query(
          `INSERT INTO measure_progress (case_id, measure_id, seq, at, progress, percent, status) VALUES ($1, $2, $3, $4, $5, $6, $7)
           ON CONFLICT DO NOTHING`,
          [caseId, record.measureId, seq, at, seal(`measure_progress.progress#${record.measureId}#${seq}`, record.lastProgress), record.percent ?? null, record.status],
        );
      }
      return;
    case 'revisit': {
      const recorded = record.thinking !== undefined || record.workPerformance !== undefined || record.lifeSituation !== undefined || record.assessment !== undefined;
      await tx.query(
        `INSERT INTO revisits (case_id, revisit_id, month_offset, tier, status, thinking, work_performance, life_situation, assessment, new_tier, recorded_by, recorded_at, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $13)
         ON CONFLICT (case_id, revisit_id) DO UPDATE SET
           month_offset = EXCLUDED.month_offset, tier = EXCLUDED.tier, status = EXCLUDED.status,
           thinking = COALESCE(EXCLUDED.thinking, revisits.thinking),
           work_performance = COALESCE(EXCLUDED.work_performance, revisits.work_performance),
           life_situation = COALESCE(EXCLUDED.life_situation, revisits.life_situation),
           assessment = COALESCE(EXCLUDED.assessment, revisits.assessment),
           new_tier = COALESCE(EXCLUDED.new_tier, revisits.new_tier),
           recorded_by = COALESCE(EXCLUDED.recorded_by, revisits.recorded_by),
           recorded_at = COALESCE(EXCLUDED.recorded_at, revisits.recorded_at),
           updated_at = EXCLUDED.updated_at`,
        [
          caseId,
          record.revisitId,
          record.monthOffset,
          record.tier,
          record.status,
          seal(`revisits.thinking#${record.revisitId}`, record.thinking),
          seal(`revisits.work_performance#${record.revisitId}`, record.workPerformance),
          seal(`revisits.life_situation#${record.revisitId}`, record.lifeSituation),
          seal(`revisits.assessment#${record.revisitId}`, record.assessment),
          record.newTier ?? null,
          record.recordedBy ?? null,
          recorded ? at : null,
          at,
        ],
      );
      return;
    }
    case 'cadreResult':
    case 'handOff':
      await writeResultRecord(tx, key, caseId, at, record);
      return;
    case 'effectTracking': {
      const recorded = record.reformDecision !== undefined;
      await tx.query(
        `INSERT INTO effect_trackings (case_id, tracking_id, month_offset, opens_at, due_at, status, reform_decision, results, recovered_since_ruling, recorded_by, recorded_at, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12)
         ON CONFLICT (case_id, tracking_id) DO UPDATE SET
           month_offset = EXCLUDED.month_offset, opens_at = EXCLUDED.opens_at, due_at = EXCLUDED.due_at, status = EXCLUDED.status,
           reform_decision = COALESCE(EXCLUDED.reform_decision, effect_trackings.reform_decision),
           results = COALESCE(EXCLUDED.results, effect_trackings.results),
           recovered_since_ruling = COALESCE(EXCLUDED.recovered_since_ruling, effect_trackings.recovered_since_ruling),
           recorded_by = COALESCE(EXCLUDED.recorded_by, effect_trackings.recorded_by),
           recorded_at = COALESCE(EXCLUDED.recorded_at, effect_trackings.recorded_at),
           updated_at = EXCLUDED.updated_at`,
        [
          caseId,
          record.trackingId,
          record.monthOffset,
          toInstant(record.opensAt, 'opensAt').toISOString(),
          toInstant(record.dueAt, 'dueAt').toISOString(),
          record.status,
          record.reformDecision ?? null,
          seal(`effect_trackings.results#${record.trackingId}`, record.results),
          record.recoveredSinceRuling ?? null,
          record.recordedBy ?? null,
          recorded ? at : null,
          at,
        ],
      );
      return;
    }
    default:
      throw new InvalidRecordInput(`unknown domain record type ${JSON.stringify((record as { type?: unknown }).type)}`);
  }
}

/** Reads and checks the ledger of one case, or of every case in the register or the ledger. */
export async function verifyLedger(db: Queryable, caseId?: string): Promise<LedgerVerification[]> {
  const ids = caseId
    ? [caseId]
    : (await db.query<{ case_id: string }>('SELECT case_id FROM ledger UNION SELECT case_id FROM cases ORDER BY 1')).rows.map((r) => r.case_id);
  const results: LedgerVerification[] = [];
  for (const id of ids) {
    const { rows } = await db.query<LedgerRow>(
      `SELECT case_id, seq, at, event, actor_sub, actor_role, payload, payload_digest, prev_hash, hash
       FROM ledger WHERE case_id = $1 ORDER BY seq`,
      [id],
    );
    const register = await db.query<{ last_seq: number }>('SELECT last_seq FROM cases WHERE case_id = $1', [id]);
    results.push(verifyChain(id, rows, register.rows[0]?.last_seq));
  }
  return results;
}

/** Counts the rows whose personal data is still in the clear (written before it was sealed). */
export async function plaintextReport(db: Queryable, caseId?: string): Promise<PlaintextReport> {
  const plain = (column: string) => `(${column} IS NOT NULL AND ${column} NOT LIKE 'enc:v1:%')`;
  const scope = caseId === undefined ? 'TRUE' : 'case_id = $1';
  const params = caseId === undefined ? [] : [caseId];
  const n = async (sql: string) => (await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${sql}`, params)).rows[0]?.n ?? 0;
  const ledgerEntries = await n(`ledger WHERE ${scope} AND payload ? 'entry'`);
  const rows =
    (await n(`cases WHERE ${scope} AND (${plain('cadre_id')} OR ${plain('cadre_name')} OR ${plain('application')})`)) +
    (await n(`rulings WHERE ${scope} AND ${plain('reasons')}`)) +
    (await n(`measures WHERE ${scope} AND (${plain('title')} OR ${plain('last_progress')})`)) +
    (await n(`measure_progress WHERE ${scope} AND ${plain('progress')}`)) +
    (await n(`revisits WHERE ${scope} AND (${plain('thinking')} OR ${plain('work_performance')} OR ${plain('life_situation')} OR ${plain('assessment')})`)) +
    (await n(`effect_trackings WHERE ${scope} AND ${plain('results')}`));
  return { ledgerEntries, rows };
}

const isoOf = (value: Date | string | null): string | undefined => (value === null ? undefined : new Date(value).toISOString());
const present = <T extends Record<string, unknown>>(value: T): T => Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined && v !== null)) as T;

/** Reads one case back, opening its personal data with its key (none for an erased case). */
export async function readCase(db: Queryable, keys: RecordKeys, caseId: string): Promise<CaseRecord | undefined> {
  const c = (
    await db.query<{ stage: string; outcome: string | null; closed_at: Date | null; erased_at: Date | null; cadre_id: string | null; cadre_name: string | null; application: string | null }>(
      'SELECT stage, outcome, closed_at, erased_at, cadre_id, cadre_name, application FROM cases WHERE case_id = $1',
      [caseId],
    )
  ).rows[0];
  if (!c) return undefined;
  const key = c.erased_at ? undefined : await caseKeyOf(db, keys, caseId);
  const open = (field: string, value: string | null): string | undefined => {
    if (value === null) return undefined;
    if (key) return key.open(field, value);
    if (isSealed(value)) throw new RecordKeyError(`case ${caseId} has a sealed ${field} but no key`);
    return value; // written before sealing
  };
  const rulings = (await db.query<{ ruling_no: number; outcome: string; status: string; reasons: string | null }>('SELECT ruling_no, outcome, status, reasons FROM rulings WHERE case_id = $1 ORDER BY ruling_no', [caseId])).rows;
  const measures = (
    await db.query<{ measure_id: string; status: string; percent: number | null; title: string | null; last_progress: string | null }>(
      'SELECT measure_id, status, percent, title, last_progress FROM measures WHERE case_id = $1 ORDER BY measure_id',
      [caseId],
    )
  ).rows;
  const reports = (await db.query<{ measure_id: string; seq: number; progress: string | null }>('SELECT measure_id, seq, progress FROM measure_progress WHERE case_id = $1 ORDER BY measure_id, seq', [caseId])).rows;
  const revisits = (
    await db.query<{ revisit_id: string; status: string; tier: string; new_tier: string | null; thinking: string | null; work_performance: string | null; life_situation: string | null; assessment: string | null }>(
      'SELECT revisit_id, status, tier, new_tier, thinking, work_performance, life_situation, assessment FROM revisits WHERE case_id = $1 ORDER BY revisit_id',
      [caseId],
    )
  ).rows;
  const trackings = (
    await db.query<{ tracking_id: string; month_offset: number; status: string; reform_decision: string | null; results: string | null; recovered_since_ruling: string | null; recorded_by: string | null }>(
      'SELECT tracking_id, month_offset, status, reform_decision, results, recovered_since_ruling::text, recorded_by FROM effect_trackings WHERE case_id = $1 ORDER BY month_offset, tracking_id',
      [caseId],
    )
  ).rows;
  const erasure = c.erased_at
    ? (await db.query<{ erased_at: Date; erased_by: string; reason: string }>('SELECT erased_at, erased_by, reason FROM erasures WHERE case_id = $1', [caseId])).rows[0]
    : undefined;
  const cadreId = open('cases.cadre_id', c.cadre_id);
  const cadreName = open('cases.cadre_name', c.cadre_name);
  const application = open('cases.application', c.application);
  return present({
    caseId,
    stage: c.stage,
    outcome: c.outcome ?? undefined,
    closedAt: isoOf(c.closed_at),
    erased: c.erased_at ? { at: new Date(c.erased_at).toISOString(), by: erasure?.erased_by ?? '', reason: erasure?.reason ?? '' } : undefined,
    cadre: cadreId !== undefined ? { id: cadreId, name: cadreName ?? '' } : undefined,
    application: application !== undefined ? (JSON.parse(application) as Application) : undefined,
    rulings: rulings.map((r) => present({ rulingNo: r.ruling_no, outcome: r.outcome, status: r.status, reasons: open(`rulings.reasons#${r.ruling_no}`, r.reasons) })),
    measures: measures.map((m) =>
      present({
        measureId: m.measure_id,
        status: m.status,
        percent: m.percent ?? undefined,
        title: open(`measures.title#${m.measure_id}`, m.title),
        lastProgress: open(`measures.last_progress#${m.measure_id}`, m.last_progress),
        reports: reports.filter((p) => p.measure_id === m.measure_id).map((p) => present({ seq: p.seq, progress: open(`measure_progress.progress#${p.measure_id}#${p.seq}`, p.progress) })),
      }),
    ),
    revisits: revisits.map((r) =>
      present({
        revisitId: r.revisit_id,
        status: r.status,
        tier: r.tier,
        newTier: r.new_tier ?? undefined,
        thinking: open(`revisits.thinking#${r.revisit_id}`, r.thinking),
        workPerformance: open(`revisits.work_performance#${r.revisit_id}`, r.work_performance),
        lifeSituation: open(`revisits.life_situation#${r.revisit_id}`, r.life_situation),
        assessment: open(`revisits.assessment#${r.revisit_id}`, r.assessment),
      }),
    ),
    effectTrackings: trackings.length
      ? trackings.map((t) =>
          present({
            trackingId: t.tracking_id,
            monthOffset: t.month_offset,
            status: t.status,
            reformDecision: t.reform_decision ?? undefined,
            results: open(`effect_trackings.results#${t.tracking_id}`, t.results),
            recoveredSinceRuling: t.recovered_since_ruling === null ? undefined : Number(t.recovered_since_ruling),
            recordedBy: t.recorded_by ?? undefined,
          }),
        )
      : undefined,
  });
}

/** What a case's chain holds when a reaction's entries arrive, read in one round trip (the caller holds the case's lock). */
interface ChainState {
  erased_at: Date | null;
  /** The case's key (absent before its first entry). */
  key_id: string | null;
  wrapped_key: string | null;
  head_seq: number | null;
  head_hash: string | null;
  /** The entries of these seqs already written (a retry), with what identifies their content. */
  existing: { seq: number; digest: string; sealed: boolean }[];
}

async function chainState(tx: Queryable, caseId: string, seqs: number[]): Promise<ChainState> {
  const { rows } = await tx.query<ChainState>(
    `SELECT c.erased_at, k.key_id, k.wrapped_key, h.seq AS head_seq, h.hash AS head_hash,
            COALESCE((SELECT json_agg(json_build_object('seq', l.seq, 'digest', l.payload_digest, 'sealed', l.payload ? 'sealed'))
                      FROM ledger l WHERE l.case_id = one.case_id AND l.seq = ANY($2::int[])), '[]'::json) AS existing
     FROM (SELECT $1::text AS case_id) one
     LEFT JOIN cases c ON c.case_id = one.case_id
     LEFT JOIN case_keys k ON k.case_id = one.case_id
     LEFT JOIN LATERAL (SELECT seq, hash FROM ledger WHERE case_id = one.case_id ORDER BY seq DESC LIMIT 1) h ON true`,
    [caseId, seqs],
  );
  return rows[0]!;
}

/**
 * Appends a reaction's entries to the case's chain, in order, and updates its register row, domain
 * records and statistics' facts; an entry already written (a retry) is recognised and skipped. The
 * chain's state is read once and followed in memory, and the register row, the same for every entry
 * of a reaction, is written once. The caller holds the case's lock; `track` is told which entry is
 * being written, so a failure names it.
 */
async function appendEvents(tx: Queryable, keys: RecordKeys, caseId: string, events: RecordEventInput[], track: (e: RecordEventInput) => void): Promise<('duplicate' | 'recorded')[]> {
  if (!events.length) return [];
  const state = await chainState(tx, caseId, events.map((e) => e.seq));
  const existing = new Map(state.existing.map((e) => [e.seq, e]));
  let head = state.head_seq === null ? undefined : { seq: state.head_seq, hash: state.head_hash! };
  let key: CaseKey | undefined;
  const keyOf = async (at: string): Promise<CaseKey> => {
    if (key) return key;
    if (state.key_id !== null) key = openStoredKey(keys, caseId, state.key_id, state.wrapped_key);
    else {
      const made = keys.newCaseKey(caseId);
      await tx.query('INSERT INTO case_keys (case_id, key_id, wrapped_key, created_at) VALUES ($1, $2, $3, $4)', [caseId, made.keyId, made.wrapped, at]);
      key = made.caseKey;
    }
    return key;
  };
  if (state.erased_at) {
    track(events[0]!);
    throw new InvalidRecordInput(`recordEvent(${caseId}#${events[0]!.seq}): the case was erased; nothing more can be recorded`);
  }
  const outcomes: ('duplicate' | 'recorded')[] = [];
  const recorded: { input: RecordEventInput; at: string }[] = [];
  for (const input of events) {
    track(input);
    const at = new Date(input.entry.at).toISOString();
    const caseKey = await keyOf(at);
    const sealedText = canonicalJson({ entry: input.entry, records: input.records ?? [] });
    const payloadText = canonicalJson({ register: input.register, sealed: caseKey.sealDeterministic(`ledger#${input.seq}`, sealedText) });
    const payloadDigest = sha256Hex(payloadText);
    const stored = existing.get(input.seq);
    if (stored) {
      // An entry recorded before sealing is recognised by the digest of its plaintext payload.
      const digest = stored.sealed ? payloadDigest : sha256Hex(canonicalJson({ entry: input.entry, register: input.register, records: input.records ?? [] }));
      if (stored.digest !== digest) {
        throw new LedgerConflict(`ledger entry ${caseId}#${input.seq} already exists with different content (stored digest ${stored.digest}, this one ${digest})`, caseId, input.seq);
      }
      outcomes.push('duplicate');
      continue;
    }
    if (head && input.seq < head.seq) {
      throw new LedgerConflict(`ledger entry ${caseId}#${input.seq} comes after entry ${head.seq} was recorded; the chain cannot take it`, caseId, input.seq);
    }
    if ((head && input.seq > head.seq + 1) || (!head && input.seq > 1)) {
      throw new LedgerOutOfOrder(`ledger entry ${caseId}#${input.seq} waits for entry ${head ? head.seq + 1 : 'the first'}`, caseId, input.seq);
    }
    const hash = await appendLedgerEntry(
      tx,
      { caseId, seq: input.seq, at, event: input.entry.event, actorSub: input.entry.actor?.sub ?? null, actorRole: input.entry.actor?.role ?? null, payloadText },
      head?.hash ?? GENESIS,
    );
    head = { seq: input.seq, hash };
    recorded.push({ input, at });
    outcomes.push('recorded');
  }
  if (!recorded.length) return outcomes;
  // The register row after the reaction: closed and final from its first new entry (a ruling is
  // final once the case moves on to remediation, follow-up or closure with an outcome), updated by its last.
  const first = recorded[0]!;
  const last = recorded.at(-1)!;
  const r = last.input.register;
  await tx.query(
    `INSERT INTO cases (case_id, origin, policy_version, unit_code, category, stage, outcome, close_reason, opened_at, updated_at, last_seq, closed_at, final_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, CASE WHEN $6 = 'closed' THEN $12::timestamptz END,
             CASE WHEN $7::text IS NOT NULL AND $6 = ANY($13::text[]) THEN $12::timestamptz END)
     ON CONFLICT (case_id) DO UPDATE SET
       origin = EXCLUDED.origin, policy_version = EXCLUDED.policy_version, unit_code = EXCLUDED.unit_code,
       category = EXCLUDED.category, stage = EXCLUDED.stage, outcome = EXCLUDED.outcome,
       close_reason = EXCLUDED.close_reason, updated_at = EXCLUDED.updated_at, last_seq = EXCLUDED.last_seq,
       closed_at = COALESCE(cases.closed_at, EXCLUDED.closed_at), final_at = COALESCE(cases.final_at, EXCLUDED.final_at)`,
    [caseId, r.origin, r.policyVersion, r.unitCode, r.category, r.stage, r.outcome ?? null, r.closeReason ?? null, new Date(r.openedAt).toISOString(), last.at, last.input.seq, first.at, finalStages],
  );
  for (const { input, at } of recorded) {
    track(input);
    for (const record of input.records ?? []) await writeRecord(tx, keys, key!, caseId, input.seq, at, record);
  }
  await recordStatistics(tx, recorded);
  return outcomes;
}

/** The record system on `db` (migrated already, see `migrate`), sealing personal data under `keys`. */
export function createRecordSystem(db: Db, logger: Logger, keys: RecordKeys): RecordStore {
  const store: RecordStore = {
    async recordEvent(input) {
      const { caseId, register, ...event } = input;
      await store.recordReaction({ caseId, register, events: [event] });
    },

    async recordReaction(input) {
      const events: RecordEventInput[] = input.events.map((e) => ({ caseId: input.caseId, register: input.register, ...e }));
      for (const e of events) checkInput(e);
      if (input.snapshot) checkSnapshot(input.caseId, input.snapshot);
      let current: RecordEventInput | undefined;
      try {
        const outcomes = await db.transaction(async (tx) => {
          const done = await appendEvents(tx, keys, input.caseId, events, (e) => (current = e));
          current = undefined;
          const snapshot = input.snapshot ? await writeSnapshot(tx, input.caseId, input.register, input.snapshot) : undefined;
          return { done, snapshot };
        }, { lock: caseLock(input.caseId) });
        outcomes.done.forEach((outcome, i) => {
          const e = events[i]!;
          logger.debug({ caseId: e.caseId, seq: e.seq, event: e.entry.event }, outcome === 'duplicate' ? 'ledger entry already recorded' : 'ledger entry recorded');
        });
        if (input.snapshot) logger.debug({ caseId: input.caseId, seq: input.snapshot.seq, at: input.snapshot.at, written: outcomes.snapshot }, outcomes.snapshot ? 'read model written' : 'read model holds a newer snapshot');
      } catch (err) {
        throw asPermanent(err, current ?? events.at(-1) ?? { caseId: input.caseId, seq: input.snapshot?.seq ?? -1 });
      }
    },

    async lookupCadre(l) {
      const since = toInstant(l.since, 'since').toISOString();
      const applicationsSince = l.applicationsSince === undefined ? null : toInstant(l.applicationsSince, 'applicationsSince').toISOString();
      const years = Number.isInteger(l.performanceYears) && l.performanceYears > 0 ? l.performanceYears : 0;
      // One statement. Cases by the keyed hash of the cadre id; rows written before sealing have none
      // and are found by the plain id (an erased case has neither left).
      const ofCadre = '(cadre_ref = ANY($1::text[]) OR (cadre_ref IS NULL AND cadre_id = $2)) AND case_id <> $3';
      const { rows } = await db.query<{ earlier: { caseId: string; outcome: string; finalAt: string }[]; performance: { year: number; grade: PerformanceGrade }[]; applications: { caseId: string; category: string; openedAt: string }[] | null }>(
        `SELECT
           (SELECT coalesce(json_agg(json_build_object('caseId', case_id, 'outcome', outcome, 'finalAt', final_at) ORDER BY final_at DESC, case_id), '[]'::json)
              FROM cases WHERE ${ofCadre} AND category = $4 AND outcome IN ('exempt', 'mitigate') AND final_at IS NOT NULL AND final_at >= $5) AS earlier,
           (SELECT coalesce(json_agg(json_build_object('year', year, 'grade', grade) ORDER BY year DESC), '[]'::json)
              FROM (SELECT year, grade FROM performance_records WHERE cadre_id = $2 AND year < $6 ORDER BY year DESC LIMIT $7) AS p) AS performance,
           CASE WHEN $8::timestamptz IS NOT NULL THEN
             (SELECT coalesce(json_agg(json_build_object('caseId', case_id, 'category', category, 'openedAt', opened_at) ORDER BY opened_at, case_id), '[]'::json)
                FROM cases WHERE ${ofCadre} AND opened_at >= $8)
           END AS applications`,
        [keys.cadreRefs(l.cadreId), l.cadreId, l.caseId, l.category, since, chinaYear(l.at, 'at'), years, applicationsSince],
      );
      const found = rows[0]!;
      const instant = (value: string) => new Date(value).toISOString();
      return {
        at: l.at,
        earlier: found.earlier.map((c) => ({ caseId: c.caseId, outcome: c.outcome, finalAt: instant(c.finalAt) })),
        performance: found.performance.map((p) => ({ year: p.year, grade: p.grade })),
        ...(found.applications ? { applications: found.applications.map((c) => ({ caseId: c.caseId, category: c.category, openedAt: instant(c.openedAt) })) } : {}),
      };
    },

    verifyLedger: (caseId) => verifyLedger(db, caseId),

    readCase: (caseId) => readCase(db, keys, caseId),

    cadreHistory: (cadreId, unitCode) => readCadreHistory(db, keys, cadreId, unitCode),
  };
  return store;
}
