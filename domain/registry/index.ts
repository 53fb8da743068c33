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

/** The kind of body a role acts for; an expert acts for none. */
export const bodyKindOfRole: Record<Exclude<Role, 'expert'>, BodyKind> = {
  unit: 'unit',
  organization: 'organization',
  discipline: 'discipline',
  committee: 'committee',
  supervisor: 'supervision',
};

const code = unitCodeSchema;
const name = z.string().trim().min(1).max(200);

export const registryDocumentSchema = z
  .object({
    localities: z.array(z.object({ code, name, parent: code.optional() }).strict()).min(1),
    bodies: z.array(z.object({ code, name, kind: z.enum(bodyKinds), locality: code }).strict()),
    /** `email`: the cadre's own address, where the ruling on a case of the cadre is sent. */
    cadres: z.array(z.object({ id: z.string().trim().min(1).max(64), name, unit: code, email: z.email().max(254).optional() }).strict()),
  })
  .strict()
  .superRefine((doc, ctx) => {
    const localities = new Map(doc.localities.map((l) => [l.code, l]));
    const seen = new Set<string>();
    doc.localities.forEach((l, i) => {
      if (seen.has(l.code)) ctx.addIssue({ code: 'custom', path: ['localities', i, 'code'], message: `locality ${l.code} is listed twice` });
      seen.add(l.code);
      if (l.parent && !localities.has(l.parent)) ctx.addIssue({ code: 'custom', path: ['localities', i, 'parent'], message: `unknown parent locality ${l.parent}` });
      // walking up must end at a root
      const walked = new Set<string>([l.code]);
      for (let p = l.parent; p; p = localities.get(p)?.parent) {
        if (walked.has(p)) {
          ctx.addIssue({ code: 'custom', path: ['localities', i, 'parent'], message: `locality ${l.code} is its own ancestor` });
          break;
        }
        walked.add(p);
      }
    });
    const bodies = new Map<string, (typeof doc.bodies)[number]>();
    doc.bodies.forEach((b, i) => {
      if (bodies.has(b.code) || localities.has(b.code)) ctx.addIssue({ code: 'custom', path: ['bodies', i, 'code'], message: `code ${b.code} is used twice` });
      bodies.set(b.code, b);
      if (!localities.has(b.locality)) ctx.addIssue({ code: 'custom', path: ['bodies', i, 'locality'], message: `unknown locality ${b.locality}` });
    });
    const cadres = new Set<string>();
    doc.cadres.forEach((c, i) => {
      if (cadres.has(c.id)) ctx.addIssue({ code: 'custom', path: ['cadres', i, 'id'], message: `cadre ${c.id} is listed twice` });
      cadres.add(c.id);
      if (bodies.get(c.unit)?.kind !== 'unit') ctx.addIssue({ code: 'custom', path: ['cadres', i, 'unit'], message: `${c.unit} is not a unit of the registry` });
    });
  });
export type RegistryDocument = z.infer<typeof registryDocumentSchema>;
export type Locality = RegistryDocument['localities'][number];
export type Body = RegistryDocument['bodies'][number];
export type Cadre = RegistryDocument['cadres'][number];

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

  /** The body of `kind` that serves `locality`: its own, else the nearest one up the tree. */
  bodyFor(kind: BodyKind, locality: string): Body | undefined {
    for (const l of this.path(locality)) {
      const found = this.document.bodies.find((b) => b.kind === kind && b.locality === l);
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
