/**
 * The notification system against real receivers: an SMTP server and an HTTP webhook receiver in
 * the test process, and the embedded record store for the notification log and the outbox.
 */
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { loadConfig, type Config } from '../common/config';
import { migrate, migrations, openDb, openPostgres, scratchSchema, type Db } from '../activities/records';
import {
  createNotifier,
  InvalidNotification,
  messageIdFor,
  NotificationDeliveryError,
  notificationTemplates,
  notifyNonRetryableErrorTypes,
  renderTemplate,
  signWebhook,
  templates,
  verifyWebhookSignature,
  type NotificationSystem,
} from '../activities/notify';
import type { NotifyInput } from '../activities/types';
import { startMailReceiver, type MailReceiver, type ReceivedMail } from './support/smtp';

jest.setTimeout(120_000);

const logger = pino({ level: 'silent' });
const SECRET = 'test-webhook-secret-0123456789-abcdefghij';

// ---- a real SMTP server ----

/** A real SMTP server; `refusing` names the recipients it turns away. */
let mailReceiver: MailReceiver;
let mails: ReceivedMail[] = [];
let refusing = new Map<string, number>();
const mailsTo = (address: string) => mails.filter((m) => m.to.includes(address));

// ---- a real webhook receiver ----

interface ReceivedHook {
  path: string;
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
  verified: boolean;
}
const hooks: ReceivedHook[] = [];
/** Status codes a path answers with, in order; afterwards 200. */
const answers = new Map<string, number[]>();
const receiver = http.createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const body = Buffer.concat(chunks).toString('utf8');
    const urlPath = req.url ?? '/';
    const status = answers.get(urlPath)?.shift() ?? 200;
    hooks.push({ path: urlPath, status, headers: req.headers, body, verified: verifyWebhookSignature(SECRET, req.headers, body).ok });
    res.writeHead(status, { 'content-type': 'text/plain' }).end(status === 200 ? 'ok' : 'not now');
  });
});
const hooksAt = (p: string) => hooks.filter((h) => h.path === p);

// ---- the store and the notifiers ----

let dir: string;
let db: Db;
let smtpUrl: string;
let hookBase: string;
let notifier: NotificationSystem;
const opened: NotificationSystem[] = [];

function notifierWith(env: Record<string, string>): NotificationSystem {
  const config: Config = loadConfig({ DATA_DIR: dir, WEBHOOK_SECRET: SECRET, ...env });
  const n = createNotifier({ db, config, logger, webhookTimeoutMs: 5_000 });
  opened.push(n);
  return n;
}

beforeAll(async () => {
  const flag = '--experimental-vm-modules';
  if (!process.execArgv.includes(flag) && !(process.env.NODE_OPTIONS ?? '').includes(flag)) {
    throw new Error(`PGlite under Jest needs Node's ${flag}: run NODE_OPTIONS=${flag} npx jest`);
  }
  mailReceiver = await startMailReceiver();
  ({ mails, refusing } = mailReceiver);
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  smtpUrl = mailReceiver.url;
  hookBase = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rongcuo-notify-'));
  db = await openDb(loadConfig({ DATA_DIR: dir }), logger);
  await migrate(db, logger);
  notifier = notifierWith({ SMTP_URL: smtpUrl });
});

afterAll(async () => {
  for (const n of opened) n.close();
  await db?.close();
  await mailReceiver?.close();
  await new Promise<void>((resolve) => receiver.close(() => resolve()));
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

// ---- builders ----

let n = 0;
/** A unit code of its own for each test, so recipients and webhooks do not mix between tests. */
const freshUnit = () => `T-${process.pid}-${++n}`;

async function addRecipient(role: string, unit: string | null, email: string): Promise<void> {
  await db.query('INSERT INTO recipients (role, unit, email) VALUES ($1, $2, $3)', [role, unit, email]);
}
async function addWebhook(role: string, unit: string | null, urlPath: string): Promise<void> {
  await db.query('INSERT INTO webhook_subscriptions (role, unit, url) VALUES ($1, $2, $3)', [role, unit, `${hookBase}${urlPath}`]);
}
const row = async (key: string) =>
  (await db.query<{ status: string; attempts: number; error: string | null; template: string; channel: string }>('SELECT status, attempts, error, template, channel FROM notifications WHERE key = $1', [key]))
    .rows[0];

function reminder(unit: string, key: string): NotifyInput {
  return {
    caseId: 'case-2026-0000101',
    key,
    template: 'reminder',
    audience: { role: 'unit', unit },
    vars: { task: 'acceptance', dueAt: '2026-03-05T09:00:00.000Z', stage: 'acceptance' },
  };
}

describe('delivery', () => {
  it('When a reminder is sent, then its mailbox and its webhook receive it exactly once', async () => {
    // Arrange
    const unit = freshUnit();
    const address = `${unit.toLowerCase()}@units.test`;
    await addRecipient('unit', unit, address);
    await addWebhook('unit', unit, `/hooks/${unit}`);
    const input = reminder(unit, `case-2026-0000101-reminder-acceptance-${unit}`);

    // Act
    await notifier.notify(input);

    // Assert
    const [mail, ...moreMail] = mailsTo(address);
    expect(moreMail).toHaveLength(0);
    expect(mail?.messageId).toBe(`<${input.key}@rongcuo>`);
    expect(mail?.subject).toBe('【提醒】案件 case-2026-0000101：“受理决定”将于 2026-03-05 17:00（北京时间） 到期');
    expect(mail?.text).toContain('当前阶段：待受理');
    const [hook, ...moreHooks] = hooksAt(`/hooks/${unit}`);
    expect(moreHooks).toHaveLength(0);
    expect(hook?.verified).toBe(true);
    expect(hook?.headers['x-rongcuo-delivery']).toBe(input.key);
    expect(JSON.parse(hook?.body ?? '{}')).toMatchObject({ id: input.key, caseId: input.caseId, template: 'reminder', lang: 'zh', subject: mail?.subject });
    expect(await row(input.key)).toMatchObject({ status: 'sent', channel: 'notification' });
  });

  it('When notify runs twice with one key, then each receiver gets the notification once', async () => {
    // Arrange
    const unit = freshUnit();
    const address = `${unit.toLowerCase()}@units.test`;
    await addRecipient('unit', unit, address);
    await addWebhook('unit', unit, `/hooks/${unit}`);
    const input = reminder(unit, `twice-${unit}`);

    // Act
    await notifier.notify(input);
    await notifier.notify(structuredClone(input));

    // Assert
    expect(mailsTo(address)).toHaveLength(1);
    expect(hooksAt(`/hooks/${unit}`)).toHaveLength(1);
    expect(await row(input.key)).toMatchObject({ status: 'sent', attempts: 2 });
  });

  it('When recipients change between two attempts of a notice, then the retry keeps the deliveries the first attempt planned', async () => {
    // Arrange
    const unit = freshUnit();
    const address = `${unit.toLowerCase()}@units.test`;
    const later = `later-${unit.toLowerCase()}@units.test`;
    await addRecipient('unit', unit, address);
    await addWebhook('unit', unit, `/hooks/${unit}`);
    answers.set(`/hooks/${unit}`, [503]);
    const input = reminder(unit, `replan-${unit}`);
    await expect(notifier.notify(input)).rejects.toBeInstanceOf(NotificationDeliveryError);
    await addRecipient('unit', unit, later);

    // Act
    await notifier.notify(input);

    // Assert
    expect(mailsTo(address)).toHaveLength(1);
    expect(mailsTo(later)).toHaveLength(0);
    const deliveries = (await db.query<{ key: string }>('SELECT key FROM notifications WHERE parent_key = $1 ORDER BY id', [input.key])).rows.map((r) => r.key);
    expect(deliveries).toEqual([`${input.key}#email:${address}`, expect.stringMatching(new RegExp(`^${input.key}#webhook:\\d+$`))]);
    expect(await row(input.key)).toMatchObject({ status: 'sent', attempts: 2 });
  });

  it('When the webhook fails after the mail went out, then the retry sends only the webhook', async () => {
    // Arrange
    const unit = freshUnit();
    const address = `${unit.toLowerCase()}@units.test`;
    await addRecipient('unit', unit, address);
    await addWebhook('unit', unit, `/hooks/${unit}`);
    answers.set(`/hooks/${unit}`, [503]);
    const input = reminder(unit, `flaky-${unit}`);

    // Act
    const first = notifier.notify(input);
    await expect(first).rejects.toBeInstanceOf(NotificationDeliveryError);
    const mailsAfterFirst = mailsTo(address).length;
    await notifier.notify(input);

    // Assert
    expect(mailsAfterFirst).toBe(1);
    expect(mailsTo(address)).toHaveLength(1);
    expect(hooksAt(`/hooks/${unit}`).map((h) => [h.status, h.verified])).toEqual([
      [503, true],
      [200, true],
    ]);
    expect(await row(`flaky-${unit}#email:${address}`)).toMatchObject({ status: 'sent', attempts: 1 });
    expect(await row(input.key)).toMatchObject({ status: 'sent' });
  });

  it('When a mailbox refuses with 550, then the failure is recorded, supervisors are told, and notify returns', async () => {
    // Arrange
    const unit = freshUnit();
    const bad = `gone-${unit.toLowerCase()}@units.test`;
    const good = `${unit.toLowerCase()}@units.test`;
    const supervisor = `supervisor-${unit.toLowerCase()}@supervision.test`;
    refusing.set(bad, 550);
    await addRecipient('unit', unit, bad);
    await addRecipient('unit', unit, good);
    await addRecipient('supervisor', unit, supervisor);
    const input = reminder(unit, `refused-${unit}`);

    // Act
    await notifier.notify(input);
    await notifier.notify(input);

    // Assert
    expect(mailsTo(bad)).toHaveLength(0);
    expect(mailsTo(good)).toHaveLength(1);
    const failed = await row(`${input.key}#email:${bad}`);
    expect(failed).toMatchObject({ status: 'failed_permanent', attempts: 1 });
    expect(failed?.error).toMatch(/550/);
    expect(await row(input.key)).toMatchObject({ status: 'failed_permanent' });
    expect(await row(`${input.key}#escalation`)).toMatchObject({ status: 'sent', template: 'deliveryFailed' });
    const [notice, ...more] = mailsTo(supervisor);
    expect(more).toHaveLength(0);
    expect(notice?.subject).toContain('【通知失败】');
    expect(notice?.text).toContain('“到期提醒”通知未能送达');
    expect(notice?.text).toContain(bad);
  });

  it('When a webhook keeps answering 503, then notify throws an error Temporal retries', async () => {
    // Arrange
    const unit = freshUnit();
    await addWebhook('unit', unit, `/hooks/${unit}`);
    answers.set(`/hooks/${unit}`, [503, 503]);
    const input = reminder(unit, `down-${unit}`);

    // Act
    const attempt = notifier.notify(input);

    // Assert
    await expect(attempt).rejects.toBeInstanceOf(NotificationDeliveryError);
    await expect(attempt).rejects.toThrow(/HTTP 503/);
    expect(notifyNonRetryableErrorTypes).not.toContain('NotificationDeliveryError');
    const delivery = (await db.query<{ status: string; error: string }>('SELECT status, error FROM notifications WHERE parent_key = $1', [input.key])).rows;
    expect(delivery).toEqual([{ status: 'pending', error: expect.stringMatching(/503/) }]);
    expect(await row(input.key)).toMatchObject({ status: 'pending' });
  });

  it('When the mail server answers 451, then notify throws and a later retry delivers', async () => {
    // Arrange
    const unit = freshUnit();
    const address = `${unit.toLowerCase()}@units.test`;
    refusing.set(address, 451);
    await addRecipient('unit', unit, address);
    const input = reminder(unit, `busy-${unit}`);

    // Act
    const first = notifier.notify(input);
    await expect(first).rejects.toBeInstanceOf(NotificationDeliveryError);
    refusing.delete(address);
    await notifier.notify(input);

    // Assert
    expect(mailsTo(address)).toHaveLength(1);
    expect(await row(`${input.key}#email:${address}`)).toMatchObject({ status: 'sent', attempts: 2 });
  });

  it('When a webhook answers 404, then that delivery fails for good and notify returns', async () => {
    // Arrange
    const unit = freshUnit();
    const supervisor = `supervisor-${unit.toLowerCase()}@supervision.test`;
    await addWebhook('unit', unit, `/hooks/${unit}`);
    await addRecipient('supervisor', unit, supervisor);
    answers.set(`/hooks/${unit}`, [404]);
    const input = reminder(unit, `missing-${unit}`);

    // Act
    await notifier.notify(input);

    // Assert
    const delivery = (await db.query<{ status: string; error: string }>('SELECT status, error FROM notifications WHERE parent_key = $1', [input.key])).rows;
    expect(delivery).toEqual([{ status: 'failed_permanent', error: expect.stringMatching(/HTTP 404/) }]);
    expect(mailsTo(supervisor)).toHaveLength(1);
  });

  it('When no SMTP server is configured, then the mail is kept in the outbox once', async () => {
    // Arrange
    const outboxNotifier = notifierWith({ SMTP_URL: '' });
    const unit = freshUnit();
    const address = `${unit.toLowerCase()}@units.test`;
    await addRecipient('unit', unit, address);
    const input = reminder(unit, `outbox-${unit}`);

    // Act
    await outboxNotifier.notify(input);
    await outboxNotifier.notify(input);

    // Assert
    const { rows } = await db.query<{ to_address: string; subject: string; text: string; message_id: string }>(
      'SELECT to_address, subject, text, message_id FROM outbox WHERE case_id = $1 AND to_address = $2',
      [input.caseId, address],
    );
    expect(rows).toEqual([{ to_address: address, subject: expect.stringContaining('【提醒】'), text: expect.stringContaining('受理决定'), message_id: `<${input.key}@rongcuo>` }]);
    expect(mailsTo(address)).toHaveLength(0);
    expect(await row(`${input.key}#email:${address}`)).toMatchObject({ status: 'outbox' });
    expect(await row(input.key)).toMatchObject({ status: 'outbox' });
  });

  it('When experts are invited, then only the named experts are mailed', async () => {
    // Arrange
    const tag = freshUnit().toLowerCase();
    await db.query('INSERT INTO recipients (role, subject, email) VALUES ($1, $2, $3), ($1, $4, $5)', ['expert', `${tag}-e1`, `${tag}-e1@experts.test`, `${tag}-e2`, `${tag}-e2@experts.test`]);

    // Act
    await notifier.notify({ caseId: 'case-2026-0000102', key: `invite-${tag}`, template: 'expertInvitation', audience: { role: 'expert', subjects: [`${tag}-e2`] }, vars: { dueAt: '2026-04-01T09:00:00Z' } });

    // Assert
    expect(mailsTo(`${tag}-e1@experts.test`)).toHaveLength(0);
    expect(mailsTo(`${tag}-e2@experts.test`).map((m) => m.subject)).toEqual(['【邀请】案件 case-2026-0000102 专家（第三方）评估，请于 2026-04-01 17:00（北京时间） 前提交意见']);
  });

  it('When a ruling is sent to a cadre, then only the address registered for that cadre in its unit receives it, and the log keeps no cadre id', async () => {
    // Arrange
    const unit = freshUnit();
    const cadre = `P-${unit}`;
    const address = `${unit.toLowerCase()}-cadre@cadres.test`;
    await db.query('INSERT INTO units (unit_code, name) VALUES ($1, $2)', [unit, '测试单位']);
    await db.query('INSERT INTO cadres (cadre_id, name, unit_code, email) VALUES ($1, $2, $3, $4)', [cadre, '王五', unit, address]);
    await addRecipient('unit', unit, `${unit.toLowerCase()}@units.test`);
    await addWebhook('unit', unit, `/hooks/${unit}`);
    const input: NotifyInput = {
      caseId: 'case-2026-0000107',
      key: `cadre-${unit}`,
      template: 'rulingNoticeToCadre',
      audience: { role: 'unit', unit, cadre },
      vars: { unitName: '测试单位', category: 'land-use', outcome: 'exempt', appealDueAt: '2026-06-15T15:59:59Z' },
    };

    // Act
    await notifier.notify(input);
    await notifier.notify(input);

    // Assert
    const [mail, ...more] = mailsTo(address);
    expect(more).toHaveLength(0);
    expect(mail?.text).toContain('您好：\n涉及您的容错纠错案件 case-2026-0000107（申请单位：测试单位；类别：土地利用）认定结果为：免予问责（免责）。');
    expect(mail?.text).toContain('2026-06-15 23:59（北京时间） 前申请复核');
    expect(mailsTo(`${unit.toLowerCase()}@units.test`)).toHaveLength(0);
    expect(hooksAt(`/hooks/${unit}`)).toHaveLength(0);
    const logged = (await db.query<{ key: string; audience: unknown }>('SELECT key, audience FROM notifications WHERE key = $1 OR parent_key = $1', [input.key])).rows;
    expect(logged).toHaveLength(2);
    expect(JSON.stringify(logged)).not.toContain(cadre);
    expect(logged.map((r) => r.audience)).toEqual([{ role: 'unit', unit, cadre: true }, { role: 'unit', unit, cadre: true }]);
  });

  it('When a cadre has no registered address, then the supervision body the notice names is told, without the cadre id', async () => {
    // Arrange
    const unit = freshUnit();
    const cadre = `P-${unit}`;
    const supervision = `${unit}-JD`;
    const supervisor = `${supervision.toLowerCase()}@supervision.test`;
    await db.query('INSERT INTO units (unit_code, name) VALUES ($1, $2)', [unit, '测试单位']);
    await db.query('INSERT INTO cadres (cadre_id, name, unit_code) VALUES ($1, $2, $3)', [cadre, '赵六', unit]);
    await addRecipient('supervisor', supervision, supervisor);
    await addRecipient('supervisor', unit, `${unit.toLowerCase()}@wrong-supervision.test`);

    // Act
    await notifier.notify({
      caseId: 'case-2026-0000108',
      key: `cadre-missing-${unit}`,
      template: 'rulingNoticeToCadre',
      audience: { role: 'unit', unit, cadre },
      supervision,
      vars: { unitName: '测试单位', category: 'land-use', outcome: 'mitigate', influenceMonths: 6 },
    });

    // Assert
    const [notice, ...more] = mailsTo(supervisor);
    expect(more).toHaveLength(0);
    expect(notice?.text).toContain('“认定告知（干部本人）”通知未能送达');
    expect(notice?.text).not.toContain(cadre);
    expect(mailsTo(`${unit.toLowerCase()}@wrong-supervision.test`)).toHaveLength(0);
  });

  it('When the template is unknown, then notify fails with a non-retryable InvalidNotification', async () => {
    // Arrange
    const input = { ...reminder(freshUnit(), `bad-template-${n}`), template: 'noSuchTemplate' } as unknown as NotifyInput;

    // Act
    const attempt = notifier.notify(input);

    // Assert
    await expect(attempt).rejects.toBeInstanceOf(InvalidNotification);
    expect(notifyNonRetryableErrorTypes).toContain('InvalidNotification');
  });
});

const pgUrl = process.env.TEST_DATABASE_URL;

(pgUrl ? describe : describe.skip)('on PostgreSQL (TEST_DATABASE_URL)', () => {
  it('When the notification log is brought to the planned mark, then notices whose deliveries were planned before are marked and the others are not', async () => {
    // Arrange
    const scratch = await scratchSchema(pgUrl!, 'rc_notify');
    const pg = openPostgres(scratch.url);
    try {
      await migrate(pg, logger, migrations.filter((m) => m.version < 12));
      const insert = (key: string, parent: string | null, channel: string) =>
        pg.query(`INSERT INTO notifications (key, parent_key, case_id, channel, template, audience, status, created_at) VALUES ($1, $2, 'case-1', $3, 'reminder', '{}', 'pending', '2026-11-30T01:00:00Z')`, [key, parent, channel]);
      await insert('planned', null, 'notification');
      await insert('planned#email:a@b.test', 'planned', 'email');
      await insert('unplanned', null, 'notification');

      // Act
      const applied = await migrate(pg, logger);

      // Assert
      expect(applied).toEqual(migrations.map((m) => m.version).filter((v) => v >= 12));
      const rows = await pg.query<{ key: string; planned_at: Date | null }>('SELECT key, planned_at FROM notifications ORDER BY key');
      expect(rows.rows).toEqual([
        { key: 'planned', planned_at: new Date('2026-11-30T01:00:00Z') },
        { key: 'planned#email:a@b.test', planned_at: null },
        { key: 'unplanned', planned_at: null },
      ]);
    } finally {
      await pg.close();
      await scratch.drop();
    }
  });

  it('When attempts of one notice run at once, then its deliveries are planned once and each mailbox gets it once', async () => {
    // Arrange
    const scratch = await scratchSchema(pgUrl!, 'rc_notify');
    const pg = openPostgres(scratch.url);
    try {
      await migrate(pg, logger);
      const unit = freshUnit();
      const addresses = [1, 2, 3].map((i) => `${i}-${unit.toLowerCase()}@units.test`);
      for (const a of addresses) await pg.query('INSERT INTO recipients (role, unit, email) VALUES ($1, $2, $3)', ['unit', unit, a]);
      const onPg = createNotifier({ db: pg, config: loadConfig({ DATA_DIR: dir, WEBHOOK_SECRET: SECRET, SMTP_URL: smtpUrl }), logger });
      opened.push(onPg);
      const input = reminder(unit, `at-once-${unit}`);

      // Act: eight attempts together (one that finds a delivery in another's hands asks to be retried), then a retry
      const attempts = await Promise.allSettled(Array.from({ length: 8 }, () => onPg.notify(structuredClone(input))));
      await onPg.notify(input);

      // Assert
      for (const a of attempts) if (a.status === 'rejected') expect(a.reason).toBeInstanceOf(NotificationDeliveryError);
      for (const a of addresses) expect(mailsTo(a)).toHaveLength(1);
      const deliveries = await pg.query<{ key: string; status: string }>('SELECT key, status FROM notifications WHERE parent_key = $1 ORDER BY key', [input.key]);
      expect(deliveries.rows).toEqual(addresses.map((a) => ({ key: `${input.key}#email:${a}`, status: 'sent' })));
      const notice = await pg.query<{ status: string; attempts: number; planned: boolean }>('SELECT status, attempts, planned_at IS NOT NULL AS planned FROM notifications WHERE key = $1', [input.key]);
      expect(notice.rows).toEqual([{ status: 'sent', attempts: 9, planned: true }]);
    } finally {
      await pg.close();
      await scratch.drop();
    }
  });
});

describe('webhook signatures', () => {
  const body = JSON.stringify({ id: 'k1', text: '案件已办结' });
  const at = new Date('2026-05-01T08:00:00Z');
  const timestamp = Math.floor(at.getTime() / 1000);
  const headers = (signature: string, ts = timestamp) => ({ 'x-rongcuo-timestamp': String(ts), 'x-rongcuo-signature': signature, 'x-rongcuo-delivery': 'k1' });

  it('When a delivery is signed with the secret, then it verifies', () => {
    // Act
    const result = verifyWebhookSignature(SECRET, headers(signWebhook(SECRET, timestamp, body)), body, 300, new Date(at.getTime() + 299_000));

    // Assert
    expect(result).toEqual({ ok: true, timestamp, delivery: 'k1' });
  });

  it('When a signed delivery is replayed after the tolerance, then it is rejected as stale', () => {
    // Act
    const late = verifyWebhookSignature(SECRET, headers(signWebhook(SECRET, timestamp, body)), body, 300, new Date(at.getTime() + 301_000));
    const early = verifyWebhookSignature(SECRET, headers(signWebhook(SECRET, timestamp, body)), body, 300, new Date(at.getTime() - 301_000));

    // Assert
    expect(late).toEqual({ ok: false, reason: 'stale' });
    expect(early).toEqual({ ok: false, reason: 'stale' });
  });

  it('When the body, the timestamp or the secret differ, then the signature is rejected', () => {
    // Arrange
    const signature = signWebhook(SECRET, timestamp, body);

    // Act
    const tamperedBody = verifyWebhookSignature(SECRET, headers(signature), body.replace('办结', '撤回'), 300, at);
    const movedTimestamp = verifyWebhookSignature(SECRET, headers(signature, timestamp + 1), body, 300, at);
    const otherSecret = verifyWebhookSignature(`${SECRET}x`, headers(signature), body, 300, at);
    const missing = verifyWebhookSignature(SECRET, { 'x-rongcuo-timestamp': String(timestamp) }, body, 300, at);

    // Assert
    expect([tamperedBody, movedTimestamp, otherSecret]).toEqual([
      { ok: false, reason: 'mismatch' },
      { ok: false, reason: 'mismatch' },
      { ok: false, reason: 'mismatch' },
    ]);
    expect(missing).toEqual({ ok: false, reason: 'missing' });
  });
});

describe('templates', () => {
  it('When a ruling notice is rendered, then it is Chinese, with words for codes and Beijing time', () => {
    // Act
    const rendered = renderTemplate('rulingNotice', { caseId: 'case-2026-0000103', outcome: 'mitigate', influenceMonths: 6, appealDueAt: '2026-06-15T15:59:59Z' });

    // Assert
    expect(rendered.lang).toBe('zh');
    expect(rendered.text).toBe('经认定，案件 case-2026-0000103的处理结果为：从轻或减轻处理，影响期 6 个月。\n如对认定结果有异议，可于 2026-06-15 23:59（北京时间） 前申请复核（申诉）；逾期未申请的，认定结果即为最终结果。');
    expect(rendered.en.text).toContain('lighter sanction (mitigated), with an influence period of 6 months');
    expect(rendered.missing).toEqual([]);
  });

  it('When an abuse signal is rendered, then it names the case, unit, category and the signal with its figures, in Chinese', () => {
    // Act
    const rendered = renderTemplate('abuseSignal', {
      caseId: 'case-2026-0000107', unitName: '南京市发展和改革委员会', category: 'land-use', signal: 'outsideBand', recipientName: '南京市监督部门',
      explanation: '认定结果为“免予问责（免责）”，综合得分 60 分对应的建议档次为“从轻或减轻处理”。', explanationEn: 'The ruling is "exempt from liability"; the composite of 60 suggests "lighter sanction (mitigated)".',
    });

    // Assert
    expect(rendered.subject).toBe('【监督提示】案件 case-2026-0000107（南京市发展和改革委员会）：认定结果超出建议档次');
    expect(rendered.text).toContain('案件 case-2026-0000107（申请单位：南京市发展和改革委员会；类别：土地利用）触发容错纠错监督信号：认定结果超出建议档次。\n认定结果为“免予问责（免责）”');
    expect(rendered.en.text).toContain('raised an abuse signal: ruling outside the suggested band.\nThe ruling is');
    expect(rendered.missing).toEqual([]);
  });

  it('When a decision-effect tracking opens, then its opening notice says which month after the ruling and what is asked', () => {
    const rendered = renderTemplate('taskOpened', { caseId: 'case-2026-0000108', unitName: '南京市发展和改革委员会', category: 'land-use', role: 'organization', task: 'effectTracking', dueAt: '2026-09-14T15:59:59.999Z', trackingMonth: 6 });
    expect(rendered.text).toContain('“决策执行效果跟踪评价”（认定后第 6 个月，请评价所涉改革决策的执行效果');
    expect(rendered.missing).toEqual([]);
  });

  it('When a template has no Chinese text, then the English text is used', () => {
    // Arrange
    const catalog = { ...templates, caseClosed: { en: templates.caseClosed.en } };

    // Act
    const rendered = renderTemplate('caseClosed', { caseId: 'case-2026-0000104', closeReason: 'withdrawn' }, catalog);

    // Assert
    expect(rendered).toMatchObject({ lang: 'en', subject: '[Closed] Case case-2026-0000104', text: 'Case case-2026-0000104 is closed (withdrawn).' });
  });

  it.each(notificationTemplates)('When %s is rendered with its values, then both languages are complete', (name) => {
    // Arrange
    const vars = {
      caseId: 'case-2026-0000105', unitCode: 'JS-NJ-FGW', unitName: '南京市发展和改革委员会', category: 'land-use', measureNo: 1, measures: 2, dueAt: '2026-03-05T09:00:00Z', task: 'rulingReview', stage: 'rulingReview',
      role: 'committee', escalations: 2, items: '会议纪要', step: 'acceptance', decision: 'accept', reason: 'denied', outcome: 'exempt',
      influenceMonths: 3, recommendedForm: 2, appealDueAt: '2026-03-20T09:00:00Z', ruleIds: 'NL-2', measure: '完善制度', dueDate: '2026-04-30',
      monthOffset: 3, tier: 'focus', closeReason: 'completed', year: 2027, from: '2027-01-20T15:59:59.999Z', seq: 3, error: 'refused by the database (22021)', attempts: 2,
      phase: 'application', rules: 'NL-2 谋取私利的，不予容错（申请中申报：谋取私利）', overridable: true, until: '2027-07-20',
      signal: 'largeExemption', explanation: '损失金额 2,000,000 元（申请时已挽回 0 元），超过规程规定的 1,000,000 元，予以免责。',
      explanationEn: 'A loss of CNY 2,000,000 (CNY 0 recovered when applying), above the policy\'s CNY 1,000,000, is exempted.',
      title: '南京市容错纠错工作月度报告（2026年5月）', localityName: '南京市', periodLabel: '2026年5月', applications: 12, decided: 7, toleranceRate: '85.7%', signals: 1, overdue: 3,
    };

    // Act
    const rendered = renderTemplate(name, vars);

    // Assert
    expect(templates[name].zh?.subject && templates[name].zh?.text).toBeTruthy();
    expect(rendered.lang).toBe('zh');
    expect(rendered.missing).toEqual([]);
    for (const text of [rendered.subject, rendered.text, rendered.en.subject, rendered.en.text]) expect(text).not.toMatch(/[{}]|\[\[|\]\]|—/);
    expect(rendered.text).toMatch(/[\u4e00-\u9fff]/);
  });

  it('When a key has characters a Message-ID cannot hold, then they are escaped', () => {
    // Act
    const id = messageIdFor('case-2026-0000106:reminder/1');

    // Assert
    expect(id).toBe('<case-2026-0000106=3Areminder=2F1@rongcuo>');
  });
});
