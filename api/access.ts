/**
 * Who may call what, and who may see which case. The route table is the API's contract: the routes
 * take their method, path and roles from it, and the tests walk it role by role.
 */
import { roles, type Actor, type CaseState, type Role } from '../domain/case';
import { oversees } from '../domain/registry';
import { actionNames, actionSpecs, type ActionName } from '../workflows/case/actions';

const anyRole: readonly Role[] = roles;

export interface RouteAccess {
  method: 'GET' | 'POST';
  /** Fastify path syntax (`:caseId`). */
  url: string;
  roles: readonly Role[];
}

/** Every action's route, from its spec: POST /v1/cases/:caseId/<path>, for the spec's roles. */
const actionAccess = Object.fromEntries(
  actionNames.map((name) => [name, { method: 'POST', url: `/v1/cases/:caseId${actionSpecs[name].path}`, roles: actionSpecs[name].roles } satisfies RouteAccess]),
) as Record<ActionName, RouteAccess>;

/** The role matrix. Supervisors read everything and change nothing. */
export const routeAccess = {
  ...actionAccess,
  openCase: { method: 'POST', url: '/v1/cases', roles: ['unit', 'discipline'] },
  listCases: { method: 'GET', url: '/v1/cases', roles: anyRole },
  getCase: { method: 'GET', url: '/v1/cases/:caseId', roles: anyRole },
  tasks: { method: 'GET', url: '/v1/tasks', roles: anyRole },
  listPolicies: { method: 'GET', url: '/v1/policies', roles: anyRole },
  getPolicy: { method: 'GET', url: '/v1/policies/:version', roles: anyRole },
  cadreHistory: { method: 'GET', url: '/v1/cadres/:cadreId/history', roles: ['unit', 'organization', 'discipline', 'committee', 'supervisor'] },
} as const satisfies Record<string, RouteAccess>;

export type RouteName = keyof typeof routeAccess;

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
/** Every route that needs a token: the /v1 role matrix and the codec endpoint. */
export type AccessName = RouteName | CodecRouteName;

export function accessRow(name: AccessName): RouteAccess {
  return name in codecAccess ? codecAccess[name as CodecRouteName] : routeAccess[name as RouteName];
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
 * Whether `actor` may have a payload of a case decrypted by the codec endpoint: the one decision,
 * made for every decode request. The role matrix has already admitted only supervisors and
 * organization departments, and for now each of them decodes every case. The jurisdiction check
 * (a body decodes the cases of the localities it oversees) goes here: the codec protocol names only
 * the namespace, so it will take the case's unit from the decrypted payload (application and case
 * state carry `unitCode`) before answering.
 */
export function mayDecode(actor: Actor, payload: { namespace: string | undefined; unitCode?: string | undefined }): boolean {
  void payload;
  return codecAccess.codecDecode.roles.some((r) => r === actor.role);
}

export function mayCall(route: AccessName, role: Role): boolean {
  return accessRow(route).roles.includes(role);
}

/**
 * Whether `actor` may see `state` at all: a unit only its own unit's cases, an expert only the cases
 * it was invited to, a body (organization, discipline, committee, supervision) those of its locality
 * and the localities below it.
 */
export function canSeeCase(actor: Actor, state: Pick<CaseState, 'unitCode' | 'experts' | 'jurisdiction'>): boolean {
  switch (actor.role) {
    case 'unit':
      return actor.unit !== undefined && state.unitCode === actor.unit;
    case 'expert':
      return state.experts.invited.includes(actor.sub);
    default:
      // a body sees the cases of its locality and of the localities below it
      return !state.jurisdiction || oversees(actor.locality, state.jurisdiction);
  }
}
