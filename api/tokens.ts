/**
 * Bearer tokens. HS256 with JWT_SECRET for local runs and tests, or an identity provider's JWKS
 * (RS256/ES256) when JWT_JWKS_URL is set. The claims become the actor every Update carries.
 */
import { LRUCache } from 'lru-cache';
import { z } from 'zod';
import { roles, unitCodeSchema, type Actor } from '../domain/case';
import type { Config } from '../common/config';
import { describeUnsafe, unsafeCharacter } from '../common/text';
import { bilingual, type Bilingual } from './i18n';
import { jose, type JWTPayload } from './jose';

type TokenConfig = Pick<Config, 'jwtSecret' | 'jwtJwksUrl' | 'jwtIssuer' | 'jwtAudience' | 'jwtMaxLifetimeSeconds'>;

/** How far in the future a token's `iat` may be (clock skew between the issuer and the API), in seconds. */
export const ISSUED_AT_SKEW_SECONDS = 60;

/** The claims the API reads. `unit` names the caller's department; a unit-role token must carry it. */
export const claimsSchema = z
  .object({ sub: z.string().min(1).max(128), role: z.enum(roles), unit: unitCodeSchema.optional() })
  .refine((c) => c.role !== 'unit' || c.unit !== undefined, { message: 'a unit token names its unit', path: ['unit'] });

/** A refused token. `detail`, when set, is safe to tell the caller (it names the rule, never a claim's value). */
export class TokenError extends Error {
  override name = 'TokenError';
  constructor(
    message: string,
    readonly detail?: Bilingual,
  ) {
    super(message);
  }
}

export type VerifyToken = (token: string) => Promise<Actor>;

/**
 * Tokens verified lately, kept so a client's next requests with the same token skip the signature
 * check (an HMAC or RSA/ECDSA verification each time otherwise). An entry is used only while its
 * `exp` has not passed by the verifier's clock, and for at most VERIFIED_TOKEN_TTL_MS, below the
 * ten minutes jose keeps a fetched JWKS, so a key withdrawn from the identity provider stops counting
 * here no later than it would there. Refused tokens are never kept.
 */
export const VERIFIED_TOKENS_MAX = 10_000;
export const VERIFIED_TOKEN_TTL_MS = 5 * 60_000;

/**
 * A verifier for bearer tokens; throws TokenError for anything but a valid, unexpired token with
 * usable claims, issued (`iat`) no later than now plus ISSUED_AT_SKEW_SECONDS and living (`exp` − `iat`)
 * no longer than JWT_MAX_LIFETIME_SECONDS. `now` is the clock (tests pin it).
 */
export function createVerifier(config: TokenConfig, now: () => Date = () => new Date()): VerifyToken {
  const base = { issuer: config.jwtIssuer, audience: config.jwtAudience, requiredClaims: ['exp', 'iat', 'sub'] };
  const verify: (token: string) => Promise<JWTPayload> = config.jwtJwksUrl
    ? (() => {
        const jwks = jose.createRemoteJWKSet(new URL(config.jwtJwksUrl));
        return async (token: string) => (await jose.jwtVerify(token, jwks, { ...base, currentDate: now(), algorithms: ['RS256', 'ES256'] })).payload;
      })()
    : (() => {
        // The HMAC key is imported once (as raw bytes jose would import it again for every token).
        const key = crypto.subtle.importKey('raw', new TextEncoder().encode(config.jwtSecret), { name: 'HMAC', hash: 'SHA-256' }, false, ['verify']);
        return async (token: string) => (await jose.jwtVerify(token, await key, { ...base, currentDate: now(), algorithms: ['HS256'] })).payload;
      })();

  const verified = new LRUCache<string, { actor: Actor; exp: number }>({ max: VERIFIED_TOKENS_MAX, ttl: VERIFIED_TOKEN_TTL_MS });
  return async (token) => {
    const known = verified.get(token);
    // jose counts a token as expired from the second of its exp on
    if (known && known.exp > now().getTime() / 1000) return known.actor;
    const checked = await check(token);
    verified.set(token, checked);
    return checked.actor;
  };

  async function check(token: string): Promise<{ actor: Actor; exp: number }> {
    let payload: JWTPayload;
    try {
      payload = await verify(token);
    } catch (err) {
      throw new TokenError((err as { code?: string }).code ?? 'invalid token');
    }
    // jose has checked that both are numbers, and exp against the clock.
    const iat = payload.iat as number;
    const exp = payload.exp as number;
    if (iat > now().getTime() / 1000 + ISSUED_AT_SKEW_SECONDS) {
      throw new TokenError('issued in the future', bilingual(`The token is issued in the future (iat more than ${ISSUED_AT_SKEW_SECONDS} s ahead).`, `令牌的签发时间在未来（iat 超前 ${ISSUED_AT_SKEW_SECONDS} 秒以上）。`));
    }
    if (exp - iat > config.jwtMaxLifetimeSeconds) {
      throw new TokenError(
        'lifetime over JWT_MAX_LIFETIME_SECONDS',
        bilingual(`The token lives longer (exp − iat) than the ${config.jwtMaxLifetimeSeconds} seconds allowed.`, `令牌有效期（exp − iat）超过了允许的 ${config.jwtMaxLifetimeSeconds} 秒。`),
      );
    }
    // Claims become the actor of every Update and go into Temporal and the record store.
    for (const claim of ['sub', 'unit'] as const) {
      const value = payload[claim];
      const bad = typeof value === 'string' ? unsafeCharacter(value) : undefined;
      if (bad) {
        const u = { ...bad, inKey: false };
        throw new TokenError(`unsafe ${claim} claim`, bilingual(`The token's ${claim} claim ${describeUnsafe(u, 'en')}.`, `令牌的 ${claim} 声明${describeUnsafe(u, 'zh')}。`));
      }
    }
    const claims = claimsSchema.safeParse(payload);
    if (!claims.success) {
      // the one claim a caller most often forgets: name it
      if (payload.role === 'unit' && payload.unit === undefined) {
        throw new TokenError('unit token without unit', bilingual('The token names no body: a unit token must carry the unit claim.', '令牌未注明所属机构：单位令牌须含 unit 声明。'));
      }
      throw new TokenError('unusable claims');
    }
    const { sub, role, unit } = claims.data;
    // frozen: one actor object serves every request that brings this token
    return { actor: Object.freeze(unit === undefined ? { sub, role } : { sub, role, unit }), exp };
  }
}

/** Signs an HS256 token with JWT_SECRET (local runs, scripts and tests). `ttl` is a jose time span such as '8h'. */
export function signToken(config: Pick<Config, 'jwtSecret' | 'jwtIssuer' | 'jwtAudience'>, actor: Actor, ttl: string | number = '1h'): Promise<string> {
  const claims: Record<string, string> = { role: actor.role };
  if (actor.unit) claims.unit = actor.unit;
  return new jose.SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(actor.sub)
    .setIssuer(config.jwtIssuer)
    .setAudience(config.jwtAudience)
    .setIssuedAt()
    .setExpirationTime(ttl)
    .sign(new TextEncoder().encode(config.jwtSecret));
}
