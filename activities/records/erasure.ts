/**
 * Erasure of a case's personal data once its retention period has ended (the personal-information
 * protection law's right to deletion), without breaking the append-only ledger:
 * - the case's data key is destroyed, so every sealed value of the case, in the ledger and in the
 *   tables, is ciphertext nobody can open any more;
 * - the personal columns derived from it (the sealed values and the cadre's keyed hash) are cleared,
 *   so the case can no longer be attributed to the cadre, even by someone holding the master keys;
 *   so is the cadre's mail address on the deliveries of the case's notices to the cadre in person;
 * - an `erased` entry, with no personal data, is appended to the case's chain, and the erasure log
 *   records who erased it, when and why.
 * The chain is computed over the stored ciphertext, so `verifyLedger` holds before and after.
 *
 * Only a closed case whose retention period (the policy's `retention.years`, counted from closing)
 * has ended is erased; an open case, a case within retention, an unknown case and an erased one are
 * refused with an ErasureRefused naming why.
 */
import type { Policy } from '../../domain/policy';
import type { Db } from './db';
import { GENESIS, canonicalJson } from './ledger';
import { appendLedgerEntry, caseLock } from './recordSystem';

export type ErasureRefusal = 'unknownCase' | 'openCase' | 'withinRetention' | 'alreadyErased' | 'unknownPolicy' | 'invalidRequest';

/** The case may not be erased (now). Nothing was changed. */
export class ErasureRefused extends Error {
  override name = 'ErasureRefused';
  constructor(
    message: string,
    readonly caseId: string,
    readonly refusal: ErasureRefusal,
  ) {
    super(message);
  }
}

export interface EraseOptions {
  caseId: string;
  /** Who erases: recorded in the erasure log and as the actor of the `erased` ledger entry. */
  by: string;
  /** Why: recorded with it. It must not name anyone; it stays after the erasure. */
  reason: string;
  /** The retention period, in years after closing, of the policy version the case was opened under. */
  retentionYears(policyVersion: string): number | undefined;
  now?: Date;
}

export interface ErasureResult {
  caseId: string;
  erasedAt: string;
  by: string;
  reason: string;
  policyVersion: string;
  retentionYears: number;
  closedAt: string;
  retentionEndedAt: string;
  /** Sequence number and hash of the `erased` ledger entry: the case's new chain head. */
  ledgerSeq: number;
  head: string;
  /** Ledger entries of the case written before personal data was sealed: they keep their plaintext. */
  plaintextLedgerEntries: number;
}

/** The retention period of each loaded policy version. */
export const retentionFromPolicies =
  (policies: { get(version: string): Pick<Policy, 'retention'> | undefined }) =>
  (version: string): number | undefined =>
    policies.get(version)?.retention.years;

/** The role recorded as the actor of an `erased` ledger entry. */
export const ERASURE_ROLE = 'recordsOfficer';

const plusYears = (at: Date, years: number): Date => {
  const out = new Date(at.getTime());
  out.setUTCFullYear(out.getUTCFullYear() + years);
  return out;
};

function checkText(value: unknown, what: string, max: number, caseId: string): string {
  const text = typeof value === 'string' ? value.trim() : '';
  if (text === '' || text.length > max) throw new ErasureRefused(`${what} must be given, at most ${max} characters`, caseId, 'invalidRequest');
  return text;
}

interface CaseRow {
  origin: string;
  policy_version: string;
  unit_code: string;
  category: string;
  stage: string;
  outcome: string | null;
  close_reason: string | null;
  opened_at: Date;
  closed_at: Date | null;
  erased_at: Date | null;
}

/** Erases the personal data of `options.caseId`; throws ErasureRefused when it may not. */
export async function eraseCase(db: Db, options: EraseOptions): Promise<ErasureResult> {
  const { caseId } = options;
  const by = checkText(options.by, 'who erases (--by)', 200, caseId);
  const reason = checkText(options.reason, 'the reason (--reason)', 1000, caseId);
  const now = options.now ?? new Date();
  const at = now.toISOString();
  const result = await db.transaction(async (tx): Promise<ErasureResult> => {
    const c = (
      await tx.query<CaseRow>(
        'SELECT origin, policy_version, unit_code, category, stage, outcome, close_reason, opened_at, closed_at, erased_at FROM cases WHERE case_id = $1 FOR UPDATE',
        [caseId],
      )
    ).rows[0];
    if (!c) throw new ErasureRefused(`case ${caseId} is not in the record system`, caseId, 'unknownCase');
    if (c.erased_at) throw new ErasureRefused(`case ${caseId} was already erased on ${new Date(c.erased_at).toISOString()}`, caseId, 'alreadyErased');
    if (c.stage !== 'closed' || !c.closed_at) throw new ErasureRefused(`case ${caseId} is open (stage ${c.stage}): only a closed case is erased`, caseId, 'openCase');
    const retentionYears = options.retentionYears(c.policy_version);
    if (retentionYears === undefined) {
      throw new ErasureRefused(`case ${caseId} was opened under policy ${c.policy_version}, which is not loaded (POLICY_DIR): its retention period is unknown`, caseId, 'unknownPolicy');
    }
    const closedAt = new Date(c.closed_at);
    const retentionEnds = plusYears(closedAt, retentionYears);
    if (retentionEnds.getTime() > now.getTime()) {
      throw new ErasureRefused(
        `case ${caseId} closed on ${closedAt.toISOString()} and is kept ${retentionYears} years under ${c.policy_version}: it may be erased from ${retentionEnds.toISOString()}`,
        caseId,
        'withinRetention',
      );
    }

    const head = (await tx.query<{ seq: number; hash: string }>('SELECT seq, hash FROM ledger WHERE case_id = $1 ORDER BY seq DESC LIMIT 1', [caseId])).rows[0];
    const plaintextLedgerEntries = (await tx.query<{ n: number }>(`SELECT count(*)::int AS n FROM ledger WHERE case_id = $1 AND payload ? 'entry'`, [caseId])).rows[0]?.n ?? 0;
    const seq = (head?.seq ?? 0) + 1;
    const register = {
      caseId,
      origin: c.origin,
      policyVersion: c.policy_version,
      unitCode: c.unit_code,
      category: c.category,
      stage: c.stage,
      openedAt: new Date(c.opened_at).toISOString(),
      ...(c.outcome !== null ? { outcome: c.outcome } : {}),
      ...(c.close_reason !== null ? { closeReason: c.close_reason } : {}),
    };
    const payloadText = canonicalJson({ register, erasure: { by, reason, policyVersion: c.policy_version, retentionYears, closedAt: closedAt.toISOString() } });
    const hash = await appendLedgerEntry(tx, { caseId, seq, at, event: 'erased', actorSub: by, actorRole: ERASURE_ROLE, payloadText }, head?.hash ?? GENESIS);

    await tx.query('UPDATE case_keys SET wrapped_key = NULL, destroyed_at = $2 WHERE case_id = $1', [caseId, at]);
    await tx.query(
      `UPDATE cases SET cadre_id = NULL, cadre_name = NULL, application = NULL, cadre_ref = NULL, erased_at = $2, updated_at = $2, last_seq = $3
       WHERE case_id = $1`,
      [caseId, at, seq],
    );
    await tx.query('UPDATE rulings SET reasons = NULL WHERE case_id = $1', [caseId]);
    await tx.query('UPDATE measures SET title = NULL, last_progress = NULL WHERE case_id = $1', [caseId]);
    await tx.query('UPDATE measure_progress SET progress = NULL WHERE case_id = $1', [caseId]);
    await tx.query('UPDATE revisits SET thinking = NULL, work_performance = NULL, life_situation = NULL, assessment = NULL WHERE case_id = $1', [caseId]);
    // the cadre's own mail address, where the case's notices to the cadre in person went
    await tx.query(`UPDATE outbox SET to_address = '' WHERE case_id = $1 AND key IN (SELECT key FROM notifications WHERE case_id = $1 AND channel = 'email' AND audience ? 'cadre')`, [caseId]);
    await tx.query(`UPDATE notifications SET target = NULL, error = NULL WHERE case_id = $1 AND audience ? 'cadre'`, [caseId]);
    // what the notices said: their variables (a measure's title, a supplement's items) and the mails as
    // rendered; who was told what kind of notice when stays (template, audience, subject, status, times)
    await tx.query('UPDATE notifications SET vars = NULL WHERE case_id = $1', [caseId]);
    await tx.query(`UPDATE outbox SET text = '' WHERE case_id = $1`, [caseId]);
    await tx.query('UPDATE hand_offs SET note = NULL WHERE case_id = $1', [caseId]);
    await tx.query('UPDATE effect_trackings SET results = NULL WHERE case_id = $1', [caseId]);
    await tx.query(
      `INSERT INTO erasures (case_id, erased_at, erased_by, reason, policy_version, retention_years, closed_at, ledger_seq, plaintext_ledger_entries)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
      [caseId, at, by, reason, c.policy_version, retentionYears, closedAt.toISOString(), seq, plaintextLedgerEntries],
    );
    return {
      caseId,
      erasedAt: at,
      by,
      reason,
      policyVersion: c.policy_version,
      retentionYears,
      closedAt: closedAt.toISOString(),
      retentionEndedAt: retentionEnds.toISOString(),
      ledgerSeq: seq,
      head: hash,
      plaintextLedgerEntries,
    };
  }, { lock: caseLock(caseId) });
  // The old row versions (the wrapped key among them) stay in the table files until vacuumed.
  try {
    await db.exec('VACUUM case_keys, cases, rulings, measures, measure_progress, revisits, effect_trackings');
  } catch {
    // Not the owner, or inside a transaction: autovacuum gets to them later.
  }
  return result;
}
