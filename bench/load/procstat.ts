/**
 * CPU and memory of processes and threads, read from Linux's /proc: the switch child's CPU and
 * RSS during a run, and the generator's own threads (Node 20 has no per-thread CPU call, but a
 * thread reading /proc/thread-self/stat gets its own counters). Off Linux the readers return null
 * and the report says "n/a".
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';

/** utime + stime of a /proc/<pid>/stat (or task stat) line, in clock ticks. */
export function parseStatTicks(stat: string): number {
  // The command name (field 2) is in parentheses and may hold spaces or ')': cut after the last one.
  const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // rest[0] is field 3 (state); utime and stime are fields 14 and 15.
  const utime = Number(rest[11]);
  const stime = Number(rest[12]);
  if (!Number.isFinite(utime) || !Number.isFinite(stime)) throw new Error('unreadable stat line');
  return utime + stime;
}

/** VmRSS of a /proc/<pid>/status text, in kB; null when absent (e.g. a zombie). */
export function parseVmRssKb(status: string): number | null {
  const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
  return m ? Number(m[1]) : null;
}

let ticksPerSecond: number | undefined;
/** USER_HZ, almost always 100; asked once from getconf. */
export function clockTicksPerSecond(): number {
  if (ticksPerSecond === undefined) {
    try {
      ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8', timeout: 2000 }).trim()) || 100;
    } catch {
      ticksPerSecond = 100;
    }
  }
  return ticksPerSecond;
}

function readOrNull<T>(path: string, parse: (text: string) => T): T | null {
  try {
    return parse(readFileSync(path, 'utf8'));
  } catch {
    return null;
  }
}

/** CPU time (user + system) of a whole process so far, ms. */
export function processCpuMs(pid: number): number | null {
  return readOrNull(`/proc/${pid}/stat`, (t) => (parseStatTicks(t) * 1000) / clockTicksPerSecond());
}

/** CPU time of the calling thread so far, ms (10 ms resolution). */
export function threadCpuMs(): number | null {
  return readOrNull('/proc/thread-self/stat', (t) => (parseStatTicks(t) * 1000) / clockTicksPerSecond());
}

export function rssKb(pid: number): number | null {
  return readOrNull(`/proc/${pid}/status`, parseVmRssKb);
}

export interface Sample {
  /** ms, the caller's clock */
  t: number;
  cpuMs: number | null;
  rssKb: number | null;
}

/** A process and all its descendants, parents first (a switch with several processes is a supervisor and its workers). */
export function processTree(pid: number): number[] {
  const tree = [pid];
  for (let i = 0; i < tree.length; i++) {
    let tasks: string[];
    try {
      tasks = readdirSync(`/proc/${tree[i]}/task`);
    } catch {
      continue;
    }
    // Each thread lists the children it started.
    for (const tid of tasks)
      tree.push(
        ...(readOrNull(`/proc/${tree[i]}/task/${tid}/children`, (t) =>
          t
            .split(' ')
            .filter((x) => x !== '')
            .map(Number),
        ) ?? []),
      );
  }
  return tree;
}

/** The sum over a process tree; null when the root cannot be read. */
function treeSum(pid: number, read: (pid: number) => number | null): number | null {
  const [root, ...rest] = processTree(pid).map(read);
  if (root === null || root === undefined) return null;
  return rest.reduce<number>((sum, v) => sum + (v ?? 0), root);
}

/** Samples a process's CPU and RSS (its descendants' included) every `everyMs` and on demand, for CPU over a window and peak RSS. */
export class ProcessMonitor {
  readonly samples: Sample[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(
    readonly pid: number,
    private readonly clock: () => number,
  ) {}

  sample(): Sample {
    const s = { t: this.clock(), cpuMs: treeSum(this.pid, processCpuMs), rssKb: treeSum(this.pid, rssKb) };
    this.samples.push(s);
    return s;
  }

  start(everyMs = 1000): void {
    this.sample();
    this.timer = setInterval(() => this.sample(), everyMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }
}

/** CPU used between two samples as a percentage of one core; null when either is unreadable. */
export function cpuPercent(from: Sample, to: Sample): number | null {
  if (from.cpuMs === null || to.cpuMs === null || to.t <= from.t) return null;
  return (100 * (to.cpuMs - from.cpuMs)) / (to.t - from.t);
}
