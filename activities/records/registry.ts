/**
 * The registry in the record system: saving a registry document (every entry added or updated, in one
 * transaction), applying one admin change (decided in domain/registry/changes.ts), reading the registry
 * back, and the append-only audit of every entry that changed (registry_audit).
 */
import { Registry, type Body, type Cadre, type Locality, type RegistryDocument } from '../../domain/registry';
import { decideChange, documentChanges, type AppliedChange, type ChangeAction, type ChangeRefusal, type RegistryChange, type RegistryEntity, type RegistryEntry } from '../../domain/registry/changes';
import type { Db, Queryable } from './db';
import { LOCK_NAMESPACE } from './migrate';

/** (LOCK_NAMESPACE, 3) serialises writers of the registry, so each decides on the registry as it stands. */
const REGISTRY_LOCK = 3;

export interface RegistryChangeSummary {
  localities: number;
  bodies: number;
  cadres: number;
}

/** Who changed the registry: the admin's subject, role and body, or the operator of `registry:load`. */
export interface RegistryAuthor {
  sub: string;
  role?: string | undefined;
  body?: string | undefined;
  /** `api`, or the file `registry:load` loaded. */
  source: string;
}

/** One entry of the registry audit. */
export interface RegistryAuditEntry {
  id: number;
  at: string;
  by: { sub: string; role?: string; body?: string };
  source: string;
  entity: RegistryEntity;
  code: string;
  action: ChangeAction;
  before?: RegistryEntry;
  after: RegistryEntry;
}

/** A change the registry refused; nothing was written. */
export class RegistryChangeRefused extends Error {
  override name = 'RegistryChangeRefused';
  constructor(readonly refusal: ChangeRefusal) {
    super(refusal.issues.map((i) => i.en).join(' '));
  }
}

async function lockRegistry(tx: Queryable): Promise<void> {
  await tx.query('SELECT pg_advisory_xact_lock($1::int, $2::int)', [LOCK_NAMESPACE, REGISTRY_LOCK]);
}

/** Adds or updates every locality, body and cadre of `doc`, audits each entry that changed, and records the load. */
export function saveRegistry(db: Db, doc: RegistryDocument, by: RegistryAuthor): Promise<RegistryChangeSummary> {
  return db.transaction((tx) => writeRegistry(tx, doc, by));
}

/** `saveRegistry` inside a transaction the caller holds. */
export async function writeRegistry(tx: Queryable, doc: RegistryDocument, by: RegistryAuthor): Promise<RegistryChangeSummary> {
  Registry.parse(doc);
  await lockRegistry(tx);
  const current = await readRegistry(tx);
  const changes = documentChanges(current, doc);
  const merged = new Registry({ ...doc, localities: mergeLocalities(current.document.localities, doc.localities) });
  // parents first, so each row's parent exists when it is written
  const depth = (code: string): number => merged.path(code).length;
  for (const l of [...doc.localities].sort((a, b) => depth(a.code) - depth(b.code))) await writeLocality(tx, l);
  for (const b of doc.bodies) await writeBody(tx, b, merged);
  for (const c of doc.cadres) await writeCadre(tx, c);
  for (const change of changes) await audit(tx, change, by);
  const summary: RegistryChangeSummary = { localities: doc.localities.length, bodies: doc.bodies.length, cadres: doc.cadres.length };
  await tx.query('INSERT INTO registry_changes (by_sub, source, summary) VALUES ($1, $2, $3::jsonb)', [by.sub, by.source, JSON.stringify(summary)]);
  return summary;
}

function mergeLocalities(base: readonly Locality[], over: readonly Locality[]): Locality[] {
  const byCode = new Map(base.map((l) => [l.code, l]));
  for (const l of over) byCode.set(l.code, l);
  return [...byCode.values()];
}

/**
 * Applies one change asked for by an admin of `scope`, decided on the registry as it stands (read in
 * the transaction, under the registry lock): written and audited, or refused with nothing written.
 * Returns the audit entry, or undefined when the change changes nothing.
 */
export async function applyRegistryChange(db: Db, change: RegistryChange, scope: string, by: RegistryAuthor): Promise<RegistryAuditEntry | undefined> {
  return db.transaction(async (tx) => {
    await lockRegistry(tx);
    const current = await readRegistry(tx);
    const decision = decideChange(current, change, scope);
    if (!decision.ok) throw new RegistryChangeRefused(decision.refusal);
    const applied = decision.change;
    if (!applied) return undefined;
    const next = new Registry(decision.document);
    if (change.entity === 'locality') {
      await writeLocality(tx, change.value);
      // the region of the units below follows the names above them
      for (const b of next.document.bodies) if (b.kind === 'unit' && next.path(b.locality).includes(change.value.code)) await writeBody(tx, b, next);
    } else if (change.entity === 'body') await writeBody(tx, change.value, next);
    else await writeCadre(tx, change.value);
    return audit(tx, applied, by);
  });
}

async function writeLocality(tx: Queryable, l: Locality): Promise<void> {
  await tx.query(
    `INSERT INTO localities (code, name, parent_code) VALUES ($1, $2, $3)
     ON CONFLICT (code) DO UPDATE SET name = EXCLUDED.name, parent_code = EXCLUDED.parent_code`,
    [l.code, l.name, l.parent ?? null],
  );
}

async function writeBody(tx: Queryable, b: Body, registry: Registry): Promise<void> {
  await tx.query(
    `INSERT INTO bodies (code, name, kind, locality_code, retired_at) VALUES ($1, $2, $3, $4, CASE WHEN $5::boolean THEN now() END)
     ON CONFLICT (code) DO UPDATE SET name = EXCLUDED.name, kind = EXCLUDED.kind, locality_code = EXCLUDED.locality_code,
       retired_at = CASE WHEN $5::boolean THEN COALESCE(bodies.retired_at, now()) END`,
    [b.code, b.name, b.kind, b.locality, b.retired === true],
  );
  if (b.kind === 'unit') {
    await tx.query(
      `INSERT INTO units (unit_code, name, region, locality_code) VALUES ($1, $2, $3, $4)
       ON CONFLICT (unit_code) DO UPDATE SET name = EXCLUDED.name, region = EXCLUDED.region, locality_code = EXCLUDED.locality_code`,
      [b.code, b.name, registry.placeName(b.locality), b.locality],
    );
  }
}

async function writeCadre(tx: Queryable, c: Cadre): Promise<void> {
  await tx.query(
    `INSERT INTO cadres (cadre_id, name, unit_code, email, retired_at) VALUES ($1, $2, $3, $5, CASE WHEN $4::boolean THEN now() END)
     ON CONFLICT (cadre_id) DO UPDATE SET name = EXCLUDED.name, unit_code = EXCLUDED.unit_code, email = EXCLUDED.email,
       retired_at = CASE WHEN $4::boolean THEN COALESCE(cadres.retired_at, now()) END`,
    [c.id, c.name, c.unit, c.retired === true, c.email ?? null],
  );
}

interface AuditRow {
  id: number;
  at: Date | string;
  by_sub: string;
  by_role: string | null;
  by_body: string | null;
  source: string;
  entity: RegistryEntity;
  code: string;
  action: ChangeAction;
  before: RegistryEntry | null;
  after: RegistryEntry;
}

const AUDIT_COLUMNS = 'id, at, by_sub, by_role, by_body, source, entity, code, action, before, after';

function auditEntryOf(row: AuditRow): RegistryAuditEntry {
  return {
    id: row.id,
    at: new Date(row.at).toISOString(),
    by: { sub: row.by_sub, ...(row.by_role ? { role: row.by_role } : {}), ...(row.by_body ? { body: row.by_body } : {}) },
    source: row.source,
    entity: row.entity,
    code: row.code,
    action: row.action,
    ...(row.before ? { before: row.before } : {}),
    after: row.after,
  };
}

async function audit(tx: Queryable, change: AppliedChange, by: RegistryAuthor): Promise<RegistryAuditEntry> {
  const { rows } = await tx.query<AuditRow>(
    `INSERT INTO registry_audit (by_sub, by_role, by_body, source, entity, code, action, before, after, localities)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb, $9::jsonb, $10::text[]) RETURNING ${AUDIT_COLUMNS}`,
    [by.sub, by.role ?? null, by.body ?? null, by.source, change.entity, change.code, change.action, change.before ? JSON.stringify(change.before) : null, JSON.stringify(change.after), change.localities],
  );
  return auditEntryOf(rows[0]!);
}

/** The audit of the changes within `scope` (entries whose place was or is there), newest first, `limit` after the entry `before`. */
export async function readRegistryAudit(db: Queryable, scope: string, page: { limit: number; before?: number | undefined }): Promise<{ items: RegistryAuditEntry[]; next?: number }> {
  const { rows } = await db.query<AuditRow>(
    `SELECT ${AUDIT_COLUMNS} FROM registry_audit WHERE $1 = ANY (localities) AND ($2::integer IS NULL OR id < $2) ORDER BY id DESC LIMIT $3`,
    [scope, page.before ?? null, page.limit + 1],
  );
  const items = rows.slice(0, page.limit).map(auditEntryOf);
  return { items, ...(rows.length > page.limit ? { next: items[items.length - 1]!.id } : {}) };
}

/** The registry as the record system holds it (localities, bodies, and the cadres of registered units). */
export async function readRegistry(db: Queryable): Promise<Registry> {
  const localities = await db.query<{ code: string; name: string; parent_code: string | null }>('SELECT code, name, parent_code FROM localities ORDER BY code');
  const bodies = await db.query<{ code: string; name: string; kind: Body['kind']; locality_code: string; retired: boolean }>(
    'SELECT code, name, kind, locality_code, retired_at IS NOT NULL AS retired FROM bodies ORDER BY code',
  );
  const cadres = await db.query<{ cadre_id: string; name: string; unit_code: string; email: string | null; retired: boolean }>(
    'SELECT c.cadre_id, c.name, c.unit_code, c.email, c.retired_at IS NOT NULL AS retired FROM cadres c JOIN bodies b ON b.code = c.unit_code AND b.kind = $1 ORDER BY c.cadre_id',
    ['unit'],
  );
  return new Registry({
    localities: localities.rows.map((l) => ({ code: l.code, name: l.name, ...(l.parent_code ? { parent: l.parent_code } : {}) })),
    bodies: bodies.rows.map((b) => ({ code: b.code, name: b.name, kind: b.kind, locality: b.locality_code, ...(b.retired ? { retired: true } : {}) })),
    cadres: cadres.rows.map((c) => ({ id: c.cadre_id, name: c.name, unit: c.unit_code, ...(c.email ? { email: c.email } : {}), ...(c.retired ? { retired: true } : {}) })),
  });
}
