/**
 * Problem documents in the request's language: Chinese by default, English for Accept-Language: en.
 * Titles, details and field messages (zod's own messages from its zh-CN and en locales, per request);
 * in Chinese each field is named by its path and its label.
 */
import { z } from 'zod';
import { actionSpecs } from '../workflows/case/actions';
import { inLocale, localeOf } from '../api/i18n';
import { fieldLabels, labelOf } from '../api/labels';
import { problemKinds } from '../api/problems';
import { sampleApplication } from '../api/schemas';
import { applicationSchema } from '../domain/case';
import { buildTestApp, OWN_CASE, type HttpTestApp } from './support/api-app';

const CJK = /[\u4e00-\u9fff]/;

describe('Choosing the language', () => {
  test.each([
    [undefined, 'zh'],
    ['', 'zh'],
    ['zh-CN', 'zh'],
    ['en', 'en'],
    ['en-US,en;q=0.9', 'en'],
    ['en-GB;q=0.8, zh-CN;q=0.9', 'zh'],
    ['zh-CN,zh;q=0.9,en;q=0.8', 'zh'],
    ['fr-FR, en;q=0.5', 'en'],
    ['fr-FR, de', 'zh'],
    ['*', 'zh'],
    ['en;q=0, zh;q=0.1', 'zh'],
    ['EN', 'en'],
    ['en;q=nonsense', 'zh'],
  ])('When Accept-Language is %j, then the problem is in %s', (header, locale) => {
    expect(localeOf(header)).toBe(locale);
  });

  test('When a text is only English, then Chinese comes from the catalogue, else the English stands', () => {
    expect(inLocale('The body is empty.', 'zh')).toBe('请求体为空。');
    expect(inLocale('The body is empty.', 'en')).toBe('The body is empty.');
    expect(inLocale('A workflow message we do not translate', 'zh')).toBe('A workflow message we do not translate');
    expect(inLocale({ en: 'one', zh: '一' }, 'zh')).toBe('一');
  });
});

describe('Titles and labels', () => {
  test('When the problem kinds are read, then each has an English title and a Chinese one', () => {
    for (const [kind, { title, zh }] of Object.entries(problemKinds)) {
      expect([kind, title]).toEqual([kind, expect.stringMatching(/^[A-Z]/)]);
      expect([kind, zh]).toEqual([kind, expect.stringMatching(CJK)]);
    }
  });

  /** The dotted paths of every field of a schema (through objects, arrays, optionals, defaults and pipes). */
  function fieldPaths(schema: z.ZodType, prefix = ''): string[] {
    const def = (schema as unknown as { _zod: { def: { type: string; shape?: Record<string, z.ZodType>; element?: z.ZodType; innerType?: z.ZodType; in?: z.ZodType } } })._zod.def;
    if (def.type === 'object' && def.shape) return Object.entries(def.shape).flatMap(([key, child]) => [`${prefix}${key}`, ...fieldPaths(child, `${prefix}${key}.`)]);
    if (def.type === 'array' && def.element) return fieldPaths(def.element, `${prefix}0.`);
    const inner = def.innerType ?? def.in;
    return inner ? fieldPaths(inner, prefix) : [];
  }

  test('When the fields of the application and of every action body are listed, then each has a Chinese label', () => {
    const schemas: z.ZodType[] = [applicationSchema, ...Object.values(actionSpecs).map((s) => s.body as z.ZodType)];
    const paths = [...new Set(schemas.flatMap((s) => fieldPaths(s)))];
    expect(paths.length).toBeGreaterThan(50);
    expect(paths.filter((p) => !labelOf(`body.${p}`))).toEqual([]);
    expect(labelOf('body.cadre.name')).toBe('干部姓名');
    expect(labelOf('body.evidence.3.title')).toBe('材料名称');
    expect(Object.values(fieldLabels).every((l) => CJK.test(l))).toBe(true);
  });
});

describe('Over HTTP', () => {
  let t: HttpTestApp;
  let auth: Record<string, string>;
  beforeAll(async () => {
    t = await buildTestApp();
    auth = { authorization: `Bearer ${await t.token()}` };
  });
  afterAll(async () => {
    await t.app.close();
  });

  const { cadre, ...rest } = sampleApplication;
  const invalid = { ...rest, cadre: { ...cadre, name: undefined }, incident: { ...rest.incident, lossAmount: 'a lot' }, nickname: 'x' };
  const open = (headers: Record<string, string> = {}) => t.app.inject({ method: 'POST', url: '/v1/cases', payload: invalid, headers: { ...auth, ...headers } });
  const byPath = (errors: { path: string; message: string }[]) => Object.fromEntries(errors.map((e) => [e.path, e.message]));

  test('When no language is asked for, then the validation problem is in Chinese and names each field by path and label', async () => {
    const res = await open();

    expect(res.statusCode).toBe(400);
    expect(res.headers['content-language']).toBe('zh-CN');
    const json = res.json();
    expect(json.title).toBe('请求无效');
    expect(json.detail).toBe('部分字段无效。');
    const messages = byPath(json.errors);
    expect(messages['body.cadre.name']).toMatch(/^body\.cadre\.name（干部姓名）: 无效输入/);
    expect(messages['body.incident.lossAmount']).toMatch(/^body\.incident\.lossAmount（损失金额）: 无效输入/);
    expect(messages['body.nickname']).toBe('body.nickname: 未知字段');
  });

  test('When English is preferred, then the same problem is in English with zod\'s English messages', async () => {
    const res = await open({ 'accept-language': 'en-US,en;q=0.9,zh;q=0.5' });

    expect(res.headers['content-language']).toBe('en');
    const json = res.json();
    expect(json.title).toBe('The request is invalid');
    expect(json.detail).toBe('Some fields are invalid.');
    const messages = byPath(json.errors);
    expect(messages['body.cadre.name']).toBe('Invalid input: expected string, received undefined');
    expect(messages['body.nickname']).toBe('unknown field');
  });

  test('When a Chinese and an English request run at once, then each gets its own language (no global switch)', async () => {
    const [zh, en] = await Promise.all([open(), open({ 'accept-language': 'en' })]);

    expect(zh.json().errors.every((e: { message: string }) => CJK.test(e.message))).toBe(true);
    expect(en.json().errors.some((e: { message: string }) => CJK.test(e.message))).toBe(false);
    // And zod's global configuration is untouched.
    expect(z.string().safeParse(1).error?.issues[0]?.message).toMatch(/^Invalid input/);
  });

  test('When a schema has its own message, then Chinese translates it', async () => {
    const org = `Bearer ${await t.token({ sub: 'olga', role: 'organization', unit: 'JS-NJ-ZZB' })}`;
    const url = `/v1/cases/${OWN_CASE}/acceptance`;
    const zh = await t.app.inject({ method: 'POST', url, payload: { decision: 'refuse' }, headers: { authorization: org } });
    const en = await t.app.inject({ method: 'POST', url, payload: { decision: 'refuse' }, headers: { authorization: org, 'accept-language': 'en' } });

    expect(zh.json().errors).toEqual([{ path: 'body.reason', message: 'body.reason（理由）: 不予受理须说明理由' }]);
    expect(en.json().errors).toEqual([{ path: 'body.reason', message: 'a refusal needs a reason' }]);
  });

  test.each([
    ['no token', { method: 'GET' as const, url: `/v1/cases/${OWN_CASE}` }, 401],
    ['a missing route', { method: 'GET' as const, url: '/v1/nothing' }, 404],
    ['a bad body', { method: 'POST' as const, url: `/v1/cases/${OWN_CASE}/withdrawal`, payload: '{"reason":', headers: { 'content-type': 'application/json' } }, 400],
    ['a long URL', { method: 'GET' as const, url: `/${'a'.repeat(9000)}` }, 414],
    ['a text/plain body', { method: 'POST' as const, url: `/v1/cases/${OWN_CASE}/withdrawal`, payload: 'x', headers: { 'content-type': 'text/plain' } }, 415],
  ])('When the request has %s, then title and detail are Chinese by default and English on request', async (_name, request, status) => {
    const withAuth = (extra: Record<string, string>) => ({ ...request, headers: { ...(request.url.includes('nothing') || request.method === 'POST' ? auth : {}), ...('headers' in request ? request.headers : {}), ...extra } });
    const zh = await t.app.inject(withAuth({}));
    const en = await t.app.inject(withAuth({ 'accept-language': 'en' }));

    expect([zh.statusCode, en.statusCode]).toEqual([status, status]);
    expect(zh.json().title).toMatch(CJK);
    expect(zh.json().detail).toMatch(CJK);
    expect(en.json().title).not.toMatch(CJK);
    expect(en.json().detail).not.toMatch(CJK);
  });
});
