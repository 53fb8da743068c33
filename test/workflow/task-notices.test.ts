/**
 * Everyone is told of their work, read as its recipient reads it: real cases on the time-skipping
 * server, the real notification system over the demo registry and its recipients in the record store,
 * and a real SMTP receiver. Each task that opens tells the body that must act what is asked, for which
 * case, by when (Beijing time) and where; a task planned for later is announced when it opens;
 * reminders and escalations reach the body that must act and the supervision body of the case's
 * locality, never another locality's; the cadre is told of the ruling in person.
 */
import pino from 'pino';
import { createNotifier, type NotificationSystem } from '../../activities/notify';
import { loadConfig } from '../../common/config';
import { beijingTime } from '../../domain/calendar';
import type { CaseState, PendingTask } from '../../domain/case';
import { taskLabels } from '../../domain/labels';
import { updates } from '../../workflows/case/actions';
import { openTestStore, type TestStore } from '../support/databases';
import { act, eventually, sleepPast, toInvestigation } from '../support/drive';
import { actors, days, investigation, noticeBatches, recordHistory, sampleApplication, scheduledActivities, startCase, startHarness, state, type CaseHarness } from '../support/case-harness';
import { startMailReceiver, type MailReceiver, type ReceivedMail } from '../support/smtp';

jest.setTimeout(300_000);

const API = 'https://rongcuo.example.gov.cn';
let smtp: MailReceiver;
let store: TestStore;
let notifier: NotificationSystem;
let h: CaseHarness;

beforeAll(async () => {
  smtp = await startMailReceiver();
  store = await openTestStore();
  notifier = createNotifier({ db: store.db, config: loadConfig({ SMTP_URL: smtp.url, API_PUBLIC_URL: API, LOG_LEVEL: 'silent' }), logger: pino({ level: 'silent' }) });
  h = await startHarness({ deliver: notifier });
});
afterAll(async () => {
  await h?.stop();
  notifier?.close();
  await store?.close();
  await smtp?.close();
});

/** The demo registry's mailbox of a body, of an invited expert, of a registered cadre. */
const bodyMail = (code: string) => `${code.toLowerCase()}@bodies.rongcuo.example`;
const expertMail = (sub: string) => `${sub}@experts.rongcuo.example`;
const CADRE = 'C-320100-0001';
const cadreMail = `${CADRE.toLowerCase()}@cadres.rongcuo.example`;

const inBeijing = (iso: string) => `${beijingTime(iso)}（北京时间）`;
const mailsOf = (caseId: string) => smtp.mails.filter((m) => m.subject.includes(caseId));
const mailsTo = (caseId: string, address: string) => mailsOf(caseId).filter((m) => m.to.includes(address));
const read = (m: ReceivedMail) => `${m.subject}\n${m.text}`;

/** Prints the mails when PRINT_NOTICES=1, to read them as their recipients do. */
function show(title: string, mails: ReceivedMail[]): void {
  if (process.env.PRINT_NOTICES !== '1') return;
  console.log(`${title}\n\n${mails.map((m) => `收件人：${m.to.join(', ')}\n主题：${m.subject}\n${m.text}`).join('\n\n----\n\n')}`);
}

/** Who must act on a task, as mailboxes. */
function mailboxesOf(s: CaseState, t: PendingTask): string[] {
  if (t.role === 'unit') return [bodyMail(s.unitCode)];
  if (t.role === 'expert') return (t.assignees ?? []).map(expertMail);
  return [bodyMail(t.body!)];
}

/** Every mail is Chinese, complete and names the case as its readers know it, and none names the cadre. */
function expectReadable(mails: ReceivedMail[], s: CaseState, unitName: string): void {
  for (const m of mails) {
    const text = read(m);
    expect(text).toMatch(/[\u4e00-\u9fff]/);
    expect(text).not.toMatch(/[{}]|\[\[|\]\]|—|undefined/);
    expect(text).toContain(s.caseId);
    expect(text).toContain(unitName);
    expect(text).not.toContain(s.application.cadre.name);
    expect(text).not.toContain(s.application.cadre.id);
    expect(text).not.toMatch(/\d{4}-\d{2}-\d{2}T\d{2}:/); // no instant left in UTC
  }
}

test('When a case of 南京市 goes from application to its first revisit, then every task that opens tells its body in Chinese what is asked, by when and where, once', async () => {
  // Arrange
  const handle = await startCase(h, { application: sampleApplication({ cadreId: CADRE }) });
  const { caseId } = await state(handle);

  // Act: every kind of task opens once
  await act(handle, updates.acceptance, actors.org, { decision: 'requestSupplement', requestedItems: ['集体决策会议纪要'] });
  await act(handle, updates.supplement, actors.unit, { note: '已补充会议纪要', evidence: [] });
  await toInvestigation(handle);
  await act(handle, updates.investigation, actors.org, { ...investigation(9), technical: true });
  await act(handle, updates.expertInvitation, actors.org, { experts: ['expert-1', 'expert-2', 'expert-3'] });
  await act(handle, updates.expertOpinion, actors.expert1, { recommendation: 'exempt', opinion: '属于探索性失误' });
  await act(handle, updates.expertOpinion, actors.expert2, { recommendation: 'exempt', opinion: '同意免责' });
  await act(handle, updates.consultation, actors.discipline, { opinion: 'concur', reasons: '同意组织部门意见' });
  await act(handle, updates.rulingProposal, actors.org, { outcome: 'exempt', tier: 'focus', reasons: '符合免责情形' });
  await act(handle, updates.rulingReview, actors.committee, { decision: 'approve', comments: '同意' });
  await act(handle, updates.appeal, actors.unit, { grounds: '请求明确免责范围' });
  await act(handle, updates.reconsideration, actors.committee2, { decision: 'uphold', reasons: '维持原认定' });
  const now = new Date(await h.env.currentTimeMs());
  const dueDate = (n: number) => new Date(now.getTime() + days(n)).toISOString().slice(0, 10);
  await act(handle, updates.correctionPlan, actors.org, {
    opinion: '完善审批流程',
    measures: [
      { title: '修订审批细则', description: '补齐复核环节', dueDate: dueDate(20) },
      { title: '开展业务培训', description: '组织窗口人员培训', dueDate: dueDate(40) },
    ],
  });
  const beforeRevisit = await state(handle);
  const firstRevisit = beforeRevisit.tasks.find((t) => t.kind === 'revisit' && t.status === 'open')!;
  expect(Date.parse(firstRevisit.opensAt)).toBeGreaterThan(await h.env.currentTimeMs());

  // Assert: each task that has opened told its body, once, with its label and its deadline in Beijing time
  const s = await state(handle);
  const opened = s.tasks.filter((t) => t.status !== 'cancelled' && Date.parse(t.opensAt) <= Date.parse(s.timeline.at(-1)!.at));
  expect(new Set(opened.map((t) => t.kind))).toEqual(
    new Set(['acceptance', 'supplement', 'investigation', 'expertInvitation', 'expertOpinion', 'consultation', 'rulingProposal', 'rulingReview', 'appeal', 'reconsideration', 'correctionPlan', 'measure']),
  );
  // (the test server's clock stands still between actions, so a task opened twice has the same deadline twice)
  const expected = new Map<string, number>();
  for (const t of opened) for (const mailbox of mailboxesOf(s, t)) {
    const key = JSON.stringify([mailbox, t.kind === 'appeal' ? '申请复核' : taskLabels[t.kind], inBeijing(t.dueAt)]);
    expected.set(key, (expected.get(key) ?? 0) + 1);
  }
  await eventually(() => {
    for (const [key, count] of expected) {
      const [mailbox, asked, by] = JSON.parse(key) as string[];
      const notices = mailsTo(caseId, mailbox!).filter((m) => read(m).includes(asked!) && read(m).includes(by!));
      expect({ mailbox, asked, notices: notices.length }).toEqual({ mailbox, asked, notices: count });
    }
  });
  // no revisit is announced before it opens
  expect(mailsOf(caseId).filter((m) => m.subject.includes('回访'))).toEqual([]);

  const unitName = '南京市发展和改革委员会';
  const all = mailsOf(caseId);
  expectReadable(all, s, unitName);
  // a generic opening notice says who is asked, what, for which case, by when and where
  const reviewTask = opened.find((t) => t.kind === 'rulingReview')!;
  const [review] = mailsTo(caseId, bodyMail('JS-NJ-SW')).filter((m) => m.subject.startsWith('【待办】') && m.text.includes('审核认定意见'));
  expect(review!.subject).toBe(`【待办】案件 ${caseId}（${unitName}）：请于 ${inBeijing(reviewTask.dueAt)} 前办理“审核认定意见”`);
  expect(review!.text).toBe(
    `中共南京市委：\n案件 ${caseId}（申请单位：${unitName}；类别：审批制度改革）有一项事项需要党委（审核机关）办理：“审核认定意见”。\n` +
      `请于 ${inBeijing(reviewTask.dueAt)} 前办理完毕。\n待办事项：${API}/v1/tasks\n案件详情：${API}/v1/cases/${caseId}`,
  );
  const measures = mailsTo(caseId, bodyMail('JS-NJ-FGW')).filter((m) => m.text.includes('纠错措施'));
  expect(measures.map((m) => m.text.match(/第 \d 项纠错措施，共 2 项/)?.[0])).toEqual(['第 1 项纠错措施，共 2 项', '第 2 项纠错措施，共 2 项']);
  // every notice went to a body of 南京市, an invited expert or the cadre: never to another locality's or the province's
  const allowed = new Set([...['JS-NJ-ZZB', 'JS-NJ-JW', 'JS-NJ-SW', 'JS-NJ-JD', 'JS-NJ-FGW'].map(bodyMail), ...['expert-1', 'expert-2', 'expert-3'].map(expertMail), cadreMail]);
  expect(all.flatMap((m) => m.to).filter((to) => !allowed.has(to))).toEqual([]);
  // each mail once
  expect(new Set(all.map((m) => `${m.to.join()}|${m.messageId}`)).size).toBe(all.length);

  // the cadre is told of the ruling, and of the reconsideration's decision, in person
  const toCadre = mailsTo(caseId, cadreMail);
  expect(toCadre.map((m) => m.subject)).toEqual([`【认定告知】涉及您的容错纠错案件 ${caseId} 已有认定结果`, `【认定告知】涉及您的容错纠错案件 ${caseId} 已有认定结果`]);
  const appealTask = s.tasks.find((t) => t.kind === 'appeal')!;
  expect(toCadre[0]!.text).toBe(
    `您好：\n涉及您的容错纠错案件 ${caseId}（申请单位：${unitName}；类别：审批制度改革）认定结果为：免予问责（免责）。\n` +
      `如对认定结果有异议，可通过所在单位于 ${inBeijing(appealTask.dueAt)} 前申请复核（申诉）。\n如有疑问，请与所在单位联系。本通知由容错纠错系统自动发送，请勿回复。`,
  );
  expect(toCadre[1]!.text).toContain('经申诉复核，维持原认定，认定结果为：免予问责（免责）。');
  show('打开的待办与认定告知', [review!, measures[0]!, mailsTo(caseId, expertMail('expert-3'))[0]!, toCadre[0]!]);

  // Act: the first revisit's time comes
  await sleepPast(h, firstRevisit.opensAt);

  // Assert: it is announced then, to the ruling body, once
  const revisit = (await state(handle)).tasks.find((t) => t.id === firstRevisit.id)!;
  await eventually(() => expect(mailsOf(caseId).filter((m) => m.subject.includes('回访'))).toHaveLength(1));
  const [revisitMail] = mailsOf(caseId).filter((m) => m.subject.includes('回访'));
  expect(revisitMail!.to).toEqual([bodyMail('JS-NJ-ZZB')]);
  expect(revisitMail!.subject).toBe(`【回访】案件 ${caseId}（${unitName}）：请于 ${inBeijing(revisit.dueAt)} 前完成回访`);
  expect(revisitMail!.text).toContain('第 1 个月回访（重点关注）');
  show('回访开始', [revisitMail!]);

  // Assert: the notices rode with the reactions' record activities: never more than one batch per
  // reaction, and no notice activity of its own while every notice was delivered at once
  const history = await handle.fetchHistory();
  const events = history.events ?? [];
  const batches = (await noticeBatches(handle)).length;
  const reactions = 1 + events.filter((e) => e.workflowExecutionUpdateCompletedEventAttributes || e.timerFiredEventAttributes).length;
  expect(batches).toBeGreaterThan(0);
  expect(batches).toBeLessThanOrEqual(reactions);
  expect((await scheduledActivities(handle)).filter((a) => a.type === 'notifyAll')).toHaveLength(0);
  expect(events.some((e) => e.markerRecordedEventAttributes?.markerName === 'core_patch')).toBe(true);
  await recordHistory(handle, 'task-opening-notices', { running: true });
});

test('When cases of 南京市 and 昆山市 pass their deadlines, then reminders reach the body that must act and escalations also its own supervision body, never the other locality', async () => {
  // Arrange
  const nanjing = await startCase(h);
  const kunshan = await startCase(h, { application: { ...sampleApplication(), unitCode: 'JS-SZ-KS-ZWB' } });
  const nj = await state(nanjing);
  const ks = await state(kunshan);
  const acceptance = nj.tasks.find((t) => t.kind === 'acceptance')!;

  // Act: past the acceptance deadline and one escalation interval beyond it
  await sleepPast(h, acceptance.dueAt, days(10));

  // Assert
  const njAfter = (await state(nanjing)).tasks.find((t) => t.kind === 'acceptance')!;
  expect(njAfter.escalations).toBeGreaterThanOrEqual(2);
  await eventually(() => {
    expect(mailsTo(nj.caseId, bodyMail('JS-NJ-JD')).filter((m) => m.subject.startsWith('【督办】'))).toHaveLength(njAfter.escalations);
    expect(mailsTo(ks.caseId, bodyMail('JS-SZ-KS-JD')).filter((m) => m.subject.startsWith('【督办】'))).toHaveLength(njAfter.escalations);
  });
  for (const [c, locality, unitName, org, supervision] of [
    [nj, 'js-nj-', '南京市发展和改革委员会', 'JS-NJ-ZZB', 'JS-NJ-JD'],
    [ks, 'js-sz-ks-', '昆山市政务服务管理办公室', 'JS-SZ-KS-ZZB', 'JS-SZ-KS-JD'],
  ] as const) {
    const mails = mailsOf(c.caseId);
    expect(mails.flatMap((m) => m.to).filter((to) => !to.startsWith(locality))).toEqual([]);
    expectReadable(mails, c, unitName);
    const reminders = mails.filter((m) => m.subject.startsWith('【提醒】'));
    expect(reminders.length).toBeGreaterThan(0);
    expect(reminders.every((m) => m.to.length === 1 && m.to[0] === bodyMail(org))).toBe(true);
    const escalations = mails.filter((m) => m.subject.startsWith('【督办】'));
    expect(new Set(escalations.flatMap((m) => m.to))).toEqual(new Set([bodyMail(org), bodyMail(supervision)]));
    const task = c.tasks.find((t) => t.kind === 'acceptance')!;
    expect(escalations.every((m) => m.text.includes(`“受理决定”事项（责任方：组织部门）已于 ${inBeijing(task.dueAt)} 到期`))).toBe(true);
    expect(reminders.every((m) => m.text.includes(`将于 ${inBeijing(task.dueAt)} 到期`))).toBe(true);
  }
  show('提醒与督办（昆山市）', mailsOf(ks.caseId).filter((m) => !m.subject.startsWith('【待办】')).slice(0, 3));
});
