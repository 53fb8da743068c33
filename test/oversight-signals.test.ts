/** The per-case abuse signals as pure decisions over a case's figures and its pinned policy (domain/oversight/signals.ts). */
import { defaultPolicy } from '../domain/policies';
import { applicationSignals, rulingSignals, yuan, type RulingSignalInput } from '../domain/oversight/signals';
import { effectTrackingOf, policySchema, signalDefaults, signalPolicyOf, type Policy, type SignalPolicy } from '../domain/policy';

const policy: SignalPolicy = signalPolicyOf(defaultPolicy);
const at = '2026-05-10T02:00:00.000Z';
const ruling = (over: Partial<RulingSignalInput> = {}): RulingSignalInput => ({
  outcome: 'exempt',
  outsideBand: false,
  assessment: { suggested: 'exempt', composite: 86, bands: { exemptMin: 75, mitigateMin: 50 } },
  consultation: { opinion: 'concur' },
  opinions: [],
  lossAmount: 200_000,
  recoveredAmount: 150_000,
  ...over,
});

describe('The repeat-application signal', () => {
  test('When the cadre has one other case in the window, in another category, then it fires with the cases and the window', () => {
    // Act
    const [signal, ...rest] = applicationSignals(policy, { at, applications: [{ caseId: 'case-2025-0000007', category: 'land-use', openedAt: '2025-11-02T01:00:00.000Z' }] });

    // Assert
    expect(rest).toEqual([]);
    expect(signal).toEqual({
      signal: 'repeatApplication',
      figures: { applications: 2, maxApplications: 1, window: { amount: 36, unit: 'months' }, since: '2023-05-10', earlier: [{ caseId: 'case-2025-0000007', category: 'land-use', openedAt: '2025-11-02T01:00:00.000Z' }] },
      explanation: {
        zh: '自 2023-05-10 以来（36 个月内），同一干部共有 2 起容错案件（含本案），超过规定的 1 起；其他案件：case-2025-0000007（land-use，2025-11-02）。',
        en: 'Since 2023-05-10 (within 36 months) the same cadre has 2 cases (this one included), more than the 1 allowed; the others: case-2025-0000007 (land-use, 2025-11-02).',
      },
    });
  });

  test('When the other case is older than the window, or the policy allows two, or turns the signal off, then nothing fires', () => {
    const old = [{ caseId: 'case-2020-0000001', category: 'land-use', openedAt: '2022-01-01T00:00:00.000Z' }];
    const recent = [{ caseId: 'case-2026-0000002', category: 'land-use', openedAt: '2026-01-01T00:00:00.000Z' }];
    expect(applicationSignals(policy, { at, applications: old })).toEqual([]);
    expect(applicationSignals(policy, { at, applications: [] })).toEqual([]);
    expect(applicationSignals({ ...policy, repeatApplication: { ...policy.repeatApplication, maxApplications: 2 } }, { at, applications: recent })).toEqual([]);
    expect(applicationSignals({ ...policy, repeatApplication: { ...policy.repeatApplication, enabled: false } }, { at, applications: recent })).toEqual([]);
  });
});

describe('The ruling signals', () => {
  test('When a ruling is in its band, with concurrence, no experts and a small loss, then nothing fires', () => {
    expect(rulingSignals(policy, ruling())).toEqual([]);
  });

  test('When a denial is stricter than its band, then outsideBand fires as strict; a denial against an objection is not against it', () => {
    const signals = rulingSignals(policy, ruling({ outcome: 'deny', outsideBand: true, consultation: { opinion: 'object' } }));
    expect(signals.map((s) => [s.signal, s.figures.direction])).toEqual([['outsideBand', 'strict']]);
    expect(signals[0]!.explanation.zh).toBe('认定结果为“不予容错”，综合得分 86 分对应的建议档次为“免予问责（免责）”（免责不低于 75 分，从轻或减轻不低于 50 分），认定较建议档次从严。');
  });

  test('When half of the opinions recommended another outcome, then againstExperts does not fire; more than half, it does', () => {
    const half = [{ recommendation: 'exempt' as const }, { recommendation: 'mitigate' as const }];
    expect(rulingSignals(policy, ruling({ opinions: half }))).toEqual([]);
    const most = [...half, { recommendation: 'deny' as const }];
    const [signal] = rulingSignals(policy, ruling({ opinions: most }));
    expect(signal).toMatchObject({ signal: 'againstExperts', figures: { opinions: 3, against: 2, recommendations: { exempt: 1, mitigate: 1, deny: 1 } } });
    expect(signal!.explanation.zh).toBe('3 份专家（第三方）意见中有 2 份未建议“免予问责（免责）”（建议免责 1 份、从轻或减轻 1 份、不予容错 1 份），超过 50%。');
  });

  test('When an exemption\'s loss is above the policy amount, then largeExemption fires; at the amount, or mitigated, it does not', () => {
    expect(rulingSignals(policy, ruling({ lossAmount: 1_000_000 }))).toEqual([]);
    expect(rulingSignals(policy, ruling({ outcome: 'mitigate', lossAmount: 5_000_000, assessment: undefined }))).toEqual([]);
    const [signal] = rulingSignals(policy, ruling({ lossAmount: 1_234_567.5, recoveredAmount: 0 }));
    expect(signal).toEqual({
      signal: 'largeExemption',
      figures: { lossAmount: 1_234_567.5, recoveredAmount: 0, threshold: 1_000_000 },
      explanation: {
        zh: '损失金额 1,234,567.50 元（申请时已挽回 0 元），超过规程规定的 1,000,000 元，予以免责。',
        en: 'A loss of CNY 1,234,567.50 (CNY 0 recovered when applying), above the policy\'s CNY 1,000,000, is exempted.',
      },
    });
  });

  test('When a mitigation is ruled although discipline objected, then againstConsultation fires', () => {
    expect(rulingSignals(policy, ruling({ outcome: 'mitigate', consultation: { opinion: 'object' } })).map((s) => s.signal)).toEqual(['againstConsultation']);
    expect(rulingSignals(policy, ruling({ outcome: 'mitigate', consultation: { opinion: 'none' } }))).toEqual([]);
  });

  test('When amounts are written out, then they carry thousands separators and cents only when there are any', () => {
    expect([yuan(0), yuan(999), yuan(1000), yuan(2_000_000), yuan(12.3)]).toEqual(['0', '999', '1,000', '2,000,000', '12.30']);
  });
});

describe('The policy\'s oversight section', () => {
  test('When the default document is loaded, then it states the signals\' defaults and the effect-tracking times', () => {
    expect(defaultPolicy.oversight.signals).toEqual(signalDefaults);
    expect(defaultPolicy.followUp.effectTracking).toEqual([6, 12]);
    expect(defaultPolicy.deadlines.effectTracking).toEqual({ amount: 10, unit: 'workingDays' });
  });

  test('When a pinned policy predates the section or has only some signals, then the others count from their defaults; a document without it loads with them', () => {
    const { oversight: _o, ...older } = defaultPolicy;
    const { effectTracking: _e, ...followUp } = defaultPolicy.followUp;
    const pinned = { ...older, followUp } as unknown as Policy;
    expect(signalPolicyOf(pinned)).toEqual(signalDefaults);
    expect(effectTrackingOf(pinned)).toEqual([6, 12]);
    const partial = { ...defaultPolicy, oversight: { signals: { largeExemption: { enabled: true, lossAmount: 5_000_000 } } } } as unknown as Policy;
    expect(signalPolicyOf(partial)).toEqual({ ...signalDefaults, largeExemption: { enabled: true, lossAmount: 5_000_000 } });
    expect(policySchema.parse({ ...older, followUp }).oversight.signals).toEqual(signalDefaults);
    expect(policySchema.parse({ ...older, followUp }).followUp.effectTracking).toEqual([6, 12]);
    expect(policySchema.parse({ ...defaultPolicy, oversight: { signals: { outsideBand: { enabled: false } } } }).oversight.signals).toEqual({ ...signalDefaults, outsideBand: { enabled: false } });
  });

  test('When a threshold is out of range or a key unknown, then the document is refused naming it', () => {
    const bad = { ...defaultPolicy, oversight: { signals: { againstExperts: { enabled: true, share: 2 }, sloth: { enabled: true } } } };
    const result = policySchema.safeParse(bad);
    expect(result.success).toBe(false);
    expect(result.error!.issues.map((i) => i.path.join('.'))).toEqual(expect.arrayContaining(['oversight.signals.againstExperts.share', 'oversight.signals']));
  });
});
