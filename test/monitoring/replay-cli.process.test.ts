/**
 * `npm run monitoring -- replay` as its own process (scripts/monitoring.ts under tsx) against a
 * real switch's Redis keys: after a day of purchases over TCP with a fake clock (replay-day.ts),
 * it reports the blocks the live monitor made with the same rules, and more with a stricter file.
 * A process test: its child's coverage would be counted with other source mappings
 * (test/coverage-map.mjs); replay-cli.test.ts runs main() in process for the coverage.
 */
import t, { type Test } from 'tap';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { dayLogKey } from '../../src/monitoring/day-log.js';
import { USAGE } from '../../src/cli/monitoring.js';
import { cleanEnv } from '../support/process.js';
import { DATE, type JsonBlock, aDay } from './replay-day.js';

const SCRIPT = fileURLToPath(new URL('../../scripts/monitoring.ts', import.meta.url));

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
