/**
 * The notification system: mail over SMTP (or the outbox table when no server is configured) and
 * signed webhooks. Every notification is delivered once per key however often the activity runs:
 * the key is claimed in `notifications` first, each delivery (one per mailbox, one per webhook) gets
 * its own sub-key and row, and a retry repeats only the deliveries that have not succeeded.
 * Delivery is at-least-once at the wire (a crash between sending and recording re-sends), so mail
 * carries the key as its Message-ID and webhooks as X-Rongcuo-Delivery for receivers to de-duplicate.
 */
import nodemailer from 'nodemailer';
import type { Logger } from 'pino';
import type { Config } from '../../common/config';
import { roles } from '../../domain/case';
import type { Db } from '../records/db';
import type { Notifier, NotifyInput } from '../types';
import { InvalidNotification, NotificationDeliveryError } from './errors';
import { deliveryTargets, type Audience } from './recipients';
import { renderTemplate, templates, type Rendered, type TemplateName, type TemplateVars } from './templates';
import { signWebhook, webhookHeaders } from './webhook';

/** A mail as the notifier hands it to a transport (nodemailer's message options). */
export interface MailMessage {
  from: string;
  to: string;
  subject: string;
  text: string;
  messageId: string;
  headers: Record<string, string>;
  textEncoding: 'base64';
}
/** What the notifier needs of a mail transport; a nodemailer transporter is one. */
export interface MailTransport {
  sendMail(message: MailMessage): Promise<unknown>;
  close?(): void;
}

export interface NotifierOptions {
  db: Db;
  config: Pick<Config, 'smtpUrl' | 'mailFrom' | 'webhookSecret'> & Partial<Pick<Config, 'apiPublicUrl' | 'apiHost' | 'apiPort'>>;
  logger: Logger;
  /** Overrides SMTP_URL. Without either, mail goes to the outbox table. */
  transport?: MailTransport;
  /** How long one webhook request may take. */
  webhookTimeoutMs?: number;
  /** How long a delivery in progress is reserved for the attempt that started it. */
  leaseMs?: number;
}

export interface NotificationSystem extends Notifier {
  close(): void;
}

type DeliveryStatus = 'pending' | 'sending' | 'sent' | 'outbox' | 'failed_permanent';
interface DeliveryRow {
  id: number;
  key: string;
  channel: 'email' | 'webhook';
  target: string;
  status: DeliveryStatus;
  error: string | null;
}

/** A failure that repeating cannot fix. */
class PermanentFailure extends Error {}

const EMAIL = /^[^\s@<>()[\]\\,;:"]+@[^\s@<>()[\]\\,;:"]+$/;

/** Message-ID left part: the key where it is safe there, other bytes written as =XX. */
export function messageIdFor(key: string): string {
  const left = [...Buffer.from(key, 'utf8')]
    .map((b) => {
      const c = String.fromCharCode(b);
      return /[A-Za-z0-9_-]/.test(c) ? c : `=${b.toString(16).toUpperCase().padStart(2, '0')}`;
    })
    .join('');
  return `<${left}@rongcuo>`;
}

/** SMTP: 5xx refusals are final, 4xx and connection trouble are worth retrying. */
function smtpFailure(err: unknown): Error {
  const e = err as { code?: unknown; responseCode?: unknown; response?: unknown; message?: unknown };
  const detail = String(e.response ?? e.message ?? err).slice(0, 300);
  const transportTrouble = ['EAUTH', 'ECONNECTION', 'ETIMEDOUT', 'ESOCKET', 'EDNS', 'ETLS', 'EPROTOCOL'];
  if (typeof e.code === 'string' && transportTrouble.includes(e.code)) return new Error(`SMTP ${e.code}: ${detail}`);
  if (typeof e.responseCode === 'number') {
    return e.responseCode >= 500 ? new PermanentFailure(`SMTP ${e.responseCode}: ${detail}`) : new Error(`SMTP ${e.responseCode}: ${detail}`);
  }
  if (e.code === 'EENVELOPE') return new PermanentFailure(`SMTP envelope refused: ${detail}`);
  return new Error(`SMTP: ${detail}`);
}

function checkInput(input: NotifyInput): void {
  const bad = (why: string) => new InvalidNotification(`notify(${input?.key}): ${why}`);
  if (typeof input.key !== 'string' || input.key.length === 0 || input.key.length > 300) throw bad('key must be a string of 1–300 characters');
  if (typeof input.caseId !== 'string' || input.caseId.length === 0) throw bad('caseId is missing');
  if (!Object.hasOwn(templates, input.template) || (input.template as string) === 'deliveryFailed') throw bad(`unknown template ${JSON.stringify(input.template)}`);
  if (!input.audience || !(roles as readonly string[]).includes(input.audience.role)) throw bad(`unknown audience role ${JSON.stringify(input.audience?.role)}`);
  const { cadre, unit } = input.audience;
  if (cadre !== undefined && (typeof cadre !== 'string' || cadre.length === 0 || !unit)) throw bad('a cadre is reached by its id together with its unit');
}

interface Job {
  caseId: string;
  key: string;
  template: TemplateName;
  audience: Audience;
  /** The supervision body told when the notice cannot be delivered. */
  supervision?: string;
  vars: TemplateVars;
}

/**
 * The audience as the notification log keeps it: a cadre is recorded as `cadre: true`, never by id,
 * so the log holds no personal identifier of the cadre.
 */
export function loggedAudience(audience: Audience): Record<string, unknown> {
  const { cadre, ...rest } = audience;
  return cadre === undefined ? rest : { ...rest, cadre: true };
}

/** Where people act: the API's task inbox and the case, from API_PUBLIC_URL (else the API's own address). */
function apiLinks(config: NotifierOptions['config'], caseId: string): { inboxUrl?: string; caseUrl?: string } {
  const base = config.apiPublicUrl ?? (config.apiHost && config.apiPort ? `http://${config.apiHost}:${config.apiPort}` : undefined);
  if (!base) return {};
  const root = base.replace(/\/+$/, '');
  return { inboxUrl: `${root}/v1/tasks`, caseUrl: `${root}/v1/cases/${encodeURIComponent(caseId)}` };
}

export function createNotifier(options: NotifierOptions): NotificationSystem {
  const { db, config, logger } = options;
  const webhookTimeoutMs = options.webhookTimeoutMs ?? 10_000;
  const leaseMs = options.leaseMs ?? 120_000;
  const ownTransport =
    !options.transport && config.smtpUrl
      ? nodemailer.createTransport({ url: config.smtpUrl, connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 30_000 })
      : undefined;
  const transport: MailTransport | undefined = options.transport ?? (ownTransport as MailTransport | undefined);

  /**
   * Claims the notification's key and counts the attempt, in one statement: whether it is still to be
   * delivered (false when an earlier attempt finished it), when it was first claimed, and whether this
   * attempt is the first.
   */
  async function claim(job: Job, content: Rendered): Promise<{ pending: boolean; createdAt: Date; first: boolean }> {
    const row = (
      await db.query<{ case_id: string; template: string; channel: string; status: DeliveryStatus; created_at: Date; first: boolean }>(
        `INSERT INTO notifications (key, parent_key, case_id, channel, template, audience, vars, subject, status, attempts)
         VALUES ($1, NULL, $2, 'notification', $3, $4::jsonb, $5::jsonb, $6, 'pending', 1)
         ON CONFLICT (key) DO UPDATE SET attempts = notifications.attempts + 1, updated_at = now()
         RETURNING case_id, template, channel, status, created_at, (xmax = 0) AS first`,
        [job.key, job.caseId, job.template, JSON.stringify(loggedAudience(job.audience)), JSON.stringify(job.vars), content.subject],
      )
    ).rows[0];
    if (!row || row.channel !== 'notification' || row.case_id !== job.caseId || row.template !== job.template) {
      throw new InvalidNotification(`notification key ${job.key} is already used for another notification`);
    }
    return { pending: row.status === 'pending', createdAt: row.created_at, first: row.first };
  }

  /**
   * The deliveries of a notification, planned once, on its first attempt, and kept for its retries
   * (`first`: no attempt has claimed the key before this one, so none has planned them yet). The
   * statement that inserts them marks the notification planned; another attempt planning at the same
   * moment waits for that row, finds it marked and inserts nothing, then reads the plan that was made.
   */
  async function plan(job: Job, first: boolean): Promise<DeliveryRow[]> {
    const planned = async () =>
      (await db.query<DeliveryRow>('SELECT id, key, channel, target, status, error FROM notifications WHERE parent_key = $1 ORDER BY id', [job.key])).rows;
    if (!first) {
      const existing = await planned();
      if (existing.length > 0) return existing;
    }
    // A cadre's address is personal data: its delivery is keyed by the person, not the address.
    const mailKey = (address: string) => (job.audience.cadre !== undefined ? `${job.key}#email:cadre` : `${job.key}#email:${address.toLowerCase()}`);
    const { mail, webhooks } = await deliveryTargets(db, job.audience);
    const targets = [
      ...mail.map((address) => ({ channel: 'email', target: address, key: mailKey(address) })),
      ...webhooks.map((w) => ({ channel: 'webhook', target: w.url, key: `${job.key}#webhook:${w.id}` })),
    ];
    if (!targets.length) return [];
    const inserted = await db.query<DeliveryRow>(
      `WITH notice AS (UPDATE notifications SET planned_at = now() WHERE key = $1 AND planned_at IS NULL RETURNING key)
       INSERT INTO notifications (key, parent_key, case_id, channel, template, audience, target, status)
       SELECT t.key, notice.key, $2, t.channel, $3, $4::jsonb, t.target, 'pending' FROM notice, unnest($5::text[], $6::text[], $7::text[]) AS t(key, channel, target)
       ON CONFLICT (key) DO NOTHING
       RETURNING id, key, channel, target, status, error`,
      [job.key, job.caseId, job.template, JSON.stringify(loggedAudience(job.audience)), targets.map((t) => t.key), targets.map((t) => t.channel), targets.map((t) => t.target)],
    );
    // All inserted: this attempt made the plan. Otherwise another one did, and its plan stands.
    return inserted.rows.length === targets.length ? inserted.rows.sort((a, b) => a.id - b.id) : planned();
  }

  function mailMessage(job: Job, delivery: DeliveryRow, content: Rendered): MailMessage {
    if (!EMAIL.test(delivery.target)) throw new PermanentFailure(`invalid mail address`);
    return {
      from: config.mailFrom,
      to: delivery.target,
      subject: content.subject,
      text: content.text,
      messageId: messageIdFor(job.key),
      headers: { 'Auto-Submitted': 'auto-generated', 'X-Rongcuo-Case': job.caseId, 'X-Rongcuo-Template': job.template },
      textEncoding: 'base64',
    };
  }

  async function sendMail(job: Job, delivery: DeliveryRow, content: Rendered): Promise<'sent'> {
    const message = mailMessage(job, delivery, content);
    // Without a mail server a mail is spooled instead (see spool); only a refused address comes here.
    if (!transport) throw new PermanentFailure('no mail server');
    try {
      await transport.sendMail(message);
    } catch (err) {
      throw smtpFailure(err);
    }
    return 'sent';
  }

  /**
   * Without a mail server: claims the delivery, puts the mail into the outbox and marks the delivery
   * done, in one statement. False when another attempt holds the delivery or has finished it.
   */
  async function spool(job: Job, delivery: DeliveryRow, message: MailMessage): Promise<boolean> {
    const { rows } = await db.query(
      `WITH claimed AS (
         UPDATE notifications SET status = 'outbox', attempts = attempts + 1, error = NULL, lease_until = NULL, sent_at = now(), updated_at = now()
         WHERE key = $1 AND (status = 'pending' OR (status = 'sending' AND lease_until < now())) RETURNING key
       ), spooled AS (
         INSERT INTO outbox (key, case_id, to_address, subject, text, message_id) SELECT key, $2, $3, $4, $5, $6 FROM claimed
         ON CONFLICT (key) DO NOTHING
       )
       SELECT key FROM claimed`,
      [delivery.key, job.caseId, message.to, message.subject, message.text, message.messageId],
    );
    return rows.length > 0;
  }

  async function postWebhook(job: Job, delivery: DeliveryRow, content: Rendered, createdAt: string): Promise<'sent'> {
    let url: URL;
    try {
      url = new URL(delivery.target);
    } catch {
      throw new PermanentFailure('invalid webhook URL');
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new PermanentFailure(`webhook URL scheme ${url.protocol} is not http(s)`);
    const body = JSON.stringify({
      id: job.key,
      caseId: job.caseId,
      template: job.template,
      audience: loggedAudience(job.audience),
      lang: content.lang,
      subject: content.subject,
      text: content.text,
      en: content.en,
      vars: job.vars,
      createdAt,
    });
    const timestamp = Math.floor(Date.now() / 1000);
    let response: Response;
    try {
      response = await fetch(url, {
        method: 'POST',
        redirect: 'manual',
        signal: AbortSignal.timeout(webhookTimeoutMs),
        headers: {
          'content-type': 'application/json; charset=utf-8',
          'user-agent': 'rongcuo-webhooks/1',
          [webhookHeaders.timestamp]: String(timestamp),
          [webhookHeaders.signature]: signWebhook(config.webhookSecret, timestamp, body),
          [webhookHeaders.delivery]: job.key,
        },
        body,
      });
    } catch (err) {
      const cause = (err as { cause?: { code?: string; message?: string } }).cause;
      throw new Error(`webhook ${url.host}: ${(err as Error).name === 'TimeoutError' ? `no answer within ${webhookTimeoutMs} ms` : (cause?.code ?? cause?.message ?? (err as Error).message)}`);
    }
    const answer = (await response.text().catch(() => '')).slice(0, 200);
    if (response.ok) return 'sent';
    const why = `webhook ${url.host}: HTTP ${response.status}${answer ? ` ${answer}` : ''}`;
    if (response.status === 408 || response.status === 429 || response.status >= 500) throw new Error(why);
    throw new PermanentFailure(why);
  }

  /**
   * Runs one delivery if it is still open. Returns the delivery as it stands afterwards, or with
   * `retry` the error text of a failure that another attempt must take up.
   */
  async function deliver(job: Job, delivery: DeliveryRow, content: Rendered, createdAt: string): Promise<DeliveryRow & { retry?: string }> {
    if (delivery.status !== 'pending' && delivery.status !== 'sending') return delivery;
    const log = logger.child({ caseId: job.caseId, notification: job.key, delivery: delivery.id, channel: delivery.channel, template: job.template });
    /** Another attempt holds the delivery or has finished it: how it stands. */
    const notClaimed = async (): Promise<DeliveryRow & { retry?: string }> => {
      const now = (await db.query<{ status: DeliveryStatus; error: string | null }>('SELECT status, error FROM notifications WHERE key = $1', [delivery.key])).rows[0];
      if (!now || now.status === 'sending' || now.status === 'pending') return { ...delivery, retry: `${delivery.channel} delivery ${delivery.id} is in progress in another attempt` };
      return { ...delivery, status: now.status, error: now.error };
    };
    if (delivery.channel === 'email' && !transport && EMAIL.test(delivery.target)) {
      if (!(await spool(job, delivery, mailMessage(job, delivery, content)))) return notClaimed();
      log.info({ result: 'outbox' }, 'notification delivered');
      return { ...delivery, status: 'outbox', error: null };
    }
    const claimed = await db.query(
      `UPDATE notifications SET status = 'sending', attempts = attempts + 1, lease_until = now() + $2::int * interval '1 millisecond', updated_at = now()
       WHERE key = $1 AND (status = 'pending' OR (status = 'sending' AND lease_until < now())) RETURNING id`,
      [delivery.key, leaseMs],
    );
    if (claimed.rows.length === 0) return notClaimed();
    try {
      const result = delivery.channel === 'email' ? await sendMail(job, delivery, content) : await postWebhook(job, delivery, content, createdAt);
      await db.query(`UPDATE notifications SET status = 'sent', error = NULL, lease_until = NULL, sent_at = now(), updated_at = now() WHERE key = $1`, [delivery.key]);
      log.info({ result }, 'notification delivered');
      return { ...delivery, status: result, error: null };
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      if (err instanceof PermanentFailure) {
        await db.query(`UPDATE notifications SET status = 'failed_permanent', error = $2, lease_until = NULL, updated_at = now() WHERE key = $1`, [delivery.key, message]);
        log.warn({ error: message }, 'notification delivery failed for good');
        return { ...delivery, status: 'failed_permanent', error: message };
      }
      await db.query(`UPDATE notifications SET status = 'pending', error = $2, lease_until = NULL, updated_at = now() WHERE key = $1`, [delivery.key, message]);
      log.warn({ error: message }, 'notification delivery failed; it will be retried');
      return { ...delivery, status: 'pending', error: message, retry: `${delivery.channel} delivery ${delivery.id}: ${message}` };
    }
  }

  async function run(job: Job, escalate: boolean): Promise<void> {
    const content = renderTemplate(job.template, job.vars);
    if (content.missing.length) logger.warn({ caseId: job.caseId, notification: job.key, template: job.template, missing: content.missing }, 'notification template values missing');
    const claimed = await claim(job, content);
    if (!claimed.pending) {
      logger.debug({ caseId: job.caseId, notification: job.key }, 'notification already delivered');
      return;
    }
    const deliveries = await plan(job, claimed.first);
    // Every delivery as it stands once this attempt is done with it (none is left open unless retried).
    const final = await Promise.all(deliveries.map((d) => deliver(job, d, content, new Date(claimed.createdAt).toISOString())));
    const retryable = final.flatMap((d) => (d.retry === undefined ? [] : [d.retry]));
    if (retryable.length) {
      await db.query('UPDATE notifications SET error = $2, updated_at = now() WHERE key = $1', [job.key, retryable.join('; ')]);
      throw new NotificationDeliveryError(`notification ${job.key}: ${retryable.join('; ')}`);
    }
    const failed = final.filter((d) => d.status === 'failed_permanent');
    const failures =
      final.length === 0
        ? [
            job.audience.cadre !== undefined
              ? `no mail address is registered for the cadre of unit ${job.audience.unit ?? '?'}`
              : `no mail recipient or webhook is configured for role ${job.audience.role}${job.audience.unit ? `, unit ${job.audience.unit}` : ''}${job.audience.subjects ? `, subjects ${job.audience.subjects.join(', ')}` : ''}`,
          ]
        : failed.map((d) => `${d.channel} ${job.audience.cadre !== undefined ? '(the cadre)' : d.target}: ${d.error ?? 'failed'}`);
    if (failures.length && escalate) {
      await run(
        {
          caseId: job.caseId,
          key: `${job.key}#escalation`,
          template: 'deliveryFailed',
          // the supervision body of the case's locality (older notices name none: the audience's body then)
          audience: { role: 'supervisor', ...((job.supervision ?? job.audience.unit) ? { unit: job.supervision ?? job.audience.unit } : {}) },
          vars: { caseId: job.caseId, template: job.template, failures: failures.join('; ') },
        },
        false,
      );
    } else if (failures.length) {
      logger.error({ caseId: job.caseId, notification: job.key, failures }, 'a delivery-failure notice could not be delivered either');
    }
    const status: DeliveryStatus = failures.length ? 'failed_permanent' : final.some((d) => d.status === 'outbox') ? 'outbox' : 'sent';
    await db.query(
      `UPDATE notifications SET status = $2, error = $3, sent_at = CASE WHEN $2 = 'failed_permanent' THEN sent_at ELSE now() END, updated_at = now() WHERE key = $1`,
      [job.key, status, failures.length ? failures.join('; ') : null],
    );
  }

  return {
    async notify(input) {
      checkInput(input);
      const audience: Audience = {
        role: input.audience.role,
        ...(input.audience.unit ? { unit: input.audience.unit } : {}),
        ...(input.audience.subjects ? { subjects: input.audience.subjects } : {}),
        ...(input.audience.cadre !== undefined ? { cadre: input.audience.cadre } : {}),
      };
      const vars = { ...apiLinks(config, input.caseId), unitName: input.vars.unitCode, ...input.vars, caseId: input.caseId };
      await run({ caseId: input.caseId, key: input.key, template: input.template, audience, ...(input.supervision ? { supervision: input.supervision } : {}), vars }, true);
    },
    close() {
      ownTransport?.close();
    },
  };
}
