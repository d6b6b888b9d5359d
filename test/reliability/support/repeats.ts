/**
 * Retransmissions and repeated advices arriving at the same moment, each on a connection of its
 * own (as terminals that time out and retry, or a PSAM repeating an advice while the first is
 * still being answered): whatever the interleaving, one posting, one reversal. Run against one
 * switch process and against several behind one port.
 */
import type { Test } from 'tap';
import type { RegisterRedis } from '../../../src/redis/client.js';
import type { IsoMessage } from '../../../src/codec/index.js';
import type { Posting } from '../../../src/journal/posting.js';
import type { Switch } from '../../../src/switch.js';
import { addCard, pinBlock } from '../../support/cards.js';
import { TestTerminal, purchase93 } from '../../support/terminal.js';
import { waitForEmptyOutboxes } from './invariants.js';

export interface RepeatTarget {
  /** An in-process switch on the same Redis and key prefix: the register and the journal as the test sees them. */
  sw: Switch;
  redis: RegisterRedis;
  prefix: string;
  /** The port the terminals connect to. */
  port: number;
}

/** Sends each message on a fresh connection of its own, all at once. */
async function atOnce(port: number, messages: IsoMessage[]): Promise<IsoMessage[]> {
  const conns = await Promise.all(messages.map(() => TestTerminal.open(port)));
  try {
    return await Promise.all(messages.map((m, i) => conns[i]!.send(m)));
  } finally {
    for (const c of conns) c.close();
  }
}

/** The journal's postings of one transaction, once no outbox holds anything more. */
async function postingsOf(target: RepeatTarget, txn: string): Promise<Posting[]> {
  if (!(await waitForEmptyOutboxes(target.redis, target.prefix, 10_000))) throw new Error('outboxes not emptied');
  await target.sw.postings.drain();
  return (await target.sw.journal.range('0', '+')).map((e) => e.posting).filter((p) => p.txn === txn);
}

const codes = (answers: IsoMessage[]): string[] => [...new Set(answers.map((a) => String(a[39])))].sort();

export async function repeatScenarios(t: Test, target: RepeatTarget, terminal: string): Promise<void> {
  const sale = (pan: string, stan: string, amount: string, extra: IsoMessage = {}): IsoMessage =>
    purchase93({ 2: pan, 4: amount, 11: stan, 12: '261121130000', 41: terminal, 52: pinBlock('1234', pan), ...extra });
  const txn = (stan: string): string => `${terminal}-261121130000-${stan}`;

  await t.test('a request retransmitted 30 times at once (1200 and 1201): one approval, one posting', async (t) => {
    const card = await addCard(target.sw);
    const answers = await atOnce(
      target.port,
      Array.from({ length: 30 }, (_, i) =>
        sale(card.pan, '100001', '000000004500', { 0: i % 2 === 0 ? '1200' : '1201' }),
      ),
    );
    t.same(codes(answers), ['000'], 'every copy approved');
    t.equal(new Set(answers.map((a) => a[38])).size, 1, 'with the one approval code');
    t.same(
      (await postingsOf(target, txn('100001'))).map((p) => [p.type, p.amount]),
      [['purchase', 4500]],
      'one posting',
    );
    t.equal((await target.sw.register.state(card.id))!.unbooked, 4500, 'held once');
  });

  await t.test(
    'the same STAN with other content at once: one of them wins, the others are 913, one posting',
    async (t) => {
      const card = await addCard(target.sw);
      const answers = await atOnce(
        target.port,
        Array.from({ length: 20 }, (_, i) => sale(card.pan, '100002', i % 2 === 0 ? '000000001000' : '000000002000')),
      );
      const won = answers.filter((a) => a[39] === '000');
      t.equal(new Set(won.map((a) => a[4])).size, 1, 'the approvals are all of one content');
      t.equal(won.length, 10, 'every copy of the winning content approved');
      t.same(codes(answers.filter((a) => a[39] !== '000')), ['913'], 'the other content: duplicate transmission');
      t.same(
        (await postingsOf(target, txn('100002'))).map((p) => p.amount),
        [Number(won[0]![4])],
        'one posting, of the winning content',
      );
    },
  );

  await t.test(
    'a completion repeated 20 times at once (1220 and 1221): one posting of the completed amount',
    async (t) => {
      const card = await addCard(target.sw);
      const [auth] = await atOnce(target.port, [sale(card.pan, '100003', '000000010000', { 0: '1100' })]);
      t.equal(auth![39], '000');
      const completion = {
        0: '1220',
        2: card.pan,
        3: '000000',
        4: '000000006000',
        11: '100004',
        12: '261121130100',
        24: '202',
        41: terminal,
        49: '208',
        56: '1100100003261121130000',
      };
      const answers = await atOnce(
        target.port,
        Array.from({ length: 20 }, (_, i) => ({ ...completion, 0: i % 2 === 0 ? '1220' : '1221' })),
      );
      t.same(codes(answers), ['000'], 'every copy acknowledged as completed');
      t.same(
        (await postingsOf(target, txn('100003'))).map((p) => [p.type, p.amount]),
        [['purchase', 6000]],
        'one posting, 60.00',
      );
      t.match(
        await target.sw.register.state(card.id),
        { reserved: 0, unbooked: 6000 },
        'the reservation released once, the completion held once',
      );
    },
  );

  await t.test(
    'a reversal advice repeated 20 times at once, and a second advice for the same sale: one reversal',
    async (t) => {
      const card = await addCard(target.sw);
      const [first] = await atOnce(target.port, [sale(card.pan, '100005', '000000003300')]);
      t.equal(first![39], '000');
      const advice = {
        0: '1420',
        2: card.pan,
        3: '000000',
        4: '000000003300',
        11: '100006',
        12: '261121130200',
        24: '400',
        25: '4021',
        41: terminal,
        49: '208',
        56: '1200100005261121130000',
      };
      const answers = await atOnce(target.port, [
        ...Array.from({ length: 20 }, (_, i) => ({ ...advice, 0: i % 2 === 0 ? '1420' : '1421' })),
        { ...advice, 11: '100007', 12: '261121130300' },
      ]);
      t.same(codes(answers), ['400'], 'every advice acknowledged');
      t.same(
        (await postingsOf(target, txn('100005'))).map((p) => p.type).sort(),
        ['purchase', 'reversal'],
        'the sale and one reversal',
      );
      t.match(await target.sw.register.state(card.id), { reserved: 0, unbooked: 0 }, 'released once');
    },
  );
}
