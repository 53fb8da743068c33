/**
 * Every human action on a case, each defined once: its name (also its Update's name and the last
 * segment of its route), its route, the roles that may take it, its body schema with an example, the
 * checks beyond the schema, and its effect. The API's routes, the OpenAPI document, the workflow's
 * Update handlers and guards, and the role-matrix tests are all derived from this table; the stages
 * that allow each action come from the transition table.
 */
import { defineUpdate } from '@temporalio/workflow';
import type { UpdateDefinition } from '@temporalio/common';
import { z } from 'zod';
import {
  acceptanceSchema,
  appealSchema,
  consultationSchema,
  correctionPlanSchema,
  effectTrackingSchema,
  exclusionConfirmationSchema,
  exclusionOverrideSchema,
  expertInvitationSchema,
  handOffOutcomeSchema,
  expertOpinionSchema,
  investigationSchema,
  measureProgressSchema,
  measureVerificationSchema,
  reconsiderationSchema,
  revisitSchema,
  rulingProposalSchema,
  rulingReviewSchema,
  supplementSchema,
  withdrawalSchema,
  type Actor,
  type CaseState,
  type Role,
} from '../../domain/case';
import { sampleApplication, sampleEvidence } from '../../domain/examples';
import { outcomeLabels, unitLabel } from '../../domain/labels';
import { ActionRejected, type Action } from '../messages';
import { reject, type CaseMachine } from './machine';
import { applyAcceptance, applySupplement, applyWithdrawal } from './parts/intake';
import { applyInvestigation } from './parts/assessment';
import { applyConsultation, applyExpertInvitation, applyExpertOpinion } from './parts/experts';
import { applyAppeal, applyReconsideration, applyRulingProposal, applyRulingReview, currentRuling } from './parts/ruling';
import { applyCorrectionPlan, applyMeasureProgress, applyMeasureVerification } from './parts/remediation';
import { applyRevisit, dueRevisit } from './parts/follow-up';
import { applyExclusionConfirmation, applyExclusionOverride, circumstanceList, overridableCircumstances } from './parts/exclusion';
import { applyHandOffOutcome } from './parts/hand-off';
import { applyEffectTracking, dueEffectTracking } from './parts/effect-tracking';
import { caseSuggestions, unansweredSuggestions, suggestionText } from './parts/suggestions';

/** The id of a correction measure, from the route's path. */
export const measureIdSchema = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'a measure id');

export interface ActionSpec<N extends string = string, S extends z.ZodType = z.ZodType, I = unknown> {
  name: N;
  summary: string;
  /** The route below /v1/cases/:caseId. */
  path: string;
  roles: readonly Role[];
  /** The request body. */
  body: S;
  /** The Update's input: the body, plus the measure id for measure routes. */
  input: z.ZodType<I>;
  example: z.input<S>;
  update: UpdateDefinition<CaseState, [Action<I>], N>;
  /** The action needs the record lookup the case asked for on entering the stage. */
  needsLookup?: boolean;
  /** Rules beyond the schema and the stage (four eyes, windows, policy limits). */
  check?(m: CaseMachine, actor: Actor, input: I): void;
  /** A more precise refusal than "wrong stage" when the stage does not allow the action. */
  outOfStage?(m: CaseMachine): void;
  apply(m: CaseMachine, actor: Actor, input: I): void;
}

type Shape<N extends string, S extends z.ZodType, I> = Omit<ActionSpec<N, S, I>, 'name' | 'update' | 'input' | 'path'> & { path?: string };

const kebab = (name: string) => name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

function action<N extends string, S extends z.ZodType>(name: N, shape: Shape<N, S, z.output<S>>): ActionSpec<N, S, z.output<S>> {
  return { name, path: `/${kebab(name)}`, ...shape, input: shape.body as unknown as z.ZodType<z.output<S>>, update: defineUpdate<CaseState, [Action<z.output<S>>], N>(name) };
}

/** A measure's action: its route names the measure, which joins the body as `measureId`. */
function measureAction<N extends string, S extends z.ZodObject>(name: N, path: string, shape: Shape<N, S, z.output<S> & { measureId: string }>): ActionSpec<N, S, z.output<S> & { measureId: string }> {
  const input = (shape.body as z.ZodObject).extend({ measureId: measureIdSchema }) as unknown as z.ZodType<z.output<S> & { measureId: string }>;
  return { name, ...shape, path, input, update: defineUpdate<CaseState, [Action<z.output<S> & { measureId: string }>], N>(name) };
}

const factor = (score: number, note: string) => ({ score, note });

/** 谁容错、谁回访: only the body that made the ruling revisits and tracks the decision's effect. */
function rulingBodyOnly(m: CaseMachine, actor: Actor, what: string): void {
  const body = m.rulingBody();
  if (body && actor.unit !== body) {
    const name = unitLabel(body, m.s.jurisdiction?.names);
    reject(ActionRejected.forbidden, `谁容错、谁回访：本案${what}由作出认定的 ${name === body ? body : `${name}（${body}）`} 负责`);
  }
}
function maxInfluence(m: CaseMachine, months: number | undefined, path: string): void {
  if (months !== undefined && months > m.policy.mitigation.maxInfluenceMonths) {
    reject(ActionRejected.invalidInput, `${path}：本规程规定影响期最长 ${m.policy.mitigation.maxInfluenceMonths} 个月`);
  }
}

export const actionSpecs = {
  acceptance: action('acceptance', {
    summary: 'Accept or refuse an application, or ask the unit for a supplement (受理).',
    roles: ['organization'],
    body: acceptanceSchema,
    example: { decision: 'accept' },
    needsLookup: true,
    apply: applyAcceptance,
  }),
  supplement: action('supplement', {
    summary: 'Supplement an application the organization department asked to complete (补正).',
    roles: ['unit'],
    body: supplementSchema,
    example: { note: '补充提交集体决策会议纪要。', evidence: [sampleEvidence] },
    check(m) {
      if (m.task('supplement')?.overdue) reject(ActionRejected.windowClosed, '补正期限已过');
    },
    apply: applySupplement,
  }),
  withdrawal: action('withdrawal', {
    summary: 'Withdraw the application (before the ruling).',
    roles: ['unit'],
    body: withdrawalSchema,
    example: { reason: '有关事项已由省级部门统一处理，申请撤回。' },
    check(m) {
      if (m.s.origin === 'referral') reject(ActionRejected.forbidden, '本案由纪检监察机关移送启动，申请单位不能撤回');
      if (m.s.appeal) reject(ActionRejected.wrongStage, '本案已作出认定并经申诉复核，不能撤回');
    },
    apply: applyWithdrawal,
  }),
  investigation: action('investigation', {
    summary: 'Submit the investigation findings: six factor scores, evaluation, confirmed circumstances (调查核实).',
    roles: ['organization'],
    body: investigationSchema,
    example: {
      factors: {
        motive: factor(9, '为加快项目审批、服务投资主体。'),
        conditions: factor(8, '省级细则尚未出台。'),
        procedure: factor(7, '经集体决策，但未进行合法性审查。'),
        nature: factor(8, '属行政过错，无谋私情形。'),
        consequence: factor(7, '撤销两项审批，损失有限。'),
        recovery: factor(9, '两个月内挽回大部分损失。'),
      },
      evaluation: '属改革试点中的探索性失误；一贯表现良好；积极挽回损失。',
      confirmedCircumstances: sampleApplication.circumstances,
    },
    needsLookup: true,
    apply: applyInvestigation,
  }),
  expertInvitation: action('expertInvitation', {
    summary: 'Invite experts or third-party assessors (专家/第三方评估).',
    roles: ['organization'],
    body: expertInvitationSchema,
    example: { experts: ['expert-amy', 'expert-bo', 'expert-chen'] },
    check(m, actor, input) {
      if (input.experts.includes(actor.sub)) reject(ActionRejected.fourEyes, '组织部门人员不能邀请本人担任专家');
      const again = input.experts.filter((e) => m.s.experts.invited.includes(e));
      if (again.length) reject(ActionRejected.invalidInput, `experts：已邀请 ${again.join('、')}`);
      const total = m.s.experts.invited.length + input.experts.length;
      if (total > m.policy.experts.count) reject(ActionRejected.invalidInput, `experts：本规程最多邀请 ${m.policy.experts.count} 名专家，已邀请 ${m.s.experts.invited.length} 名`);
      if (total < m.policy.experts.quorum) reject(ActionRejected.invalidInput, `experts：须至少邀请 ${m.policy.experts.quorum} 名专家（法定人数），否则评估无法达到法定人数`);
    },
    apply: applyExpertInvitation,
  }),
  expertOpinion: action('expertOpinion', {
    summary: 'Give an invited expert’s opinion.',
    roles: ['expert'],
    body: expertOpinionSchema,
    example: {
      recommendation: 'exempt',
      opinion: '在当时掌握的情况下，该决策是合理的。',
      report: { title: '第三方评估报告', uri: 'https://files.example.gov.cn/reports/2026-014.pdf', sha256: sampleEvidence.sha256 },
      suggestions: ['建立审批事项合法性审查前置环节。'],
    },
    check(m, actor) {
      if (m.s.experts.opinions.some((o) => o.by === actor.sub)) reject(ActionRejected.wrongStage, '该专家已提交过意见');
    },
    apply: applyExpertOpinion,
  }),
  consultation: action('consultation', {
    summary: 'Give discipline inspection’s consultation opinion (会商).',
    roles: ['discipline'],
    body: consultationSchema,
    example: { opinion: 'concur', reasons: '未发现谋取私利或明知故犯情形。' },
    apply: applyConsultation,
  }),
  rulingProposal: action('rulingProposal', {
    summary: 'Propose the ruling: exempt, mitigate or deny (认定).',
    roles: ['organization'],
    body: rulingProposalSchema,
    example: { outcome: 'exempt', tier: 'incentive', reasons: '属可容错情形（一）；综合得分86分；专家意见一致。' },
    check(m, actor, input) {
      // The ruling body revisits (谁容错、谁回访): the proposer's department must be known.
      if (!actor.unit) reject(ActionRejected.forbidden, '提出认定意见须以所在组织部门的名义办理：令牌缺少 unit（所属机构）');
      if (m.s.consultation?.opinion === 'object' && !input.objectionResponse) {
        reject(ActionRejected.invalidInput, 'objectionResponse：纪检监察机关在会商中提出了反对意见，认定意见须作出书面回应');
      }
      if (input.outcome === 'mitigate') maxInfluence(m, input.influenceMonths, 'influenceMonths');
      // The replacement of a ruling overturned on appeal has the outcome the reconsideration called for, if it named one.
      const called = m.s.appeal?.decision?.decision === 'overturn' ? m.s.appeal.decision.replacement : undefined;
      if (called && input.outcome !== called.outcome) {
        reject(ActionRejected.invalidInput, `outcome：申诉复核撤销原认定时确定改为“${outcomeLabels[called.outcome]}”，替代认定意见须与之一致`);
      }
      const a = m.s.assessment;
      if (a && input.outcome !== a.suggested && !input.justification) {
        reject(ActionRejected.invalidInput, `justification：认定结果超出建议档次（${a.suggested}，综合得分 ${a.composite}），须书面说明理由`);
      }
    },
    apply: applyRulingProposal,
  }),
  rulingReview: action('rulingReview', {
    summary: 'Approve or return a proposed ruling (审核); never by its proposer.',
    roles: ['committee'],
    body: rulingReviewSchema,
    example: { decision: 'approve', comments: '理由充分，证据确实。' },
    check(m, actor) {
      if (currentRuling(m)?.proposedBy === actor.sub) reject(ActionRejected.fourEyes, '四眼原则：认定意见的审核人不能是提出人');
    },
    apply: applyRulingReview,
  }),
  appeal: action('appeal', {
    summary: 'Appeal the ruling within the window (申诉).',
    roles: ['unit'],
    body: appealSchema,
    example: { grounds: '认定时未考虑已挽回的损失金额。' },
    check(m) {
      const window = m.task('appeal');
      if (!window || window.overdue || Date.parse(m.now) > Date.parse(window.dueAt)) reject(ActionRejected.windowClosed, '申诉期已届满');
    },
    outOfStage(m) {
      if (m.s.appeal) reject(ActionRejected.windowClosed, '申诉只能提出一次，本案已提出过申诉');
      if (m.s.rulings.some((r) => r.status === 'final')) reject(ActionRejected.windowClosed, '申诉期已届满');
    },
    apply: applyAppeal,
  }),
  reconsideration: action('reconsideration', {
    summary: 'Uphold or overturn the ruling on appeal (复核); not by the first reviewer.',
    roles: ['committee'],
    body: reconsiderationSchema,
    example: { decision: 'uphold', reasons: '挽回损失情况已在“挽回损失”因素中考虑。' },
    check(m, actor, input) {
      const ruling = currentRuling(m);
      if (ruling?.reviews.some((r) => r.by === actor.sub)) reject(ActionRejected.fourEyes, '四眼原则：申诉复核须由初审以外的人员作出');
      if (ruling?.proposedBy === actor.sub) reject(ActionRejected.fourEyes, '四眼原则：认定意见的提出人不能复核其申诉');
      if (input.replacement?.outcome === 'mitigate') maxInfluence(m, input.replacement.influenceMonths, 'replacement.influenceMonths');
    },
    apply: applyReconsideration,
  }),
  exclusionConfirmation: action('exclusionConfirmation', {
    summary: 'Confirm a screening exclusion (确认甄别排除): the case closes as excluded, handed to discipline inspection where the rule says so.',
    roles: ['organization'],
    body: exclusionConfirmationSchema,
    example: { comments: '经核实，申报情形属实，确认排除。' },
    apply: applyExclusionConfirmation,
  }),
  exclusionOverride: action('exclusionOverride', {
    summary: 'Find the declared circumstances that excluded the case false and send it on to investigation (改送调查核实).',
    roles: ['organization'],
    body: exclusionOverrideSchema,
    example: { reason: '经向有关部门核实，申报的“谋取私利”系填报错误，相关款项已全额上缴财政。', falseCircumstances: ['privateGain'] },
    check(m, _actor, input) {
      const fired = overridableCircumstances(m);
      if (!fired) {
        reject(ActionRejected.invalidInput, `本案因 ${m.s.exclusion?.ruleIds.join('、')} 被排除，其中有不属于申报情形的规则（容错范围或同类再犯），只能确认排除结论`);
      }
      const missing = fired.filter((c) => !input.falseCircumstances.includes(c));
      if (missing.length) reject(ActionRejected.invalidInput, `falseCircumstances：须逐项说明触发排除的情形不属实，缺少 ${circumstanceList(missing)}`);
      const other = input.falseCircumstances.filter((c) => !fired.includes(c));
      if (other.length) reject(ActionRejected.invalidInput, `falseCircumstances：${circumstanceList(other)} 未触发本次排除`);
    },
    apply: applyExclusionOverride,
  }),
  handOffOutcome: action('handOffOutcome', {
    summary: 'Record what discipline inspection made of a case handed to it (移交处理结果); the case closes.',
    roles: ['discipline'],
    body: handOffOutcomeSchema,
    example: { disposition: 'sanctioned', form: 1, note: '已对当事人进行谈话提醒，并责令作出书面检查。' },
    apply: applyHandOffOutcome,
  }),
  correctionPlan: action('correctionPlan', {
    summary: 'Issue the correction opinion with its measures (纠错).',
    roles: ['organization'],
    body: correctionPlanSchema,
    example: {
      opinion: '完善审批规则，对审批人员开展再培训。',
      measures: [{ title: '出台审批规则', description: '制定并公布“一窗受理”审批规则。', dueDate: '2027-06-30' }],
    },
    check(m, _actor, input) {
      if (m.s.correctionPlan) reject(ActionRejected.wrongStage, '纠错方案已经下达');
      const today = new Date(Date.parse(m.now) + 8 * 3600_000).toISOString().slice(0, 10);
      const past = input.measures.filter((x) => x.dueDate < today);
      if (past.length) reject(ActionRejected.invalidInput, `measures：整改期限不能早于今天（${past.map((x) => x.dueDate).join('、')}）`);
      // Every correction suggestion of the expert (third-party) opinions is answered: adopted as a measure, or not with a reason.
      const known = new Set(caseSuggestions(m).map((x) => x.id));
      const unknown = (input.suggestionResponses ?? []).filter((r) => !known.has(r.suggestionId)).map((r) => r.suggestionId);
      if (unknown.length) reject(ActionRejected.invalidInput, `suggestionResponses：本案没有编号为 ${unknown.join('、')} 的纠错建议`);
      const missing = unansweredSuggestions(m, input.suggestionResponses ?? []);
      if (missing.length) {
        reject(
          ActionRejected.invalidInput,
          `suggestionResponses：纠错方案须逐条回应专家（第三方）评估意见提出的纠错建议，以下建议未作回应：${missing.map(suggestionText).join('；')}。请逐条说明采纳（列明落实的整改措施序号）或不予采纳的理由`,
        );
      }
    },
    apply: applyCorrectionPlan,
  }),
  measureProgress: measureAction('measureProgress', '/measures/:measureId/progress', {
    summary: 'Report progress on a correction measure.',
    roles: ['unit'],
    body: measureProgressSchema,
    example: { progress: '规则草案已印发征求意见。', percent: 60, completed: false },
    check(m, _actor, input) {
      const measure = m.s.measures.find((x) => x.id === input.measureId);
      if (!measure) reject(ActionRejected.notFound, `整改措施 ${input.measureId} 不存在`);
      if (measure.status === 'verified') reject(ActionRejected.wrongStage, `整改措施 ${measure.id} 已核实`);
    },
    apply: applyMeasureProgress,
  }),
  measureVerification: measureAction('measureVerification', '/measures/:measureId/verification', {
    summary: 'Verify a correction measure.',
    roles: ['organization'],
    body: measureVerificationSchema,
    example: { verified: true, comments: '规则已于2027年5月20日公布。' },
    check(m, _actor, input) {
      const measure = m.s.measures.find((x) => x.id === input.measureId);
      if (!measure) reject(ActionRejected.notFound, `整改措施 ${input.measureId} 不存在`);
      if (measure.status !== 'completed') reject(ActionRejected.wrongStage, `整改措施 ${measure.id} 尚未报告完成（${measure.status}），须先由单位报告完成`);
    },
    apply: applyMeasureVerification,
  }),
  revisit: action('revisit', {
    summary: 'Record a revisit (回访); by the body that made the ruling.',
    roles: ['organization'],
    body: revisitSchema,
    example: { thinking: '思想积极，能够吸取教训。', workPerformance: '牵头审批改革专班，目标按期完成。', lifeSituation: '稳定。', assessment: '状态良好。' },
    check(m, actor) {
      rulingBodyOnly(m, actor, '回访');
      if (!dueRevisit(m)) {
        const next = m.s.revisits.find((r) => r.status === 'scheduled');
        reject(ActionRejected.wrongStage, next ? `尚无到期的回访；下一次回访于 ${next.scheduledFor.slice(0, 10)} 开始` : '没有待进行的回访');
      }
    },
    apply: applyRevisit,
  }),
  effectTracking: action('effectTracking', {
    summary: 'Record how the reform decision at stake has turned out (决策执行效果跟踪评价); by the body that made the ruling, at the times the policy sets.',
    roles: ['organization'],
    body: effectTrackingSchema,
    example: { reformDecision: 'sustained', results: '“一窗受理”改革继续实施，审批时限平均缩短40%，未再发生同类问题。', recoveredSinceRuling: 200000 },
    check(m, actor, input) {
      rulingBodyOnly(m, actor, '决策执行效果跟踪评价');
      if (!dueEffectTracking(m)) {
        const next = (m.s.effectTrackings ?? []).find((t) => t.status === 'planned');
        reject(ActionRejected.wrongStage, next ? `尚无到期的决策执行效果跟踪评价；下一次于 ${next.opensAt.slice(0, 10)} 开始` : '没有待进行的决策执行效果跟踪评价');
      }
      const { lossAmount, recoveredAmount } = m.s.application.incident;
      const open = Math.round((lossAmount - recoveredAmount) * 100) / 100;
      if (input.recoveredSinceRuling > open) {
        reject(ActionRejected.invalidInput, `recoveredSinceRuling：认定以来挽回的损失不能超过申请时尚未挽回的损失（${open} 元）`);
      }
    },
    apply: applyEffectTracking,
  }),
};

export type ActionName = keyof typeof actionSpecs;
export const actionNames = Object.keys(actionSpecs) as ActionName[];
export type AnyActionSpec = ActionSpec<ActionName, z.ZodType, unknown>;
export const actionSpec = (name: ActionName): AnyActionSpec => actionSpecs[name] as unknown as AnyActionSpec;

/** Each action's Update definition, by action name (for clients that call Temporal directly). */
export const updates = Object.fromEntries(actionNames.map((n) => [n, actionSpecs[n].update])) as { [K in ActionName]: (typeof actionSpecs)[K]['update'] };
