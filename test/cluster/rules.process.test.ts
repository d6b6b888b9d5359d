/**
 * The same suite of rules passes against a Redis Cluster (issue #8): the rule test files run
 * unchanged, each as its own process (`node --import tsx <file>`), with
 * SWITCH_TEST_REDIS_CLUSTER naming a local three-master cluster started here from redis-server
 * (test/support/redis-cluster.ts). Their test switches, cards, postings, BullMQ queues and block
 * lists then all live on the cluster (test/support/redis.ts). Each file must pass every test it
 * has (none skipped), and the cluster's masters must have served it: a file that quietly used
 * another Redis would not count.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { Redis } from 'ioredis';
import { startLocalCluster } from '../support/redis-cluster.js';
import { CLUSTER_ENV } from '../support/redis.js';
import { cleanEnv } from '../support/process.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
// Nine test files one after the other (about 30 s alone, more beside the rest of the suite):
// more than the suite's per-file timeout allows.
t.setTimeout(300_000);

/**
 * The rule tests: statuses, three strikes, balances, contactless; postings and reversals; clearing;
 * the offline block list; the fraud monitoring's record and block of a card (its keys in the card's slot).
 */
const RULE_FILES = [
  'test/card/authorize.test.ts',
  'test/card/three-strikes.process.test.ts',
  'test/postings/postings.test.ts',
  'test/postings/lost-answer.test.ts',
  'test/postings/relay.test.ts',
  'test/postings/kill.process.test.ts',
  'test/clearing/clearing-day.test.ts',
  'test/blocking/offline-block-list.test.ts',
  'test/monitoring/monitor.test.ts',
];

interface Run {
  code: number | null;
  /** tap's closing counts, e.g. { total: 62, pass: 62 }. */
  counts: Record<string, number>;
  /** The failures and the tail of stderr, to show when the file did not pass. */
  failures: string;
}

async function runTestFile(file: string, nodes: string[]): Promise<Run> {
  const child = spawn(process.execPath, ['--import', 'tsx', file], {
    cwd: ROOT,
    env: { ...cleanEnv(), [CLUSTER_ENV]: nodes.join(',') },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (err = (err + c.toString()).slice(-2000)));
  const [code] = (await once(child, 'exit')) as [number | null];
  const summary = /^# \{ (.*) \}$/m.exec(out)?.[1] ?? '';
  const counts = Object.fromEntries(
    summary
      .split(', ')
      .filter(Boolean)
      .map((kv) => kv.split(': '))
      .map(([k, v]) => [k!, Number(v)]),
  );
  const failures = [...out.split('\n').filter((l) => /not ok/.test(l)), err.trim()].join('\n');
  return { code, counts, failures };
}

/** Commands each master has served so far (INFO commandstats). */
async function callsPerMaster(nodes: string[]): Promise<number[]> {
  return Promise.all(
    nodes.map(async (node) => {
      const redis = new Redis(`redis://${node}`, { lazyConnect: true, maxRetriesPerRequest: 0 });
      try {
        await redis.connect();
        const stats = await redis.info('commandstats');
        return [...stats.matchAll(/calls=(\d+)/g)].reduce((sum, m) => sum + Number(m[1]), 0);
      } finally {
        redis.disconnect();
      }
    }),
  );
}

t.test('the rule tests pass on a local three-master Redis Cluster', async (t) => {
  const cluster = await startLocalCluster();
  t.teardown(() => cluster.stop());
  t.equal(cluster.nodes.length, 3);
  const before = await callsPerMaster(cluster.nodes);
  for (const file of RULE_FILES) {
    const start = await callsPerMaster(cluster.nodes);
    const run = await runTestFile(file, cluster.nodes);
    const served = (await callsPerMaster(cluster.nodes)).map((n, i) => n - start[i]!);
    const passed = run.code === 0 && run.counts.pass! > 0 && run.counts.pass === run.counts.total && !run.counts.fail;
    t.ok(
      passed,
      `${file}: ${JSON.stringify(run.counts)}`,
      passed ? {} : { failures: run.failures, exitCode: run.code },
    );
    t.ok(
      served.some((n) => n > 10),
      `${file} ran on the cluster (commands per master: ${served.join(', ')})`,
    );
  }
  const served = (await callsPerMaster(cluster.nodes)).map((n, i) => n - before[i]!);
  t.ok(
    served.every((n) => n > 100),
    `every master served the rule tests (${served.join(', ')} commands)`,
  );
});
