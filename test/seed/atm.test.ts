/**
 * docs/TEST-CARDS.md, "Cash at ATMs": each row is in the page as written here, and is what the
 * switch answers and posts over TCP in both code sets, with the example key file's ATMs, on
 * freshly seeded test cards.
 */
import t from 'tap';
import { readFileSync } from 'node:fs';
import { ManualClock } from '../../src/time/clock.js';
import { encryptPinBlockFormat0 } from '../../src/crypto/pin-block.js';
import { TEST_PIN_KEY } from '../../src/crypto/terminal-keys.js';
import { TEST_CARDS } from '../../src/seed/catalogue.js';
import { wrongPinOf } from '../../src/seed/test-card.js';
import { seedTestCards } from '../../src/seed/seed.js';
import type { IsoMessage } from '../../src/codec/index.js';
import { startSwitch } from '../support/switch.js';
import { TestTerminal, purchase87, purchase93 } from '../support/terminal.js';

interface Row {
  pan: string;
  terminal: string;
  /** The Terminal cell as the page writes it. */
  shown: string;
  what: string;
  amount: number;
  currency?: string;
  pin: 'correct' | 'wrong' | 'none';
  answer: [string, string];
  /** Each posting: type and øre; the page's last cell. */
  postings: [string, number][];
  postingsShown: string;
}

const ROWS: Row[] = [
  {
    pan: '5019000000000008',
    terminal: 'ATM00001',
    shown: "`ATM00001` (bank-a's: the card's own bank)",
    what: '500.00 DKK, correct PIN',
    amount: 50_000,
    pin: 'correct',
    answer: ['000', '00'],
    postings: [['withdrawal', 50_000]],
    postingsShown: 'withdrawal 500.00',
  },
  {
    pan: '5019000000000008',
    terminal: 'ATM00002',
    shown: "`ATM00002` (bank-b's)",
    what: '500.00 DKK, correct PIN',
    amount: 50_000,
    pin: 'correct',
    answer: ['000', '00'],
    postings: [
      ['withdrawal', 50_000],
      ['fee', 500],
    ],
    postingsShown: 'withdrawal 500.00, fee 5.00',
  },
  {
    pan: '5019200000000012',
    terminal: 'ATM00002',
    shown: "`ATM00002` (bank-b's: the card's own bank)",
    what: '500.00 DKK, correct PIN',
    amount: 50_000,
    pin: 'correct',
    answer: ['000', '00'],
    postings: [['withdrawal', 50_000]],
    postingsShown: 'withdrawal 500.00',
  },
  {
    pan: '5019000000000008',
    terminal: 'ATM00001',
    shown: '`ATM00001`',
    what: '100.00 EUR (field 49 `978`), correct PIN',
    amount: 10_000,
    currency: '978',
    pin: 'correct',
    answer: ['000', '00'],
    postings: [
      ['withdrawal', 74_600],
      ['fee', 3_500],
    ],
    postingsShown: 'withdrawal 746.00 (100.00 EUR), fee 35.00 (abroad)',
  },
  {
    pan: '5019000000000008',
    terminal: 'ATM00001',
    shown: '`ATM00001`',
    what: '500.00 DKK, no PIN',
    amount: 50_000,
    pin: 'none',
    answer: ['112', '70'],
    postings: [],
    postingsShown: 'none',
  },
  {
    pan: '5019000000000008',
    terminal: 'ATM00001',
    shown: '`ATM00001`',
    what: '500.00 DKK, wrong PIN',
    amount: 50_000,
    pin: 'wrong',
    answer: ['117', '55'],
    postings: [],
    postingsShown: 'none',
  },
  {
    pan: '5019000000000008',
    terminal: 'ATM00001',
    shown: '`ATM00001`',
    what: '5,000.01 DKK, correct PIN',
    amount: 500_001,
    pin: 'correct',
    answer: ['121', '61'],
    postings: [],
    postingsShown: 'none',
  },
  {
    pan: '5019100000000071',
    terminal: 'ATM00001',
    shown: '`ATM00001`',
    what: '50.00 DKK, correct PIN (the whole balance)',
    amount: 5_000,
    pin: 'correct',
    answer: ['000', '00'],
    postings: [['withdrawal', 5_000]],
    postingsShown: 'withdrawal 50.00',
  },
  {
    pan: '5019100000000071',
    terminal: 'ATM00002',
    shown: '`ATM00002`',
    what: '50.00 DKK, correct PIN (the fee makes it 55.00)',
    amount: 5_000,
    pin: 'correct',
    answer: ['116', '51'],
    postings: [],
    postingsShown: 'none',
  },
  {
    pan: '5019100000000022',
    terminal: 'ATM00001',
    shown: '`ATM00001`',
    what: '100.00 DKK, correct PIN (blocked: lost)',
    amount: 10_000,
    pin: 'correct',
    answer: ['208', '41'],
    postings: [],
    postingsShown: 'none',
  },
  {
    pan: '5019000000000008',
    terminal: 'TERM0001',
    shown: '`TERM0001` (a chip terminal)',
    what: '100.00 DKK, correct PIN',
    amount: 10_000,
    pin: 'correct',
    answer: ['902', '12'],
    postings: [],
    postingsShown: 'none',
  },
];

const line = (r: Row): string =>
  `| \`${r.pan}\` | ${r.shown} | ${r.what} | \`${r.answer[0]}\` / \`${r.answer[1]}\` | ${r.postingsShown} |`;

t.test('docs/TEST-CARDS.md lists every ATM row as here', async (t) => {
  const doc = readFileSync(new URL('../../docs/TEST-CARDS.md', import.meta.url), 'utf8').split('\n');
  for (const r of ROWS) t.ok(doc.includes(line(r)), line(r));
  const documented = doc.filter((l) => /^\| `\d{16}` \| `(ATM|TERM)/.test(l));
  t.equal(documented.length, ROWS.length, 'and no other');
});

t.test('over the wire: each row in both code sets, on freshly seeded cards', async (t) => {
  const clock = new ManualClock(new Date('2026-11-21T10:00:00Z'));
  const s = await startSwitch(t, { terminals: { keyFile: 'config/terminal-keys.example.json' } }, { clock });
  for (const [dialect, header] of [
    ['iso93', 'binary2'],
    ['iso87', 'ascii4'],
  ] as const) {
    const terminal = await TestTerminal.open(s.port(dialect), `${dialect}ascii`, header);
    t.teardown(() => terminal.close());
    for (const r of ROWS) {
      await seedTestCards(s.sw.modules.card, { clock });
      const pin = TEST_CARDS.find((c) => c.pan === r.pan)!.pin;
      const fields: IsoMessage = {
        2: r.pan,
        3: '010000',
        4: String(r.amount).padStart(12, '0'),
        41: r.terminal,
        49: r.currency ?? '208',
      };
      if (r.pin !== 'none')
        fields[52] = encryptPinBlockFormat0(r.pin === 'correct' ? pin : wrongPinOf(pin), r.pan, TEST_PIN_KEY.key);
      await s.sw.postings.drain();
      const before = (await s.sw.journal.range('0', '+')).length;
      const answer = await terminal.send(dialect === 'iso93' ? purchase93(fields) : purchase87(fields));
      t.equal(answer[39], r.answer[dialect === 'iso93' ? 0 : 1], `${dialect} ${line(r)}`);
      await s.sw.postings.drain();
      const made = (await s.sw.journal.range('0', '+')).slice(before).map((e) => [e.posting.type, e.posting.amount]);
      t.same(made, r.postings, `${dialect} ${r.pan} at ${r.terminal}: ${r.postingsShown}`);
    }
  }
});
