/**
 * The scenario runner against a real switch: failed expectations are reported as failed steps
 * with a reason that says what was expected and what came; values carried between steps;
 * setup that cannot be done; what the options must give.
 */
import t from 'tap';
import { luhnValid } from '../../src/card/luhn.js';
import { localTime } from '../../terminals/fields.js';
import { dialect } from '../../src/codec/index.js';
import {
  type StepResult,
  concreteMti,
  freshPan,
  kroner,
  mtiMatches,
  oneToOne,
  ore,
  runProblems,
  runScenario,
  substitute,
  wrongPin,
} from '../../terminals/scenario/runner.js';
import { type Scenario, ScenarioError } from '../../terminals/scenario/scenario.js';
import { runOptions, startScenarioSwitch } from './fixtures/switch.js';
import { closedPort, scenario, scenarioFiles } from './fixtures/files.js';

const byName = (steps: StepResult[]): Record<string, StepResult> => Object.fromEntries(steps.map((s) => [s.name, s]));

t.test(
  'a failing expectation fails its step with a reason naming what was expected and what came; the other steps still run',
  async (t) => {
    const s = await startScenarioSwitch(t);
    const files = scenarioFiles(t, {
      'wrong.json': scenario(
        [
          { name: 'outcome', purchase: { card: 'c', amount: '100.00', pin: 'right' }, expect: { outcome: 'wrongPin' } },
          {
            name: 'answer details',
            purchase: { card: 'c', amount: '1.00', pin: 'right' },
            expect: {
              actionCode: '116',
              approved: false,
              timedOut: true,
              reversalStored: true,
              approvalCode: 'nope',
              pendingReversals: 1,
              exchanges: ['x200'],
              answer: {
                to: 'x100',
                mti: 'x210',
                present: [52],
                absent: [38],
                fields: { '4': '000000000002', '52': 'x' },
              },
            },
          },
          {
            name: 'activity and state',
            purchase: { card: 'c', amount: '2.00', magstripe: true },
            expect: {
              postings: [{ type: 'refund', amount: '3.00', direction: 'C', txn: 'T-1', reason: '4021', card: 'c' }],
              notices: [{ type: 'wrongPin', tries: 1, card: 'c' }],
              cardState: { c: { available: '5.00', block: 'lost', pinBlocked: true, status: 'deleted' } },
            },
          },
          {
            name: 'no answer came',
            fault: { kind: 'noAnswer' },
            purchase: { card: 'c', amount: '1.00', magstripe: true },
            expect: { answer: { present: [39] }, outcome: 'approved' },
          },
          { name: 'not sent', echo: true, expect: { answer: { to: 'x100' } } },
          {
            name: 'fault never fired',
            fault: { kind: 'close', mti: 'x100' },
            purchase: { card: 'c', amount: '1.00', magstripe: true },
            expect: { outcome: 'approved' },
          },
          { name: 'status', admin: { action: 'unblock', card: 'c' }, expect: { status: 200 } },
          { name: 'refused unexpectedly', admin: { action: 'liftPinBlock', card: 'c' } },
          {
            name: 'declined: no approval code to save',
            purchase: { card: 'c', amount: '999999.00', pin: 'right' },
            save: { code: 'approvalCode' },
          },
          { name: 'uses the missing value', echo: true, expect: { approvalCode: '${code}' } },
          { name: 'nothing to retransmit', retransmit: { step: 'not sent', request: 'x200' } },
          {
            name: 'fine',
            purchase: { card: 'c', amount: '1.00', pin: 'right' },
            expect: { outcome: 'approved', postings: [{ type: 'purchase', amount: '1.00' }] },
          },
        ],
        { terminals: { pos: { kind: 'chip', terminalId: 'TEST0001', answerTimeoutMs: 800 } } },
      ),
    });
    const r = await runScenario(files['wrong.json']!, runOptions(s, { settleMs: 200 }));
    t.equal(r.passed, false);
    t.equal(r.setupError, undefined);
    const step = byName(r.steps);
    t.same(step.outcome!.failures, ['action code: expected 117 (wrongPin), got 000 (approved)']);
    t.equal(step.outcome!.passed, false);
    t.match(step.outcome!.did, /^purchase 100\.00 DKK, right PIN, card c 5019\d\d\*{6}\d{4} on pos \(chip TEST0001\)$/);
    t.match(step.outcome!.got, /^000 approved, approval code \d{6}, txn TEST0001-\d{12}-\d{6}$/);
    t.ok(
      step.outcome!.exchanges.length === 2 && step.outcome!.exchanges[0]!.startsWith('>> 1100'),
      'the exchanges, described',
    );
    t.same(step['answer details']!.failures, [
      'action code: expected 116, got 000 (approved)',
      'approved: expected false, got true',
      'timedOut: expected true, got false',
      'reversalStored: expected true, got false',
      `approval code: expected nope, got ${/approval code (\d{6})/.exec(step['answer details']!.got)![1]}`,
      'reversals stored in the terminal: expected 1, got 0',
      'requests sent: expected x200, got 1100, 1220',
      'the answer to x100: MTI expected x210, got 1110',
      'the answer to x100: field 52 expected present, is absent',
      'the answer to x100: field 38 expected absent, is present',
      'the answer to x100: field 4 expected "000000000002", got "000000000100"',
      'the answer to x100: field 52 expected "x", got absent',
    ]);
    const activity = step['activity and state']!.failures;
    t.match(
      activity[0],
      /^postings: expected refund C 3\.00 DKK txn T-1 reason 4021 \(card c\), got purchase D 2\.00 DKK txn TEST0001-\d{12}-\d{6} card status active verification signature \(card c\)$/,
    );
    t.equal(activity[1], 'notices: expected wrongPin (try 1), got none');
    t.same(activity.slice(2), [
      'card c: available expected 5.00 DKK, got 897.00 DKK',
      'card c: block expected "lost", got null',
      'card c: pinBlocked expected true, got false',
      'card c: status expected "deleted", got "active"',
    ]);
    t.same(step['no answer came']!.failures, [
      'action code: expected 000 (approved), got no answer',
      'the answer: none came',
    ]);
    t.equal(step['no answer came']!.got.startsWith('no answer, reversal stored'), true);
    t.same(step['not sent']!.failures, ['the answer to x100: the step sent no x100']);
    t.same(step['fault never fired']!.failures, ['the fault rule never fired (no request matched it)']);
    t.same(step.status!.failures, ['HTTP status: expected 200, got 409 (card is not blocked)']);
    t.equal(step.status!.got, 'HTTP 409 card is not blocked');
    t.same(step['refused unexpectedly']!.failures, ['the issuer API refused: 409 card is not PIN-blocked']);
    t.same(step['declined: no approval code to save']!.failures, []);
    t.same(step['uses the missing value']!.failures, [
      '${code} has no value (the step that saves it did not produce it)',
    ]);
    t.same(step['nothing to retransmit']!.failures, ['step "not sent" sent no x200']);
    t.same(
      step.fine!.failures,
      [],
      "a later step passes: the stored reversal went first, its posting was the earlier step's",
    );
    t.equal(step.fine!.passed, true);
  },
);

t.test('values carried between steps: save, ${name} in later steps, this.* of the step itself', async (t) => {
  const s = await startScenarioSwitch(t);
  const files = scenarioFiles(t, {
    'vars.json': scenario([
      {
        name: 'sale',
        purchase: { card: 'c', amount: '12.34', magstripe: true },
        expect: {
          outcome: 'approved',
          postings: [{ txn: '${this.txn}', amount: '12.34' }],
          answer: {
            fields: {
              '11': '${this.stan}',
              '12': '${this.localTime}',
              '38': '${this.approvalCode}',
              '39': '${this.actionCode}',
            },
          },
        },
        save: { code: 'approvalCode', txn: 'txn', stan: 'stan', local: 'localTime', action: 'actionCode' },
      },
      {
        name: 'again',
        retransmit: { step: 'sale' },
        expect: {
          approvalCode: '${code}',
          actionCode: '${action}',
          postings: [],
          answer: { fields: { '11': '${stan}', '12': '${local}', '38': '${code}' } },
        },
        save: { again: 'txn' },
      },
      { name: 'wrong carried value', retransmit: { step: 'sale' }, expect: { approvalCode: '${txn}' } },
      { name: 'echo saves its action code', echo: true, save: { echoed: 'actionCode' } },
      { name: 'and a later echo gets the same', echo: true, expect: { actionCode: '${echoed}' } },
    ]),
  });
  const r = await runScenario(files['vars.json']!, runOptions(s));
  const step = byName(r.steps);
  t.same(step.sale!.failures, []);
  t.same(step.again!.failures, []);
  t.match(step['wrong carried value']!.failures, [/^approval code: expected TEST0001-\d{12}-\d{6}, got \d{6}$/]);
  t.same(step['and a later echo gets the same']!.failures, []);
  t.equal(r.passed, false);
});

t.test('fault rules of every kind are set for the step and removed after it; a PIN given as digits', async (t) => {
  const s = await startScenarioSwitch(t);
  const files = scenarioFiles(t, {
    'faults.json': scenario(
      [
        {
          name: 'code',
          fault: { kind: 'actionCode', code: '909', mti: 'x804' },
          echo: true,
          expect: { outcome: 'systemMalfunction' },
        },
        {
          name: 'delay',
          fault: { kind: 'delay', ms: 50 },
          purchase: { card: 'c', amount: '3.00', pin: '4321' },
          expect: { outcome: 'approved', exchanges: ['x100', 'x220'] },
        },
        {
          name: 'always',
          fault: { kind: 'actionCode', code: '116', times: 'always' },
          purchase: { card: 'c', amount: '3.00', magstripe: true },
          expect: { outcome: 'insufficientFunds' },
        },
        { name: 'wrong digits', purchase: { card: 'c', amount: '3.00', pin: '1111' }, expect: { outcome: 'wrongPin' } },
      ],
      { cards: { c: { pin: '4321' } } },
    ),
  });
  const r = await runScenario(files['faults.json']!, runOptions(s));
  t.same(
    r.steps.map((x) => [x.name, x.failures]),
    [
      ['code', []],
      ['delay', []],
      ['always', []],
      ['wrong digits', []],
    ],
  );
  t.match(r.steps[0]!.did, /^echo on pos \(chip TEST0001\) \[fault actionCode on x804\]$/);
  t.match(r.steps[1]!.did, /, PIN given, /, 'a PIN given as digits is not shown');
  t.same(
    (await s.sw.faults.list()).map((x) => x.id),
    [],
    'every rule removed',
  );
  const refused = await runScenario(files['faults.json']!, runOptions(s, { vendorToken: 'not-a-configured-token' }));
  t.same(refused.steps[0]!.failures, ['fault rule not set: POST /faults: 401 unknown token']);
});

t.test('terminal, setup and card options; issuer actions; progress after each step', async (t) => {
  const s = await startScenarioSwitch(t);
  const files = scenarioFiles(t, {
    'options.json': scenario(
      [
        {
          name: 'first STAN, merchant, expiry',
          purchase: { card: 'c', amount: '5.00', magstripe: true, expiry: '2912' },
          expect: {
            outcome: 'approved',
            answer: { fields: { '11': '000041', '42': 'SHOP 42        ' } },
            cardState: { c: { pinTries: 1, contactlessCount: 1, contactlessSum: '2.50' } },
          },
        },
        {
          name: 'refund with PIN and expiry',
          refund: { card: 'c', amount: '1.00', pin: 'right', expiry: '2912' },
          expect: { outcome: 'approved', exchanges: ['x200'] },
        },
        {
          name: 'balance raised',
          admin: { action: 'setBalance', card: 'c', balance: '20.00' },
          expect: { status: 200, cardState: { c: { balance: '20.00' } } },
        },
        {
          name: 'deleted',
          admin: { action: 'delete', card: 'c' },
          expect: { status: 200, cardState: { c: { status: 'deleted' } } },
        },
        {
          name: 'refused at once',
          purchase: { card: 'c', amount: '1.00', pin: 'right' },
          expect: { outcome: 'deleted' },
        },
      ],
      {
        terminals: { pos: { kind: 'chip', terminalId: 'TEST0001', merchant: 'SHOP 42', stan: 41, header: 'binary2' } },
        setupTerminal: { terminalId: 'SETUP042', pinKey: '0123456789ABCDEFFEDCBA9876543210' },
        cards: { c: { wrongPins: 1, contactless: { payments: 1, amount: '2.50' } } },
      },
    ),
  });
  const seen: string[] = [];
  const r = await runScenario(
    files['options.json']!,
    runOptions(s, {
      header: 'binary2',
      onStep: (step, scenario) => seen.push(`${scenario.name}: ${step.index} ${step.passed}`),
    }),
  );
  t.same(
    r.steps.map((x) => [x.name, x.failures]),
    r.steps.map((x) => [x.name, []]),
  );
  t.match(r.cards, [
    /^c 5019\d\d\*{6}\d{4}: active, balance 10000\.00 DKK, expiry 3012, 1 wrong PIN, 1 contactless payments of 2\.50 DKK$/,
  ]);
  t.match(r.steps[2]!.did, /^issuer: setBalance to 20\.00 DKK card c /);
  t.same(
    seen,
    [1, 2, 3, 4, 5].map((i) => `test scenario: ${i} true`),
  );
});

t.test(
  "block service reports, answer bodies, the notices of issuer actions and reports, a posting's card status, a terminal's clock set back",
  async (t) => {
    const s = await startScenarioSwitch(t);
    const HOUR = 3_600_000;
    const files = scenarioFiles(t, {
      'report.json': scenario(
        [
          {
            name: 'a report on a card blocked at setup: kept',
            report: { card: 'b', reason: 'stolen', statement: 'taken', reportedAt: '2026-03-01T14:05:00+01:00' },
            expect: {
              status: 200,
              body: {
                present: ['reference', 'blockedAt', 'block.blockedAt'],
                absent: ['block.nothing', 'reason.deeper'],
                fields: {
                  alreadyBlocked: true,
                  reason: 'stolen',
                  'block.reason': 'lost',
                  reference: '${this.reference}',
                },
              },
              notices: [{ type: 'reportOnBlockedCard', card: 'b', reason: 'stolen', reference: '${this.reference}' }],
              cardState: { b: { block: 'lost' } },
            },
            save: { ref: 'reference' },
          },
          {
            name: 'expectations of a report that fail',
            report: { card: 'c', reason: 'lost' },
            expect: {
              status: 200,
              body: {
                present: ['alreadyBlocked'],
                absent: ['reference'],
                fields: { 'block.reason': 'stolen', reason: 'stolen', alreadyBlocked: false },
              },
              notices: [{ type: 'reportOnBlockedCard', reference: '${ref}' }],
            },
          },
          { name: 'a card never registered: refused', report: { card: 'none', reason: 'lost' } },
          {
            name: 'the issuer lifts the block: its notice',
            admin: { action: 'unblock', card: 'c' },
            expect: { status: 200, notices: [{ type: 'blockLifted', card: 'c', reason: 'lost' }] },
          },
          {
            name: 'a purchase an hour back',
            purchase: { card: 'c', amount: '1.00', magstripe: true, clockOffsetMs: -HOUR },
            expect: {
              outcome: 'approved',
              answer: { fields: { '12': '${this.localTime}' } },
              postings: [{ cardStatus: 'blocked:lost', txn: '${this.txn}' }],
            },
          },
          {
            name: 'the clock is right again',
            purchase: { card: 'c', amount: '1.00', magstripe: true },
            expect: { outcome: 'approved', postings: [{ cardStatus: 'active', txn: '${this.txn}' }], notices: [] },
          },
        ],
        { cards: { c: {}, b: { block: 'lost' }, none: { status: 'notRegistered' } } },
      ),
    });
    const before = Date.now();
    const r = await runScenario(files['report.json']!, runOptions(s));
    const after = Date.now();
    const step = byName(r.steps);
    t.same(step['a report on a card blocked at setup: kept']!.failures, [], "the setup block's notice is no step's");
    t.match(
      step['a report on a card blocked at setup: kept']!.did,
      /^block service: the holder reports card b 5019\d\d\*{6}\d{4} stolen, called at 2026-03-01T14:05:00\+01:00$/,
    );
    t.match(
      step['a report on a card blocked at setup: kept']!.got,
      /^HTTP 200, reference \d{10}, already blocked since \d{4}-\d\d-\d\dT[\d:.]+Z$/,
    );
    const failed = step['expectations of a report that fail']!;
    t.match(failed.got, /^HTTP 201, reference (\d{10})$/);
    const reference = /reference (\d{10})/.exec(failed.got)![1]!;
    t.same(failed.failures, [
      'HTTP status: expected 200, got 201',
      "the answer's alreadyBlocked: expected present, is absent",
      `the answer's reference: expected absent, is "${reference}"`,
      'the answer\'s block.reason: expected "stolen", got absent',
      'the answer\'s reason: expected "stolen", got "lost"',
      "the answer's alreadyBlocked: expected false, got absent",
      `notices: expected reportOnBlockedCard (reference ${/reference (\d{10})/.exec(step['a report on a card blocked at setup: kept']!.got)![1]!}), got blockRegistered (reason lost, reference ${reference}) (card c)`,
    ]);
    t.same(step['a card never registered: refused']!.failures, [
      'the block service refused: 404 no card matches every number given',
    ]);
    t.same(step['the issuer lifts the block: its notice']!.failures, []);
    const back = step['a purchase an hour back']!;
    t.match(back.did, /^purchase 1\.00 DKK, no PIN, magstripe, terminal clock -3600000 ms, card c /);
    const local = /txn TEST0001-(\d{12})-\d{6}/.exec(back.got)![1]!;
    t.ok(
      local >= localTime(new Date(before - HOUR)) && local <= localTime(new Date(after - HOUR)),
      `field 12 an hour back: ${local}`,
    );
    t.match(back.failures, [
      /^postings: expected any posting txn TEST0001-\d{12}-\d{6} card status blocked:lost, got purchase D 1\.00 DKK txn TEST0001-\d{12}-\d{6} card status active verification signature \(card c\)$/,
    ]);
    t.equal(back.failures.length, 1);
    const again = step['the clock is right again']!;
    t.same(again.failures, []);
    const now = /txn TEST0001-(\d{12})-\d{6}/.exec(again.got)![1]!;
    t.ok(now >= localTime(new Date(before)) && now <= localTime(new Date(Date.now())), `field 12 now: ${now}`);
  },
);

t.test('setup that cannot be done: no step runs, the reason is given', async (t) => {
  const s = await startScenarioSwitch(t);
  const files = scenarioFiles(t, {
    'ok.json': scenario([{ name: 'echo', echo: true }]),
    'blocked-deleted.json': scenario([{ name: 'echo', echo: true }], {
      cards: { c: { status: 'deleted', block: 'lost' } },
    }),
    'expired-history.json': scenario([{ name: 'echo', echo: true }], {
      cards: { c: { expiry: '2401', wrongPins: 1 } },
    }),
    'too-many-contactless.json': scenario([{ name: 'echo', echo: true }], {
      cards: { c: { contactless: { payments: 6, amount: '10.00' } } },
    }),
  });
  const bad = await runScenario(files['ok.json']!, runOptions(s, { issuerToken: 'not-a-configured-token' }));
  t.match(bad, { passed: false, steps: [], setupError: /^card c: POST \/cards: 401 unknown token$/ });
  const closed = await runScenario(files['ok.json']!, runOptions(s, { port: 1 }));
  t.match(closed, { passed: false, steps: [], setupError: /^cannot connect to 127\.0\.0\.1:1/ });
  t.match(
    closed.cards,
    [/^c 5019\d\d\*{6}\d{4}: active, balance 1000\.00 DKK, expiry 3012$/],
    'the card was registered before',
  );
  t.match(await runScenario(files['blocked-deleted.json']!, runOptions(s)), {
    setupError: /^POST \/cards\/[0-9a-f]{32}\/block: 409 card is deleted$/,
  });
  t.match(await runScenario(files['expired-history.json']!, runOptions(s)), {
    setupError: 'card c: wrong PIN 1 was answered 101, not wrongPin',
  });
  t.match(await runScenario(files['too-many-contactless.json']!, runOptions(s)), {
    setupError: 'card c: contactless payment 6 was answered 123, not approved',
  });
  const port = await closedPort();
  const unreachable = await runScenario(files['ok.json']!, runOptions(s, { admin: `http://127.0.0.1:${port}` }));
  t.equal(unreachable.setupError, `admin API http://127.0.0.1:${port} cannot be reached (ECONNREFUSED)`);
  t.equal(
    (await runScenario(files['ok.json']!, runOptions(s, { admin: 'http://127.0.0.1:1' }))).setupError,
    'admin API http://127.0.0.1:1 cannot be reached (bad port)',
  );
});

t.test('what the options must give: tokens, listeners for other dialects (nothing runs)', async (t) => {
  const base = scenario([{ name: 'x', fault: { kind: 'close' }, purchase: { card: 'c', amount: '1.00' } }], {
    terminals: { pos: { kind: 'chip', terminalId: 'TEST0001', dialect: 'iso87ascii' } },
  }) as unknown as Scenario;
  const o = { port: 1, admin: 'http://127.0.0.1:1' };
  t.same(runProblems(base, o), [
    'needs an issuer token (--issuer-token): it registers cards through the issuer API',
    'needs a vendor token (--vendor-token): /steps/0 sets a fault rule or checks postings or notices',
    '/terminals/pos/dialect: no listener speaking iso87ascii was given (--listener iso87ascii=PORT)',
  ]);
  t.same(runProblems(base, { ...o, issuerToken: 'i', vendorToken: 'v', dialect: 'iso87ascii' }), []);
  const reports = {
    ...base,
    steps: [
      { name: 'r', report: { card: 'c', reason: 'lost' }, expect: { notices: [] } },
      { name: 'a', admin: { action: 'unblock', card: 'c' }, expect: { notices: [] } },
    ],
  } as unknown as Scenario;
  t.same(
    runProblems(reports, { ...o, issuerToken: 'i', dialect: 'iso87ascii' }),
    ['needs a block service token (--block-service-token): /steps/0 reports a card at the block service'],
    "a report needs the block service's token; the notices of a report or an issuer action no vendor token",
  );
  t.same(runProblems(reports, { ...o, issuerToken: 'i', blockServiceToken: 'b', dialect: 'iso87ascii' }), []);
  const fetches = { ...base, cards: {}, steps: [{ name: 'f', fetchBlockList: true }] } as unknown as Scenario;
  t.same(runProblems(fetches, { ...o, dialect: 'iso87ascii' }), [
    'needs an offline terminals token (--offline-terminals-token): /steps/0 fetches the offline block list',
  ]);
  t.same(runProblems(fetches, { ...o, offlineTerminalsToken: 'ot', dialect: 'iso87ascii' }), []);
  t.same(
    runProblems({ ...base, cards: { c: { status: 'notRegistered' } }, steps: [{ name: 'e', echo: true }] }, o),
    ['/terminals/pos/dialect: no listener speaking iso87ascii was given (--listener iso87ascii=PORT)'],
    'no card to register: no issuer token needed',
  );
  const files = scenarioFiles(t, { 'x.json': base });
  const e = await runScenario(files['x.json']!, o).then(
    () => undefined,
    (err: unknown) => err,
  );
  t.ok(e instanceof ScenarioError, 'a ScenarioError');
  t.match(e, { file: files['x.json'], message: /x\.json: needs an issuer token/ });
});

t.test(
  'helpers: amounts, fresh PANs, wrong PINs, MTIs of either version, one-to-one matching, substitution',
  async (t) => {
    t.equal(ore('125.5'), 12550);
    t.equal(ore('0.01'), 1);
    t.equal(ore('7'), 700);
    t.equal(kroner(12550), '125.50 DKK');
    t.equal(kroner(-5), '-0.05 DKK');
    for (let i = 0; i < 50; i++) {
      const pan = freshPan();
      t.ok(/^5019\d{12}$/.test(pan) && luhnValid(pan), 'a 16-digit Luhn-valid PAN');
    }
    t.equal(wrongPin('1234'), '1235');
    t.equal(wrongPin('0629'), '0620');
    const d93 = dialect('iso93ascii');
    const d87 = dialect('iso87ascii');
    t.same(
      [
        concreteMti('x200', d93),
        concreteMti('x200', d87),
        concreteMti('x804', d87),
        concreteMti('x814', d87),
        concreteMti('x804', d93),
        concreteMti('1220', d87),
      ],
      ['1200', '0200', '0800', '0810', '1804', '1220'],
    );
    t.ok(mtiMatches('x420', '0420', d87));
    t.notOk(mtiMatches('x420', '1420', d87));
    // The first expected item fits both actual ones; only placing it on the second leaves a place for the other.
    t.ok(
      oneToOne([{ any: true }, { a: 1 }], [1, 2], (e: { any?: boolean; a?: number }, a) => e.any === true || e.a === a),
    );
    t.notOk(oneToOne([{ a: 1 }, { a: 1 }], [1, 2], (e: { a: number }, a) => e.a === a));
    t.notOk(oneToOne([], [1], () => true));
    const vars = new Map<string, string | undefined>([
      ['a', 'A'],
      ['none', undefined],
    ]);
    t.same(substitute({ x: ['${a}-${a}', 3, true, null], y: 'plain' }, vars), {
      x: ['A-A', 3, true, null],
      y: 'plain',
    });
    t.throws(() => substitute('${none}', vars), {
      message: '${none} has no value (the step that saves it did not produce it)',
    });
    t.throws(() => substitute('${other}', vars), { message: '${other} has no value' });
  },
);
