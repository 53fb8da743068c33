/**
 * Per-case abuse signals (防止容错机制的滥用): facts of one case that supervision and discipline
 * inspection should look at, each explained by the figures behind it. Decided over the case's pinned
 * state and policy (`oversight.signals`); the workflow raises each one at the moment its fact becomes
 * true — the cadre's applications when the record lookup of the opening answers, the rest when a
 * ruling is approved. Pure: no clock, no I/O. A signal is never a verdict: it names figures, not
 * people (the cadre is not named).
 */
import { toCivilDate } from '../calendar';
import { outcomeWords, type SignalKind, type Words } from '../labels';
import type { Outcome, PolicyDuration, SignalPolicy } from '../policy';
import { windowStart } from '../screening';

/** Another case of the same cadre, in any category and at any stage, as the record system knows it. */
export interface EarlierApplication {
  caseId: string;
  category: string;
  openedAt: string;
}

/** A signal: its kind, the figures that explain it (the ledger keeps them) and the sentence that says so. */
export interface AbuseSignal {
  signal: SignalKind;
  figures: Record<string, unknown>;
  explanation: Words;
}

const unitWords: Record<PolicyDuration['unit'], Words> = {
  workingDays: { zh: '个工作日', en: 'working days' },
  calendarDays: { zh: '天', en: 'days' },
  months: { zh: '个月', en: 'months' },
  seconds: { zh: '秒', en: 'seconds' },
};
const durationText = (d: PolicyDuration): Words => ({ zh: `${d.amount} ${unitWords[d.unit].zh}`, en: `${d.amount} ${unitWords[d.unit].en}` });

/** CNY with thousands separators, written out here so the text is the same everywhere. */
export function yuan(amount: number): string {
  const [whole, cents] = (Math.round(amount * 100) / 100).toFixed(2).split('.') as [string, string];
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return cents === '00' ? grouped : `${grouped}.${cents}`;
}

/** How tolerant an outcome is: exempt above mitigate above deny. */
const leniency: Record<Outcome, number> = { exempt: 2, mitigate: 1, deny: 0 };
const q = (o: Outcome): Words => ({ zh: `“${outcomeWords[o].zh}”`, en: `"${outcomeWords[o].en}"` });

export interface ApplicationSignalInput {
  /** The instant the lookup answered for: the window ends here. */
  at: string;
  /** The cadre's other cases the record system found opened since the lookup's start (this case left out). */
  applications: readonly EarlierApplication[];
}

/**
 * At the opening: the cadre has more cases than the policy allows within its window, in any
 * category, this one included (every case opened for the cadre counts, on application or on referral:
 * each asks for tolerance).
 */
export function applicationSignals(policy: SignalPolicy, input: ApplicationSignalInput): AbuseSignal[] {
  const rule = policy.repeatApplication;
  if (!rule.enabled) return [];
  const since = windowStart(input.at, rule.window);
  const earlier = input.applications.filter((a) => a.openedAt >= since && a.openedAt <= input.at).sort((a, b) => a.openedAt.localeCompare(b.openedAt) || a.caseId.localeCompare(b.caseId));
  const applications = earlier.length + 1;
  if (applications <= rule.maxApplications) return [];
  const sinceDate = toCivilDate(since);
  const list = earlier.map((a) => `${a.caseId}（${a.category}，${toCivilDate(a.openedAt)}）`).join('、');
  const listEn = earlier.map((a) => `${a.caseId} (${a.category}, ${toCivilDate(a.openedAt)})`).join(', ');
  const window = durationText(rule.window);
  return [
    {
      signal: 'repeatApplication',
      figures: {
        applications,
        maxApplications: rule.maxApplications,
        window: rule.window,
        since: sinceDate,
        earlier: earlier.map((a) => ({ caseId: a.caseId, category: a.category, openedAt: a.openedAt })),
      },
      explanation: {
        zh: `自 ${sinceDate} 以来（${window.zh}内），同一干部共有 ${applications} 起容错案件（含本案），超过规定的 ${rule.maxApplications} 起；其他案件：${list}。`,
        en: `Since ${sinceDate} (within ${window.en}) the same cadre has ${applications} cases (this one included), more than the ${rule.maxApplications} allowed; the others: ${listEn}.`,
      },
    },
  ];
}

export interface RulingSignalInput {
  outcome: Outcome;
  /** As the ruling recorded it: its outcome is not the suggested band. */
  outsideBand: boolean;
  assessment?: { suggested: Outcome; composite: number; bands: { exemptMin: number; mitigateMin: number } } | undefined;
  consultation?: { opinion: 'concur' | 'object' | 'none' } | undefined;
  opinions: readonly { recommendation: Outcome }[];
  lossAmount: number;
  recoveredAmount: number;
}

/** When a ruling is approved: the signals its outcome raises against the case's assessment, consultation, opinions and loss. */
export function rulingSignals(policy: SignalPolicy, input: RulingSignalInput): AbuseSignal[] {
  const out: AbuseSignal[] = [];
  const { outcome } = input;
  const a = input.assessment;
  if (policy.outsideBand.enabled && input.outsideBand && a) {
    const direction = leniency[outcome] > leniency[a.suggested] ? 'lenient' : 'strict';
    out.push({
      signal: 'outsideBand',
      figures: { outcome, suggested: a.suggested, composite: a.composite, bands: a.bands, direction },
      explanation: {
        zh: `认定结果为${q(outcome).zh}，综合得分 ${a.composite} 分对应的建议档次为${q(a.suggested).zh}（免责不低于 ${a.bands.exemptMin} 分，从轻或减轻不低于 ${a.bands.mitigateMin} 分），认定${direction === 'lenient' ? '较建议档次从宽' : '较建议档次从严'}。`,
        en: `The ruling is ${q(outcome).en}; the composite score of ${a.composite} suggests ${q(a.suggested).en} (exempt from ${a.bands.exemptMin}, mitigate from ${a.bands.mitigateMin}): the ruling is ${direction === 'lenient' ? 'more lenient' : 'stricter'} than the band.`,
      },
    });
  }
  if (policy.againstConsultation.enabled && input.consultation?.opinion === 'object' && outcome !== 'deny') {
    out.push({
      signal: 'againstConsultation',
      figures: { outcome, consultationOpinion: 'object' },
      explanation: {
        zh: `纪检监察机关在会商中提出反对意见，认定结果仍为${q(outcome).zh}。`,
        en: `Discipline inspection objected in the consultation; the ruling is still ${q(outcome).en}.`,
      },
    });
  }
  const total = input.opinions.length;
  if (policy.againstExperts.enabled && total > 0) {
    const recommendations = { exempt: 0, mitigate: 0, deny: 0 };
    for (const o of input.opinions) recommendations[o.recommendation]++;
    const against = total - recommendations[outcome];
    if (against / total > policy.againstExperts.share) {
      const percent = Math.round(policy.againstExperts.share * 100);
      out.push({
        signal: 'againstExperts',
        figures: { outcome, opinions: total, against, share: policy.againstExperts.share, recommendations },
        explanation: {
          zh: `${total} 份专家（第三方）意见中有 ${against} 份未建议${q(outcome).zh}（建议免责 ${recommendations.exempt} 份、从轻或减轻 ${recommendations.mitigate} 份、不予容错 ${recommendations.deny} 份），超过 ${percent}%。`,
          en: `${against} of ${total} expert opinions did not recommend ${q(outcome).en} (exempt ${recommendations.exempt}, mitigate ${recommendations.mitigate}, deny ${recommendations.deny}), more than ${percent}%.`,
        },
      });
    }
  }
  const threshold = policy.largeExemption.lossAmount;
  if (policy.largeExemption.enabled && outcome === 'exempt' && input.lossAmount > threshold) {
    out.push({
      signal: 'largeExemption',
      figures: { lossAmount: input.lossAmount, recoveredAmount: input.recoveredAmount, threshold },
      explanation: {
        zh: `损失金额 ${yuan(input.lossAmount)} 元（申请时已挽回 ${yuan(input.recoveredAmount)} 元），超过规程规定的 ${yuan(threshold)} 元，予以免责。`,
        en: `A loss of CNY ${yuan(input.lossAmount)} (CNY ${yuan(input.recoveredAmount)} recovered when applying), above the policy's CNY ${yuan(threshold)}, is exempted.`,
      },
    });
  }
  return out;
}
