/**
 * The fault injector's Lua scripts on their own, on a real Redis (no injector, no switch):
 * create-rule.lua, take-rule.lua and remove-rule.lua through the registry (src/faults/injector.ts).
 */
import t, { type Test } from 'tap';
import { createRuleScript, removeRuleScript, takeRuleScript } from '../../src/faults/injector.js';
import { testRedis } from '../support/redis.js';

async function setup(t: Test) {
  const { redis, prefix } = await testRedis(t);
  const base = `${prefix}{faults}`;
  const keys = { rules: `${base}:rules`, left: `${base}:left`, fired: `${base}:fired`, version: `${base}:version` };
  const create = (id: string, times: string, maxRules = 10) =>
    createRuleScript.run(
      redis,
      { rules: keys.rules, left: keys.left, version: keys.version },
      { id, rule: JSON.stringify({ id, kind: 'drop' }), times, maxRules },
    );
  return { redis, keys, create };
}

t.test('create: a seq per rule, times left unless always, at most maxRules', async (t) => {
  const { redis, keys, create } = await setup(t);
  t.equal(await create('r1', '2'), 1);
  t.equal(await create('r2', 'always'), 2);
  t.same(
    JSON.parse((await redis.hget(keys.rules, 'r1'))!),
    { id: 'r1', kind: 'drop', seq: 1 },
    'the rule kept with its seq',
  );
  t.same(await redis.hgetall(keys.left), { r1: '2' }, '"always" has no count');
  t.equal(await redis.get(keys.version), '2');
  t.equal(await create('r3', '1', 2), 0, 'the most rules kept already');
  t.equal(await redis.hlen(keys.rules), 2);
});

t.test('take: counts down, deletes a spent rule; -2 for always, -1 when gone', async (t) => {
  const { redis, keys, create } = await setup(t);
  await create('once', '2');
  await create('ever', 'always');
  t.equal(await takeRuleScript.run(redis, keys, { id: 'once' }), 1, 'one left');
  t.equal(await redis.hget(keys.fired, 'once'), '1');
  t.equal(await takeRuleScript.run(redis, keys, { id: 'once' }), 0, 'the last one');
  t.equal(await redis.hexists(keys.rules, 'once'), 0, 'spent: deleted');
  t.equal(await redis.hexists(keys.fired, 'once'), 0);
  t.equal(await redis.get(keys.version), '3', 'the version moved, so every switch reloads');
  t.equal(await takeRuleScript.run(redis, keys, { id: 'once' }), -1, 'gone');
  t.equal(await takeRuleScript.run(redis, keys, { id: 'ever' }), -2);
  t.equal(await takeRuleScript.run(redis, keys, { id: 'ever' }), -2);
  t.equal(await redis.hget(keys.fired, 'ever'), '2', 'counted as fired');
  t.equal(await redis.get(keys.version), '3', 'an "always" rule firing changes no version');
});

t.test('remove: 1 when removed (its counts too, the version moved), 0 when there was none', async (t) => {
  const { redis, keys, create } = await setup(t);
  await create('r1', '3');
  await takeRuleScript.run(redis, keys, { id: 'r1' });
  t.equal(await removeRuleScript.run(redis, keys, { id: 'r1' }), 1);
  t.equal(await redis.exists(keys.rules, keys.left, keys.fired), 0, 'rules, left and fired hold nothing of it');
  t.equal(await redis.get(keys.version), '2');
  t.equal(await removeRuleScript.run(redis, keys, { id: 'r1' }), 0);
  t.equal(await redis.get(keys.version), '2', 'nothing removed: the version stays');
});
