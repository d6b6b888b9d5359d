/**
 * The offline block list (001 §17; docs/CLEARING.md "Offline block list"): the cards that offline
 * terminals must refuse. Once a day the changes since the previous day's file are written to a
 * change file (makeDaily); the terminal operators' fetch service collects every file it has not
 * had yet (fetch), so files not fetched over a weekend arrive together on Monday, oldest first.
 *
 * Only blocked cards are listed: a card with a block, also when it is PIN-blocked as well. A card
 * that is only PIN-blocked, a deleted card and an expired card are left out (a terminal refuses
 * an expired card by itself).
 *
 * The list a daily file leaves the terminals with (the snapshot) is kept in Redis, keyed by card
 * id, with the PAN only as the register keeps it (encrypted): the next file is the difference
 * between the cards blocked then and the snapshot. The files themselves hold full PANs, because a
 * terminal compares the PAN it reads: they are written with mode 0600 and are read back from the
 * directory when fetched; nothing here logs or throws a PAN.
 *
 * Redis Cluster: the list's own keys share the hash tag {blocklist}, so MULTI and the Lua scripts
 * touch one slot; the card records are read through the card register (CardRegister.forEachRecord:
 * SCAN on every master, HMGET per record).
 */
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { RegisterRedis } from '../redis/client.js';
import type { Clock } from '../time/clock.js';
import type { Logger } from '../log/logger.js';
import type { BlockReason, CardRegister } from '../card/card-register.js';
import { asReply, defineScript } from '../redis/scripts.js';
import { writeFileAtomic } from '../files/atomic-file.js';
import { yymm } from '../time/local-time.js';
import { dayNumber, isCalendarDate, yymmOfDate } from '../time/dates.js';
import {
  type BlockListEntry,
  type BlockListIndex,
  type Made,
  blockListFileName,
  blockListText,
} from './block-list-file.js';

// The file's layout and text live in block-list-file.ts; its importers know them from here.
export {
  type BlockListEntry,
  type FieldSpec,
  FILE_ID,
  LAYOUTS,
  LAYOUT_VERSION,
  RECORD_LENGTH,
  type RecordType,
  type BlockListIndex,
  blockListFileName,
  maskedBlockList,
} from './block-list-file.js';

export interface BlockListFile {
  /** 'YYYY-MM-DD': a daily file's day; for a full file, the latest daily file it includes. */
  date: string;
  kind: 'daily' | 'full';
  content: string;
}

export interface DailyResult {
  date: string;
  /** The file's path. */
  file: string;
  /** A records: cards put on the list (or whose block changed). */
  added: number;
  /** R records: cards taken off the list. */
  removed: number;
  /** false: the file of that date had been made already and nothing changed. */
  created: boolean;
}

export interface OfflineBlockListOptions {
  redis: RegisterRedis;
  /** The switch's key prefix (config redis.keyPrefix). */
  prefix: string;
  register: CardRegister;
  clock: Clock;
  /** The local time zone of dates, times and expiry months (config register.timeZone). */
  timeZone: string;
  /** Where the files are written (created if absent). */
  directory: string;
  log: Logger;
}

/** A fetcher's name: chosen by the terminal operators, used in a Redis key and in logs. */
export const FETCHER_PATTERN = /^[A-Za-z0-9._-]{1,64}$/;

/** The fields of a card record the list reads, in the order listable() takes them. */
const RECORD_FIELDS = ['status', 'block', 'blockedAt', 'expiry', 'issuer', 'maskedPan', 'panEnc'];
/** Longer than making a file can take; a crashed maker's lock lapses after it. */
const LOCK_MS = 10 * 60_000;

/** What the snapshot keeps of a listed card (JSON, per card id): the PAN only encrypted. */
interface Listed {
  panEnc: string;
  maskedPan: string;
  issuer: string;
  reason: BlockReason;
  blockedAt: number;
}

/**
 * commit-daily.lua: the snapshot, the chain of days and the day's counts updated in one step;
 * 'ok', or 'made' / 'moved' when the date was made meanwhile or another file came in between.
 * The tail: the `removed` card ids taken off, then card id/JSON pairs to set.
 */
export const commitDailyScript = defineScript({
  name: 'swBlockListCommit',
  file: new URL('./commit-daily.lua', import.meta.url),
  keys: ['snapshot', 'days', 'made'],
  args: ['date', 'day', 'latest', 'made', 'removed'],
  rest: 'changes',
  reply: asReply<'ok' | 'made' | 'moved'>(),
});

/** swap.lua: sets a key only if it holds the value expected; 1 when set. */
export const swapScript = defineScript({
  name: 'swBlockListSwap',
  file: new URL('./swap.lua', import.meta.url),
  keys: ['key'],
  args: ['expected', 'value'],
  reply: asReply<number>(),
});

/** unlock.lua: deletes the lock only if the token still holds it. */
export const unlockScript = defineScript({
  name: 'swBlockListUnlock',
  file: new URL('./unlock.lua', import.meta.url),
  keys: ['lock'],
  args: ['token'],
  reply: asReply<number>(),
});

/** A fetcher's mark before any daily file was made (its first fetch came first). */
const NONE = '-';

export class OfflineBlockList {
  private readonly redis: RegisterRedis;
  private readonly prefix: string;
  private readonly register: CardRegister;
  private readonly clock: Clock;
  private readonly directory: string;
  private readonly log: Logger;
  private readonly timeZone: string;
  private readonly keys: { snapshot: string; days: string; made: string; lock: string };

  constructor(opts: OfflineBlockListOptions) {
    this.redis = opts.redis;
    this.prefix = opts.prefix;
    this.register = opts.register;
    this.clock = opts.clock;
    this.directory = opts.directory;
    this.log = opts.log;
    this.timeZone = opts.timeZone;
    const base = `${opts.prefix}{blocklist}`;
    this.keys = { snapshot: `${base}:snapshot`, days: `${base}:days`, made: `${base}:made`, lock: `${base}:lock` };
  }

  /** Every card blocked now (a scan of the card records), sorted by PAN. */
  async full(): Promise<BlockListEntry[]> {
    const listed = await this.blockedCards(yymm(this.clock.now(), this.timeZone));
    return this.entries(listed).map(({ entry }) => entry);
  }

  /**
   * The change file of local day `date` ('YYYY-MM-DD'): the cards put on the list and taken off
   * it since the previous daily file (the first file: since an empty list). Once per date: a
   * second call returns the file made and changes nothing. A date before the latest file's is
   * refused (the files are a chain); days without a file are simply covered by the next one.
   */
  async makeDaily(date: string): Promise<DailyResult> {
    checkDate(date);
    const file = join(this.directory, blockListFileName(date));
    const token = randomBytes(16).toString('hex');
    if ((await this.redis.set(this.keys.lock, token, 'PX', LOCK_MS, 'NX')) !== 'OK') {
      throw new Error('offline block list: another daily file is being made; try again later');
    }
    try {
      const [made, latest] = await this.dayState(date);
      if (made !== undefined) return { date, file, added: made.added, removed: made.removed, created: false };
      if (latest !== '' && latest > date) {
        throw new Error(`offline block list: cannot make the file of ${date}: the file of ${latest} is made already`);
      }
      // Expiry is judged on the file's day: a card valid through that day's month stays listed.
      const current = await this.blockedCards(yymmOfDate(date));
      const snapshot = parseSnapshot(await this.redis.hgetall(this.keys.snapshot));
      const put = new Map(
        [...current].filter(([id, e]) => {
          const before = snapshot.get(id);
          return before === undefined || before.reason !== e.reason || before.blockedAt !== e.blockedAt;
        }),
      );
      const gone = new Map([...snapshot].filter(([id]) => !current.has(id)));
      const lines = [
        ...this.entries(put).map((e) => ({ ...e, type: 'A' as const })),
        ...this.entries(gone).map((e) => ({ ...e, type: 'R' as const })),
      ].sort((a, b) => (a.entry.pan < b.entry.pan ? -1 : 1));
      const content = blockListText('DAILY', date, lines, this.clock.now(), this.timeZone);
      // The files hold full PANs: 0600, in a directory of the switch's own if it makes one.
      await writeFileAtomic(file, content, { encoding: 'latin1', directoryMode: 0o700 });
      const meta: Made = { added: put.size, removed: gone.size, madeAt: this.clock.now().getTime() };
      const committed = await commitDailyScript.run(
        this.redis,
        { snapshot: this.keys.snapshot, days: this.keys.days, made: this.keys.made },
        { date, day: dayNumber(date), latest, made: JSON.stringify(meta), removed: gone.size },
        [...gone.keys(), ...[...put].flatMap(([id, e]) => [id, JSON.stringify(e)])],
      );
      /* c8 ignore next 3 */
      if (committed !== 'ok') {
        throw new Error(
          `offline block list: the file of ${date} was changed by another maker meanwhile (${committed}); its lock had lapsed`,
        );
      }
      this.log.info({ date, added: meta.added, removed: meta.removed, file }, 'offline block list: daily file made');
      return { date, file, added: meta.added, removed: meta.removed, created: true };
    } finally {
      await unlockScript.run(this.redis, { lock: this.keys.lock }, { token });
    }
  }

  /**
   * The daily files this fetcher has not had yet, oldest first, and marks them fetched. The first
   * fetch of a fetcher never seen gives one full file instead: the list as the daily files so far
   * leave it (as fullFile()), so a new fetcher starts from a complete list and gets daily files
   * from there on. Before any daily file exists, the first fetch gets nothing (and later every
   * file, the first of which starts from an empty list).
   */
  async fetch(fetcher: string): Promise<BlockListFile[]> {
    if (!FETCHER_PATTERN.test(fetcher))
      throw new Error('offline block list: a fetcher id is 1 to 64 of A-Z a-z 0-9 . _ -');
    const key = `${this.prefix}{blocklist}:fetched:${fetcher}`;
    const shown = fetcher.replace(/\d{4,}/g, (d) => '*'.repeat(d.length));
    // A concurrent fetch by the same fetcher moves the mark; then this one looks again.
    for (;;) {
      const mark = await this.redis.get(key);
      if (mark === null) {
        const base = await this.baseline();
        if ((await this.redis.set(key, base.date || NONE, 'NX')) !== 'OK') continue;
        this.log.info(
          { fetcher: shown, fullListOf: base.date || null },
          'offline block list: first fetch of a new fetcher',
        );
        return base.date === '' ? [] : [{ date: base.date, kind: 'full', content: base.content }];
      }
      const min = mark === NONE ? '-inf' : `(${dayNumber(mark)}`;
      const dates = await this.redis.zrangebyscore(this.keys.days, min, '+inf');
      if (dates.length === 0) return [];
      const files = await Promise.all(
        dates.map(async (date): Promise<BlockListFile> => ({
          date,
          kind: 'daily',
          content: await this.readDaily(date),
        })),
      );
      if ((await swapScript.run(this.redis, { key }, { expected: mark, value: dates.at(-1)! })) === 0) continue;
      this.log.info({ fetcher: shown, dates }, 'offline block list: daily files handed out');
      return files;
    }
  }

  /**
   * The full list as a file (same layout, every entry an A record): the list the daily files made
   * so far leave the terminals with, dated with the latest of them. Not the register's list of
   * this moment: a card blocked and lifted again between two daily files would be in that one and
   * in no later daily file, so a terminal starting from it would refuse the card for good.
   */
  async fullFile(): Promise<string> {
    return (await this.baseline()).content;
  }

  /** fullFile() with the date of the latest daily file it includes (null before the first). */
  async fullFileDated(): Promise<{ date: string | null; content: string }> {
    const { date, content } = await this.baseline();
    return { date: date === '' ? null : date, content };
  }

  /**
   * The daily files made, newest first (at most `limit`; `total` counts them all), with their
   * counts; and the full list's date (the latest daily file's, null before one) and card count.
   */
  async files(limit: number): Promise<BlockListIndex> {
    const k = this.keys;
    const replies = await this.redis
      .multi()
      .zrevrange(k.days, 0, limit - 1)
      .zcard(k.days)
      .hgetall(k.made)
      .hlen(k.snapshot)
      .exec();
    const [dates, total, made, cards] = replies!.map(([e, v]) => {
      /* c8 ignore next */
      if (e) throw e;
      return v;
    }) as [string[], number, Record<string, string>, number];
    const daily = dates.map((date) => ({ date, ...(JSON.parse(made[date] ?? '{}') as Made) }));
    return { daily, total, full: { date: dates[0] ?? null, cards } };
  }

  /** The daily file of `date` as written, when the list's index has that date (nothing else is read from disk). */
  async dailyFile(date: string): Promise<string | undefined> {
    if (!isCalendarDate(date) || (await this.redis.zscore(this.keys.days, date)) === null) return undefined;
    return this.readDaily(date);
  }

  // -------------------------------------------------------------------------------------------

  /** The latest daily file's date ('' none) and the full file of the snapshot, read together. */
  private async baseline(): Promise<{ date: string; content: string }> {
    const replies = await this.redis.multi().zrange(this.keys.days, '-1', '-1').hgetall(this.keys.snapshot).exec();
    const [[e1, last], [e2, raw]] = replies as [[Error | null, string[]], [Error | null, Record<string, string>]];
    /* c8 ignore next */
    if (e1 ?? e2) throw (e1 ?? e2)!;
    const date = last[0] ?? '';
    const entries = this.entries(parseSnapshot(raw));
    const lines = entries.map(({ entry }) => ({ type: 'A' as const, entry }));
    return { date, content: blockListText('FULL', date, lines, this.clock.now(), this.timeZone) };
  }

  /** Whether `date` was made (and its counts), and the latest date made ('' none). */
  private async dayState(date: string): Promise<[Made | undefined, string]> {
    const replies = await this.redis.multi().hget(this.keys.made, date).zrange(this.keys.days, '-1', '-1').exec();
    const [[e1, made], [e2, last]] = replies as [[Error | null, string | null], [Error | null, string[]]];
    /* c8 ignore next */
    if (e1 ?? e2) throw (e1 ?? e2)!;
    return [made === null ? undefined : (JSON.parse(made) as Made), last[0] ?? ''];
  }

  /** The cards blocked now, by card id, leaving out deleted ones and those expired before `yymm`. */
  private async blockedCards(yymm: string): Promise<Map<string, Listed>> {
    const out = new Map<string, Listed>();
    await this.register.forEachRecord(RECORD_FIELDS, (cards) => {
      for (const { id, values } of cards) {
        const listed = this.listable(id, values, yymm);
        if (listed !== undefined) out.set(id, listed);
      }
    });
    return out;
  }

  /** What the list keeps of a card record (RECORD_FIELDS), if the card is to be listed. */
  private listable(id: string, record: (string | null)[], yymm: string): Listed | undefined {
    // A record removed since the SCAN answers nulls (no block); a registered card has every other field.
    const [status, block, blockedAt, expiry, issuer, maskedPan, panEnc] = record as string[];
    if (!block || status === 'deleted' || expiry! < yymm) return undefined;
    if (!panEnc) {
      // A record from before the PAN was kept encrypted: it cannot be listed. Loud, not fatal.
      this.log.error({ card: id }, 'offline block list: a blocked card has no encrypted PAN and is left out');
      return undefined;
    }
    return {
      panEnc,
      maskedPan: maskedPan!,
      issuer: issuer!,
      reason: block as BlockReason,
      blockedAt: Number(blockedAt),
    };
  }

  /** Listed cards with their PANs decrypted, sorted by PAN. */
  private entries(listed: Map<string, Listed>): { card: string; entry: BlockListEntry }[] {
    return [...listed]
      .map(([card, l]) => {
        let pan: string;
        try {
          pan = this.register.cipher.decrypt(l.panEnc);
        } catch {
          throw new Error(`offline block list: the PAN of card ${card} cannot be decrypted (another data key?)`);
        }
        // Whatever was encrypted, only digits may reach the PAN column.
        if (!/^\d{12,19}$/.test(pan))
          throw new Error(`offline block list: the PAN of card ${card} is not 12 to 19 digits`);
        return {
          card,
          entry: { pan, maskedPan: l.maskedPan, issuer: l.issuer, reason: l.reason, blockedAt: l.blockedAt },
        };
      })
      .sort((a, b) => (a.entry.pan < b.entry.pan ? -1 : 1));
  }

  private async readDaily(date: string): Promise<string> {
    try {
      return await readFile(join(this.directory, blockListFileName(date)), 'latin1');
    } catch (e) {
      throw new Error(
        `offline block list: the file of ${date} cannot be read from ${this.directory} (${(e as NodeJS.ErrnoException).code})`,
        { cause: e },
      );
    }
  }
}

function checkDate(date: string): void {
  if (!isCalendarDate(date)) throw new Error("offline block list: a date is 'YYYY-MM-DD'");
}

function parseSnapshot(raw: Record<string, string>): Map<string, Listed> {
  return new Map(Object.entries(raw).map(([id, json]) => [id, JSON.parse(json) as Listed]));
}
