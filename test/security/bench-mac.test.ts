/**
 * The load benchmark's --mac: the chip share of the mix carries a retail MAC computed per send
 * over the patched frame (STAN, terminal id, original STAN), in every dialect; the other entries
 * carry none; and a MACed template is accepted by a switch whose listener requires MACs.
 */
import t from 'tap';
import { SHIPPED_DIALECTS, dialect } from '../../src/codec/index.js';
import { FrameReader } from '../../src/transport/framing.js';
import { TerminalKeys } from '../../src/crypto/terminal-keys.js';
import { macStatus } from '../../src/authorization/message-mac.js';
import { planCards } from '../../bench/load/cards.js';
import { loadMix } from '../../bench/load/mix.js';
import { BENCH_MAC_KEY, FRAMING_OF, TERMINAL_KEYS, switchConfig } from '../../bench/load/switch-config.js';
import { buildTemplates, frameFrom, isChip, stanEncoding, terminalIdOf, toWire } from '../../bench/load/templates.js';
import { parseCli } from '../../bench/load/cli.js';
import { startSwitch } from '../support/switch.js';
import { TestTerminal } from '../support/terminal.js';
import { join } from 'node:path';

const AT = new Date('2026-11-21T14:30:15Z');
const mix = loadMix('default');
const small = { ...mix, cards: Object.fromEntries(Object.entries(mix.cards).map(([k, v]) => [k, { ...v, count: 2 }])) };
const plan = planCards(small);

for (const name of SHIPPED_DIALECTS) {
  t.test(`${name}: the chip share is MACed per send, the rest not`, async (t) => {
    const d = dialect(name);
    const framing = FRAMING_OF[name];
    const { templates, byEntry, mac } = buildTemplates(d, framing, small, plan, AT, BENCH_MAC_KEY);
    const wire = toWire(templates, stanEncoding(d), mac);
    t.equal(wire.mac?.hex, name !== 'iso93binary', 'hex where the dialect writes field 64 in hex');
    const chip = small.entries.filter(isChip).length;
    t.ok(chip > 0 && chip < small.entries.length, 'the default mix has a chip share and more');
    for (const [e, entry] of small.entries.entries()) {
      const i = byEntry[e]![0]!;
      const frame = frameFrom(wire, i, 4242, Buffer.from(terminalIdOf(17)));
      const body = new FrameReader(framing).push(frame)[0]!.body;
      const m = d.unpack(body);
      t.equal(Number(m[11]), 4242);
      if (isChip(entry)) t.equal(macStatus(d, body, m, BENCH_MAC_KEY), 'right', `${entry.name}: MACed`);
      else t.equal(m[64], undefined, `${entry.name}: not MACed`);
      const follow = wire.followUp[i]!;
      if (follow >= 0 && isChip(entry)) {
        const next = new FrameReader(framing).push(
          frameFrom(wire, follow, 4243, Buffer.from(terminalIdOf(17)), 4242),
        )[0]!.body;
        t.equal(macStatus(d, next, d.unpack(next), BENCH_MAC_KEY), 'right', `${entry.name}'s follow-up: MACed`);
      }
    }
    const plain = toWire(buildTemplates(d, framing, small, plan, AT).templates, stanEncoding(d));
    t.equal(plain.mac, undefined);
    t.ok(
      plain.macAt.every((x) => x === -1),
      'without --mac nothing is MACed',
    );
    t.throws(
      () =>
        frameFrom(
          { ...wire, mac: undefined },
          byEntry[small.entries.findIndex(isChip)]![0]!,
          1,
          Buffer.from('B0000001'),
        ),
      /needs the MAC key/,
    );
  });
}

t.test('--mac: the option, the listener and the key file', async (t) => {
  t.equal((parseCli(['--rate', '10', '--mac'], 2) as { mac: boolean }).mac, true);
  t.equal((parseCli(['--rate', '10'], 2) as { mac: boolean }).mac, false);
  const settings = {
    dialect: 'iso93ascii' as const,
    framing: FRAMING_OF.iso93ascii,
    redisUrl: 'redis://127.0.0.1:6379',
    keyPrefix: 'b:',
    maxInFlight: 8,
    maxConnections: 10,
    dir: '/tmp/x',
  };
  const listener = (c: object) => (c as { listeners: { mac?: string }[] }).listeners[0]!;
  t.equal(listener(switchConfig({ ...settings, mac: true }, { listener: 1, admin: 2 })).mac, 'optional');
  t.equal(listener(switchConfig(settings, { listener: 1, admin: 2 })).mac, undefined);
  t.same(TerminalKeys.fromJson(TERMINAL_KEYS).keyFor('B0000001').macKey, BENCH_MAC_KEY);
});

t.test('a MACed bench template passes a switch that requires MACs', async (t) => {
  const dir = t.testdir({ 'keys.json': JSON.stringify(TERMINAL_KEYS) });
  const s = await startSwitch(t, {
    terminals: { keyFile: join(dir, 'keys.json') },
    listeners: [{ name: 'req', host: '127.0.0.1', port: 0, dialect: 'iso93ascii', mac: 'required' }],
  });
  const d = dialect('iso93ascii');
  const { templates, byEntry, mac } = buildTemplates(d, FRAMING_OF.iso93ascii, small, plan, AT, BENCH_MAC_KEY);
  const wire = toWire(templates, stanEncoding(d), mac);
  const term = await TestTerminal.open(s.port('req'));
  t.teardown(() => term.close());
  const e = small.entries.findIndex(isChip);
  const answered = term.expect('000777');
  term.socket.write(frameFrom(wire, byEntry[e]![0]!, 777, Buffer.from(terminalIdOf(3))));
  const answer = await answered;
  t.not(answer[39], '916', `the MAC is right (the card, not seeded here, answers ${String(answer[39])})`);
  t.ok(Buffer.isBuffer(answer[64]), 'and the answer is MACed');
  const other = small.entries.findIndex((x) => !isChip(x));
  const refused = term.expect('000778');
  term.socket.write(frameFrom(wire, byEntry[other]![0]!, 778, Buffer.from(terminalIdOf(3))));
  t.equal((await refused)[39], '916', 'an entry outside the chip share carries no MAC: refused where required');
});
