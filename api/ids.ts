/** Case numbers, request digests and the civil date in China: small pure helpers the routes share. */
import { createHash, randomBytes } from 'node:crypto';

/** Crockford's base32: no I, L, O or U, so a case number read aloud or retyped stays unambiguous. */
const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** The first `length` base32 digits (5 bits each) of `bytes`. */
export function crockford(bytes: Uint8Array, length: number): string {
  if (bytes.length * 8 < length * 5) throw new RangeError(`${length} digits need ${Math.ceil((length * 5) / 8)} bytes`);
  let out = '';
  let buffer = 0;
  let bits = 0;
  let i = 0;
  while (out.length < length) {
    if (bits < 5) {
      buffer = ((buffer << 8) | (bytes[i++] ?? 0)) & 0xffff;
      bits += 8;
    }
    out += CROCKFORD[(buffer >> (bits - 5)) & 31];
    bits -= 5;
  }
  return out;
}

const CASE_DIGITS = 10;

/** `case-<YYYY>-<10 random Crockford digits>`; 50 random bits a year. */
export function randomCaseId(year: number): string {
  return `case-${year}-${crockford(randomBytes(8), CASE_DIGITS)}`;
}

/**
 * The case id an Idempotency-Key stands for: the same subject and key always give the same id, so a
 * retried start finds the case it opened. The year is part of the id, so a retry must come in the
 * same (China) year as the first attempt.
 */
export function derivedCaseId(year: number, sub: string, key: string): string {
  const digest = createHash('sha256').update(sub).update('\n').update(key).digest();
  return `case-${year}-${crockford(digest, CASE_DIGITS)}`;
}

/** JSON with object keys sorted at every level, so equal data gives equal text. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
        .map((k) => [k, sortKeys((value as Record<string, unknown>)[k])]),
    );
  }
  return value;
}

/** sha256 (hex) of the canonical JSON of `value`. */
export function requestDigest(value: unknown): string {
  return createHash('sha256').update(canonicalJson(value)).digest('hex');
}

const chinaDate = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit' });

/** The civil date (YYYY-MM-DD) in China at `now`: policies take effect and case numbers roll over by it. */
export function chinaCivilDate(now: Date): string {
  return chinaDate.format(now);
}

/** A request id or key a client may choose: short, printable, no separators a log or query could trip on. */
export const clientTokenPattern = /^[A-Za-z0-9._:-]{1,128}$/;
