/**
 * `npm run terminal` in the offline mode (--floor-limit) against a real switch: the block list
 * fetched from the admin API, the sale decided by the terminal, the advice uploaded before the
 * command ends; usage errors of the offline options.
 */
import t from 'tap';
import { startSwitch } from '../support/switch.js';
import { addCard, newPan } from '../support/cards.js';
import { ManualClock } from '../../src/time/clock.js';
import { main } from '../../terminals/cli.js';
import { journal } from './fixtures/support.js';

const OT = 'test-token-offline-terminals';
const clock = new ManualClock(new Date('2026-11-21T10:15:30Z'));

async function run(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { out: (s) => out.push(s), err: (s) => err.push(s), clock });
  return { code, out: out.join(''), err: err.join('') };
}

t.test('offline usage errors: exit 2', async (t) => {
  const fuel = ['fuel', '--type', 'fuel', '--card', '5019000000000008', '--pin', '1234', '--max', '1', '--pumped', '1'];
  const cases: [string[], string][] = [
    [[...fuel, '--token', 'x'], '--token goes with --floor-limit'],
    [[...fuel, '--expiry', '3012'], '--expiry of a fuel sale goes with --floor-limit'],
    [
      ['purchase', '--type', 'chip', '--card', '5019000000000008', '--amount', '1', '--floor-limit', '1'],
      'a fuel or ticket',
    ],
    [[...fuel, '--floor-limit', '1.234'], '--floor-limit: an amount'],
    [[...fuel, '--floor-limit', '1', '--block-list', 'http://x'], '--block-list and --token go together'],
    [[...fuel, '--floor-limit', '1', '--fetcher', 'f'], '--fetcher goes with --block-list'],
    [
      ['refund', '--type', 'fuel', '--card', '5019000000000008', '--amount', '1', '--floor-limit', '1'],
      'not an option of refund',
    ],
  ];
  for (const [argv, message] of cases) {
    const r = await run(argv);
    t.equal(r.code, 2, argv.join(' '));
    t.match(r.err, message);
  }
});

t.test(
  'a fuel sale offline: block list fetched, approved offline, the advice uploaded; declined; online',
  async (t) => {
    const s = await startSwitch(t, {
      admin: { host: '127.0.0.1', port: 0, tokens: { [OT]: { role: 'offlineTerminals' } } },
    });
    const card = await addCard(s.sw);
    const blocked = await addCard(s.sw);
    t.match(await s.sw.register.block('bank-a', blocked.id, 'lost', new Date()), { ok: true });
    t.match(await s.sw.blockList.makeDaily('2026-11-20'), { created: true });
    const base = [
      '--type',
      'fuel',
      '--terminal',
      'FUELCLI1',
      '--port',
      String(s.port('iso93')),
      '--floor-limit',
      '300',
    ];
    const list = ['--block-list', s.adminUrl, '--token', OT];
    const fuel = (pan: string, max: string) => [
      'fuel',
      ...base,
      '--card',
      pan,
      '--pin',
      '1234',
      '--max',
      max,
      '--pumped',
      '100.00',
    ];

    const ok = await run([...fuel(card.pan, '200'), ...list]);
    t.equal(ok.code, 0, ok.err);
    t.match(ok.out, /Block list: 1 file\(s\) fetched, 1 card\(s\) listed/);
    t.match(ok.out, /OFFLINE APPROVED approval code \d{6} \(STAN \d{6}, local time 261121111530\): advice stored/);
    t.match(ok.out, /Advice answered 000 approved\./);
    t.notMatch(ok.out, card.pan, 'masked');

    const declined = await run([...fuel(blocked.pan, '200'), ...list, '--fetcher', 'other']);
    t.equal(declined.code, 1);
    t.match(declined.out, 'OFFLINE DECLINED card on the offline block list (lost)');
    const expired = await run([...fuel(card.pan, '200'), '--expiry', '2610']);
    t.equal(expired.code, 1);
    t.match(expired.out, 'OFFLINE DECLINED card expired');
    const unknown = await run(fuel(newPan(), '200'));
    t.equal(unknown.code, 1, 'the switch refused the advice');
    t.match(unknown.out, /Advice answered 111 card not registered/);
    const online = await run(fuel(card.pan, '400'));
    t.equal(online.code, 0);
    t.match(online.out, /APPROVED approval code/);
    t.notMatch(online.out, /OFFLINE/);
    t.match(await journal(s), [
      { amount: 10_000, authorization: 'offline', terminal: 'FUELCLI1' },
      { amount: 10_000, authorization: 'online' },
    ]);
  },
);

t.test('an advice the switch does not answer: exit 3', async (t) => {
  const s = await startSwitch(t);
  const card = await addCard(s.sw);
  await s.sw.faults.create({ terminal: 'FUELCLI2', kind: 'noAnswer', times: 'always' });
  await s.sw.faults.refresh(true);
  const r = await run([
    'fuel',
    '--type',
    'fuel',
    '--terminal',
    'FUELCLI2',
    '--port',
    String(s.port('iso93')),
    '--timeout',
    '300',
    '--floor-limit',
    '300',
    '--card',
    card.pan,
    '--pin',
    '1234',
    '--max',
    '100',
    '--pumped',
    '50',
  ]);
  t.equal(r.code, 3);
  t.match(r.out, 'Advice NOT answered');
});
