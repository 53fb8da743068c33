/**
 * Working-day calendar of the People's Republic of China, as shipped data plus pure arithmetic.
 *
 * - The official days off and make-up working days (调休) of a year come from that year's
 *   State Council General Office notice (国务院办公厅关于 YYYY 年部分节假日安排的通知), stored in
 *   `data/<year>.json`. A year whose notice is not yet published ships as a *provisional* file
 *   (statutory holidays of 全国年节及纪念日放假办法 on their own dates, no make-up days).
 * - A year with no file at all falls back to weekends plus the statutory holidays on fixed solar
 *   dates (元旦 1/1, 劳动节 5/1–5/2, 国庆节 10/1–10/3); lunar holidays are unknown there.
 *   Dates in provisional or uncovered years are reported as provisional, and deadlines that count
 *   over them carry a warning.
 *
 * Everything here is deterministic: no clock, no I/O, no dependence on the host time zone.
 * Civil dates are China dates (Asia/Shanghai, UTC+8 all year, no DST since 1991), so a fixed
 * +08:00 offset is exact for every date this system handles.
 */
import { z } from 'zod';

import data2025 from './data/2025.json';
import data2026 from './data/2026.json';
import data2027 from './data/2027.json';

/** A civil date in China, 'YYYY-MM-DD'. */
export type CivilDate = string;

export type DurationUnit = 'workingDays' | 'calendarDays' | 'months';

export interface Duration {
  amount: number;
  unit: DurationUnit;
}

export type DayKind = 'workday' | 'weekend' | 'holiday' | 'makeupWorkday';

export interface Deadline {
  /** ISO instant (UTC, `Z`) of 23:59:59.999 China time on `dueDate`. */
  dueAt: string;
  dueDate: CivilDate;
  /** True when any day counted lies in a provisional or uncovered year. */
  provisional: boolean;
  warnings: string[];
}

/** China Standard Time, UTC+8, no daylight saving time. */
const CHINA_OFFSET_MS = 8 * 60 * 60 * 1000;
const DAY_MS = 24 * 60 * 60 * 1000;
const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

/* ------------------------------------------------------------------------------------------------
 * Civil-date primitives (UTC-based arithmetic on day numbers, independent of the host zone)
 * --------------------------------------------------------------------------------------------- */

interface Ymd {
  y: number;
  m: number; // 1..12
  d: number; // 1..31
}

function daysInMonth(y: number, m: number): number {
  return new Date(Date.UTC(y, m, 0)).getUTCDate();
}

function tryParseCivilDate(date: string): Ymd | undefined {
  const match = DATE_RE.exec(date);
  if (!match) return undefined;
  const y = Number(match[1]);
  const m = Number(match[2]);
  const d = Number(match[3]);
  // Years below 1000 are refused: Date.UTC maps years 0..99 to 1900..1999.
  if (y < 1000 || m < 1 || m > 12 || d < 1 || d > daysInMonth(y, m)) return undefined;
  return { y, m, d };
}

/** True when `date` is a real calendar date written as 'YYYY-MM-DD'. */
export function isCivilDate(date: unknown): date is CivilDate {
  return typeof date === 'string' && tryParseCivilDate(date) !== undefined;
}

function parseCivilDate(date: CivilDate): Ymd {
  const ymd = tryParseCivilDate(date);
  if (!ymd) throw new RangeError(`Not a civil date (YYYY-MM-DD): ${JSON.stringify(date)}`);
  return ymd;
}

function formatYmd(y: number, m: number, d: number): CivilDate {
  const yy = String(y).padStart(4, '0');
  return `${yy}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

/** Days since 1970-01-01 of a civil date. */
function toDayNumber(date: CivilDate): number {
  const { y, m, d } = parseCivilDate(date);
  return Date.UTC(y, m - 1, d) / DAY_MS;
}

function fromDayNumber(day: number): CivilDate {
  const t = new Date(day * DAY_MS);
  return formatYmd(t.getUTCFullYear(), t.getUTCMonth() + 1, t.getUTCDate());
}

function yearOf(date: CivilDate): number {
  return parseCivilDate(date).y;
}

/** 0 = Sunday … 6 = Saturday. */
function weekdayOf(date: CivilDate): number {
  const { y, m, d } = parseCivilDate(date);
  return new Date(Date.UTC(y, m - 1, d)).getUTCDay();
}

function assertCount(n: number, what: string): void {
  if (!Number.isSafeInteger(n) || n < 0) {
    throw new RangeError(`${what} must be a non-negative integer, got ${n}`);
  }
}

function assertInteger(n: number, what: string): void {
  if (!Number.isSafeInteger(n)) throw new RangeError(`${what} must be an integer, got ${n}`);
}

/* ------------------------------------------------------------------------------------------------
 * Year documents
 * --------------------------------------------------------------------------------------------- */

const civilDateSchema = z.string().refine(isCivilDate, { message: 'must be a valid date YYYY-MM-DD' });

const namedDateSchema = z.object({
  date: civilDateSchema,
  name: z.string().min(1),
});

/** Schema of one `data/<year>.json` file. */
export const calendarYearSchema = z
  .object({
    year: z.number().int().min(1949).max(9999),
    source: z.string().min(1),
    provisional: z.boolean(),
    holidays: z.array(namedDateSchema),
    workdays: z.array(namedDateSchema),
  })
  .strict()
  .superRefine((doc, ctx) => {
    const seen = new Map<string, string>();
    const check = (list: 'holidays' | 'workdays') => {
      doc[list].forEach((entry, index) => {
        if (!isCivilDate(entry.date)) return; // reported by the field schema
        if (yearOf(entry.date) !== doc.year) {
          ctx.addIssue({
            code: 'custom',
            path: [list, index, 'date'],
            message: `${entry.date} is not in ${doc.year}`,
          });
        }
        const previous = seen.get(entry.date);
        if (previous !== undefined) {
          ctx.addIssue({
            code: 'custom',
            path: [list, index, 'date'],
            message: `${entry.date} is listed twice (already in ${previous})`,
          });
        }
        seen.set(entry.date, list);
      });
    };
    check('holidays');
    check('workdays');
    doc.workdays.forEach((entry, index) => {
      if (isCivilDate(entry.date) && weekdayOf(entry.date) !== 0 && weekdayOf(entry.date) !== 6) {
        ctx.addIssue({
          code: 'custom',
          path: ['workdays', index, 'date'],
          message: `make-up working day ${entry.date} is not a Saturday or Sunday`,
        });
      }
    });
    if (doc.provisional && doc.workdays.length > 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['workdays'],
        message: 'a provisional year has no make-up working days (they exist only in a notice)',
      });
    }
  });

export type CalendarYearDocument = z.infer<typeof calendarYearSchema>;

function parseYearDocument(raw: unknown, label: string): CalendarYearDocument {
  const result = calendarYearSchema.safeParse(raw);
  if (!result.success) {
    throw new Error(`Invalid working-day calendar ${label}: ${z.prettifyError(result.error)}`);
  }
  return result.data;
}

/** The shipped years, validated once at module load (a bad data file fails fast). */
const SHIPPED_YEARS: readonly CalendarYearDocument[] = Object.freeze(
  [
    parseYearDocument(data2025, 'data/2025.json'),
    parseYearDocument(data2026, 'data/2026.json'),
    parseYearDocument(data2027, 'data/2027.json'),
  ].map((doc) => Object.freeze(doc)),
);

/** Each shipped year as JSON, beside SHIPPED_YEARS. */
const SHIPPED_YEAR_JSON: readonly string[] = Object.freeze(SHIPPED_YEARS.map((doc) => JSON.stringify(doc)));

/**
 * A year document, validated. Every case pins its calendar years and builds its calendar from them
 * whenever its workflow is loaded; those years are nearly always the shipped ones, unchanged, and a
 * document equal to a shipped year (the same JSON) is that year, valid, without parsing it again
 * (the parse was about a sixth of the time a case's workflow code took in its start). Anything else
 * is parsed.
 */
function yearDocumentOf(raw: unknown, label: string): CalendarYearDocument {
  const year = typeof raw === 'object' && raw !== null ? (raw as { year?: unknown }).year : undefined;
  const index = SHIPPED_YEARS.findIndex((doc) => doc.year === year);
  if (index >= 0) {
    let json: string | undefined;
    try {
      json = JSON.stringify(raw);
    } catch {
      // not JSON (a cycle, a BigInt): the schema says what is wrong
    }
    if (json === SHIPPED_YEAR_JSON[index]) return SHIPPED_YEARS[index]!;
  }
  return parseYearDocument(raw, label);
}

/**
 * Statutory holidays on fixed solar dates (全国年节及纪念日放假办法, 2024 revision), used for years
 * with no data file. The lunar holidays (春节, 端午节, 中秋节) and 清明节 cannot be placed without data.
 */
const FIXED_SOLAR_HOLIDAYS: ReadonlyArray<{ md: string; name: string }> = [
  { md: '01-01', name: '元旦' },
  { md: '05-01', name: '劳动节' },
  { md: '05-02', name: '劳动节' },
  { md: '10-01', name: '国庆节' },
  { md: '10-02', name: '国庆节' },
  { md: '10-03', name: '国庆节' },
];

interface YearEntry {
  provisional: boolean;
  source: string;
  holidays: ReadonlyMap<CivilDate, string>;
  workdays: ReadonlyMap<CivilDate, string>;
}

/* ------------------------------------------------------------------------------------------------
 * The calendar
 * --------------------------------------------------------------------------------------------- */

export class WorkingDayCalendar {
  private readonly years: ReadonlyMap<number, YearEntry>;
  private readonly docs: ReadonlyMap<number, CalendarYearDocument>;

  /** The calendar built from the year files shipped in `data/`. */
  static default(): WorkingDayCalendar {
    return DEFAULT_CALENDAR;
  }

  /** Builds a calendar from year documents; each is validated, and a year may appear only once. */
  constructor(documents: readonly unknown[]) {
    const years = new Map<number, YearEntry>();
    const docs = new Map<number, CalendarYearDocument>();
    documents.forEach((raw, index) => {
      const doc = yearDocumentOf(raw, `document #${index}`);
      if (years.has(doc.year)) throw new Error(`Working-day calendar: year ${doc.year} given twice`);
      docs.set(doc.year, doc);
      years.set(doc.year, {
        provisional: doc.provisional,
        source: doc.source,
        holidays: new Map(doc.holidays.map((h) => [h.date, h.name])),
        workdays: new Map(doc.workdays.map((w) => [w.date, w.name])),
      });
    });
    this.years = years;
    this.docs = docs;
  }

  /**
   * The year documents a case pins when it opens: every covered year from `fromYear` to `toYear`
   * (the years its deadlines and revisits can reach). Years beyond fall back as documented above.
   */
  snapshot(fromYear: number, toYear: number): CalendarYearDocument[] {
    return [...this.docs.values()].filter((d) => d.year >= fromYear && d.year <= toYear).sort((a, b) => a.year - b.year);
  }

  /** This calendar with `doc` in place of its year (a newly published notice). */
  withYear(doc: CalendarYearDocument): WorkingDayCalendar {
    return new WorkingDayCalendar([...[...this.docs.values()].filter((d) => d.year !== doc.year), doc]);
  }

  /** The years that have a data file (official or provisional), ascending. */
  coveredYears(): number[] {
    return [...this.years.keys()].sort((a, b) => a - b);
  }

  /** The source of a covered year (notice title and number), or undefined. */
  sourceOf(year: number): string | undefined {
    return this.years.get(year)?.source;
  }

  /** What kind of day `date` is. */
  dayKind(date: CivilDate): DayKind {
    const entry = this.years.get(yearOf(date));
    if (entry) {
      if (entry.holidays.has(date)) return 'holiday';
      if (entry.workdays.has(date)) return 'makeupWorkday';
    } else if (FIXED_SOLAR_HOLIDAYS.some((h) => date.endsWith(`-${h.md}`))) {
      return 'holiday';
    }
    const weekday = weekdayOf(date);
    return weekday === 0 || weekday === 6 ? 'weekend' : 'workday';
  }

  /** The holiday or make-up day name of `date` (e.g. '春节', '春节调休上班'), if any. */
  dayName(date: CivilDate): string | undefined {
    const entry = this.years.get(yearOf(date));
    if (entry) return entry.holidays.get(date) ?? entry.workdays.get(date);
    return FIXED_SOLAR_HOLIDAYS.find((h) => date.endsWith(`-${h.md}`))?.name;
  }

  /** Weekdays work unless a holiday; weekends are off unless a make-up working day (调休上班). */
  isWorkingDay(date: CivilDate): boolean {
    const kind = this.dayKind(date);
    return kind === 'workday' || kind === 'makeupWorkday';
  }

  /** True when `date`'s year is provisional (no notice yet) or has no data at all. */
  isProvisional(date: CivilDate): boolean {
    return this.isYearProvisional(yearOf(date));
  }

  /** True when `year` is provisional (no notice yet) or has no data at all. */
  isYearProvisional(year: number): boolean {
    const entry = this.years.get(year);
    return entry === undefined || entry.provisional;
  }

  /**
   * The `n`-th working day after `date` (n ≥ 0). With n = 0: `date` itself when it is a working
   * day, otherwise the next working day.
   */
  addWorkingDays(date: CivilDate, n: number): CivilDate {
    assertCount(n, 'Working days');
    let day = toDayNumber(date);
    if (n === 0) {
      while (!this.isWorkingDay(fromDayNumber(day))) day += 1;
      return fromDayNumber(day);
    }
    let remaining = n;
    while (remaining > 0) {
      day += 1;
      if (this.isWorkingDay(fromDayNumber(day))) remaining -= 1;
    }
    return fromDayNumber(day);
  }

  /**
   * The `n`-th working day before `date` (n ≥ 0). With n = 0: `date` itself when it is a working
   * day, otherwise the previous working day.
   */
  subtractWorkingDays(date: CivilDate, n: number): CivilDate {
    assertCount(n, 'Working days');
    let day = toDayNumber(date);
    if (n === 0) {
      while (!this.isWorkingDay(fromDayNumber(day))) day -= 1;
      return fromDayNumber(day);
    }
    let remaining = n;
    while (remaining > 0) {
      day -= 1;
      if (this.isWorkingDay(fromDayNumber(day))) remaining -= 1;
    }
    return fromDayNumber(day);
  }

  /**
   * Working days in the half-open interval (a, b]: the days one counts going from `a` to `b`, so
   * for a working day `b` after `a`, `addWorkingDays(a, workingDaysBetween(a, b)) === b`.
   * Negative when `b` is before `a`; 0 when equal.
   */
  workingDaysBetween(a: CivilDate, b: CivilDate): number {
    const from = toDayNumber(a);
    const to = toDayNumber(b);
    if (to < from) return -this.workingDaysBetween(b, a);
    let count = 0;
    for (let day = from + 1; day <= to; day += 1) {
      if (this.isWorkingDay(fromDayNumber(day))) count += 1;
    }
    return count;
  }

  /** `date` plus `n` calendar days (n may be negative). */
  addCalendarDays(date: CivilDate, n: number): CivilDate {
    assertInteger(n, 'Calendar days');
    return fromDayNumber(toDayNumber(date) + n);
  }

  /**
   * `date` plus `n` months (n may be negative), clamped to the end of the target month:
   * 2025-01-31 + 1 month = 2025-02-28.
   */
  addMonths(date: CivilDate, n: number): CivilDate {
    assertInteger(n, 'Months');
    const { y, m, d } = parseCivilDate(date);
    const index = y * 12 + (m - 1) + n;
    const ty = Math.floor(index / 12);
    const tm = index - ty * 12 + 1;
    return formatYmd(ty, tm, Math.min(d, daysInMonth(ty, tm)));
  }
}

const DEFAULT_CALENDAR = new WorkingDayCalendar(SHIPPED_YEARS);

/* ------------------------------------------------------------------------------------------------
 * Instants ↔ China dates
 * --------------------------------------------------------------------------------------------- */

/** A date-time string must carry its offset ('Z' or ±hh:mm), or it would depend on the host zone. */
const ZONED_INSTANT_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/i;

function toEpochMs(instant: Date | string): number {
  if (instant instanceof Date) {
    const t = instant.getTime();
    if (Number.isNaN(t)) throw new RangeError('Invalid Date');
    return t;
  }
  if (!ZONED_INSTANT_RE.test(instant)) {
    throw new RangeError(`Not an ISO instant with an offset (e.g. ...Z or ...+08:00): ${JSON.stringify(instant)}`);
  }
  const t = Date.parse(instant);
  if (Number.isNaN(t)) throw new RangeError(`Invalid instant: ${JSON.stringify(instant)}`);
  return t;
}

/** The China (UTC+8) civil date of an instant. */
export function toCivilDate(instant: Date | string): CivilDate {
  const shifted = new Date(toEpochMs(instant) + CHINA_OFFSET_MS);
  return formatYmd(shifted.getUTCFullYear(), shifted.getUTCMonth() + 1, shifted.getUTCDate());
}

function chinaWallClockToIso(date: CivilDate, hour: number, minute: number, second: number, ms: number): string {
  const { y, m, d } = parseCivilDate(date);
  return new Date(Date.UTC(y, m - 1, d, hour, minute, second, ms) - CHINA_OFFSET_MS).toISOString();
}

/** ISO instant of 23:59:59.999 China time on `date` (i.e. `<date>T15:59:59.999Z`). */
export function endOfDay(date: CivilDate): string {
  return chinaWallClockToIso(date, 23, 59, 59, 999);
}

/** ISO instant of `hour`:00 China time on `date` (default 09:00, i.e. `<date>T01:00:00.000Z`). */
export function startOfWorkday(date: CivilDate, hour = 9): string {
  if (!Number.isInteger(hour) || hour < 0 || hour > 23) {
    throw new RangeError(`Hour must be an integer 0..23, got ${hour}`);
  }
  return chinaWallClockToIso(date, hour, 0, 0, 0);
}

/* ------------------------------------------------------------------------------------------------
 * Deadlines and reminders
 * --------------------------------------------------------------------------------------------- */

function provisionalWarning(calendar: WorkingDayCalendar, year: number): string {
  if (calendar.coveredYears().includes(year)) {
    return (
      `Working-day calendar ${year} is provisional: the State Council notice for ${year} is not loaded, ` +
      `so statutory holidays are taken on their own dates with no make-up working days; ` +
      `re-check this deadline when the ${year} notice is published.`
    );
  }
  return (
    `No working-day calendar for ${year}: only weekends and the fixed-date statutory holidays ` +
    `(元旦, 劳动节, 国庆节) are applied; lunar holidays, 清明节 and make-up working days are unknown.`
  );
}

/**
 * Computes the deadline of a period that starts with an event at `fromInstant`.
 *
 * - The count starts the day after the event's China date (the day of the event is not counted):
 *   an event on a working day at 16:00 with 5 working days is due at the end of the 5th working day
 *   after that date. An event late in the UTC evening may already be the next day in China.
 * - `workingDays`: the n-th working day after the event date (n = 0: the event date if it is a
 *   working day, else the next working day).
 * - `calendarDays`: event date + n days. `months`: event date + n months (end-of-month clamp).
 *   If that day is not a working day, the deadline moves to the next working day — Chinese practice
 *   (cf. 民法典 第二百零三条) moves the last day of a period that falls on a day off (holiday or
 *   weekend) to the first working day after it. Working-day counts always end on a working day.
 * - The deadline is the end of the due date, 23:59:59.999 China time.
 * - `provisional` is true, with a warning naming the year, when any day counted (event date
 *   exclusive, due date inclusive) lies in a provisional or uncovered year.
 */
export function computeDeadline(calendar: WorkingDayCalendar, fromInstant: string, d: Duration): Deadline {
  assertCount(d.amount, `Duration amount (${d.unit})`);
  const start = toCivilDate(fromInstant);
  let dueDate: CivilDate;
  switch (d.unit) {
    case 'workingDays':
      dueDate = calendar.addWorkingDays(start, d.amount);
      break;
    case 'calendarDays':
      dueDate = calendar.addWorkingDays(calendar.addCalendarDays(start, d.amount), 0);
      break;
    case 'months':
      dueDate = calendar.addWorkingDays(calendar.addMonths(start, d.amount), 0);
      break;
    default: {
      const unit: never = d.unit;
      throw new RangeError(`Unknown duration unit: ${String(unit)}`);
    }
  }

  const firstCounted = dueDate === start ? start : calendar.addCalendarDays(start, 1);
  const warnings: string[] = [];
  for (let year = yearOf(firstCounted); year <= yearOf(dueDate); year += 1) {
    if (calendar.isYearProvisional(year)) warnings.push(provisionalWarning(calendar, year));
  }
  return { dueAt: endOfDay(dueDate), dueDate, provisional: warnings.length > 0, warnings };
}

/**
 * Reminder instants (09:00 China time) for a due date: one per `before` offset — `workingDays`
 * counts working days back from the due date, `calendarDays`/`months` count calendar days/months
 * back — plus the due date itself when `onTheDay`. Sorted ascending, without duplicates.
 */
export function reminderTimes(
  calendar: WorkingDayCalendar,
  dueDate: CivilDate,
  before: readonly Duration[],
  onTheDay: boolean,
): string[] {
  parseCivilDate(dueDate);
  const dates: CivilDate[] = before.map((offset) => {
    assertCount(offset.amount, `Reminder offset (${offset.unit})`);
    switch (offset.unit) {
      case 'workingDays':
        return calendar.subtractWorkingDays(dueDate, offset.amount);
      case 'calendarDays':
        return calendar.addCalendarDays(dueDate, -offset.amount);
      case 'months':
        return calendar.addMonths(dueDate, -offset.amount);
      default: {
        const unit: never = offset.unit;
        throw new RangeError(`Unknown duration unit: ${String(unit)}`);
      }
    }
  });
  if (onTheDay) dates.push(dueDate);
  return [...new Set(dates.map((date) => startOfWorkday(date)))].sort();
}

/** An instant as Beijing time, 'YYYY-MM-DD HH:mm' (China has one zone, UTC+8, no daylight saving). */
export function beijingTime(instant: Date | string): string {
  return new Date(toEpochMs(instant) + CHINA_OFFSET_MS).toISOString().slice(0, 16).replace('T', ' ');
}
