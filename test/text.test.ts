/** The text check: what PostgreSQL or Temporal could refuse is found, everything else passes. */
import { describeUnsafe, findUnsafeText, isSafeText, unsafeCharacter } from '../common/text';

describe('unsafeCharacter', () => {
  test('When text is ordinary (Chinese, emoji, tab, newlines), then it is accepted', () => {
    for (const s of ['', '张三', '容错纠错 2026', 'a\tb\nc\r\nd', '😀 surrogate pair', '\u00A0non-breaking', 'DEL-free ~']) expect(unsafeCharacter(s)).toBeUndefined();
    expect(isSafeText('干部姓名')).toBe(true);
  });

  test('When text has NUL, then it is found as nul with its index', () => {
    expect(unsafeCharacter('ab\u0000c')).toEqual({ reason: 'nul', codePoint: 'U+0000', index: 2 });
  });

  test.each([
    ['\u0001', 'U+0001'],
    ['\u0008', 'U+0008'],
    ['\u000B', 'U+000B'],
    ['\u000C', 'U+000C'],
    ['\u001B', 'U+001B'],
    ['\u001F', 'U+001F'],
    ['\u007F', 'U+007F'],
    ['\u0080', 'U+0080'],
    ['\u0085', 'U+0085'],
    ['\u009F', 'U+009F'],
  ])('When text has the control character %j, then it is found as %s', (ch, codePoint) => {
    expect(unsafeCharacter(`x${ch}y`)).toEqual({ reason: 'control', codePoint, index: 1 });
  });

  test('When text has a lone high or low surrogate, then it is found; a pair is fine', () => {
    expect(unsafeCharacter('a\uD800')).toEqual({ reason: 'surrogate', codePoint: 'U+D800', index: 1 });
    expect(unsafeCharacter('\uDC00a')).toEqual({ reason: 'surrogate', codePoint: 'U+DC00', index: 0 });
    expect(unsafeCharacter('\uDBFF\uDFFF')).toBeUndefined();
    expect(unsafeCharacter('\uDC00\uD800')?.reason).toBe('surrogate');
  });

  test('When text has several, then the first one is reported', () => {
    expect(unsafeCharacter('ok\uD800 then \u0000')).toMatchObject({ reason: 'surrogate', index: 2 });
    expect(unsafeCharacter('ok\u0007 then \uD800')).toMatchObject({ reason: 'control', index: 2 });
  });
});

describe('findUnsafeText', () => {
  test('When a value is searched, then every bad string is found by its dotted path, keys with the object holding them', () => {
    const value = { cadre: { name: 'a\u0000', post: 'fine' }, evidence: [{ title: 'ok' }, { title: '\u001B[31m' }], ['bad\u0000key']: 1, n: 3, flag: true, none: null };
    expect(findUnsafeText(value, 'body')).toEqual([
      { path: 'body', reason: 'nul', codePoint: 'U+0000', index: 3, inKey: true },
      { path: 'body.cadre.name', reason: 'nul', codePoint: 'U+0000', index: 1, inKey: false },
      { path: 'body.evidence.1.title', reason: 'control', codePoint: 'U+001B', index: 0, inKey: false },
    ]);
  });

  test('When the value is a bare string, a number or nothing, then it is checked as such', () => {
    expect(findUnsafeText('\u0000', 'query.q')).toHaveLength(1);
    expect(findUnsafeText(42, 'body')).toEqual([]);
    expect(findUnsafeText(undefined, 'body')).toEqual([]);
  });

  test('When a value is deeply nested or has many bad strings, then the search neither overflows nor reports more than the limit', () => {
    let deep: unknown = '\u0000';
    for (let i = 0; i < 50_000; i++) deep = [deep];
    expect(findUnsafeText(deep, 'body')).toHaveLength(1);
    expect(findUnsafeText(Array.from({ length: 1000 }, () => '\u0000'), 'body', 20)).toHaveLength(20);
  });

  test('When a finding is described, then the description names the kind of character and never the text', () => {
    expect(describeUnsafe({ reason: 'nul', codePoint: 'U+0000', inKey: false })).toMatch(/NUL/);
    expect(describeUnsafe({ reason: 'surrogate', codePoint: 'U+D800', inKey: false })).toMatch(/surrogate \(U\+D800\)/);
    expect(describeUnsafe({ reason: 'control', codePoint: 'U+001B', inKey: true })).toMatch(/^a key here has the control character U\+001B/);
  });
});
