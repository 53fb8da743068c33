/**
 * Notification texts: Chinese first, English as the fallback (a template or a field without Chinese
 * text is sent in English). Placeholders `{name}` are filled from the notification's `vars`
 * (`caseId` is always there); a segment in double square brackets `[[...]]` is left out when a
 * placeholder in it has no value. Known codes (task, outcome, tier, role, stage...) are shown as
 * words, instants (vars ending in `At`, and `from`) in Beijing time.
 */
import { beijingTime } from '../../domain/calendar';
import { categoryWords, closeReasonWords, outcomeWords, roleWords, signalWords, stageWords, taskWords, tierWords, type Words } from '../../domain/labels';
import type { NotificationTemplate } from '../types';

export type Lang = 'zh' | 'en';
export interface TemplateText {
  subject: string;
  text: string;
}
export interface TemplateEntry {
  en: TemplateText;
  zh?: Partial<TemplateText>;
}
/** The templates the workflow may ask for, and the notifier's own notice of a failed delivery. */
export type TemplateName = NotificationTemplate | 'deliveryFailed';
export type TemplateCatalog = Record<TemplateName, TemplateEntry>;

/** Every template of `NotificationTemplate`, at run time. */
export const notificationTemplates = [
  'caseOpened',
  'reminder',
  'escalation',
  'supplementRequested',
  'decision',
  'rulingNotice',
  'rulingNoticeToCadre',
  'taskOpened',
  'handOff',
  'rulingReport',
  'expertInvitation',
  'measureOverdue',
  'revisitDue',
  'caseClosed',
  'deadlineChanged',
  'recordFailed',
  'exclusionReport',
  'influencePeriodEnded',
  'abuseSignal',
  'periodicReport',
] as const satisfies readonly NotificationTemplate[];
/** Fails to compile when `NotificationTemplate` gains a member the list above lacks. */
const listIsComplete: [Exclude<NotificationTemplate, (typeof notificationTemplates)[number]>] extends [never] ? true : never = true;
void listIsComplete;

/**
 * The texts. The vars each one uses are in its placeholders; those in `[[...]]` are optional. Every
 * notice of a case has `caseId`, `unitName` (the unit's Chinese name, else its code) and `category`;
 * `recipientName` (the receiving body's name) where it is known; the notifier adds `inboxUrl` (the
 * API's task inbox) and `caseUrl` when the API's address is configured:
 * taskOpened {task, role, dueAt, [measureNo, measures], [monthOffset, tier]} ·
 * caseOpened {unitCode, category, [dueAt]} · reminder {task, dueAt, [stage]} ·
 * escalation {task, dueAt, [role], [escalations]} · supplementRequested {dueAt, [items]} ·
 * decision {step, decision, [reason]} · rulingNotice {outcome, [influenceMonths], [recommendedForm], [appealDueAt]} ·
 * rulingNoticeToCadre {outcome, [decision], [influenceMonths], [recommendedForm], [appealDueAt]} ·
 * handOff {reason, [recommendedForm], [ruleIds]} · rulingReport {outcome, [unitCode], [category]} ·
 * expertInvitation {dueAt} · measureOverdue {measure, dueDate} · revisitDue {monthOffset, tier, dueAt} ·
 * caseClosed {[closeReason]} · deadlineChanged {task, from, dueAt, year} · recordFailed {seq, error, [attempts]} · deliveryFailed {template, failures} ·
 * exclusionReport {phase, rules, overridable, dueAt} · influencePeriodEnded {from, until} ·
 * abuseSignal {signal, explanation, explanationEn} (the explanation in Chinese and in English, built by domain/oversight/signals.ts);
 * taskOpened also takes [trackingMonth] (a decision-effect tracking).
 * periodicReport {title, periodLabel, localityName, applications, decided, toleranceRate, signals, overdue, [reportUrl], [htmlUrl]}
 * (a periodic report: its `caseId` is the report's id).
 */
export const templates: TemplateCatalog = {
  taskOpened: {
    zh: {
      subject: '【待办】案件 {caseId}（{unitName}）：请于 {dueAt} 前办理“{task}”',
      text:
        '[[{recipientName}：\n]]案件 {caseId}（申请单位：{unitName}；类别：{category}）有一项事项需要{role}办理：“{task}”' +
        '[[（第 {measureNo} 项纠错措施，共 {measures} 项）]][[（第 {monthOffset} 个月回访，{tier}）]][[（认定后第 {trackingMonth} 个月，请评价所涉改革决策的执行效果：是否继续实施、取得的成效、认定以来挽回的损失）]]。\n请于 {dueAt} 前办理完毕。[[\n待办事项：{inboxUrl}]][[\n案件详情：{caseUrl}]]',
    },
    en: {
      subject: '[Task] Case {caseId} ({unitName}): {task} due {dueAt}',
      text:
        'Case {caseId} (unit: {unitName}; category: {category}) has a step for the {role}: "{task}"' +
        '[[ (correction measure {measureNo} of {measures})]][[ (the month-{monthOffset} revisit, {tier})]][[ (month {trackingMonth} after the ruling: how the reform decision has turned out, its results and the loss recovered since)]].\nPlease complete it by {dueAt}.[[\nYour tasks: {inboxUrl}]][[\nThe case: {caseUrl}]]',
    },
  },
  caseOpened: {
    zh: {
      subject: '【待办】新案件 {caseId}[[（{unitName}）]]待受理',
      text: '[[{recipientName}：\n]]{unitName}提交了容错纠错申请，案件编号 {caseId}[[（类别：{category}）]]。[[\n请于 {dueAt} 前作出受理决定（予以受理、不予受理或要求补正）。]][[\n待办事项：{inboxUrl}]][[\n案件详情：{caseUrl}]]',
    },
    en: {
      subject: '[Task] New case {caseId}[[ ({unitName})]] to accept',
      text: '{unitName} has applied for error tolerance; the case number is {caseId}[[ (category: {category})]].[[\nPlease decide on acceptance by {dueAt}.]][[\nYour tasks: {inboxUrl}]][[\nThe case: {caseUrl}]]',
    },
  },
  reminder: {
    zh: {
      subject: '【提醒】案件 {caseId}[[（{unitName}）]]：“{task}”将于 {dueAt} 到期',
      text: '[[{recipientName}：\n]]案件 {caseId}[[（申请单位：{unitName}；类别：{category}）]]的“{task}”事项将于 {dueAt} 到期，请及时办理。[[当前阶段：{stage}。]][[\n待办事项：{inboxUrl}]][[\n案件详情：{caseUrl}]]',
    },
    en: {
      subject: '[Reminder] Case {caseId}[[ ({unitName})]]: {task} due {dueAt}',
      text: 'The "{task}" step of case {caseId}[[ (unit: {unitName}; category: {category})]] is due {dueAt}. Please act in time.[[ Current stage: {stage}.]][[\nYour tasks: {inboxUrl}]][[\nThe case: {caseUrl}]]',
    },
  },
  escalation: {
    zh: {
      subject: '【督办】案件 {caseId}[[（{unitName}）]]：“{task}”已逾期',
      text:
        '[[{recipientName}：\n]]案件 {caseId}[[（申请单位：{unitName}；类别：{category}）]]的“{task}”事项[[（责任方：{role}）]]已于 {dueAt} 到期，仍未办理' +
        '[[，这是第 {escalations} 次督办]]。请责任方尽快办理，监督部门督促落实。[[\n待办事项：{inboxUrl}]][[\n案件详情：{caseUrl}]]',
    },
    en: {
      subject: '[Escalation] Case {caseId}[[ ({unitName})]]: {task} overdue',
      text: 'The "{task}" step of case {caseId}[[ (unit: {unitName}; category: {category})]][[ (responsible: {role})]] was due {dueAt} and is still open[[; escalation no. {escalations}]]. Please follow up.[[\nYour tasks: {inboxUrl}]][[\nThe case: {caseUrl}]]',
    },
  },
  supplementRequested: {
    zh: {
      subject: '【补正通知】案件 {caseId} 需要补正材料，请于 {dueAt} 前提交',
      text: '[[{recipientName}：\n]]组织部门要求案件 {caseId}[[（类别：{category}）]]补正材料[[：{items}]]。\n请于 {dueAt} 前提交补正材料；逾期未补正的，案件将终结。[[\n待办事项：{inboxUrl}]][[\n案件详情：{caseUrl}]]',
    },
    en: {
      subject: '[Supplement] Case {caseId} needs more material by {dueAt}',
      text: 'The organization department asks for more material on case {caseId}[[ (category: {category})]][[: {items}]]. Please submit it by {dueAt}; without it the case will be closed.[[\nYour tasks: {inboxUrl}]][[\nThe case: {caseUrl}]]',
    },
  },
  decision: {
    zh: {
      subject: '【办理结果】案件 {caseId}：{step}结果为{decision}',
      text: '[[{recipientName}：\n]]案件 {caseId}[[（申请单位：{unitName}；类别：{category}）]]的{step}结果为：{decision}。[[理由：{reason}]][[\n案件详情：{caseUrl}]]',
    },
    en: {
      subject: '[Decision] Case {caseId}: {step}: {decision}',
      text: 'The {step} of case {caseId} resulted in: {decision}.[[ Reasons: {reason}]]',
    },
  },
  rulingNotice: {
    zh: {
      subject: '【认定告知】案件 {caseId}[[（{unitName}）]]容错认定结果',
      text:
        '[[{recipientName}：\n]]经认定，案件 {caseId}[[（类别：{category}）]]的处理结果为：{outcome}[[，影响期 {influenceMonths} 个月]][[，建议运用第 {recommendedForm} 种形态处理]]。' +
        '[[\n如对认定结果有异议，可于 {appealDueAt} 前申请复核（申诉）；逾期未申请的，认定结果即为最终结果。]][[\n待办事项：{inboxUrl}]][[\n案件详情：{caseUrl}]]',
    },
    en: {
      subject: '[Ruling] Case {caseId}: tolerance ruling',
      text: 'The ruling on case {caseId} is: {outcome}[[, with an influence period of {influenceMonths} months]][[, recommending form {recommendedForm} of discipline]].[[ An appeal may be filed until {appealDueAt}.]]',
    },
  },
  rulingNoticeToCadre: {
    zh: {
      subject: '【认定告知】涉及您的容错纠错案件 {caseId} 已有认定结果',
      text:
        '您好：\n涉及您的容错纠错案件 {caseId}（申请单位：{unitName}；类别：{category}）[[经申诉复核，{decision}，]]认定结果为：{outcome}' +
        '[[，影响期 {influenceMonths} 个月]][[，建议运用第 {recommendedForm} 种形态处理]]。' +
        '[[\n如对认定结果有异议，可通过所在单位于 {appealDueAt} 前申请复核（申诉）。]]\n如有疑问，请与所在单位联系。本通知由容错纠错系统自动发送，请勿回复。',
    },
    en: {
      subject: '[Ruling] Your error-tolerance case {caseId} has been ruled on',
      text:
        'The error-tolerance case {caseId} concerning you (unit: {unitName}; category: {category}) has been ruled on[[ after reconsideration ({decision})]]: {outcome}' +
        '[[, with an influence period of {influenceMonths} months]][[, recommending form {recommendedForm} of discipline]].' +
        '[[\nAn appeal may be filed through your unit until {appealDueAt}.]]\nFor questions, please contact your unit. This notice was sent automatically.',
    },
  },
  handOff: {
    zh: {
      subject: '【移交】案件 {caseId} 移交纪检监察机关',
      text: '[[{recipientName}：\n]]案件 {caseId}[[（申请单位：{unitName}；类别：{category}）]]不予容错，现移交纪检监察机关依规依纪依法处理。移交原因：{reason}[[；建议运用第 {recommendedForm} 种形态]][[；触发规则：{ruleIds}]]。',
    },
    en: {
      subject: '[Hand-off] Case {caseId} handed to discipline inspection',
      text: 'Case {caseId} is not tolerated and is handed to discipline inspection. Reason: {reason}[[; recommended form {recommendedForm}]][[; rules: {ruleIds}]].',
    },
  },
  rulingReport: {
    zh: {
      subject: '【报备】案件 {caseId}[[（{unitName}）]]容错认定结果',
      text: '[[{recipientName}：\n]]案件 {caseId}[[（申请单位：{unitName}；类别：{category}）]]的容错认定结果为：{outcome}。现报纪检监察机关汇总，抄送组织部门。[[\n案件详情：{caseUrl}]]',
    },
    en: {
      subject: '[Report] Case {caseId}: ruling for the record',
      text: 'The ruling on case {caseId}[[ (unit: {unitName}; category: {category})]] is: {outcome}. Reported to discipline inspection, copied to the organization department.',
    },
  },
  expertInvitation: {
    zh: {
      subject: '【邀请】案件 {caseId} 专家（第三方）评估，请于 {dueAt} 前提交意见',
      text: '您好：\n您受邀对案件 {caseId}[[（申请单位：{unitName}；类别：{category}）]]出具专家（第三方）评估意见，请于 {dueAt} 前提交。[[\n待办事项：{inboxUrl}]][[\n案件详情：{caseUrl}]]',
    },
    en: {
      subject: '[Invitation] Expert review of case {caseId}, due {dueAt}',
      text: 'You are invited to give an expert (third-party) opinion on case {caseId}[[ (unit: {unitName}; category: {category})]]. Please submit it by {dueAt}.[[\nYour tasks: {inboxUrl}]][[\nThe case: {caseUrl}]]',
    },
  },
  measureOverdue: {
    zh: {
      subject: '【逾期】案件 {caseId} 纠错措施逾期未完成',
      text: '[[{recipientName}：\n]]案件 {caseId}[[（申请单位：{unitName}；类别：{category}）]]的纠错措施“{measure}”已于 {dueDate} 到期，尚未完成。请尽快落实并报告进展。[[\n待办事项：{inboxUrl}]][[\n案件详情：{caseUrl}]]',
    },
    en: {
      subject: '[Overdue] Case {caseId}: correction measure overdue',
      text: 'The correction measure "{measure}" of case {caseId} was due on {dueDate} and is not done. Please complete it and report progress.',
    },
  },
  revisitDue: {
    zh: {
      subject: '【回访】案件 {caseId}[[（{unitName}）]]：请于 {dueAt} 前完成回访',
      text:
        '[[{recipientName}：\n]]按照“谁容错、谁回访”的要求，案件 {caseId}[[（申请单位：{unitName}；类别：{category}）]]的第 {monthOffset} 个月回访（{tier}）应于 {dueAt} 前完成，' +
        '请记录思想动态、工作表现和生活情况。[[\n待办事项：{inboxUrl}]][[\n案件详情：{caseUrl}]]',
    },
    en: {
      subject: '[Revisit] Case {caseId}: revisit due',
      text: 'Whoever tolerates, revisits: the month-{monthOffset} revisit of case {caseId} ({tier}) is due {dueAt}. Please record thinking, work performance and life situation.',
    },
  },
  recordFailed: {
    zh: {
      subject: '【记录异常】案件 {caseId} 的办理记录未能写入档案系统',
      text: '档案系统拒绝写入案件 {caseId} 自第 {seq} 条起的办理记录（{error}）。案件照常办理，系统将每小时重试，直至写入成功[[；已重试 {attempts} 次]]。请协调运维人员处理。',
    },
    en: {
      subject: '[Record failure] Case {caseId}: entries not written to the record system',
      text: 'The record system refused the entries of case {caseId} from no. {seq} on ({error}). The case goes on; the entries are retried every hour until they are written[[; {attempts} attempts so far]]. Please have the operators look into it.',
    },
  },
  deadlineChanged: {
    zh: {
      subject: '【期限调整】案件 {caseId}：{task}期限已调整',
      text: '[[{recipientName}：\n]]国务院办公厅公布了 {year} 年节假日安排，案件 {caseId}[[（申请单位：{unitName}；类别：{category}）]]的“{task}”事项期限由 {from} 调整为 {dueAt}。[[\n待办事项：{inboxUrl}]][[\n案件详情：{caseUrl}]]',
    },
    en: {
      subject: '[Deadline moved] Case {caseId}: {task}',
      text: 'The State Council published the {year} holiday arrangements: the "{task}" step of case {caseId} is now due {dueAt} instead of {from}.',
    },
  },
  exclusionReport: {
    zh: {
      subject: '【甄别排除报告】案件 {caseId} 经边界甄别被排除',
      text: '案件 {caseId} 在{phase}阶段的边界甄别中触发以下规则：{rules}。请于 {dueAt} 前确认排除结论；如触发排除的申报情形经核实不属实，可说明理由改送调查核实（可否改送：{overridable}）。逾期未办理的，排除结论视为确认，案件以“经甄别不属于容错范围”结案。',
    },
    en: {
      subject: '[Exclusion] Case {caseId} was excluded by screening',
      text: 'Screening of case {caseId} at {phase} fired these rules: {rules}. Please confirm the exclusion by {dueAt}; if a declared circumstance that fired is found false, you may send the case on to investigation with your reason (possible here: {overridable}). Without an answer by then the exclusion stands and the case closes as not tolerable.',
    },
  },
  influencePeriodEnded: {
    zh: {
      subject: '【影响期届满】案件 {caseId} 的影响期已届满',
      text: '案件 {caseId} 从轻或减轻处理的影响期（{from} 至 {until}）已届满。请在干部考核、选拔任用等工作中据此掌握；回访完成后案件办结。',
    },
    en: {
      subject: '[Influence period ended] Case {caseId}',
      text: 'The influence period of the mitigated ruling on case {caseId} ({from} to {until}) has ended. Please take it into account in evaluations and appointments; the case closes once its revisits are done.',
    },
  },
  abuseSignal: {
    zh: {
      subject: '【监督提示】案件 {caseId}[[（{unitName}）]]：{signal}',
      text:
        '[[{recipientName}：\n]]案件 {caseId}（申请单位：{unitName}；类别：{category}）触发容错纠错监督信号：{signal}。\n{explanation}\n' +
        '监督信号依据规程设定的条件自动提示，不代表认定有误，请按照防止容错机制滥用的要求予以关注、核实。[[\n案件详情：{caseUrl}]]',
    },
    en: {
      subject: '[Oversight] Case {caseId}[[ ({unitName})]]: {signal}',
      text: 'Case {caseId} (unit: {unitName}; category: {category}) raised an abuse signal: {signal}.\n{explanationEn}\nA signal follows from the conditions the policy sets and is not a finding; please look into it.[[\nThe case: {caseUrl}]]',
    },
  },
  periodicReport: {
    zh: {
      subject: '【定期报告】{title}',
      text:
        '[[{recipientName}：\n]]{localityName}{periodLabel}的{title}已生成：申请 {applications} 件，认定生效 {decided} 件，容错率 {toleranceRate}；' +
        '预警信号 {signals} 项，逾期待办 {overdue} 项。报告仅含汇总数据和案件编号，不含个人信息。[[\n报告（网页，可打印）：{htmlUrl}]][[\n报告数据：{reportUrl}]]',
    },
    en: {
      subject: '[Periodic report] {title}',
      text:
        'The report of {localityName} for {periodLabel} is ready: {applications} applications, {decided} final rulings, tolerance rate {toleranceRate}; ' +
        '{signals} signals, {overdue} overdue tasks. Aggregate figures and case numbers only.[[\nThe report (web page, printable): {htmlUrl}]][[\nIts data: {reportUrl}]]',
    },
  },
  caseClosed: {
    zh: {
      subject: '【结案】案件 {caseId} 已办结',
      text: '[[{recipientName}：\n]]案件 {caseId}[[（申请单位：{unitName}；类别：{category}）]]已办结[[（{closeReason}）]]。',
    },
    en: {
      subject: '[Closed] Case {caseId}',
      text: 'Case {caseId} is closed[[ ({closeReason})]].',
    },
  },
  deliveryFailed: {
    zh: {
      subject: '【通知失败】案件 {caseId} 的通知未能送达',
      text: '案件 {caseId} 的“{template}”通知未能送达，且不再自动重试：{failures}。请核实联系方式，并另行告知相关人员。',
    },
    en: {
      subject: '[Delivery failed] Case {caseId}: a notification was not delivered',
      text: 'The "{template}" notification of case {caseId} could not be delivered and will not be retried: {failures}. Please check the contact details and inform the people concerned.',
    },
  },
};

type Labels = Record<string, Words>;
const taskLabels: Labels = { ...taskWords, notification: { zh: '通知送达', en: 'notification delivery' } };
const decisionLabels: Labels = {
  accept: { zh: '予以受理', en: 'accepted' },
  refuse: { zh: '不予受理', en: 'refused' },
  requestSupplement: { zh: '要求补正', en: 'supplement requested' },
  approve: { zh: '审核通过', en: 'approved' },
  return: { zh: '退回重新认定', en: 'returned' },
  uphold: { zh: '维持原认定', en: 'upheld' },
  overturn: { zh: '撤销原认定', en: 'overturned' },
  concur: { zh: '同意', en: 'concur' },
  object: { zh: '不同意', en: 'object' },
};
const handOffReasonLabels: Labels = {
  screening: { zh: '边界甄别触及负面清单或不属于容错范围', en: 'screening excluded the case' },
  denied: { zh: '经认定不予容错', en: 'the ruling denied tolerance' },
};
const templateLabels: Labels = {
  caseOpened: { zh: '新案件', en: 'new case' },
  taskOpened: { zh: '待办事项', en: 'new task' },
  rulingNoticeToCadre: { zh: '认定告知（干部本人）', en: 'ruling notice to the cadre' },
  reminder: { zh: '到期提醒', en: 'reminder' },
  escalation: { zh: '逾期督办', en: 'escalation' },
  supplementRequested: { zh: '补正通知', en: 'supplement request' },
  decision: { zh: '办理结果', en: 'decision' },
  rulingNotice: { zh: '认定告知', en: 'ruling notice' },
  handOff: { zh: '移交纪检监察', en: 'hand-off' },
  rulingReport: { zh: '认定报备', en: 'ruling report' },
  expertInvitation: { zh: '专家邀请', en: 'expert invitation' },
  measureOverdue: { zh: '措施逾期', en: 'overdue measure' },
  revisitDue: { zh: '回访提醒', en: 'revisit reminder' },
  caseClosed: { zh: '结案', en: 'case closed' },
  deadlineChanged: { zh: '期限调整', en: 'deadline moved' },
  recordFailed: { zh: '记录异常', en: 'record failure' },
  exclusionReport: { zh: '甄别排除报告', en: 'exclusion report' },
  influencePeriodEnded: { zh: '影响期届满', en: 'influence period ended' },
  abuseSignal: { zh: '监督提示', en: 'abuse signal' },
  periodicReport: { zh: '定期报告', en: 'periodic report' },
};
const phaseLabels: Labels = {
  application: { zh: '受理', en: 'acceptance' },
  investigation: { zh: '调查核实', en: 'investigation' },
};

const labelsByVar: Record<string, Labels> = {
  task: taskLabels,
  step: taskLabels,
  outcome: outcomeWords,
  category: categoryWords,
  tier: tierWords,
  newTier: tierWords,
  role: roleWords,
  stage: stageWords,
  closeReason: closeReasonWords,
  decision: decisionLabels,
  reason: handOffReasonLabels,
  template: templateLabels,
  phase: phaseLabels,
  signal: signalWords,
};

const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/;

/** An instant in Beijing time (UTC+8 all year), to the minute. */
function inBeijingTime(iso: string, lang: Lang): string {
  const text = beijingTime(iso);
  return lang === 'zh' ? `${text}（北京时间）` : `${text} (Beijing time)`;
}

function formatValue(name: string, value: string | number | boolean, lang: Lang): string {
  if (typeof value === 'boolean') return lang === 'zh' ? (value ? '是' : '否') : value ? 'yes' : 'no';
  if (typeof value === 'number') return String(value);
  const label = labelsByVar[name]?.[value];
  if (label) return label[lang];
  if ((name.endsWith('At') || name === 'from') && ISO_INSTANT.test(value) && !Number.isNaN(Date.parse(value))) return inBeijingTime(value, lang);
  return value;
}

export type TemplateVars = Record<string, string | number | boolean | undefined>;

const PLACEHOLDER = /\{([A-Za-z][A-Za-z0-9_]*)\}/g;
const OPTIONAL = /\[\[((?:(?!\]\])[\s\S])*)\]\]/g;

const present = (vars: TemplateVars, name: string) => vars[name] !== undefined && vars[name] !== '';

/** Fills one text; placeholders without a value become '—' and are listed in `missing`. */
export function fill(text: string, vars: TemplateVars, lang: Lang, missing: Set<string> = new Set()): string {
  const withOptional = text.replace(OPTIONAL, (_, inner: string) => {
    const names = [...inner.matchAll(PLACEHOLDER)].map((m) => m[1] as string);
    return names.every((n) => present(vars, n)) ? inner : '';
  });
  return withOptional.replace(PLACEHOLDER, (_, name: string) => {
    const value = vars[name];
    if (value === undefined || value === '') {
      missing.add(name);
      return '—';
    }
    return formatValue(name, value, lang);
  });
}

export interface RenderedText extends TemplateText {
  lang: Lang;
}
export interface Rendered extends RenderedText {
  /** The English text, always rendered, for webhooks and readers without Chinese. */
  en: TemplateText;
  /** Placeholders that had no value. */
  missing: string[];
}

/** The Chinese text of a template (English where Chinese is missing), plus the English one. */
export function renderTemplate(name: TemplateName, vars: TemplateVars, catalog: TemplateCatalog = templates): Rendered {
  const entry = catalog[name];
  if (!entry) throw new RangeError(`no notification template named ${JSON.stringify(name)}`);
  const missing = new Set<string>();
  const enMissing = new Set<string>();
  const en = { subject: fill(entry.en.subject, vars, 'en', enMissing), text: fill(entry.en.text, vars, 'en', enMissing) };
  const zhSubject = entry.zh?.subject;
  const zhText = entry.zh?.text;
  const subject = zhSubject ? fill(zhSubject, vars, 'zh', missing) : fill(entry.en.subject, vars, 'en', missing);
  const text = zhText ? fill(zhText, vars, 'zh', missing) : fill(entry.en.text, vars, 'en', missing);
  return { lang: zhText ? 'zh' : 'en', subject, text, en, missing: [...missing] };
}
