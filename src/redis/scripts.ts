/**
 * The switch's Lua scripts, each declared once with the names of its KEYS and ARGV:
 *
 *   const seal = defineScript({
 *     name: 'swSealDelivery', file: new URL('./seal-delivery.lua', import.meta.url),
 *     keys: ['deliveries', 'sealedTo', 'journal'], args: ['field', 'delivery'],
 *     reply: (r) => JSON.parse(r as string) as SealedDelivery,
 *   });
 *   const d = await seal.run(redis, { deliveries, sealedTo, journal }, { field, delivery });
 *
 * The declared names are the only place the order lives. run() builds the KEYS/ARGV list from
 * the objects it is given, in the declared order (a name missing or extra is a compile error),
 * and the Lua gets a prelude binding each name to its position:
 *
 *   local K_deliveries, K_sealedTo, K_journal = KEYS[1], KEYS[2], KEYS[3]
 *   local A_field, A_delivery = ARGV[1], ARGV[2]
 *
 * so the .lua file says K_journal and A_field, never KEYS[3] or ARGV[1]. A script taking a
 * variable-length tail of ARGV after its named arguments (pairs of fields and values, say)
 * declares it, `rest: 'fields'`, and gets `local R_fields = <index of its first ARGV>`; run()
 * then takes the tail as a fourth argument. Names are checked when the script is defined: each
 * K_/A_/R_ name the Lua uses must be declared, and the Lua may not index KEYS or ARGV by number
 * (nor read KEYS at all, nor ARGV but for a declared tail). Each name is a Lua local: Lua allows
 * 200 in a function, the authorize script's prelude takes 35.
 *
 * Shared Lua (functions several scripts use) is a .lua file of its own, named in `include`: the
 * source sent to Redis is the prelude, the includes in order, then the script (Script.lua), and
 * the line numbers in Redis's error messages count in that whole text.
 *
 * A call is sent by script-call.ts: EVALSHA, EVAL the first time on a connection (a new one
 * after a restart too) and when Redis lacks the script (after SCRIPT FLUSH). No script is
 * defined on the client (ioredis's defineCommand): nothing needs preparing before a client
 * sends, and a call's arguments are not copied with ioredis's costly flat() (script-call.ts says
 * why). A call goes through the client's sendCommand like any other command, so write
 * coalescing (write-coalescing.ts, on one Redis and on each node of a cluster) applies, and on
 * Redis Cluster it goes to the node of its first key. (ioredis's auto-pipelining, on a cluster,
 * takes only the commands called by name, not these.)
 *
 * The hot path (the authorize script) pays for one array only: its EVALSHA arguments, listed by
 * a function made once per script that reads the objects' properties by the declared names
 * (valueLister()); a script declared with `reply: asReply<T>()` gets Redis's reply as it is,
 * with no promise more.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { RegisterRedis } from './client.js';
import { type SentScript, callScript } from './script-call.js';

/** An ARGV value: Redis gets every one as a string. */
export type ScriptValue = string | number;

type Names = readonly string[];

export interface ScriptSpec<K extends Names, A extends Names, R, T extends string | undefined> {
  /** The script's name (its errors and tests name it); unique among the switch's scripts. */
  name: string;
  /** The .lua file, e.g. new URL('./append.lua', import.meta.url). */
  file: URL;
  /** Shared .lua files put before the script (after the prelude), in this order. */
  include?: readonly URL[];
  /** KEYS, in order: the Lua sees KEYS[i] as K_<name>. */
  keys: K;
  /** ARGV, in order: the Lua sees ARGV[i] as A_<name>. */
  args: A;
  /** A variable-length tail of ARGV after `args`: the Lua sees R_<name>, the index of its first value. */
  rest?: T;
  /** Turns Redis's reply into the script's result; asReply<T>() takes it as it is. */
  reply: (raw: unknown) => R;
}

/** The values of a script's KEYS or ARGV, by declared name. */
export type Named<N extends Names, V> = { readonly [P in N[number]]: V };

export interface Script<K extends Names, A extends Names, R, T extends string | undefined> {
  readonly name: string;
  readonly keys: K;
  readonly args: A;
  readonly rest: T;
  /** Its .lua files: the includes, then its own. */
  readonly files: readonly URL[];
  /** The Lua Redis gets: prelude, includes, script. */
  readonly lua: string;
  /** Runs the script; a script with a declared `rest` takes its tail as the fourth argument. */
  run(
    redis: RegisterRedis,
    keys: Named<K, string>,
    args: Named<A, ScriptValue>,
    ...tail: T extends string ? [rest: readonly ScriptValue[]] : []
  ): Promise<R>;
}

/** reply for a script whose reply needs no parsing: typed as T, passed on unchanged (no extra promise). */
export function asReply<T>(): (raw: unknown) => T {
  return AS_IS as (raw: unknown) => T;
}
const AS_IS = (raw: unknown): unknown => raw;

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** KEYS[1], ARGV[ 2 ], unpack(ARGV, 3): what the names replace. */
const NUMBERED = /\b(?:KEYS|ARGV)\s*\[\s*\d|\bunpack\s*\(\s*(?:KEYS|ARGV)\s*,\s*\d/;
const NAMES_USED = /\b([KAR])_([A-Za-z0-9_]+)/g;

const byName = new Map<string, unknown>();
const luaFiles = new Map<string, string>();

function luaFile(url: URL): string {
  let text = luaFiles.get(url.href);
  if (text === undefined) {
    text = readFileSync(url, 'utf8');
    luaFiles.set(url.href, text);
  }
  return text;
}

/** The lines binding the declared names (one line per kind, so line numbers stay few and fixed). */
export function prelude(keys: Names, args: Names, rest?: string): string {
  const bind = (prefix: string, table: string, names: Names): string =>
    `local ${names.map((n) => `${prefix}_${n}`).join(', ')} = ${names.map((_, i) => `${table}[${i + 1}]`).join(', ')}\n`;
  let out = '';
  if (keys.length > 0) out += bind('K', 'KEYS', keys);
  if (args.length > 0) out += bind('A', 'ARGV', args);
  if (rest !== undefined) out += `local R_${rest} = ${args.length + 1}\n`;
  return out;
}

/**
 * Declares a script: reads its Lua (once, now), checks its names; run() sends it on any client.
 */
export function defineScript<const K extends Names, const A extends Names, R, T extends string | undefined = undefined>(
  spec: ScriptSpec<K, A, R, T>,
): Script<K, A, R, T> {
  const { name, keys, args, reply } = spec;
  const rest = spec.rest as T;
  const declared = new Set<string>();
  for (const [prefix, names] of [
    ['K', keys],
    ['A', args],
    ['R', rest === undefined ? [] : [rest]],
  ] as const) {
    for (const n of names) {
      if (!IDENTIFIER.test(n)) throw new Error(`script ${name}: '${n}' is not a Lua name`);
      if (declared.has(`${prefix}_${n}`)) throw new Error(`script ${name}: '${n}' is declared twice`);
      declared.add(`${prefix}_${n}`);
    }
  }
  if (byName.has(name)) throw new Error(`script ${name} is defined twice`);

  const files = [...(spec.include ?? []), spec.file];
  const sources = files.map((url) => ({ url, text: luaFile(url) }));
  for (const { url, text } of sources) {
    const code = text.replace(/--.*$/gm, '');
    if (NUMBERED.test(code))
      throw new Error(`script ${name}: ${url.pathname} indexes KEYS or ARGV by number; use the declared names`);
    if (rest === undefined && /\bARGV\b/.test(code))
      throw new Error(
        `script ${name}: ${url.pathname} reads ARGV beyond its named arguments; declare the tail as rest`,
      );
    if (/\bKEYS\b/.test(code)) throw new Error(`script ${name}: ${url.pathname} reads KEYS; use the declared names`);
    for (const [used] of code.matchAll(NAMES_USED)) {
      if (!declared.has(used))
        throw new Error(`script ${name}: ${url.pathname} uses ${used}, which the script does not declare`);
    }
  }
  const lua = prelude(keys, args, rest) + sources.map((s) => s.text).join('\n');

  const sent: SentScript = { lua, sha: createHash('sha1').update(lua).digest('hex'), loadedOn: new WeakSet() };
  const parse = reply === AS_IS ? undefined : reply;
  const valuesOf = valueLister(sent.sha, keys, args, rest !== undefined);
  function run(
    redis: RegisterRedis,
    keyValues: Named<K, string>,
    argValues: Named<A, ScriptValue>,
    tail?: readonly ScriptValue[],
  ): Promise<R> {
    const called = callScript(redis, sent, valuesOf(keyValues, argValues, tail, text));
    return (parse === undefined ? called : called.then(parse)) as Promise<R>;
  }
  const script = { name, keys, args, rest, files, lua, run: run as Script<K, A, R, T>['run'] };
  byName.set(name, script);
  return script;
}

/**
 * A KEYS or ARGV value as Redis gets it, as ioredis writes one: a number in decimal (a whole one
 * beyond 2^53 in all its digits), nothing (a JavaScript caller's mistake) as ''.
 */
function text(v: ScriptValue | null | undefined): string {
  if (typeof v === 'string') return v;
  if (v === null || v === undefined) return '';
  return Number.isInteger(v) && !Number.isSafeInteger(v) ? BigInt(v).toString() : String(v);
}

type ValueLister = (
  keys: object,
  args: object,
  tail: readonly ScriptValue[] | undefined,
  text: (v: ScriptValue) => string,
) => string[];

/**
 * EVALSHA's arguments for a script, in the declared order, made by a function made once per
 * script from the names (checked to be identifiers):
 *   (keys, args, tail, text) => ['<sha>', '2', text(keys.card), text(keys.outbox), text(args.now), ...]
 * Plain property reads into one array literal: a loop over the names reading keys[name] cost
 * the authorize call 5 times as much JavaScript time (measured with Redis stubbed out).
 */
function valueLister(sha: string, keys: Names, args: Names, tail: boolean): ValueLister {
  const head = [
    `'${sha}'`,
    `'${keys.length}'`,
    ...keys.map((n) => `text(keys.${n})`),
    ...args.map((n) => `text(args.${n})`),
  ];
  // The names are identifiers (checked in defineScript) and the SHA1 is hex, so the text is only property reads.
  return new Function(
    'keys',
    'args',
    'tail',
    'text',
    `const values = [${head.join(', ')}];\n` +
      (tail ? 'if (tail !== undefined) for (const v of tail) values.push(text(v));\n' : '') +
      'return values;',
  ) as ValueLister;
}

/** Every script defined so far (the modules that own them must be imported first). */
export function definedScripts(): Script<Names, Names, unknown, string | undefined>[] {
  return [...byName.values()] as Script<Names, Names, unknown, string | undefined>[];
}
