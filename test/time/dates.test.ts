/** Calendar dates and UTC stamps as text: which exist, the day after, day numbers, round trips. */
import t from 'tap';
import { dayNumber, isCalendarDate, nextDate, parseUtcStamp, utcStamp, yymmOfDate } from '../../src/time/dates.js';

t.test('isCalendarDate: the form YYYY-MM-DD, and the day exists', async (t) => {
  for (const ok of ['2026-11-21', '2024-02-29', '2000-02-29', '2026-12-31', '0050-01-01', '9999-12-31'])
    t.ok(isCalendarDate(ok), ok);
  for (const bad of [
    '2026-02-29',
    '1900-02-29',
    '2026-02-30',
    '2026-04-31',
    '2026-13-01',
    '2026-00-10',
    '2026-01-00',
    '21-11-2026',
    '2026-1-01',
    '2026-11-21T00:00',
    ' 2026-11-21',
    '',
  ])
    t.notOk(isCalendarDate(bad), JSON.stringify(bad));
});

t.test('nextDate and dayNumber: over month, year and leap-day boundaries', async (t) => {
  t.equal(nextDate('2026-11-30'), '2026-12-01');
  t.equal(nextDate('2026-12-31'), '2027-01-01');
  t.equal(nextDate('2024-02-28'), '2024-02-29');
  t.equal(nextDate('2026-02-28'), '2026-03-01');
  t.equal(nextDate('2026-03-28'), '2026-03-29', 'no time zone: a DST night is a day like any other');
  t.equal(dayNumber('1970-01-01'), 0);
  t.equal(dayNumber('2026-11-23') - dayNumber('2026-11-20'), 3);
  t.equal(dayNumber(nextDate('2026-12-31')), dayNumber('2026-12-31') + 1);
});

t.test('yymmOfDate', async (t) => {
  t.equal(yymmOfDate('2026-11-21'), '2611');
  t.equal(yymmOfDate('2100-01-01'), '0001');
});

t.test('utcStamp and parseUtcStamp: YYYYMMDDhhmmssSSS both ways; no rolled-over fields', async (t) => {
  const at = Date.UTC(2026, 10, 21, 8, 15, 30, 123);
  t.equal(utcStamp(at), '20261121081530123');
  t.equal(parseUtcStamp('20261121081530123'), at);
  t.equal(utcStamp(Date.UTC(2026, 0, 1)), '20260101000000000');
  t.equal(utcStamp(Date.parse('0099-01-01T00:00:00Z')), '00990101000000000', 'a four-digit year, also below 1000');
  t.equal(parseUtcStamp('00990101000000000'), Date.parse('0099-01-01T00:00:00Z'), 'not read as 1999');
  for (const ms of [Number.NaN, 12.5, Date.UTC(10000, 0, 1), Date.parse('-000001-01-01T00:00:00Z')])
    t.equal(utcStamp(ms), '', `no stamp for ${ms}`);
  for (const bad of [
    '20261321081530123',
    '20260230081530123',
    '20261121246030123',
    '2026112108153012',
    '2026112108153012x',
    '',
  ])
    t.equal(parseUtcStamp(bad), undefined, JSON.stringify(bad));
});
