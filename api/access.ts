/**
 * Who may call what, and who may see which case. The route table is the API's contract: the routes
 * take their method, path and roles from it, and the tests walk it role by role.
 */
import { caseRoles, roles, type Actor, type CaseState, type Role } from '../domain/case';
import { libraryEditorRoles, libraryReaderRoles } from '../domain/library';
import { oversees } from '../domain/registry';
import { actionNames, actionSpecs, type ActionName } from '../workflows/case/actions';

/** Public reference data (policies): every role, the admin too. */
const anyRole: readonly Role[] = roles;
/** Every role that works cases: not the admin, who never reads or acts on a case. */
const anyCaseRole: readonly Role[] = caseRoles;
/** The bodies the periodic reports are for, and those that oversee their locality. */
const reportReaders: readonly Role[] = ['organization', 'discipline', 'committee', 'supervisor'];

export interface RouteAccess {
  method: 'GET' | 'POST' | 'PUT';
  /** Fastify path syntax (`:caseId`). */
  url: string;
  roles: readonly Role[];
}

/** Every action's route, from its spec: POST /v1/cases/:caseId/<path>, for the spec's roles. */
const actionAccess = Object.fromEntries(
  actionNames.map((name) => [name, { method: 'POST', url: `/v1/cases/:caseId${actionSpecs[name].path}`, roles: actionSpecs[name].roles } satisfies RouteAccess]),
) as Record<ActionName, RouteAccess>;

/** The role matrix. Supervisors read everything and change nothing; admins see no case. */
export const routeAccess = {
  ...actionAccess,
  openCase: { method: 'POST', url: '/v1/cases', roles: ['unit', 'discipline'] },
  listCases: { method: 'GET', url: '/v1/cases', roles: anyCaseRole },
  getCase: { method: 'GET', url: '/v1/cases/:caseId', roles: anyCaseRole },
  tasks: { method: 'GET', url: '/v1/tasks', roles: anyCaseRole },
  listPolicies: { method: 'GET', url: '/v1/policies', roles: anyRole },
  getPolicy: { method: 'GET', url: '/v1/policies/:version', roles: anyRole },
  cadreHistory: { method: 'GET', url: '/v1/cadres/:cadreId/history', roles: ['unit', 'organization', 'discipline', 'committee', 'supervisor'] },
  // The typical-case library (routes/library.ts): the published accounts for every body; proposals
  // by the organization department, approval by the party committee, of the case's jurisdiction.
  librarySearch: { method: 'GET', url: '/v1/library', roles: libraryReaderRoles },
  libraryEntry: { method: 'GET', url: '/v1/library/:entryId', roles: libraryReaderRoles },
  proposeTypicalCase: { method: 'POST', url: '/v1/library/proposals', roles: ['organization'] },
  listTypicalProposals: { method: 'GET', url: '/v1/library/proposals', roles: libraryEditorRoles },
  getTypicalProposal: { method: 'GET', url: '/v1/library/proposals/:entryId', roles: libraryEditorRoles },
  reviseTypicalCase: { method: 'PUT', url: '/v1/library/proposals/:entryId', roles: ['organization'] },
  reviewTypicalCase: { method: 'POST', url: '/v1/library/proposals/:entryId/review', roles: ['committee'] },
  /** Figures of a locality or a unit: a unit its own, a body those of its jurisdiction (api/statistics.ts). */
  statistics: { method: 'GET', url: '/v1/statistics', roles: ['unit', 'organization', 'discipline', 'committee', 'supervisor'] },
  /** The periodic reports, for the bodies overseeing their locality. */
  listReports: { method: 'GET', url: '/v1/reports', roles: reportReaders },
  getReport: { method: 'GET', url: '/v1/reports/:reportId', roles: reportReaders },
} as const satisfies Record<string, RouteAccess>;

export type RouteName = keyof typeof routeAccess;

/**
 * The registry's administration (routes/admin.ts), for the admin role only: an admin acts for an
 * organization department and keeps the registry of its locality and the localities below it.
 * Entries are created or updated by code (PUT is an upsert; `retired` retires); nothing is deleted.
 */
export const adminAccess = {
  adminRegistry: { method: 'GET', url: '/v1/admin/registry', roles: ['admin'] },
  adminLocality: { method: 'PUT', url: '/v1/admin/localities/:code', roles: ['admin'] },
  adminBody: { method: 'PUT', url: '/v1/admin/bodies/:code', roles: ['admin'] },
  adminCadre: { method: 'PUT', url: '/v1/admin/cadres/:id', roles: ['admin'] },
  adminAudit: { method: 'GET', url: '/v1/admin/audit', roles: ['admin'] },
} as const satisfies Record<string, RouteAccess>;

export type AdminRouteName = keyof typeof adminAccess;

/**
 * The payload codec endpoint (Temporal's codec-server protocol), outside /v1: the Temporal UI and CLI
 * send it the encrypted payloads of a history to show them. Decrypted payloads are whole cases, names
 * and all, of every unit: only the roles that oversee every case may have them. POST is the protocol's
 * method; neither route changes anything.
 */
export const codecAccess = {
  codecDecode: { method: 'POST', url: '/codec/decode', roles: ['supervisor', 'organization'] },
  codecEncode: { method: 'POST', url: '/codec/encode', roles: ['supervisor', 'organization'] },
} as const satisfies Record<string, RouteAccess>;

export type CodecRouteName = keyof typeof codecAccess;
/** Every route that needs a token: the /v1 role matrix, the registry's administration and the codec endpoint. */
export type AccessName = RouteName | AdminRouteName | CodecRouteName;

/** Every row of every table, by name. */
export const accessRows: Readonly<Record<AccessName, RouteAccess>> = { ...routeAccess, ...adminAccess, ...codecAccess };

export function accessRow(name: AccessName): RouteAccess {
  return accessRows[name];
}

/** The routes that act on a case through a Workflow Update: one per action spec. */
export const actionRouteNames = actionNames;
export type ActionRouteName = ActionName;

/** Routes that need no token. */
export const publicRoutes = [
  { method: 'GET', url: '/healthz' },
  { method: 'GET', url: '/readyz' },
  { method: 'GET', url: '/openapi.json' },
  { method: 'GET', url: '/docs' },
  // The Temporal UI's sign-in page (routes/signin.ts), served with the codec endpoint.
  { method: 'GET', url: '/signin' },
  { method: 'POST', url: '/signin' },
  { method: 'POST', url: '/signout' },
] as const;

/**
 * What a decrypted payload says of the case it belongs to. Every payload of a case names it: the
 * workflow's input, result and query answers carry the case's `jurisdiction` (and `unitCode`), an
 * action's arguments and the record activity's input and result carry its `caseId`. Looked for at the
 * top of the value and one level down (an Update's answer `{ created, state }`, a continued case's input).
 */
export interface PayloadCase {
  /** Locality paths the payload states itself (`jurisdiction.path`). */
  paths: string[][];
  unitCodes: string[];
  caseIds: string[];
}

export function payloadCase(value: unknown): PayloadCase {
  const out: PayloadCase = { paths: [], unitCodes: [], caseIds: [] };
  const look = (v: unknown, depth: number) => {
    if (!v || typeof v !== 'object' || Array.isArray(v)) return;
    const o = v as Record<string, unknown>;
    const j = o.jurisdiction as { path?: unknown } | undefined;
    if (j && Array.isArray(j.path) && j.path.every((l) => typeof l === 'string')) out.paths.push(j.path as string[]);
    if (typeof o.unitCode === 'string') out.unitCodes.push(o.unitCode);
    if (typeof o.caseId === 'string') out.caseIds.push(o.caseId);
    if (depth > 0) for (const child of Object.values(o)) look(child, depth - 1);
  };
  look(value, 1);
  return out;
}

/**
 * Whether `actor` may have a payload decrypted by the codec endpoint: the one decision, made for every
 * payload of every decode request. `cases` are the locality paths of the cases the payload belongs to
 * (resolved from `payloadCase`); the role matrix has already admitted only supervisors and organization
 * departments. A body decodes the payloads of the cases in its jurisdiction (its locality and those
 * below); a payload that names no case only for a body that oversees every locality (`overseesAll`),
 * since it might belong to any case.
 */
export function mayDecode(actor: Actor, cases: readonly (readonly string[])[], overseesAll: boolean): boolean {
  if (!codecAccess.codecDecode.roles.some((r) => r === actor.role)) return false;
  if (cases.length === 0) return overseesAll;
  return cases.every((path) => oversees(actor.locality, { path: [...path] }));
}

export function mayCall(route: AccessName, role: Role): boolean {
  return accessRow(route).roles.includes(role);
}

/**
 * Whether `actor` may see `state` at all: a unit only its own unit's cases, an expert only the cases
 * it was invited to, an admin none, a body (organization, discipline, committee, supervision) those of its locality
 * and the localities below it.
 */
export function canSeeCase(actor: Actor, state: Pick<CaseState, 'unitCode' | 'experts' | 'jurisdiction'>): boolean {
  switch (actor.role) {
    case 'admin':
      return false;
    case 'unit':
      return actor.unit !== undefined && state.unitCode === actor.unit;
    case 'expert':
      return state.experts.invited.includes(actor.sub);
    default:
      // a body sees the cases of its locality and of the localities below it
      return !state.jurisdiction || oversees(actor.locality, state.jurisdiction);
  }
}
