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
import type { SearchAttributeUpdatePair, TypedSearchAttributes } from '@temporalio/common';
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

/** The roles whose work a body of the case's jurisdiction does, and that body's kind there. */
const bodyKindOfRole = { organization: 'organization', discipline: 'discipline', committee: 'committee', supervisor: 'supervision' } as const;

/** Who the open tasks wait on, by name: the task's body, else the role's body in the case's jurisdiction (the unit for a unit's task), else the role. */
export function awaitedBodies(s: Pick<CaseState, 'unitCode' | 'jurisdiction'>, open: readonly Pick<CaseState['tasks'][number], 'role' | 'body'>[]): string[] {
  const names = s.jurisdiction?.names;
  const of = (t: (typeof open)[number]): string => {
    const code = t.body ?? (t.role === 'unit' ? s.unitCode : t.role in bodyKindOfRole ? s.jurisdiction?.bodies[bodyKindOfRole[t.role as keyof typeof bodyKindOfRole]] : undefined);
    return code ? unitLabel(code, names) : roleLabels[t.role];
  };
  return [...new Set(open.map(of))].sort();
}

/**
 * `options.names`: also the Chinese list columns (stage, awaited bodies, unit by name); a case that
 * ran before they existed upserts them from its next change on (the workflow asks `patched`).
 */
export function visibilityOf(s: CaseState, now: number, options: { names?: boolean } = {}): Visibility {
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
    ...(options.names
      ? [
          { key: sa.stageName, value: s.stageLabel },
          { key: sa.awaitingBodies, value: awaitedBodies(s, open) },
          { key: sa.unitName, value: unitLabel(s.unitCode, s.jurisdiction?.names) },
        ]
      : []),
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

/** A search attribute's value as compared: no value, null and an empty list all mean none; dates by instant. */
function comparable(value: unknown): unknown {
  if (value === undefined || value === null || (Array.isArray(value) && value.length === 0)) return null;
  if (value instanceof Date) return value.getTime();
  return value;
}

/** The pairs of `pairs` whose value differs from the one `current` holds. */
export function changedSearchAttributes(pairs: readonly SearchAttributeUpdatePair[], current: TypedSearchAttributes): SearchAttributeUpdatePair[] {
  return pairs.filter((p) => JSON.stringify(comparable(p.value)) !== JSON.stringify(comparable(current.get(p.key))));
}
