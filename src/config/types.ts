/**
 * The switch's configuration, as validated at start (src/config/load.ts). Defaults are in
 * src/config/defaults.ts; config/switch.example.json shows every key.
 *
 * Derived from the config file's JSON Schema (src/config/schema.ts), not written beside it: what
 * each key means is its `description` there. A file may leave out almost any key; once loaded,
 * every key is there (the defaults fill what the file leaves out) except the few in `Unset`.
 */
import type { FromSchema } from 'json-schema-to-ts';
import type { CONFIG_FILE_SCHEMA } from './schema.js';

/**
 * A config file as the schema accepts it. The token's `if`/`then`/`else` (an issuer token names
 * its issuer, other tokens none) is parsed too, so that AdminPrincipal is a union on `role`.
 */
export type ConfigFile = FromSchema<
  typeof CONFIG_FILE_SCHEMA,
  { parseIfThenElseKeywords: true; parseNotKeyword: true }
>;

/**
 * Keys with no default: absent after loading unless the file, the environment or the overrides
 * set them (redis.url, redis.cluster, register.pendingBlocksFile, terminals.keyFile,
 * monitoring.rulesFile, a listener's tls, whose own keys have their defaults where they are read: src/transport/tls.ts). A key added
 * to the schema is present after loading unless named here, so DEFAULT_CONFIG must then give it.
 */
type Unset = 'url' | 'cluster' | 'pendingBlocksFile' | 'keyFile' | 'tls' | 'rulesFile';

/**
 * What loading makes of a file's type: each object that is merged onto a default gets every key
 * but the Unset ones (and each listener is merged onto the default listener). A map (admin.tokens,
 * issuers) keeps its entries as written: they are taken whole, with no defaults merged into them.
 */
type Loaded<T> = T extends readonly (infer U)[]
  ? Loaded<U>[]
  : T extends object
    ? string extends keyof T
      ? T
      : Flat<
          { [K in keyof T as K extends Unset ? K : never]?: T[K] } & {
            [K in keyof T as K extends Unset ? never : K]-?: Loaded<Exclude<T[K], undefined>>;
          }
        >
    : T;
/** One object type instead of an intersection, so that hovers and errors show the keys. */
type Flat<T> = T extends infer O ? { [K in keyof O]: O[K] } : never;

export type SwitchConfig = Loaded<ConfigFile>;

export type ListenerConfig = SwitchConfig['listeners'][number];
export type ConnectionLimits = ListenerConfig['connections'];
export type RegisterConfig = SwitchConfig['register'];
export type IssuerConfig = SwitchConfig['issuers'][string];
export type ClearingConfig = SwitchConfig['clearing'];

/**
 * Who an admin API token speaks for: one issuer (its own cards only), the block service (any
 * card, but only through the cardholder's block report), the offline terminals' fetch service
 * (the offline block list's files only, every issuer's cards), a terminal vendor's testers
 * (fault rules and the terminals' conformance view only), or operations (readiness, metrics,
 * terminal traces: a Prometheus scraper, the operators' tools).
 */
export type AdminPrincipal = SwitchConfig['admin']['tokens'][string];
