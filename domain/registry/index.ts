/**
 * Jurisdictions as data: the localities (province → city → county), the bodies in each (units whose
 * cadres apply, organization departments, discipline inspection, party committees, supervision) and
 * the cadres of each unit. One document format (JSON, see README "The registry"), validated here;
 * the record system keeps it, the API and the cases read it. Pure: no clock, no I/O.
 */
import { z } from 'zod';
import { unitCodeSchema, type Jurisdiction, type Role } from '../case';

export const bodyKinds = ['unit', 'organization', 'discipline', 'committee', 'supervision'] as const;
export type BodyKind = (typeof bodyKinds)[number];

/**
 * The kind of body a role acts for; an expert acts for none. An admin keeps the registry for the
 * organization department it belongs to (组织部门 keeps the cadres' records), for that department's
 * locality and the localities below it.
 */
export const bodyKindOfRole: Record<Exclude<Role, 'expert'>, BodyKind> = {
  unit: 'unit',
  organization: 'organization',
  discipline: 'discipline',
  committee: 'committee',
  supervisor: 'supervision',
  admin: 'organization',
};

const code = unitCodeSchema;
const name = z.string().trim().min(1).max(200);
export const cadreIdSchema = z.string().trim().min(1).max(64);

/** A locality: a province (no parent), a city or a county. Localities are never removed. */
export const localitySchema = z.object({ code, name, parent: code.optional() }).strict();
/**
 * A body of a locality. A retired body takes no new work (no case opens for a retired unit, a retired
 * body serves no locality's new cases) but keeps acting on the cases that named it; nothing is deleted.
 */
export const bodySchema = z.object({ code, name, kind: z.enum(bodyKinds), locality: code, retired: z.boolean().optional() }).strict();
/** A cadre of a unit. A retired cadre (left the service) can have no new case opened. */
/** `email`: the cadre's own address, where the ruling on a case of the cadre is sent. */
export const cadreSchema = z.object({ id: cadreIdSchema, name, unit: code, email: z.email().max(254).optional(), retired: z.boolean().optional() }).strict();

/** A problem of a registry document, in both languages, with its place in the document. */
export interface RegistryIssue {
  path: (string | number)[];
  en: string;
  zh: string;
}

const issue = (path: RegistryIssue['path'], en: string, zh: string): RegistryIssue => ({ path, en, zh });

/** Every problem of a document whose entries are each well-formed: clashes, dangling references, cycles. */
export function registryIssues(doc: { localities: readonly Locality[]; bodies: readonly Body[]; cadres: readonly Cadre[] }): RegistryIssue[] {
  const out: RegistryIssue[] = [];
  const localities = new Map(doc.localities.map((l) => [l.code, l]));
  const seen = new Set<string>();
  doc.localities.forEach((l, i) => {
    if (seen.has(l.code)) out.push(issue(['localities', i, 'code'], `locality ${l.code} is listed twice`, `地区 ${l.code} 重复列出`));
    seen.add(l.code);
    if (l.parent && !localities.has(l.parent)) out.push(issue(['localities', i, 'parent'], `unknown parent locality ${l.parent}`, `上级地区 ${l.parent} 不在登记册中`));
    // walking up must end at a root
    const walked = new Set<string>([l.code]);
    for (let p = l.parent; p; p = localities.get(p)?.parent) {
      if (walked.has(p)) {
        out.push(issue(['localities', i, 'parent'], `locality ${l.code} is its own ancestor`, `地区 ${l.code} 不能是自己的上级`));
        break;
      }
      walked.add(p);
    }
  });
  const bodies = new Map<string, Body>();
  doc.bodies.forEach((b, i) => {
    if (bodies.has(b.code) || localities.has(b.code)) out.push(issue(['bodies', i, 'code'], `code ${b.code} is used twice`, `代码 ${b.code} 已被使用`));
    bodies.set(b.code, b);
    if (!localities.has(b.locality)) out.push(issue(['bodies', i, 'locality'], `unknown locality ${b.locality}`, `地区 ${b.locality} 不在登记册中`));
  });
  const cadres = new Set<string>();
  doc.cadres.forEach((c, i) => {
    if (cadres.has(c.id)) out.push(issue(['cadres', i, 'id'], `cadre ${c.id} is listed twice`, `干部 ${c.id} 重复列出`));
    cadres.add(c.id);
    if (bodies.get(c.unit)?.kind !== 'unit') out.push(issue(['cadres', i, 'unit'], `${c.unit} is not a unit of the registry`, `${c.unit} 不是登记册中的单位`));
  });
  return out;
}

export const registryDocumentSchema = z
  .object({
    localities: z.array(localitySchema).min(1),
    bodies: z.array(bodySchema),
    cadres: z.array(cadreSchema),
  })
  .strict()
  .superRefine((doc, ctx) => {
    for (const i of registryIssues(doc)) ctx.addIssue({ code: 'custom', path: i.path, message: i.en });
  });
export type RegistryDocument = z.infer<typeof registryDocumentSchema>;
export type Locality = z.infer<typeof localitySchema>;
export type Body = z.infer<typeof bodySchema>;
export type Cadre = z.infer<typeof cadreSchema>;

/**
 * Whether a body whose locality is `locality` oversees a case of `jurisdiction`: its own locality and
 * the ones below it (the case's path up the tree passes through the body's locality).
 */
export function oversees(locality: string | undefined, jurisdiction: Pick<Jurisdiction, 'path'>): boolean {
  return locality !== undefined && jurisdiction.path.includes(locality);
}

/** The registry, indexed. */
export class Registry {
  private readonly localities: ReadonlyMap<string, Locality>;
  private readonly bodies: ReadonlyMap<string, Body>;
  private readonly cadres: ReadonlyMap<string, Cadre>;

  constructor(readonly document: RegistryDocument) {
    this.localities = new Map(document.localities.map((l) => [l.code, l]));
    this.bodies = new Map(document.bodies.map((b) => [b.code, b]));
    this.cadres = new Map(document.cadres.map((c) => [c.id, c]));
  }

  /** Validates `raw` and indexes it; throws with every problem named. */
  static parse(raw: unknown): Registry {
    const r = registryDocumentSchema.safeParse(raw);
    if (!r.success) throw new Error(`invalid registry: ${r.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`);
    return new Registry(r.data);
  }

  locality(code: string): Locality | undefined {
    return this.localities.get(code);
  }

  body(code: string): Body | undefined {
    return this.bodies.get(code);
  }

  cadre(id: string): Cadre | undefined {
    return this.cadres.get(id);
  }

  /** The locality and its ancestors, nearest first: [county, city, province]. */
  path(locality: string): string[] {
    const out: string[] = [];
    for (let l = this.localities.get(locality); l && !out.includes(l.code); l = l.parent ? this.localities.get(l.parent) : undefined) out.push(l.code);
    return out;
  }

  /** The body of `kind` that serves `locality`: its own, else the nearest one up the tree; never a retired one. */
  bodyFor(kind: BodyKind, locality: string): Body | undefined {
    for (const l of this.path(locality)) {
      const found = this.document.bodies.find((b) => b.kind === kind && b.locality === l && !b.retired);
      if (found) return found;
    }
    return undefined;
  }

  /** Where a case of `unitCode` belongs: its locality, the path up, and the bodies that serve it. */
  jurisdictionOf(unitCode: string): Jurisdiction | undefined {
    const unit = this.bodies.get(unitCode);
    if (unit?.kind !== 'unit') return undefined;
    const bodies: Jurisdiction['bodies'] = {};
    const names: Record<string, string> = { [unit.code]: unit.name };
    for (const kind of ['organization', 'discipline', 'committee', 'supervision'] as const) {
      const b = this.bodyFor(kind, unit.locality);
      if (b) {
        bodies[kind] = b.code;
        names[b.code] = b.name;
      }
    }
    return { locality: unit.locality, path: this.path(unit.locality), bodies, names };
  }

  /** The full Chinese name of a locality, province first: 江苏省苏州市昆山市. */
  placeName(locality: string): string {
    return this.path(locality)
      .reverse()
      .map((l) => this.localities.get(l)!.name)
      .join('');
  }
}
