/**
 * checkReturn (pure) for each of the 13 reasons: allowed and each of its refusals, with the
 * boundaries of the seed (001 §29-44): late settlement 9 vs 10 calendar days (33 vs 34 for
 * internet payments), 9 vs 10 bank days for PIN, the payment guarantee per kind, the nota's
 * states, the holder's reasons for remote sales after contacting the merchant.
 */
import t, { type Test } from 'tap';
import { type CheckResult, checkReturn } from '../../src/disputes/dispute-rules.js';
import { DISPUTE_REASONS, DISPUTE_REASON_CODES, type DisputeReason } from '../../src/disputes/reasons.js';
import type { NotaStatus } from '../../src/disputes/dispute-rules.js';
import type { JournalPosting } from '../../src/journal/posting.js';
import { GUARANTEES, KIND, at, input, posting } from './fixtures.js';

function allowed(t: Test, r: CheckResult, max: number, msg = 'allowed'): void {
  t.match(r, { allowed: true, max }, msg);
}

function refused(t: Test, r: CheckResult, refusal: string, msg = refusal): void {
  t.match(r, { allowed: false, refusal }, msg);
  if (!r.allowed) t.ok(r.why.length > 0, 'says why');
}

/** A posting of a kind of transaction (KIND) of `amount` øre. */
const of = (kind: keyof typeof KIND, amount = 200_000, more: Partial<JournalPosting> = {}): JournalPosting =>
  posting({ ...KIND[kind], amount, originalAmount: amount, ...more });

/** Received at this local time (YYMMDDhhmmss, Copenhagen). */
const received = (localTime: string): Partial<JournalPosting> => ({ receivedAt: at(localTime) });

const PIN_KINDS = ['chipPin', 'magstripePin', 'contactless', 'noVerification'] as const;
const ALL_KINDS = [...PIN_KINDS, 'signature', 'internet'] as const;
const KIND_NAME = { internet: 'remote' } as Record<string, string>;
const guaranteeOf = (kind: (typeof ALL_KINDS)[number]): number =>
  GUARANTEES[(KIND_NAME[kind] ?? kind) as keyof typeof GUARANTEES];

const tested = new Set<DisputeReason>();
const reason = (r: DisputeReason): DisputeReason => (tested.add(r), r);

t.test('only purchases: a withdrawal, a refund or a reversal cannot be disputed under any reason', async (t) => {
  for (const r of DISPUTE_REASON_CODES)
    for (const type of ['withdrawal', 'refund', 'reversal', 'fee'] as const)
      refused(t, checkReturn(input(r, posting({ type }))), 'notDisputable', `${r} of a ${type}`);
});

t.test('what the transaction still has: reversed, refunded, returned already', async (t) => {
  const p = of('internet');
  const r = reason('thirdPartyRemote');
  allowed(t, checkReturn(input(r, p)), 200_000, 'the whole amount');
  refused(t, checkReturn(input(r, p, { facts: { reversed: 200_000, refunded: 0, identicalBefore: 0 } })), 'reversed');
  allowed(t, checkReturn(input(r, p, { facts: { reversed: 50_000, refunded: 0, identicalBefore: 0 } })), 150_000);
  refused(t, checkReturn(input(r, p, { facts: { reversed: 0, refunded: 200_000, identicalBefore: 0 } })), 'refunded');
  refused(
    t,
    checkReturn(input(r, p, { facts: { reversed: 150_000, refunded: 50_000, identicalBefore: 0 } })),
    'refunded',
    'reversed in part and the rest refunded',
  );
  allowed(t, checkReturn(input(r, p, { facts: { reversed: 0, refunded: 30_000, identicalBefore: 0 } })), 170_000);
  allowed(t, checkReturn(input(r, p, { returned: 199_999 })), 1, 'one øre left');
  refused(t, checkReturn(input(r, p, { returned: 200_000 })), 'returnedAlready');
  refused(
    t,
    checkReturn(input(r, p, { returned: 150_000, facts: { reversed: 0, refunded: 50_000, identicalBefore: 0 } })),
    'returnedAlready',
    'returned and refunded make the whole',
  );
});

t.test('insufficientFunds: the part over the guarantee not covered, per kind (001 §34)', async (t) => {
  const r = reason('insufficientFunds');
  for (const kind of ALL_KINDS) {
    const g = guaranteeOf(kind);
    if (g > 0) refused(t, checkReturn(input(r, of(kind, g))), 'withinGuarantee', `${kind}: equal to the guarantee`);
    const over = checkReturn(input(r, of(kind, g + 1)));
    allowed(t, over, 1, `${kind}: one øre over returns one øre`);
    t.match(over, { kind: KIND_NAME[kind] ?? kind, guarantee: g });
  }
  const p = of('chipPin', 200_000);
  allowed(t, checkReturn(input(r, p)), 50_000, '2 000 kr less the 1 500 kr guarantee');
  allowed(t, checkReturn(input(r, p, { covered: 100_000 })), 50_000, 'covered less than the guarantee');
  allowed(t, checkReturn(input(r, p, { covered: 180_000 })), 20_000, 'the part not covered');
  allowed(t, checkReturn(input(r, p, { covered: 199_999 })), 1);
  refused(t, checkReturn(input(r, p, { covered: 200_000 })), 'covered');
  allowed(t, checkReturn(input(r, p, { cardBlocked: false })), 50_000, 'the card need not be blocked');
  allowed(t, checkReturn(input(r, p, { returned: 49_999 })), 1);
  refused(t, checkReturn(input(r, p, { returned: 50_000 })), 'returnedAlready');
});

t.test('lateInsufficientFunds: more than 9 calendar days, 33 for internet payments (001 §29, §35)', async (t) => {
  const r = reason('lateInsufficientFunds');
  // Bought Friday 4 December 10:00.
  refused(t, checkReturn(input(r, of('chipPin', 200_000, received('261213235900')))), 'notLate', '9 days');
  allowed(t, checkReturn(input(r, of('chipPin', 200_000, received('261214000100')))), 200_000, '10 days: all');
  allowed(t, checkReturn(input(r, of('signature', 200_000, received('261214000100')))), 200_000, 'signature');
  refused(t, checkReturn(input(r, of('mailOrder', 200_000, received('261213120000')))), 'notLate', 'mail order: 9');
  allowed(t, checkReturn(input(r, of('mailOrder', 200_000, received('261214120000')))), 200_000, 'mail order: 10');
  // Internet: 4 December + 33 = 6 January.
  refused(t, checkReturn(input(r, of('internet', 200_000, received('270106120000')))), 'notLate', 'internet: 33');
  allowed(t, checkReturn(input(r, of('internet', 200_000, received('270107120000')))), 200_000, 'internet: 34');
  const tenDays = of('chipPin', 200_000, received('261214120000'));
  allowed(t, checkReturn(input(r, tenDays, { covered: 199_999 })), 200_000, 'covered in part: all of it');
  refused(t, checkReturn(input(r, tenDays, { covered: 200_000 })), 'covered', 'covered in full: no insufficient funds');
  const why = checkReturn(input(r, of('chipPin', 200_000, received('261213120000'))));
  t.match(why, { why: /received 9 calendar days .* more than 9 \(by 2026-12-13\)/ });
  allowed(
    t,
    checkReturn(input(r, of('chipPin', 200_000, received('261214120000')), { returned: 150_000 })),
    50_000,
    'less what earlier cases returned',
  );
});

t.test(
  'blockedAtPurchase: the card blocked at the purchase time, or an offline transaction (001 §29, §36)',
  async (t) => {
    const r = reason('blockedAtPurchase');
    const p = of('chipPin', 100_000);
    allowed(t, checkReturn(input(r, p, { statusAtPurchase: 'blocked:stolen' })), 100_000, 'all, guarantee or not');
    allowed(
      t,
      checkReturn(input(r, p, { statusAtPurchase: 'blocked:lost', cardBlocked: false })),
      100_000,
      'lifted since',
    );
    refused(t, checkReturn(input(r, p, { statusAtPurchase: 'active' })), 'notBlockedAtPurchase');
    refused(t, checkReturn(input(r, p, { statusAtPurchase: 'deleted' })), 'notBlockedAtPurchase');
    const offline = { ...p, authorization: 'offline' as const };
    allowed(
      t,
      checkReturn(input(r, offline, { statusAtPurchase: 'active' })),
      100_000,
      'an offline one, the card active',
    );
  },
);

t.test('thirdPartyPin: over the guarantee, per kind, the card blocked (001 §38)', async (t) => {
  const r = reason('thirdPartyPin');
  for (const kind of PIN_KINDS) {
    const g = guaranteeOf(kind);
    if (g > 0) refused(t, checkReturn(input(r, of(kind, g))), 'withinGuarantee', `${kind}: equal to the guarantee`);
    allowed(t, checkReturn(input(r, of(kind, g + 1))), 1, `${kind}: one øre over returns one øre`);
  }
  allowed(t, checkReturn(input(r, of('magstripePin', 200_000))), 125_000);
  refused(t, checkReturn(input(r, of('chipPin', 200_000), { cardBlocked: false })), 'cardNotBlocked');
  refused(t, checkReturn(input(r, of('signature', 200_000))), 'wrongVerification');
  refused(t, checkReturn(input(r, of('internet', 200_000))), 'remoteSale');
  refused(t, checkReturn(input(r, of('mailOrder', 200_000))), 'remoteSale');
  allowed(
    t,
    checkReturn(input(r, of('chipPin', 200_000), { facts: { reversed: 20_000, refunded: 0, identicalBefore: 0 } })),
    30_000,
    'over the guarantee of what was not reversed',
  );
});

t.test('thirdPartySignature: all, once the nota came signed (001 §39)', async (t) => {
  const r = reason('thirdPartySignature');
  const p = of('signature', 50_000);
  const nota = (n: NotaStatus, more = {}) => checkReturn(input(r, p, { nota: n, ...more }));
  allowed(t, nota('signed'), 50_000, 'all, below the guarantee too');
  refused(t, nota('none'), 'notaNotOrdered');
  refused(t, nota('pending'), 'notaPending');
  refused(t, nota('overdue'), 'notaNotReceived');
  refused(t, nota('unsigned'), 'notaNotReceived');
  refused(t, nota('signed', { cardBlocked: false }), 'cardNotBlocked');
  refused(t, checkReturn(input(r, of('chipPin'), { nota: 'signed' })), 'wrongVerification');
  refused(t, checkReturn(input(r, of('contactless'), { nota: 'signed' })), 'wrongVerification');
});

t.test('notaNotReceived: not come within 30 days, or unsigned (001 §39)', async (t) => {
  const r = reason('notaNotReceived');
  const p = of('signature', 50_000);
  const nota = (n: NotaStatus, more = {}) => checkReturn(input(r, p, { nota: n, ...more }));
  allowed(t, nota('overdue'), 50_000);
  allowed(t, nota('unsigned'), 50_000);
  refused(t, nota('none'), 'notaNotOrdered');
  refused(t, nota('pending'), 'notaPending');
  refused(t, nota('signed'), 'notaSigned');
  refused(t, nota('overdue', { cardBlocked: false }), 'cardNotBlocked');
  refused(t, checkReturn(input(r, of('magstripePin'), { nota: 'overdue' })), 'wrongVerification');
});

t.test('thirdPartyRemote: all of a remote sale, the card blocked (001 §40)', async (t) => {
  const r = reason('thirdPartyRemote');
  allowed(t, checkReturn(input(r, of('internet', 200_000))), 200_000);
  allowed(t, checkReturn(input(r, of('mailOrder', 200_000))), 200_000);
  allowed(t, checkReturn(input(r, of('internet', 200_000, { channel: 'phoneOrder' }))), 200_000, 'phone order');
  refused(t, checkReturn(input(r, of('internet'), { cardBlocked: false })), 'cardNotBlocked');
  refused(t, checkReturn(input(r, of('chipPin'))), 'notRemoteSale');
  refused(t, checkReturn(input(r, of('signature'))), 'notRemoteSale');
});

t.test('thirdPartyLate: PIN after 9 bank days, signature after 9 calendar days with the nota (001 §41)', async (t) => {
  const r = reason('thirdPartyLate');
  // Bought Friday 4 December: 9 bank days on is Thursday 17 December, 13 calendar days.
  const nine = of('chipPin', 200_000, received('261217120000'));
  refused(t, checkReturn(input(r, nine)), 'notLate', '9 bank days over two weekends');
  t.match(checkReturn(input(r, nine)), { why: /received 9 bank days .* more than 9 \(by 2026-12-17 in bank days\)/ });
  allowed(t, checkReturn(input(r, of('chipPin', 200_000, received('261218120000')))), 200_000, '10 bank days: all');
  allowed(t, checkReturn(input(r, of('magstripePin', 200_000, received('261218120000')))), 200_000, 'magstripe');
  refused(t, checkReturn(input(r, of('chipPin', 200_000, received('261214120000')))), 'notLate', '10 calendar days');
  refused(
    t,
    checkReturn(input(r, of('chipPin', 200_000, received('261218120000')), { cardBlocked: false })),
    'cardNotBlocked',
  );

  const sig = (localTime: string, nota: NotaStatus) =>
    checkReturn(input(r, of('signature', 200_000, received(localTime)), { nota }));
  refused(t, sig('261213120000', 'signed'), 'notLate', 'signature: 9 calendar days');
  allowed(t, sig('261214120000', 'signed'), 200_000, 'signature: 10 calendar days, the nota signed');
  refused(t, sig('261214120000', 'none'), 'notaNotOrdered');
  refused(t, sig('261214120000', 'pending'), 'notaPending');
  refused(t, sig('261214120000', 'overdue'), 'notaNotReceived', 'not come: its own reason');
  refused(t, sig('261214120000', 'unsigned'), 'notaNotReceived');

  refused(t, checkReturn(input(r, of('internet', 200_000, received('270120120000')))), 'remoteSale');
});

t.test("the holder's reasons: remote sales only, after contacting the merchant (001 §43-44)", async (t) => {
  const contacted = { merchantContacted: true };
  for (const r of ['subscriptionCancelled', 'withdrawalRight', 'notDelivered', 'amountNotApproved'] as const) {
    reason(r);
    const more = { ...contacted, approvedAmount: 0 };
    refused(t, checkReturn(input(r, of('chipPin'), more)), 'notRemoteSale', `${r}: a chip and PIN purchase`);
    refused(t, checkReturn(input(r, of('signature'), more)), 'notRemoteSale', `${r}: signature`);
    const p = of('internet', 200_000, { series: 'first-txn' });
    refused(t, checkReturn(input(r, p, { approvedAmount: 0 })), 'merchantNotContacted', `${r}: not said`);
    refused(t, checkReturn(input(r, p, { approvedAmount: 0, merchantContacted: false })), 'merchantNotContacted');
    allowed(
      t,
      checkReturn(input(r, p, { ...more, cardBlocked: false })),
      200_000,
      `${r}: the card need not be blocked`,
    );
  }
  allowed(t, checkReturn(input('notDelivered', of('mailOrder'), contacted)), 200_000, 'a mail order');
  allowed(t, checkReturn(input('withdrawalRight', of('mailOrder'), contacted)), 200_000);
});

t.test('subscriptionCancelled: a payment of a series', async (t) => {
  const r = reason('subscriptionCancelled');
  const more = { merchantContacted: true };
  allowed(t, checkReturn(input(r, of('internet', 9_900, { series: 'T1-261104100000-000001' }), more)), 9_900);
  refused(t, checkReturn(input(r, of('internet', 9_900, { series: '' }), more)), 'notASubscription');
  const { series: _s, ...old } = of('internet', 9_900);
  refused(t, checkReturn(input(r, old, more)), 'notASubscription', 'a posting from before the series field');
});

t.test('amountNotApproved: the difference (001 §32)', async (t) => {
  const r = reason('amountNotApproved');
  const p = of('internet', 200_000);
  const contacted = { merchantContacted: true };
  allowed(t, checkReturn(input(r, p, { ...contacted, approvedAmount: 150_000 })), 50_000);
  allowed(t, checkReturn(input(r, p, { ...contacted, approvedAmount: 199_999 })), 1);
  refused(t, checkReturn(input(r, p, { ...contacted, approvedAmount: 200_000 })), 'approvedAmountMissing');
  refused(t, checkReturn(input(r, p, contacted)), 'approvedAmountMissing', 'not given');
  allowed(
    t,
    checkReturn(
      input(r, p, {
        ...contacted,
        approvedAmount: 150_000,
        facts: { reversed: 0, refunded: 20_000, identicalBefore: 0 },
      }),
    ),
    30_000,
    'less what the merchant refunded',
  );
});

t.test('duplicate: any channel, the second of identical purchases (001 §31)', async (t) => {
  const r = reason('duplicate');
  const twice = { facts: { reversed: 0, refunded: 0, identicalBefore: 1 } };
  for (const kind of ALL_KINDS) allowed(t, checkReturn(input(r, of(kind), twice)), 200_000, kind);
  allowed(t, checkReturn(input(r, of('chipPin'), { ...twice, cardBlocked: false })), 200_000, 'no block, no contact');
  refused(t, checkReturn(input(r, of('chipPin'))), 'noIdenticalTransaction', 'the first stands');
  refused(t, checkReturn(input(r, of('chipPin'), { ...twice, returned: 200_000 })), 'returnedAlready');
});

t.test('every reason is tested above', async (t) => {
  t.same(
    DISPUTE_REASON_CODES.filter((r) => !tested.has(r)),
    [],
  );
  t.equal(Object.keys(DISPUTE_REASONS).length, 13);
});
