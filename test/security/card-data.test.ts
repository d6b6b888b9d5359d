/**
 * Card data hygiene after a busy switch day: every shipped scenario (approvals, wrong PINs,
 * blocks, contactless, fuel, completions, reversals, lost answers, refunds, faults) plus an
 * unregistered card and an unreadable PAN, then everything the switch exposes or keeps is
 * searched: terminal traces (described and the hex bytes decoded), /metrics, admin error
 * answers, the switch's log lines and every Redis key and value under its prefix. No clear PAN
 * anywhere; no clear PIN in Redis. (test/run/after.ts greps the logs of the whole run as well.)
 */
import t from 'tap';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { type RegisterRedis, scanEveryMaster } from '../../src/redis/client.js';
import { runScenario } from '../../terminals/scenario/runner.js';
import { textReport } from '../../terminals/scenario/report.js';
import { runOptions, startScenarioSwitch, ISSUER } from '../scenarios/fixtures/switch.js';
import { OPERATOR_HEADERS, TEST_CARD } from '../support/switch.js';
import { TestTerminal, purchase93 } from '../support/terminal.js';
import { addCard, newPan, pinBlock } from '../support/cards.js';
import { findClearPans } from '../support/pan-scan.js';

const DIR = 'scenarios';
// The scenario runner's and the test cards' prefix: every PAN this test makes starts so.
const PREFIXES = new Set(['5019']);
const DISTINCT_PIN = '8163';

/** Every value under the prefix as text, with its key (streams, hashes, lists, sets, sorted sets, strings). */
async function redisContents(redis: RegisterRedis, prefix: string): Promise<{ keys: string[]; values: string[] }> {
  const keys: string[] = [];
  await scanEveryMaster(redis, `${prefix}*`, 1000, async (batch) => {
    keys.push(...batch);
  });
  const values: string[] = [];
  for (const key of keys) {
    const type = await redis.type(key);
    if (type === 'string') values.push((await redis.getBuffer(key))!.toString('latin1'));
    else if (type === 'hash') values.push(...Object.entries(await redis.hgetall(key)).flat());
    else if (type === 'list') values.push(...(await redis.lrange(key, 0, -1)));
    else if (type === 'set') values.push(...(await redis.smembers(key)));
    else if (type === 'zset') values.push(...(await redis.zrange(key, '0', '-1')));
    else if (type === 'stream') for (const [, fields] of await redis.xrange(key, '-', '+')) values.push(...fields);
    else values.push(`<unread ${type}>`);
  }
  return { keys, values };
}

t.test('no clear PAN in traces, metrics, errors, logs or Redis; no clear PIN in Redis', async (t) => {
  const s = await startScenarioSwitch(t);
  for (const f of readdirSync(DIR)
    .filter((n) => n.endsWith('.json'))
    .sort()) {
    const r = await runScenario(join(DIR, f), runOptions(s));
    t.ok(r.passed, `${f} ran`, r.passed ? {} : { diagnostic: true, report: textReport(r) });
  }
  // Beyond the scenarios: a card with a PIN of its own, a card the register does not know, a PAN
  // field that is not digits (the format-error path describes what it could not read).
  const term = await TestTerminal.open(s.port('iso93'));
  t.teardown(() => term.close());
  const card = await addCard(s.sw, { pin: DISTINCT_PIN });
  const approved = await term.send(purchase93({ 2: card.pan, 52: pinBlock(DISTINCT_PIN, card.pan), 41: 'SECTEST1' }));
  t.equal(approved[39], '000', 'the distinct-PIN card approved');
  const unknown = newPan();
  const notRegistered = await term.send(purchase93({ 2: unknown, 52: pinBlock('1234', unknown), 41: 'SECTEST1' }));
  t.not(notRegistered[39], '000', 'the unknown card declined');
  // Packed whole, then the PAN's last digit made a letter in the bytes (the codec would not pack it).
  const frame = term.frame(purchase93({ 2: card.pan, 52: pinBlock('1234', card.pan), 41: 'SECTEST1' }));
  frame[frame.indexOf(card.pan, 0, 'latin1') + card.pan.length - 1] = 0x58;
  // No answer could carry the STAN (field 11 comes after the unreadable field 2): the switch hangs up (docs/PROTOCOL.md).
  term.socket.write(frame);
  await term.closed;
  t.ok(
    s.logs.some((l) => l.msg === 'message could not be unpacked'),
    'the unreadable PAN was logged as a format error',
  );

  const exposed: [string, string][] = [];
  const traced = s.sw.trace.terminalIds();
  t.ok(traced.length >= 5, `${traced.length} terminals traced`);
  for (const id of traced) {
    const res = await fetch(`${s.adminUrl}/terminals/${id}/trace`, { headers: OPERATOR_HEADERS });
    const text = await res.text();
    t.equal(res.status, 200, `trace of ${id}`);
    exposed.push([`trace ${id}`, text]);
    // The raw bytes too: a PAN masked in the description but not in the hex would still leak.
    for (const hex of text.match(/[0-9A-F]{32,}/g) ?? [])
      exposed.push([`trace ${id} bytes`, Buffer.from(hex, 'hex').toString('latin1')]);
  }
  const metrics = await fetch(`${s.adminUrl}/metrics`, { headers: OPERATOR_HEADERS });
  exposed.push(['metrics', await metrics.text()]);
  // An error answer to a request that carries a PAN where it does not belong.
  const wrong = await fetch(`${s.adminUrl}/cards/${card.pan}`, { headers: { authorization: `Bearer ${ISSUER}` } });
  t.ok(wrong.status >= 400 && wrong.status < 500, 'a PAN in the path is refused');
  exposed.push(['admin error', await wrong.text()]);
  const bad = await fetch(`${s.adminUrl}/cards`, {
    method: 'POST',
    headers: { authorization: `Bearer ${ISSUER}`, 'content-type': 'application/json' },
    body: JSON.stringify({ pan: card.pan, pin: 12 }),
  });
  t.ok(bad.status >= 400 && bad.status < 500, 'a malformed card registration is refused');
  exposed.push(['admin error', await bad.text()]);
  exposed.push(['logs', s.logs.map((l) => JSON.stringify(l)).join('\n')]);
  t.ok(s.logs.length > 0, 'the switch logged');

  const { keys, values } = await redisContents(s.redis, s.config.redis.keyPrefix);
  t.ok(keys.length > 50, `${keys.length} Redis keys read`);
  exposed.push(['Redis keys', keys.join('\n')]);
  exposed.push(['Redis values', values.join('\n')]);

  const everything = exposed.map(([, text]) => text).join('\n');
  t.ok(
    everything.includes(`${card.pan.slice(0, 6)}******${card.pan.slice(-4)}`),
    'masked PANs are there (the search looks at real content)',
  );
  t.ok(
    findClearPans(card.pan, PREFIXES).length === 1 && findClearPans(TEST_CARD.pan, PREFIXES).length === 1,
    'the search finds a clear PAN when there is one',
  );
  for (const [where, text] of exposed) {
    const found = findClearPans(text, PREFIXES);
    t.same(
      found.map((p) => `${p.slice(0, 6)}…${p.slice(-4)}`),
      [],
      `no clear PAN in ${where}`,
    );
  }
  t.notOk(values.includes(DISTINCT_PIN), 'no Redis value is the clear PIN');
  t.notOk(
    keys.some((k) => k.includes(DISTINCT_PIN) && k.includes(card.id) === false && /pin/i.test(k)),
    'no key names a PIN',
  );
});
