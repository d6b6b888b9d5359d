/** Each pipeline step on its own, and the pipeline's rules, without a network. */
import t from 'tap';
import { pino } from 'pino';
import { dialect } from '../../src/codec/index.js';
import type { IsoMessage } from '../../src/codec/index.js';
import type { RequestContext } from '../../src/authorization/context.js';
import { Pipeline, type Step } from '../../src/authorization/pipeline.js';
import { RegisterUnavailableError } from '../../src/redis/errors.js';
import { ROUTES, UNKNOWN_MTI } from '../../src/authorization/routes.js';
import { STANDARD_STEPS } from '../../src/authorization/steps/index.js';
import { validateFields } from '../../src/authorization/steps/validate-fields.js';
import { identifyTerminal } from '../../src/authorization/steps/identify-terminal.js';
import { checkProcessingCode } from '../../src/authorization/steps/check-processing-code.js';
import { networkManagement } from '../../src/authorization/steps/network-management.js';
import { decide } from '../../src/authorization/steps/decide.js';
import { respond, responseMti } from '../../src/authorization/steps/respond.js';
import { rejectUnknownMti } from '../../src/authorization/steps/reject-unknown-mti.js';

const silent = pino({ level: 'silent' });

function ctx(request: IsoMessage, codes: 'iso93' | 'iso87' = 'iso93'): RequestContext {
  const mti = request[0] as string;
  return {
    request,
    mti,
    route: ROUTES[mti] ?? UNKNOWN_MTI,
    dialect: dialect(),
    codes,
    listener: 'test',
    receivedAt: new Date(0),
    log: silent,
    response: {},
    iccAnswer: [],
  };
}
const purchase: IsoMessage = {
  0: '1200',
  2: '5019000000000012',
  3: '000000',
  4: '000000012500',
  11: '000001',
  12: '261121101530',
  41: 'TERM0001',
  49: '208',
};

t.test('validateFields: the first missing mandatory field, then the card', async (t) => {
  const c = ctx(purchase);
  await validateFields.run(c);
  t.equal(c.outcome, undefined, 'complete request passes');
  const { 4: _amount, 11: _stan, ...missing } = purchase;
  const m = ctx(missing);
  await validateFields.run(m);
  t.match(m, { outcome: 'formatError', reason: 'missing field 4' });
  const { 2: _pan, ...noCard } = purchase;
  const n = ctx(noCard);
  await validateFields.run(n);
  t.match(n, { outcome: 'formatError', reason: 'missing field 2 (or 35)' });
  const nm = ctx({ 0: '1804', 7: '1121101530', 11: '000001', 24: '831' });
  await validateFields.run(nm);
  t.equal(nm.outcome, undefined, 'network management needs no card');
});

t.test('identifyTerminal: field 41 without its padding', async (t) => {
  const c = ctx({ ...purchase, 41: 'T1      ' });
  await identifyTerminal.run(c);
  t.equal(c.terminalId, 'T1');
  const none = ctx({ 0: '1804' });
  await identifyTerminal.run(none);
  t.equal(none.terminalId, undefined);
});

t.test('checkProcessingCode: purchase, refund and cash pass, others are invalid transactions', async (t) => {
  for (const [code, outcome] of [
    ['000000', undefined],
    ['200000', undefined],
    ['010000', undefined],
    ['300000', 'invalidTransaction'],
    ['310000', 'invalidTransaction'],
  ] as const) {
    const c = ctx({ ...purchase, 3: code });
    await checkProcessingCode.run(c);
    t.equal(c.outcome, outcome, code);
  }
});

t.test('networkManagement: known codes accepted, others invalid', async (t) => {
  const cases: [IsoMessage, string][] = [
    [{ 0: '1804', 24: '801' }, 'networkAccepted'],
    [{ 0: '1804', 24: '802' }, 'networkAccepted'],
    [{ 0: '1804', 24: '831' }, 'networkAccepted'],
    [{ 0: '1804', 24: '001' }, 'invalidTransaction'],
    [{ 0: '0800', 70: '001' }, 'networkAccepted'],
    [{ 0: '0800', 70: '301' }, 'networkAccepted'],
    [{ 0: '0800', 70: '831' }, 'invalidTransaction'],
  ];
  for (const [request, outcome] of cases) {
    const c = ctx(request);
    await networkManagement.run(c);
    t.equal(c.outcome, outcome, JSON.stringify(request));
  }
});

t.test('decide approves what nothing refused, with a 6-digit approval code', async (t) => {
  const c = ctx(purchase);
  await decide.run(c);
  t.equal(c.outcome, 'approved');
  t.match(c.response[38], /^\d{6}$/);
  const refused = ctx(purchase);
  refused.outcome = 'formatError';
  await decide.run(refused);
  t.equal(refused.outcome, 'formatError');
  t.equal(refused.response[38], undefined);
});

t.test('respond: MTI + 10, echo, action code in the listener code set', async (t) => {
  t.same(['1100', '0100', '1200', '0200', '1804', '0800', '1420', '1600'].map(responseMti), [
    '1110',
    '0110',
    '1210',
    '0210',
    '1814',
    '0810',
    '1430',
    '1610',
  ]);
  const c = ctx({ ...purchase, 22: 'C10101654041' }, 'iso87');
  c.outcome = 'approved';
  c.response[38] = '123456';
  await respond.run(c);
  t.same(c.response, {
    0: '1210',
    2: purchase[2],
    3: '000000',
    4: '000000012500',
    11: '000001',
    12: '261121101530',
    38: '123456',
    39: '00',
    41: 'TERM0001',
    49: '208',
  });
  const undecided = ctx(purchase);
  await respond.run(undecided);
  t.equal(undecided.response[39], '909', 'no decision is a malfunction, never an approval');
  t.equal(undecided.response[55], undefined, 'no chip answer, no field 55');
});

t.test('respond: the chip answer objects go in field 55, bytes or hex digits as the dialect writes it', async (t) => {
  const arpc = { tag: '91', value: Buffer.from('0102030405060708', 'hex') };
  const binary = ctx(purchase);
  binary.iccAnswer.push(arpc);
  await respond.run(binary);
  t.same(binary.response[55], Buffer.from('91080102030405060708', 'hex'), 'iso93ascii field 55 is binary');
  const characters = { ...ctx({ ...purchase, 0: '0200' }, 'iso87'), dialect: dialect('iso87ascii') };
  characters.iccAnswer.push(arpc);
  await respond.run(characters);
  t.equal(characters.response[55], '91080102030405060708', 'iso87ascii field 55 is characters: hex digits');
});

t.test('rejectUnknownMti', async (t) => {
  const c = ctx({ 0: '1600' });
  await rejectUnknownMti.run(c);
  t.match(c, { outcome: 'invalidTransaction', reason: 'MTI 1600 not handled' });
});

t.test('the pipeline: steps in route order, refusals skip to final steps, failures become answers', async (t) => {
  const ran: string[] = [];
  const spy = (name: string, effect?: (c: RequestContext) => void): Step => ({
    name,
    run: (c) => (ran.push(name), effect?.(c)),
  });
  const steps = [
    spy('a'),
    spy('refuse', (c) => (c.outcome = 'formatError')),
    spy('b'),
    { ...spy('final'), final: true },
    spy('down', () => {
      throw new RegisterUnavailableError('timed out');
    }),
  ];
  const routes = {
    '1200': { ...ROUTES['1200']!, steps: ['a', 'refuse', 'b', 'final'] },
    '1100': { ...ROUTES['1100']!, steps: ['a', 'down', 'b', 'final'] },
  };
  const p = new Pipeline(steps, routes, { ...UNKNOWN_MTI, steps: ['final'] });
  const c = ctx(purchase);
  await p.run({ ...c, route: p.route('1200', c.request) });
  t.same(ran, ['a', 'refuse', 'final'], 'b skipped after the refusal');
  ran.length = 0;
  const d = { ...ctx({ ...purchase, 0: '1100' }), route: p.route('1100', purchase) };
  await p.run(d);
  t.same(ran, ['a', 'down', 'final'], 'b skipped after the register failed');
  t.match(d, { outcome: 'registerUnavailable', reason: 'down: timed out' });
  t.same(p.route('9999', {}).steps, ['final'], 'unknown MTIs take the fallback route');
  const completionRoute = { ...ROUTES['1220']!, steps: ['a'] };
  const offlineRoute = { ...UNKNOWN_MTI, steps: ['b'] };
  const advice = new Pipeline(
    steps,
    { '1220': { ...completionRoute, otherwise: { absent: 56, route: offlineRoute } } },
    { ...UNKNOWN_MTI, steps: ['final'] },
  );
  t.same(advice.route('1220', { 56: '1100' }).steps, ['a'], 'a 1220 naming its original: the route itself');
  t.equal(advice.route('1220', {}), offlineRoute, 'a 1220 without field 56: its otherwise route');
  t.ok(
    ROUTES['1220']!.otherwise?.route.steps.includes('postOfflineAdvice'),
    'the shipped 1220 without 56: an offline advice',
  );
  t.throws(
    () =>
      new Pipeline(
        steps,
        { '1220': { ...completionRoute, otherwise: { absent: 56, route: { ...UNKNOWN_MTI, steps: ['nope2'] } } } },
        { ...UNKNOWN_MTI, steps: ['final'] },
      ),
    { message: 'route names an unknown step "nope2"' },
    "an otherwise route's steps are checked too",
  );
  t.throws(() => new Pipeline(STANDARD_STEPS, { '1200': { ...ROUTES['1200']!, steps: ['nope'] } }, UNKNOWN_MTI), {
    message: 'route names an unknown step "nope"',
  });
  const failingFinal = new Pipeline(
    [
      {
        name: 'f',
        final: true,
        run: () => {
          throw new Error('respond broke');
        },
      },
    ],
    {},
    { ...UNKNOWN_MTI, steps: ['f'] },
  );
  await t.rejects(
    failingFinal.run({ ...ctx({ 0: '1600' }), route: failingFinal.route('1600', {}) }),
    { message: 'respond broke' },
    'a failing final step is not swallowed',
  );
});
