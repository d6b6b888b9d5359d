/** The Danish bank-day calendar: Easter, each closing day, Great Prayer Day's abolition, counting bank days. */
import t from 'tap';
import {
  addBankDays,
  bankDaysBetween,
  closedBecause,
  daysBetween,
  easterSunday,
  isBankDay,
  lastBankDayOfMonth,
} from '../../src/time/bank-days.js';

t.test('easterSunday of known years', async (t) => {
  const known: Record<number, string> = {
    2008: '2008-03-23',
    2019: '2019-04-21',
    2023: '2023-04-09',
    2024: '2024-03-31',
    2025: '2025-04-20',
    2026: '2026-04-05',
    2027: '2027-03-28',
    2038: '2038-04-25',
  };
  for (const [year, date] of Object.entries(known)) t.equal(easterSunday(Number(year)), date, year);
});

t.test('each closing day of 2026, and the days around them open', async (t) => {
  const closed: [string, string][] = [
    ['2026-01-01', "New Year's Day"],
    ['2026-04-02', 'Maundy Thursday'],
    ['2026-04-03', 'Good Friday'],
    ['2026-04-06', 'Easter Monday'],
    ['2026-05-14', 'Ascension Day'],
    ['2026-05-15', 'Friday after Ascension'],
    ['2026-05-25', 'Whit Monday'],
    ['2026-06-05', 'Constitution Day'],
    ['2026-12-24', 'Christmas Eve'],
    ['2026-12-25', 'Christmas Day'],
    ['2026-12-31', "New Year's Eve"],
  ];
  for (const [date, name] of closed) {
    t.equal(closedBecause(date), name, date);
    t.notOk(isBankDay(date), `${date} is no bank day`);
  }
  // Boxing Day 2026 is a Saturday: closed whichever way it is named.
  t.equal(closedBecause('2026-12-26'), 'Saturday');
  t.equal(closedBecause('2026-04-05'), 'Sunday', 'Easter Sunday');
  for (const open of [
    '2026-01-02',
    '2026-04-01',
    '2026-04-07',
    '2026-05-13',
    '2026-05-26',
    '2026-06-04',
    '2026-12-23',
    '2026-12-28',
    '2026-12-30',
  ]) {
    t.equal(closedBecause(open), undefined, open);
    t.ok(isBankDay(open), `${open} is a bank day`);
  }
});

t.test('Great Prayer Day: closed in 2023, a bank day from 2024', async (t) => {
  t.equal(closedBecause('2023-05-05'), 'Great Prayer Day', 'the fourth Friday after Easter 2023');
  t.notOk(isBankDay('2023-05-05'));
  t.equal(closedBecause('2024-04-26'), undefined, 'the fourth Friday after Easter 2024: abolished');
  t.ok(isBankDay('2024-04-26'));
});

t.test('weekends are closed', async (t) => {
  t.equal(closedBecause('2026-12-05'), 'Saturday');
  t.equal(closedBecause('2026-12-06'), 'Sunday');
  t.ok(isBankDay('2026-12-04'), 'a Friday');
  t.ok(isBankDay('2026-12-07'), 'a Monday');
});

t.test('addBankDays: over a weekend and over Easter', async (t) => {
  t.equal(addBankDays('2026-12-03', 1), '2026-12-04', 'Thursday + 1: Friday');
  t.equal(addBankDays('2026-12-04', 1), '2026-12-07', 'Friday + 1: Monday');
  t.equal(addBankDays('2026-12-04', 2), '2026-12-08', 'Friday + 2: Tuesday');
  t.equal(addBankDays('2026-12-05', 1), '2026-12-07', 'from a Saturday: the day itself does not count');
  // Wednesday before Easter 2026: Thursday, Friday, the weekend and Monday are closed.
  t.equal(addBankDays('2026-04-01', 1), '2026-04-07');
  t.equal(addBankDays('2026-04-01', 2), '2026-04-08');
  // Christmas 2026: 24 and 25 closed, 26-27 the weekend, 31 closed, 1 January closed.
  t.equal(addBankDays('2026-12-23', 1), '2026-12-28');
  t.equal(addBankDays('2026-12-30', 1), '2027-01-04');
});

t.test('bankDaysBetween and daysBetween', async (t) => {
  t.equal(bankDaysBetween('2026-12-04', '2026-12-04'), 0, 'the same day');
  t.equal(bankDaysBetween('2026-12-04', '2026-12-03'), 0, 'to before from');
  t.equal(bankDaysBetween('2026-12-04', '2026-12-07'), 1, 'Friday to Monday: one');
  t.equal(bankDaysBetween('2026-12-04', '2026-12-17'), 9, 'Friday to the Thursday after next');
  t.equal(bankDaysBetween('2026-12-04', '2026-12-18'), 10);
  t.equal(bankDaysBetween('2026-04-01', '2026-04-07'), 1, 'over Easter');
  t.equal(bankDaysBetween('2026-12-23', '2027-01-04'), 4, '28, 29, 30 December and 4 January');
  t.equal(daysBetween('2026-12-04', '2026-12-14'), 10);
  t.equal(daysBetween('2026-12-14', '2026-12-04'), -10);
  t.equal(daysBetween('2026-12-31', '2027-01-01'), 1);
});

t.test('lastBankDayOfMonth', async (t) => {
  t.equal(lastBankDayOfMonth('2026-12-04'), '2026-12-30', 'New Year’s Eve is closed');
  t.equal(lastBankDayOfMonth('2026-05-01'), '2026-05-29', 'May 2026 ends on a Sunday');
  t.equal(lastBankDayOfMonth('2026-01-31'), '2026-01-30', 'January 2026 ends on a Saturday');
  t.equal(lastBankDayOfMonth('2026-11-15'), '2026-11-30', 'a Monday');
  t.equal(lastBankDayOfMonth('2024-02-01'), '2024-02-29', 'a leap year');
});
