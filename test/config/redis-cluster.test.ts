/** Naming a Redis Cluster: redis.cluster in the file, REDIS_CLUSTER in the environment, and what may not go with it. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { ConfigError, loadConfig } from '../../src/config/load.js';

function fromFile(t: Test, content: unknown, env: NodeJS.ProcessEnv = {}) {
  const file = join(t.testdir(), 'switch.json');
  writeFileSync(file, JSON.stringify(content));
  return loadConfig({ file, env });
}

/** The problems of the ConfigError `fn` throws. */
function problems(t: Test, fn: () => unknown): string[] {
  try {
    fn();
  } catch (e) {
    t.type(e, ConfigError);
    return (e as ConfigError).problems;
  }
  t.fail('no ConfigError thrown');
  return [];
}

t.test('redis.cluster in the file: seed nodes host:port', async (t) => {
  const config = fromFile(t, { redis: { cluster: ['10.0.0.1:7000', 'redis-b:7001', '[::1]:7002'] } });
  t.same(config.redis.cluster, ['10.0.0.1:7000', 'redis-b:7001', '[::1]:7002']);
  t.equal(config.redis.url, undefined);
  t.equal(loadConfig({ env: {} }).redis.cluster, undefined, 'none by default: one Redis');
  const bad = problems(t, () =>
    fromFile(t, { redis: { cluster: ['redis://10.0.0.1:7000', '10.0.0.1', '10.0.0.1:70000'] } }),
  );
  t.equal(bad.length, 3, 'each bad node named');
  t.ok(bad.every((p) => p.startsWith('/redis/cluster/')));
  t.match(
    problems(t, () => fromFile(t, { redis: { cluster: [] } })),
    [/^\/redis\/cluster must NOT have fewer than 1 items/],
  );
});

t.test(
  "REDIS_CLUSTER: comma-separated nodes; it replaces the file's url, REDIS_URL replaces the file's cluster",
  async (t) => {
    t.same(
      loadConfig({ env: { REDIS_CLUSTER: '10.0.0.1:7000, 10.0.0.2:7000,10.0.0.1:7000' } }).redis.cluster,
      ['10.0.0.1:7000', '10.0.0.2:7000'],
      'trimmed, each once',
    );
    const overUrl = fromFile(t, { redis: { url: 'redis://10.0.0.9:6379' } }, { REDIS_CLUSTER: '10.0.0.1:7000' });
    t.same([overUrl.redis.url, overUrl.redis.cluster], [undefined, ['10.0.0.1:7000']]);
    const overCluster = fromFile(t, { redis: { cluster: ['10.0.0.1:7000'] } }, { REDIS_URL: 'redis://10.0.0.9:6379' });
    t.same([overCluster.redis.url, overCluster.redis.cluster], ['redis://10.0.0.9:6379', undefined]);
    t.same(
      problems(t, () => loadConfig({ env: { REDIS_CLUSTER: '10.0.0.1:7000,nohost,:1' } })),
      ['REDIS_CLUSTER: "nohost", ":1" are not host:port'],
    );
    t.same(
      problems(t, () => loadConfig({ env: { REDIS_CLUSTER: 'a:0' } })),
      ['REDIS_CLUSTER: "a:0" is not host:port'],
    );
    t.same(
      problems(t, () => loadConfig({ env: { REDIS_CLUSTER: 'a:1', REDIS_URL: 'redis://b:2' } })),
      ['REDIS_URL and REDIS_CLUSTER are both set: name one Redis'],
    );
    t.same(loadConfig({ env: { REDIS_CLUSTER: '' } }).redis.cluster, undefined, 'empty counts as unset');
  },
);

t.test('on a cluster: not also a url, and no braces in the key prefix', async (t) => {
  t.same(
    problems(t, () => fromFile(t, { redis: { url: 'redis://a:1', cluster: ['b:2'] } })),
    ['/redis/url and /redis/cluster are both set: name one Redis'],
  );
  t.same(
    problems(t, () => fromFile(t, { redis: { cluster: ['b:2'], keyPrefix: 'sw{1}:' } })),
    ["/redis/keyPrefix must not hold { or } on a Redis Cluster: it would change the keys' hash tags"],
  );
  t.equal(
    fromFile(t, { redis: { keyPrefix: 'sw{1}:' } }).redis.keyPrefix,
    'sw{1}:',
    'on one Redis the prefix is free as before',
  );
});
