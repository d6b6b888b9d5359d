import { createServer } from 'node:net';
import t from 'tap';
import { ListenError, listen } from '../../src/transport/listen.js';

t.test('a port in use is one clear sentence naming the listener and the port', async (t) => {
  const first = createServer();
  await listen(first, 0, '127.0.0.1', 'listener a');
  t.teardown(() => first.close());
  const port = (first.address() as { port: number }).port;
  const second = createServer();
  const e = await listen(second, port, '127.0.0.1', 'listener b').then(
    () => undefined,
    (err: unknown) => err,
  );
  t.type(e, ListenError);
  t.equal(
    (e as Error).message,
    `listener b: port ${port} is already in use on 127.0.0.1 (another switch?): stop what holds it, ` +
      'or choose other ports (SWITCH_PORT, ADMIN_PORT, or the config file)',
  );
  t.equal(second.listening, false);
});

t.test('an address that is not this machine’s', async (t) => {
  // 192.0.2.0/24 is TEST-NET-1: never an address of a test machine.
  const e = await listen(createServer(), 0, '192.0.2.1', 'admin API').then(
    () => undefined,
    (err: unknown) => err,
  );
  t.type(e, ListenError);
  t.equal((e as Error).message, 'admin API: 192.0.2.1 is not an address of this machine');
});
