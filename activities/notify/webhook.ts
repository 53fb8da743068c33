/**
 * Signed webhooks. Each delivery carries X-Rongcuo-Timestamp (unix seconds), X-Rongcuo-Delivery (the
 * notification key, to drop duplicates) and X-Rongcuo-Signature: v1=<hex HMAC-SHA256(secret,
 * `${timestamp}.${body}`)>. Receivers check it with `verifyWebhookSignature`, which also refuses
 * timestamps outside the tolerance, so a captured request cannot be replayed later.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export const webhookHeaders = {
  timestamp: 'x-rongcuo-timestamp',
  signature: 'x-rongcuo-signature',
  delivery: 'x-rongcuo-delivery',
} as const;

/** The signature header value for `body` (the exact bytes sent) at `timestamp` (unix seconds). */
export function signWebhook(secret: string, timestamp: number, body: string | Buffer): string {
  const hmac = createHmac('sha256', secret).update(`${timestamp}.`, 'utf8');
  hmac.update(typeof body === 'string' ? Buffer.from(body, 'utf8') : body);
  return `v1=${hmac.digest('hex')}`;
}

export type WebhookHeaders = Headers | Record<string, string | string[] | undefined>;

export type WebhookVerification =
  | { ok: true; timestamp: number; delivery?: string }
  | { ok: false; reason: 'missing' | 'malformed' | 'stale' | 'mismatch' };

function header(headers: WebhookHeaders, name: string): string | undefined {
  if (typeof Headers !== 'undefined' && headers instanceof Headers) return headers.get(name) ?? undefined;
  const record = headers as Record<string, string | string[] | undefined>;
  const key = Object.keys(record).find((k) => k.toLowerCase() === name);
  const value = key === undefined ? undefined : record[key];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * Checks a received webhook: `body` must be the raw request body, exactly as received. A signature
 * header may list several `v1=` values (comma-separated) while a secret is being rotated.
 */
export function verifyWebhookSignature(
  secret: string,
  headers: WebhookHeaders,
  body: string | Buffer,
  toleranceSeconds = 300,
  now: Date = new Date(),
): WebhookVerification {
  const timestampText = header(headers, webhookHeaders.timestamp);
  const signatureText = header(headers, webhookHeaders.signature);
  if (!timestampText || !signatureText) return { ok: false, reason: 'missing' };
  if (!/^\d{1,12}$/.test(timestampText.trim())) return { ok: false, reason: 'malformed' };
  const timestamp = Number(timestampText.trim());
  const candidates = signatureText
    .split(',')
    .map((s) => s.trim())
    .filter((s) => /^v1=[0-9a-f]{64}$/.test(s));
  if (candidates.length === 0) return { ok: false, reason: 'malformed' };
  if (Math.abs(Math.floor(now.getTime() / 1000) - timestamp) > toleranceSeconds) return { ok: false, reason: 'stale' };
  const expected = Buffer.from(signWebhook(secret, timestamp, body));
  const match = candidates.some((c) => {
    const given = Buffer.from(c);
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
  if (!match) return { ok: false, reason: 'mismatch' };
  const delivery = header(headers, webhookHeaders.delivery);
  return { ok: true, timestamp, ...(delivery ? { delivery } : {}) };
}
