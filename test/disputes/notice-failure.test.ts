/**
 * A representment whose notice cannot be written (the issuer's feed unreachable): the case is
 * represented all the same, the redebit due, the failure logged; a retry is refused as done.
 */
import t from 'tap';
import { CaseLifecycle } from '../../src/disputes/case-lifecycle.js';
import { TZ, blockedPurchases, harness } from './support.js';

t.test('a representment stands when its notice cannot be written; the failure is logged', async (t) => {
  const h = await harness(t, '2026-12-04T09:00:00Z');
  const [entry] = await blockedPurchases(t, h, ['261204090000']);
  const opened = await h.api('POST', '/disputes/cases', {
    card: h.card.id,
    reason: 'thirdPartyPin',
    transactions: [{ entry }],
  });
  t.equal(opened.status, 201);

  const warnings: unknown[] = [];
  const { store } = h.s.sw.modules.disputes;
  const lifecycle = new CaseLifecycle({
    store,
    journal: h.s.sw.modules.journal.journal,
    notices: { publish: () => Promise.reject(new Error('feed unreachable')) },
    clock: h.clock,
    log: { warn: (o: unknown) => warnings.push(o) },
    timeZone: TZ,
  });
  const r = await lifecycle.represent(opened.body.number, { text: 'signed slip' });
  t.match(r, { ok: true, case: { status: 'represented', representment: { amount: 100_000 } } });
  t.match(warnings, [{ case: opened.body.number, notice: 'disputeRepresented', err: 'feed unreachable' }]);
  t.match((await store.get(opened.body.number))!, { status: 'represented' }, 'kept');
  t.match(await lifecycle.represent(opened.body.number, { text: 'again' }), { ok: false, status: 'conflict' });
});
