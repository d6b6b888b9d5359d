/**
 * The fault injector: the rules terminal vendors set through the admin API (POST /faults), kept
 * in Redis under the switch's key prefix so that every switch sharing that Redis applies them,
 * and consulted once per decoded request.
 *
 * The hot path: with no rule anywhere, the processor reads one boolean (`armed`) and goes on.
 * Each process keeps a copy of the rules in memory, reloaded when this process changes them
 * (at once) and otherwise every second when the rules' version in Redis has moved (one GET a
 * second). A rule is matched against that copy; it fires only when a Lua script in Redis says it
 * still exists and has times left, and counts it down in the same step. So a rule created
 * through another switch applies here within about a second, while removal and one-shot rules
 * are exact across processes: a rule removed anywhere never fires again, and a rule for N times
 * fires N times in all, whichever switches the terminal talks to.
 */
import { randomBytes } from 'node:crypto';
import type { RegisterRedis } from '../redis/client.js';
import { asReply, defineScript } from '../redis/scripts.js';
import { Counter } from 'prom-client';
import type { IsoMessage } from '../codec/index.js';
import type { Clock } from '../time/clock.js';
import type { Logger } from '../log/logger.js';
import type { SwitchMetrics } from '../metrics/metrics.js';
import type { CardId } from '../crypto/card-id.js';
import { panOf } from '../messages/card-data.js';
import { registerCall } from '../redis/errors.js';
import type { FaultRule, FaultRuleState, NewFaultRule } from './rule.js';

/** How often each switch looks for rules changed by another one. */
export const FAULT_REFRESH_MS = 1000;
/** Rules kept at most (every switch matches each request against all of them). */
export const MAX_FAULT_RULES = 1000;

/** create-rule.lua: the rule's seq (its creation order), or 0 when the most rules are kept already. */
export const createRuleScript = defineScript({
  name: 'swFaultCreate',
  file: new URL('./create-rule.lua', import.meta.url),
  keys: ['rules', 'left', 'version'],
  args: ['id', 'rule', 'times', 'maxRules'],
  reply: asReply<number>(),
});

/**
 * take-rule.lua: fires the rule once: -1 when it is gone (removed, or spent by another switch);
 * else the times it has left after this one, -2 for "always". A rule with none left is deleted.
 */
export const takeRuleScript = defineScript({
  name: 'swFaultTake',
  file: new URL('./take-rule.lua', import.meta.url),
  keys: ['rules', 'left', 'fired', 'version'],
  args: ['id'],
  reply: asReply<number>(),
});

/** remove-rule.lua: 1 when removed, 0 when there was no such rule. */
export const removeRuleScript = defineScript({
  name: 'swFaultRemove',
  file: new URL('./remove-rule.lua', import.meta.url),
  keys: ['rules', 'left', 'fired', 'version'],
  args: ['id'],
  reply: asReply<number>(),
});

export interface FaultInjectorDeps {
  redis: RegisterRedis;
  prefix: string;
  /** The card id of a PAN (register.idOf): requests are matched by card id, never by PAN. */
  idOf: (pan: string) => CardId;
  metrics: SwitchMetrics;
  clock: Clock;
  log: Logger;
  /** A Redis call slower than this is given up: the request is then handled without a fault. */
  timeoutMs: number;
  maxRules?: number;
}

export type CreateResult = { ok: true; rule: FaultRuleState } | { ok: false; reason: string };

export class FaultInjector {
  /** Whether any rule exists (as last seen): the processor's one check when there is none. */
  armed = false;
  private rules: FaultRule[] = [];
  private version: string | null | undefined;
  private timer: NodeJS.Timeout | undefined;
  private readonly redis: RegisterRedis;
  private readonly keys: { rules: string; left: string; fired: string; version: string };
  private readonly fired: Counter<'kind'>;

  constructor(private readonly deps: FaultInjectorDeps) {
    const { redis, prefix } = deps;
    this.redis = redis;
    // One hash tag: the scripts touch all of them, also on Redis Cluster.
    const base = `${prefix}{faults}`;
    this.keys = { rules: `${base}:rules`, left: `${base}:left`, fired: `${base}:fired`, version: `${base}:version` };
    const name = 'switch_faults_injected_total';
    this.fired =
      (deps.metrics.registry.getSingleMetric(name) as Counter<'kind'> | undefined) ??
      new Counter({
        name,
        help: 'Requests a fault rule changed, by kind of fault',
        labelNames: ['kind'],
        registers: [deps.metrics.registry],
      });
  }

  /** Loads the rules, then looks for changes every `intervalMs`. A Redis failure leaves the rules as they were. */
  async start(intervalMs = FAULT_REFRESH_MS): Promise<void> {
    await this.refresh();
    this.timer = setInterval(() => void this.refresh(), intervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** Reloads the rules when their version in Redis moved (or always, with `force`). Never throws. */
  async refresh(force = false): Promise<void> {
    try {
      if (!force && (await this.redis.get(this.keys.version)) === this.version) return;
      await this.list();
    } catch (e) {
      this.deps.log.warn(
        { err: (e as Error).message },
        'fault rules could not be reloaded; the ones last seen stay in force',
      );
    }
  }

  /** Every rule, oldest first, with its times left and fired; refreshes this switch's copy. */
  async list(): Promise<FaultRuleState[]> {
    const [version, rules, left, fired] = (await this.redis
      .multi()
      .get(this.keys.version)
      .hgetall(this.keys.rules)
      .hgetall(this.keys.left)
      .hgetall(this.keys.fired)
      .exec())!.map(([, v]) => v) as [
      string | null,
      Record<string, string>,
      Record<string, string>,
      Record<string, string>,
    ];
    const states = Object.values(rules)
      .map((json) => JSON.parse(json) as FaultRule)
      .sort((a, b) => a.seq - b.seq)
      .map((r): FaultRuleState => ({
        ...r,
        left: r.times === 'always' ? 'always' : Number(left[r.id]),
        fired: Number(fired[r.id] ?? 0),
      }));
    this.use(states.map(({ left: _l, fired: _f, ...rule }) => rule));
    this.version = version;
    return states;
  }

  async create(spec: NewFaultRule): Promise<CreateResult> {
    const id = randomBytes(8).toString('hex');
    const rule = { id, ...spec, createdAt: this.deps.clock.now().toISOString() };
    const max = this.deps.maxRules ?? MAX_FAULT_RULES;
    const seq = await createRuleScript.run(
      this.redis,
      { rules: this.keys.rules, left: this.keys.left, version: this.keys.version },
      { id, rule: JSON.stringify(rule), times: String(spec.times), maxRules: max },
    );
    if (seq === 0) return { ok: false, reason: `${max} fault rules are set already: remove some first` };
    await this.refresh(true);
    return { ok: true, rule: { ...rule, seq, left: spec.times, fired: 0 } };
  }

  /** The rule removed, or undefined when there was none with that id. */
  async remove(id: string): Promise<FaultRuleState | undefined> {
    const rule = (await this.list()).find((r) => r.id === id);
    const removed = rule !== undefined && (await removeRuleScript.run(this.redis, this.keys, { id })) === 1;
    if (!removed) return undefined;
    await this.refresh(true);
    return rule;
  }

  /**
   * The fault to apply to this request, if a rule matches it and still has times left (counted
   * down here); undefined otherwise, and when Redis fails (the request is then handled as usual).
   * `sender`: the terminal the connection's client certificate names, which a rule for another
   * terminal must not fire for whatever field 41 says; absent: field 41's.
   */
  async take(request: IsoMessage, mti: string, sender?: string): Promise<FaultRule | undefined> {
    for (const rule of this.matching(request, mti, sender)) {
      let left: number;
      try {
        left = await registerCall(takeRuleScript.run(this.redis, this.keys, { id: rule.id }), this.deps.timeoutMs);
      } catch (e) {
        this.deps.log.warn(
          { err: (e as Error).message, rule: rule.id },
          'fault rule could not be taken; the request is handled without it',
        );
        return undefined;
      }
      // Spent or removed (here or by another switch): out of this switch's copy at once.
      if (left === -1 || left === 0) this.use(this.rules.filter((r) => r.id !== rule.id));
      if (left === -1) continue;
      this.fired.inc({ kind: rule.kind });
      return rule;
    }
    return undefined;
  }

  /** The rules that match the request, oldest first; the card id is computed only when a rule names a card. */
  private matching(request: IsoMessage, mti: string, sender: string | undefined): FaultRule[] {
    const f41 = request[41];
    const terminal = sender ?? (typeof f41 === 'string' ? f41.trimEnd() : undefined);
    let card: CardId | null | undefined;
    const cardOf = (): CardId | null => {
      if (card === undefined) {
        const pan = panOf(request);
        card = pan === undefined ? null : this.deps.idOf(pan);
      }
      return card;
    };
    return this.rules.filter(
      (r) =>
        (r.mti === undefined || r.mti === mti) &&
        (r.terminal === undefined || r.terminal === terminal) &&
        (r.card === undefined || r.card === cardOf()),
    );
  }

  private use(rules: FaultRule[]): void {
    this.rules = rules;
    this.armed = rules.length > 0;
  }
}
