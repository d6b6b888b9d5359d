/** /proc readers: the switch's CPU and RSS, and the generator threads' own CPU. */
import { spawn } from 'node:child_process';
import { Worker } from 'node:worker_threads';
import t from 'tap';
import {
  ProcessMonitor,
  clockTicksPerSecond,
  cpuPercent,
  parseStatTicks,
  parseVmRssKb,
  processCpuMs,
  processTree,
  rssKb,
  threadCpuMs,
} from '../../bench/load/procstat.js';

t.test('utime + stime from a stat line, whatever the command name holds', async (t) => {
  const rest = 'S 1 2 3 4 5 6 7 8 9 10 1500 250 0 0 20 0 1 0 100 1000 50';
  t.equal(parseStatTicks(`1234 (node) ${rest}`), 1750);
  t.equal(parseStatTicks(`1234 (we) ird (name) ${rest}`), 1750);
  t.throws(() => parseStatTicks('1234 (node) S 1'), /unreadable/);
});

t.test('VmRSS from a status text', async (t) => {
  t.equal(parseVmRssKb('Name:\tnode\nVmPeak:\t  9 kB\nVmRSS:\t  123456 kB\nThreads: 7\n'), 123_456);
  t.equal(parseVmRssKb('Name:\tzombie\nState:\tZ\n'), null);
});

t.test('this process and thread, read from /proc', async (t) => {
  t.equal(clockTicksPerSecond(), clockTicksPerSecond());
  t.ok(clockTicksPerSecond() >= 100);
  // Busy until the process's CPU time moves (bounded): it shows, whatever else runs meanwhile.
  const cpu0 = processCpuMs(process.pid)!;
  const until = Date.now() + 5000;
  while (processCpuMs(process.pid)! - cpu0 < 50 && Date.now() < until);
  t.ok(processCpuMs(process.pid)! - cpu0 >= 50, 'a busy loop shows');
  t.ok(rssKb(process.pid)! > 10_000);
  t.equal(processCpuMs(2 ** 30), null, 'no such process');
  t.equal(rssKb(2 ** 30), null);
  // A busy worker's own reading shows its work, not the main thread's (which only waits).
  const main0 = threadCpuMs()!;
  const worker = new Worker(
    `const { readFileSync } = require('node:fs'); const { parentPort } = require('node:worker_threads');
     const ticks = () => { const s = readFileSync('/proc/thread-self/stat', 'utf8'); const r = s.slice(s.lastIndexOf(')') + 2).split(' '); return Number(r[11]) + Number(r[12]); };
     const t0 = ticks(); const until = Date.now() + 5000; while (ticks() - t0 < 20 && Date.now() < until); parentPort.postMessage(ticks() - t0);`,
    { eval: true },
  );
  const [ticks] = (await new Promise((r) => worker.once('message', (m) => r([m])))) as [number];
  await worker.terminate();
  const mainMs = threadCpuMs()! - main0;
  t.ok(ticks >= 20, `worker thread ticks ${ticks}`);
  t.ok(mainMs < (ticks * 1000) / clockTicksPerSecond(), `main thread ${mainMs} ms meanwhile`);
});

t.test('a monitor samples on a timer and on demand; CPU % between samples', async (t) => {
  let clock = 1000;
  const m = new ProcessMonitor(process.pid, () => clock);
  m.start(20);
  clock = 2000;
  await new Promise((r) => setTimeout(r, 70));
  m.stop();
  const n = m.samples.length;
  t.ok(n >= 3, `${n} samples`);
  await new Promise((r) => setTimeout(r, 50));
  t.equal(m.samples.length, n, 'stopped');
  const s = m.sample();
  t.equal(s.t, 2000);
  t.equal(cpuPercent({ t: 0, cpuMs: 100, rssKb: 1 }, { t: 1000, cpuMs: 600, rssKb: 1 }), 50);
  t.equal(cpuPercent({ t: 0, cpuMs: null, rssKb: 1 }, { t: 1000, cpuMs: 600, rssKb: 1 }), null);
  t.equal(cpuPercent({ t: 0, cpuMs: 1, rssKb: 1 }, { t: 1000, cpuMs: null, rssKb: 1 }), null);
  t.equal(cpuPercent({ t: 5, cpuMs: 1, rssKb: 1 }, { t: 5, cpuMs: 2, rssKb: 1 }), null, 'no time passed');
  const gone = new ProcessMonitor(2 ** 30, () => 0).sample();
  t.same(gone, { t: 0, cpuMs: null, rssKb: null });
});

t.test('a process tree: a switch with several processes is measured with its workers', async (t) => {
  // A shell with two children: a shell that loops (and has a child of its own) and a sleep. The
  // root only waits: what CPU the tree shows is its descendants'.
  const root = spawn('sh', ['-c', "sh -c 'sleep 30 & while :; do :; done' & sleep 30 & wait"], { stdio: 'ignore' });
  t.teardown(() => {
    for (const pid of processTree(root.pid!).reverse()) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  });
  let tree: number[] = [];
  for (const until = Date.now() + 5000; tree.length < 4 && Date.now() < until;) {
    await new Promise((r) => setTimeout(r, 20));
    tree = processTree(root.pid!);
  }
  t.equal(tree.length, 4, "the shell, its two children and the inner shell's one");
  t.equal(tree[0], root.pid, 'the root first');
  const m = new ProcessMonitor(root.pid!, Date.now);
  const [a, rootA] = [m.sample(), processCpuMs(root.pid!)!];
  // Until the looping child has had 200 ms of CPU (at most 20 s): on a loaded machine it gets less
  // than its share, and a fixed half second measured the machine's load instead.
  let [b, rootB] = [m.sample(), processCpuMs(root.pid!)!];
  for (const until = Date.now() + 20_000; b.cpuMs! - a.cpuMs! < 200 && Date.now() < until;) {
    await new Promise((r) => setTimeout(r, 100));
    [b, rootB] = [m.sample(), processCpuMs(root.pid!)!];
  }
  const tree_ = b.cpuMs! - a.cpuMs!;
  const own = rootB - rootA;
  t.ok(tree_ >= 200 && own < tree_ / 4, `the tree's CPU ${tree_} ms, the root's own ${own} ms`);
  t.ok(cpuPercent(a, b)! > (100 * own) / (b.t - a.t), 'as percentages too');
  t.ok(b.rssKb! > rssKb(root.pid!)!, 'RSS summed over the tree');
  t.same(processTree(2 ** 30), [2 ** 30], 'a process that is gone is its own tree');
});
