/**
 * Scale-out (issue #8): the switch with `processes: 2` is a supervisor and two worker processes
 * behind ONE port (node:cluster shares the listening socket and deals connections out in turn),
 * sharing one Redis. Terminals connect to that one port; which worker holds each connection is
 * found from the per-worker request counter (/metrics, switch_worker_requests). Across the
 * workers the single-process semantics hold: three strikes, balances, one posting per approval,
 * a reversal advice arriving at the other worker than its original (and repeated) reverses once,
 * a DKT1 lost answer is reversed by the other worker, copies of one request or advice arriving at
 * both workers at once post once. A worker killed is started again; SIGTERM stops them all cleanly.
 */
import t from 'tap';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { IsoMessage } from '../../src/codec/index.js';
import type { Posting } from '../../src/journal/posting.js';
import { addCard, pinBlock } from '../support/cards.js';
import { testRedisUrl } from '../support/redis.js';
import { OPERATOR_HEADERS, startSwitch, type TestSwitch } from '../support/switch.js';
import { TestTerminal, purchase93 } from '../support/terminal.js';
import { startSwitchProcess } from '../support/process.js';
import { repeatScenarios } from './support/repeats.js';
import { type ClusterChild, TWO_LISTENERS, startCluster, writeSwitchConfig } from './support/switch-child.js';

const KEY = '0123456789ABCDEFFEDCBA9876543210';
const CONNECTIONS = 12;
/** The subtests use up to three connections of one worker (w0[0..2], w1[0..2]). */
const PER_WORKER = 3;

/** Requests answered per worker, from the supervisor's summed /metrics. */
async function perWorker(c: ClusterChild): Promise<Map<string, number>> {
  const res = await fetch(`http://127.0.0.1:${c.adminPort}/metrics`, { headers: OPERATOR_HEADERS });
  if (res.status !== 200) throw new Error(`/metrics: ${res.status}`);
  const counts = new Map<string, number>();
  for (const m of (await res.text()).matchAll(/^switch_worker_requests\{worker="(\d+)"\} (\d+)/gm))
    counts.set(m[1]!, Number(m[2]));
  return counts;
}

let echoStan = 0;
const echo = (): IsoMessage => ({
  0: '1804',
  7: '1121143015',
  11: String(900_000 + ++echoStan),
  24: '831',
  41: 'ECHO0001',
});

/** Which worker holds each connection: one echo on it, and the counter that moved. */
async function workerOf(c: ClusterChild, conns: TestTerminal[]): Promise<string[]> {
  const out: string[] = [];
  for (const conn of conns) {
    const before = await perWorker(c);
    if ((await conn.send(echo()))[39] !== '800') throw new Error('echo not answered 800');
    const after = await perWorker(c);
    const moved = [...after].filter(([w, n]) => n === (before.get(w) ?? 0) + 1).map(([w]) => w);
    if (moved.length !== 1)
      throw new Error(
        `cannot tell the connection's worker: ${JSON.stringify([...before])} -> ${JSON.stringify([...after])}`,
      );
    out.push(moved[0]!);
  }
  return out;
}

/**
 * At least CONNECTIONS connections, and at least PER_WORKER on each worker. node:cluster deals
 * connections round-robin only among workers free to take one, so two in a row may land on the
 * same worker (a clean-clone CI run once saw 11 of 12 on one): open more until both have enough.
 */
async function connectToBoth(c: ClusterChild): Promise<{ conns: TestTerminal[]; workers: string[] }> {
  const conns: TestTerminal[] = [];
  const workers: string[] = [];
  const enough = (): boolean =>
    conns.length >= CONNECTIONS && ['0', '1'].every((w) => workers.filter((x) => x === w).length >= PER_WORKER);
  for (let tries = 0; !enough() && tries < 10 * CONNECTIONS; tries++) {
    const conn = await TestTerminal.open(c.port);
    conns.push(conn);
    workers.push(...(await workerOf(c, [conn])));
  }
  return { conns, workers };
}

async function journalOf(here: TestSwitch, expected: number): Promise<Posting[]> {
  for (const until = Date.now() + 15_000; ;) {
    const postings = (await here.sw.journal.range('0', '+')).map((e) => e.posting);
    if (postings.length >= expected || Date.now() > until) return postings;
    await new Promise((r) => setTimeout(r, 100));
  }
}

t.test('two switch processes behind one port share one Redis with single-process semantics', async (t) => {
  // An in-process switch on the same Redis and key prefix: the test's view of the register and the journal.
  const here = await startSwitch(t);
  const dir = mkdtempSync(join(tmpdir(), 'switch-cluster-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(
    join(dir, 'keys.json'),
    JSON.stringify({ terminals: { DKT00001: { format: 0, key: KEY, model: 'dkt1' } } }),
  );
  const { file } = writeSwitchConfig(
    {
      listeners: [{ ...TWO_LISTENERS[0], framing: { ...TWO_LISTENERS[0].framing } }],
      processes: 2,
      redis: { url: await testRedisUrl(), keyPrefix: here.config.redis.keyPrefix },
      terminals: { keyFile: join(dir, 'keys.json') },
    },
    dir,
  );
  const c = await startCluster(file, 2);
  t.teardown(() => c.proc.child.kill('SIGKILL'));
  const { conns, workers } = await connectToBoth(c);
  t.teardown(() => conns.forEach((x) => x.close()));
  const on = (w: string): TestTerminal[] => conns.filter((_, i) => workers[i] === w);
  t.same(
    [...new Set(workers)].sort(),
    ['0', '1'],
    `connections to the one port went to both workers (${workers.join(' ')})`,
  );
  const [w0, w1] = [on('0'), on('1')];
  const approvals: string[] = [];
  const txn = (a: IsoMessage): string => `${String(a[41]).trimEnd()}-${String(a[12])}-${String(a[11])}`;

  await t.test('three strikes: 100 wrong PINs at once over both workers: 2 x 117, then 106', async (t) => {
    const card = await addCard(here.sw);
    const wrong = purchase93({ 2: card.pan, 4: '000000001000', 52: pinBlock('0000', card.pan) });
    const answers = await Promise.all(Array.from({ length: 100 }, (_, i) => conns[i % conns.length]!.send(wrong)));
    const count = (code: string): number => answers.filter((a) => a[39] === code).length;
    t.same([count('117'), count('106')], [2, 98]);
    t.match(await here.sw.register.state(card.id), { pinBlocked: true, pinTries: 3 });
    // The workers' relays move the notices to the issuer's feed on their own time (a sweep here may
    // find them already taken but not yet appended): wait for the feed, a bounded while.
    const counts = async (): Promise<number[]> => {
      await here.sw.relay.sweep();
      const notices = await here.sw.relay.notices('bank-a', { card: card.id });
      return [
        notices.filter((n) => n.type === 'wrongPin').length,
        notices.filter((n) => n.type === 'pinBlocked').length,
      ];
    };
    let seen = await counts();
    for (
      const until = Date.now() + 10_000;
      (seen[0] !== 3 || seen[1] !== 1) && Date.now() < until;
      seen = await counts()
    )
      await new Promise((r) => setTimeout(r, 100));
    t.same(seen, [3, 1], 'three wrong-try notices, one PIN block');
  });

  await t.test('balance: 60 purchases of 30.00 at once on 1,000.00: exactly 33 approved', async (t) => {
    const card = await addCard(here.sw, { balance: 100_000 });
    const buy = purchase93({ 2: card.pan, 4: '000000003000', 52: pinBlock('1234', card.pan) });
    const answers = await Promise.all(Array.from({ length: 60 }, (_, i) => conns[i % conns.length]!.send(buy)));
    const ok = answers.filter((a) => a[39] === '000');
    t.equal(ok.length, 33, 'never more than the balance allows, never fewer');
    t.equal(answers.filter((a) => a[39] === '116').length, 27, 'the rest: insufficient funds');
    approvals.push(...ok.map(txn));
    t.match(await here.sw.register.state(card.id), {
      balance: 100_000,
      reserved: 0,
      unbooked: 99_000,
      available: 1000,
    });
  });

  await t.test(
    'reversal advices arriving at the other worker (and repeated at the first): one reversal each',
    async (t) => {
      const card = await addCard(here.sw);
      const sales = await Promise.all(
        Array.from({ length: 5 }, (_, i) =>
          w0[i % w0.length]!.send(
            purchase93({
              2: card.pan,
              4: String(1000 + i).padStart(12, '0'),
              12: '261121110000',
              52: pinBlock('1234', card.pan),
            }),
          ),
        ),
      );
      t.ok(
        sales.every((a) => a[39] === '000'),
        'five sales approved on worker 0',
      );
      approvals.push(...sales.map(txn));
      const advice = (sale: IsoMessage): IsoMessage => ({
        0: '1420',
        2: card.pan,
        3: '000000',
        4: String(sale[4]),
        12: '261121110100',
        24: '400',
        25: '4021',
        41: 'TERM0001',
        49: '208',
        56: `1200${String(sale[11])}261121110000`,
      });
      const acks = await Promise.all(
        sales.flatMap((sale, i) => {
          const a = advice(sale);
          const stan = String(800_000 + i);
          // The advice to worker 1, its repeat to worker 0 at the same moment: the register takes one.
          return [
            w1[i % w1.length]!.send({ ...a, 11: stan }),
            w0[(i + 1) % w0.length]!.send({ ...a, 0: '1421', 11: stan }),
          ];
        }),
      );
      t.ok(
        acks.every((a) => a[39] === '400'),
        'every advice and repeat acknowledged',
      );
      t.match(await here.sw.register.state(card.id), { reserved: 0, unbooked: 0 }, 'every hold given back, once');
    },
  );

  await t.test('DKT1 lost answer: approved by worker 0, reversed by worker 1 at the next request', async (t) => {
    const card = await addCard(here.sw);
    const dkt = (stan: string, time: string, last: string): IsoMessage =>
      purchase93({ 2: card.pan, 4: '000000002500', 11: stan, 12: time, 41: 'DKT00001', 48: `01006${last}` });
    const first = await w0[0]!.send(dkt('000001', '261121120000', '000000'));
    t.equal(first[39], '000');
    approvals.push(txn(first));
    // The terminal never got that answer: its next request, to the other worker, still reports none completed.
    const second = await w1[0]!.send(dkt('000002', '261121120100', '000000'));
    t.equal(second[39], '000');
    approvals.push(txn(second));
    const third = await w0[1]!.send(dkt('000003', '261121120200', '000002'));
    t.equal(third[39], '000');
    approvals.push(txn(third));
    t.equal(
      (await here.sw.register.state(card.id))!.unbooked,
      5000,
      'the lost one given back, the two completed ones held',
    );
  });

  await t.test('postings: exactly one per approval, and one reversal per reversed sale', async (t) => {
    const postings = await journalOf(here, approvals.length + 6);
    const purchases = postings.filter((p) => p.type === 'purchase');
    const reversals = postings.filter((p) => p.type === 'reversal');
    t.same(
      purchases.map((p) => p.txn).sort(),
      [...approvals].sort(),
      'one purchase posting per approval received, none other',
    );
    t.equal(reversals.length, 6, 'five PSAM reversals and one switch reversal');
    t.equal(new Set(reversals.map((p) => p.txn)).size, 6, 'each reversed once');
    t.equal(reversals.filter((p) => p.reason === 'switch').length, 1);
    t.equal(new Set(postings.map((p) => p.id)).size, postings.length, 'no posting journaled twice');
  });

  await t.test('retransmissions and repeated advices arriving at both workers at once', (t) =>
    repeatScenarios(
      t,
      { sw: here.sw, redis: here.redis, prefix: here.config.redis.keyPrefix, port: c.port },
      'TERMREP2',
    ),
  );

  await t.test('a worker killed is started again; SIGTERM stops them all', async (t) => {
    const before = c.pids();
    process.kill(before[0]!, 'SIGKILL');
    const [fresh] = await c.waitForWorkers(1, before);
    t.ok(fresh, `a new worker (pid ${fresh}) took its place`);
    t.ok(
      c.proc.logs().some((l) => l.msg === 'switch worker exited; starting another' && l.signal === 'SIGKILL'),
      'the supervisor logged the death',
    );
    const late = await Promise.all(Array.from({ length: 4 }, () => TestTerminal.open(c.port)));
    t.teardown(() => late.forEach((x) => x.close()));
    t.same(
      [...new Set(await workerOf(c, late))].sort(),
      ['0', '1'],
      'new connections are served by both workers again',
    );
    c.proc.child.kill('SIGTERM');
    t.same((await c.proc.exited)[0], 0, 'the supervisor exits 0 once its workers stopped cleanly');
    t.match(
      c.proc.logs().find((l) => l.msg === 'stopped' && l.exitCodes !== undefined),
      { exitCodes: [0, 0] },
    );
  });
});

t.test(
  '--processes 2 on the command line; a worker that cannot start stops the supervisor (exit 1), no restart loop',
  async (t) => {
    // The port is taken, so every worker fails to listen.
    const { createServer } = await import('node:net');
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    t.teardown(() => taken.close());
    const port = (taken.address() as { port: number }).port;
    const dir = mkdtempSync(join(tmpdir(), 'switch-cluster-'));
    t.teardown(() => rmSync(dir, { recursive: true, force: true }));
    const { file } = writeSwitchConfig(
      {
        listeners: [{ ...TWO_LISTENERS[0], port, framing: { ...TWO_LISTENERS[0].framing } }],
        redis: { url: await testRedisUrl(), keyPrefix: `test:${process.pid}:fail:` },
      },
      dir,
    );
    const child = startSwitchProcess({ SWITCH_CONFIG: file }, ['--processes', '2']);
    t.teardown(() => child.child.kill('SIGKILL'));
    const [code] = await child.exited;
    t.equal(code, 1, 'exit 1');
    t.ok(
      child.logs().some((l) => l.msg === 'starting switch workers' && l.processes === 2),
      'the flag made it a supervisor of two',
    );
    t.ok(
      child.logs().some((l) => l.msg === 'a switch worker failed to start; stopping'),
      'it says why',
    );
    t.notOk(
      child.logs().some((l) => l.msg === 'switch worker exited; starting another'),
      'and did not start it again',
    );
  },
);
