/**
 * The rules in force (docs/MONITORING.md, "The rule file"): the shipped rules
 * (default-rules.json), or a file the config names (monitoring.rulesFile), checked against the
 * schema (rule-schema.ts) and read again when it changes, without a restart. A changed file that
 * fails the check is refused with every problem named, and the rules in force stay.
 */
import { readFileSync, unwatchFile, watchFile } from 'node:fs';
import { Ajv } from 'ajv';
import type { Logger } from '../log/logger.js';
import { RULE_FILE_SCHEMA, RULE_KINDS, type Rule, type RuleFile, type Sparing } from './rule-schema.js';
import { DEFAULT_SPARING } from './holder-profile.js';
import { horizonMs } from './evaluate.js';
import shipped from './default-rules.json' with { type: 'json' };

const validate = new Ajv({ allErrors: true, discriminator: true }).compile<RuleFile>(RULE_FILE_SCHEMA);

export class RuleFileError extends Error {
  constructor(
    readonly source: string,
    readonly problems: string[],
  ) {
    super(`rule file ${source}: ${problems.join('; ')}`);
    this.name = 'RuleFileError';
  }
}

/** The rule file's content, checked: the schema, and rule ids unique. */
export function parseRuleFile(value: unknown, source: string): RuleFile {
  if (!validate(value))
    throw new RuleFileError(
      source,
      (validate.errors ?? []).map((e) =>
        e.keyword === 'discriminator'
          ? `${e.instancePath}/kind must be one of ${Object.keys(RULE_KINDS).join(', ')}`
          : `${e.instancePath || '/'} ${e.message ?? 'is invalid'}`,
      ),
    );
  const seen = new Set<string>();
  for (const r of value.rules) {
    if (seen.has(r.id)) throw new RuleFileError(source, [`rule id '${r.id}' is used twice`]);
    seen.add(r.id);
  }
  return value;
}

/** Reads and checks a rule file. */
export function readRuleFile(path: string): RuleFile {
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new RuleFileError(path, [(e as Error).message]);
  }
  return parseRuleFile(value, path);
}

export class RuleBook {
  private file: RuleFile;
  private horizon: number;
  /** Reloads made since the start (tests wait on it). */
  version = 0;

  private constructor(
    file: RuleFile,
    private readonly path: string | undefined,
    /** Where the rules come from: the file's path, 'shipped' or 'given'. */
    readonly source: string,
  ) {
    this.file = file;
    this.horizon = horizonMs(file.rules);
  }

  /** The rules of `path`, or the shipped ones. */
  static load(path?: string): RuleBook {
    return path === undefined
      ? new RuleBook(parseRuleFile(shipped, 'default-rules.json'), undefined, 'shipped')
      : new RuleBook(readRuleFile(path), path, path);
  }

  /** From rules given as data (tests, the replay of a file already read). */
  static of(file: RuleFile): RuleBook {
    return new RuleBook(parseRuleFile(file, 'given rules'), undefined, 'given');
  }

  get rules(): readonly Rule[] {
    return this.file.rules;
  }

  get sparing(): Sparing {
    return { ...DEFAULT_SPARING, ...this.file.sparing };
  }

  /** The longest time back any rule looks (ms). */
  get horizonMs(): number {
    return this.horizon;
  }

  /** Reads the file again; throws RuleFileError (the rules in force stay) when it fails the check. */
  reload(): void {
    if (this.path === undefined) return;
    this.file = readRuleFile(this.path);
    this.horizon = horizonMs(this.file.rules);
    this.version++;
  }

  /** Reloads whenever the file changes (polled every `intervalMs`: works on every file system). */
  watch(log: Logger, intervalMs = 1000): void {
    const { path } = this;
    if (path === undefined) return;
    watchFile(path, { interval: intervalMs }, (now, before) => {
      if (now.mtimeMs === before.mtimeMs && now.size === before.size) return;
      try {
        this.reload();
        log.info({ rules: this.rules.length, file: path }, 'fraud monitoring rules reloaded');
      } catch (e) {
        log.error({ err: (e as Error).message }, 'fraud monitoring rules not reloaded: the rules in force stay');
      }
    });
  }

  unwatch(): void {
    if (this.path !== undefined) unwatchFile(this.path);
  }
}
