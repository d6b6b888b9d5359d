/**
 * Scenario files that cannot be run: every problem is named with the file and the JSON path,
 * from the JSON Schema (terminals/scenario/scenario.schema.json) and from the checks a schema
 * cannot make (references, variables, what a terminal kind can do). No switch is needed.
 */
import t from 'tap';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ACTION_CODES } from '../../src/messages/action-codes.js';
import { FAULT_KINDS } from '../../src/faults/rule.js';
import { BLOCK_REASONS, HOLDER_REASONS } from '../../src/card/block-history.js';
import { NOTICE_TYPES } from '../../src/notices/notice-relay.js';
import { TERMINAL_KINDS } from '../../terminals/index.js';
import { SCENARIO_SCHEMA, ScenarioError, loadScenario, parseScenario } from '../../terminals/scenario/scenario.js';

/** The problems of a scenario (as JSON), without the file name. */
function problems(value: unknown): string[] {
  try {
    parseScenario('x.json', typeof value === 'string' ? value : JSON.stringify(value));
  } catch (e) {
    if (!(e instanceof ScenarioError)) throw e;
    t.equal(e.file, 'x.json');
    t.equal(e.message, e.problems.map((p) => `x.json: ${p}`).join('\n'), 'the message names the file in every line');
    return e.problems;
  }
  return [];
}

const base = (more: Record<string, unknown> = {}) => ({
  name: 'n',
  rule: 'r',
  terminals: { pos: { kind: 'chip', terminalId: 'T1' } },
  cards: { c: {} },
  steps: [{ name: 's', echo: true }],
  ...more,
});

t.test('a valid scenario has no problems; the shipped ones are valid', async (t) => {
  t.same(problems(base()), []);
  for (const f of readdirSync('scenarios').filter((n) => n.endsWith('.json'))) {
    t.doesNotThrow(() => loadScenario(join('scenarios', f)), f);
    const json = JSON.parse(readFileSync(join('scenarios', f), 'utf8')) as { $schema: string };
    t.equal(json.$schema, '../terminals/scenario/scenario.schema.json', `${f} names the schema for editors`);
  }
});

t.test('not JSON, not readable, not an object', async (t) => {
  t.match(problems('{"name": '), [/^not valid JSON: /]);
  t.same(problems([]), [
    '/ must be a scenario: a JSON object with name, rule, terminals, cards and steps (docs/SCENARIOS.md)',
  ]);
  t.throws(() => loadScenario('no/such/file.json'), {
    name: 'ScenarioError',
    message: 'no/such/file.json: cannot be read (ENOENT)',
  });
});

t.test('schema problems: every one at once, each with its JSON path and what the value must be', async (t) => {
  t.same(problems({ rule: 'r', terminals: {}, steps: [], colour: 'red', 5019000000000016: 1 }), [
    '/name is required',
    '/colour is not allowed',
    '/5019000000000016 is not allowed',
    '/terminals must be an object naming each terminal the scenario uses (at least one)',
    '/steps must be a list of at most 200 steps, at least one',
  ]);
  t.same(
    problems(
      base({
        terminals: {
          '1pos': { kind: 'chip', terminalId: 'T1' },
          pos: { kind: 'toaster', terminalId: 'TOOLONGID', dialect: 'iso99', answerTimeoutMs: 0, pinKey: 'ab' },
        },
        cards: {
          'c d': {},
          c: {
            balance: '10,00',
            pin: '12',
            expiry: '3013',
            status: 'gone',
            wrongPins: 4,
            contactless: { payments: 1 },
          },
        },
      }),
    ),
    [
      '/terminals/1pos (a name): must be a name: a letter, then up to 31 letters, digits, _ or -',
      '/terminals/pos/kind must be one of dkt1, dkt1plus, oem, chip, contactless, fuel, ticket, gateway, atm',
      '/terminals/pos/terminalId must be a terminal id (field 41): 1 to 8 printable ASCII characters, no trailing space',
      '/terminals/pos/dialect must be one of iso93ascii, iso87ascii, iso93binary',
      '/terminals/pos/answerTimeoutMs must be a whole number of milliseconds from 1 to 120000',
      '/terminals/pos/pinKey must be a triple DES PIN key: 32 or 48 hex digits',
      '/cards/c d (a name): must be a name: a letter, then up to 31 letters, digits, _ or -',
      '/cards/c/status must be one of active, registered (not activated), deleted, notRegistered',
      '/cards/c/balance must be an amount in DKK as a string, at most two decimals, e.g. "125.50"',
      '/cards/c/pin must be a PIN: 4 to 12 digits',
      '/cards/c/expiry must be an expiry YYMM, month 01 to 12',
      '/cards/c/wrongPins must be the wrong PINs in a row already made: 1 to 3 (3 PIN-blocks the card)',
      '/cards/c/contactless/amount is required',
    ],
  );
  t.same(
    problems(
      base({
        steps: [
          { name: 's', echo: true, signOn: true },
          { name: 't' },
          { name: 'u', signOn: false, fault: { kind: 'noAnswer', times: 0, mti: '1210' } },
          {
            name: 'v',
            purchase: { card: 'c', amount: '1', pin: 'secret', magstripe: 'yes' },
            save: { '1x': 'txn', ok: 'pan' },
          },
          { name: 'w', retransmit: { step: 's', set: { 0: 'x', 4: 5 } } },
          {
            name: 'x',
            echo: true,
            expect: {
              outcome: 'fine',
              answer: { present: [0] },
              exchanges: 'x',
              postings: [{ kind: 1 }],
              notices: [{ tries: 4 }],
              cardState: { c: { block: 'x' } },
              status: 42,
            },
          },
        ],
      }),
    ),
    [
      '/steps/0 must do exactly one of purchase, remote, refund, fuel, withdraw, signOn, echo, sendPendingReversals, fetchBlockList, uploadAdvices, retransmit, wait, admin, report',
      '/steps/1 must do exactly one of purchase, remote, refund, fuel, withdraw, signOn, echo, sendPendingReversals, fetchBlockList, uploadAdvices, retransmit, wait, admin, report',
      '/steps/2/signOn must be true',
      '/steps/2/fault/mti must be a request MTI: 4 digits, the third even, the first may be x (either version)',
      '/steps/2/fault/times must be a whole number from 1 to 1000000, or "always"',
      "/steps/3/purchase/pin must be right (the card's PIN), wrong (the card's PIN with its last digit moved up by one) or 4 to 12 digits",
      '/steps/3/purchase/magstripe must be true or false',
      '/steps/3/save/1x (a name): must be a variable name: a letter or _, then up to 31 letters, digits or _',
      '/steps/3/save/ok must be one of stan, localTime, txn, approvalCode, actionCode, reference, series',
      '/steps/4/retransmit/set/0 (a name): must be a field number from 1 to 128',
      '/steps/4/retransmit/set/4 must be a text value of at most 999 characters',
      '/steps/5/expect/outcome must be an outcome of the action code table (src/messages/action-codes.ts), e.g. approved, wrongPin, pinTriesExceeded',
      '/steps/5/expect/exchanges must be the request MTIs the step sent, in order',
      '/steps/5/expect/answer/present/0 must be a field number from 1 to 128',
      '/steps/5/expect/postings/0/kind is not allowed',
      '/steps/5/expect/notices/0/tries must be a whole number from 1 to 3',
      '/steps/5/expect/cardState/c/block must be null or one of lost, stolen, pinKnown, misused, copied, suspected, fraud, issuer',
      '/steps/5/expect/status must be an HTTP status (admin and report steps), e.g. 200 or 409',
    ],
  );
  t.same(
    problems(
      base({
        steps: [
          { name: 'a', report: { reason: 'fraud', reportedAt: '2026-13-01T10:00:00Z', statement: '', colour: 1 } },
          { name: 'b', report: { card: 'c', reason: 'lost', reportedAt: '2026-03-01 10:00' } },
          { name: 'c', purchase: { card: 'c', amount: '1.00', clockOffsetMs: 1.5 } },
          { name: 'd', purchase: { card: 'c', amount: '1.00', clockOffsetMs: -86_400_001 } },
          {
            name: 'e',
            echo: true,
            expect: {
              postings: [{ cardStatus: 'blocked' }, { cardStatus: 'blocked:gone' }],
              notices: [{ type: 'lifted', reason: 'gone', reference: '' }],
              body: { present: ['a..b'], absent: 'x', fields: { 'block.reason': { nested: true }, '1x': 1 }, other: 1 },
            },
          },
        ],
      }),
    ),
    [
      '/steps/0/report/card is required',
      '/steps/0/report/colour is not allowed',
      '/steps/0/report/reason must be one of lost, stolen, pinKnown, misused, copied, suspected (the reasons a holder gives)',
      '/steps/0/report/statement must be text of 1 to 2000 characters',
      '/steps/0/report/reportedAt must be when the holder called: an ISO 8601 time with an offset, e.g. "2026-03-01T14:05:00+01:00" (not in the future)',
      '/steps/1/report/reportedAt must be when the holder called: an ISO 8601 time with an offset, e.g. "2026-03-01T14:05:00+01:00" (not in the future)',
      "/steps/2/purchase/clockOffsetMs must be the terminal clock's offset for this purchase: whole milliseconds from -86400000 to 86400000 (negative: behind)",
      "/steps/3/purchase/clockOffsetMs must be the terminal clock's offset for this purchase: whole milliseconds from -86400000 to 86400000 (negative: behind)",
      "/steps/4/expect/postings/0/cardStatus must be the card's status at the purchase time: active, deleted or blocked:<reason> (e.g. blocked:lost)",
      "/steps/4/expect/postings/1/cardStatus must be the card's status at the purchase time: active, deleted or blocked:<reason> (e.g. blocked:lost)",
      '/steps/4/expect/notices/0/type must be one of wrongPin, pinBlocked, blockRegistered, monitoringBlock, reportOnBlockedCard, blockLifted, cardDeleted, offlineOnBlockedCard, cryptogramFailure, disputeRepresented, disputeDecided',
      '/steps/4/expect/notices/0/reason must be one of lost, stolen, pinKnown, misused, copied, suspected, fraud, issuer',
      '/steps/4/expect/notices/0/reference must be a block service reference number (10 digits) or a ${variable}',
      '/steps/4/expect/body/other is not allowed',
      '/steps/4/expect/body/present/0 must be a name in the answer, or a dotted path to one (block.reason)',
      '/steps/4/expect/body/absent must be a list of names in the answer (dotted paths allowed)',
      '/steps/4/expect/body/fields/1x (a name): must be a name in the answer, or a dotted path to one (block.reason)',
      '/steps/4/expect/body/fields/block.reason must be text, a number, true, false or null',
    ],
  );
});

t.test('what a schema cannot check: references, step names, terminals, kinds, variables', async (t) => {
  const terminals = {
    pos: { kind: 'chip', terminalId: 'T1' },
    pump: { kind: 'fuel', terminalId: 'P1' },
    ctls: { kind: 'contactless', terminalId: 'C1' },
  };
  t.same(
    problems(
      base({
        terminals,
        cards: {
          c: {},
          reg: { status: 'registered', wrongPins: 1 },
          blk: { block: 'lost', contactless: { payments: 1, amount: '1.00' } },
          stmt: { blockStatement: 'said' },
          none: { status: 'notRegistered', balance: '1.00' },
        },
        steps: [
          { name: 'a', terminal: 'pos', purchase: { card: 'nope', amount: '1.00' } },
          { name: 'a', echo: true },
          { name: 'b', terminal: 'atm', echo: true },
          { name: 'c', terminal: 'pos', fuel: { card: 'c', pin: 'right', maximum: '2.00', pumped: '1.00' } },
          { name: 'd', terminal: 'pump', purchase: { card: 'c', amount: '1.00' } },
          { name: 'e', terminal: 'pump', refund: { card: 'nope', amount: '1.00' } },
          { name: 'f', terminal: 'ctls', purchase: { card: 'c', amount: '1.00', rejectSignature: true } },
          { name: 'g', terminal: 'pos', purchase: { card: 'c', amount: '1.00', pin: 'right', rejectSignature: true } },
          {
            name: 'h',
            terminal: 'pos',
            wait: 5,
            fault: { kind: 'close' },
            save: { x: 'txn' },
            expect: { outcome: 'approved', status: 200 },
          },
          { name: 'i', terminal: 'pos', retransmit: { step: 'later' } },
          { name: 'j', retransmit: { step: 'h' } },
          {
            name: 'k',
            terminal: 'pos',
            echo: true,
            expect: { outcome: 'approved', actionCode: '000', status: 200 },
            save: { y: 'txn' },
          },
          { name: 'later', terminal: 'pos', signOn: true },
          { name: 'l', admin: { action: 'block', card: 'c' } },
          { name: 'm', admin: { action: 'unblock', card: 'c', reason: 'lost', statement: 's', balance: '1.00' } },
          { name: 'n', admin: { action: 'setBalance', card: 'none' } },
          {
            name: 'o',
            admin: { action: 'delete', card: 'nope' },
            expect: { postings: [{ card: 'nope' }], notices: [{ card: 'nope' }], cardState: { nope: {}, none: {} } },
          },
          { name: 'p', fuel: { card: 'c', pin: 'right', maximum: '2.00', pumped: '1.00' } },
          { name: 'q', terminal: 'pos', echo: true, fault: { kind: 'delay', code: '909' } },
          { name: 'r', terminal: 'pos', echo: true, fault: { kind: 'actionCode', ms: 5 } },
        ],
      }),
    ),
    [
      '/cards/reg: wrongPins and contactless are made with real transactions: the card must be active and not blocked',
      '/cards/blk: wrongPins and contactless are made with real transactions: the card must be active and not blocked',
      '/cards/stmt/blockStatement: only with block',
      '/cards/none: a card that is not registered has only status, pin and expiry',
      '/steps/0/purchase/card: no card named "nope" in /cards',
      '/steps/1/name: "a" is the name of step 1 too',
      '/steps/1/terminal is required: the scenario has 3 terminals',
      '/steps/2/terminal: no terminal named "atm" in /terminals',
      '/steps/3/fuel: only a fuel terminal sells fuel (pos is chip)',
      '/steps/4/purchase: a fuel pump only sells fuel',
      '/steps/5/refund/card: no card named "nope" in /cards',
      '/steps/5/refund: a fuel pump only sells fuel',
      "/steps/6/purchase/rejectSignature: only for a chip terminal's signature purchase (no PIN)",
      "/steps/7/purchase/rejectSignature: only for a chip terminal's signature purchase (no PIN)",
      '/steps/8/terminal: a wait step uses no terminal',
      "/steps/8/fault: only before a terminal's action",
      '/steps/8/expect/outcome: a wait step sends nothing to the switch',
      '/steps/8/expect/status: only for admin and report steps',
      '/steps/8/save/x: a wait step has no txn',
      "/steps/9/terminal: a retransmit step uses its original's terminal",
      '/steps/9/retransmit/step: no earlier step named "later"',
      '/steps/10/retransmit/step: step "h" sent nothing',
      '/steps/11/expect: outcome or actionCode, not both',
      '/steps/11/expect/status: only for admin and report steps',
      '/steps/11/save/y: an echo step makes no transaction (it has no txn)',
      '/steps/13/admin/reason: is required to block',
      '/steps/14/admin/reason: only to block',
      '/steps/14/admin/statement: only to block',
      '/steps/14/admin/balance: only with setBalance',
      '/steps/15/admin/card: the card is not registered: the issuer API cannot reach it',
      '/steps/15/admin/balance: is required by setBalance',
      '/steps/16/admin/card: no card named "nope" in /cards',
      '/steps/16/expect/postings/0/card: no card named "nope" in /cards',
      '/steps/16/expect/notices/0/card: no card named "nope" in /cards',
      '/steps/16/expect/cardState/nope: no card named "nope" in /cards',
      '/steps/16/expect/cardState/none: the card is not registered: it has no state',
      '/steps/17/terminal is required: the scenario has 3 terminals',
      '/steps/18/fault/ms: is required by kind delay',
      '/steps/18/fault/code: only with kind actionCode',
      '/steps/19/fault/ms: only with kind delay',
      '/steps/19/fault/code: is required by kind actionCode',
    ],
  );
});

t.test('withdraw steps: only at an ATM, which pays out only cash, and never more than the amount', async (t) => {
  t.same(
    problems(
      base({
        terminals: { pos: { kind: 'chip', terminalId: 'T1' }, cash: { kind: 'atm', terminalId: 'ATM00001' } },
        steps: [
          { name: 'a', terminal: 'cash', withdraw: { card: 'c', amount: '100.00', pin: 'right', dispensed: '40.00' } },
          { name: 'b', terminal: 'pos', withdraw: { card: 'c', amount: '100.00', pin: 'right' } },
          { name: 'c', terminal: 'cash', purchase: { card: 'c', amount: '1.00' } },
          { name: 'd', terminal: 'cash', refund: { card: 'c', amount: '1.00' } },
          { name: 'e', terminal: 'cash', withdraw: { card: 'nope', amount: '1.00', pin: '1234', dispensed: '1.01' } },
        ],
      }),
    ),
    [
      '/steps/1/withdraw: only an ATM pays out cash (pos is chip)',
      '/steps/2/purchase: an ATM only pays out cash (withdraw)',
      '/steps/3/refund: an ATM only pays out cash (withdraw)',
      '/steps/4/withdraw/card: no card named "nope" in /cards',
      '/steps/4/withdraw/dispensed: more than the amount',
    ],
  );
  t.same(
    problems(
      base({
        terminals: { cash: { kind: 'atm', terminalId: 'ATM00001' } },
        steps: [{ name: 'a', withdraw: { card: 'c', amount: '1.00' } }],
      }),
    ),
    ['/steps/0/withdraw/pin is required'],
  );
});

t.test(
  'report steps: a card of the scenario, registered or not; body and status for admin and report steps only',
  async (t) => {
    t.same(
      problems(
        base({
          cards: { c: {}, none: { status: 'notRegistered' } },
          steps: [
            { name: 'a', report: { card: 'nope', reason: 'lost' } },
            {
              name: 'b',
              report: { card: 'none', reason: 'stolen', reportedAt: '2026-03-01T14:05:00+01:00' },
              expect: { status: 404, body: { fields: { error: 'no card matches every number given' } } },
            },
            {
              name: 'c',
              terminal: 'pos',
              report: { card: 'c', reason: 'lost' },
              fault: { kind: 'close' },
              expect: { outcome: 'approved', postings: [] },
              save: { t: 'txn' },
            },
            {
              name: 'd',
              admin: { action: 'unblock', card: 'c' },
              expect: { status: 200, body: { present: ['card'] } },
            },
            { name: 'e', echo: true, expect: { body: { present: ['x'] } } },
          ],
        }),
      ),
      [
        '/steps/0/report/card: no card named "nope" in /cards',
        '/steps/2/terminal: a report step uses no terminal',
        "/steps/2/fault: only before a terminal's action",
        '/steps/2/expect/outcome: a report step sends nothing to the switch',
        '/steps/2/save/t: a report step has no txn',
        '/steps/4/expect/body: only for admin and report steps',
      ],
    );
  },
);

t.test(
  "variables: saved by an earlier step before use; this.* only in a step's own expectations, of a transaction",
  async (t) => {
    t.same(
      problems(
        base({
          steps: [
            {
              name: 'a',
              purchase: { card: 'c', amount: '1.00', pin: '${pin}' },
              expect: {
                approvalCode: '${later}',
                actionCode: '${this.actionCode}',
                postings: [{ txn: '${this.txn}' }],
              },
              save: { later: 'approvalCode' },
            },
            {
              name: 'b',
              echo: true,
              expect: {
                approvalCode: '${this.approvalCode}',
                actionCode: '${this.actionCode}',
                answer: { fields: { 11: '${this.bogus}' } },
              },
            },
            {
              name: 'c',
              purchase: { card: 'c', amount: '1.00' },
              expect: { approvalCode: '${later}', answer: { fields: { 11: '${this.stan}', 12: '${this.localTime}' } } },
            },
            {
              name: 'd',
              retransmit: { step: 'a', set: { 4: '${later}' } },
              expect: { approvalCode: '${this.approvalCode}' },
            },
          ],
        }),
      ),
      [
        "/steps/0/purchase/pin must be right (the card's PIN), wrong (the card's PIN with its last digit moved up by one) or 4 to 12 digits",
      ],
      'a variable cannot stand for a PIN (its pattern refuses it)',
    );
    t.same(
      problems(
        base({
          steps: [
            {
              name: 'a',
              purchase: { card: 'c', amount: '1.00' },
              expect: { approvalCode: '${later}', postings: [{ txn: '${this.txn}' }] },
              save: { later: 'approvalCode' },
            },
            {
              name: 'b',
              echo: true,
              expect: {
                approvalCode: '${this.approvalCode}',
                actionCode: '${this.actionCode}',
                answer: { fields: { 11: '${this.bogus}' } },
              },
            },
            {
              name: 'c',
              retransmit: { step: 'a', set: { 4: '${later}', 11: '${nowhere}' } },
              expect: { approvalCode: '${this.approvalCode}' },
            },
          ],
        }),
      ),
      [
        '/steps/0/expect/approvalCode: ${later} is not saved by an earlier step',
        '/steps/1/expect/approvalCode: ${this.approvalCode}: an echo step makes no transaction',
        '/steps/1/expect/answer/fields/11: ${this.bogus}: this. is followed by one of stan, localTime, txn, approvalCode, actionCode, reference',
        '/steps/2/retransmit/set/11: ${nowhere} is not saved by an earlier step',
      ],
    );
    t.same(
      problems(
        base({
          steps: [
            {
              name: 'a',
              report: { card: 'c', reason: 'lost' },
              expect: {
                notices: [{ reference: '${this.reference}' }],
                body: { fields: { reference: '${this.reference}' } },
              },
              save: { ref: 'reference' },
            },
            {
              name: 'b',
              purchase: { card: 'c', amount: '1.00' },
              expect: { notices: [{ reference: '${this.reference}' }, { reference: '${ref}' }] },
              save: { r: 'reference' },
            },
            { name: 'c', admin: { action: 'unblock', card: 'c' }, save: { r2: 'reference' } },
            { name: 'd', report: { card: 'c', reason: 'lost' }, expect: { body: { fields: { x: '${this.txn}' } } } },
          ],
        }),
      ),
      [
        '/steps/1/expect/notices/0/reference: ${this.reference}: only a report step has a reference',
        '/steps/1/save/r: a purchase step has no reference (a report step has)',
        '/steps/2/save/r2: an admin step has no reference (a report step has)',
        '/steps/3/expect/body/fields/x: ${this.txn}: a report step makes no transaction',
      ],
      'a reference: saved and used as this.reference by a report step only',
    );
  },
);

t.test(
  "the schema: its outcomes are the action code table's, its fault kinds and terminal kinds the code's; every node that can fail has a description",
  async (t) => {
    const defs = (SCENARIO_SCHEMA as { definitions: Record<string, Record<string, unknown>> }).definitions;
    t.same(defs.outcome!.enum, Object.keys(ACTION_CODES));
    const step = defs.step as { properties: Record<string, { properties: Record<string, { enum: unknown }> }> };
    t.same(step.properties.fault!.properties.kind!.enum, FAULT_KINDS);
    t.same((defs.terminal as { properties: { kind: { enum: unknown } } }).properties.kind.enum, TERMINAL_KINDS);
    t.same(step.properties.report!.properties.reason!.enum, HOLDER_REASONS, "a report's reasons: the block service's");
    const expect = defs.expect as {
      properties: Record<string, { items: { properties: Record<string, { enum?: unknown; pattern?: string }> } }>;
    };
    const notice = expect.properties.notices!.items.properties;
    t.same(notice.type!.enum, NOTICE_TYPES, "a notice's types: the switch's");
    t.same(notice.reason!.enum, BLOCK_REASONS);
    t.equal(
      expect.properties.postings!.items.properties.cardStatus!.pattern,
      `^(active|deleted|blocked:(${BLOCK_REASONS.join('|')}))$`,
      "a posting's card status: active, deleted or blocked with a block reason",
    );
    const VALIDATING = [
      'type',
      'pattern',
      'enum',
      'const',
      'minimum',
      'maximum',
      'minLength',
      'maxLength',
      'minItems',
      'maxItems',
      'minProperties',
      'oneOf',
      'anyOf',
    ];
    const missing: string[] = [];
    const walk = (node: unknown, path: string, inBranch: boolean): void => {
      if (Array.isArray(node)) return node.forEach((n, i) => walk(n, `${path}/${i}`, inBranch));
      if (node === null || typeof node !== 'object') return;
      const o = node as Record<string, unknown>;
      const validates = VALIDATING.some((k) => k in o);
      if (validates && !inBranch && typeof o.description !== 'string') missing.push(path);
      for (const [k, v] of Object.entries(o)) {
        if (k === 'enum' || k === 'const' || k === 'required') continue;
        // Maps of names to schemas: each schema is a node, the map is not.
        if (k === 'properties' || k === 'definitions') {
          for (const [name, sub] of Object.entries(v as Record<string, unknown>))
            walk(sub, `${path}/${k}/${name}`, false);
          continue;
        }
        // The branches of a oneOf / anyOf are reported by the oneOf / anyOf's own description.
        walk(v, `${path}/${k}`, k === 'oneOf' || k === 'anyOf');
      }
    };
    walk(SCENARIO_SCHEMA, '#', false);
    t.same(missing, [], 'every node that validates has a description');
  },
);

t.test('the offline mode: only on a fuel pump; fetchBlockList and uploadAdvices only with it', async (t) => {
  t.same(
    problems(
      base({
        terminals: {
          pos: { kind: 'chip', terminalId: 'TERM0001', offline: { floorLimit: '300.00' } },
          pump: { kind: 'fuel', terminalId: 'FUEL0001' },
          offline: { kind: 'fuel', terminalId: 'FUEL0002', offline: { floorLimit: '300.00' } },
        },
        steps: [
          { name: 'f', terminal: 'pump', fetchBlockList: true },
          { name: 'u', terminal: 'pump', uploadAdvices: true },
          { name: 'ok', terminal: 'offline', uploadAdvices: true, expect: { pendingAdvices: 0, offline: false } },
          { name: 'w', wait: 1, expect: { offline: true } },
        ],
      }),
    ),
    [
      '/terminals/pos/offline: only a fuel or ticket terminal has an offline mode',
      '/steps/0/fetchBlockList: pump has no offline mode (/terminals/pump/offline)',
      '/steps/1/uploadAdvices: pump has no offline mode (/terminals/pump/offline)',
      '/steps/3/expect/offline: a wait step sends nothing to the switch',
    ],
  );
});

t.test('a ticket machine sells from the chip without a PIN, and makes no refunds', async (t) => {
  const ticket = (steps: unknown[]) =>
    problems(base({ terminals: { park: { kind: 'ticket', terminalId: 'PARK0001' } }, steps }));
  t.same(ticket([{ name: 'a', purchase: { card: 'c', amount: '45.00' } }]), []);
  t.same(
    ticket([
      { name: 'a', purchase: { card: 'c', amount: '45.00', pin: 'right' } },
      { name: 'b', purchase: { card: 'c', amount: '45.00', magstripe: true } },
      { name: 'c', refund: { card: 'c', amount: '45.00' } },
    ]),
    [
      '/steps/0/purchase: a ticket machine sells from the chip without a PIN, and makes no refunds',
      '/steps/1/purchase: a ticket machine sells from the chip without a PIN, and makes no refunds',
      '/steps/2/refund: a ticket machine sells from the chip without a PIN, and makes no refunds',
    ],
  );
});

t.test(
  'remote steps: a gateway only, a series started or named, capture with dual; series saved only from a first',
  async (t) => {
    const gateway = { shop: { kind: 'gateway', terminalId: 'WEB1' }, pos: { kind: 'chip', terminalId: 'T1' } };
    t.same(
      problems(
        base({
          terminals: gateway,
          steps: [
            {
              name: 'a',
              terminal: 'shop',
              remote: { card: 'c', amount: '1.00', startSeries: true, cvc: 'wrong', expiry: 'none', dual: true },
              save: { s: 'series' },
            },
            {
              name: 'b',
              terminal: 'shop',
              remote: { card: 'c', amount: '1.00', series: '${s}', authentication: 'mitId' },
            },
            { name: 'c', terminal: 'pos', remote: { card: 'c', amount: '1.00' } },
            { name: 'd', terminal: 'shop', remote: { card: 'c', amount: '1.00', series: 'x', startSeries: true } },
            {
              name: 'e',
              terminal: 'shop',
              remote: { card: 'c', amount: '1.00', capture: '0.50' },
              save: { t: 'series' },
            },
            { name: 'f', terminal: 'shop', purchase: { card: 'c', amount: '1.00' } },
            { name: 'g', terminal: 'shop', remote: { card: 'x', amount: '1.00', cvc: '12', channel: 'atm' } },
          ],
        }),
      ),
      [
        '/steps/6/remote/channel must be one of internet, mailOrder, phoneOrder',
        "/steps/6/remote/cvc must be right (the card's CVC, the default), wrong, none or 3 digits",
      ],
      'the schema first',
    );
    t.same(
      problems(
        base({
          terminals: gateway,
          steps: [
            { name: 'c', terminal: 'pos', remote: { card: 'c', amount: '1.00' } },
            { name: 'd', terminal: 'shop', remote: { card: 'c', amount: '1.00', series: 'x', startSeries: true } },
            {
              name: 'e',
              terminal: 'shop',
              remote: { card: 'c', amount: '1.00', capture: '0.50' },
              save: { t: 'series' },
            },
            { name: 'f', terminal: 'shop', purchase: { card: 'c', amount: '1.00' } },
            { name: 'g', terminal: 'shop', echo: true, save: { u: 'series' } },
          ],
        }),
      ),
      [
        '/steps/0/remote: only a gateway makes remote purchases (pos is chip)',
        '/steps/1/remote/series: a payment starts a series or belongs to one, not both',
        '/steps/2/remote/capture: only with dual',
        '/steps/2/save/t: only a remote step that starts a series has one',
        '/steps/3/purchase: a gateway sells by remote purchase (the remote action)',
        '/steps/4/save/u: only a remote step that starts a series has one',
      ],
    );
  },
);
