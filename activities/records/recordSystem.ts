/**
 * The record system: case register, audit ledger, rulings, measures, revisit tracking records and
 * performance records, on PostgreSQL or the embedded store (the same SQL on both).
 */
import type { Logger } from 'pino';
import type { DomainRecord, RecordEventInput, RecordSystem } from '../types';
import type { Db, Queryable } from './db';
import { InvalidRecordInput, LedgerConflict, LedgerOutOfOrder } from './errors';
import { canonicalJson, chainHash, GENESIS, sha256Hex, verifyChain, type LedgerRow, type LedgerVerification } from './ledger';
import { LOCK_NAMESPACE } from './migrate';

export type PerformanceGrade = 'excellent' | 'competent' | 'basicallyCompetent' | 'incompetent';

export interface RecordStore extends RecordSystem {
  /** Recomputes the hash chain of one case, or of every case, from the stored rows. */
  verifyLedger(caseId?: string): Promise<LedgerVerification[]>;
}

/** Stages a case reaches only once its ruling is final. */
const finalStages = ['remediation', 'follow_up', 'closed'];

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
function asPermanent(err: unknown, input: RecordEventInput): unknown {
  const code = (err as { code?: unknown })?.code;
  if (typeof code === 'string' && (code.startsWith('22') || (code.startsWith('23') && code !== '23505'))) {
    return new InvalidRecordInput(`recordEvent(${input.caseId}#${input.seq}) was refused by the database (${code}): ${(err as Error).message}`);
  }
  return err;
}

async function writeRecord(tx: Queryable, caseId: string, seq: number, at: string, record: DomainRecord): Promise<void> {
  switch (record.type) {
    case 'case':
      await tx.query('UPDATE cases SET cadre_id = $2, cadre_name = $3, application = $4::jsonb WHERE case_id = $1', [
        caseId,
        record.cadreId,
        record.cadreName,
        canonicalJson(record.application),
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
        [caseId, record.rulingNo, record.outcome, record.influenceMonths ?? null, record.recommendedForm ?? null, record.tier ?? null, record.status, record.proposedBy, record.reasons, at],
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
        [caseId, record.measureId, record.title, record.dueDate, record.status, record.percent ?? null, record.lastProgress ?? null, at],
      );
      if (record.lastProgress !== undefined) {
        await tx.query(
          `INSERT INTO measure_progress (case_id, measure_id, seq, at, progress, percent, status) VALUES ($1, $2, $3, $4, $5, $6, $7)
           ON CONFLICT DO NOTHING`,
          [caseId, record.measureId, seq, at, record.lastProgress, record.percent ?? null, record.status],
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
          record.thinking ?? null,
          record.workPerformance ?? null,
          record.lifeSituation ?? null,
          record.assessment ?? null,
          record.newTier ?? null,
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

/** The record system on `db` (migrated already, see `migrate`). */
export function createRecordSystem(db: Db, logger: Logger): RecordStore {
  return {
    async recordEvent(input) {
      checkInput(input);
      const at = new Date(input.entry.at).toISOString();
      const payload = { entry: input.entry, register: input.register, records: input.records ?? [] };
      const payloadText = canonicalJson(payload);
      const payloadDigest = sha256Hex(payloadText);
      const log = logger.child({ caseId: input.caseId, seq: input.seq, event: input.entry.event });
      try {
        const outcome = await db.transaction(async (tx) => {
          await tx.query('SELECT pg_advisory_xact_lock($1::int, $2::int)', [LOCK_NAMESPACE + 1, caseLockKey(input.caseId)]);
          const existing = await tx.query<{ payload_digest: string }>('SELECT payload_digest FROM ledger WHERE case_id = $1 AND seq = $2', [input.caseId, input.seq]);
          const stored = existing.rows[0];
          if (stored) {
            if (stored.payload_digest === payloadDigest) return 'duplicate' as const;
            throw new LedgerConflict(
              `ledger entry ${input.caseId}#${input.seq} already exists with different content (stored digest ${stored.payload_digest}, this one ${payloadDigest})`,
              input.caseId,
              input.seq,
            );
          }
          const head = (await tx.query<{ seq: number; hash: string }>('SELECT seq, hash FROM ledger WHERE case_id = $1 ORDER BY seq DESC LIMIT 1', [input.caseId])).rows[0];
          if (head && input.seq < head.seq) {
            throw new LedgerConflict(`ledger entry ${input.caseId}#${input.seq} comes after entry ${head.seq} was recorded; the chain cannot take it`, input.caseId, input.seq);
          }
          if ((head && input.seq > head.seq + 1) || (!head && input.seq > 1)) {
            throw new LedgerOutOfOrder(`ledger entry ${input.caseId}#${input.seq} waits for entry ${head ? head.seq + 1 : 'the first'}`, input.caseId, input.seq);
          }
          const prevHash = head?.hash ?? GENESIS;
          const actorSub = input.entry.actor?.sub ?? null;
          const actorRole = input.entry.actor?.role ?? null;
          const hash = chainHash(prevHash, { caseId: input.caseId, seq: input.seq, at, event: input.entry.event, actorSub, actorRole, payloadDigest });
          await tx.query(
            `INSERT INTO ledger (case_id, seq, at, event, actor_sub, actor_role, payload, payload_digest, prev_hash, hash)
             VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, $8, $9, $10)`,
            [input.caseId, input.seq, at, input.entry.event, actorSub, actorRole, payloadText, payloadDigest, prevHash, hash],
          );
          const r = input.register;
          await tx.query(
            `INSERT INTO cases (case_id, origin, policy_version, unit_code, category, stage, outcome, close_reason, opened_at, updated_at, last_seq)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
             ON CONFLICT (case_id) DO UPDATE SET
               origin = EXCLUDED.origin, policy_version = EXCLUDED.policy_version, unit_code = EXCLUDED.unit_code,
               category = EXCLUDED.category, stage = EXCLUDED.stage, outcome = EXCLUDED.outcome,
               close_reason = EXCLUDED.close_reason, updated_at = EXCLUDED.updated_at, last_seq = EXCLUDED.last_seq`,
            [input.caseId, r.origin, r.policyVersion, r.unitCode, r.category, r.stage, r.outcome ?? null, r.closeReason ?? null, new Date(r.openedAt).toISOString(), at, input.seq],
          );
          for (const record of input.records ?? []) await writeRecord(tx, input.caseId, input.seq, at, record);
          // A ruling is final once the case moves on to remediation, follow-up or closure with an outcome.
          await tx.query(
            `UPDATE cases SET final_at = $2
             WHERE case_id = $1 AND final_at IS NULL AND outcome IS NOT NULL AND stage = ANY($3::text[])`,
            [input.caseId, at, finalStages],
          );
          return 'recorded' as const;
        });
        if (outcome === 'duplicate') log.debug('ledger entry already recorded');
        else log.debug('ledger entry recorded');
      } catch (err) {
        throw asPermanent(err, input);
      }
    },

    async findToleratedCases(cadreId, category, since, excludeCaseId) {
      const from = toInstant(since, 'since').toISOString();
      const { rows } = await db.query<{ case_id: string; outcome: string; final_at: Date }>(
        `SELECT case_id, outcome, final_at FROM cases
         WHERE cadre_id = $1 AND category = $2 AND outcome IN ('exempt', 'mitigate')
           AND final_at IS NOT NULL AND final_at >= $3 AND case_id <> $4
         ORDER BY final_at DESC, case_id`,
        [cadreId, category, from, excludeCaseId],
      );
      return rows.map((r) => ({ caseId: r.case_id, outcome: r.outcome, finalAt: new Date(r.final_at).toISOString() }));
    },

    async performanceRecords(cadreId, years, before) {
      if (!Number.isInteger(years) || years <= 0) return [];
      const { rows } = await db.query<{ year: number; grade: PerformanceGrade }>(
        'SELECT year, grade FROM performance_records WHERE cadre_id = $1 AND year < $2 ORDER BY year DESC LIMIT $3',
        [cadreId, chinaYear(before, 'before'), years],
      );
      return rows.map((r) => ({ year: r.year, grade: r.grade }));
    },

    verifyLedger: (caseId) => verifyLedger(db, caseId),
  };
}
