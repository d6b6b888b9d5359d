/**
 * `npm run monitoring -- replay` (src/cli/monitoring.ts) against a real switch's Redis keys: a day
 * of purchases over TCP with a fake clock, the live monitor blocking with its rules, then the CLI
 * as a child process (scripts/monitoring.ts under tsx) on the same Redis and prefix reports the
 * blocks the live monitor made with the same rules, and more with a stricter file. In-process
 * runs of main() cover the text report, the arguments and the exit codes.
 */
import t, { type Test } from 'tap';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ManualClock } from '../../src/time/clock.js';
import { USAGE, main, parseArgs } from '../../src/cli/monitoring.js';
import { dayLogKey } from '../../src/monitoring/day-log.js';
import type { RuleFile } from '../../src/monitoring/rule-schema.js';
import { testRedisUrl } from '../support/redis.js';
import { cleanEnv } from '../support/process.js';
import { type MonitoredSwitch, monitoredCard, pinPurchase, startMonitoredSwitch } from './support.js';

const SCRIPT = fileURLToPath(new URL('../../scripts/monitoring.ts', import.meta.url));
const DATE = '2026-11-21';
const MINUTE = 60_000;

const velocity = (maxCount: number): RuleFile => ({
  rules: [
    {
      id: `more-than-${maxCount}-an-hour`,
      kind: 'velocity',
      description: `More than ${maxCount} approved purchases within an hour`,
      channels: ['attended'],
      windowMinutes: 60,
      maxCount,
    },
  ],
});

interface Day {
  s: MonitoredSwitch;
  /** The CLI's config file: the switch's Redis, prefix and rule file. */
  config: string;
  a: { id: string; pan: string };
  b: { id: string; pan: string };
  /** A rule file allowing one purchase an hour. */
  stricter: string;
}

/**
 * 10:00-10:40 Copenhagen time: card A buys three times 10 minutes apart (the live monitor blocks it
 * after the third) and is refused a fourth time; card B buys twice.
 */
async function aDay(t: Test): Promise<Day> {
  const clock = new ManualClock(new Date(`${DATE}T09:00:00Z`));
  const s = await startMonitoredSwitch(t, velocity(2), {}, { clock });
  const a = await monitoredCard(s);
  const b = await monitoredCard(s);
  for (const [card, answer] of [
    [a, '000'],
    [b, '000'],
    [a, '000'],
    [b, '000'],
    [a, '000'],
    [a, '105'],
  ] as const) {
    t.equal(await pinPurchase(s, card.pan, 10_000), answer);
    await s.evaluated();
    clock.advance(8 * MINUTE);
  }
  const dir = t.testdir();
  const config = join(dir, 'switch.json');
  await writeFile(
    config,
    JSON.stringify({
      redis: { url: await testRedisUrl(), keyPrefix: s.config.redis.keyPrefix },
      log: { level: 'silent' },
      monitoring: { rulesFile: s.rulesFile },
    }),
  );
  const stricter = join(dir, 'stricter.json');
  await writeFile(stricter, JSON.stringify(velocity(1)));
  return { s, config, a, b, stricter };
}

/** The CLI as its own process, as `npm run monitoring` runs it (but under tsx, not from dist/). */
async function cli(
  t: Test,
  config: string,
  args: string[],
): Promise<{ code: number | null; out: string; err: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', SCRIPT, ...args], {
    env: { ...cleanEnv(), SWITCH_CONFIG: config },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  t.teardown(() => child.kill('SIGKILL'));
  let out = '';
  let err = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (err += c.toString()));
  const [code] = (await once(child, 'exit')) as [number | null];
  return { code, out, err };
}

function io(): { out(text: string): void; err(text: string): void; stdout: string; stderr: string } {
  const o = {
    stdout: '',
    stderr: '',
    out: (s: string) => void (o.stdout += s),
    err: (s: string) => void (o.stderr += s),
  };
  return o;
}

interface JsonBlock {
  card: string;
  rule: string;
  at: string;
  txn: string;
  transactions: string[];
}

t.test('the replay of the day reports the live blocks with the same rules, more with stricter ones', async (t) => {
  const { s, config, a, b, stricter } = await aDay(t);
  const key = dayLogKey(s.config.redis.keyPrefix, DATE);
  const logged = await s.redis.lrange(key, 0, -1);
  t.equal(logged.length, 6, 'every transaction the monitor recorded is in the day log, the refused one too');
  t.notOk(
    logged.some((l) => l.includes(a.pan) || l.includes(b.pan)),
    'no PAN in the log',
  );
  t.ok((await s.redis.pttl(key)) > 7 * 86_400_000, 'kept eight days');

  const live = (await s.sw.register.state(a.id))?.blocks.at(-1) as unknown as { rule: string; transactions: string[] };
  t.equal(live.rule, 'more-than-2-an-hour');
  t.equal((await s.sw.register.state(b.id))?.block ?? '', '', 'B is not blocked live');

  const same = await cli(t, config, ['replay', '--rules', s.rulesFile, '--date', DATE, '--json']);
  t.equal(same.code, 0, same.err);
  const report = JSON.parse(same.out) as {
    date: string;
    timeZone: string;
    historyDays: number;
    historyFound: number;
    replayed: { source: string; transactions: number; cards: number; blocks: JsonBlock[] };
    inForce: { source: string; blocks: JsonBlock[] };
    added: JsonBlock[];
    removed: JsonBlock[];
  };
  t.match(report, { date: DATE, timeZone: 'Europe/Copenhagen', historyDays: 7, historyFound: 0 });
  t.match(report.replayed, { source: s.rulesFile, transactions: 6, cards: 2 });
  t.equal(report.inForce.source, s.rulesFile, "the config's rule file is in force");
  t.same(
    report.replayed.blocks.map((x) => [x.card, x.rule, x.transactions]),
    [[a.id, live.rule, live.transactions]],
    'the block the live monitor made: the card, the rule, the transactions',
  );
  t.equal(report.replayed.blocks[0]!.at, `${DATE}T09:32:00.000Z`, "the third purchase's time");
  t.same(report.inForce.blocks, report.replayed.blocks);
  t.same([report.added, report.removed], [[], []]);
  t.notOk(same.out.includes(a.pan) || same.out.includes(b.pan), 'no PAN in the report');

  const strict = await cli(t, config, ['replay', '--rules', stricter, '--date', DATE, '--json']);
  t.equal(strict.code, 0, strict.err);
  const stricterReport = JSON.parse(strict.out) as typeof report;
  t.same(
    stricterReport.added.map((x) => [x.card, x.rule, x.at]),
    [[b.id, 'more-than-1-an-hour', `${DATE}T09:24:00.000Z`]],
    'one an hour would have blocked B at its second purchase',
  );
  t.same(
    stricterReport.replayed.blocks.find((x) => x.card === a.id)?.at,
    `${DATE}T09:16:00.000Z`,
    'and A at its second',
  );
  t.same(stricterReport.removed, []);

  const bad = await cli(t, config, ['replay', '--rules', stricter, '--date', '2026-11-31']);
  t.same(bad, { code: 2, out: '', err: `monitoring: "2026-11-31" is not a date (YYYY-MM-DD)\n\n${USAGE}` });
});

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
