/**
 * A block and a PIN block take effect at once in every online channel (001 §17, DOMAIN.md "The
 * central card register"): the same card, approved in each channel a moment before, is refused
 * in each of them right after, over TCP against the real switch and Redis, in both code sets.
 * The channels: attended chip and PIN, an old magstripe terminal, contactless, the ATM, internet,
 * mail and phone order, a subscription's later payment started by the merchant, an unattended
 * machine without PIN and the fuel pump. (An offline advice is the exception the scheme makes:
 * the money has been handed over, so it is posted, never refused: test/postings/offline-advices.test.ts.)
 */
import t, { type Test } from 'tap';
import { join } from 'node:path';
import { startSwitch } from '../support/switch.js';
import { addCard, newPan } from '../support/cards.js';
import { type Outcome, Terminal, type TerminalKind } from '../../terminals/index.js';
import { TEST_KEY_HEX } from '../terminals/fixtures/support.js';

const PIN = '1234';
const CVC = '234';
const EXPIRY = '3012';

interface Card {
  pan: string;
  id: string;
}

interface Channel {
  name: string;
  kind: TerminalKind;
  terminalId: string;
  model: string;
  pay: (term: Terminal, card: Card, series: string) => Promise<Outcome>;
}

const CHANNELS: Channel[] = [
  {
    name: 'attended, chip and PIN',
    kind: 'chip',
    terminalId: 'CHIP0001',
    model: 'psam',
    pay: (term, c) => term.purchase({ pan: c.pan, amount: 10_000, pin: PIN }),
  },
  {
    name: 'attended, magstripe (DKT1)',
    kind: 'dkt1',
    terminalId: 'DKT10001',
    model: 'dkt1',
    pay: (term, c) => term.purchase({ pan: c.pan, amount: 10_000, pin: PIN }),
  },
  {
    name: 'contactless without PIN',
    kind: 'contactless',
    terminalId: 'CTLS0001',
    model: 'contactless',
    pay: (term, c) => term.purchase({ pan: c.pan, amount: 5_000 }),
  },
  {
    name: 'ATM',
    kind: 'atm',
    terminalId: 'ATM00001',
    model: 'atm',
    pay: (term, c) => term.withdraw({ pan: c.pan, amount: 20_000, pin: PIN }),
  },
  {
    name: 'internet, 3-D Secure',
    kind: 'gateway',
    terminalId: 'WEB00001',
    model: 'gateway',
    pay: (term, c) =>
      term.remotePurchase({ pan: c.pan, amount: 7_500, expiry: EXPIRY, cvc: CVC, authentication: 'threeDs' }),
  },
  {
    name: 'mail order',
    kind: 'gateway',
    terminalId: 'WEB00001',
    model: 'gateway',
    pay: (term, c) =>
      term.remotePurchase({ pan: c.pan, amount: 7_500, expiry: EXPIRY, cvc: CVC, channel: 'mailOrder' }),
  },
  {
    name: 'phone order',
    kind: 'gateway',
    terminalId: 'WEB00001',
    model: 'gateway',
    pay: (term, c) =>
      term.remotePurchase({ pan: c.pan, amount: 7_500, expiry: EXPIRY, cvc: CVC, channel: 'phoneOrder' }),
  },
  {
    name: "a subscription's later payment",
    kind: 'gateway',
    terminalId: 'WEB00001',
    model: 'gateway',
    pay: (term, c, series) => term.remotePurchase({ pan: c.pan, amount: 9_900, series }),
  },
  {
    name: 'unattended machine without PIN',
    kind: 'ticket',
    terminalId: 'PARK0001',
    model: 'ticket',
    pay: (term, c) => term.purchase({ pan: c.pan, amount: 4_000 }),
  },
  {
    name: 'fuel pump',
    kind: 'fuel',
    terminalId: 'FUEL0001',
    model: 'fuel',
    pay: (term, c) => term.fuel({ pan: c.pan, pin: PIN, maximum: 50_000, pumped: 30_000 }),
  },
];

/** The key file: each channel's terminal with its model (the ATM owned by bank-a). */
function keyFile(t: Test): string {
  const terminals = Object.fromEntries(
    CHANNELS.map((c) => [
      c.terminalId,
      { format: 0, key: TEST_KEY_HEX, model: c.model, ...(c.model === 'atm' ? { owner: 'bank-a' } : {}) },
    ]),
  );
  return join(t.testdir({ 'keys.json': JSON.stringify({ terminals }) }), 'keys.json');
}

const CODE_SETS = [
  { listener: 'iso93', dialect: 'iso93ascii', approved: '000', blocked: '208', pinBlocked: '106' },
  { listener: 'iso87', dialect: 'iso87ascii', approved: '00', blocked: '41', pinBlocked: '75' },
] as const;

for (const cs of CODE_SETS) {
  t.test(`${cs.listener}: a block and a PIN block refuse the card at once in every online channel`, async (t) => {
    const s = await startSwitch(t, { terminals: { keyFile: keyFile(t) } });
    const terminals = new Map<string, Terminal>();
    for (const c of CHANNELS) {
      if (terminals.has(c.terminalId)) continue;
      const term = await Terminal.open({
        kind: c.kind,
        terminalId: c.terminalId,
        port: s.port(cs.listener),
        dialect: cs.dialect,
        answerTimeoutMs: 3000,
      });
      t.teardown(() => term.close());
      terminals.set(c.terminalId, term);
    }
    const termOf = (c: Channel): Terminal => terminals.get(c.terminalId)!;
    const gateway = terminals.get('WEB00001')!;

    /** Every channel approves the card; then `change` is made; then every channel refuses it with `code`. */
    async function atOnce(t: Test, card: Card, change: () => Promise<void>, code: string): Promise<void> {
      const first = await gateway.remotePurchase({
        pan: card.pan,
        amount: 9_900,
        expiry: EXPIRY,
        cvc: CVC,
        authentication: 'threeDs',
        startSeries: true,
      });
      t.equal(first.actionCode, cs.approved, "the subscription's first payment");
      const series = first.series ?? '';
      t.not(series, '', 'a series');
      for (const c of CHANNELS) {
        const o = await c.pay(termOf(c), card, series);
        t.equal(o.actionCode, cs.approved, `before: ${c.name} approves`);
      }
      await change();
      for (const c of CHANNELS) {
        const o = await c.pay(termOf(c), card, series);
        t.equal(o.actionCode, code, `after: ${c.name} refuses`);
        t.equal(o.approvalCode, undefined, `after: ${c.name} gives no approval code`);
      }
    }

    await t.test('a block (lost)', async (t) => {
      const card = await addCard(s.sw, { pan: newPan(), cvc: CVC, expiry: EXPIRY, pin: PIN });
      await atOnce(
        t,
        card,
        async () => {
          t.match(await s.sw.register.block('bank-a', card.id, 'lost', new Date()), { ok: true });
        },
        cs.blocked,
      );
    });

    await t.test('a PIN block (the third wrong PIN in a row, at a chip terminal)', async (t) => {
      const card = await addCard(s.sw, { pan: newPan(), cvc: CVC, expiry: EXPIRY, pin: PIN });
      const chip = terminals.get('CHIP0001')!;
      await atOnce(
        t,
        card,
        async () => {
          for (let i = 0; i < 3; i++) await chip.purchase({ pan: card.pan, amount: 1_000, pin: '9999' });
          t.match(await s.sw.register.state(card.id), { pinBlocked: true });
        },
        cs.pinBlocked,
      );
    });
  });
}
