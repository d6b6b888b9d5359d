/**
 * Builds the switch's configuration, in this order:
 *   DEFAULT_CONFIG <- the sandbox's settings (options.sandbox, only when there is no file)
 *     <- JSON file (options.file, else $SWITCH_CONFIG) <- environment <- overrides,
 * then checks what no single key can check alone (unique names and ports, frame size vs header).
 * Every problem found at one step is reported together in one ConfigError, so an operator fixes
 * a file in one go instead of one error per restart.
 */
import { readFileSync } from 'node:fs';
import { Ajv, type ErrorObject } from 'ajv';
import { HEADER_CAPACITY } from '../transport/framing.js';
import { DEFAULT_CONFIG } from './defaults.js';
import { isUnconfigured, sandboxSettings } from './sandbox.js';
import { CLUSTER_NODE_PATTERN, CONFIG_FILE_SCHEMA, LOG_LEVELS, MAX_PROCESSES } from './schema.js';
import type { ConfigFile, ListenerConfig, SwitchConfig } from './types.js';

export type DeepPartial<T> = T extends (infer U)[]
  ? DeepPartial<U>[]
  : T extends object
    ? { [K in keyof T]?: DeepPartial<T[K]> }
    : T;

export class ConfigError extends Error {
  /** Each problem on its own, e.g. `/listeners/0/port must be <= 65535`. */
  readonly problems: string[];

  constructor(problems: string | string[]) {
    const list = typeof problems === 'string' ? [problems] : problems;
    super(`config: ${list.join('; ')}`);
    this.name = 'ConfigError';
    this.problems = list;
  }
}

export interface LoadConfigOptions {
  /** A JSON config file; when absent, $SWITCH_CONFIG names one; when neither, defaults only. */
  file?: string;
  /** Defaults to process.env; tests pass their own so that the host's variables don't leak in. */
  env?: NodeJS.ProcessEnv;
  /** Deep-merged last (tests). A `listeners` array decides the listener count; its i-th entry is merged onto listener i. */
  overrides?: DeepPartial<SwitchConfig>;
  /**
   * Run as the sandbox (src/config/sandbox.ts) when nothing configures the switch: `npm start`
   * and the command-line tools ask for it, tests and library callers do not. A file wins.
   */
  sandbox?: boolean;
}

/** A loaded configuration, and whether it is the sandbox's. */
export interface StartupConfig {
  config: SwitchConfig;
  sandbox: boolean;
}

/** loadConfig for a command: the sandbox when nothing configures it (see LoadConfigOptions.sandbox). */
export function loadStartupConfig(options: Omit<LoadConfigOptions, 'sandbox'> = {}): StartupConfig {
  const sandbox = isUnconfigured(options.env ?? process.env, options.file);
  return { config: loadConfig({ ...options, sandbox }), sandbox };
}

// allErrors: report every problem of the file at once, not only the first. ConfigFile is the
// schema's own type (types.ts), so what the guard promises is what the schema checks.
const validateFile = new Ajv({ allErrors: true }).compile<ConfigFile>(CONFIG_FILE_SCHEMA);

export function loadConfig(options: LoadConfigOptions = {}): SwitchConfig {
  const env = options.env ?? process.env;
  const file = options.file ?? nonEmpty(env.SWITCH_CONFIG);
  // A copy, so that nothing done with the result can change the defaults of the next load.
  let config = structuredClone(DEFAULT_CONFIG);
  const defaultListener = config.listeners[0]!;
  if (file === undefined && options.sandbox === true) config = merge(config, sandboxSettings(), () => defaultListener);
  if (file !== undefined) config = merge(config, readConfigFile(file), () => defaultListener);
  applyEnv(config, env);
  if (options.overrides) {
    const current = config;
    config = merge(current, options.overrides, (i) => current.listeners[i] ?? defaultListener);
  }
  checkAcrossFields(config);
  return config;
}

function readConfigFile(path: string): ConfigFile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    throw new ConfigError(`cannot read ${path}: ${e.code === 'ENOENT' ? 'no such file' : e.message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new ConfigError(`${path} is not valid JSON: ${(err as Error).message}`);
  }
  if (!validateFile(json)) throw new ConfigError((validateFile.errors ?? []).map(describeSchemaError));
  return json;
}

/** `<json pointer> <what is wrong>`, pointing at the offending key itself when ajv points at its parent. */
function describeSchemaError(e: ErrorObject): string {
  const at = (key: string) => `${e.instancePath}/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`;
  if (e.keyword === 'additionalProperties') return `${at(String(e.params.additionalProperty))} is not allowed`;
  if (e.keyword === 'required') return `${at(String(e.params.missingProperty))} is required`;
  const path = e.instancePath || '/';
  if (e.keyword === 'enum') return `${path} must be one of ${(e.params.allowedValues as unknown[]).join(', ')}`;
  return `${path} ${e.message ?? 'is invalid'}`;
}

type Plain = Record<string, unknown>;
const isPlain = (v: unknown): v is Plain => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Objects merge key by key; anything else (arrays included) replaces; undefined leaves the base alone. */
function deepMerge(base: unknown, patch: unknown): unknown {
  if (patch === undefined) return base;
  if (!isPlain(base) || !isPlain(patch)) return structuredClone(patch);
  const out: Plain = { ...base };
  for (const [key, value] of Object.entries(patch)) out[key] = deepMerge(base[key], value);
  return out;
}

/** Merges a partial config; each listener of the patch is merged onto `listenerBase(i)`. */
function merge(
  base: SwitchConfig,
  patch: DeepPartial<SwitchConfig>,
  listenerBase: (i: number) => ListenerConfig,
): SwitchConfig {
  const { listeners, ...rest } = patch;
  const out = deepMerge(base, rest) as SwitchConfig;
  if (listeners !== undefined) out.listeners = listeners.map((l, i) => deepMerge(listenerBase(i), l) as ListenerConfig);
  return out;
}

const nonEmpty = (v: string | undefined): string | undefined => (v === undefined || v === '' ? undefined : v);

function parsePort(name: string, value: string, problems: string[]): number | undefined {
  if (/^\d{1,5}$/.test(value) && Number(value) <= 65535) return Number(value);
  problems.push(`${name}=${JSON.stringify(value)} is not a port (an integer 0..65535)`);
  return undefined;
}

/** Environment variables beat the file, as usual for containers. An empty variable counts as unset. */
function applyEnv(config: SwitchConfig, env: NodeJS.ProcessEnv): void {
  const problems: string[] = [];
  const redisUrl = nonEmpty(env.REDIS_URL);
  if (redisUrl !== undefined) {
    // The value is not echoed: it may hold a password.
    if (/^rediss?:\/\//.test(redisUrl) && URL.canParse(redisUrl)) config.redis.url = redisUrl;
    else problems.push('REDIS_URL is not a redis:// or rediss:// URL');
  }
  applyRedisClusterEnv(config, env, problems);
  const switchPort = nonEmpty(env.SWITCH_PORT);
  if (switchPort !== undefined) {
    const port = parsePort('SWITCH_PORT', switchPort, problems);
    if (port !== undefined) config.listeners[0]!.port = port;
  }
  const adminPort = nonEmpty(env.ADMIN_PORT);
  if (adminPort !== undefined) {
    const port = parsePort('ADMIN_PORT', adminPort, problems);
    if (port !== undefined) config.admin.port = port;
  }
  const processes = nonEmpty(env.SWITCH_PROCESSES);
  if (processes !== undefined) {
    if (/^\d{1,2}$/.test(processes) && Number(processes) >= 1 && Number(processes) <= MAX_PROCESSES)
      config.processes = Number(processes);
    else
      problems.push(
        `SWITCH_PROCESSES=${JSON.stringify(processes)} is not a process count (an integer 1..${MAX_PROCESSES})`,
      );
  }
  const monitoring = nonEmpty(env.SWITCH_MONITORING);
  if (monitoring !== undefined) {
    if (monitoring === 'on' || monitoring === 'off') config.monitoring.enabled = monitoring === 'on';
    else problems.push(`SWITCH_MONITORING=${JSON.stringify(monitoring)} is not on or off`);
  }
  const level = nonEmpty(env.LOG_LEVEL);
  if (level !== undefined) {
    if ((LOG_LEVELS as readonly string[]).includes(level)) config.log.level = level as SwitchConfig['log']['level'];
    else problems.push(`LOG_LEVEL=${JSON.stringify(level)} is not one of ${LOG_LEVELS.join(', ')}`);
  }
  if (problems.length > 0) throw new ConfigError(problems);
}

/**
 * REDIS_CLUSTER=host:port,host:port runs the switch on that Redis Cluster. Either variable
 * replaces what the file says about the other (the environment names the Redis); both is a mistake.
 */
function applyRedisClusterEnv(config: SwitchConfig, env: NodeJS.ProcessEnv, problems: string[]): void {
  const cluster = nonEmpty(env.REDIS_CLUSTER);
  if (cluster !== undefined && nonEmpty(env.REDIS_URL) !== undefined) {
    problems.push('REDIS_URL and REDIS_CLUSTER are both set: name one Redis');
    return;
  }
  if (cluster === undefined) {
    if (nonEmpty(env.REDIS_URL) !== undefined) delete config.redis.cluster;
    return;
  }
  const nodes = cluster.split(',').map((n) => n.trim());
  const bad = nodes.filter((n) => !new RegExp(CLUSTER_NODE_PATTERN).test(n));
  if (bad.length > 0)
    problems.push(
      `REDIS_CLUSTER: ${bad.map((n) => JSON.stringify(n)).join(', ')} ${bad.length === 1 ? 'is' : 'are'} not host:port`,
    );
  else {
    config.redis.cluster = [...new Set(nodes)];
    delete config.redis.url;
  }
}

function checkAcrossFields(config: SwitchConfig): void {
  const problems: string[] = [];
  checkRedis(config, problems);
  const names = new Map<string, string>();
  // Port 0 asks the OS for a free port, so several zeros never collide.
  const ports = new Map<number, string>();
  const usePort = (port: number, path: string) => {
    if (port === 0) return;
    const other = ports.get(port);
    if (other !== undefined) problems.push(`${path} ${port} is also used by ${other}`);
    else ports.set(port, path);
  };
  config.listeners.forEach((l, i) => {
    const other = names.get(l.name);
    if (other !== undefined) problems.push(`/listeners/${i}/name "${l.name}" is also the name of ${other}`);
    else names.set(l.name, `/listeners/${i}`);
    usePort(l.port, `/listeners/${i}/port`);
    const clientCertificates = l.tls?.clientCertificates ?? 'off';
    if (clientCertificates !== 'off' && l.tls?.clientCa === undefined)
      problems.push(`/listeners/${i}/tls/clientCa is required with clientCertificates '${clientCertificates}'`);
    const capacity = HEADER_CAPACITY[l.framing.header];
    if (l.framing.maxFrameSize > capacity) {
      problems.push(
        `/listeners/${i}/framing/maxFrameSize ${l.framing.maxFrameSize} is more than a ${l.framing.header} header can announce (${capacity})`,
      );
    }
  });
  usePort(config.admin.port, '/admin/port');
  if (problems.length > 0) throw new ConfigError(problems);
}

/** One Redis or one cluster; on a cluster the key prefix must leave the keys' hash tags alone. */
function checkRedis(config: SwitchConfig, problems: string[]): void {
  if (config.redis.cluster === undefined) return;
  if (config.redis.url !== undefined) problems.push('/redis/url and /redis/cluster are both set: name one Redis');
  // A hash tag in the prefix ('sw{x}:') would be every key's: all cards, the journal and the
  // block list in one slot, on one master. A lone brace would change the tags in other ways.
  if (/[{}]/.test(config.redis.keyPrefix))
    problems.push("/redis/keyPrefix must not hold { or } on a Redis Cluster: it would change the keys' hash tags");
}
