/** localTimeMs: a terminal's field 12 (YYMMDDhhmmss, its local time) as the moment it names. */
import t from 'tap';
import { localTimeMs } from '../../src/time/local-time.js';

const CPH = 'Europe/Copenhagen';

t.test('winter and summer time', async (t) => {
  t.equal(localTimeMs('261121101530', CPH), Date.parse('2026-11-21T09:15:30Z'), 'CET: UTC+1');
  t.equal(localTimeMs('260701120000', CPH), Date.parse('2026-07-01T10:00:00Z'), 'CEST: UTC+2');
  t.equal(localTimeMs('261121101530', 'America/New_York'), Date.parse('2026-11-21T15:15:30Z'), 'another zone');
  t.equal(localTimeMs('261121101530', 'UTC'), Date.parse('2026-11-21T10:15:30Z'));
});

t.test('the hours the clocks change', async (t) => {
  // 25 October 2026: 03:00 CEST becomes 02:00 CET, so 02:30 occurs twice: the first is meant.
  t.equal(localTimeMs('261025023000', CPH), Date.parse('2026-10-25T00:30:00Z'), 'a repeated time: the first');
  t.equal(localTimeMs('261025033000', CPH), Date.parse('2026-10-25T02:30:00Z'), 'after the change: CET');
  // 29 March 2026: 02:00 CET becomes 03:00 CEST, so 02:30 never occurs: read with the offset before.
  t.equal(localTimeMs('260329023000', CPH), Date.parse('2026-03-29T01:30:00Z'), 'a skipped time: the offset before');
  t.equal(localTimeMs('260329030000', CPH), Date.parse('2026-03-29T01:00:00Z'), 'after the change: CEST');
});

t.test('every second of a minute, and the same minute asked again, in two zones', async (t) => {
  const start = Date.parse('2026-11-21T09:15:00Z');
  for (let s = 0; s < 60; s++) {
    const text = `2611211015${String(s).padStart(2, '0')}`;
    t.equal(localTimeMs(text, CPH), start + s * 1000);
    t.equal(localTimeMs(text, CPH), start + s * 1000, 'asked again');
    t.equal(localTimeMs(text, 'America/New_York'), start + 6 * 3_600_000 + s * 1000);
  }
});

t.test('not a date and time: undefined', async (t) => {
  for (const text of [
    '261131101530',
    '260230101530',
    '261121241530',
    '261121106030',
    '261121101560',
    '26112110153',
    'abcdefghijkl',
    '',
  ])
    t.equal(localTimeMs(text, CPH), undefined, JSON.stringify(text));
  t.equal(localTimeMs('261131101530', CPH), undefined, 'asked again');
  t.equal(localTimeMs('240229101530', CPH), Date.parse('2024-02-29T09:15:30Z'), 'a leap day is a date');
});

t.test('more minutes than are kept: each still read right', async (t) => {
  const first = Date.parse('2026-11-21T09:00:00Z');
  let wrong = 0;
  // 5,000 minutes from 21 November 10:00 local (no change of offset in them), then the first again.
  for (let i = 0; i <= 5000; i++) {
    const at = new Date(first + 3_600_000 + (i % 5000) * 60_000); // as local (UTC+1) wall clock
    const text = at.toISOString().slice(2, 16).replace(/[-T:]/g, '') + '07';
    if (localTimeMs(text, CPH) !== first + (i % 5000) * 60_000 + 7000) wrong++;
  }
  t.equal(wrong, 0);
});
