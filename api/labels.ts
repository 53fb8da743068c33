/**
 * Chinese names of the fields of the application and action bodies (domain/case.ts, domain/policy.ts),
 * keyed by field name; a dotted key ("cadre.name") names a field more precisely where the bare name
 * is ambiguous. Validation problems in Chinese name each field by its path and this label, e.g.
 * `body.cadre.name（干部姓名）`.
 */
import type { CircumstanceKey, FactorKey } from '../domain/policy';

const circumstances: Record<CircumstanceKey, string> = {
  collectiveDecision: '集体决策',
  proceduresFollowed: '履行了规定程序',
  privateGain: '谋取私利',
  knowinglyViolated: '明知故犯',
  ignoredRules: '无视规定',
  brokeLawOrDiscipline: '违纪违法',
  politicalRisk: '政治风险',
  seriousSafetyAccident: '重大安全事故',
  majorEconomicLoss: '重大经济损失',
  activeRemedy: '主动挽回损失',
  forceMajeure: '不可抗力',
};

const factors: Record<FactorKey, string> = {
  motive: '动机',
  conditions: '客观条件',
  procedure: '决策程序',
  nature: '性质',
  consequence: '后果',
  recovery: '挽回情况',
};

export const fieldLabels: Readonly<Record<string, string>> = {
  // The application
  cadre: '干部',
  'cadre.id': '干部编号',
  'cadre.name': '干部姓名',
  'cadre.post': '干部职务',
  'cadre.rank': '干部职级',
  unitCode: '单位代码',
  incident: '问题情况',
  'incident.date': '发生日期',
  'incident.summary': '问题概述',
  situation: '容错情形',
  faultKind: '失误性质',
  category: '领域类别',
  lossAmount: '损失金额',
  recoveredAmount: '挽回金额',
  technical: '技术性失误',
  circumstances: '相关情节',
  accountabilityCaseRef: '问责案件编号',
  evidence: '证据材料',
  'evidence.title': '材料名称',
  'evidence.uri': '材料地址',
  'evidence.sha256': '材料 SHA-256 摘要',
  ...circumstances,
  // Actions
  decision: '决定',
  reason: '理由',
  requestedItems: '需补充的材料',
  note: '说明',
  factors: '评分因素',
  ...factors,
  score: '分值',
  evaluation: '调查评价',
  confirmedCircumstances: '核实的情节',
  experts: '专家',
  recommendation: '意见结论',
  opinion: '意见',
  reasons: '理由',
  outcome: '认定结果',
  influenceMonths: '影响期月数',
  recommendedForm: '建议处理方式',
  tier: '回访档次',
  justification: '说明理由',
  objectionResponse: '对反对意见的回应',
  comments: '审核意见',
  grounds: '申诉理由',
  replacement: '替代认定',
  measures: '纠错措施',
  'measures.title': '措施名称',
  'measures.description': '措施内容',
  'measures.dueDate': '完成期限',
  progress: '整改进展',
  percent: '完成百分比',
  completed: '已完成',
  verified: '已核实',
  thinking: '思想状况',
  workPerformance: '工作表现',
  lifeSituation: '生活情况',
  assessment: '回访评价',
  newTier: '调整后的回访档次',
  report: '评估报告',
  'report.title': '报告名称',
  'report.uri': '报告地址',
  'report.sha256': '报告 SHA-256 摘要',
  suggestions: '纠错建议',
  suggestionResponses: '对纠错建议的回应',
  suggestionId: '纠错建议编号',
  adopted: '是否采纳',
  measureNo: '落实措施序号',
  'suggestionResponses.reason': '不予采纳的理由',
  reformDecision: '改革决策执行情况',
  results: '执行效果',
  recoveredSinceRuling: '认定以来挽回损失金额',
  // The registry (admin routes)
  name: '名称',
  parent: '上级地区',
  // a body's kind (admin routes) or a typical case's (the library)
  kind: '类别',
  locality: '所在地区',
  retired: '停用',
  code: '代码',
  id: '干部编号',
  falseCircumstances: '经核实不属实的情形',
  // The typical-case library
  title: '标题',
  account: '案例正文',
  lessons: '启示',
  anonymize: '个人信息处理方式',
  entryId: '典型案例编号',
  q: '检索词',
  status: '状态',
  disposition: '处理结果',
  form: '运用的形态',
  // Parameters, query and headers
  caseId: '案件编号',
  measureId: '措施编号',
  cadreId: '干部编号',
  version: '政策版本',
  stage: '阶段',
  unit: '单位',
  awaiting: '待办角色',
  overdue: '是否逾期',
  limit: '每页条数',
  cursor: '分页游标',
  'idempotency-key': '幂等键',
  'x-request-id': '请求编号',
};

/**
 * The Chinese label of a field path such as `body.cadre.name` or `body.evidence.0.title`: the
 * longest dotted key that matches its last named segments, else undefined.
 */
export function labelOf(path: string): string | undefined {
  const named = path.split('.').slice(1).filter((s) => !/^\d+$/.test(s));
  for (let take = Math.min(2, named.length); take >= 1; take--) {
    const label = fieldLabels[named.slice(-take).join('.')];
    if (label) return label;
  }
  return undefined;
}
