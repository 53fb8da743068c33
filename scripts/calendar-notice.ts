/**
 * Loads a published State Council holiday notice (npm run calendar:notice -- <year>.json): checks it,
 * keeps it in CALENDAR_DIR so every case opened from now on pins it, and sends it to every open case,
 * which re-plans the deadlines it had counted over that year. Safe to run again: a case that already
 * has the notice ignores it.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { createPayloadCodec } from '../common/codec';
import { loadConfig, type Config } from '../common/config';
import { createLogger } from '../common/logger';
import { connectClient, temporalTarget } from '../common/temporal';
import type { CalendarYearDocument } from '../domain/calendar';
import { readNotice } from '../domain/calendar/notices';
import { calendarNoticeSignal, caseWorkflowType } from '../workflows/messages';

export const calendarDirOf = (config: Pick<Config, 'calendarDir' | 'dataDir'>) => config.calendarDir || path.join(config.dataDir, 'calendar');

/** Signals the notice to every running case, `batch` at a time; returns how many cases received it. */
export async function sendCalendarNotice(client: Client, doc: CalendarYearDocument, batch = 50): Promise<{ cases: number; failed: string[] }> {
  const query = `WorkflowType = '${caseWorkflowType}' AND ExecutionStatus = 'Running'`;
  let cases = 0;
  const failed: string[] = [];
  let ids: string[] = [];
  const flush = async () => {
    const results = await Promise.allSettled(ids.map((id) => client.workflow.getHandle(id).signal(calendarNoticeSignal, doc)));
    results.forEach((r, i) => (r.status === 'fulfilled' ? cases++ : failed.push(ids[i]!)));
    ids = [];
  };
  for await (const info of client.workflow.list({ query, pageSize: 500 })) {
    ids.push(info.workflowId);
    if (ids.length >= batch) await flush();
  }
  await flush();
  return { cases, failed };
}

async function main(): Promise<void> {
  const file = process.argv[2];
  if (!file || file === '--help') {
    console.log('usage: npm run calendar:notice -- <year>.json   (the format of domain/calendar/data/<year>.json, "provisional": false)');
    process.exit(file ? 0 : 2);
  }
  const doc = readNotice(file);
  const config = loadConfig();
  const logger = createLogger(config.logLevel, 'calendar-notice');
  const dir = calendarDirOf(config);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, `${doc.year}.json`), `${JSON.stringify(doc, null, 2)}\n`);
  logger.info({ year: doc.year, dir }, 'notice kept for new cases (restart the API to use it)');
  const client = await connectClient(temporalTarget(config), { payloadCodecs: [createPayloadCodec(config, logger)] });
  try {
    const { cases, failed } = await sendCalendarNotice(client, doc);
    logger.info({ year: doc.year, cases, failed: failed.length }, 'notice sent to the open cases');
    if (failed.length) {
      logger.error({ failed }, 'some cases did not receive the notice; run the command again');
      process.exitCode = 1;
    }
  } finally {
    await client.connection.close();
  }
}

if (require.main === module) {
  main().catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
