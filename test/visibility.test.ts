/**
 * What the Temporal UI shows of a case (workflows/case/visibility.ts), as a pure function of the
 * state: the Chinese one-line summary first, then the waits, the ruling and the policy, and nothing
 * personal anywhere.
 */
import type { CaseState, PendingTask } from '../domain/case';
import { TypedSearchAttributes } from '@temporalio/common';
import { beijingMonthDay, changedSearchAttributes, summaryLine, visibilityOf } from '../workflows/case/visibility';
import { searchAttributes as sa } from '../workflows/messages';
import { sampleState, sampleTask } from './support/api-app';
import { demoRegistry } from '../api/registry';

const OPENED = Date.parse('2026-03-10T02:00:00.000Z');

const acceptanceTask = sampleTask({ dueAt: '2026-03-17T10:00:00.000Z' });

/** The sample case waiting for acceptance, its task changed by `patch`. */
function withTask(s: CaseState, patch: Partial<PendingTask> = {}): CaseState {
  return { ...s, tasks: [{ ...acceptanceTask, ...patch }] };
}

describe('The current details of a case', () => {
  test('When a case waits for acceptance, then the first line is stage · unit · category · the Beijing date of the deadline', () => {
    // 16:30 UTC on 7 December is 00:30 on 8 December in Beijing.
    const s = withTask(sampleState(), { dueAt: '2026-12-07T16:30:00.000Z' });

    const { details } = visibilityOf(s, OPENED);
    const [first, ...rest] = details.split('\n');

    expect(first).toBe('待受理 · JS-NJ-FGW · 审批制度改革 · 12月8日截止');
    expect(rest.join('\n')).toContain('**等待：** 组织部门 · **最近期限：** 2026-12-08 00:30（北京时间）');
    expect(rest.join('\n')).toMatch(/- 受理决定（组织部门）截止 2026-12-08 00:30（北京时间）/);
    expect(rest.join('\n')).toContain(`规程 ${s.policyVersion} · 单位 JS-NJ-FGW · 类别 审批制度改革`);
  });

  test('When a wait is overdue, then the first line ends with 已逾期 and the task names its escalations', () => {
    const s = withTask(sampleState(), { dueAt: '2026-03-20T01:00:00.000Z', overdue: true, escalations: 2 });

    const { details, searchAttributes } = visibilityOf(s, Date.parse('2026-03-25T00:00:00.000Z'));

    expect(details.split('\n')[0]).toBe('待受理 · JS-NJ-FGW · 审批制度改革 · 3月20日截止 · 已逾期');
    expect(details).toContain('已逾期，已督办 2 次');
    expect(searchAttributes.find((p) => p.key.name === 'CaseOverdue')?.value).toBe(true);
  });

  test('When a ruling is made, then the details name it', () => {
    const base = sampleState();
    const s: CaseState = {
      ...base,
      stage: 'appeal',
      stageLabel: '已告知（申诉期）',
      outcome: 'mitigate',
      rulings: [
        {
          outcome: 'mitigate',
          outcomeLabel: '从轻或减轻处理',
          influenceMonths: 6,
          reasons: '…',
          proposedBy: 'org-officer-1',
          proposedAt: '2026-04-01T02:00:00.000Z',
          outsideBand: false,
          reviews: [],
          status: 'approved',
        },
      ],
    };

    const { details } = visibilityOf(s, OPENED);

    expect(details.split('\n')[0]).toMatch(/^已告知（申诉期） · JS-NJ-FGW · 审批制度改革/);
    expect(details).toContain('**认定：** 从轻或减轻处理（未生效） · 影响期 6 个月');
  });

  test('When a case is closed, then the first line has the reason and no deadline', () => {
    const s: CaseState = { ...sampleState(), stage: 'closed', stageLabel: '已结案', closeReason: 'withdrawn', tasks: [] };

    expect(visibilityOf(s, OPENED).details.split('\n')[0]).toBe('已结案（申请单位撤回） · JS-NJ-FGW · 审批制度改革');
    expect(summaryLine(s, undefined, false)).toBe('已结案（申请单位撤回） · JS-NJ-FGW · 审批制度改革');
  });

  test('When a category has no Chinese word, then its code is shown', () => {
    const s: CaseState = withTask({ ...sampleState(), category: 'pilot-zone' });

    expect(visibilityOf(s, OPENED).details.split('\n')[0]).toMatch(/^待受理 · JS-NJ-FGW · pilot-zone · \d+月\d+日截止$/);
  });

  test('When the details are made, then nothing personal is in them: no name, no id, no post, no incident text', () => {
    const s = withTask(sampleState());
    const { details, searchAttributes } = visibilityOf(s, OPENED);
    const shown = details + JSON.stringify(searchAttributes.map((p) => p.value));

    for (const secret of [s.application.cadre.name, s.application.cadre.id, s.application.cadre.post, s.application.incident.summary]) {
      expect(shown).not.toContain(secret);
    }
  });

  test('When an instant is shown as a date, then it is the Beijing calendar date', () => {
    expect(beijingMonthDay('2026-12-31T15:59:00.000Z')).toBe('12月31日');
    expect(beijingMonthDay('2026-12-31T16:00:00.000Z')).toBe('1月1日');
  });
});

test('When the case carries its jurisdiction, then the details name the unit and the bodies in Chinese', () => {
  const base = sampleState();
  const s = withTask({ ...base, jurisdiction: demoRegistry.jurisdictionOf(base.unitCode)! }, { body: 'JS-NJ-ZZB', dueAt: '2026-12-07T16:30:00.000Z' });
  const { details } = visibilityOf(s, Date.parse('2026-12-01T02:00:00.000Z'));
  expect(details.split('\n')[0]).toBe('待受理 · 南京市发展和改革委员会 · 审批制度改革 · 12月8日截止');
  expect(details).toContain('（组织部门 中共南京市委组织部）');
  expect(details).toContain('单位 南京市发展和改革委员会（JS-NJ-FGW）');
});

describe('The Chinese columns of the workflow list', () => {
  const base = sampleState();
  const jurisdiction = demoRegistry.jurisdictionOf(base.unitCode)!;
  const columns = (s: CaseState, names = true) =>
    Object.fromEntries(visibilityOf(s, Date.parse('2026-12-01T02:00:00.000Z'), { names }).searchAttributes.map((p) => [p.key.name, p.value]));

  test('When a case waits on the organization department and the unit, then the columns name the stage, both bodies and the unit in Chinese', () => {
    const s: CaseState = {
      ...base,
      jurisdiction,
      tasks: [
        { ...acceptanceTask, dueAt: '2026-12-07T16:30:00.000Z' },
        { ...acceptanceTask, id: 'supplement', kind: 'supplement', role: 'unit', dueAt: '2026-12-09T16:30:00.000Z' },
      ],
    };

    expect(columns(s)).toMatchObject({
      CaseStage: 'acceptance',
      CaseStageName: '待受理',
      CaseAwaitingBody: ['中共南京市委组织部', '南京市发展和改革委员会'],
      CaseUnitName: '南京市发展和改革委员会',
    });
  });

  test('When a task names its body, then that body is awaited (by code when the case has no name for it); an expert\'s task is awaited by the role; a case without a pinned jurisdiction shows codes', () => {
    const s: CaseState = { ...base, jurisdiction, tasks: [{ ...acceptanceTask, body: 'JS-NJ-ZZB' }, { ...acceptanceTask, id: 'opinion', kind: 'expertOpinion', role: 'expert', assignees: ['e1'] }] };
    expect(columns(s).CaseAwaitingBody).toEqual(['专家（第三方）', '中共南京市委组织部'].sort());
    expect(columns({ ...s, tasks: [{ ...acceptanceTask, body: 'JS-ZZB' }] }).CaseAwaitingBody).toEqual(['JS-ZZB']);

    expect(columns({ ...base, jurisdiction: undefined, tasks: [acceptanceTask] })).toMatchObject({ CaseAwaitingBody: ['组织部门'], CaseUnitName: base.unitCode });
  });

  test('When a case started before the columns existed replays, then its upserts are the old ones', () => {
    const keys = Object.keys(columns({ ...base, jurisdiction, tasks: [acceptanceTask] }, false));

    expect(keys).not.toEqual(expect.arrayContaining(['CaseStageName']));
    expect(keys).not.toContain('CaseAwaitingBody');
    expect(keys).not.toContain('CaseUnitName');
  });
});

describe('Which search attributes a reaction upserts', () => {
  test('When the current attributes hold a value, then only a different value is upserted; no value, null and an empty list are one, and dates compare by instant', () => {
    const due = '2026-03-17T10:00:00.000Z';
    const current = new TypedSearchAttributes([
      { key: sa.stage, value: 'acceptance' },
      { key: sa.awaiting, value: ['organization'] },
      { key: sa.nextDeadline, value: new Date(due) },
      { key: sa.overdue, value: false },
    ]);

    const changed = changedSearchAttributes(
      [
        { key: sa.stage, value: 'acceptance' },
        { key: sa.awaiting, value: ['organization', 'unit'] },
        { key: sa.nextDeadline, value: new Date(due) },
        { key: sa.overdue, value: true },
        { key: sa.outcome, value: null },
        { key: sa.localities, value: [] },
        { key: sa.category, value: 'land-use' },
      ],
      current,
    );

    expect(changed.map((p) => p.key.name)).toEqual(['CaseAwaiting', 'CaseOverdue', 'CaseCategory']);
    expect(changedSearchAttributes([{ key: sa.nextDeadline, value: new Date('2026-03-18T10:00:00.000Z') }, { key: sa.awaiting, value: [] }], current).map((p) => p.key.name)).toEqual(['CaseNextDeadline', 'CaseAwaiting']);
  });
});
