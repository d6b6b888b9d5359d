/**
 * Redis outages under load, measured from the terminals' side: when Redis went down and when it
 * answered PING again, and what every request sent meanwhile was answered. Shared by the outage
 * test and `npm run soak`.
 */
import type { Exchange } from './workload.js';
import { isUnavailable } from './workload.js';
import type { PersistentRedis } from './persistent-redis.js';

export type OutageSignal = 'SIGKILL' | 'SIGTERM' | 'SIGSTOP';

export interface Outage {
  /** SIGSTOP: Redis hangs rather than goes away (downAt: stopped, restartAt = upAt: SIGCONT). */
  signal: OutageSignal;
  /** The signal was sent. */
  killAt: number;
  /** Redis had exited. */
  downAt: number;
  /** redis-server was started again. */
  restartAt: number;
  /** It answered PING again (its data loaded). */
  upAt: number;
}

export interface OutageFindings {
  /** Requests sent while Redis was down (after it exited, answered before it was started again). */
  duringOutage: number;
  /** Of those, answered anything but 911 / 91. */
  notUnavailable: Exchange[];
  /** Time from PING answering again to the first approval of a request sent after that, ms. */
  recoveryMs: number | undefined;
  /** Requests sent more than `recoveryBoundMs` after PING answered and still answered 911 / 91 before the next outage. */
  unavailableAfterRecovery: Exchange[];
}

export async function outage(redis: PersistentRedis, signal: OutageSignal, downForMs: number): Promise<Outage> {
  if (signal === 'SIGSTOP') return hang(redis, downForMs);
  const killAt = Date.now();
  await redis.kill(signal);
  const downAt = Date.now();
  await new Promise((r) => setTimeout(r, downForMs));
  const restartAt = Date.now();
  await redis.start();
  return { signal, killAt, downAt, restartAt, upAt: Date.now() };
}

/** `until`: where the time after this outage ends (the next outage's signal). */
async function hang(redis: PersistentRedis, forMs: number): Promise<Outage> {
  const killAt = Date.now();
  redis.pause();
  await new Promise((r) => setTimeout(r, forMs));
  const resumeAt = Date.now();
  redis.resume();
  return { signal: 'SIGSTOP', killAt, downAt: killAt, restartAt: resumeAt, upAt: resumeAt };
}

export function findings(o: Outage, exchanges: Exchange[], recoveryBoundMs: number, until = Infinity): OutageFindings {
  const during = exchanges.filter(
    (x) => x.sentAt >= o.downAt && x.answeredAt !== undefined && x.answeredAt <= o.restartAt,
  );
  const after = exchanges.filter((x) => x.sentAt >= o.upAt && x.sentAt < until).sort((a, b) => a.sentAt - b.sentAt);
  const firstApproval = after.find((x) => x.code === '000' || x.code === '00');
  return {
    duringOutage: during.length,
    notUnavailable: during.filter((x) => !isUnavailable(x.code)),
    recoveryMs: firstApproval?.answeredAt === undefined ? undefined : firstApproval.answeredAt - o.upAt,
    // Answered before the next outage began: a request sent just before it whose call was still in
    // Redis when Redis went again is rightly 911 (a clean-clone CI run saw three such at a SIGSTOP).
    unavailableAfterRecovery: after.filter(
      (x) => x.sentAt > o.upAt + recoveryBoundMs && isUnavailable(x.code) && (x.answeredAt ?? Infinity) < until,
    ),
  };
}

/** The slowest answer of the run, ms (a request never answered counts as Infinity). */
export function slowestAnswer(exchanges: Exchange[]): number {
  return exchanges.reduce(
    (max, x) => Math.max(max, x.answeredAt === undefined ? Infinity : x.answeredAt - x.sentAt),
    0,
  );
}
