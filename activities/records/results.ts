/**
 * The record of what rulings left for the cadre (结果运用) and of hand-offs to discipline inspection:
 * their writes (domain records `cadreResult` and `handOff`) and the cadre's history read back. The
 * cadre is found by the keyed hash of the id its cases carry (`cases.cadre_ref`), never by a plain
 * id, except for cases registered before sealing.
 */
import type { CadreHistory } from '../../domain/history';
import { influenceStatusLabels } from '../../domain/history';
import { cadreResultLabels, outcomeLabels } from '../../domain/labels';
import type { Outcome } from '../../domain/policy';
import type { DomainRecord } from '../types';
import type { Queryable } from './db';
import type { CaseKey, RecordKeys } from './sealing';

type ResultRecord = Extract<DomainRecord, { type: 'cadreResult' | 'handOff' }>;

export async function writeResultRecord(tx: Queryable, key: CaseKey, caseId: string, at: string, record: ResultRecord): Promise<void> {
  if (record.type === 'cadreResult') {
    await tx.query(
      `INSERT INTO cadre_results (case_id, kind, from_date, until_date, status, ended_at, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, CASE WHEN $5 = 'ended' THEN $6::timestamptz END, $6, $6)
       ON CONFLICT (case_id, kind) DO UPDATE SET
         from_date = EXCLUDED.from_date, until_date = EXCLUDED.until_date, status = EXCLUDED.status,
         ended_at = COALESCE(cadre_results.ended_at, EXCLUDED.ended_at), updated_at = EXCLUDED.updated_at`,
      [caseId, record.kind, record.from, record.until ?? null, record.status, at],
    );
    return;
  }
  await tx.query(
    `INSERT INTO hand_offs (case_id, reason, rule_ids, recommended_form, handed_at, status, disposition, form, note, recorded_by, recorded_at, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, CASE WHEN $6 = 'recorded' THEN $5::timestamptz END, $5)
     ON CONFLICT (case_id) DO UPDATE SET
       status = EXCLUDED.status, disposition = EXCLUDED.disposition, form = EXCLUDED.form, note = EXCLUDED.note,
       recorded_by = EXCLUDED.recorded_by, recorded_at = EXCLUDED.recorded_at, updated_at = EXCLUDED.updated_at`,
    [
      caseId,
      record.reason,
      record.ruleIds ?? null,
      record.recommendedForm ?? null,
      at,
      record.status,
      record.disposition ?? null,
      record.form ?? null,
      record.note === undefined ? null : key.seal('hand_offs.note', record.note),
      record.recordedBy ?? null,
    ],
  );
}

const iso = (value: Date | string): string => new Date(value).toISOString();
/** A date column read as text (`::text`): YYYY-MM-DD. */
const civil = (value: string): string => value.slice(0, 10);

/** The history of the cadre `cadreId` of unit `unitCode` (its cases found by the keyed hash of the id). */
export async function readCadreHistory(db: Queryable, keys: RecordKeys, cadreId: string, unitCode: string): Promise<CadreHistory> {
  const cases = (
    await db.query<{ case_id: string; unit_code: string; category: string; outcome: Outcome | null; final_at: Date | null }>(
      `SELECT case_id, unit_code, category, outcome, final_at FROM cases
       WHERE erased_at IS NULL AND (cadre_ref = ANY($1::text[]) OR (cadre_ref IS NULL AND cadre_id = $2))
       ORDER BY final_at DESC NULLS LAST, case_id`,
      [keys.cadreRefs(cadreId), cadreId],
    )
  ).rows;
  const ids = cases.map((c) => c.case_id);
  const finalAt = new Map(cases.map((c) => [c.case_id, c.final_at]));
  const rulings = (
    await db.query<{ case_id: string; ruling_no: number; outcome: Outcome; influence_months: number | null; recommended_form: number | null; tier: string | null }>(
      `SELECT case_id, ruling_no, outcome, influence_months, recommended_form, tier FROM rulings WHERE case_id = ANY($1::text[]) AND status = 'final'`,
      [ids],
    )
  ).rows;
  const results = (
    await db.query<{ case_id: string; kind: 'noNegativeEvaluation' | 'influencePeriod'; from_date: string; until_date: string | null; status: 'inForce' | 'ended'; ended_at: Date | null }>(
      `SELECT case_id, kind, from_date::text AS from_date, until_date::text AS until_date, status, ended_at FROM cadre_results WHERE case_id = ANY($1::text[]) ORDER BY from_date DESC, case_id`,
      [ids],
    )
  ).rows;
  const byCase = (a: { caseId: string }, b: { caseId: string }) => ids.indexOf(a.caseId) - ids.indexOf(b.caseId);
  return {
    cadreId,
    unitCode,
    toleratedCases: cases
      .filter((c) => (c.outcome === 'exempt' || c.outcome === 'mitigate') && c.final_at)
      .map((c) => ({ caseId: c.case_id, unitCode: c.unit_code, category: c.category, outcome: c.outcome!, outcomeLabel: outcomeLabels[c.outcome!], finalAt: iso(c.final_at!) })),
    rulingsInForce: rulings
      .map((r) => {
        const at = finalAt.get(r.case_id);
        return {
          caseId: r.case_id,
          rulingNo: r.ruling_no,
          outcome: r.outcome,
          outcomeLabel: outcomeLabels[r.outcome],
          ...(r.influence_months !== null ? { influenceMonths: r.influence_months } : {}),
          ...(r.recommended_form !== null ? { recommendedForm: r.recommended_form } : {}),
          ...(r.tier !== null ? { tier: r.tier } : {}),
          ...(at ? { finalAt: iso(at) } : {}),
        };
      })
      .sort(byCase),
    noNegativeEvaluations: results
      .filter((r) => r.kind === 'noNegativeEvaluation')
      .map((r) => ({ caseId: r.case_id, label: cadreResultLabels.noNegativeEvaluation, from: civil(r.from_date) })),
    influencePeriods: results
      .filter((r) => r.kind === 'influencePeriod' && r.until_date !== null)
      .map((r) => ({
        caseId: r.case_id,
        from: civil(r.from_date),
        until: civil(r.until_date!),
        status: r.status,
        statusLabel: influenceStatusLabels[r.status],
        ...(r.ended_at ? { endedAt: iso(r.ended_at) } : {}),
      })),
  };
}
