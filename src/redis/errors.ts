/**
 * "Redis could not be consulted" (down, unreachable, gone mid-call, too slow) as opposed to Redis
 * answering with an error: told by error class and code wherever ioredis gives one.
 *
 * What ioredis 6 gives (node_modules/ioredis/built):
 * - classes: MaxRetriesPerRequestError (a command failed with its connection: with
 *   maxRetriesPerRequest 0, at every lost connection), ClusterAllFailedError (no node of a cluster
 *   answered for the slot map); ReplyError for every error reply, whose first word is Redis's
 *   error code (CLUSTERDOWN: a slot has no master);
 * - codes: Node's socket errors (ECONNREFUSED ...), and ioredis's own connect timeout, which it
 *   gives code ETIMEDOUT;
 * - neither: a few conditions are a plain `new Error(text)` (UNTYPED below);
 * - "Command timed out" exists only with ioredis's commandTimeout option, which the switch never
 *   sets: its time limit on register calls is its own, and turns into RegisterUnavailableError at
 *   the one place it is made (registerCall, below).
 */
import { ReplyError } from 'ioredis';
import { withTimeout } from '../time/timeout.js';

/** A register call that failed or got no answer in time: answered "register unavailable" (911 / 91). */
export class RegisterUnavailableError extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'RegisterUnavailableError';
  }
}

/**
 * ioredis's classes, by name: its entry point exports only ReplyError, and its error classes
 * report their class name as `name` (a getter on the class), so the name is the class.
 */
const UNAVAILABLE_CLASSES: ReadonlySet<string> = new Set(['MaxRetriesPerRequestError', 'ClusterAllFailedError']);

/** Node's socket errors: Redis refused the connection, reset it, did not answer, or went away mid-write. */
const SOCKET_CODES: ReadonlySet<unknown> = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE']);

/**
 * What ioredis rejects a command with, as a plain Error (no class, no code), when it cannot send
 * it. ioredis itself tells these apart by comparing the whole message (its
 * CONNECTION_CLOSED_ERROR_MSG), so the texts are as stable as its own logic. They are not
 * wrapped into an error of ours where they arise because that is every Redis command: wrapping
 * would add a promise to each call on the authorization hot path.
 */
const UNTYPED: ReadonlySet<string> = new Set([
  // A command on a client that has ended (after stop()), or on a cluster node not connected.
  'Connection is closed.',
  // Clients without the offline queue (the switch keeps it on; other clients may not).
  "Stream isn't writeable and enableOfflineQueue options is false",
  "Cluster isn't ready and enableOfflineQueue options is false",
  // A cluster that stopped reconnecting.
  'None of startup nodes is available',
]);

/**
 * A cluster command retried past maxRedirections (CLUSTERDOWN and fail-overs are retried): a
 * plain Error whose message ends in the last error as text, `${name}: ${message}`.
 */
const REDIRECTIONS = 'Too many Cluster redirections. Last error: ';

/** Whether `e` means Redis could not be consulted (see above); false for Redis's own error answers. */
export function isRedisUnavailable(e: unknown): boolean {
  if (!(e instanceof Error)) return false;
  if (e instanceof RegisterUnavailableError || SOCKET_CODES.has((e as NodeJS.ErrnoException).code)) return true;
  if (e instanceof ReplyError) return isClusterDown(e.message);
  if (e.message.startsWith(REDIRECTIONS)) return describesUnavailable(e.message.slice(REDIRECTIONS.length));
  return isUnavailable(e.name, e.message);
}

function isUnavailable(name: string, message: string): boolean {
  return UNAVAILABLE_CLASSES.has(name) || (name === 'Error' && UNTYPED.has(message));
}

/** An error reply's code is its first word. */
function isClusterDown(replyMessage: string): boolean {
  return replyMessage.split(' ', 1)[0] === 'CLUSTERDOWN';
}

/** The last error of a redirection loop, as ioredis wrote it into the message: `${name}: ${message}`. */
function describesUnavailable(text: string): boolean {
  const colon = text.indexOf(': ');
  if (colon === -1) return false;
  const name = text.slice(0, colon);
  const message = text.slice(colon + 2);
  return name === 'ReplyError' ? isClusterDown(message) : isUnavailable(name, message);
}

/**
 * The register's answer, or RegisterUnavailableError when Redis fails or is too slow: the pipeline answers a
 * step that fails with it "register unavailable", not a crash. Not async
 * itself: the wait is time/timeout.ts's, and this adds no promise to a register call.
 */
export function registerCall<T>(call: Promise<T>, ms: number): Promise<T> {
  return withTimeout(call, ms, tooSlow, unavailable);
}

function tooSlow(ms: number): never {
  throw new RegisterUnavailableError(`no answer within ${ms} ms`);
}

function unavailable(e: unknown): never {
  throw e instanceof RegisterUnavailableError ? e : new RegisterUnavailableError((e as Error).message);
}
