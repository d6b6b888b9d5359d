/**
 * `npm run terminal` with message security: a MAC key, DUKPT with the KSN for the next run
 * printed, format 4 in a 16-byte field 52, an answer whose MAC was dropped, and the options'
 * usage errors. In-process against a real switch.
 */
import t from 'tap';
import { join } from 'node:path';
import { startSwitch, TEST_CARD } from '../support/switch.js';
import { ManualClock } from '../../src/time/clock.js';
import { main } from '../../terminals/cli.js';

const clock = new ManualClock(new Date('2026-11-21T10:15:30Z'));
const KEY = '0123456789ABCDEFFEDCBA9876543210';
const AES_BDK = 'FEDCBA9876543210F1F1F1F1F1F1F1F1';
const AES_KEY = '000102030405060708090A0B0C0D0E0F';

async function run(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { out: (s) => out.push(s), err: (s) => err.push(s), clock });
  return { code, out: out.join(''), err: err.join('') };
}

t.test('MAC, DUKPT and format 4 from the command line', async (t) => {
  const dir = t.testdir({
    'keys.json': JSON.stringify({
      terminals: {
        DUKPT001: { format: 0, dukpt: 'tv', macKey: KEY },
        DUKPTA01: { format: 4, dukpt: 'av', macKey: KEY },
        AES00001: { format: 4, key: AES_KEY },
      },
      dukpt: { tv: { algorithm: 'tdes', bdk: KEY }, av: { algorithm: 'aes128', bdk: AES_BDK } },
    }),
  });
  const s = await startSwitch(t, {
    terminals: { keyFile: join(dir, 'keys.json') },
    listeners: [
      { name: 'sec', host: '127.0.0.1', port: 0, dialect: 'iso93ascii', mac: 'optional', pinBlock: 'variable16' },
    ],
  });
  const base = [
    'purchase',
    '--type',
    'chip',
    '--port',
    String(s.port('sec')),
    '--card',
    TEST_CARD.pan,
    '--amount',
    '10.00',
    '--pin',
    '1234',
    '--pin-block',
    'variable16',
  ];

  const tdes = await run([
    ...base,
    '--terminal',
    'DUKPT001',
    '--mac-key',
    KEY,
    '--dukpt',
    'tdes',
    '--bdk',
    KEY,
    '--ksn',
    'FFFF9876543210E00001',
  ]);
  t.equal(tdes.code, 0, tdes.err);
  t.match(tdes.out, /APPROVED/);
  t.match(tdes.out, /Next PIN block of DUKPT001: --ksn FFFF9876543210E00002\n/);
  t.notMatch(tdes.out, new RegExp(KEY, 'i'), 'no key printed');

  const again = await run([
    ...base,
    '--terminal',
    'DUKPT001',
    '--mac-key',
    KEY,
    '--dukpt',
    'tdes',
    '--bdk',
    KEY,
    '--ksn',
    'FFFF9876543210E00001',
  ]);
  t.equal(again.code, 1, 'the same KSN again: declined');
  t.match(again.out, /DECLINED 919 DUKPT KSN used before/);

  const aes = await run([
    ...base,
    '--terminal',
    'DUKPTA01',
    '--mac-key',
    KEY,
    '--dukpt',
    'aes128',
    '--bdk',
    AES_BDK,
    '--ksn',
    '123456789012345600000001',
  ]);
  t.equal(aes.code, 0, aes.err);
  t.match(aes.out, /--ksn 123456789012345600000002/);

  const fixed = await run([...base, '--terminal', 'AES00001', '--key', AES_KEY, '--key-format', '4']);
  t.equal(fixed.code, 0, fixed.err);

  await s.sw.faults.create({ terminal: 'DUKPT001', kind: 'dropMac', times: 1 });
  const dropped = await run([
    ...base,
    '--terminal',
    'DUKPT001',
    '--mac-key',
    KEY,
    '--dukpt',
    'tdes',
    '--bdk',
    KEY,
    '--ksn',
    'FFFF9876543210E00003',
  ]);
  t.equal(dropped.code, 3);
  t.match(dropped.out, /ANSWER NOT BELIEVED: its MAC is missing or wrong .*: reversal stored/);
  t.match(dropped.out, /Reversal acknowledged/);
});

t.test('usage errors of the security options: exit 2 naming the option', async (t) => {
  const cases: [string[], string][] = [
    [['--pin-block', 'wide'], '--pin-block: fixed8 or variable16'],
    [['--key-format', '5', '--key', KEY], '--key-format: 0 or 4'],
    [['--key-format', '4'], '--key-format goes with --key'],
    [['--key-format', '4', '--key', KEY + '0123456789ABCDEF'], '--key: an AES-128 key is 32 hex digits'],
    [['--mac-key', 'ABCD'], '--mac-key: 32 hex digits'],
    [['--bdk', KEY], '--bdk and --ksn go with --dukpt'],
    [['--dukpt', 'des', '--bdk', KEY, '--ksn', 'FFFF9876543210E00001'], '--dukpt: tdes or aes128'],
    [['--dukpt', 'tdes', '--ksn', 'FFFF9876543210E00001'], '--bdk: 32 hex digits'],
    [['--dukpt', 'aes128', '--bdk', AES_BDK, '--ksn', 'FFFF9876543210E00001'], '--ksn: 24 hex digits for aes128'],
    [['--key-format', '4', '--key', AES_KEY], 'format 4 blocks have 16 bytes'],
  ];
  for (const [extra, message] of cases) {
    const r = await run(['echo', '--type', 'chip', '--port', '9', ...extra]);
    t.equal(r.code, 2, extra.join(' '));
    t.match(r.err, message, extra.join(' '));
  }
});
