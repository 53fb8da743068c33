/**
 * What the Temporal UI shows of a case: search attributes to filter on and the current details, in
 * Chinese. Codes, stages, dates and roles only: never a name, an id of a person or free text.
 *
 * The details are markdown. Their first line is the case at a glance (`summaryLine`), because the
 * static summary is fixed at start: stage, unit, category, the next deadline as a Beijing date and
 * 已逾期 when a wait is overdue. The details change exactly when the state they are made of changes,
 * and the workflow upserts the search attributes when either changes: anything added here must come
 * from what the details already show, or running cases would upsert at other moments on replay.
 */
import type { SearchAttributeUpdatePair } from '@temporalio/common';
import { beijingTime } from '../../domain/calendar';
import type { CaseState, Role } from '../../domain/case';
import { categoryLabel, closeReasonLabels, outcomeLabels, roleLabels, unitLabel } from '../../domain/labels';
import { searchAttributes as sa } from '../messages';

export interface Visibility {
  searchAttributes: SearchAttributeUpdatePair[];
  details: string;
}

/** The tasks already open at `now` (a revisit a year ahead is not awaited yet). */
export const openNow = (s: CaseState, now: number) => s.tasks.filter((t) => t.status === 'open' && Date.parse(t.opensAt) <= now);

/** An instant as its Beijing calendar date, `M月D日`. */
export function beijingMonthDay(instant: string): string {
  const [, month, day] = beijingTime(instant).slice(0, 10).split('-').map(Number);
  return `${month}月${day}日`;
}

/** The first line of the details, e.g. `待受理 · JS-NJ-FGW · 审批制度改革 · 12月8日截止 · 已逾期`. */
export function summaryLine(s: Pick<CaseState, 'stageLabel' | 'closeReason' | 'unitCode' | 'category' | 'jurisdiction'>, next: string | undefined, overdue: boolean): string {
  return [
    `${s.stageLabel}${s.closeReason ? `（${closeReasonLabels[s.closeReason]}）` : ''}`,
    unitLabel(s.unitCode, s.jurisdiction?.names),
    categoryLabel(s.category),
    ...(next ? [`${beijingMonthDay(next)}截止`] : []),
    ...(overdue ? ['已逾期'] : []),
  ].join(' · ');
}

export function visibilityOf(s: CaseState, now: number): Visibility {
  const open = openNow(s, now);
  const awaiting = [...new Set(open.map((t) => t.role))].sort() as Role[];
  const next = open.map((t) => t.dueAt).sort()[0];
  const overdue = open.some((t) => t.overdue);
  const searchAttributes: SearchAttributeUpdatePair[] = [
    { key: sa.stage, value: s.stage },
    { key: sa.outcome, value: s.outcome ?? null },
    { key: sa.unitCode, value: s.unitCode },
    { key: sa.category, value: s.category },
    { key: sa.awaiting, value: awaiting },
    { key: sa.nextDeadline, value: next ? new Date(next) : null },
    { key: sa.overdue, value: overdue },
    { key: sa.policyVersion, value: s.policyVersion },
    { key: sa.localities, value: s.jurisdiction?.path ?? [] },
  ];
  const ruling = s.rulings.at(-1);
  const tasks = open.map(
    (t) => `- ${t.label}（${roleLabels[t.role]}${t.body ? ` ${unitLabel(t.body, s.jurisdiction?.names)}` : ''}）截止 ${beijingTime(t.dueAt)}（北京时间）${t.provisional ? '（暂定）' : ''}${t.overdue ? ` — 已逾期，已督办 ${t.escalations} 次` : ''}`,
  );
  // Paragraphs apart, so markdown does not run them together.
  const blocks = [
    summaryLine(s, next, overdue),
    `**阶段：** ${s.stageLabel}${s.closeReason ? `（${closeReasonLabels[s.closeReason]}）` : ''}${s.outcome ? ` · **结果：** ${outcomeLabels[s.outcome]}` : ''}`,
    `**等待：** ${awaiting.map((r) => roleLabels[r]).join('、') || '—'}${next ? ` · **最近期限：** ${beijingTime(next)}（北京时间）` : ''}${overdue ? ' · **已逾期**' : ''}`,
    ...(tasks.length ? [tasks.join('\n')] : []),
    ...(ruling ? [`**认定：** ${ruling.outcomeLabel}（${ruling.status === 'final' ? '已生效' : ruling.status === 'superseded' ? '已被复核改变' : '未生效'}）${ruling.influenceMonths ? ` · 影响期 ${ruling.influenceMonths} 个月` : ''}`] : []),
    `规程 ${s.policyVersion} · 单位 ${unitLabel(s.unitCode, s.jurisdiction?.names) === s.unitCode ? s.unitCode : `${unitLabel(s.unitCode, s.jurisdiction?.names)}（${s.unitCode}）`} · 类别 ${categoryLabel(s.category)}`,
  ];
  return { searchAttributes, details: blocks.join('\n\n') };
}
