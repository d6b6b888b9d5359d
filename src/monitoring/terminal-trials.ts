/**
 * A terminal's recent wrong PINs (docs/MONITORING.md, "cardTesting"): card testing is seen at the
 * terminal, across cards, so this state is the monitoring's and not a card's. One sorted set per
 * terminal, `monitoring:terminal:{<terminal id>}:trials`, its own hash tag (one slot on Redis
 * Cluster), kept as long as the longest card-testing window. Only wrong PINs are written, and the
 * approval of a card that had one there (rules/card-testing.ts trialKept): every other transaction
 * costs no Redis call here.
 */
import type { RegisterRedis } from '../redis/client.js';
import { asReply, defineScript } from '../redis/scripts.js';
import type { Clock } from '../time/clock.js';
import type { WatchedTransaction } from './watched-transaction.js';

/** The most wrong PINs a terminal keeps within the window: far more than any card-testing rule needs. */
export const MAX_TRIALS = 500;

const trialsScript = defineScript({
  name: 'swTerminalTrials',
  file: new URL('./terminal-trials.lua', import.meta.url),
  keys: ['trials'],
  args: ['now', 'window', 'at', 'tx', 'max'],
  reply: asReply<string[]>(),
});

/** What the monitor needs of the store (transaction-monitor.ts). */
export interface TrialsPort {
  /** Records a wrong PIN at its terminal; answers the terminal's other wrong PINs within `windowMs`, oldest first. */
  record(tx: WatchedTransaction, windowMs: number): Promise<WatchedTransaction[]>;
}

export class TerminalTrials implements TrialsPort {
  constructor(
    private readonly redis: RegisterRedis,
    private readonly prefix: string,
    private readonly clock: Clock,
  ) {}

  /** The terminal's key (tests look at it). */
  key(terminal: string): string {
    return `${this.prefix}monitoring:terminal:{${terminal}}:trials`;
  }

  async record(tx: WatchedTransaction, windowMs: number): Promise<WatchedTransaction[]> {
    const others = await trialsScript.run(
      this.redis,
      { trials: this.key(tx.terminal) },
      { now: this.clock.now().getTime(), window: windowMs, at: tx.at, tx: JSON.stringify(tx), max: MAX_TRIALS },
    );
    return others.map((o) => JSON.parse(o) as WatchedTransaction);
  }
}
