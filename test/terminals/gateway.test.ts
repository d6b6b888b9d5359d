/**
 * The web shop's payment gateway emulator (kind 'gateway') against a real switch: internet
 * purchases with the card number, expiry, CVC and a 3-D Secure / MitID result, mail and phone
 * orders, a subscription's first and later payments, dual message; in the library and the CLI.
 */
import t from 'tap';
import { startSwitch } from '../support/switch.js';
import { addCard } from '../support/cards.js';
import { ManualClock } from '../../src/time/clock.js';
import { main } from '../../terminals/cli.js';
import { remoteFields, seriesOf } from '../../terminals/gateway.js';
import { TerminalError } from '../../terminals/index.js';
import { journal, keyFile, mtis, openTerminal, txnOf } from './fixtures/support.js';

const CVC = '246';

t.test('the library: internet, mail and phone orders, a subscription, dual message; in both code sets', async (t) => {
  const s = await startSwitch(t, { terminals: { keyFile: keyFile(t, { WEB00001: 'gateway' }) } });
  const card = await addCard(s.sw, { cvc: CVC });
  const web = await openTerminal(t, s, { kind: 'gateway', terminalId: 'WEB00001', merchant: 'WEBSHOP0001' });
  const face = { pan: card.pan, expiry: '3012', cvc: CVC };

  const bought = await web.remotePurchase({ ...face, amount: 9_900, authentication: 'threeDs' });
  t.match(bought, { approved: true, actionCode: '000' });
  t.same(mtis(bought), ['1200']);
  t.equal(bought.series, undefined, 'no series asked for');
  t.match((await web.remotePurchase({ ...face, amount: 100, cvc: '999', authentication: 'mitId' })).actionCode, '180');
  t.match((await web.remotePurchase({ ...face, amount: 100 })).actionCode, '183', 'no authentication sent');
  t.match((await web.remotePurchase({ ...face, amount: 100, channel: 'mailOrder' })).actionCode, '000');
  t.match((await web.remotePurchase({ ...face, amount: 100, channel: 'phoneOrder' })).actionCode, '000');

  const first = await web.remotePurchase({ ...face, amount: 14_900, authentication: 'mitId', startSeries: true });
  t.equal(first.series, txnOf('WEB00001', first), "the answer names the series: the first's transaction id");
  const later = await web.remotePurchase({ pan: card.pan, amount: 14_900, series: first.series! });
  t.match(later, { approved: true, actionCode: '000' });

  const dual = await web.remotePurchase({
    ...face,
    amount: 50_000,
    authentication: 'attempted',
    dual: true,
    capture: 42_000,
  });
  t.same(mtis(dual), ['1100', '1220']);
  t.ok(dual.approved);

  const web87 = await openTerminal(t, s, { kind: 'gateway', terminalId: 'WEB00001', dialect: 'iso87ascii' }, 'iso87');
  t.match((await web87.remotePurchase({ ...face, amount: 100, authentication: 'threeDs' })).actionCode, '00');
  t.match((await web87.remotePurchase({ ...face, amount: 100, expiry: '3001' })).actionCode, '84');
  t.match((await web87.remotePurchase({ ...face, amount: 100, channel: 'phoneOrder' })).actionCode, '00');

  const postings = await journal(s);
  t.same(
    postings.map((p) => [p.channel, p.authentication, p.initiatedBy, p.series === '' ? '' : 'series', p.terminalKind]),
    [
      ['internet', 'threeDs', 'holder', '', 'gateway'],
      ['mailOrder', '', 'holder', '', 'gateway'],
      ['phoneOrder', '', 'holder', '', 'gateway'],
      ['internet', 'mitId', 'holder', 'series', 'gateway'],
      ['internet', 'none', 'merchant', 'series', 'gateway'],
      ['internet', 'attempted', 'holder', '', 'gateway'],
      ['internet', 'threeDs', 'holder', '', 'gateway'],
      ['mailOrder', '', 'holder', '', 'gateway'],
    ],
    'channels and authentication as sent; a 1987 phone order is a mail or telephone order (08)',
  );
  t.equal(postings[5]!.amount, 42_000, 'the capture posts');
});

t.test('the gateway checks what it is given, and sells nothing else', async (t) => {
  const s = await startSwitch(t);
  const web = await openTerminal(t, s, { kind: 'gateway', terminalId: 'WEB00002' });
  const chip = await openTerminal(t, s, { kind: 'chip' });
  const pan = '5019000000000016';
  const bad: [string, () => Promise<unknown>, RegExp][] = [
    ['purchase()', () => web.purchase({ pan, amount: 100 }), /remotePurchase/],
    ['refund()', () => web.refund({ pan, amount: 100 }), /purchases only/],
    ['on a chip terminal', () => chip.remotePurchase({ pan, amount: 100 }), /gateway's/],
    ['a bad CVC', () => web.remotePurchase({ pan, amount: 100, cvc: '12' }), /CVC/],
    ['a bad channel', () => web.remotePurchase({ pan, amount: 100, channel: 'atm' as 'internet' }), /channel/],
    ['a bad series', () => web.remotePurchase({ pan, amount: 100, series: '' }), /series/],
    ['both', () => web.remotePurchase({ pan, amount: 100, series: 'x', startSeries: true }), /not both/],
    ['capture without dual', () => web.remotePurchase({ pan, amount: 100, capture: 50 }), /dual/],
    ['capture over the amount', () => web.remotePurchase({ pan, amount: 100, dual: true, capture: 101 }), /capture/],
  ];
  for (const [name, call, message] of bad)
    await t.rejects(call(), TerminalError, name).then(() => t.rejects(call(), message));
});

t.test('the fields a gateway sends', async (t) => {
  t.same(remoteFields({ channel: 'internet', expiry: '3012', cvc: '123', authentication: 'threeDs' }, false), {
    22: '600550S00000',
    14: '3012',
    48: '0200312303001T',
  });
  t.same(remoteFields({ channel: 'internet', series: 'TXN1' }, false), { 22: '600540S00000', 48: '04004TXN1' });
  t.same(remoteFields({ channel: 'mailOrder', startSeries: true, cvc: '123' }, true), {
    22: '012',
    25: '08',
    48: '0200312304001F',
  });
  t.same(remoteFields({ channel: 'phoneOrder' }, false), { 22: '600530100000' });
  t.equal(seriesOf(undefined), undefined);
  t.equal(seriesOf({ 48: '04' }), undefined, 'unreadable');
  t.equal(seriesOf({ 39: '000' }), undefined, 'none');
});

t.test('the CLI: remote, a subscription, declines, usage errors', async (t) => {
  const s = await startSwitch(t);
  const card = await addCard(s.sw, { cvc: CVC });
  const clock = new ManualClock(new Date('2026-11-21T10:15:30Z'));
  const run = async (argv: string[]) => {
    const out: string[] = [];
    const err: string[] = [];
    const io = { out: (x: string) => out.push(x), err: (x: string) => err.push(x), clock };
    const code = await main([...argv, '--port', String(s.port('iso93')), '--terminal', 'WEB00003'], io);
    clock.advance(1000);
    return { code, out: out.join(''), err: err.join('') };
  };
  const base = ['remote', '--type', 'gateway', '--card', card.pan, '--amount', '99.00', '--expiry', '3012'];
  const ok = await run([...base, '--cvc', CVC, '--auth', 'threeDs', '--start-series']);
  t.equal(ok.code, 0, ok.err);
  t.match(ok.out, /APPROVED approval code \d{6}/);
  t.match(ok.out, /48 Additional data - private +"02003\*\*\*03001T04001F"/, 'the CVC masked in the printout');
  const series = /Series (\S+): the merchant's later payments give it/.exec(ok.out)?.[1];
  t.ok(series, 'the series printed');
  const later = await run([
    'remote',
    '--type',
    'gateway',
    '--card',
    card.pan,
    '--amount',
    '99.00',
    '--series',
    series!,
  ]);
  t.equal(later.code, 0, later.out);
  const wrong = await run([...base, '--cvc', '000', '--auth', 'mitId']);
  t.equal(wrong.code, 1);
  t.match(wrong.out, /DECLINED 180 wrong CVC/);
  const dual = await run([
    ...base,
    '--cvc',
    CVC,
    '--auth',
    'attempted',
    '--dual',
    '--capture',
    '50.00',
    '--channel',
    'internet',
  ]);
  t.equal(dual.code, 0, dual.out);
  const noAuth = await run([...base, '--cvc', CVC]);
  t.match(noAuth.out, /DECLINED 183 holder authentication required/);
  for (const [argv, message] of [
    [[...base, '--channel', 'fax'], /--channel: one of internet, mailOrder, phoneOrder/],
    [[...base, '--auth', 'password'], /--auth: one of threeDs/],
    [['remote', '--type', 'gateway', '--card', card.pan], /remote needs --amount/],
    [
      ['purchase', '--type', 'chip', '--card', card.pan, '--amount', '1', '--cvc', '123'],
      /--cvc is not an option of purchase/,
    ],
  ] as const) {
    const r = await run([...argv]);
    t.equal(r.code, 2);
    t.match(r.err, message);
  }
  const postings = await journal(s);
  t.match(postings.at(-1), { amount: 5_000, channel: 'internet', authentication: 'attempted' });
});
