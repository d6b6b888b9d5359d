/**
 * --icc against a real switch process (src/main.ts under tsx), driven by the bench's own workers
 * in this process: short closed-loop runs of the default mix, the cards seeded with chip keys, in
 * which the switch verifies every chip purchase's ARQC and refuses none (no cryptogram failure),
 * alone and with --mac. That the switch did check them: each card's highest ATC in the register is
 * the last one the workers took for it, and a replayed ATC is refused.
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import t, { type Test } from 'tap';
import { ACTION_CODES, codeSetOf } from '../../src/messages/action-codes.js';
import { type ShippedDialect, dialect } from '../../src/codec/index.js';
import { DEFAULT_CONFIG } from '../../src/config/defaults.js';
import { cardId } from '../../src/crypto/card-id.js';
import { cardKeys } from '../../src/card/keys.js';
import { planCards } from '../../bench/load/cards.js';
import { type LoadOptions, parseCli } from '../../bench/load/cli.js';
import { FRAMING_OF, deleteKeys, startSwitch } from '../../bench/load/harness.js';
import { expectedCodes, loadMix, mixRows } from '../../bench/load/mix.js';
import { runPhase } from '../../bench/load/run.js';
import { seedCards } from '../../bench/load/seed.js';
import { BENCH_CHIP, BENCH_MAC_KEY } from '../../bench/load/switch-config.js';
import {
  buildTemplates,
  carriesIcc,
  frameFrom,
  stanEncoding,
  terminalIdOf,
  toWire,
} from '../../bench/load/templates.js';
import { TestTerminal } from '../support/terminal.js';
import { testRedisUrl } from '../support/redis.js';

const defaultMix = loadMix('default');
// Small pools: quick to seed, and each card is used often enough that its ATCs interleave.
const mix = {
  ...defaultMix,
  cards: Object.fromEntries(Object.entries(defaultMix.cards).map(([k, v]) => [k, { ...v, count: 10 }])),
};

async function run(t: Test, name: ShippedDialect, mac: boolean): Promise<void> {
  const url = await testRedisUrl();
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
  const prefix = `test:bench-icc:${process.pid}:${randomBytes(4).toString('hex')}:`;
  t.teardown(async () => {
    await deleteKeys(redis, prefix);
    await redis.quit();
  });
  const d = dialect(name);
  const codes = codeSetOf(d);
  const framing = FRAMING_OF[name];
  const plan = planCards(mix);
  await seedCards(redis, prefix, plan, BENCH_CHIP.panSequence);
  const sw = await startSwitch({
    dialect: name,
    framing,
    redisUrl: url,
    keyPrefix: prefix,
    maxInFlight: 256,
    maxConnections: 100,
    dir: t.testdir(),
    mac,
    icc: true,
  });
  t.teardown(() => sw.stop());
  const built = buildTemplates(d, framing, mix, plan, new Date(), mac ? BENCH_MAC_KEY : undefined, BENCH_CHIP);
  const wire = toWire(built.templates, stanEncoding(d), built.mac, built.icc);
  const options = parseCli(
    ['--rate', 'max', '--duration', '2', '--warmup', '0', '--connections', '4', '--workers', '2', '--icc'],
    2,
  ) as LoadOptions;
  const phase = await runPhase({
    target: 'switch',
    port: sw.port,
    pid: sw.pid,
    warnings: sw.warnings,
    redisPid: null,
    options,
    dialect: name,
    framing,
    templates: wire,
    byEntry: built.byEntry,
    entries: mix.entries,
    expected: mixRows(mix.entries).map((row) => expectedCodes(row, codes)),
    cores: 2,
    log: () => undefined,
  });

  t.same(phase.requests.errors, {}, 'no wrong MTI, no unmatched STAN');
  t.equal(phase.requests.timeouts, 0);
  t.equal(phase.unexpected, 0, JSON.stringify(phase.entries.filter((e) => e.unexpected !== 0)));
  const failure = ACTION_CODES.cryptogramFailure[codes];
  t.notOk(
    phase.entries.some((e) => e.codes[failure] !== undefined),
    'no cryptogram failure',
  );
  const approved = ACTION_CODES.approved[codes];
  const purchases = phase.entries.filter(
    (e) => e.followUpOf === undefined && carriesIcc(mix.entries.find((x) => x.name === e.name)!),
  );
  t.equal(purchases.length, 12, 'the chip reads of the mix');
  const approvedOnly = ['purchase-pin', 'authorization-pin', 'contactless-pin', 'fuel-completion', 'psam-reversal'];
  for (const e of purchases.filter((p) => approvedOnly.includes(p.name)))
    t.same(e.codes, { [approved]: e.answered }, `${e.name}: every one approved`);
  const chipSent = purchases.reduce((s, e) => s + e.sent, 0);
  t.ok(chipSent > 50, `chip purchases: ${chipSent}`);

  // The switch's word: per card of the pools no status refuses (a PIN-blocked card's ATC is not
  // recorded: wrongPin), its highest
  // verified ATC is the last one taken for it (every request answered, every ARQC verified).
  const secret = Buffer.from(DEFAULT_CONFIG.register.secret, 'hex');
  const cardNumbers = [...plan.values()].flat();
  let checked = 0;
  for (const pool of ['active', 'contactless']) {
    for (const card of plan.get(pool)!) {
      const taken = wire.icc!.atc[cardNumbers.indexOf(card)]!;
      const stored = await redis.hget(cardKeys(prefix, cardId(card.pan, secret)).card, 'atc');
      t.equal(stored === null ? 0 : Number(stored), taken, `${pool} card: the register's ATC is the last sent`);
      if (taken > 0) checked++;
    }
  }
  t.ok(checked >= 10, `cards whose ATC moved: ${checked}`);

  // A replay: a card's counter rewound, so its first ATC goes again.
  const term = await TestTerminal.open(sw.port, name, framing.header);
  t.teardown(() => term.close());
  const e = mix.entries.findIndex((x) => x.name === 'purchase-pin');
  const i = built.byEntry[e]![0]!;
  wire.icc!.atc[wire.icc!.card[i]!] = 0;
  const stan = 424_242;
  const answer = term.expect(String(stan));
  term.socket.write(frameFrom(wire, i, stan, Buffer.from(terminalIdOf(999), 'latin1')));
  t.equal((await answer)[39], failure, 'a replayed ATC: cryptogram failure');
  await sw.stop();
}

for (const [name, mac] of [
  ['iso93ascii', false],
  ['iso87ascii', true],
  ['iso93binary', true],
] as const) {
  t.test(`${name}, --icc${mac ? ' --mac' : ''}: every chip purchase's cryptogram verified, none refused`, (t) =>
    run(t, name, mac),
  );
}
