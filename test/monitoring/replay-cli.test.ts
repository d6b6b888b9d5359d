/**
 * `npm run monitoring -- replay` (src/cli/monitoring.ts) in process, against a real switch's
 * Redis keys after a day of purchases over TCP with a fake clock (replay-day.ts): the text
 * report, the shipped rules in force, a day without a log, a failed read, the arguments and the
 * exit codes. The same CLI as its own process: replay-cli.process.test.ts.
 */
import t from 'tap';
import { writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { USAGE, main, parseArgs } from '../../src/cli/monitoring.js';
import { dayLogKey } from '../../src/monitoring/day-log.js';
import { testRedisUrl } from '../support/redis.js';
import { DATE, aDay } from './replay-day.js';

function io(): { out(text: string): void; err(text: string): void; stdout: string; stderr: string } {
  const o = {
    stdout: '',
    stderr: '',
    out: (s: string) => void (o.stdout += s),
    err: (s: string) => void (o.stderr += s),
  };
  return o;
}

t.test('the text report: per rule, totals, the blocks added and removed', async (t) => {
  const { s, config, a, b, stricter } = await aDay(t);
  // The log in the order answered: A, B, A, B, A, A. One an hour fires on each card's second.
  const txns = (await s.redis.lrange(dayLogKey(s.config.redis.keyPrefix, DATE), 0, -1)).map(
    (l) => (JSON.parse(l) as { txn: string }).txn,
  );
  const run = io();
  const overrides = { log: { level: 'silent' } } as const;
  t.equal(
    await main(
      ['replay', '--date', DATE, '--history-days', '0', '--rules', stricter],
      { SWITCH_CONFIG: config },
      { ...run, overrides },
    ),
    0,
    run.stderr,
  );
  t.equal(
    run.stdout,
    `Replay of ${DATE} (Europe/Copenhagen; profiles from 0 days before): 6 transactions on 2 cards\n` +
      `Replayed: ${stricter}\n` +
      `In force: ${s.rulesFile}\n` +
      '\n' +
      'Cards blocked          replayed  in force\n' +
      '  more-than-1-an-hour         2         -\n' +
      '  more-than-2-an-hour         -         1\n' +
      '  total                       2         1\n' +
      "Fired, but spared (the holder's own spending)\n" +
      '  more-than-1-an-hour         0         -\n' +
      '  more-than-2-an-hour         -         0\n' +
      '\n' +
      'Blocks added (1):\n' +
      `  10:24:00  card ${b.id}  more-than-1-an-hour  fired by ${txns[3]}  (2 transactions)\n` +
      'Blocks removed (0)\n' +
      '\n' +
      'Blocks by the replayed rules (2):\n' +
      `  10:16:00  card ${a.id}  more-than-1-an-hour  fired by ${txns[2]}  (2 transactions)\n` +
      `  10:24:00  card ${b.id}  more-than-1-an-hour  fired by ${txns[3]}  (2 transactions)\n`,
  );
});

t.test('the shipped rules are in force when the config names none; a day without a log; a failed read', async (t) => {
  const { s, stricter } = await aDay(t);
  const config = join(dirname(stricter), 'no-rules-file.json');
  await writeFile(
    config,
    JSON.stringify({
      redis: { url: await testRedisUrl(), keyPrefix: s.config.redis.keyPrefix },
      log: { level: 'silent' },
    }),
  );
  const run = io();
  t.equal(
    await main(['replay', '--date', '2026-11-01', '--rules', stricter, '--json'], { SWITCH_CONFIG: config }, run),
    0,
    run.stderr,
  );
  const report = JSON.parse(run.stdout) as { inForce: { source: string }; replayed: { transactions: number } };
  t.same([report.inForce.source, report.replayed.transactions], ['shipped', 0]);

  // A Redis failure while reading (here a key that is no list): exit 1 with Redis's reason.
  await s.redis.set(dayLogKey(s.config.redis.keyPrefix, '2026-11-02'), 'not a list');
  const failed = io();
  t.equal(await main(['replay', '--date', '2026-11-02', '--rules', stricter], { SWITCH_CONFIG: config }, failed), 1);
  t.match(failed.stderr, /^monitoring: WRONGTYPE /);
});

t.test('arguments, rule files, configuration and Redis: exit 2 or 1 with the reason', async (t) => {
  const help = io();
  t.equal(await main(['--help'], {}, help), 0);
  t.equal(help.stdout, USAGE);

  t.same(parseArgs(['replay', '--rules', 'r.json', '--date', DATE]), {
    mode: 'replay',
    rules: 'r.json',
    date: DATE,
    json: false,
    historyDays: 7,
  });
  t.same(parseArgs(['replay', '--json', '--history-days', '3', '--date', DATE, '--rules', 'r.json']), {
    mode: 'replay',
    rules: 'r.json',
    date: DATE,
    json: true,
    historyDays: 3,
  });
  t.equal(parseArgs([]), 'a command is needed (replay)');
  t.equal(parseArgs(['rerun']), 'unknown command "rerun"');
  t.equal(parseArgs(['replay', '--date', DATE]), 'replay needs --rules FILE');
  t.equal(parseArgs(['replay', '--rules', 'r.json']), 'replay needs --date YYYY-MM-DD');
  t.equal(parseArgs(['replay', '--rules']), '--rules needs a value');
  t.equal(parseArgs(['replay', '--rules', '--json']), '--rules needs a value');
  t.equal(parseArgs(['replay', '--verbose']), 'unknown option "--verbose"');
  t.equal(
    parseArgs(['replay', '--history-days', '8']),
    '--history-days must be a whole number of days from 0 to 7 (the log is kept 8 days), not "8"',
  );
  t.equal(
    parseArgs(['replay', '--history-days', '-1']),
    '--history-days must be a whole number of days from 0 to 7 (the log is kept 8 days), not "-1"',
  );
  t.equal(
    parseArgs(['replay', '--history-days', 'two']),
    '--history-days must be a whole number of days from 0 to 7 (the log is kept 8 days), not "two"',
  );

  const dir = t.testdir({ 'broken.json': '{"rules": [{"id": "x"}]}' });
  const broken = io();
  t.equal(await main(['replay', '--rules', join(dir, 'broken.json'), '--date', DATE], {}, broken), 2);
  t.match(broken.stderr, /^monitoring: rule file .*broken\.json: \/rules\/0 /);
  const missing = io();
  t.equal(await main(['replay', '--rules', join(dir, 'none.json'), '--date', DATE], {}, missing), 2);
  t.match(missing.stderr, /^monitoring: rule file .*none\.json: ENOENT/);
  const badConfig = io();
  t.equal(
    await main(['replay', '--rules', join(dir, 'broken.json'), '--date', DATE], { LOG_LEVEL: 'loud' }, badConfig),
    2,
  );
  t.match(badConfig.stderr, /^monitoring: config: LOG_LEVEL="loud" is not one of/);

  const shipped = fileURLToPath(new URL('../../src/monitoring/default-rules.json', import.meta.url));
  const refused = io();
  t.equal(
    await main(
      ['replay', '--rules', shipped, '--date', DATE],
      { REDIS_URL: 'redis://127.0.0.1:1' },
      { ...refused, overrides: { log: { level: 'silent' } } },
    ),
    1,
  );
  t.match(refused.stderr, /^monitoring: redis: cannot connect to redis:\/\/127\.0\.0\.1:1/);
});
