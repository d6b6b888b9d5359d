/**
 * The fault kind "script" (docs/PROTOCOL.md §7.1) over real TCP against a real switch and Redis:
 * the rule's issuer script templates, as the vendor wrote them, in the answer's field 55 (both
 * dialects: bytes, and hex digits in iso87ascii), the request processed as usual, the trace's
 * note; a bad script refused with 400. The template is pyemv's example of a MACed PIN unblock
 * (tests/test_cvn.py, test_mastercard_cvn20: 72169F180400000000860D842400000801C0F0DFBF6AA230).
 */
import t from 'tap';
import { purchase87, purchase93 } from '../support/terminal.js';
import { decodeTlv } from '../../src/codec/tlv.js';
import { VENDOR, addRule, call, journal, open, startVendorSwitch, traceOf } from './fixtures/vendor.js';

const SCRIPT = '72169F180400000000860D842400000801C0F0DFBF6AA230';

t.test("script: the answer carries the rule's templates; processed as usual", async (t) => {
  const s = await startVendorSwitch(t);
  const rule = await addRule(t, s, { terminal: 'TERM0001', kind: 'script', script: SCRIPT, times: 2 });
  t.match(rule, { kind: 'script', script: SCRIPT, times: 2 });
  const term = await open(t, s);
  const a = await term.send(purchase93());
  t.equal(a[39], '000', 'approved');
  t.equal((await journal(s)).length, 1, 'and posted');
  const icc = decodeTlv(a[55] as Buffer);
  t.same(
    icc.map((o) => [o.tag, o.children?.map((c) => [c.tag, c.value.toString('hex').toUpperCase()])]),
    [
      [
        '72',
        [
          ['9F18', '00000000'],
          ['86', '842400000801C0F0DFBF6AA230'],
        ],
      ],
    ],
  );
  const trace = await traceOf(s, 'TERM0001');
  t.same(trace.exchanges[0]!.fault, { kind: 'script', rule: rule.id, actionCode: '000' });
  t.match(
    (trace.exchanges[0]!.response as { described: string }).described,
    /72 Issuer Script Template 2: \{9F18 Issuer Script Identifier: 00000000; 86 Issuer Script Command: 842400000801C0F0DFBF6AA230\}/,
  );

  const t87 = await open(t, s, 'iso87');
  const b = await t87.send(purchase87());
  t.equal(b[55], SCRIPT, 'iso87ascii: the same bytes as hex digits');
  t.notOk((await t87.send(purchase87()))[55], 'spent after two');
});

t.test('a bad script: 400 naming it', async (t) => {
  const s = await startVendorSwitch(t);
  for (const script of ['7201', '9F2608AABBCCDDEEFF0011', 'zz', '72', '72'.repeat(200)]) {
    const res = await call(s, 'POST', '/faults', {
      token: VENDOR,
      body: { terminal: 'TERM0001', kind: 'script', script },
    });
    t.equal(res.status, 400, script.slice(0, 20));
    t.match(res.body.problems, [{ path: '/script', message: /^must be issuer script templates in hex/ }]);
  }
  const missing = await call(s, 'POST', '/faults', { token: VENDOR, body: { terminal: 'TERM0001', kind: 'script' } });
  t.match(missing.body.problems, [{ path: '/script', message: 'is required' }]);
  const other = await call(s, 'POST', '/faults', {
    token: VENDOR,
    body: { terminal: 'TERM0001', kind: 'close', script: SCRIPT },
  });
  t.match(other.body.problems, [{ path: '/', message: 'script is only for kind script' }]);
});
