/**
 * Published notices beside the shipped years: a folder of `<year>.json` documents (the format of
 * `data/<year>.json`, `provisional: false`), each replacing the shipped year. `npm run
 * calendar:notice` writes them; the API reads them when it starts, so new cases pin them.
 */
import fs from 'node:fs';
import path from 'node:path';
import { calendarYearSchema, WorkingDayCalendar, type CalendarYearDocument } from './index';

/** Reads and validates a notice file; the message names the file and the field when it is wrong. */
export function readNotice(file: string): CalendarYearDocument {
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw new Error(`${file} is not a readable JSON file: ${(err as Error).message}`);
  }
  const parsed = calendarYearSchema.safeParse(raw);
  if (!parsed.success) throw new Error(`${file} is not a calendar year document: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`);
  if (parsed.data.provisional) throw new Error(`${file} is provisional: only a published notice (provisional: false) can be loaded`);
  return parsed.data;
}

/** The notices in `dir` (none when it does not exist), by year. */
export function readNotices(dir: string): CalendarYearDocument[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((f) => /^\d{4}\.json$/.test(f))
    .sort()
    .map((f) => readNotice(path.join(dir, f)));
}

/** The shipped calendar with every notice in `dir` in place of its year. */
export function loadCalendar(dir: string | undefined): WorkingDayCalendar {
  return (dir ? readNotices(dir) : []).reduce((calendar, doc) => calendar.withYear(doc), WorkingDayCalendar.default());
}
