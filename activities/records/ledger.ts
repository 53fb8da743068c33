/**
 * The hash chain of the audit ledger. Each entry stores the SHA-256 of its payload's canonical JSON
 * and hash = SHA-256(prev_hash ‖ canonical JSON of its fields), the first entry of a case chaining
 * from GENESIS. Verification recomputes everything from the stored rows, so an edit, a deletion or
 * a re-ordering shows even when someone disabled the trigger that forbids them.
 */
import { createHash } from 'node:crypto';

export const GENESIS = '0'.repeat(64);

export const sha256Hex = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');

/**
 * JSON with object keys sorted at every level and no whitespace: one text per value, whatever the
 * key order it was built or stored with (jsonb reorders keys). `undefined` members are left out.
 */
export function canonicalJson(value: unknown): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return JSON.stringify(value);
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError('canonical JSON has no representation for a non-finite number');
      return JSON.stringify(value);
    case 'object': {
      const toJSON = (value as { toJSON?: () => unknown }).toJSON;
      if (typeof toJSON === 'function') return canonicalJson(toJSON.call(value));
      if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? 'null' : canonicalJson(v))).join(',')}]`;
      const entries = Object.entries(value as Record<string, unknown>)
        .filter(([, v]) => v !== undefined && typeof v !== 'function')
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
    }
    default:
      throw new TypeError(`canonical JSON cannot hold a ${typeof value}`);
  }
}

/** The fields an entry's hash covers, besides the previous hash. */
export interface ChainFields {
  caseId: string;
  seq: number;
  /** ISO instant with milliseconds, as `Date.prototype.toISOString` writes it. */
  at: string;
  event: string;
  actorSub: string | null;
  actorRole: string | null;
  payloadDigest: string;
}

export const chainHash = (prevHash: string, fields: ChainFields): string => sha256Hex(prevHash + canonicalJson(fields));

/** A stored ledger row, as verification reads it. */
export interface LedgerRow {
  case_id: string;
  seq: number;
  at: Date | string;
  event: string;
  actor_sub: string | null;
  actor_role: string | null;
  payload: unknown;
  payload_digest: string;
  prev_hash: string;
  hash: string;
}

export interface LedgerVerification {
  caseId: string;
  ok: boolean;
  entries: number;
  /** Hash of the last entry: kept elsewhere, it also exposes a rewrite of the whole chain. */
  head?: string;
  /** The first sequence number that is wrong or missing. */
  firstBrokenSeq?: number;
  problem?: string;
}

const iso = (at: Date | string): string => (at instanceof Date ? at : new Date(at)).toISOString();

/**
 * Checks one case's rows (ordered by seq). `registeredLastSeq` is the last sequence number the case
 * register saw, which exposes entries cut off the end of the chain.
 */
export function verifyChain(caseId: string, rows: readonly LedgerRow[], registeredLastSeq?: number): LedgerVerification {
  const broken = (seq: number, problem: string): LedgerVerification => ({ caseId, ok: false, entries: rows.length, firstBrokenSeq: seq, problem });
  let prev: LedgerRow | undefined;
  for (const row of rows) {
    if (prev === undefined) {
      if (row.seq > 1) return broken(1, `the chain starts at entry ${row.seq}: earlier entries are missing`);
    } else if (row.seq !== prev.seq + 1) {
      return broken(prev.seq + 1, `entry ${prev.seq + 1} is missing (the next stored entry is ${row.seq})`);
    }
    const expectedPrev = prev?.hash ?? GENESIS;
    if (row.prev_hash !== expectedPrev) {
      return broken(row.seq, prev ? `entry ${row.seq} does not link to entry ${prev.seq}: an entry was removed, inserted or moved` : `entry ${row.seq} does not link to the start of the chain: earlier entries were removed`);
    }
    let digest: string;
    try {
      digest = sha256Hex(canonicalJson(row.payload));
    } catch {
      digest = '';
    }
    if (digest !== row.payload_digest) return broken(row.seq, `the payload of entry ${row.seq} does not match its digest: it was edited`);
    const fields: ChainFields = {
      caseId: row.case_id,
      seq: row.seq,
      at: iso(row.at),
      event: row.event,
      actorSub: row.actor_sub,
      actorRole: row.actor_role,
      payloadDigest: row.payload_digest,
    };
    if (chainHash(row.prev_hash, fields) !== row.hash) return broken(row.seq, `entry ${row.seq} does not match its hash: its fields were edited`);
    prev = row;
  }
  if (registeredLastSeq !== undefined && (prev === undefined || registeredLastSeq > prev.seq)) {
    const missing = prev === undefined ? Math.min(registeredLastSeq, 1) : prev.seq + 1;
    return broken(missing, prev === undefined ? 'the case is registered but has no ledger entries' : `entries after ${prev.seq} are missing (the register saw entry ${registeredLastSeq})`);
  }
  return { caseId, ok: true, entries: rows.length, ...(prev ? { head: prev.hash } : {}) };
}
