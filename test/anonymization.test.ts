/**
 * The anonymization check of the typical-case library, a pure function: the personal data of a case
 * is found however it is written (full-width, split by spaces, another letter case, inside a longer
 * Chinese word), not where a Latin id or name only begins a longer one; replacement leaves nothing.
 */
import { findPersonalData, normalizedNeedle, replacePersonalData, type PersonalItem } from '../domain/anonymization';
import { casePersonalItems, typicalKindOf, typicalRefusal } from '../domain/library';
import { sampleApplication } from '../domain/examples';

const items: PersonalItem[] = [
  { kind: 'cadreName', value: '张明' },
  { kind: 'cadreId', value: 'C-320100-0001' },
  { kind: 'personName', value: '王芳' },
  { kind: 'personId', value: 'C-320100-0003' },
  { kind: 'caseReference', value: 'WZ-2025-17' },
];
const found = (text: string, list = items) => findPersonalData({ account: text }, list).map((f) => [f.kind, text.slice(f.start, f.end)]);

describe('Finding personal data', () => {
  test('When the text names no one, then nothing is found', () => {
    expect(found('某局在审批制度改革中先行先试，因政策衔接不畅造成损失，事后积极挽回。')).toEqual([]);
  });

  test('When the cadre\'s name and id stand in the text as written, then both are found where they stand', () => {
    expect(found('张明（C-320100-0001）牵头推进改革')).toEqual([
      ['cadreName', '张明'],
      ['cadreId', 'C-320100-0001'],
    ]);
  });

  test('When the name is split by spaces, an ideographic space, a middle dot or a zero-width space, then it is found', () => {
    expect(found('张 明负责')).toEqual([['cadreName', '张 明']]);
    expect(found('张\u3000明负责')).toEqual([['cadreName', '张\u3000明']]);
    expect(found('张·明负责')).toEqual([['cadreName', '张·明']]);
    expect(found('张\u200b明负责')).toEqual([['cadreName', '张\u200b明']]);
  });

  test('When the id is written in full-width characters, then it is found', () => {
    expect(found('编号Ｃ－３２０１００－０００１的干部')).toEqual([['cadreId', 'Ｃ－３２０１００－０００１']]);
  });

  test('When the id is written in another letter case or with spaces for dashes, then it is found', () => {
    expect(found('编号 c-320100-0001')).toEqual([['cadreId', 'c-320100-0001']]);
    expect(found('编号 C 320100 0001')).toEqual([['cadreId', 'C 320100 0001']]);
    expect(found('问责案件 wz-2025-17 已办结')).toEqual([['caseReference', 'wz-2025-17']]);
  });

  test('When a Chinese name stands inside a longer word, then it is found: Chinese has no word boundaries, the check errs towards refusing', () => {
    expect(found('会议主张明确分工')).toEqual([['cadreName', '张明']]);
    expect(found('王芳芳同志')).toEqual([['personName', '王芳']]);
  });

  test('When a Latin id or name only begins or ends a longer one, then it is not found; with a separator after it, it is', () => {
    expect(found('编号 C-320100-00012')).toEqual([]);
    expect(found('编号 XC-320100-0001')).toEqual([]);
    expect(found('Linda 负责', [{ kind: 'personName', value: 'Li' }])).toEqual([]);
    expect(found('LI 负责', [{ kind: 'personName', value: 'Li' }])).toEqual([['personName', 'LI']]);
    expect(found('编号 C-320100-0001-A')).toEqual([['cadreId', 'C-320100-0001']]);
  });

  test('When a value has fewer than two significant characters, then it is not looked for', () => {
    expect(normalizedNeedle(' - ')).toBe('');
    expect(found('明天', [{ kind: 'personName', value: '明' }])).toEqual([]);
  });

  test('When several fields are checked, then each find names its field', () => {
    const finds = findPersonalData({ title: '张明的改革', lessons: '王芳说' }, items);

    expect(finds).toEqual([
      { field: 'title', kind: 'cadreName', start: 0, end: 2 },
      { field: 'lessons', kind: 'personName', start: 0, end: 2 },
    ]);
  });
});

describe('Replacing personal data', () => {
  test('When the text names the cadre, a colleague and the ids, then each is replaced by its placeholder and nothing remains', () => {
    const { texts, replaced, remaining } = replacePersonalData({ account: '张明（Ｃ－３２０１００－０００１）与王芳共同决策，张 明事后主动整改。' }, items);

    expect(texts.account).toBe('某干部（（编号略））与某同志共同决策，某干部事后主动整改。');
    expect(replaced.map((r) => r.kind)).toEqual(['cadreName', 'cadreId', 'personName', 'cadreName']);
    expect(remaining).toEqual([]);
    expect(findPersonalData(texts, items)).toEqual([]);
  });

  test('When finds overlap, then the first and longest is replaced once', () => {
    const { texts } = replacePersonalData({ account: '张明芳负责' }, [
      { kind: 'cadreName', value: '张明' },
      { kind: 'personName', value: '明芳' },
    ]);

    expect(texts.account).toBe('某干部芳负责');
  });
});

describe('Which case can be which account', () => {
  test('When a case closed tolerated, denied, excluded, refused or open, then its kind is what its outcome says', () => {
    expect(typicalKindOf({ stage: 'closed', outcome: 'exempt', closeReason: 'completed' })).toBe('goodPractice');
    expect(typicalKindOf({ stage: 'closed', outcome: 'mitigate', closeReason: 'completed' })).toBe('goodPractice');
    expect(typicalKindOf({ stage: 'closed', outcome: 'deny', closeReason: 'denied' })).toBe('warning');
    expect(typicalKindOf({ stage: 'closed', closeReason: 'notTolerable' })).toBe('warning');
    expect(typicalKindOf({ stage: 'closed', closeReason: 'withdrawn' })).toBeUndefined();
    expect(typicalKindOf({ stage: 'followUp', outcome: 'exempt' })).toBeUndefined();
  });

  test('When the asked kind does not suit the case, or the case is open or erased, then the refusal says why', () => {
    expect(typicalRefusal({ stage: 'closed', outcome: 'exempt', closeReason: 'completed', erased: false }, 'warning')).toEqual({ reason: 'typicalKindMismatch', asked: 'warning', suits: 'goodPractice' });
    expect(typicalRefusal({ stage: 'closed', outcome: 'deny', closeReason: 'denied', erased: false }, 'goodPractice')).toEqual({ reason: 'typicalKindMismatch', asked: 'goodPractice', suits: 'warning' });
    expect(typicalRefusal({ stage: 'followUp', outcome: 'exempt', erased: false }, 'goodPractice')).toEqual({ reason: 'caseNotClosed' });
    expect(typicalRefusal({ stage: 'closed', closeReason: 'refused', erased: false }, 'warning')).toEqual({ reason: 'notTypical', closeReason: 'refused' });
    expect(typicalRefusal({ stage: 'closed', outcome: 'exempt', closeReason: 'completed', erased: true }, 'goodPractice')).toEqual({ reason: 'personalDataErased' });
    expect(typicalRefusal({ stage: 'closed', outcome: 'exempt', closeReason: 'completed', erased: false }, 'goodPractice')).toBeUndefined();
  });

  test('When a case\'s personal data is gathered, then it holds the cadre, the accountability reference and the unit\'s other people', () => {
    const application = { ...sampleApplication, accountabilityCaseRef: 'WZ-2025-17' } as never;
    const got = casePersonalItems({ cadre: { id: 'C-320100-0001', name: '张明' }, application }, [
      { id: 'C-320100-0001', name: '张明' },
      { id: 'C-320100-0003', name: '王芳' },
    ]);

    expect(got).toEqual(expect.arrayContaining(items));
    expect(got.filter((i) => i.kind === 'personName')).toEqual([{ kind: 'personName', value: '王芳' }]);
  });
});
