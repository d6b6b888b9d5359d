/**
 * What the dispute tests share: a real switch over a real Redis with a fake clock, the test
 * issuers' tokens, a card of bank-a's, purchases sent over TCP and delivered (a card's statement
 * is what was delivered), and the dispute API called over HTTP.
 */
import type { Test } from 'tap';
import { ManualClock } from '../../src/time/clock.js';
import type { IsoMessage } from '../../src/codec/index.js';
import { startSwitch, type TestSwitch } from '../support/switch.js';
import { TestTerminal, purchase93 } from '../support/terminal.js';
import { addCard, pinBlock } from '../support/cards.js';
import { A, B, type Answer, TOKENS, call } from '../admin/fixtures/client.js';
import { localDate } from '../../src/time/local-time.js';

export { A, B };
export const TZ = 'Europe/Copenhagen';

/**
 * Field 22 (1993 POS data code: position 7 how the card was read, 8 how the holder approved) of
 * the ways a purchase is made; a magnetic stripe with PIN gets a PIN block (field 52) from buy().
 */
export const READ = {
  chipPin: { 22: '511101511344' },
  magstripePin: { 22: '511101211344' },
  signature: { 22: '511101551344' },
  contactless: { 22: '511101A01344' },
  noVerification: { 22: '511101501344' },
} as const;

export interface Harness {
  s: TestSwitch;
  clock: ManualClock;
  term: TestTerminal;
  card: { pan: string; id: string };
  /** A purchase at `localTime` (YYMMDDhhmmss, the register's zone) with the fields given; the answer. */
  buy(amount: number, localTime: string, fields?: IsoMessage): Promise<IsoMessage>;
  /** Everything approved so far delivered (and so on the card's statement); the delivery's postings. */
  deliverAll(): Promise<number>;
  api(method: string, path: string, body?: unknown, token?: string): Promise<Answer>;
  /** The card's delivered transactions on these local dates. */
  listed(from: string, to?: string): Promise<Answer>;
}

export async function harness(t: Test, at: string, extraCard: Record<string, unknown> = {}): Promise<Harness> {
  const clock = new ManualClock(new Date(at));
  const s = await startSwitch(t, { admin: { host: '127.0.0.1', port: 0, tokens: TOKENS } }, { clock });
  const term = await TestTerminal.open(s.port('iso93'));
  t.teardown(() => term.close());
  const card = await addCard(s.sw, { balance: 10_000_000, ...extraCard });
  const pin = (fields: IsoMessage): IsoMessage =>
    fields[22] === READ.magstripePin[22] ? { 52: pinBlock('1234', card.pan), ...fields } : fields;
  const h: Harness = {
    s,
    clock,
    term,
    card,
    buy: (amount, localTime, fields = {}) =>
      term.send(purchase93({ 2: card.pan, 4: String(amount).padStart(12, '0'), 12: localTime, ...pin(fields) })),
    deliverAll: async () => {
      await s.sw.postings.drain();
      const made = await s.sw.delivery.byClock();
      return made.reduce((n, d) => n + d.postings, 0);
    },
    api: (method, path, body, token = A) => call(s, method, path, { token, ...(body === undefined ? {} : { body }) }),
    listed: (from, to = from) => h.api('GET', `/disputes/cards/${card.id}/transactions?from=${from}&to=${to}`),
  };
  return h;
}

/** The local date of the harness clock. */
export function today(h: Harness): string {
  return localDate(h.clock.now(), TZ);
}

/** A delivered chip and PIN purchase of 2,500.00 kr at each time (Friday 2026-12-04), then the card blocked: their entries. */
export async function blockedPurchases(t: Test, h: Harness, times: string[]): Promise<string[]> {
  for (const time of times) t.equal((await h.buy(250_000, time, READ.chipPin))[39], '000');
  t.equal(await h.deliverAll(), times.length);
  t.equal((await h.api('POST', `/cards/${h.card.id}/block`, { reason: 'stolen' })).status, 200);
  return (await h.listed('2026-12-04')).body.transactions.map((x: { entry: string }) => x.entry);
}
