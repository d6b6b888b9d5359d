/**
 * The load benchmark's misbehaving clients (bench/load/hostile.ts) against a real switch with
 * short limits: slow clients are closed by the switch's frame timeout and come back, a flood
 * beyond the connection limit is shed and retries, the flood within the limit is held, and
 * stop() ends them all.
 */
import t from 'tap';
import { setTimeout as sleep } from 'node:timers/promises';
import { startHostile } from '../../bench/load/hostile.js';
import { OPERATOR_HEADERS, startSwitch } from '../support/switch.js';

const LONG = 600_000;
// Longer than the second within which hostile.ts counts a close as shed (not a frame timeout).
const FRAME_TIMEOUT = 1200;
const MAX_CONNECTIONS = 6;

async function openConnections(adminUrl: string): Promise<number> {
  const text = await (await fetch(`${adminUrl}/metrics`, { headers: OPERATOR_HEADERS })).text();
  return Number(/^switch_open_connections\{listener="iso93"\} (\d+)$/m.exec(text)?.[1] ?? NaN);
}

t.test('slow clients come back after each frame timeout; a flood beyond the limit is shed and retries', async (t) => {
  const connections = {
    idleTimeoutMs: LONG,
    firstFrameTimeoutMs: LONG,
    frameTimeoutMs: FRAME_TIMEOUT,
    maxConnections: MAX_CONNECTIONS,
  };
  const s = await startSwitch(t, { listeners: [{ name: 'iso93', host: '127.0.0.1', port: 0, connections }] });
  const hostile = startHostile({ port: s.port('iso93'), slow: 2, flood: 8 });
  t.teardown(() => hostile.stop());
  // Two frame timeouts for the slow ones, and the shed part of the flood back at least once (1 s).
  await sleep(2 * FRAME_TIMEOUT + 1400);
  const during = await openConnections(s.adminUrl);
  const counts = hostile.stop();
  t.ok(
    during >= 1 && during <= MAX_CONNECTIONS,
    `the switch held no more than its limit (${during} of ${MAX_CONNECTIONS})`,
  );
  t.ok(
    counts.slowClosed >= 2,
    `the slow clients were closed by the frame timeout and came back (${counts.slowClosed} closes)`,
  );
  t.ok(
    counts.floodShed >= 4,
    `the flood beyond the limit was shed, and again when it came back (${counts.floodShed} sheds)`,
  );
  t.ok(
    counts.floodHeld >= 1 && counts.floodHeld <= MAX_CONNECTIONS,
    `some of the flood held, silent (${counts.floodHeld})`,
  );
  t.same(hostile.stop(), counts, 'a second stop gives the same counts');
  for (let i = 0; i < 100 && (await openConnections(s.adminUrl)) > 0; i++) await sleep(20);
  t.equal(await openConnections(s.adminUrl), 0, 'stop() closed every one');
});
