/**
 * The issuer script steps on their own, over the card module's real scripts on a real Redis:
 * which answers carry scripts, which requests are chip requests, the MAC key lookup, and what
 * happens when the register cannot be reached (a client that has quit): no script, no refusal,
 * a warning. The command MAC itself is tested against published vectors in
 * test/crypto/script-mac.test.ts.
 */
import t from 'tap';
import { pino } from 'pino';
import { dialect } from '../../src/codec/index.js';
import type { IsoMessage } from '../../src/codec/index.js';
import type { RequestContext } from '../../src/authorization/context.js';
import { ROUTES } from '../../src/authorization/routes.js';
import { recordScriptResults, sendIssuerScripts } from '../../src/authorization/steps/issuer-scripts.js';
import { scriptMacKeys } from '../../src/authorization/script-keys.js';
import { IssuerScripts } from '../../src/card/issuer-scripts.js';
import { ManualClock } from '../../src/time/clock.js';
import { encodeTlv } from '../../src/codec/tlv.js';
import { testClient, testRedis } from '../support/redis.js';
import { NOW, card } from '../support/card-scripts.js';
import { cardId } from '../../src/crypto/card-id.js';
import { saleFacts } from '../../src/authorization/sale-facts.js';
import { DEFAULT_CONFIG } from '../../src/config/defaults.js';

const PAN = '5019000000000016';
const SECRET = Buffer.alloc(32, 7);
const hex = (s: string): Buffer => Buffer.from(s, 'hex');
const KEY = hex('0123456789ABCDEFFEDCBA9876543210');
const CHIP = encodeTlv([
  { tag: '9F26', value: hex('CD29615D6452E70E') },
  { tag: '9F36', value: hex('001C') },
]);

function ctx(request: IsoMessage, warnings: string[] = []): RequestContext {
  const log = pino({ level: 'warn' }, { write: (line: string) => void warnings.push(line) });
  return {
    request,
    mti: request[0] as string,
    route: ROUTES[request[0] as string]!,
    dialect: dialect(),
    codes: 'iso93',
    listener: 'test',
    receivedAt: new Date(NOW),
    log,
    response: {},
    iccAnswer: [],
  };
}

const purchase = (fields: IsoMessage = {}): IsoMessage => ({
  0: '1100',
  2: PAN,
  11: '000001',
  12: '261121101530',
  41: 'TERM0001',
  55: CHIP,
  ...fields,
});

t.test('which answers and requests carry scripts', async (t) => {
  const { redis, prefix } = await testRedis(t);
  const scripts = new IssuerScripts(redis, prefix, new ManualClock(new Date(NOW)));
  const idOf = (pan: string) => cardId(pan, SECRET);
  const c = await card(redis, prefix);
  // The test card's record lives under its own id; the steps find it by the PAN's id.
  await redis.rename(c.k.card, `${prefix}card:{${idOf(PAN)}}`);
  const step = sendIssuerScripts({ scripts, idOf, macKeyOf: async () => KEY, timeoutMs: 1000 });
  const queue = () => scripts.queue('bank-a', idOf(PAN), { commands: [{ command: 'pinUnblock' }] });
  t.match(await queue(), { ok: true });

  for (const outcome of ['formatError', 'notRegistered', 'registerUnavailable', 'duplicateTransmission'] as const) {
    const x = ctx(purchase());
    x.outcome = outcome;
    await step.run(x);
    t.same(x.iccAnswer, [], `${outcome}: none`);
  }
  const none = ctx(purchase());
  await step.run(none);
  t.same(none.iccAnswer, [], 'no outcome yet: none');
  for (const [what, request] of [
    ['no field 55', purchase({ 55: undefined as unknown as Buffer })],
    ['unreadable field 55', purchase({ 55: hex('9F2608AA') })],
    ['no ARQC', purchase({ 55: encodeTlv([{ tag: '9F36', value: hex('001C') }]) })],
    [
      'an ATC of 1 byte',
      purchase({
        55: encodeTlv([
          { tag: '9F26', value: hex('CD29615D6452E70E') },
          { tag: '9F36', value: hex('1C') },
        ]),
      }),
    ],
    ['no PAN', { ...purchase(), 2: undefined as unknown as string }],
    ['a PAN failing Luhn', purchase({ 2: '5019000000000017' })],
  ] as const) {
    const x = ctx(request);
    x.outcome = 'approved';
    await step.run(x);
    t.same(x.iccAnswer, [], `${what}: none`);
  }
  const noKey = sendIssuerScripts({ scripts, idOf, macKeyOf: async () => undefined, timeoutMs: 1000 });
  const x = ctx(purchase());
  x.outcome = 'approved';
  await noKey.run(x);
  t.same(x.iccAnswer, [], 'no MAC key: none');
  t.match(await scripts.list(idOf(PAN)), [{ status: 'queued' }], 'and the script waits');

  const declined = ctx(purchase());
  declined.outcome = 'blockedByIssuer';
  await step.run(declined);
  t.match(declined.iccAnswer, [{ tag: '72' }], 'a decline about the card carries it');
});

t.test('the MAC key lookup', async (t) => {
  const lookup = async (pan: string) => (pan === PAN ? { product: 'dankort', panSequence: '01' } : undefined);
  t.equal(await scriptMacKeys(undefined, lookup)(PAN), undefined, 'no keys configured');
  t.equal(await scriptMacKeys({ dankort: {} }, lookup)(PAN), undefined, 'the product has no IMK-SMI');
  t.equal(await scriptMacKeys({ other: { smi: KEY.toString('hex') } }, lookup)(PAN), undefined, 'another product');
  t.equal(
    await scriptMacKeys({ dankort: { smi: KEY.toString('hex') } }, lookup)('5019000000000024'),
    undefined,
    'no card',
  );
  const key = await scriptMacKeys({ dankort: { smi: KEY.toString('hex') } }, lookup)(PAN);
  t.equal(key?.length, 16, "the card's MK-SMI");
});

t.test('the register unreachable: no script sent, no result recorded, the request goes on', async (t) => {
  const { prefix } = await testRedis(t);
  const gone = await testClient({ maxRetriesPerRequest: 0 });
  const scripts = new IssuerScripts(gone, prefix, new ManualClock(new Date(NOW)));
  await gone.quit();
  const idOf = (pan: string) => cardId(pan, SECRET);
  const warnings: string[] = [];
  const send = ctx(purchase(), warnings);
  send.outcome = 'approved';
  await sendIssuerScripts({ scripts, idOf, macKeyOf: async () => KEY, timeoutMs: 500 }).run(send);
  t.same(send.iccAnswer, []);
  const results = ctx(purchase({ 55: encodeTlv([{ tag: '9F5B', value: hex('2000000001') }]) }), warnings);
  await recordScriptResults({ scripts, idOf, timeoutMs: 500 }).run(results);
  t.equal(results.outcome, undefined, 'not refused');
  t.match(warnings.join('\n'), /issuer scripts not sent/);
  t.match(warnings.join('\n'), /issuer script results not recorded/);
});

t.test('results: none, unreadable field 55, no card', async (t) => {
  const { redis, prefix } = await testRedis(t);
  const scripts = new IssuerScripts(redis, prefix, new ManualClock(new Date(NOW)));
  const step = recordScriptResults({ scripts, idOf: (pan) => cardId(pan, SECRET), timeoutMs: 1000 });
  const plain = ctx(purchase({ 55: undefined as unknown as Buffer }));
  delete plain.request[55];
  await step.run(plain);
  t.equal(plain.outcome, undefined, 'no field 55: nothing');
  const bad = ctx(purchase({ 55: hex('9F5B05AA') }));
  await step.run(bad);
  t.equal(bad.outcome, 'formatError');
  t.match(bad.reason, /^field 55: tag 9F5B: length 5 runs past/);
  const noPan = ctx(purchase({ 2: '5019000000000017', 55: encodeTlv([{ tag: '9F5B', value: hex('2000000001') }]) }));
  await step.run(noPan);
  t.equal(noPan.outcome, undefined, 'a PAN failing Luhn: nothing recorded, the card step refuses it');
});

t.test(
  "a sale's facts: the chip's results from field 55, unreadable field 55 a format error naming the tag",
  async (t) => {
    // DKK needs no currency of the config's.
    const deps = { currencies: DEFAULT_CONFIG.currencies, timeZone: 'Europe/Copenhagen' };
    const good = ctx({
      ...purchase({ 4: '000000010000', 49: '208' }),
      55: encodeTlv([{ tag: '95', value: hex('8000000000') }]),
    });
    t.match(saleFacts(good, deps), { chip: { tvr: '8000000000', cvmResults: '', cvr: '' } });
    const bad = ctx({ ...purchase({ 4: '000000010000', 49: '208' }), 55: hex('9502AA') });
    t.equal(saleFacts(bad, deps), undefined);
    t.equal(bad.outcome, 'formatError');
    t.equal(bad.reason, 'field 55: tag 95: length 2 runs past the end of the data at offset 0');
  },
);
