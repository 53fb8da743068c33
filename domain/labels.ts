/**
 * The words for the domain's codes, Chinese first with English beside: case state, notices, the
 * Temporal UI's details, problem documents and the OpenAPI document all take them from here.
 */
import type { CircumstanceKey, FaultKind, Outcome, Situation, Tier } from './policy';

export interface Words {
  zh: string;
  en: string;
}
const w = (zh: string, en: string): Words => ({ zh, en });

export const stageWords = {
  acceptance: w('待受理', 'awaiting acceptance'),
  supplement: w('待补正', 'supplement requested'),
  investigation: w('调查核实', 'investigation'),
  expertReview: w('专家评估', 'expert review'),
  consultation: w('组织会商', 'consultation'),
  rulingProposal: w('待提出认定意见', 'ruling to be proposed'),
  rulingReview: w('认定审核', 'ruling under review'),
  appeal: w('已告知（申诉期）', 'notified (appeal window)'),
  reconsideration: w('申诉复核', 'reconsideration'),
  remediation: w('纠错整改', 'remediation'),
  followUp: w('跟踪回访', 'follow-up'),
  exclusionReview: w('甄别排除待确认', 'exclusion to be confirmed'),
  handOff: w('已移交纪检监察（待反馈处理结果）', 'handed to discipline inspection (outcome awaited)'),
  closed: w('已结案', 'closed'),
};

export const taskWords = {
  acceptance: w('受理决定', 'acceptance decision'),
  supplement: w('补正材料', 'supplement'),
  investigation: w('调查核实', 'investigation'),
  expertInvitation: w('邀请专家', 'expert invitation'),
  expertOpinion: w('专家（第三方）评估意见', 'expert opinion'),
  consultation: w('会商意见', 'consultation opinion'),
  rulingProposal: w('提出认定意见', 'ruling proposal'),
  rulingReview: w('审核认定意见', 'ruling review'),
  appeal: w('申诉期', 'appeal window'),
  reconsideration: w('申诉复核', 'reconsideration'),
  correctionPlan: w('纠错意见', 'correction plan'),
  measure: w('纠错措施', 'correction measure'),
  revisit: w('回访', 'revisit'),
  exclusionReview: w('确认甄别排除结论', 'exclusion review'),
  handOffOutcome: w('反馈移交处理结果', 'hand-off outcome'),
  effectTracking: w('决策执行效果跟踪评价', 'decision-effect tracking'),
};

export const roleWords = {
  unit: w('申请单位', 'applying unit'),
  organization: w('组织部门', 'organization department'),
  discipline: w('纪检监察机关', 'discipline inspection'),
  expert: w('专家（第三方）', 'expert'),
  committee: w('党委（审核机关）', 'party committee'),
  supervisor: w('监督部门', 'supervision'),
  admin: w('登记册管理员', 'registry administrator'),
};

/** The kinds of body of the registry (domain/registry). */
export const bodyKindWords = {
  unit: w('单位', 'unit'),
  organization: w('组织部门', 'organization department'),
  discipline: w('纪检监察机关', 'discipline inspection body'),
  committee: w('党委（审核机关）', 'party committee'),
  supervision: w('监督部门', 'supervision body'),
};

export const outcomeWords: Record<Outcome, Words> = {
  exempt: w('免予问责（免责）', 'exempt from liability'),
  mitigate: w('从轻或减轻处理', 'lighter sanction (mitigated)'),
  deny: w('不予容错', 'not tolerated'),
};

export const tierWords: Record<Tier, Words> = { focus: w('重点关注', 'focus'), support: w('一般帮扶', 'support'), incentive: w('正向激励', 'incentive') };

export const closeReasonWords = {
  refused: w('不予受理', 'refused'),
  supplementTimeout: w('逾期未补正', 'supplement not received in time'),
  notTolerable: w('经甄别不属于容错范围', 'outside what may be tolerated'),
  withdrawn: w('申请单位撤回', 'withdrawn'),
  denied: w('不予容错', 'not tolerated'),
  completed: w('纠错与回访已完成', 'correction and revisits completed'),
};

export const circumstanceWords: Record<CircumstanceKey, Words> = {
  collectiveDecision: w('经集体决策', 'collective decision'),
  proceduresFollowed: w('履行了规定程序', 'procedures followed'),
  privateGain: w('谋取私利', 'private gain'),
  knowinglyViolated: w('明知故犯', 'knowingly violated'),
  ignoredRules: w('有规不循', 'ignored rules'),
  brokeLawOrDiscipline: w('违法乱纪', 'broke law or discipline'),
  politicalRisk: w('重大政治风险', 'major political risk'),
  seriousSafetyAccident: w('重特大安全责任事故', 'especially serious safety accident'),
  majorEconomicLoss: w('重特大经济损失', 'especially serious economic loss'),
  activeRemedy: w('积极挽回损失', 'active remedy'),
  forceMajeure: w('不可抗力', 'force majeure'),
};

export const situationWords: Record<Situation, Words> = {
  reformUncertainty: w('改革创新不确定性下的工作失误', 'work mistake under reform uncertainty'),
  forwardLookingDecision: w('制度不完善情况下的前瞻性决策误判', 'misjudged forward-looking decision'),
  livelihoodTrialAndError: w('处理社情民意问题中的试错过失', 'trial and error on livelihood matters'),
};

export const faultKindWords: Record<FaultKind, Words> = {
  administrative: w('行政过错', 'administrative fault'),
  political: w('政治过错', 'political fault'),
  moral: w('道德过错', 'moral fault'),
};

/** What discipline inspection made of a case handed to it (移交处理结果). */
export const handOffDispositionWords = {
  sanctioned: w('已依规依纪依法处理', 'dealt with under the rules'),
  cleared: w('经核查予以了结', 'closed after checking, no action'),
  transferred: w('移送司法机关或其他有关机关处理', 'transferred to the judiciary or another competent body'),
};
export type HandOffDisposition = keyof typeof handOffDispositionWords;

/** The four forms of discipline (四种形态), 1–4. */
export const disciplineFormWords: Record<1 | 2 | 3 | 4, Words> = {
  1: w('第一种形态（批评教育、谈话函询）', 'form 1 (criticism, talks, letters of inquiry)'),
  2: w('第二种形态（轻处分、组织调整）', 'form 2 (light sanctions, organizational adjustment)'),
  3: w('第三种形态（重处分、重大职务调整）', 'form 3 (heavy sanctions, major post adjustment)'),
  4: w('第四种形态（严重违纪涉嫌违法立案审查）', 'form 4 (serious violations investigated as suspected crimes)'),
};

/** The per-case abuse signals (防止容错机制的滥用), raised to supervision and discipline inspection. */
export const signalWords = {
  repeatApplication: w('同一干部在规定期限内多次申请容错', 'the cadre applied more than once within the window'),
  outsideBand: w('认定结果超出建议档次', 'ruling outside the suggested band'),
  againstConsultation: w('认定未采纳纪检监察机关会商反对意见', 'ruling against the consultation objection'),
  againstExperts: w('认定结果与多数专家（第三方）意见不一致', 'ruling against most expert opinions'),
  largeExemption: w('大额损失予以免责', 'exemption of a large loss'),
};
export type SignalKind = keyof typeof signalWords;

/** How the reform decision at stake turned out, as the ruling body tracks it (决策执行效果跟踪评价). */
export const reformDecisionWords = {
  sustained: w('改革决策继续实施', 'the reform decision is sustained'),
  reversed: w('改革决策已调整或停止', 'the reform decision was reversed'),
};
export type ReformDecision = keyof typeof reformDecisionWords;

/** What a final ruling leaves in the cadre's record (结果运用). */
export const cadreResultWords = {
  noNegativeEvaluation: w('不作负面评价', 'no negative evaluation'),
  influencePeriod: w('影响期', 'influence period'),
};
export type CadreResultKind = keyof typeof cadreResultWords;

/** The two kinds of account of the typical-case library (典型案例库). */
export const typicalKindWords = {
  goodPractice: w('容错典型（好经验好典例）', 'good practice'),
  warning: w('警示案例', 'warning'),
};

/** Where an account of the library stands. */
export const typicalStatusWords = {
  proposed: w('待审核', 'awaiting approval'),
  returned: w('已退回修改', 'returned for revision'),
  published: w('已发布', 'published'),
};

/**
 * Incident categories. The category is a code (`categorySchema`); codes without a word here are shown
 * as they are.
 */
export const categoryWords: Record<string, Words> = {
  'approval-reform': w('审批制度改革', 'approval reform'),
  'land-use': w('土地利用', 'land use'),
  procurement: w('政府采购', 'public procurement'),
};

/** The Chinese word for a category code, or the code itself when it has none. */
export function categoryLabel(code: string): string {
  return Object.hasOwn(categoryWords, code) ? (categoryWords[code] as Words).zh : code;
}

/** How a unit or body is named where people read it: its registered Chinese name, else its code. */
export function unitLabel(code: string, names?: Readonly<Record<string, string>>): string {
  return names && Object.hasOwn(names, code) ? names[code]! : code;
}

const zhOf = <K extends string>(words: Record<K, Words>): Record<K, string> => Object.fromEntries(Object.entries<Words>(words).map(([k, v]) => [k, v.zh])) as Record<K, string>;

export const stageLabels = zhOf(stageWords);
export const taskLabels = zhOf(taskWords);
export const roleLabels = zhOf(roleWords);
export const bodyKindLabels = zhOf(bodyKindWords);
export const outcomeLabels = zhOf(outcomeWords);
export const tierLabels = zhOf(tierWords);
export const closeReasonLabels = zhOf(closeReasonWords);
export const circumstanceLabels = zhOf(circumstanceWords);
export const situationLabels = zhOf(situationWords);
export const faultKindLabels = zhOf(faultKindWords);
export const handOffDispositionLabels = zhOf(handOffDispositionWords);
export const cadreResultLabels = zhOf(cadreResultWords);
export const typicalKindLabels = zhOf(typicalKindWords);
export const typicalStatusLabels = zhOf(typicalStatusWords);
export const signalLabels = zhOf(signalWords);
export const reformDecisionLabels = zhOf(reformDecisionWords);
