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

export async function mailRecipients(db: Queryable, audience: Audience): Promise<string[]> {
  if (audience.cadre !== undefined) {
    const { rows } = await db.query<{ email: string }>('SELECT email FROM cadres WHERE cadre_id = $1 AND unit_code = $2 AND email IS NOT NULL', [audience.cadre, audience.unit ?? null]);
    return rows.map((r) => r.email.trim()).filter((e) => e !== '');
  }
  const { rows } = audience.subjects
    ? await db.query<{ email: string }>('SELECT DISTINCT email FROM recipients WHERE active AND role = $1 AND subject = ANY($2::text[]) ORDER BY email', [
        audience.role,
        audience.subjects,
      ])
    : await db.query<{ email: string }>(
        'SELECT DISTINCT email FROM recipients WHERE active AND role = $1 AND subject IS NULL AND (unit IS NULL OR unit = $2) ORDER BY email',
        [audience.role, audience.unit ?? null],
      );
  return [...new Set(rows.map((r) => r.email.trim()))];
}

export async function webhookTargets(db: Queryable, audience: Audience): Promise<{ id: number; url: string }[]> {
  if (audience.cadre !== undefined) return [];
  const { rows } = await db.query<{ id: number; url: string }>(
    'SELECT id, url FROM webhook_subscriptions WHERE active AND role = $1 AND (unit IS NULL OR unit = $2) ORDER BY id',
    [audience.role, audience.unit ?? null],
  );
  return rows;
}
