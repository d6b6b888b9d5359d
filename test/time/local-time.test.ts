/**
 * Local date and time in a time zone: summer and winter time, the day boundary at local
 * midnight (not UTC's), the expiry month and its per-minute cache.
 */
import t from 'tap';
import { localDate, localDateTime, localStamp, yymm } from '../../src/time/local-time.js';

const CPH = 'Europe/Copenhagen';

t.test('localDateTime: the parts in the zone, 24-hour, two digits', async (t) => {
  t.same(
    localDateTime(new Date('2025-07-01T12:05:09Z'), CPH),
    { year: '2025', month: '07', day: '01', hour: '14', minute: '05', second: '09' },
    'summer: UTC+2',
  );
  t.same(
    localDateTime(new Date('2025-12-31T23:30:00Z'), CPH),
    { year: '2026', month: '01', day: '01', hour: '00', minute: '30', second: '00' },
    'winter, past midnight: hour 00, not 24',
  );
  t.same(localDateTime(new Date('2025-12-31T23:30:00Z'), 'UTC'), {
    year: '2025',
    month: '12',
    day: '31',
    hour: '23',
    minute: '30',
    second: '00',
  });
});

t.test('localDate: a moment belongs to the local day, which turns at local midnight', async (t) => {
  t.equal(localDate(new Date('2026-11-21T22:59:59.999Z'), CPH), '2026-11-21');
  t.equal(localDate(new Date('2026-11-21T23:00:00Z'), CPH), '2026-11-22', 'CET midnight is 23:00 UTC');
  t.equal(localDate(new Date('2026-06-21T21:59:59Z'), CPH), '2026-06-21');
  t.equal(localDate(new Date('2026-06-21T22:00:00Z'), CPH), '2026-06-22', 'CEST midnight is 22:00 UTC');
  t.equal(localDate(new Date('2026-06-21T22:00:00Z'), 'America/New_York'), '2026-06-21', 'another zone, another day');
});

t.test('localStamp: YYYYMMDDhhmmss, local', async (t) => {
  t.equal(localStamp(new Date('2026-11-19T10:00:00Z'), CPH), '20261119110000');
  t.equal(localStamp(new Date('2026-03-29T01:00:00Z'), CPH), '20260329030000', 'the spring-forward hour is skipped');
  t.equal(localStamp(new Date('2026-10-25T00:30:00Z'), CPH), '20261025023000');
  t.equal(localStamp(new Date('2026-10-25T01:30:00Z'), CPH), '20261025023000', 'the autumn hour happens twice');
});

t.test('yymm: the month in the zone, the same answer from its cache within a minute', async (t) => {
  t.equal(yymm(new Date('2026-11-30T22:59:59Z'), CPH), '2611');
  t.equal(yymm(new Date('2026-11-30T22:59:59.999Z'), CPH), '2611', 'the cached minute');
  t.equal(yymm(new Date('2026-11-30T23:00:00Z'), CPH), '2612', 'the next minute is asked anew');
  t.equal(yymm(new Date('2026-11-30T23:00:00Z'), 'UTC'), '2611', 'each zone its own cache');
  t.equal(yymm(new Date('2099-12-31T23:00:00Z'), CPH), '0001', 'two-digit year: 2100 is 00');
  t.equal(
    yymm(new Date('2026-11-30T10:00:00Z'), CPH),
    localStamp(new Date('2026-11-30T10:00:00Z'), CPH).slice(2, 6),
    'agrees with the stamp',
  );
});
