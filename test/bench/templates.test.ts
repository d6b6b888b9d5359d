/**
 * Pre-packed request templates: a STAN and terminal id patched into a template give exactly the
 * bytes that packing the request with that STAN and terminal id gives, in all three dialects.
 */
import t from 'tap';
import { SHIPPED_DIALECTS, dialect } from '../../src/codec/index.js';
import { decryptPinBlockFormat0 } from '../../src/register/pin-block.js';
import { TEST_PIN_KEY } from '../../src/register/terminal-keys.js';
import { FrameReader, type FramingSpec, encodeFrame } from '../../src/transport/framing.js';
import { planCards, wrongPinOf } from '../../bench/load/cards.js';
import { loadMix } from '../../bench/load/mix.js';
import { FRAMING_OF } from '../../bench/load/switch-config.js';
import { buildTemplates, frameFrom, locateFields, patchStan, requestFor, stanEncoding, terminalIdOf, toWire } from '../../bench/load/templates.js';

const AT = new Date('2026-11-21T14:30:15Z');
const mix = loadMix('default');
// A few cards per pool keep the test quick; the templates are built the same way for 2,000.
const small = { ...mix, cards: Object.fromEntries(Object.entries(mix.cards).map(([k, v]) => [k, { ...v, count: 3 }])) };
const plan = planCards(small);

for (const name of SHIPPED_DIALECTS) {
  t.test(`${name}: a patched template is byte for byte the request packed with that STAN and terminal`, async (t) => {
    const d = dialect(name);
    const framing = FRAMING_OF[name];
    const { templates, byEntry } = buildTemplates(d, framing, small, plan, AT);
    t.equal(templates.length, small.entries.length * 3);
    t.same(byEntry.map((l) => l.length), small.entries.map(() => 3));
    const wire = toWire(templates, stanEncoding(d));
    t.equal(wire.stanEncoding, name === 'iso93binary' ? 'bcd' : 'ascii');
    let checked = 0;
    for (const [e, entry] of small.entries.entries()) {
      for (const [j, card] of plan.get(entry.cards)!.entries()) {
        const i = byEntry[e]![j]!;
        t.equal(wire.entry[i], e);
        for (const [stan, conn] of [[1, 0], [123_456, 42], [999_999, 9_999_999], [70_809, 1234]] as const) {
          const terminal = terminalIdOf(conn);
          const expected = encodeFrame(framing, d.pack(requestFor(d, entry, card, AT, String(stan).padStart(6, '0'), terminal)));
          const got = frameFrom(wire, i, stan, Buffer.from(terminal, 'latin1'));
          if (!got.equals(expected)) t.fail(`${entry.name} card ${j} STAN ${stan}: ${got.toString('hex')} != ${expected.toString('hex')}`);
          checked++;
        }
      }
    }
    t.equal(checked, small.entries.length * 3 * 4);
    // The template itself is left alone: each send copies it.
    t.equal(d.unpack(templates[0]!.frame.subarray(framing.header === 'ascii4' ? 4 : 2))[11], '000000');
  });

  t.test(`${name}: what the requests say (PIN blocks, entry mode, amounts)`, async (t) => {
    const d = dialect(name);
    const iso87 = name === 'iso87ascii';
    const card = plan.get('active')![1]!;
    const byName = (n: string) => small.entries.find((e) => e.name === n)!;
    const right = d.unpack(d.pack(requestFor(d, byName('purchase-pin'), card, AT)));
    t.equal(right[2], card.pan);
    t.equal(right[4], '000000012550');
    t.equal(right[12], iso87 ? '143015' : '261121143015');
    t.equal(decryptPinBlockFormat0(right[52] as Buffer, card.pan, TEST_PIN_KEY.key), card.pin);
    t.equal(right[22], iso87 ? '051' : '510101511344', 'chip, not contactless');
    const wrongCard = plan.get('wrongPin')![0]!;
    const wrong = d.unpack(d.pack(requestFor(d, byName('wrong-pin'), wrongCard, AT)));
    t.equal(decryptPinBlockFormat0(wrong[52] as Buffer, wrongCard.pan, TEST_PIN_KEY.key), wrongPinOf(wrongCard.pin));
    const cl = d.unpack(d.pack(requestFor(d, byName('contactless'), plan.get('contactless')![0]!, AT)));
    t.notOk(52 in cl, 'no PIN');
    if (iso87) t.equal(cl[22], '071');
    else t.equal((cl[22] as string)[6], 'A', 'position 7: contactless chip');
    const refund = d.unpack(d.pack(requestFor(d, byName('refund'), card, AT)));
    t.equal(refund[3], '200000');
  });
}

t.test('STAN patching: ASCII digits and packed BCD, at the offset', async (t) => {
  const b = Buffer.alloc(10, 0xee);
  patchStan(b, 2, 123_456, 'ascii');
  t.equal(b.toString('hex'), 'eeee313233343536eeee');
  patchStan(b, 2, 7, 'bcd');
  t.equal(b.toString('hex'), 'eeee000007343536eeee');
  patchStan(b, 0, 999_999, 'bcd');
  t.equal(b.subarray(0, 3).toString('hex'), '999999');
  patchStan(b, 4, 0, 'ascii');
  t.equal(b.subarray(4).toString('latin1'), '000000');
});

t.test('terminal ids: B and 7 digits, one per connection', async (t) => {
  t.equal(terminalIdOf(0), 'B0000000');
  t.equal(terminalIdOf(1234), 'B0001234');
  t.equal(terminalIdOf(9_999_999), 'B9999999');
  t.throws(() => terminalIdOf(10_000_000), RangeError);
  t.throws(() => terminalIdOf(-1), RangeError);
});

t.test('locating fields 11 and 41; messages without them, or unreadable, are refused', async (t) => {
  const d = dialect('iso93ascii');
  const body = d.pack({ 0: '1804', 7: '1121101530', 11: '000042', 24: '831', 41: 'TERM0001' });
  const { stanAt, termAt } = locateFields(d, body);
  t.equal(body.subarray(stanAt, stanAt + 6).toString(), '000042');
  t.equal(body.subarray(termAt, termAt + 8).toString(), 'TERM0001');
  t.throws(() => locateFields(d, d.pack({ 0: '1804', 7: '1121101530', 24: '831', 41: 'TERM0001' })), /field 11 is not a fixed 6-byte field/);
  t.throws(() => locateFields(d, body.subarray(0, body.length - 3)), /field 41/);
});

t.test('with a TPDU, the offsets account for it', async (t) => {
  const d = dialect('iso93binary');
  const framing: FramingSpec = { header: 'bcd2', tpdu: true, maxFrameSize: 9999 };
  const one = { ...small, entries: [small.entries[0]!] };
  const { templates } = buildTemplates(d, framing, one, plan, AT);
  const wire = toWire(templates, 'bcd');
  const frame = frameFrom(wire, 0, 4321, Buffer.from('B0000007'));
  const [f] = new FrameReader(framing).push(frame);
  t.equal(f!.tpdu!.length, 5);
  const m = d.unpack(f!.body);
  t.equal(m[11], '004321');
  t.equal(m[41], 'B0000007');
});
