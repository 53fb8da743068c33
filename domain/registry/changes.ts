/**
 * Changes to the registry, decided here as pure functions: what one admin change does to the
 * registry (created, updated, retired or reinstated; or refused, with every reason in both
 * languages), and what a loaded document changes. The record system writes and audits what these
 * decide. Nothing is ever deleted: cases, ledgers and the audit name the codes for good.
 */
import { bodyKindLabels } from '../labels';
import { bodyKinds, Registry, registryIssues, type Body, type Cadre, type Locality, type RegistryDocument, type RegistryIssue } from './index';

export const registryEntities = ['locality', 'body', 'cadre'] as const;
export type RegistryEntity = (typeof registryEntities)[number];

export const changeActions = ['create', 'update', 'retire', 'reinstate'] as const;
export type ChangeAction = (typeof changeActions)[number];

/** One entry to create or update, keyed by its code (a cadre by its id). */
export type RegistryChange = { entity: 'locality'; value: Locality } | { entity: 'body'; value: Body } | { entity: 'cadre'; value: Cadre };
export type RegistryEntry = Locality | Body | Cadre;

/** A change the registry takes: the entry before and after, and the localities it touches (for the audit's scope). */
export interface AppliedChange {
  entity: RegistryEntity;
  code: string;
  action: ChangeAction;
  before?: RegistryEntry;
  after: RegistryEntry;
  /** The paths up the tree of the entry's place before and after, each locality once. */
  localities: string[];
}

/** Why a change is refused: outside the admin's jurisdiction, or it would break the registry. */
export interface ChangeRefusal {
  reason: 'outsideJurisdiction' | 'registryRejected';
  issues: { field: string | undefined; en: string; zh: string }[];
}

export type ChangeDecision = { ok: true; change: AppliedChange | undefined; document: RegistryDocument } | { ok: false; refusal: ChangeRefusal };

const collectionOf = { locality: 'localities', body: 'bodies', cadre: 'cadres' } as const;
const codeOf = (entry: RegistryEntry): string => ('id' in entry ? entry.id : entry.code);

/** Whether two entries say the same (entries are flat: the same keys with the same values). */
function sameEntry(a: RegistryEntry, b: RegistryEntry): boolean {
  const x = normalized(a) as Record<string, unknown>;
  const y = normalized(b) as Record<string, unknown>;
  const keys = Object.keys(x);
  return keys.length === Object.keys(y).length && keys.every((k) => x[k] === y[k]);
}

/** The entry as stored: no `retired: false`, no empty parent, keys in one order. */
export function normalized<E extends RegistryEntry>(entry: E): E {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(entry)) if (v !== undefined && !(k === 'retired' && v === false)) out[k] = v;
  return out as E;
}

function entryOf(registry: Registry, entity: RegistryEntity, code: string): RegistryEntry | undefined {
  return entity === 'locality' ? registry.locality(code) : entity === 'body' ? registry.body(code) : registry.cadre(code);
}

/** The locality an entry belongs to: a locality is its own place, a body's is its locality, a cadre's its unit's. */
function placeOf(registry: Registry, entity: RegistryEntity, entry: RegistryEntry): string | undefined {
  if (entity === 'locality') return (entry as Locality).code;
  if (entity === 'body') return (entry as Body).locality;
  return registry.body((entry as Cadre).unit)?.locality;
}

function actionOf(before: RegistryEntry | undefined, after: RegistryEntry): ChangeAction {
  if (!before) return 'create';
  const was = (before as { retired?: boolean }).retired === true;
  const is = (after as { retired?: boolean }).retired === true;
  return !was && is ? 'retire' : was && !is ? 'reinstate' : 'update';
}

/** `doc` with `entry` put in place of the entry of the same code, or added at the end. */
function withEntry(doc: RegistryDocument, change: RegistryChange): RegistryDocument {
  const key = collectionOf[change.entity];
  const list = doc[key] as RegistryEntry[];
  const code = codeOf(change.value);
  const at = list.findIndex((e) => codeOf(e) === code);
  const next = at < 0 ? [...list, change.value] : list.map((e, i) => (i === at ? change.value : e));
  return { ...doc, [key]: next };
}

/** The localities a body of `kind` serves (its own and those below without one of their own). */
function served(registry: Registry, kind: Body['kind']): Map<string, string | undefined> {
  return new Map(registry.document.localities.map((l) => [l.code, registry.bodyFor(kind, l.code)?.code]));
}

/**
 * What `change`, asked for by an admin whose jurisdiction is `scope` (its body's locality and the
 * localities below it), does to `registry`. The entry must be within the jurisdiction before and
 * after the change (a locality's new parent too); the registry must stay whole (no unknown parent,
 * locality or unit, no code used twice, no cycle); a body keeps its kind; every locality a body of
 * some kind served keeps being served; an active cadre belongs to an active unit. A change that
 * changes nothing is taken and audited as nothing.
 */
export function decideChange(registry: Registry, change: RegistryChange, scope: string): ChangeDecision {
  const entity = change.entity;
  const after = normalized(change.value);
  const code = codeOf(after);
  const before = entryOf(registry, entity, code);
  const document = withEntry(registry.document, { ...change, value: after } as RegistryChange);
  const refuse = (reason: ChangeRefusal['reason'], issues: ChangeRefusal['issues']): ChangeDecision => ({ ok: false, refusal: { reason, issues } });
  const scopeName = registry.locality(scope) ? `${registry.placeName(scope)}（${scope}）` : scope;

  // Jurisdiction first: say nothing about the registry outside it.
  const within = (reg: Registry, locality: string | undefined) => locality !== undefined && reg.path(locality).includes(scope);
  const outside: ChangeRefusal['issues'] = [];
  if (before && !within(registry, placeOf(registry, entity, before))) {
    outside.push({ field: undefined, en: `${code} is outside your jurisdiction (${scope} and the localities below it).`, zh: `${code} 不在您的管辖范围内（${scopeName}及其下级地区）。` });
  }
  const next = new Registry(document);
  if (!outside.length) {
    if (entity === 'locality') {
      const parent = (after as Locality).parent;
      const parentChanged = !before || (before as Locality).parent !== parent;
      // an unknown parent is the registry's to refuse (below), not a question of jurisdiction
      if (parentChanged && (parent === undefined || (registry.locality(parent) && !within(registry, parent)))) {
        outside.push({
          field: 'parent',
          en: parent === undefined ? `Only registry:load adds or makes a province (a locality without a parent); ${code} must have a parent within ${scope}.` : `The parent locality ${parent} is outside your jurisdiction (${scope} and the localities below it).`,
          zh: parent === undefined ? `省级地区（无上级地区）只能通过 registry:load 添加；${code} 的上级地区须在 ${scopeName} 管辖范围内。` : `上级地区 ${parent} 不在您的管辖范围内（${scopeName}及其下级地区）。`,
        });
      }
    } else {
      const place = entity === 'body' ? (after as Body).locality : (after as Cadre).unit;
      const known = entity === 'body' ? registry.locality(place) : registry.body(place);
      if (known && !within(next, placeOf(next, entity, after))) {
        const field = entity === 'body' ? 'locality' : 'unit';
        outside.push({ field, en: `${place} is outside your jurisdiction (${scope} and the localities below it).`, zh: `${place} 不在您的管辖范围内（${scopeName}及其下级地区）。` });
      }
    }
  }
  if (outside.length) return refuse('outsideJurisdiction', outside);

  // The registry must stay whole.
  const collection = collectionOf[entity];
  const index = (document[collection] as RegistryEntry[]).findIndex((e) => codeOf(e) === code);
  const issues: ChangeRefusal['issues'] = registryIssues(document).map((i: RegistryIssue) => ({
    field: i.path[0] === collection && i.path[1] === index ? String(i.path[2]) : undefined,
    en: i.en,
    zh: i.zh,
  }));
  if (entity === 'body' && before && (before as Body).kind !== (after as Body).kind) {
    issues.push({ field: 'kind', en: `${code} is a ${(before as Body).kind} body; a body keeps its kind (register a new body instead).`, zh: `${code} 是${bodyKindLabels[(before as Body).kind]}，机构类别不能变更（请另行登记新机构）。` });
  }
  if (entity === 'body' && !issues.length) {
    for (const kind of bodyKinds.filter((k) => k !== 'unit')) {
      const was = served(registry, kind);
      const now = served(next, kind);
      const orphaned = [...was].filter(([l, b]) => b !== undefined && now.get(l) === undefined).map(([l]) => l);
      if (orphaned.length) {
        issues.push({ field: (after as Body).retired ? 'retired' : 'locality', en: `No ${kind} body would serve ${orphaned.join(', ')} any more.`, zh: `${orphaned.join('、')} 将没有${bodyKindLabels[kind]}负责。` });
      }
    }
  }
  if (entity === 'cadre' && !(after as Cadre).retired && next.body((after as Cadre).unit)?.retired) {
    const changedUnit = !before || (before as Cadre).unit !== (after as Cadre).unit || (before as Cadre).retired;
    if (changedUnit) issues.push({ field: 'unit', en: `Unit ${(after as Cadre).unit} is retired: no active cadre can be added to it.`, zh: `单位 ${(after as Cadre).unit} 已停用，不能在其下登记在职干部。` });
  }
  if (issues.length) return refuse('registryRejected', issues);

  if (before && sameEntry(before, after)) return { ok: true, change: undefined, document: registry.document };
  return { ok: true, change: appliedChange(registry, next, entity, before, after), document };
}

function appliedChange(old: Registry, next: Registry, entity: RegistryEntity, before: RegistryEntry | undefined, after: RegistryEntry): AppliedChange {
  const places = [before ? placeOf(old, entity, before) : undefined, placeOf(next, entity, after)];
  const localities = [...new Set(places.flatMap((p, i) => (p ? (i === 0 ? old : next).path(p) : [])))];
  return { entity, code: codeOf(after), action: actionOf(before, after), ...(before ? { before: normalized(before) } : {}), after, localities };
}

/** What loading `doc` over `registry` changes, entry by entry (unchanged entries are left out). */
export function documentChanges(registry: Registry, doc: RegistryDocument): AppliedChange[] {
  const next = new Registry(mergedDocument(registry.document, doc));
  const out: AppliedChange[] = [];
  const each = (entity: RegistryEntity, entries: readonly RegistryEntry[]) => {
    for (const raw of entries) {
      const after = normalized(raw);
      const before = entryOf(registry, entity, codeOf(after));
      if (before && sameEntry(before, after)) continue;
      out.push(appliedChange(registry, next, entity, before, after));
    }
  };
  each('locality', doc.localities);
  each('body', doc.bodies);
  each('cadre', doc.cadres);
  return out;
}

/** `base` with every entry of `over` added or put in place of the entry of its code. */
export function mergedDocument(base: RegistryDocument, over: RegistryDocument): RegistryDocument {
  let doc = base;
  for (const value of over.localities) doc = withEntry(doc, { entity: 'locality', value });
  for (const value of over.bodies) doc = withEntry(doc, { entity: 'body', value });
  for (const value of over.cadres) doc = withEntry(doc, { entity: 'cadre', value });
  return doc;
}

/**
 * The part of the registry an admin of `scope` keeps, as a document `registry:load` takes: the
 * localities from `scope` down, the localities above it (so every parent is in the document), and
 * the bodies and cadres of the localities from `scope` down.
 */
export function registryWithin(registry: Registry, scope: string): RegistryDocument {
  const below = (l: string) => registry.path(l).includes(scope);
  const above = new Set(registry.path(scope));
  const localities = registry.document.localities.filter((l) => below(l.code) || above.has(l.code));
  const bodies = registry.document.bodies.filter((b) => below(b.locality));
  const units = new Set(bodies.filter((b) => b.kind === 'unit').map((b) => b.code));
  const cadres = registry.document.cadres.filter((c) => units.has(c.unit));
  return { localities, bodies, cadres };
}
