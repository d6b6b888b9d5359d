/**
 * The load benchmark's --icc: the chip share's purchases carry field 55 with an ARQC that
 * verifies under the card's key for each send's ATC, the ATC moving on per card across templates
 * and threads (a SharedArrayBuffer), in every dialect; follow-ups and the rest of the mix carry
 * none; with --mac the MAC covers field 55. The ARQCs are checked with src/crypto/emv (tested
 * against pyemv's published vectors, test/crypto/emv-*.test.ts) under the switch's default key
 * for the dankort product, not with the bench's code.
 */
import { MessageChannel } from 'node:worker_threads';
import t from 'tap';
import { SHIPPED_DIALECTS, dialect } from '../../src/codec/index.js';
import { decodeTlv, tlvByTag } from '../../src/codec/tlv.js';
import { DEFAULT_CONFIG } from '../../src/config/defaults.js';
import { arqcData, arqcMatches, cryptogramKey } from '../../src/crypto/emv/cryptogram.js';
import { deriveCardMasterKey } from '../../src/crypto/emv/keys.js';
import { macStatus } from '../../src/authorization/message-mac.js';
import { FrameReader, encodeFrame } from '../../src/transport/framing.js';
import { CardRegister } from '../../src/card/card-register.js';
import { systemClock } from '../../src/time/clock.js';
import { chipField, chipRequest } from '../../terminals/chip.js';
import { planCards } from '../../bench/load/cards.js';
import { parseCli } from '../../bench/load/cli.js';
import { ATC_IN_DATA, type IccTemplate, locateIcc, toWireIcc } from '../../bench/load/icc.js';
import { loadMix } from '../../bench/load/mix.js';
import { seedCards } from '../../bench/load/seed.js';
import { BENCH_CHIP, BENCH_MAC_KEY, FRAMING_OF, switchConfig } from '../../bench/load/switch-config.js';
import {
  type TemplateWire,
  buildTemplates,
  carriesIcc,
  isChip,
  frameFrom,
  localTimeAt,
  requestFor,
  stanEncoding,
  terminalIdOf,
  toWire,
} from '../../bench/load/templates.js';
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { deleteKeys } from '../../bench/load/harness.js';
import { testRedisUrl } from '../support/redis.js';

const AT = new Date('2026-11-21T14:30:15Z');
const mix = loadMix('default');
const small = { ...mix, cards: Object.fromEntries(Object.entries(mix.cards).map(([k, v]) => [k, { ...v, count: 2 }])) };
const plan = planCards(small);
const TERMINAL = Buffer.from(terminalIdOf(5), 'latin1');
/** The switch's key for the bench cards' product, and the PAN sequence number they are seeded with. */
const IMK = Buffer.from(DEFAULT_CONFIG.register.issuerMasterKeys!.dankort!.ac!, 'hex');
const PSN = '01';

/** The default mix's chip reads (x100/x200, inserted or contactless chip, any processing code; not internet). */
const CHIP_PURCHASES = [
  'purchase-pin',
  'authorization-pin',
  'contactless',
  'contactless-pin',
  'wrong-pin',
  'pin-retry',
  'refund',
  'blocked',
  'expired',
  'fuel-completion',
  'psam-reversal',
  'atm-withdrawal',
];

/** Field 55's objects by tag, however the dialect carries it. */
function icc(value: unknown): Map<string, Buffer> {
  const bytes = typeof value === 'string' ? Buffer.from(value, 'hex') : (value as Buffer);
  return tlvByTag(decodeTlv(bytes));
}

/** Whether the ARQC of field 55 is the card's for its ATC, computed with src/crypto/emv. */
function verifies(pan: string, byTag: Map<string, Buffer>): boolean {
  const atc = byTag.get('9F36')!;
  const key = cryptogramKey('ccd5', deriveCardMasterKey(IMK, pan, PSN), atc);
  return arqcMatches('ccd5', key, arqcData('ccd5', byTag), byTag.get('9F26')!);
}

for (const name of SHIPPED_DIALECTS) {
  t.test(`${name}: the chip purchases carry a verifying ARQC, a new ATC per send`, async (t) => {
    const d = dialect(name);
    const framing = FRAMING_OF[name];
    const { templates, byEntry, icc: keys } = buildTemplates(d, framing, small, plan, AT, undefined, BENCH_CHIP);
    const wire = toWire(templates, stanEncoding(d), undefined, keys);
    t.equal(wire.icc?.hex, name === 'iso87ascii', 'hex characters where field 55 is a character field');
    t.same(
      small.entries.filter(carriesIcc).map((e) => e.name),
      CHIP_PURCHASES,
    );
    const unpack = (frame: Buffer) => d.unpack(new FrameReader(framing).push(frame)[0]!.body);
    const plain = toWire(buildTemplates(d, framing, small, plan, AT).templates, stanEncoding(d));
    // The first card of the active pool: used by several entries, one ATC counter.
    const shared: number[] = [];
    for (const [e, entry] of small.entries.entries()) {
      const cards = plan.get(entry.cards)!;
      for (const [j, card] of cards.entries()) {
        const i = byEntry[e]![j]!;
        const m = unpack(frameFrom(wire, i, 77, TERMINAL));
        const { 55: field, ...rest } = m;
        t.same(rest, unpack(frameFrom(plain, i, 77, TERMINAL)), `${entry.name}: the rest of the request as without`);
        if (!carriesIcc(entry)) {
          t.equal(field, undefined, `${entry.name}: no field 55`);
          continue;
        }
        t.equal(typeof field, name === 'iso87ascii' ? 'string' : 'object');
        const first = icc(field);
        t.ok(verifies(card.pan, first), `${entry.name} card ${j}: the ARQC verifies`);
        t.same(first.get('5F34'), Buffer.from(PSN, 'hex'));
        t.same(first.get('9F02'), Buffer.from(String(entry.amount).padStart(12, '0'), 'hex'), 'the amount');
        t.same(first.get('9A'), Buffer.from(localTimeAt(AT).slice(0, 6), 'hex'), 'the local date');
        const type = entry.processingCode.slice(0, 2);
        t.same(first.get('9C'), Buffer.from(type, 'hex'), 'the transaction type: the processing code');
        const second = icc(unpack(frameFrom(wire, i, 78, TERMINAL))[55]);
        t.equal(second.get('9F36')!.readUInt16BE(0), first.get('9F36')!.readUInt16BE(0) + 1, 'the next ATC');
        t.ok(verifies(card.pan, second), 'its ARQC verifies');
        t.notSame(second.get('9F26'), first.get('9F26'), 'a new ARQC');
        if (entry.cards === 'active' && j === 0)
          shared.push(first.get('9F36')!.readUInt16BE(0), second.get('9F36')!.readUInt16BE(0));
        // Byte for byte what the emulator's chip makes for this ATC (and the template's unpredictable number).
        const atc = first.get('9F36')!.readUInt16BE(0);
        const sale = {
          pan: card.pan,
          amount: entry.amount,
          currency: '208',
          date: localTimeAt(AT).slice(0, 6),
          type,
        };
        const made = chipRequest(
          { issuerMasterKey: IMK, panSequence: PSN, version: 'ccd5' },
          sale,
          first.get('9F37'),
          atc,
        );
        const expected = {
          ...requestFor(d, entry, card, AT, '000077', terminalIdOf(5)),
          55: chipField(made.objects, name === 'iso87ascii'),
        };
        // The card's counter rewound by the two sends: the first one's ATC again, then put back.
        const counter = wire.icc!.card[i]!;
        wire.icc!.atc[counter]! -= 2;
        t.same(frameFrom(wire, i, 77, TERMINAL), encodeFrame(framing, d.pack(expected)), 'the packed request');
        wire.icc!.atc[counter]! += 1;
      }
      const follow = wire.followUp[byEntry[e]![0]!]!;
      if (follow >= 0)
        t.equal(unpack(frameFrom(wire, follow, 79, TERMINAL, 77))[55], undefined, `${entry.name} then: no field 55`);
    }
    t.same(
      shared,
      Array.from({ length: shared.length }, (_, k) => k + 1),
      'one counter per card across the entries using it',
    );
  });
}

t.test('the ATC counters are shared with the workers, and wrap as a chip counts', async (t) => {
  const d = dialect('iso93ascii');
  const {
    templates,
    byEntry,
    icc: keys,
  } = buildTemplates(d, FRAMING_OF.iso93ascii, small, plan, AT, undefined, BENCH_CHIP);
  const wire = toWire(templates, stanEncoding(d), undefined, keys);
  // As a worker gets it: structured clone (workerData and postMessage clone alike).
  const { port1, port2 } = new MessageChannel();
  const received = new Promise<TemplateWire>((resolve) => port2.once('message', resolve));
  port1.postMessage(wire);
  const other = await received;
  port1.close();
  const i = byEntry[0]![0]!;
  const atcOf = (w: TemplateWire): number =>
    icc(d.unpack(frameFrom(w, i, 1, TERMINAL).subarray(2))[55])
      .get('9F36')!
      .readUInt16BE(0);
  t.same([atcOf(wire), atcOf(other), atcOf(other), atcOf(wire)], [1, 2, 3, 4], 'no ATC twice across threads');
  wire.icc!.atc[wire.icc!.card[i]!] = 65_533;
  t.same([atcOf(other), atcOf(wire)], [65_534, 65_535]);
  const wrapped = frameFrom(wire, i, 1, TERMINAL).subarray(2);
  const byTag = icc(d.unpack(wrapped)[55]);
  t.equal(byTag.get('9F36')!.readUInt16BE(0), 1, 'after 65535, 1 again (terminals/chip.ts nextAtc)');
  t.ok(verifies(plan.get('active')![0]!.pan, byTag));
  t.equal(ATC_IN_DATA, 31, "the ATC's offset in the ARQC data (EMV Book 2, Table 26: 6+6+2+5+2+3+1+4+2)");
});

for (const name of SHIPPED_DIALECTS) {
  t.test(`${name}: with --mac too, the MAC covers field 55 as patched`, async (t) => {
    const d = dialect(name);
    const framing = FRAMING_OF[name];
    const built = buildTemplates(d, framing, small, plan, AT, BENCH_MAC_KEY, BENCH_CHIP);
    const wire = toWire(built.templates, stanEncoding(d), built.mac, built.icc);
    for (const [e, entry] of small.entries.entries()) {
      if (!carriesIcc(entry)) continue;
      const card = plan.get(entry.cards)![1]!;
      for (const stan of [11, 12]) {
        const body = new FrameReader(framing).push(frameFrom(wire, byEntryOf(built.byEntry, e), stan, TERMINAL))[0]!
          .body;
        const m = d.unpack(body);
        // The MAC is the chip share's (isChip): a contactless read is not MACed, its field 55 is there all the same.
        const mac = isChip(entry) ? 'right' : 'absent';
        t.equal(macStatus(d, body, m, BENCH_MAC_KEY), mac, `${entry.name}: MAC ${mac}`);
        t.ok(verifies(card.pan, icc(m[55])), `${entry.name}: and its ARQC verifies`);
      }
    }
  });
}

/** An entry's template for the second card of its pool. */
const byEntryOf = (byEntry: number[][], e: number): number => byEntry[e]![1]!;

t.test('without --icc: no field 55, no chip keys', async (t) => {
  const d = dialect('iso93ascii');
  const built = buildTemplates(d, FRAMING_OF.iso93ascii, small, plan, AT, BENCH_MAC_KEY);
  t.equal(built.icc, undefined);
  const wire = toWire(built.templates, stanEncoding(d), built.mac);
  t.equal(wire.icc, undefined);
  t.ok(built.templates.every((x) => x.icc === undefined));
});

t.test('where field 55 is not found, and templates that do not agree', async (t) => {
  const d = dialect('iso93ascii');
  const body = d.pack(requestFor(d, small.entries[0]!, plan.get('active')![0]!, AT));
  t.throws(() => locateIcc(d, body, Buffer.from('9F3602', 'hex')), /field 55 is not where expected/);
  t.throws(
    () =>
      locateIcc(d, d.pack({ ...d.unpack(body), 55: Buffer.from('9F360200AA', 'hex') }), Buffer.from('9F3602', 'hex')),
    /field 55 is not where expected/,
    'a field 55 of other bytes',
  );
  t.throws(() => locateIcc(d, body.subarray(0, 20), Buffer.alloc(1)), 'an unreadable message');
  const keys = { version: 'ccd5' as const, keys: new Uint8Array(32), atc: new Int32Array(2), hex: false };
  const one = (length: number): { icc: IccTemplate } => ({
    icc: { card: 0, atcAt: 0, arqcAt: 0, data: Buffer.alloc(length) },
  });
  t.throws(() => toWireIcc(keys, [one(65), {}, one(64)]), /ARQC data of different lengths/);
  const wire = toWireIcc(keys, [one(65), {}, one(65)]);
  t.same([...wire.card], [0, -1, 0]);
  t.same([...wire.dataAt], [0, 0, 65]);
  t.equal(toWireIcc(keys, [{}]).dataLength, 0, 'no template with field 55');
});

t.test('--icc: the option, the switch config, and cards seeded with chip keys', async (t) => {
  t.equal((parseCli(['--rate', '10', '--icc'], 2) as { icc: boolean }).icc, true);
  t.equal((parseCli(['--rate', '10'], 2) as { icc: boolean }).icc, false);
  const settings = {
    dialect: 'iso93ascii' as const,
    framing: FRAMING_OF.iso93ascii,
    redisUrl: 'redis://127.0.0.1:6379',
    keyPrefix: 'b:',
    maxInFlight: 8,
    maxConnections: 10,
    dir: '/tmp/x',
  };
  const register = (c: object) => (c as { register: { issuerMasterKeys?: object } }).register;
  t.same(register(switchConfig({ ...settings, icc: true }, { listener: 1, admin: 2 })).issuerMasterKeys, {
    dankort: { ac: IMK.toString('hex').toUpperCase() },
  });
  t.equal(register(switchConfig(settings, { listener: 1, admin: 2 })).issuerMasterKeys, undefined);
  t.same(BENCH_CHIP.issuerMasterKey, IMK, "the bench's key is the switch's default for dankort");

  const redis = new Redis(await testRedisUrl(), { lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
  const prefix = `test:icc:${process.pid}:${randomBytes(4).toString('hex')}:`;
  t.teardown(async () => {
    await deleteKeys(redis, prefix);
    await redis.quit();
  });
  const pools = { active: plan.get('active')!.slice(0, 1), blocked: plan.get('blocked')!.slice(0, 1) };
  const chipped = new Map(Object.entries(pools));
  t.equal(await seedCards(redis, prefix, chipped, BENCH_CHIP.panSequence), 2);
  const cards = new CardRegister(redis, prefix, DEFAULT_CONFIG.register, systemClock);
  t.same(await cards.chipCardOf(pools.active[0]!.pan), { product: 'dankort', panSequence: '01' });
  t.same(await cards.chipCardOf(pools.blocked[0]!.pan), { product: 'dankort', panSequence: '01' });
  const other = new Map([['active', plan.get('active')!.slice(1, 2)]]);
  await seedCards(redis, prefix, other);
  t.equal(await cards.chipCardOf(plan.get('active')![1]!.pan), undefined, 'without --icc: no chip keys');
});
