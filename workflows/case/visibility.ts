/**
 * What the Temporal UI shows of a case: search attributes to filter on and the current details, in
 * Chinese. Codes, stages, dates and roles only: never a name, an id of a person or free text.
 */
import type { SearchAttributeUpdatePair } from '@temporalio/common';
import { beijingTime } from '../../domain/calendar';
import type { CaseState, Role } from '../../domain/case';
import { closeReasonLabels, outcomeLabels, roleLabels } from '../../domain/labels';
import { searchAttributes as sa } from '../messages';

export interface Visibility {
  searchAttributes: SearchAttributeUpdatePair[];
  details: string;
}

/** The tasks already open at `now` (a revisit a year ahead is not awaited yet). */
export const openNow = (s: CaseState, now: number) => s.tasks.filter((t) => t.status === 'open' && Date.parse(t.opensAt) <= now);

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
  const lines = [
    `**阶段：** ${s.stageLabel}${s.closeReason ? `（${closeReasonLabels[s.closeReason]}）` : ''}${s.outcome ? ` · **结果：** ${outcomeLabels[s.outcome]}` : ''}`,
    `**等待：** ${awaiting.map((r) => roleLabels[r]).join('、') || '—'}${next ? ` · **最近期限：** ${beijingTime(next)}（北京时间）` : ''}${overdue ? ' · **已逾期**' : ''}`,
    ...open.map((t) => `- ${t.label}（${roleLabels[t.role]}${t.body ? ` ${t.body}` : ''}）截止 ${beijingTime(t.dueAt)}${t.provisional ? '（暂定）' : ''}${t.overdue ? ` — 已逾期，已督办 ${t.escalations} 次` : ''}`),
    ...(ruling ? [`**认定：** ${ruling.outcomeLabel}（${ruling.status === 'final' ? '已生效' : ruling.status === 'superseded' ? '已被复核改变' : '未生效'}）${ruling.influenceMonths ? ` · 影响期 ${ruling.influenceMonths} 个月` : ''}`] : []),
    `规程 ${s.policyVersion} · 单位 ${s.unitCode} · 类别 ${s.category}`,
  ];
  return { searchAttributes, details: lines.join('\n') };
}
