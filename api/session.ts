/**
 * Browser sessions for the codec endpoint. The Temporal UI calls /codec from the page, and the dev
 * server's UI has no login, so it has no token to send. Instead a supervisor or organization officer
 * signs in once on the API's /signin page, which sets a session cookie holding a bearer token (the one
 * pasted into the form, or one signed for a development identity); the UI, told to include
 * credentials, sends it with every codec call.
 *
 * The cookie is HttpOnly (no script reads it), SameSite=Strict (a page of another site never sends
 * it), Secure when the API is served over https, and scoped to Path=/codec: no other route of the API
 * (and nothing else on the host, cookies ignore ports) receives it. The codec endpoint accepts it only
 * from the origins of CODEC_CORS_ORIGINS (plugins/auth.ts). Its lifetime is the token's.
 */
import type { Actor } from '../domain/case';

export const SESSION_COOKIE = 'rongcuo_session';
export const SESSION_PATH = '/codec';
/** A development identity's session lasts at most this long (and never longer than JWT_MAX_LIFETIME_SECONDS). */
export const DEV_SESSION_SECONDS = 8 * 3600;

/** The roles a session is for: those the codec endpoint decodes for. */
export const sessionRoles = ['supervisor', 'organization'] as const;

/** The identities the sign-in page offers when SIGNIN_DEV_IDENTITIES is on (`npm start` on the embedded dev server). */
export const devIdentities = {
  supervisor: { actor: { sub: 'dev-supervisor', role: 'supervisor', unit: 'JS-JD' } as Actor, label: '监督部门（开发身份）' },
  organization: { actor: { sub: 'dev-officer', role: 'organization', unit: 'JS-ZZB' } as Actor, label: '组织部门 JS-ZZB（开发身份）' },
  /** A body of one city's county, to see that the cases of another locality stay encrypted for it. */
  kunshanSupervisor: { actor: { sub: 'dev-supervisor-ks', role: 'supervisor', unit: 'JS-SZ-KS-JD' } as Actor, label: '昆山市监督部门（开发身份）' },
} as const;
export type DevIdentity = keyof typeof devIdentities;

export interface CookieOptions {
  secure: boolean;
}

/** The Set-Cookie value that starts a session holding `token` for `maxAgeSeconds`. */
export function sessionCookie(token: string, maxAgeSeconds: number, o: CookieOptions): string {
  return [`${SESSION_COOKIE}=${token}`, `Path=${SESSION_PATH}`, `Max-Age=${Math.max(0, Math.floor(maxAgeSeconds))}`, 'HttpOnly', 'SameSite=Strict', ...(o.secure ? ['Secure'] : [])].join('; ');
}

/** The Set-Cookie value that ends the session. */
export function clearedSessionCookie(o: CookieOptions): string {
  return [`${SESSION_COOKIE}=`, `Path=${SESSION_PATH}`, 'Max-Age=0', 'HttpOnly', 'SameSite=Strict', ...(o.secure ? ['Secure'] : [])].join('; ');
}

/** The session token of a Cookie header, when it holds one (a compact JWS). */
export function sessionTokenOf(cookieHeader: string | undefined): string | undefined {
  if (!cookieHeader) return undefined;
  for (const part of cookieHeader.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0 || part.slice(0, eq).trim() !== SESSION_COOKIE) continue;
    const value = part.slice(eq + 1).trim();
    if (/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/.test(value)) return value;
  }
  return undefined;
}
