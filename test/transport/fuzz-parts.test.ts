/**
 * The fuzzer's own parts (scripts/fuzz): a generator that reproduces from its seed and makes what
 * each category promises, an oracle and a judge that tell a documented outcome from a violation,
 * a runner that reports silence and wrong answers from a server that misbehaves, the memory
 * verdict, and the command line. A fuzzer that cannot fail proves nothing: these show it can.
 */
import t, { type Test } from 'tap';
import { type AddressInfo, type Socket, createServer } from 'node:net';
import { dialect } from '../../src/codec/index.js';
import { encodeFrame, headerSize } from '../../src/transport/framing.js';
import { FrameGenerator, MUTATIONS, header, mutate, validMessage } from '../../scripts/fuzz/generator.js';
import { expectWholeFrame, formatErrorCode } from '../../scripts/fuzz/oracle.js';
import { judge, runFuzz } from '../../scripts/fuzz/runner.js';
import { formatSummary } from '../../scripts/fuzz/report.js';
import { formatMemory, memoryVerdict } from '../../scripts/fuzz/memory.js';
import { CliError, parseCli } from '../../scripts/fuzz/cli.js';
import { FUZZ_TARGETS, type FuzzTarget } from '../../scripts/fuzz/targets.js';
import { prng } from '../../bench/support/prng.js';
import { startSwitch } from '../support/switch.js';
import { TestTerminal, purchase93 } from '../support/terminal.js';

const byName = (name: string): FuzzTarget => FUZZ_TARGETS.find((x) => x.listener === name)!;
const iso93 = byName('iso93');
const iso93b = byName('iso93b');
const iso87 = byName('iso87');

t.test('the generator: same seed, same frames; each category makes what it promises', async (t) => {
  const a = new FrameGenerator(99);
  const b = new FrameGenerator(99);
  const other = new FrameGenerator(100);
  let differs = false;
  const seen = new Map<string, number>();
  for (let i = 0; i < 3000; i++) {
    const [x, y, z] = [a.next(), b.next(), other.next()];
    if (x.index !== i) t.fail(`case ${i} numbered ${x.index}`);
    if (
      x.category !== y.category ||
      !x.frames.every((f, k) => f.bytes.equals(y.frames[k]!.bytes) && f.cuts.join() === y.frames[k]!.cuts.join())
    ) {
      t.fail(`case ${i} differs between two generators with the same seed`);
      break;
    }
    differs ||= !x.frames[0]!.bytes.equals(z.frames[0]!.bytes);
    seen.set(x.category, (seen.get(x.category) ?? 0) + 1);
    for (const f of x.frames) checkFrame(t, x.category, f);
  }
  t.ok(differs, 'another seed, other frames');
  t.same(
    [...seen.keys()].filter((c) => c.startsWith('mutated/')).sort(),
    MUTATIONS.map((m) => `mutated/${m}`).sort(),
    'every mutation made',
  );
  for (const c of [
    'valid',
    'random-bytes',
    'huge-length',
    'bad-header',
    'keep-alive',
    'short-tpdu',
    'stalled',
    'interleaved',
  ])
    t.ok(seen.has(c), `${c} made`);
});

/** What the frame's bytes must be for its category: checked from the bytes, not from the generator's word. */
function checkFrame(
  t: Test,
  category: string,
  f: { target: FuzzTarget; bytes: Buffer; expect: { kind: string }; cuts: number[] },
): void {
  const size = headerSize(f.target.framing.header);
  const declared = (): number => {
    const h = f.bytes.subarray(0, size);
    if (f.target.framing.header === 'binary2') return h.readUInt16BE(0);
    if (f.target.framing.header === 'ascii4')
      return /^\d{4}$/.test(h.toString('latin1')) ? Number(h.toString('latin1')) : -1;
    return /^\d{4}$/.test(h.toString('hex')) ? Number(h.toString('hex')) : -1;
  };
  const fail = (why: string): void => void t.fail(`${category}: ${why}`);
  if (!f.cuts.every((c, i) => c > 0 && c < f.bytes.length && (i === 0 || c > f.cuts[i - 1]!)))
    fail('cuts out of order or out of the frame');
  if (category === 'huge-length' && !(declared() > f.target.framing.maxFrameSize && f.expect.kind === 'close'))
    fail('declares no more than the maximum');
  if (category === 'bad-header' && !(declared() === -1 && f.expect.kind === 'close')) fail('header is a number');
  if (category === 'stalled' && !(f.bytes.length < size || declared() > f.bytes.length - size))
    fail('not short of its declared length');
  if (
    category === 'short-tpdu' &&
    !(f.target.framing.tpdu && declared() >= 1 && declared() <= 4 && f.expect.kind === 'close')
  )
    fail('not a 1-4 byte frame on a TPDU listener');
  if (category === 'keep-alive' && !([0, 5].includes(declared()) && f.expect.kind === 'ignored')) fail('not empty');
  if (category === 'valid' && f.expect.kind !== 'answer')
    fail(`a valid request not expected to be answered (${f.expect.kind})`);
  if (!['huge-length', 'bad-header', 'stalled'].includes(category) && declared() !== f.bytes.length - size)
    fail('a whole frame whose header does not match its length');
}

t.test('mutations damage what they say', async (t) => {
  const d = dialect('iso93ascii');
  const r = prng(5);
  const body = d.pack(validMessage(r, d));
  t.same(mutate(r, d, body, 'truncated').length < body.length, true, 'truncated is shorter');
  t.ok(mutate(r, d, body, 'trailing').length > body.length, 'trailing is longer');
  const flipped = mutate(r, d, body, 'bit-flip');
  t.equal(flipped.length, body.length);
  t.notOk(flipped.equals(body), 'bit flips change bytes');
  t.throws(() => d.unpack(mutate(r, d, body, 'non-digit')), 'a non-digit in a numeric field does not unpack');
  t.equal(
    body.toString('latin1', 0, 4),
    d.pack(validMessage(prng(5), d)).toString('latin1', 0, 4),
    'the original is left alone',
  );
  // A body damaged beyond any readable field: field mutations fall back to a bit flip instead of failing.
  const garbage = Buffer.from('1200ZZZZZZZZZZZZZZZZ', 'latin1');
  for (const m of MUTATIONS) t.ok(mutate(r, d, garbage, m).length > 0, `${m} on garbage`);
  const bd = dialect('iso93binary');
  for (const m of MUTATIONS)
    t.ok(Buffer.isBuffer(mutate(r, bd, bd.pack(validMessage(r, bd)), m)), `${m} on iso93binary`);
  t.same(header(iso93b, 123), Buffer.from([0x01, 0x23]), 'bcd2 header');
  t.same(header(iso87, 123).toString(), '0123', 'ascii4 header');
});

t.test('the oracle follows docs/PROTOCOL.md', async (t) => {
  const d = dialect('iso93ascii');
  const body = (m: Record<number, string>): Buffer => d.pack(m);
  const whole = (x: FuzzTarget, b: Buffer, tpdu?: Buffer): Buffer =>
    encodeFrame(x.framing, b, tpdu).subarray(headerSize(x.framing.header));
  t.same(expectWholeFrame(iso93, Buffer.alloc(0)), { kind: 'ignored' }, 'keep-alive');
  t.same(expectWholeFrame(iso93b, Buffer.alloc(3)), { kind: 'close' }, 'TPDU listener, 3 bytes');
  t.same(expectWholeFrame(iso93b, Buffer.alloc(5)), { kind: 'ignored' }, 'TPDU only');
  t.same(
    expectWholeFrame(iso93, whole(iso93, body({ 0: '1200', 11: '000123' }))),
    { kind: 'answer', mti: '1210', stan: '000123', formatError: false },
    'a request that unpacks',
  );
  t.same(
    expectWholeFrame(iso93, whole(iso93, body({ 0: '1221', 11: '000123' }))),
    { kind: 'answer', mti: '1230', stan: '000123', formatError: false },
    'a repeat: the original answer MTI',
  );
  t.same(expectWholeFrame(iso93, whole(iso93, body({ 0: '1210', 11: '000123' }))), { kind: 'ignored' }, 'a response');
  const broken = Buffer.concat([body({ 0: '1200', 11: '000123' }), Buffer.from('xx')]);
  t.same(
    expectWholeFrame(iso93, whole(iso93, broken)),
    { kind: 'answer', mti: '1210', stan: '000123', formatError: true },
    'MTI and STAN read: format error',
  );
  t.same(expectWholeFrame(iso93, whole(iso93, Buffer.from('12X0', 'latin1'))), { kind: 'close' }, 'no MTI: close');
  t.same(
    expectWholeFrame(iso93, whole(iso93, Buffer.concat([body({ 0: '1200', 4: '000000000100' }), Buffer.from('x')]))),
    { kind: 'close' },
    'no STAN: close',
  );
  t.equal(formatErrorCode(dialect('iso87ascii')), '30');
});

t.test('the judge tells documented outcomes from violations', async (t) => {
  const d = dialect('iso93ascii');
  const answer = (m: Record<number, string>) => ({ kind: 'answer' as const, body: d.pack(m) });
  const expectAnswer = { kind: 'answer' as const, mti: '1210', stan: '000001', formatError: false };
  const expectFormatError = { ...expectAnswer, formatError: true };
  const cases: [string, Parameters<typeof judge>[1], Parameters<typeof judge>[2], string][] = [
    ['answered', expectAnswer, answer({ 0: '1210', 11: '000001', 39: '111' }), 'answered'],
    ['format error', expectFormatError, answer({ 0: '1210', 11: '000001', 39: '904' }), 'formatError'],
    ['closed', { kind: 'close' }, { kind: 'close' }, 'closed'],
    ['stalled, closed', { kind: 'stalled' }, { kind: 'close' }, 'closed'],
    [
      'ignored: the probe answered next',
      { kind: 'ignored' },
      answer({ 0: '1814', 11: '999999', 39: '800' }),
      'ignored',
    ],
  ];
  for (const [name, expect, event, outcome] of cases) t.same(judge(iso93, expect, event), { outcome }, name);
  const violations: [string, Parameters<typeof judge>[1], Parameters<typeof judge>[2], RegExp][] = [
    ['silence', expectAnswer, { kind: 'timeout' }, /^silence$/],
    ['a stalled frame left open', { kind: 'stalled' }, { kind: 'timeout' }, /never closed/],
    ['unframed bytes', expectAnswer, { kind: 'garbage', reason: 'x' }, /unframed/],
    ['an answer instead of a close', { kind: 'close' }, answer({ 0: '1210' }), /an answer/],
    ['a close instead of an answer', expectAnswer, { kind: 'close' }, /closed/],
    ['an unreadable answer', expectAnswer, { kind: 'answer', body: Buffer.from('12') }, /unreadable/],
    ['an answer to what must be ignored', { kind: 'ignored' }, answer({ 0: '1210', 11: '000001' }), /instead of none/],
    ['the wrong MTI', expectAnswer, answer({ 0: '1200', 11: '000001' }), /MTI 1200/],
    ['another STAN', expectAnswer, answer({ 0: '1210', 11: '000002' }), /STAN/],
    ['no format error', expectFormatError, answer({ 0: '1210', 11: '000001', 39: '000' }), /action code 000/],
  ];
  for (const [name, expect, event, got] of violations) {
    const v = judge(iso93, expect, event);
    t.ok(v.outcome === 'violation' && got.test(v.got), `${name}: ${v.outcome === 'violation' ? v.got : v.outcome}`);
  }
});

/** A TCP server that does the wrong thing with every frame: swallows it, or sends it back. */
async function misbehaving(kind: 'swallow' | 'echo'): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server = createServer((s) => {
    sockets.add(s);
    s.on('error', () => {});
    s.on('close', () => sockets.delete(s));
    if (kind === 'echo') s.pipe(s);
    else s.resume();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

t.test('the runner reports what a misbehaving server does', async (t) => {
  for (const kind of ['swallow', 'echo'] as const) {
    const server = await misbehaving(kind);
    const ports = Object.fromEntries(FUZZ_TARGETS.map((x) => [x.listener, server.port]));
    let progress = 0;
    const summary = await runFuzz({
      ports,
      frames: 60,
      seed: 3,
      connections: 4,
      answerTimeoutMs: 150,
      frameTimeoutMs: 50,
      progressEvery: 20,
      onProgress: (n) => (progress = n),
    });
    await server.close();
    t.ok(summary.violations > 0, `${kind}: ${summary.violations} violations of ${summary.frames} frames`);
    t.ok(
      summary.firstViolations.every((v) => v.seed === 3 && Number.isInteger(v.index)),
      'each names its seed and case',
    );
    t.equal(progress, 60, 'progress was reported');
    t.match(formatSummary(summary), new RegExp(`violations: ${summary.violations}\\n  case \\d+ \\(seed 3, `));
  }
});

t.test('a run ends early when told to, or when the switch cannot be reached', async (t) => {
  const server = await misbehaving('swallow');
  const ports = Object.fromEntries(FUZZ_TARGETS.map((x) => [x.listener, server.port]));
  const told = await runFuzz({
    ports,
    frames: 1000,
    seed: 1,
    connections: 2,
    answerTimeoutMs: 100,
    frameTimeoutMs: 50,
    abort: () => 'the switch exited with 1',
  });
  t.equal(told.aborted, 'the switch exited with 1');
  t.equal(told.frames, 0);
  await server.close();
  const gone = await runFuzz({
    ports,
    frames: 1000,
    seed: 1,
    connections: 2,
    answerTimeoutMs: 100,
    frameTimeoutMs: 50,
  });
  t.match(gone.aborted, /ECONNREFUSED/, 'a refused connect stops the run');
  t.match(formatSummary(gone), /aborted: lane stopped/);
  const unknown = await runFuzz({
    ports: {},
    frames: 10,
    seed: 1,
    connections: 1,
    answerTimeoutMs: 100,
    frameTimeoutMs: 50,
  });
  t.match(unknown.aborted, /no port for listener/);
});

t.test('memory verdict: medians after warm-up and at the end', async (t) => {
  const flat = Array.from({ length: 100 }, (_, i) => ({ frames: i * 100, rssMiB: 100 + (i % 3), heapMiB: 30 }));
  const ok = memoryVerdict(flat, 10_000, 64);
  t.match(ok, { rssStartMiB: 101, rssEndMiB: 101, heapStartMiB: 30, heapEndMiB: 30, growthMiB: 0, ok: true });
  t.match(formatMemory(ok, 64), /within the 64 MiB bound/);
  const leak = flat.map((s) => ({ ...s, rssMiB: 100 + s.frames / 50 }));
  const bad = memoryVerdict(leak, 10_000, 64);
  t.equal(bad.ok, false, `a steady climb fails (${bad.growthMiB} MiB)`);
  t.match(formatMemory(bad, 64), /MORE than the 64 MiB bound/);
  const short = memoryVerdict(flat.slice(0, 2), 10_000, 64);
  t.equal(short.ok, null, 'too few samples: not judged');
  t.match(formatMemory(short, 64), /not judged/);
  t.equal(
    memoryVerdict([...flat.slice(0, 95), { frames: 9600, rssMiB: null, heapMiB: null }], 10_000, 64).ok,
    true,
    'unreadable samples are skipped',
  );
});

t.test('the command line', async (t) => {
  const o = parseCli([], {});
  t.match(o, {
    frames: 1_000_000,
    connections: 8,
    timeoutMs: 5000,
    frameTimeoutMs: 1000,
    maxGrowthMiB: 64,
    redis: 'redis://127.0.0.1:6379',
    logLevel: 'warn',
    json: undefined,
  });
  t.ok(o !== 'help' && o.seed > 0, 'a random seed');
  t.match(
    parseCli(
      [
        '--frames',
        '500',
        '--seed',
        '7',
        '--connections',
        '3',
        '--timeout',
        '200',
        '--frame-timeout',
        '100',
        '--max-growth-mib',
        '10',
        '--log-level',
        'info',
        '--json',
        'x.json',
      ],
      { REDIS_URL: 'redis://127.0.0.1:6380' },
    ),
    {
      frames: 500,
      seed: 7,
      connections: 3,
      timeoutMs: 200,
      frameTimeoutMs: 100,
      maxGrowthMiB: 10,
      logLevel: 'info',
      json: 'x.json',
      redis: 'redis://127.0.0.1:6380',
    },
  );
  t.equal(parseCli(['--help']), 'help');
  t.throws(() => parseCli(['--frames', '0']), CliError);
  t.throws(() => parseCli(['--frames', 'many']), /--frames many: expected an integer from 1/);
  t.throws(() => parseCli(['--log-level', 'loud']), /--log-level loud/);
  t.throws(() => parseCli(['--bogus']), CliError);
});

// Found by `npm run fuzz`: the switch's RSS kept climbing (~10 KiB per traced terminal) because
// each trace entry was a copy in Node's shared 8 KiB buffer pool, and one kept entry kept its
// whole pool slab alive. With 10,000 terminals traced that is well over 100 MiB.
t.test('fuzz finding: trace entries keep only their own bytes, not a slab of the buffer pool', async (t) => {
  const s = await startSwitch(t);
  const x = await TestTerminal.open(s.port('iso93'));
  t.teardown(() => x.close());
  t.equal((await x.send(purchase93({ 41: 'POOLTEST' })))[39], '000');
  const [entry] = s.sw.trace.window('POOLTEST').entries;
  t.ok(entry !== undefined, 'the exchange is traced');
  t.equal(entry!.request.buffer.byteLength, entry!.request.length, 'the request owns its memory');
  t.equal(entry!.response!.buffer.byteLength, entry!.response!.length, 'and so does the answer');
});
