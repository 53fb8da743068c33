import {
  type CalendarYearDocument,
  type CivilDate,
  WorkingDayCalendar,
  calendarYearSchema,
  computeDeadline,
  endOfDay,
  isCivilDate,
  reminderTimes,
  startOfWorkday,
  toCivilDate,
} from '../domain/calendar';
import data2025 from '../domain/calendar/data/2025.json';
import data2026 from '../domain/calendar/data/2026.json';
import data2027 from '../domain/calendar/data/2027.json';

const calendar = WorkingDayCalendar.default();
const yearFiles: ReadonlyArray<{ file: string; doc: CalendarYearDocument }> = [
  { file: '2025.json', doc: data2025 },
  { file: '2026.json', doc: data2026 },
  { file: '2027.json', doc: data2027 },
];

/** Every date from `from` to `to` inclusive. */
function datesFromTo(from: CivilDate, to: CivilDate): CivilDate[] {
  const out: CivilDate[] = [];
  for (let d = from; d <= to; d = calendar.addCalendarDays(d, 1)) out.push(d);
  return out;
}

function weekdayOf(date: CivilDate): number {
  return new Date(`${date}T00:00:00Z`).getUTCDay();
}

describe('data files', () => {
  it.each(yearFiles)('When $file is read, then every listed date is a real date of its year', ({ doc }) => {
    // Arrange
    const all = [...doc.holidays, ...doc.workdays];

    // Act
    const bad = all.filter((entry) => !isCivilDate(entry.date) || !entry.date.startsWith(`${doc.year}-`));

    // Assert
    expect(all.length).toBeGreaterThan(0);
    expect(bad).toEqual([]);
  });

  it.each(yearFiles)('When $file is read, then no date is both a holiday and a workday, nor listed twice', ({ doc }) => {
    // Arrange
    const holidays = doc.holidays.map((h) => h.date);
    const workdays = doc.workdays.map((w) => w.date);

    // Act
    const both = holidays.filter((d) => workdays.includes(d));
    const all = [...holidays, ...workdays];

    // Assert
    expect(both).toEqual([]);
    expect(new Set(all).size).toBe(all.length);
  });

  it.each(yearFiles)('When $file is read, then every make-up workday is a Saturday or Sunday', ({ doc }) => {
    // Arrange
    const workdays = doc.workdays.map((w) => w.date);

    // Act
    const onWeekdays = workdays.filter((d) => weekdayOf(d) !== 0 && weekdayOf(d) !== 6);

    // Assert
    expect(onWeekdays).toEqual([]);
  });

  it('When 2025.json is compared with 国办发明电〔2024〕12号, then the days off and make-up days match', () => {
    // Arrange
    const expectedOff = [
      ...datesFromTo('2025-01-01', '2025-01-01'),
      ...datesFromTo('2025-01-28', '2025-02-04'),
      ...datesFromTo('2025-04-04', '2025-04-06'),
      ...datesFromTo('2025-05-01', '2025-05-05'),
      ...datesFromTo('2025-05-31', '2025-06-02'),
      ...datesFromTo('2025-10-01', '2025-10-08'),
    ];
    const expectedWork = ['2025-01-26', '2025-02-08', '2025-04-27', '2025-09-28', '2025-10-11'];

    // Act
    const off = data2025.holidays.map((h) => h.date);
    const work = data2025.workdays.map((w) => w.date);

    // Assert
    expect(data2025.year).toBe(2025);
    expect(data2025.provisional).toBe(false);
    expect(data2025.source).toContain('国办发明电〔2024〕12号');
    expect(off).toEqual(expectedOff);
    expect(work).toEqual(expectedWork);
  });

  it('When 2026.json is compared with the 2026 notice (国办发明电〔2025〕7号), then the days off and make-up days match', () => {
    // Arrange
    const expectedOff = [
      ...datesFromTo('2026-01-01', '2026-01-03'),
      ...datesFromTo('2026-02-15', '2026-02-23'),
      ...datesFromTo('2026-04-04', '2026-04-06'),
      ...datesFromTo('2026-05-01', '2026-05-05'),
      ...datesFromTo('2026-06-19', '2026-06-21'),
      ...datesFromTo('2026-09-25', '2026-09-27'),
      ...datesFromTo('2026-10-01', '2026-10-07'),
    ];
    const expectedWork = ['2026-01-04', '2026-02-14', '2026-02-28', '2026-05-09', '2026-09-20', '2026-10-10'];

    // Act
    const off = data2026.holidays.map((h) => h.date);
    const work = data2026.workdays.map((w) => w.date);

    // Assert
    expect(data2026.year).toBe(2026);
    expect(data2026.provisional).toBe(false);
    expect(data2026.source).toContain('2026年部分节假日安排');
    expect(off).toEqual(expectedOff);
    expect(work).toEqual(expectedWork);
  });

  it('When 2027.json is read, then it is provisional with the statutory days on their own dates and no make-up days', () => {
    // Arrange
    const expectedOff = [
      '2027-01-01',
      ...datesFromTo('2027-02-05', '2027-02-08'),
      '2027-04-05',
      '2027-05-01',
      '2027-05-02',
      '2027-06-09',
      '2027-09-15',
      ...datesFromTo('2027-10-01', '2027-10-03'),
    ];

    // Act
    const off = data2027.holidays.map((h) => h.date);

    // Assert
    expect(data2027.provisional).toBe(true);
    expect(off).toEqual(expectedOff);
    expect(data2027.workdays).toEqual([]);
  });
});

describe('WorkingDayCalendar construction', () => {
  it('When the default calendar is built, then it covers 2025, 2026 and 2027', () => {
    // Act
    const years = calendar.coveredYears();

    // Assert
    expect(years).toEqual([2025, 2026, 2027]);
  });

  it('When a year document has a date that does not exist, then the constructor throws', () => {
    // Arrange
    const doc = { year: 2025, source: 'x', provisional: false, holidays: [{ date: '2025-02-29', name: 'x' }], workdays: [] };

    // Act
    const build = () => new WorkingDayCalendar([doc]);

    // Assert
    expect(build).toThrow(/Invalid working-day calendar/);
  });

  it('When a year document lists a date of another year, then the constructor throws', () => {
    // Arrange
    const doc = { year: 2025, source: 'x', provisional: false, holidays: [{ date: '2026-01-01', name: '元旦' }], workdays: [] };

    // Act
    const build = () => new WorkingDayCalendar([doc]);

    // Assert
    expect(build).toThrow(/not in 2025/);
  });

  it('When a date is both a holiday and a make-up workday, then the constructor throws', () => {
    // Arrange
    const doc = {
      year: 2025,
      source: 'x',
      provisional: false,
      holidays: [{ date: '2025-09-28', name: 'x' }],
      workdays: [{ date: '2025-09-28', name: 'y' }],
    };

    // Act
    const build = () => new WorkingDayCalendar([doc]);

    // Assert
    expect(build).toThrow(/listed twice/);
  });

  it('When a make-up workday falls on a weekday, then the constructor throws', () => {
    // Arrange
    const doc = { year: 2025, source: 'x', provisional: false, holidays: [], workdays: [{ date: '2025-09-29', name: 'x' }] };

    // Act
    const build = () => new WorkingDayCalendar([doc]);

    // Assert
    expect(build).toThrow(/not a Saturday or Sunday/);
  });

  it('When the years a case pins are the shipped ones after a trip through JSON, then they are taken without parsing again', () => {
    // Arrange
    const pinned: unknown[] = JSON.parse(JSON.stringify(calendar.snapshot(2025, 2027)));
    const parse = jest.spyOn(calendarYearSchema, 'safeParse');

    try {
      // Act
      const built = new WorkingDayCalendar(pinned);

      // Assert
      expect(parse).not.toHaveBeenCalled();
      expect(built.coveredYears()).toEqual([2025, 2026, 2027]);
      expect(built.snapshot(2025, 2027)).toEqual(calendar.snapshot(2025, 2027));
      expect(built.addWorkingDays('2026-04-30', 1)).toBe(calendar.addWorkingDays('2026-04-30', 1));
    } finally {
      parse.mockRestore();
    }
  });

  it('When a pinned year differs from the shipped one in anything, then it is parsed, and refused when invalid', () => {
    // Arrange
    const shipped = calendar.snapshot(2026, 2026)[0]!;
    const moved = { ...shipped, holidays: [...shipped.holidays.slice(1), { date: '2026-12-31', name: '元旦' }] };
    const extraKey = { ...shipped, note: 'x' };
    const wrongYear = { ...shipped, holidays: [...shipped.holidays, { date: '2025-12-31', name: 'x' }] };
    const parse = jest.spyOn(calendarYearSchema, 'safeParse');

    try {
      // Act
      const built = new WorkingDayCalendar([moved]);

      // Assert
      expect(parse).toHaveBeenCalledTimes(1);
      expect(built.dayKind('2026-12-31')).toBe('holiday');
      expect(() => new WorkingDayCalendar([extraKey])).toThrow(/Invalid working-day calendar/);
      expect(() => new WorkingDayCalendar([wrongYear])).toThrow(/not in 2026/);
    } finally {
      parse.mockRestore();
    }
  });

  it('When the same year is given twice, then the constructor throws', () => {
    // Act
    const build = () => new WorkingDayCalendar([data2025, data2025]);

    // Assert
    expect(build).toThrow(/year 2025 given twice/);
  });
});

describe('day kinds', () => {
  it.each([
    ['2025-09-26', 'workday', true],
    ['2025-09-27', 'weekend', false],
    ['2025-09-28', 'makeupWorkday', true],
    ['2025-10-04', 'holiday', false], // a Saturday inside the National Day block
    ['2025-10-08', 'holiday', false], // a Wednesday inside the block
    ['2025-10-11', 'makeupWorkday', true],
    ['2025-10-12', 'weekend', false],
    ['2026-01-04', 'makeupWorkday', true],
    ['2026-02-14', 'makeupWorkday', true],
    ['2026-02-23', 'holiday', false],
    ['2027-02-06', 'holiday', false],
    ['2027-02-09', 'workday', true],
  ] as const)('When %s is classified, then it is a %s (working: %s)', (date, kind, working) => {
    // Act
    const actualKind = calendar.dayKind(date);
    const actualWorking = calendar.isWorkingDay(date);

    // Assert
    expect(actualKind).toBe(kind);
    expect(actualWorking).toBe(working);
  });

  it('When a year has no data, then the fixed solar statutory holidays are off and the date is provisional', () => {
    // Act
    const kinds = ['2028-01-03', '2028-05-01', '2028-05-02', '2028-10-02', '2028-10-04'].map((d) => calendar.dayKind(d));

    // Assert
    expect(kinds).toEqual(['workday', 'holiday', 'holiday', 'holiday', 'workday']);
    expect(calendar.isProvisional('2028-10-02')).toBe(true);
  });

  it('When provisional flags are read, then 2025 and 2026 are official and 2027 and 2024 are provisional', () => {
    // Act
    const flags = ['2025-06-01', '2026-12-31', '2027-01-01', '2024-12-31'].map((d) => calendar.isProvisional(d));

    // Assert
    expect(flags).toEqual([false, false, true, true]);
  });

  it('When a date is not a real date, then the calendar refuses it', () => {
    // Act
    const check = () => calendar.isWorkingDay('2025-02-29');

    // Assert
    expect(check).toThrow(RangeError);
  });
});

describe('working-day arithmetic', () => {
  it.each([
    // National Day + Mid-Autumn 2025 (10/1–10/8 off; Sunday 9/28 and Saturday 10/11 worked)
    ['2025-09-26', 1, '2025-09-28'],
    ['2025-09-28', 1, '2025-09-29'],
    ['2025-09-30', 1, '2025-10-09'],
    ['2025-09-30', 2, '2025-10-10'],
    ['2025-09-30', 3, '2025-10-11'],
    ['2025-09-30', 4, '2025-10-13'],
    ['2025-10-03', 1, '2025-10-09'],
    // Spring Festival 2026 (2/15–2/23 off; Saturdays 2/14 and 2/28 worked)
    ['2026-02-13', 1, '2026-02-14'],
    ['2026-02-14', 1, '2026-02-24'],
    ['2026-02-27', 1, '2026-02-28'],
    // 元旦 2026 (1/1–1/3 off; Sunday 1/4 worked)
    ['2025-12-31', 1, '2026-01-04'],
    ['2025-12-31', 2, '2026-01-05'],
    // year end 2025 → 2026
    ['2025-12-29', 5, '2026-01-06'],
    // 2027 provisional Spring Festival (2/5–2/8)
    ['2027-02-04', 1, '2027-02-09'],
  ] as const)('When %s plus %i working days is computed, then it is %s', (from, n, expected) => {
    // Act
    const result = calendar.addWorkingDays(from, n);

    // Assert
    expect(result).toBe(expected);
  });

  it('When zero working days are added, then a working day stays and a day off rolls to the next working day', () => {
    // Act
    const onWorking = calendar.addWorkingDays('2025-09-28', 0);
    const onHoliday = calendar.addWorkingDays('2025-10-01', 0);

    // Assert
    expect(onWorking).toBe('2025-09-28');
    expect(onHoliday).toBe('2025-10-09');
  });

  it.each([
    ['2025-10-09', 1, '2025-09-30'],
    ['2025-10-09', 3, '2025-09-28'],
    ['2025-10-13', 1, '2025-10-11'],
    ['2026-02-24', 1, '2026-02-14'],
    ['2026-01-05', 2, '2025-12-31'],
    ['2025-10-05', 0, '2025-09-30'],
  ] as const)('When %s minus %i working days is computed, then it is %s', (from, n, expected) => {
    // Act
    const result = calendar.subtractWorkingDays(from, n);

    // Assert
    expect(result).toBe(expected);
  });

  it('When working days between two dates are counted, then the end is counted and the start is not', () => {
    // Act
    const overNationalDay = calendar.workingDaysBetween('2025-09-26', '2025-10-13');
    const backwards = calendar.workingDaysBetween('2025-10-11', '2025-09-30');
    const same = calendar.workingDaysBetween('2025-10-09', '2025-10-09');

    // Assert
    expect(overNationalDay).toBe(7); // 9/28, 9/29, 9/30, 10/9, 10/10, 10/11, 10/13
    expect(backwards).toBe(-3);
    expect(same).toBe(0);
  });

  it('When a negative or fractional working-day count is given, then it is refused', () => {
    // Act
    const negative = () => calendar.addWorkingDays('2025-09-30', -1);
    const fractional = () => calendar.subtractWorkingDays('2025-09-30', 1.5);

    // Assert
    expect(negative).toThrow(RangeError);
    expect(fractional).toThrow(RangeError);
  });

  it.each([
    ['2025-01-31', 1, '2025-02-28'],
    ['2024-01-31', 1, '2024-02-29'],
    ['2025-03-31', -1, '2025-02-28'],
    ['2025-11-30', 3, '2026-02-28'],
    ['2025-08-31', 1, '2025-09-30'],
    ['2025-12-15', 1, '2026-01-15'],
    ['2026-01-15', -1, '2025-12-15'],
  ] as const)('When %s plus %i months is computed, then it clamps to %s', (from, n, expected) => {
    // Act
    const result = calendar.addMonths(from, n);

    // Assert
    expect(result).toBe(expected);
  });

  it('When calendar days are added across a month and a year end, then the date rolls over', () => {
    // Act
    const yearEnd = calendar.addCalendarDays('2025-12-30', 3);
    const back = calendar.addCalendarDays('2026-03-01', -1);

    // Assert
    expect(yearEnd).toBe('2026-01-02');
    expect(back).toBe('2026-02-28');
  });
});

describe('instants and China dates', () => {
  it('When an evening UTC instant is already the next day in China, then its China date is the next day', () => {
    // Act
    const date = toCivilDate('2025-09-30T17:00:00Z');
    const before = toCivilDate('2025-09-30T15:59:59.999Z');
    const fromDate = toCivilDate(new Date('2025-09-30T16:00:00Z'));
    const withOffset = toCivilDate('2025-10-01T00:30:00+08:00');

    // Assert
    expect(date).toBe('2025-10-01');
    expect(before).toBe('2025-09-30');
    expect(fromDate).toBe('2025-10-01');
    expect(withOffset).toBe('2025-10-01');
  });

  it('When an instant has no offset, then it is refused rather than read in the host time zone', () => {
    // Act
    const parse = () => toCivilDate('2025-09-30T17:00:00');

    // Assert
    expect(parse).toThrow(RangeError);
  });

  it('When the end of a China day and the start of a workday are asked, then they are UTC+8 instants', () => {
    // Act
    const end = endOfDay('2025-10-09');
    const start = startOfWorkday('2025-10-09');
    const start14 = startOfWorkday('2025-10-09', 14);
    const earlyStart = startOfWorkday('2026-01-01', 7);

    // Assert
    expect(end).toBe('2025-10-09T15:59:59.999Z');
    expect(start).toBe('2025-10-09T01:00:00.000Z');
    expect(start14).toBe('2025-10-09T06:00:00.000Z');
    expect(earlyStart).toBe('2025-12-31T23:00:00.000Z');
  });
});

describe('computeDeadline', () => {
  it('When an event happens on a working day at 16:00 with 5 working days, then the count starts the next day', () => {
    // Arrange
    const event = '2026-03-02T08:00:00Z'; // Monday 16:00 in China

    // Act
    const deadline = computeDeadline(calendar, event, { amount: 5, unit: 'workingDays' });

    // Assert
    expect(deadline).toEqual({ dueAt: '2026-03-09T15:59:59.999Z', dueDate: '2026-03-09', provisional: false, warnings: [] });
  });

  it('When a 5-working-day acceptance period runs over 劳动节 2026, then it ends on the make-up Saturday 5/9', () => {
    // Arrange
    const submitted = '2026-04-29T02:00:00Z'; // Wednesday 10:00 in China; 5/1–5/5 off, Saturday 5/9 worked

    // Act
    const deadline = computeDeadline(calendar, submitted, { amount: 5, unit: 'workingDays' });

    // Assert
    expect(deadline.dueDate).toBe('2026-05-09');
    expect(deadline.dueAt).toBe('2026-05-09T15:59:59.999Z');
    expect(deadline.provisional).toBe(false);
  });

  it('When a period starts on the eve of 元旦 2026, then the Sunday make-up day 1/4 is the first working day', () => {
    // Act
    const deadline = computeDeadline(calendar, '2025-12-31T03:00:00Z', { amount: 1, unit: 'workingDays' });

    // Assert
    expect(deadline.dueDate).toBe('2026-01-04');
    expect(deadline.provisional).toBe(false);
  });

  it('When a 10-working-day period crosses from 2025 into 2026, then it counts 元旦 off and the make-up Sunday on', () => {
    // Arrange
    const event = '2025-12-22T02:00:00Z'; // Monday 12/22: 23,24,25,26,29,30,31, 1/4, 1/5, 1/6

    // Act
    const deadline = computeDeadline(calendar, event, { amount: 10, unit: 'workingDays' });

    // Assert
    expect(deadline.dueDate).toBe('2026-01-06');
    expect(deadline.provisional).toBe(false);
    expect(deadline.warnings).toEqual([]);
  });

  it('When a period crosses from 2026 into provisional 2027, then it is flagged provisional with a warning naming 2027', () => {
    // Arrange
    const event = '2026-12-30T02:00:00Z'; // Wednesday: 12/31, (1/1 off, weekend), 1/4, 1/5

    // Act
    const deadline = computeDeadline(calendar, event, { amount: 3, unit: 'workingDays' });

    // Assert
    expect(deadline.dueDate).toBe('2027-01-05');
    expect(deadline.provisional).toBe(true);
    expect(deadline.warnings).toHaveLength(1);
    expect(deadline.warnings[0]).toContain('2027');
    expect(deadline.warnings[0]).toMatch(/provisional/);
  });

  it('When a period ends on the last day of 2026, then it is not provisional', () => {
    // Act
    const deadline = computeDeadline(calendar, '2026-12-30T02:00:00Z', { amount: 1, unit: 'workingDays' });

    // Assert
    expect(deadline.dueDate).toBe('2026-12-31');
    expect(deadline.provisional).toBe(false);
    expect(deadline.warnings).toEqual([]);
  });

  it('When the event falls in an uncovered year but every counted day is in 2025, then it is not provisional', () => {
    // Arrange
    const event = '2024-12-31T02:00:00Z'; // 2024 has no data; the count starts 2025-01-01 (元旦, off)

    // Act
    const deadline = computeDeadline(calendar, event, { amount: 1, unit: 'workingDays' });

    // Assert
    expect(deadline.dueDate).toBe('2025-01-02');
    expect(deadline.provisional).toBe(false);
    expect(deadline.warnings).toEqual([]);
  });

  it('When a period lies wholly in 2027, then it is provisional and counts the statutory Spring Festival days off', () => {
    // Act
    const deadline = computeDeadline(calendar, '2027-02-04T02:00:00Z', { amount: 1, unit: 'workingDays' });

    // Assert
    expect(deadline.dueDate).toBe('2027-02-09');
    expect(deadline.provisional).toBe(true);
    expect(deadline.warnings).toEqual([expect.stringContaining('2027')]);
  });

  it('When a period runs past all shipped years, then each uncovered year is named in a warning', () => {
    // Act
    const deadline = computeDeadline(calendar, '2027-12-01T02:00:00Z', { amount: 2, unit: 'months' });

    // Assert
    expect(deadline.dueDate).toBe('2028-02-01');
    expect(deadline.provisional).toBe(true);
    expect(deadline.warnings).toHaveLength(2);
    expect(deadline.warnings[0]).toContain('2027');
    expect(deadline.warnings[1]).toContain('No working-day calendar for 2028');
  });

  it('When the event is a UTC evening that is already the next day in China, then counting starts from the China date', () => {
    // Arrange
    const event = '2025-09-30T17:00:00Z'; // 2025-10-01 01:00 in China

    // Act
    const byCalendarDays = computeDeadline(calendar, event, { amount: 10, unit: 'calendarDays' });
    const byWorkingDays = computeDeadline(calendar, '2025-09-28T16:30:00Z', { amount: 1, unit: 'workingDays' });

    // Assert
    expect(byCalendarDays.dueDate).toBe('2025-10-11'); // 10/1 + 10 days; from 9/30 it would be 10/10
    expect(byWorkingDays.dueDate).toBe('2025-09-30'); // event is Monday 9/29 00:30 in China
  });

  it('When a calendar-day period ends on a holiday, then the deadline moves to the next working day', () => {
    // Act
    const onHoliday = computeDeadline(calendar, '2025-09-24T02:00:00Z', { amount: 7, unit: 'calendarDays' });
    const onWeekend = computeDeadline(calendar, '2026-03-02T02:00:00Z', { amount: 5, unit: 'calendarDays' });
    const onMakeupDay = computeDeadline(calendar, '2025-09-30T02:00:00Z', { amount: 11, unit: 'calendarDays' });

    // Assert
    expect(onHoliday.dueDate).toBe('2025-10-09');
    expect(onHoliday.dueAt).toBe('2025-10-09T15:59:59.999Z');
    expect(onWeekend.dueDate).toBe('2026-03-09');
    expect(onMakeupDay.dueDate).toBe('2025-10-11');
  });

  it('When a month period ends on a holiday or is clamped, then it moves to the next working day', () => {
    // Act
    const intoNationalDay = computeDeadline(calendar, '2025-09-01T02:00:00Z', { amount: 1, unit: 'months' });
    const clamped = computeDeadline(calendar, '2025-01-31T02:00:00Z', { amount: 1, unit: 'months' });

    // Assert
    expect(intoNationalDay.dueDate).toBe('2025-10-09');
    expect(clamped.dueDate).toBe('2025-02-28'); // a Friday
  });

  it('When the amount is negative, then computeDeadline refuses it', () => {
    // Act
    const compute = () => computeDeadline(calendar, '2025-09-01T02:00:00Z', { amount: -1, unit: 'workingDays' });

    // Assert
    expect(compute).toThrow(RangeError);
  });
});

describe('reminderTimes', () => {
  it('When reminders are 3 working days before and on the day, then they fall at 09:00 China time on those days', () => {
    // Arrange
    const dueDate = '2025-10-10'; // Friday: 10/9, 9/30, 9/29 are the working days before

    // Act
    const times = reminderTimes(calendar, dueDate, [{ amount: 3, unit: 'workingDays' }], true);

    // Assert
    expect(times).toEqual(['2025-09-29T01:00:00.000Z', '2025-10-10T01:00:00.000Z']);
  });

  it('When offsets repeat, coincide with the due day or come unordered, then the result is sorted and deduplicated', () => {
    // Arrange
    const before = [
      { amount: 1, unit: 'workingDays' },
      { amount: 3, unit: 'workingDays' },
      { amount: 3, unit: 'workingDays' },
      { amount: 0, unit: 'workingDays' },
      { amount: 2, unit: 'calendarDays' },
    ] as const;

    // Act
    const times = reminderTimes(calendar, '2026-02-24', [...before], true);

    // Assert — due Tuesday 2/24 after Spring Festival: 1 wd before is Saturday 2/14 (make-up day),
    // 3 wd before is 2/12, 0 wd is the due day itself (duplicate of onTheDay), 2 calendar days is 2/22.
    expect(times).toEqual([
      '2026-02-12T01:00:00.000Z',
      '2026-02-14T01:00:00.000Z',
      '2026-02-22T01:00:00.000Z',
      '2026-02-24T01:00:00.000Z',
    ]);
  });

  it('When no offsets are given and not on the day, then there are no reminders', () => {
    // Act
    const times = reminderTimes(calendar, '2025-10-10', [], false);

    // Assert
    expect(times).toEqual([]);
  });
});
