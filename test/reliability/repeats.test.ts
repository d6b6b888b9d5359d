/**
 * Retransmissions and repeated advices never double-post (issue #8), with the copies arriving
 * at one switch process at the same moment, each on a connection of its own. The same scenarios
 * run over two processes behind one port in multi-process.process.test.ts.
 */
import t from 'tap';
import { startSwitch } from '../support/switch.js';
import { repeatScenarios } from './support/repeats.js';

t.test('one switch process: copies at once post once', async (t) => {
  const here = await startSwitch(t);
  await repeatScenarios(
    t,
    { sw: here.sw, redis: here.redis, prefix: here.config.redis.keyPrefix, port: here.port('iso93') },
    'TERMREP1',
  );
});
