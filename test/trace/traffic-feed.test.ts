/**
 * The live traffic's parts: each exchange rendered once with card data masked (track data, PIN
 * block and ICC data, an unreadable rest), the feed's sequence numbers, its bound on a burst, and
 * the trace watched only while someone subscribes.
 */
import t from 'tap';
import { dialect } from '../../src/codec/index.js';
import { systemClock } from '../../src/time/clock.js';
import { TerminalTrace } from '../../src/trace/terminal-trace.js';
import { TrafficFeed } from '../../src/trace/traffic-feed.js';
import { shownMessage } from '../../src/trace/traffic-event.js';
import type { TrafficEvent } from '../../src/trace/traffic-event.js';

const iso93 = dialect('iso93ascii');
const TRACK2 = '5019000000000016=30121010000012300000';

const chipPurchase = {
  0: '1100',
  3: '000000',
  4: '000000010000',
  11: '000001',
  12: '261121101530',
  35: TRACK2,
  41: 'TERM0001',
  49: '208',
  52: Buffer.from('0123456789ABCDEF', 'hex'),
  // The cryptogram, and a track 2 equivalent (57) that must not show.
  55: Buffer.from('9F2608AABBCCDDEEFF0011' + '5708' + '5019000000000016', 'hex'),
};

const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

t.test('a message shown field by field: track data, PIN block and ICC data masked', async (t) => {
  const shown = shownMessage(iso93, iso93.pack(chipPurchase));
  const value = (n: number) => shown.fields.find((f) => f.n === n)?.value;
  t.equal(shown.mti, '1100');
  t.match(value(35), /^501900\*{6}0016=\*+$/);
  t.equal(value(52), '[hidden, 8 bytes]');
  t.equal(value(55), '9F26 Application Cryptogram: AABBCCDDEEFF0011; 57 Track 2 Equivalent Data: [hidden, 8 bytes]');
  t.equal(value(4), '000000010000');
  t.notMatch(JSON.stringify(shown), /5019000000000016|0123456789ABCDEF|30121010000012300000/i);
  t.equal(shown.error, undefined);
});

t.test('an unreadable message: the fields before the fault, the reason, the rest masked', async (t) => {
  const frame = iso93.pack(chipPurchase);
  const shown = shownMessage(iso93, frame.subarray(0, frame.length - 3));
  t.equal(shown.mti, '1100');
  t.ok(shown.fields.some((f) => f.n === 4));
  t.match(shown.error, /field 55/);
  t.match(shown.hex, /\*\*$/);
  const noMti = shownMessage(iso93, Buffer.from('12'));
  t.match(noMti, { mti: null, fields: [], hex: '****' }, 'not even the MTI: every byte masked');
  t.match(noMti.error, /MTI/);
});

t.test('the feed: one sequence number per exchange, rendered after the answer, a burst bounded', async (t) => {
  const trace = new TerminalTrace(5, systemClock);
  const feed = new TrafficFeed(trace, () => iso93);
  const frame = iso93.pack(chipPurchase);
  trace.record('TERM0001', 'iso93', frame, undefined);
  const seen: TrafficEvent[] = [];
  const unsubscribe = feed.subscribe((e) => seen.push(e));
  trace.record('TERM0001', 'iso93', frame, undefined);
  t.equal(seen.length, 0, 'nothing rendered on the answer’s path');
  await turn();
  t.same(
    seen.map((e) => [e.seq, e.terminal, e.response]),
    [[1, 'TERM0001', null]],
    'exchanges before the first subscriber are not shown',
  );
  for (let i = 0; i < 2001; i++) trace.record(`T${i % 3}`, 'iso93', frame, undefined);
  await turn();
  t.equal(seen.length, 2001, 'at most 2000 queued: the oldest of the burst skipped');
  t.equal(seen[1]!.seq, 3, 'the skipped one leaves a gap in the sequence');
  t.equal(seen.at(-1)!.seq, 2002);
  unsubscribe();
  trace.record('TERM0001', 'iso93', frame, undefined);
  await turn();
  t.equal(seen.length, 2001, 'nothing after the last subscriber left');
  const again: TrafficEvent[] = [];
  feed.subscribe((e) => again.push(e));
  trace.record('TERM0001', 'iso93', frame, iso93.pack({ 0: '1110', 11: '000001', 39: '000', 41: 'TERM0001' }));
  await turn();
  t.equal(again.length, 1);
  t.equal(again[0]!.response?.mti, '1110');
});
