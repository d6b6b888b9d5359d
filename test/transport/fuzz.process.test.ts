/**
 * `npm run fuzz` end to end, from the sources and short: the fuzzer's main module under tsx
 * starts its own switch process (src/main.ts under tsx), fuzzes it, checks the closing purchases,
 * stops it, and leaves no Redis keys behind.
 */
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import t, { type Test } from 'tap';
import { type ToolRun, runTool } from '../support/process.js';
import { testRedisUrl } from '../support/redis.js';

const MAIN = fileURLToPath(new URL('../../scripts/fuzz/main.ts', import.meta.url));

const fuzz = (t: Test, args: string[]): Promise<ToolRun> => runTool(t, MAIN, args);

t.test('a short seeded run against a switch process passes and cleans up', async (t) => {
  const url = await testRedisUrl();
  const { code, out, err, pid } = await fuzz(t, [
    '--frames',
    '3000',
    '--seed',
    '11',
    '--connections',
    '4',
    '--frame-timeout',
    '300',
    '--redis',
    url,
  ]);
  t.equal(code, 0, code === 0 ? 'exit 0' : `exit ${code}\n${out.slice(-3000)}\n${err.slice(-2000)}`);
  t.match(out, /fuzz: seed 11, 3,000 frames, 4 connections; switch pid \d+, listeners iso93 \(iso93ascii, binary2\)/);
  t.match(out, /^total +3,0\d\d /m, 'the summary table');
  t.match(out, /violations: 0/);
  t.match(out, /RSS growth n\/a: not judged/, 'too short to judge memory, and it says so');
  t.match(out, /switch stopped with SIGTERM: exit code 0/);
  t.match(out, /PASSED \(seed 11\)/);
  const redis = new Redis(url);
  t.teardown(() => redis.quit());
  const left: string[] = [];
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `fuzz:${pid}:*`, 'COUNT', 1000);
    left.push(...keys);
    cursor = next;
  } while (cursor !== '0');
  t.same(left, [], 'no keys left under the run prefix');
});

t.test('a Redis elsewhere is refused before anything starts', async (t) => {
  const { code, err } = await fuzz(t, ['--frames', '10', '--redis', 'redis://10.9.8.7:6379']);
  t.equal(code, 2);
  t.match(err, /--redis must be a redis:\/\/ URL on this machine/);
});
