/**
 * Bearer tokens: the scheme name in any case, and the lifetime rules (iat and exp required, exp − iat
 * at most JWT_MAX_LIFETIME_SECONDS, iat not in the future beyond the skew). The verifier is tested on
 * its own with a pinned clock, then through HTTP.
 */
import { loadConfig } from '../common/config';
import { jose } from '../api/jose';
import { PROBLEM_BASE } from '../api/problems';
import { createVerifier, ISSUED_AT_SKEW_SECONDS, TokenError } from '../api/tokens';
import { buildTestApp, OWN_CASE, type HttpTestApp } from './support/api-app';

const config = loadConfig({ JWT_MAX_LIFETIME_SECONDS: '3600' } as NodeJS.ProcessEnv);
const NOW = new Date('2026-03-10T02:00:00Z');
const nowSeconds = NOW.getTime() / 1000;

function sign(times: { iat?: number; exp?: number }, claims: Record<string, unknown> = { sub: 'olga', role: 'organization' }): Promise<string> {
  const jwt = new jose.SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).setIssuer(config.jwtIssuer).setAudience(config.jwtAudience);
  if (times.iat !== undefined) jwt.setIssuedAt(times.iat);
  if (times.exp !== undefined) jwt.setExpirationTime(times.exp);
  return jwt.sign(new TextEncoder().encode(config.jwtSecret));
}

describe('The verifier', () => {
  const verify = createVerifier(config, () => NOW);

  test('When a token lives exactly the maximum, then it is accepted', async () => {
    await expect(verify(await sign({ iat: nowSeconds - 10, exp: nowSeconds - 10 + 3600 }))).resolves.toEqual({ sub: 'olga', role: 'organization' });
  });

  test('When a token lives one second longer than the maximum, then it is refused', async () => {
    await expect(verify(await sign({ iat: nowSeconds - 10, exp: nowSeconds - 10 + 3601 }))).rejects.toThrow(TokenError);
  });

  test('When a token has no iat, then it is refused', async () => {
    await expect(verify(await sign({ exp: nowSeconds + 600 }))).rejects.toThrow(TokenError);
  });

  test('When a token has no exp, then it is refused', async () => {
    await expect(verify(await sign({ iat: nowSeconds }))).rejects.toThrow(TokenError);
  });

  test('When a token is issued within the skew in the future, then it is accepted; beyond it, refused', async () => {
    const within = nowSeconds + ISSUED_AT_SKEW_SECONDS - 5;
    const beyond = nowSeconds + ISSUED_AT_SKEW_SECONDS + 5;
    await expect(verify(await sign({ iat: within, exp: within + 600 }))).resolves.toMatchObject({ sub: 'olga' });
    await expect(verify(await sign({ iat: beyond, exp: beyond + 600 }))).rejects.toThrow(/future/);
  });

  test('When a token is issued long ago with a long life that has not ended, then it is refused for its lifetime', async () => {
    await expect(verify(await sign({ iat: nowSeconds - 30 * 86400, exp: nowSeconds + 600 }))).rejects.toThrow(/lifetime/);
  });

  test('When a verified token comes again, then its signature is not checked again, and from its exp on it is refused', async () => {
    // Arrange
    let clock = NOW;
    const cached = createVerifier(config, () => clock);
    const token = await sign({ iat: nowSeconds - 10, exp: nowSeconds + 60 });
    const other = await sign({ iat: nowSeconds - 10, exp: nowSeconds + 60 }, { sub: 'olga', role: 'supervisor' });
    const signatureChecks = jest.spyOn(crypto.subtle, 'verify');
    try {
      // Act
      const first = await cached(token);
      const again = await cached(token);
      const checksAfterTwo = signatureChecks.mock.calls.length;
      const another = await cached(other);
      // Each refusal is awaited where it is asked for: a rejection left without a handler while the
      // test waits for another one would fail the test as unhandled.
      const tampered = await cached(`${token.slice(0, -2)}${token.endsWith('AA') ? 'AB' : 'AA'}`).catch((err: unknown) => err);
      clock = new Date((nowSeconds + 60) * 1000);
      const expired = await cached(token).catch((err: unknown) => err);

      // Assert
      expect(first).toEqual({ sub: 'olga', role: 'organization' });
      expect(again).toBe(first);
      expect(Object.isFrozen(first)).toBe(true);
      expect(checksAfterTwo).toBe(1);
      expect(another).toEqual({ sub: 'olga', role: 'supervisor' });
      expect(tampered).toBeInstanceOf(TokenError);
      expect(tampered).toMatchObject({ message: 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED' });
      expect(expired).toBeInstanceOf(TokenError);
      expect(expired).toMatchObject({ message: 'ERR_JWT_EXPIRED' });
    } finally {
      signatureChecks.mockRestore();
    }
  });

  test('When the maximum is configured, then it is read from JWT_MAX_LIFETIME_SECONDS with a default of a day, and nonsense stops the start', () => {
    expect(loadConfig({} as NodeJS.ProcessEnv).jwtMaxLifetimeSeconds).toBe(86400);
    expect(config.jwtMaxLifetimeSeconds).toBe(3600);
    expect(() => loadConfig({ JWT_MAX_LIFETIME_SECONDS: 'forever' } as NodeJS.ProcessEnv)).toThrow(/JWT_MAX_LIFETIME_SECONDS/);
    expect(() => loadConfig({ JWT_MAX_LIFETIME_SECONDS: '0' } as NodeJS.ProcessEnv)).toThrow(/JWT_MAX_LIFETIME_SECONDS/);
  });
});

describe('Over HTTP', () => {
  let t: HttpTestApp;
  beforeAll(async () => {
    t = await buildTestApp({ JWT_MAX_LIFETIME_SECONDS: '3600' });
  });
  afterAll(async () => {
    await t.app.close();
  });

  const get = (authorization: string) => t.app.inject({ method: 'GET', url: `/v1/cases/${OWN_CASE}`, headers: { authorization } });
  const now = () => Math.floor(Date.now() / 1000);

  test.each(['Bearer', 'bearer', 'BEARER', 'bEaReR'])('When the scheme is written %s, then the token is accepted', async (scheme) => {
    const res = await get(`${scheme} ${await t.token()}`);
    expect(res.statusCode).toBe(200);
  });

  test('When the scheme is another one, or the token is missing, then 401', async () => {
    const token = await t.token();
    expect((await get(`Basic ${token}`)).statusCode).toBe(401);
    expect((await get('Bearer')).statusCode).toBe(401);
    expect((await get(`Bearer${token}`)).statusCode).toBe(401);
  });

  test('When a token lives longer than the maximum, then 401 unauthorized with a Bearer challenge, and nothing reaches the case', async () => {
    t.cases.calls.length = 0;
    const token = await sign({ iat: now(), exp: now() + 7200 }, { sub: 'alice', role: 'unit', unit: 'JS-NJ-FGW' });

    const res = await get(`Bearer ${token}`);

    expect(res.statusCode).toBe(401);
    expect(res.headers['www-authenticate']).toMatch(/^Bearer/);
    expect(res.json()).toMatchObject({ type: `${PROBLEM_BASE}unauthorized`, status: 401, detail: expect.stringContaining('3600') });
    expect(t.cases.calls).toEqual([]);
  });

  test('When a token is issued in the future, then 401', async () => {
    const token = await sign({ iat: now() + 600, exp: now() + 1200 }, { sub: 'alice', role: 'unit', unit: 'JS-NJ-FGW' });
    expect((await get(`Bearer ${token}`)).statusCode).toBe(401);
  });
});

describe('Claims that PostgreSQL or Temporal could refuse', () => {
  const verify = createVerifier(config, () => NOW);
  const times = { iat: nowSeconds, exp: nowSeconds + 600 };

  test.each([
    ['sub', { sub: 'olga\u0000', role: 'organization' }, /sub claim has a NUL/],
    ['sub', { sub: 'olga\uD800', role: 'organization' }, /sub claim has a lone UTF-16 surrogate/],
    ['sub', { sub: 'olga\u001B[0m', role: 'organization' }, /sub claim has the control character U\+001B/],
    ['unit', { sub: 'alice', role: 'unit', unit: 'JS-NJ\u0000' }, /unit claim has a NUL/],
  ])('When the %s claim has an unsafe character (%j), then the token is refused with a reason that may be told', async (_claim, claims, detail) => {
    const err = await verify(await sign(times, claims)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TokenError);
    expect((err as TokenError).detail?.en).toMatch(detail);
    expect((err as TokenError).detail?.zh).toMatch(/令牌的 (sub|unit) 声明/);
  });

  test('When such a token is sent over HTTP, then 401 whose detail says which claim, without its value', async () => {
    const t = await buildTestApp();
    try {
      const now = Math.floor(Date.now() / 1000);
      const token = await sign({ iat: now, exp: now + 600 }, { sub: 'mallory\u0000drop', role: 'organization' });

      const res = await t.app.inject({ method: 'GET', url: `/v1/cases/${OWN_CASE}`, headers: { authorization: `Bearer ${token}`, 'accept-language': 'en' } });

      expect(res.statusCode).toBe(401);
      expect(res.json().detail).toMatch(/sub claim has a NUL/);
      expect(res.body).not.toContain('mallory');
      expect(t.cases.calls).toEqual([]);
    } finally {
      await t.app.close();
    }
  });
});
