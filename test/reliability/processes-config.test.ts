/**
 * The `processes` setting (several switch processes on one host, docs/OPERATIONS.md): from the
 * file, from SWITCH_PROCESSES, bounded; a bad value is a config error naming it.
 */
import t from 'tap';
import { ConfigError, loadConfig } from '../../src/config/load.js';

t.test('processes: default 1, from the file, from SWITCH_PROCESSES (which wins)', async (t) => {
  t.equal(loadConfig({ env: {} }).processes, 1, 'one process unless asked');
  const dir = t.testdir({
    'two.json': JSON.stringify({ processes: 2 }),
    'zero.json': JSON.stringify({ processes: 0 }),
  });
  t.equal(loadConfig({ file: `${dir}/two.json`, env: {} }).processes, 2, 'from the file');
  t.equal(
    loadConfig({ file: `${dir}/two.json`, env: { SWITCH_PROCESSES: '4' } }).processes,
    4,
    'the environment beats the file',
  );
  t.equal(loadConfig({ env: { SWITCH_PROCESSES: '' } }).processes, 1, 'an empty variable is unset');
  t.throws(
    () => loadConfig({ file: `${dir}/zero.json`, env: {} }),
    { message: /\/processes must be >= 1/ },
    'the file: at least 1',
  );
  for (const bad of ['0', '65', 'two', '1.5', '-1']) {
    t.throws(
      () => loadConfig({ env: { SWITCH_PROCESSES: bad } }),
      new ConfigError(`SWITCH_PROCESSES=${JSON.stringify(bad)} is not a process count (an integer 1..64)`),
      `SWITCH_PROCESSES=${bad} refused`,
    );
  }
});
