/**
 * Activities are idempotent under Temporal's retries: a case runs on the real dev server with the
 * real record system and a real SMTP server, while every activity fails once right after its write
 * or send. Temporal retries each one; afterwards there is exactly one ledger entry per event, the
 * chain verifies, and each message arrived exactly once.
 */
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import pino from 'pino';
import { SMTPServer } from 'smtp-server';
import { createActivities } from '../activities';
import { createNotifier } from '../activities/notify';
import type { NotifyAllInput, RecordEventsInput } from '../activities/types';
import { loadConfig } from '../common/config';
import { WorkingDayCalendar } from '../domain/calendar';
import { defaultPolicy } from '../domain/policies';
import type { caseWorkflow } from '../workflows/case';
import { caseWorkflowType, type CaseInput } from '../workflows/messages';
import { updates } from '../workflows/case/actions';
import { actors, sampleApplication, workflowBundle } from './support/case-harness';
import { openTestStore, type TestStore } from './support/databases';
import { testServerAddress } from './support/temporal';

jest.setTimeout(180_000);

let store: TestStore;
let smtp: SMTPServer;
const mails: { messageId: string; to: string[] }[] = [];

beforeAll(async () => {
  store = await openTestStore();
  smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    onData(stream, session, callback) {
      let raw = '';
      stream.on('data', (c: Buffer) => (raw += c.toString('utf8')));
      stream.on('end', () => {
        mails.push({ messageId: /^Message-ID:\s*(.+)$/im.exec(raw)?.[1]?.trim() ?? '', to: session.envelope.rcptTo.map((r) => r.address) });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
});

afterAll(async () => {
  await new Promise<void>((resolve) => smtp.close(() => resolve()));
  await store?.close();
});

test('When every record write and every delivery fails once after it happened, then Temporal retries leave exactly one of each', async () => {
  const port = (smtp.server.address() as AddressInfo).port;
  const config = loadConfig({ SMTP_URL: `smtp://127.0.0.1:${port}` });
  const notifier = createNotifier({ db: store.db, config, logger: pino({ level: 'silent' }) });
  const failedOnce = new Set<string>();
  const failAfter = async <T>(key: string, work: () => Promise<T>): Promise<T> => {
    const result = await work();
    if (!failedOnce.has(key)) {
      failedOnce.add(key);
      throw new Error(`injected failure after ${key} was written`);
    }
    return result;
  };
  const real = createActivities({ records: store.records, notifier });
  const activities = {
    ...real,
    // one failure after each reaction's batch was written: the retry must write none of it twice
    recordEvents: (input: RecordEventsInput) => failAfter(`record:${input.caseId}:${input.events[0]?.seq}`, () => real.recordEvents(input)),
    notifyAll: (input: NotifyAllInput) => failAfter(`notify:${input.notifications[0]?.key}`, () => real.notifyAll(input)),
  };

  const address = testServerAddress();
  const taskQueue = `retry-${randomUUID()}`;
  const connection = await NativeConnection.connect({ address });
  const worker = await Worker.create({ connection, taskQueue, workflowBundle: await workflowBundle(), activities });
  const clientConnection = await Connection.connect({ address });
  const client = new Client({ connection: clientConnection });
  const caseId = `case-R-${randomUUID().slice(0, 12).toUpperCase()}`;
  const input: CaseInput = { caseId, origin: 'application', application: sampleApplication(), openedBy: actors.unit, policy: defaultPolicy, calendar: WorkingDayCalendar.default().snapshot(2025, 2030) };

  const final = await worker.runUntil(async () => {
    const handle = await client.workflow.start<typeof caseWorkflow>(caseWorkflowType, { taskQueue, workflowId: caseId, args: [input] });
    await handle.executeUpdate(updates.acceptance, { args: [{ actor: actors.org, input: { decision: 'requestSupplement', requestedItems: ['会议纪要'] } }] });
    await handle.executeUpdate(updates.supplement, { args: [{ actor: actors.unit, input: { note: '补充会议纪要', evidence: [] } }] });
    await handle.executeUpdate(updates.acceptance, { args: [{ actor: actors.org, input: { decision: 'refuse', reason: '材料不足' } }] });
    return handle.result();
  });
  await notifier.close();
  await clientConnection.close();
  await connection.close();

  expect(final.closeReason).toBe('refused');
  const { rows } = await store.db.query<{ seq: number; event: string }>('SELECT seq, event FROM ledger WHERE case_id = $1 ORDER BY seq', [caseId]);
  expect(rows.map((r) => r.event)).toEqual(final.timeline.map((e) => e.event));
  expect(rows.map((r) => Number(r.seq))).toEqual(final.timeline.map((_, i) => i));
  const batches = [...failedOnce].filter((k) => k.startsWith('record:')).length;
  // the reactions' entries went in batches (opened and the acceptance wait together, …), each retried once
  expect(batches).toBeGreaterThanOrEqual(2);
  expect(batches).toBeLessThan(final.timeline.length);
  const [verification] = await store.records.verifyLedger(caseId);
  expect(verification).toMatchObject({ caseId, ok: true, entries: final.timeline.length });

  const caseMails = mails.filter((m) => m.messageId.includes(caseId));
  const ids = caseMails.map((m) => m.messageId);
  expect(new Set(ids).size).toBe(ids.length);
  expect(caseMails.length).toBeGreaterThanOrEqual(2);
  const { rows: sent } = await store.db.query<{ n: number }>("SELECT count(*)::int AS n FROM notifications WHERE key LIKE $1 AND status = 'sent'", [`${caseId}%`]);
  expect(sent[0]!.n).toBeGreaterThanOrEqual(caseMails.length);
});
