/**
 * Remote purchases (internet, mail and phone order) over real TCP against a real Redis, in both
 * code sets: the expiry (field 14) and CVC (field 48 sub-element 02) checked against the card, the
 * holder's authentication (03) against the card product's setting, a stored card's series (04):
 * the first with the holder present, later ones started by the merchant; and what the postings keep.
 */
import t, { type Test } from 'tap';
import { startSwitch, type TestSwitch, OPERATOR_HEADERS } from '../support/switch.js';
import { TestTerminal, purchase87, purchase93 } from '../support/terminal.js';
import { addCard, pinBlock } from '../support/cards.js';
import type { IsoMessage } from '../../src/codec/index.js';
import type { Posting } from '../../src/journal/posting.js';
import { subElement } from '../../src/messages/remote-data.js';

const CVC = '123';

async function terminals(t: Test, s: TestSwitch): Promise<{ t93: TestTerminal; t87: TestTerminal }> {
  const t93 = await TestTerminal.open(s.port('iso93'));
  const t87 = await TestTerminal.open(s.port('iso87'), 'iso87ascii', 'ascii4');
  t.teardown(() => (t93.close(), t87.close()));
  return { t93, t87 };
}

async function journal(s: TestSwitch): Promise<Posting[]> {
  await s.sw.postings.drain();
  return (await s.sw.journal.range('0', '+')).map((e) => e.posting);
}

type Channel = 'internet' | 'mailOrder' | 'phoneOrder' | 'standingOrder';
/** 1993 field 22: position 4 '5' (remote), 5 cardholder presence, 7 card data input mode ('S' electronic commerce, '1' key entered). */
const POS93: Record<Channel, string> = {
  internet: '000550S00000',
  mailOrder: '000520100000',
  phoneOrder: '000530100000',
  standingOrder: '000540S00000',
};
/** 1987: field 22 entry mode and field 25 POS condition code. */
const POS87: Record<Channel, IsoMessage> = {
  internet: { 22: '812', 25: '59' },
  mailOrder: { 22: '012', 25: '08' },
  phoneOrder: { 22: '012', 25: '08' },
  standingOrder: { 22: '812', 25: '59' },
};

interface Remote {
  channel?: Channel;
  expiry?: string | null;
  cvc?: string | null;
  /** Field 48 sub-element 03 ('T', 'M', 'A', 'N'); absent when undefined. */
  auth?: string;
  series?: string;
  extra?: IsoMessage;
}

/** Field 48 of a remote purchase: the sub-elements given, in tag order. */
function field48(r: Remote): IsoMessage {
  const cvc = r.cvc === undefined ? CVC : r.cvc;
  const parts = [
    cvc === null ? '' : subElement('02', cvc),
    r.auth === undefined ? '' : subElement('03', r.auth),
    r.series === undefined ? '' : subElement('04', r.series),
  ].join('');
  return parts === '' ? {} : { 48: parts };
}

function remote(pan: string, r: Remote, dialect: '93' | '87'): IsoMessage {
  const channel = r.channel ?? 'internet';
  const expiry = r.expiry === undefined ? '3012' : r.expiry;
  const fields: IsoMessage = {
    2: pan,
    ...(dialect === '93' ? { 22: POS93[channel] } : POS87[channel]),
    ...field48(r),
    ...r.extra,
  };
  if (expiry !== null) fields[14] = expiry;
  return dialect === '93' ? purchase93(fields) : purchase87(fields);
}

/** The same remote purchase on both listeners: each answer's field 39. */
async function bothCodes(t: Test, s: TestSwitch, pan: string, r: Remote): Promise<[string, string]> {
  const { t93, t87 } = await terminals(t, s);
  const a = await t93.send(remote(pan, { auth: 'T', ...r }, '93'));
  const b = await t87.send(remote(pan, { auth: 'T', ...r }, '87'));
  return [String(a[39]), String(b[39])];
}

t.test('the card face checked: expiry, CVC, each with its own answer, in both code sets', async (t) => {
  const s = await startSwitch(t);
  const card = await addCard(s.sw, { cvc: CVC });
  const cases: [string, Remote, [string, string]][] = [
    ['all right', {}, ['000', '00']],
    ['wrong CVC', { cvc: '124' }, ['180', '82']],
    ['CVC missing', { cvc: null }, ['181', '83']],
    ['wrong expiry', { expiry: '3011' }, ['182', '84']],
    ['expiry missing', { expiry: null }, ['182', '84']],
    ['wrong expiry before a wrong CVC', { expiry: '2912', cvc: '999' }, ['182', '84']],
    ['mail order: no holder authentication needed', { channel: 'mailOrder', auth: undefined }, ['000', '00']],
    ['mail order, wrong CVC', { channel: 'mailOrder', cvc: '321' }, ['180', '82']],
    ['phone order, CVC missing', { channel: 'phoneOrder', cvc: null }, ['181', '83']],
  ];
  for (const [name, r, want] of cases) t.same(await bothCodes(t, s, card.pan, r), want, name);

  const none = await addCard(s.sw);
  t.same(await bothCodes(t, s, none.pan, {}), ['180', '82'], 'a card registered without a CVC: no CVC matches');
});

t.test('malformed remote data is a format error naming the sub-element', async (t) => {
  const s = await startSwitch(t);
  const card = await addCard(s.sw, { cvc: CVC });
  const cases: [string, Remote][] = [
    ['a CVC of 4 digits', { cvc: '1234' }],
    ['a CVC with a letter', { cvc: '12a' }],
    ['an unknown authentication result', { auth: 'X' }],
    ['an empty series', { series: '' }],
    ['sub-elements that cannot be read', { cvc: null, extra: { 48: '02' } }],
  ];
  for (const [name, r] of cases) t.same(await bothCodes(t, s, card.pan, r), ['904', '30'], name);
  // A series is its merchant's: without field 42 (optional elsewhere) none can be started or used.
  const { t93, t87 } = await terminals(t, s);
  for (const series of ['F', 'WEB00001-261121101530-000001']) {
    const m93 = remote(card.pan, { auth: 'T', series }, '93');
    const m87 = remote(card.pan, { auth: 'T', series }, '87');
    t.ok(m93[42] === undefined && m87[42] === undefined, 'requests without field 42');
    const answers = [(await t93.send(m93))[39], (await t87.send(m87))[39]];
    t.same(answers, ['904', '30'], `series ${series} without field 42`);
  }
  t.same(await journal(s), [], 'nothing posted');
});

t.test("internet purchases: the holder's authentication, as the card product requires it", async (t) => {
  // Refused by default (the defaults require it); 'optional' for one product here.
  const s = await startSwitch(t, {
    register: { products: { 'web-optional': { internetAuthentication: 'optional' } } },
  });
  const card = await addCard(s.sw, { cvc: CVC });
  const cases: [string, string | undefined, [string, string]][] = [
    ['3-D Secure', 'T', ['000', '00']],
    ['MitID', 'M', ['000', '00']],
    ['attempted', 'A', ['000', '00']],
    ['not authenticated', 'N', ['183', '1A']],
    ['none', undefined, ['183', '1A']],
  ];
  for (const [name, auth, want] of cases) t.same(await bothCodes(t, s, card.pan, { auth }), want, name);

  const optional = await addCard(s.sw, { cvc: CVC, product: 'web-optional' });
  t.same(await bothCodes(t, s, optional.pan, { auth: 'N' }), ['000', '00'], "the product's own setting: optional");
  t.same(
    await bothCodes(t, s, optional.pan, { auth: undefined, cvc: '999' }),
    ['180', '82'],
    'the CVC is still checked',
  );

  const postings = await journal(s);
  t.same(
    postings.map((p) => [p.channel, p.authentication, p.entryMode]),
    ['threeDs', 'threeDs', 'mitId', 'mitId', 'attempted', 'attempted', 'notAuthenticated', 'notAuthenticated'].map(
      (a) => ['internet', a, 'remote'],
    ),
    'each approval keeps how the holder was authenticated',
  );
});

t.test('a product that requires authentication while the default does not', async (t) => {
  const s = await startSwitch(t, {
    register: { internetAuthentication: 'optional', products: { secure: { internetAuthentication: 'required' } } },
  });
  const plain = await addCard(s.sw, { cvc: CVC });
  const secure = await addCard(s.sw, { cvc: CVC, product: 'secure' });
  t.same(await bothCodes(t, s, plain.pan, { auth: undefined }), ['000', '00'], 'the default: optional');
  t.same(await bothCodes(t, s, secure.pan, { auth: undefined }), ['183', '1A'], 'the product: required');
  const [p] = await journal(s);
  t.match(p, { channel: 'internet', authentication: 'none', initiatedBy: 'holder', series: '' });
});

t.test('mail and phone orders post their channel, with no authentication', async (t) => {
  const s = await startSwitch(t);
  const card = await addCard(s.sw, { cvc: CVC });
  const { t93, t87 } = await terminals(t, s);
  t.equal((await t93.send(remote(card.pan, { channel: 'mailOrder', auth: 'T' }, '93')))[39], '000');
  t.equal((await t93.send(remote(card.pan, { channel: 'phoneOrder' }, '93')))[39], '000');
  t.equal((await t87.send(remote(card.pan, { channel: 'mailOrder' }, '87')))[39], '00');
  t.same(
    (await journal(s)).map((p) => [p.channel, p.authentication]),
    [
      ['mailOrder', ''],
      ['phoneOrder', ''],
      ['mailOrder', ''],
    ],
  );
});

t.test('card status first: a blocked or PIN-blocked card is refused as such, whatever its CVC', async (t) => {
  const s = await startSwitch(t);
  const blocked = await addCard(s.sw, { cvc: CVC });
  await s.sw.register.block('bank-a', blocked.id, 'stolen', new Date());
  t.same(await bothCodes(t, s, blocked.pan, { cvc: '999' }), ['209', '43']);
  const pinBlocked = await addCard(s.sw, { cvc: CVC });
  const { t93 } = await terminals(t, s);
  for (let i = 0; i < 3; i++) await t93.send(purchase93({ 2: pinBlocked.pan, 52: pinBlock('9999', pinBlocked.pan) }));
  t.same(await bothCodes(t, s, pinBlocked.pan, {}), ['106', '75'], 'a PIN block refuses remote purchases at once');
  const expired = await addCard(s.sw, { cvc: CVC, expiry: '2401' });
  t.same(
    await bothCodes(t, s, expired.pan, { expiry: '2401' }),
    ['101', '54'],
    'expired is expired, not a wrong expiry',
  );
});

t.test('a refund to the card needs no CVC', async (t) => {
  const s = await startSwitch(t);
  const card = await addCard(s.sw, { cvc: CVC });
  const { t93 } = await terminals(t, s);
  const a = await t93.send(remote(card.pan, { cvc: null, expiry: null, extra: { 3: '200000' } }, '93'));
  t.equal(a[39], '000');
  t.match((await journal(s))[0], { type: 'refund', channel: 'internet', authentication: '' });
});

t.test('a subscription: the first with the holder, later ones by the merchant, refused once blocked', async (t) => {
  const s = await startSwitch(t);
  const card = await addCard(s.sw, { cvc: CVC });
  const { t93, t87 } = await terminals(t, s);
  const first = remote(card.pan, { auth: 'T', series: 'F', extra: { 42: 'WEBSHOP0001    ' } }, '93');
  const a = await t93.send(first);
  t.equal(a[39], '000');
  const txn = `TERM0001-261121101530-${String(a[11])}`;
  t.equal(a[48], subElement('04', txn), "the answer names the series: the first's transaction id");
  const again = await t93.send({ ...first, 11: a[11]! });
  t.equal(again[48], a[48], 'a retransmission gets the same answer, series included');

  const later = (pan: string, series: string, merchant = 'WEBSHOP0001    ', d: '93' | '87' = '93') =>
    remote(pan, { channel: 'standingOrder', cvc: null, expiry: null, series, extra: { 42: merchant } }, d);
  const b = await t93.send(later(card.pan, txn));
  t.equal(b[39], '000', 'a later payment: no CVC, no expiry, no authentication');
  t.equal(b[48], undefined, 'the answer to a later payment names no new series');
  t.equal((await t87.send(later(card.pan, txn, 'WEBSHOP0001    ', '87')))[39], '00', 'in the 1987 code set too');
  const [p1, p2, p3] = await journal(s);
  t.match(p1, { txn, channel: 'internet', initiatedBy: 'holder', series: txn, authentication: 'threeDs' });
  t.match(p2, { channel: 'internet', initiatedBy: 'merchant', series: txn, authentication: 'none' });
  t.match(p3, { initiatedBy: 'merchant', series: txn });

  const other = await addCard(s.sw, { cvc: CVC });
  const refusals: [string, IsoMessage][] = [
    ['another merchant', later(card.pan, txn, 'OTHERSHOP      ')],
    ['an unknown series', later(card.pan, 'TERM0001-261121101530-999999')],
    ["another card's series", later(other.pan, txn)],
  ];
  for (const [name, m] of refusals) t.equal((await t93.send(m))[39], '119', name);
  t.equal((await t87.send(later(card.pan, 'nope', 'WEBSHOP0001    ', '87')))[39], '57', 'an unknown series, 1987');

  await s.sw.register.block('bank-a', card.id, 'lost', new Date());
  t.equal((await t93.send(later(card.pan, txn)))[39], '208', 'blocked: refused at once');
  await s.sw.register.liftBlock('bank-a', card.id);
  t.equal((await t93.send(later(card.pan, txn)))[39], '000', 'the block lifted: the series stands');
  await s.sw.register.delete('bank-a', card.id);
  t.equal((await t87.send(later(card.pan, txn, 'WEBSHOP0001    ', '87')))[39], '56', 'deleted: refused');
  t.equal((await journal(s)).length, 4, 'nothing posted for the refusals');
});

t.test('a refused first purchase starts no series', async (t) => {
  const s = await startSwitch(t);
  const card = await addCard(s.sw, { cvc: CVC });
  const { t93 } = await terminals(t, s);
  const a = await t93.send(
    remote(card.pan, { auth: 'T', series: 'F', cvc: '000', extra: { 42: 'MERCHANT0001' } }, '93'),
  );
  t.equal(a[39], '180');
  t.equal(a[48], undefined);
  const txn = `TERM0001-261121101530-${String(a[11])}`;
  const b = await t93.send(
    remote(card.pan, { channel: 'standingOrder', cvc: null, series: txn, extra: { 42: 'MERCHANT0001' } }, '93'),
  );
  t.equal(b[39], '119');
});

t.test('dual message for a web shop: 1100 with the card face, 1220 capture posts it', async (t) => {
  const s = await startSwitch(t);
  const card = await addCard(s.sw, { cvc: CVC });
  const { t93, t87 } = await terminals(t, s);
  const auth = remote(card.pan, { auth: 'M', extra: { 0: '1100', 4: '000000020000' } }, '93');
  const a = await t93.send(auth);
  t.equal(a[39], '000');
  t.same(await journal(s), [], 'reserved, not posted');
  const capture = await t93.send({
    ...purchase93({ 0: '1220', 2: card.pan, 4: '000000015000', 12: '261122101530' }),
    56: `1100${String(a[11])}261121101530`,
  });
  t.equal(capture[39], '000');
  t.match((await journal(s))[0], {
    type: 'purchase',
    amount: 15_000,
    channel: 'internet',
    authentication: 'mitId',
    initiatedBy: 'holder',
  });
  const refused = await t87.send(remote(card.pan, { cvc: '999', extra: { 0: '0100' } }, '87'));
  t.equal(refused[39], '82', 'a 0100 with a wrong CVC');
});

t.test('the CVC is never shown: trace, logs, the card record', async (t) => {
  const s = await startSwitch(t);
  const card = await addCard(s.sw, { cvc: '987' });
  const { t93 } = await terminals(t, s);
  const a = await t93.send(remote(card.pan, { cvc: '987', auth: 'T', extra: { 41: 'WEBCVC01' } }, '93'));
  t.equal(a[39], '000');
  const res = await fetch(`${s.adminUrl}/terminals/WEBCVC01/trace`, { headers: OPERATOR_HEADERS });
  const body = await res.text();
  t.equal(res.status, 200);
  const [exchange] = (JSON.parse(body) as { exchanges: { request: { hex: string; described: string } }[] }).exchanges;
  t.match(
    exchange!.request.described,
    /48 Additional data - private +"02003\*\*\*03001T"/,
    'described: the CVC as ***',
  );
  const cvcHex = Buffer.from('02003987').toString('hex').toUpperCase();
  t.notOk(exchange!.request.hex.includes(cvcHex), 'hex: the CVC bytes masked');
  t.ok(exchange!.request.hex.includes(Buffer.from('02003').toString('hex').toUpperCase() + '******'), 'as **');
  t.notOk(JSON.stringify(s.logs).includes('02003987'), 'no log line holds it');
  const record = await s.redis.hgetall(s.sw.register.keysOf(card.id).card);
  t.notOk(Object.values(record).includes('987'), 'the card record keeps no clear CVC');
  t.equal(record.cvcVerification, s.sw.register.cvcValueOf(card.pan, '987'), 'but its keyed verification value');
});
