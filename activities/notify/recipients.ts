/**
 * Who receives a notification. Mail goes to the `recipients` rows of the audience's role: with
 * `subjects`, to the rows of those persons; otherwise to the rows of the audience's unit and the
 * role-wide rows (unit NULL). Webhooks go to the active subscriptions of the role for that unit or
 * for the whole role. The cadre of a case (`cadre`) is reached only at the address the registry keeps
 * for that cadre in that unit, and never by webhook.
 */
import type { Role } from '../../domain/case';
import type { Queryable } from '../records/db';

export interface Audience {
  role: Role;
  unit?: string;
  subjects?: string[];
  /** The cadre's id: the notice is for the cadre in person. */
  cadre?: string;
}

/** Who an audience's notice goes to: mail addresses and webhook subscriptions. */
export interface DeliveryTargets {
  mail: string[];
  webhooks: { id: number; url: string }[];
}

/** The mail rows an audience reads (one of three filters) as the first part of the targets' statement. */
function mailSource(audience: Audience): { sql: string; params: unknown[] } {
  if (audience.cadre !== undefined) {
    return { sql: 'SELECT email FROM cadres WHERE cadre_id = $1 AND unit_code = $2 AND email IS NOT NULL', params: [audience.cadre, audience.unit ?? null] };
  }
  if (audience.subjects) {
    return { sql: 'SELECT email FROM recipients WHERE active AND role = $1 AND subject = ANY($2::text[])', params: [audience.role, audience.subjects] };
  }
  return { sql: 'SELECT email FROM recipients WHERE active AND role = $1 AND subject IS NULL AND (unit IS NULL OR unit = $2)', params: [audience.role, audience.unit ?? null] };
}

/** Mail addresses (trimmed, each once, in address order) and webhooks (in id order), in one statement. */
export async function deliveryTargets(db: Queryable, audience: Audience): Promise<DeliveryTargets> {
  const source = mailSource(audience);
  // A cadre is never reached by webhook; the others by the role's subscriptions for the unit or the whole role.
  const webhooks =
    audience.cadre !== undefined
      ? ''
      : `UNION ALL SELECT 'webhook', id, url FROM webhook_subscriptions WHERE active AND role = $${source.params.length + 1} AND (unit IS NULL OR unit = $${source.params.length + 2})`;
  const { rows } = await db.query<{ channel: 'email' | 'webhook'; id: number | null; target: string }>(
    `SELECT channel, id, target FROM (
       SELECT DISTINCT 'email' AS channel, NULL::int AS id, email AS target FROM (${source.sql}) AS m
       ${webhooks}
     ) AS t ORDER BY channel, CASE WHEN channel = 'email' THEN target END, id`,
    audience.cadre !== undefined ? source.params : [...source.params, audience.role, audience.unit ?? null],
  );
  const mail = rows.filter((r) => r.channel === 'email').map((r) => r.target.trim());
  return {
    // The cadre's own address, when it is one; the others each once.
    mail: audience.cadre !== undefined ? mail.filter((e) => e !== '') : [...new Set(mail)],
    webhooks: rows.filter((r) => r.channel === 'webhook').map((r) => ({ id: r.id!, url: r.target })),
  };
}
