/**
 * What the HTTP layer refuses before a route sees a request: over-long URLs and headers, malformed
 * URLs, bodies that are not UTF-8 JSON, prototype keys. Every refusal is a problem document that does
 * not repeat the request. The parser's refusals (431) happen only on a real socket, so these tests
 * use a listening server.
 */
import { PROBLEM_BASE } from '../api/problems';
import { sampleApplication } from '../api/schemas';
import { charsetOf, MAX_URL_LENGTH, parseJsonBody, prototypeKeys } from '../api/plugins/http';
import { buildTestApp, OWN_CASE, rawRequest, type HttpTestApp, type RawResponse } from './support/api-app';

const problem = (kind: string) => PROBLEM_BASE + kind;
const WITHDRAWAL = `/v1/cases/${OWN_CASE}/withdrawal`;

let t: HttpTestApp;
let port: number;
let auth: Record<string, string>;

beforeAll(async () => {
  t = await buildTestApp();
  await t.app.listen({ host: '127.0.0.1', port: 0 });
  port = (t.app.server.address() as { port: number }).port;
  auth = { authorization: `Bearer ${await t.token()}` };
});
afterAll(async () => {
  await t.app.close();
});
beforeEach(() => {
  t.cases.calls.length = 0;
});

function expectProblem(res: RawResponse, status: number, kind: string, notEchoing?: string): Record<string, unknown> {
  expect(res.status).toBe(status);
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  const json = JSON.parse(res.body) as Record<string, unknown>;
  expect(json).toMatchObject({ type: problem(kind), status, title: expect.any(String), detail: expect.any(String), requestId: expect.any(String) });
  expect(res.headers['x-request-id']).toBe(json.requestId);
  if (notEchoing) expect(res.body).not.toContain(notEchoing);
  return json;
}

describe('URLs and headers', () => {
  test('When the path has 10,000 characters, then 414 uriTooLong without the path', async () => {
    const marker = 'zq'.repeat(5000);
    expectProblem(await rawRequest(port, { path: `/${marker}` }), 414, 'uriTooLong', marker.slice(0, 50));
  });

  test('When a path parameter has 10,000 characters, then 414 too, as the router refuses it', async () => {
    const marker = 'zq'.repeat(5000);
    expectProblem(await rawRequest(port, { path: `/v1/cases/${marker}`, headers: auth }), 414, 'uriTooLong', marker.slice(0, 50));
    expect(t.cases.calls).toEqual([]);
  });

  test('When the URL is just within the limit, then it is routed as usual', async () => {
    const path = `/v1/policies?pad=${'a'.repeat(MAX_URL_LENGTH - 20)}`;
    expect(path.length).toBeLessThanOrEqual(MAX_URL_LENGTH);
    const res = await rawRequest(port, { path, headers: auth });
    // Refused for its unknown query field, not for its length.
    expect(res.status).not.toBe(414);
  });

  test('When the URL has 100 KB, then 431 headersTooLarge from the HTTP parser, as a problem document', async () => {
    const marker = 'qz'.repeat(50_000);
    const json = expectProblem(await rawRequest(port, { path: `/v1/cases?x=${marker}` }), 431, 'headersTooLarge', marker.slice(0, 50));
    expect(json.detail).toMatch(/16384/);
  });

  test('When one header has 100 KB, then 431 headersTooLarge', async () => {
    const marker = 'qz'.repeat(50_000);
    expectProblem(await rawRequest(port, { path: '/healthz', headers: { 'x-padding': marker } }), 431, 'headersTooLarge', marker.slice(0, 50));
  });

  test('When the URL has a malformed percent-encoding, then 400 malformed-request without the URL', async () => {
    expectProblem(await rawRequest(port, { path: '/v1/cases/%zzEVIL', headers: auth }), 400, 'malformedRequest', 'EVIL');
  });

  test('When the server answers a parser error, then the server keeps serving the next request', async () => {
    await rawRequest(port, { path: '/healthz', headers: { 'x-padding': 'a'.repeat(20_000) } });
    expect((await rawRequest(port, { path: '/healthz' })).status).toBe(200);
  });
});

describe('JSON bodies', () => {
  const post = (headers: Record<string, string>, body: Buffer) => rawRequest(port, { method: 'POST', path: WITHDRAWAL, headers: { ...auth, ...headers }, body });

  test('When the body is declared charset=utf-16, then 415 with a message saying to send UTF-8, and nothing reaches the case', async () => {
    const json = expectProblem(await post({ 'content-type': 'application/json; charset=utf-16' }, Buffer.from('{"reason":"because"}', 'utf16le')), 415, 'unsupportedMediaType');
    expect(json.detail).toMatch(/UTF-8/);
    expect(t.cases.calls).toEqual([]);
  });

  test.each(['iso-8859-1', 'GBK', '"utf-16le"', 'x-evil-charset'])('When the body is declared charset=%s, then 415', async (charset) => {
    expectProblem(await post({ 'content-type': `application/json; charset=${charset}` }, Buffer.from('{"reason":"because"}')), 415, 'unsupportedMediaType', 'evil');
  });

  test.each(['utf-8', 'UTF-8', 'utf8', '"utf-8"'])('When the body is declared charset=%s, then it is read', async (charset) => {
    const res = await post({ 'content-type': `application/json; charset=${charset}` }, Buffer.from(JSON.stringify({ reason: '撤回申请' })));
    expect(res.status).toBe(200);
    expect(t.cases.calls).toEqual([{ method: 'act', input: { reason: '撤回申请' } }]);
  });

  test('When the body has bytes that are not UTF-8, then 400 malformed-request and nothing reaches the case (the bytes are not replaced)', async () => {
    const body = Buffer.concat([Buffer.from('{"reason":"ab'), Buffer.from([0xff, 0xfe, 0xc3]), Buffer.from('cd"}')]);
    const json = expectProblem(await post({ 'content-type': 'application/json' }, body), 400, 'malformedRequest');
    expect(json.detail).toMatch(/UTF-8/);
    expect(t.cases.calls).toEqual([]);
  });

  test('When the body has an overlong UTF-8 encoding, then 400', async () => {
    const body = Buffer.concat([Buffer.from('{"reason":"'), Buffer.from([0xc0, 0xaf]), Buffer.from('"}')]);
    expectProblem(await post({ 'content-type': 'application/json' }, body), 400, 'malformedRequest');
  });

  test('When the body has a __proto__ key, then 400 validation naming the key, and nothing reaches the case', async () => {
    const json = expectProblem(await post({ 'content-type': 'application/json' }, Buffer.from('{"reason":"x","extra":{"__proto__":{"isAdmin":true}}}')), 400, 'validation');
    expect(json.errors).toEqual([{ path: 'body.extra.__proto__', message: expect.stringContaining('__proto__') }]);
    expect(t.cases.calls).toEqual([]);
    expect(({} as Record<string, unknown>).isAdmin).toBeUndefined();
  });

  test('When the body has constructor.prototype, then 400 validation naming it', async () => {
    const json = expectProblem(await post({ 'content-type': 'application/json' }, Buffer.from('{"reason":"x","constructor":{"prototype":{"isAdmin":true}}}')), 400, 'validation');
    expect(json.errors).toEqual([{ path: 'body.constructor.prototype', message: expect.any(String) }]);
  });

  test('When the body is not JSON, then 400 malformed-request without the body', async () => {
    expectProblem(await post({ 'content-type': 'application/json' }, Buffer.from('{"reason": SECRET-TEXT')), 400, 'malformedRequest', 'SECRET-TEXT');
  });
});

describe('The parser pieces', () => {
  test('When a Content-Type is read, then its charset is found whatever the case, spacing and quoting', () => {
    expect(charsetOf('application/json')).toBeUndefined();
    expect(charsetOf(undefined)).toBeUndefined();
    expect(charsetOf('application/json;charset=UTF-8')).toBe('utf-8');
    expect(charsetOf('application/json; foo=bar; Charset = "utf-16"')).toBe('utf-16');
  });

  test('When a value is searched for prototype keys, then every one is found by path, arrays included, and deep nesting does not overflow', () => {
    const value = JSON.parse('{"a":[{"__proto__":1}],"b":{"constructor":{"prototype":{}}},"c":{"constructor":"fine"}}');
    expect(prototypeKeys(value)).toEqual(['body.a.0.__proto__', 'body.b.constructor.prototype']);
    const deep = JSON.parse('['.repeat(20_000) + ']'.repeat(20_000));
    expect(prototypeKeys(deep)).toEqual([]);
  });

  test('When a body is empty, then it is a malformed request', () => {
    expect(() => parseJsonBody('application/json', Buffer.alloc(0))).toThrow(/empty/);
  });
});

describe('Text that PostgreSQL or Temporal could refuse', () => {
  const inject = async (method: 'GET' | 'POST', url: string, payload?: unknown) =>
    t.app.inject({ method, url, headers: { ...auth, 'accept-language': 'en', ...(payload === undefined ? {} : { 'content-type': 'application/json' }) }, ...(payload === undefined ? {} : { payload: JSON.stringify(payload) }) });

  test.each([
    ['NUL', '\u0000', /NUL/],
    ['a lone surrogate', '\uD83D', /surrogate/],
    ['ESC', '\u001B', /U\+001B/],
    ['a C1 control', '\u0085', /U\+0085/],
  ])('When a body string has %s, then 400 validation naming the field, and nothing reaches the case', async (_name, ch, message) => {
    const res = await inject('POST', WITHDRAWAL, { reason: `because${ch}` });

    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ type: problem('validation'), errors: [{ path: 'body.reason', message: expect.stringMatching(message) }] });
    expect(t.cases.calls).toEqual([]);
  });

  test('When strings deep in the application have them, then each is named by its JSON path, whatever the schema says of the field', async () => {
    const body = { ...sampleApplication, cadre: { ...sampleApplication.cadre, name: '张\u0000三' }, evidence: [{ ...sampleApplication.evidence[0], title: 'minutes\u0007' }] };

    const res = await inject('POST', '/v1/cases', body);

    expect(res.statusCode).toBe(400);
    expect(res.json().errors.map((e: { path: string }) => e.path)).toEqual(['body.cadre.name', 'body.evidence.0.title']);
    expect(t.cases.calls).toEqual([]);
  });

  test('When tab, newline and carriage return are in a body string, then they are accepted', async () => {
    const res = await inject('POST', WITHDRAWAL, { reason: 'line one\r\n\tline two\n' });

    expect(res.statusCode).toBe(200);
  });

  test('When the query string has an encoded NUL, then 400 naming the query field', async () => {
    const res = await inject('GET', '/v1/cases?cursor=abc%00def');

    expect(res.statusCode).toBe(400);
    expect(res.json().errors).toEqual([{ path: 'query.cursor', message: expect.stringMatching(/NUL/) }]);
    expect(t.cases.calls).toEqual([]);
  });

  test('When a path parameter has an encoded control character, then 400 naming the parameter', async () => {
    const res = await inject('GET', '/v1/cases/case-2026-%1BAAAA');

    expect(res.statusCode).toBe(400);
    expect(res.json().errors).toEqual([{ path: 'params.caseId', message: expect.stringMatching(/U\+001B/) }]);
  });

  test('When a key has a NUL, then the object holding it is named and the key is not repeated', async () => {
    const res = await inject('POST', WITHDRAWAL, { reason: 'x', ['evil\u0000key']: 1 });

    expect(res.statusCode).toBe(400);
    expect(res.json().errors).toEqual([{ path: 'body', message: expect.stringMatching(/^a key here has a NUL/) }]);
    expect(res.body).not.toContain('evil');
  });
});
