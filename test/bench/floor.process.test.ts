/**
 * The floor server as the bench runs it (bench/load/floor-server.ts under tsx, started by the
 * harness): a framed request over TCP is answered 000 and has written its entry in Redis; when
 * stopped, the server removes what it wrote. Bad arguments end it with the reason.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { connect } from 'node:net';
import { Redis } from 'ioredis';
import t from 'tap';
import { dialect } from '../../src/codec/index.js';
import { DEFAULT_CONFIG } from '../../src/config/defaults.js';
import { cardId } from '../../src/crypto/card-id.js';
import { cardKeys } from '../../src/card/keys.js';
import { FrameReader, encodeFrame } from '../../src/transport/framing.js';
import { benchPan, benchPin, type PlannedCard } from '../../bench/load/cards.js';
import { FLOOR_FIELD, FLOOR_LIST } from '../../bench/load/floor.js';
import { FRAMING_OF, deleteKeys, startFloor } from '../../bench/load/harness.js';
import { loadMix } from '../../bench/load/mix.js';
import { nodeArgsFor, siblingModule } from '../../bench/load/paths.js';
import { seedCards } from '../../bench/load/seed.js';
import { requestFor } from '../../bench/load/templates.js';
import { cleanEnv } from '../support/process.js';
import { testRedisUrl } from '../support/redis.js';

t.test('a frame in, 000 out, its entry in Redis; stopped, it cleans up', async (t) => {
  const url = await testRedisUrl();
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
  const prefix = `test:floor:${process.pid}:${randomBytes(4).toString('hex')}:`;
  t.teardown(async () => {
    await deleteKeys(redis, prefix);
    await redis.quit();
  });
  const card: PlannedCard = { pan: benchPan(0, 3), pin: benchPin(0, 3), cvc: '123', state: 'active' };
  await seedCards(redis, prefix, new Map([['active', [card]]]));
  const keys = cardKeys(prefix, cardId(card.pan, Buffer.from(DEFAULT_CONFIG.register.secret, 'hex')));

  const framing = FRAMING_OF.iso93ascii;
  // Profiled as --profile does it: the profile is written when the server stops.
  const profileDir = mkdtempSync(join(tmpdir(), 'floor-profile-'));
  t.teardown(() => rmSync(profileDir, { recursive: true, force: true }));
  const floor = await startFloor({
    header: framing.header,
    dialect: 'iso93ascii',
    redisUrl: url,
    keyPrefix: prefix,
    profileDir,
  });
  t.teardown(() => floor.stop(1000));
  const d = dialect('iso93ascii');
  const purchase = loadMix('default').entries.find((e) => e.name === 'purchase-pin')!;
  const socket = connect({ host: '127.0.0.1', port: floor.port });
  await once(socket, 'connect');
  const reader = new FrameReader(framing);
  // Two requests in one write: each gets its answer.
  socket.write(
    Buffer.concat(
      ['000001', '000002'].map((stan) =>
        encodeFrame(framing, d.pack(requestFor(d, purchase, card, new Date(), stan, 'B0000001'))),
      ),
    ),
  );
  const answers = [];
  while (answers.length < 2) {
    const [chunk] = (await once(socket, 'data')) as [Buffer];
    answers.push(...reader.push(chunk).map((f) => d.unpack(f.body)));
  }
  socket.destroy();
  t.same(answers.map((a) => [a[0], a[11], a[39]]).sort(), [
    ['1210', '000001', '000'],
    ['1210', '000002', '000'],
  ]);
  t.equal(await redis.llen(keys.card + FLOOR_LIST), 2, 'an entry per request');
  t.equal(await redis.hget(keys.card, FLOOR_FIELD), String(2 * purchase.amount));

  t.equal(await floor.stop(), 0);
  t.match(floor.output(), /"msg":"cleaned","lists":1/);
  t.equal(await redis.exists(keys.card + FLOOR_LIST), 0, 'its list removed');
  t.equal(await redis.hexists(keys.card, FLOOR_FIELD), 0, 'its field removed');
  t.equal(await redis.hget(keys.card, 'status'), 'active', 'the seeded card stays');
  const profiles = readdirSync(profileDir).filter((f) => f.endsWith('.cpuprofile'));
  // Under tsx its loader's thread writes a profile of its own beside the server's.
  t.ok(profiles.length >= 1, 'its CPU profile');
  const nodeLists = profiles.map(
    (f) => (JSON.parse(readFileSync(join(profileDir, f), 'utf8')) as { nodes: unknown[] }).nodes,
  );
  t.ok(
    nodeLists.some((nodes) => nodes.length > 0),
    'with samples',
  );
});

t.test('bad arguments: the reason, exit code 2', async (t) => {
  const bad: [string[], RegExp][] = [
    [['--header', 'ascii9', '--prefix', 'p:'], /--header ascii9: binary2, ascii4 or bcd2/],
    [['--dialect', 'iso99', '--prefix', 'p:'], /--dialect iso99: one of iso93ascii/],
    [[], /--prefix: the key prefix of the run/],
  ];
  for (const [args, reason] of bad) {
    const child = spawn(process.execPath, [...nodeArgsFor(siblingModule('floor-server')), ...args], {
      env: cleanEnv(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    t.teardown(() => child.kill('SIGKILL'));
    let err = '';
    child.stderr!.on('data', (c: Buffer) => (err += c.toString()));
    const [code] = (await once(child, 'exit')) as [number | null];
    t.equal(code, 2, args.join(' '));
    t.match(err, reason);
  }
});
