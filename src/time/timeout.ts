/**
 * Waiting with a limit: the one way the switch races a promise against a timer, and the one way it
 * pauses. The timer is always cleared, so a settled wait never keeps a timer (or the process) alive.
 *
 * withTimeout is on the authorization hot path (every register call): per call it makes the same
 * promises the hand-written races it replaced made (its own, the timer's, the race's) and one
 * closure (the timer promise's executor). onTimeout gets `ms` so that callers can name the limit
 * without a closure of their own per call.
 */

/**
 * Settles as `promise` does if it settles within `ms`; otherwise as onTimeout(ms) does (its value,
 * or what it throws). With onError, a failure (of `promise`, or thrown by onTimeout) is handed to
 * it instead, and the wait settles as onError does: a caller that turns every failure into one
 * error of its own needs no try/catch (and no promise) around the wait. Either way the timer is
 * cleared as soon as the race is decided. `promise` itself is not cancelled: a caller that must
 * know its late outcome keeps a handle on it.
 */
export async function withTimeout<T, U>(
  promise: PromiseLike<T>,
  ms: number,
  onTimeout: (ms: number) => U,
  onError?: (error: unknown) => U,
): Promise<T | U> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<U>((resolve, reject) => (timer = setTimeout(expire, ms, resolve, reject, onTimeout, ms)));
  try {
    return await Promise.race([promise, late]);
  } catch (e) {
    if (onError === undefined) throw e;
    return onError(e);
  } finally {
    clearTimeout(timer);
  }
}

/** The timer's callback: module-level, its arguments passed by setTimeout, so no closure per call. */
function expire<U>(
  resolve: (value: U) => void,
  reject: (reason: unknown) => void,
  onTimeout: (ms: number) => U,
  ms: number,
): void {
  try {
    resolve(onTimeout(ms));
  } catch (e) {
    reject(e);
  }
}

/** For withTimeout when running out of time is no failure: the wait simply ends (with undefined). */
export function noValue(): undefined {
  return undefined;
}

/** Resolves after `ms`. */
export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
