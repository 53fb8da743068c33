/**
 * The registry in the record system: saving a registry document (every entry added or updated, in one
 * transaction, the change audited) and reading it back.
 */
import { Registry, type RegistryDocument } from '../../domain/registry';
import type { Db, Queryable } from './db';

export interface RegistryChange {
  localities: number;
  bodies: number;
  cadres: number;
}

/** Adds or updates every locality, body and cadre of `doc`, and records who did it from where. */
export function saveRegistry(db: Db, doc: RegistryDocument, by: { sub: string; source: string }): Promise<RegistryChange> {
  return db.transaction((tx) => writeRegistry(tx, doc, by));
}

/** `saveRegistry` inside a transaction the caller holds. */
export async function writeRegistry(tx: Queryable, doc: RegistryDocument, by: { sub: string; source: string }): Promise<RegistryChange> {
  Registry.parse(doc);
  {
    // parents first, so each row's parent exists when it is written
    const byCode = new Map(doc.localities.map((l) => [l.code, l]));
    const depth = (code: string): number => {
      const parent = byCode.get(code)?.parent;
      return parent ? 1 + depth(parent) : 0;
    };
    for (const l of [...doc.localities].sort((a, b) => depth(a.code) - depth(b.code))) {
      await tx.query(
        `INSERT INTO localities (code, name, parent_code) VALUES ($1, $2, $3)
         ON CONFLICT (code) DO UPDATE SET name = EXCLUDED.name, parent_code = EXCLUDED.parent_code`,
        [l.code, l.name, l.parent ?? null],
      );
    }
    for (const b of doc.bodies) {
      await tx.query(
        `INSERT INTO bodies (code, name, kind, locality_code) VALUES ($1, $2, $3, $4)
         ON CONFLICT (code) DO UPDATE SET name = EXCLUDED.name, kind = EXCLUDED.kind, locality_code = EXCLUDED.locality_code`,
        [b.code, b.name, b.kind, b.locality],
      );
      if (b.kind === 'unit') {
        await tx.query(
          `INSERT INTO units (unit_code, name, region, locality_code) VALUES ($1, $2, $3, $4)
           ON CONFLICT (unit_code) DO UPDATE SET name = EXCLUDED.name, region = EXCLUDED.region, locality_code = EXCLUDED.locality_code`,
          [b.code, b.name, placeName(doc, b.locality), b.locality],
        );
      }
    }
    for (const c of doc.cadres) {
      await tx.query(
        `INSERT INTO cadres (cadre_id, name, unit_code, email) VALUES ($1, $2, $3, $4)
         ON CONFLICT (cadre_id) DO UPDATE SET name = EXCLUDED.name, unit_code = EXCLUDED.unit_code, email = EXCLUDED.email`,
        [c.id, c.name, c.unit, c.email ?? null],
      );
    }
    const summary: RegistryChange = { localities: doc.localities.length, bodies: doc.bodies.length, cadres: doc.cadres.length };
    await tx.query('INSERT INTO registry_changes (by_sub, source, summary) VALUES ($1, $2, $3::jsonb)', [by.sub, by.source, JSON.stringify(summary)]);
    return summary;
  }
}

function placeName(doc: RegistryDocument, locality: string): string {
  return new Registry(doc).placeName(locality);
}

/** The registry as the record system holds it (localities, bodies, and the cadres of registered units). */
export async function readRegistry(db: Queryable): Promise<Registry> {
  const localities = await db.query<{ code: string; name: string; parent_code: string | null }>('SELECT code, name, parent_code FROM localities ORDER BY code');
  const bodies = await db.query<{ code: string; name: string; kind: RegistryDocument['bodies'][number]['kind']; locality_code: string }>('SELECT code, name, kind, locality_code FROM bodies ORDER BY code');
  const cadres = await db.query<{ cadre_id: string; name: string; unit_code: string; email: string | null }>(
    'SELECT c.cadre_id, c.name, c.unit_code, c.email FROM cadres c JOIN bodies b ON b.code = c.unit_code AND b.kind = $1 ORDER BY c.cadre_id',
    ['unit'],
  );
  return new Registry({
    localities: localities.rows.map((l) => ({ code: l.code, name: l.name, ...(l.parent_code ? { parent: l.parent_code } : {}) })),
    bodies: bodies.rows.map((b) => ({ code: b.code, name: b.name, kind: b.kind, locality: b.locality_code })),
    cadres: cadres.rows.map((c) => ({ id: c.cadre_id, name: c.name, unit: c.unit_code, ...(c.email ? { email: c.email } : {}) })),
  });
}
