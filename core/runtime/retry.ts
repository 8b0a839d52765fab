import { backoffMs, delay } from "./shutdown.ts";

/** How {@linkcode retry} spaces and bounds its attempts. */
export interface RetryOptions<T> {
  /** Retries after the first attempt (default 5): at most `retries + 1` attempts in all. */
  retries?: number;
  /** Whether a result calls for another attempt; results that don't are returned as they are. */
  shouldRetry: (result: T) => boolean;
  /** Base of the exponential backoff in ms (default 200). */
  baseMs?: number;
  /** Largest single wait in ms (default 10,000). */
  capMs?: number;
  /** Stops waiting between attempts (the wait rejects with the signal's reason). */
  signal?: AbortSignal;
  /** Called before each wait, e.g. to log; `attempt` is the attempt that just ended (1-based). */
  onRetry?: (info: { attempt: number; waitMs: number; result: T }) => void;
  /** The wait between attempts; tests replace it to avoid sleeping. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

/** The last result of {@linkcode retry} and how many attempts it took. */
export interface Retried<T> {
  readonly result: T;
  readonly attempts: number;
}

/**
 * Runs `attempt` until its result is not retriable or the retries are spent, waiting an
 * exponential backoff with full jitter ({@linkcode backoffMs}) between attempts. `attempt` gets
 * the attempt number (1-based); a caller that must stay idempotent reuses the same request for
 * every attempt. A thrown error is not retried: express retriable failures as results.
 *
 * @example
 * ```ts
 * const { result, attempts } = await retry(() => call(request), {
 *   retries: 5,
 *   shouldRetry: (r) => r.code === status.UNAVAILABLE,
 * });
 * ```
 */
export async function retry<T>(
  attempt: (attempt: number) => Promise<T>,
  options: RetryOptions<T>,
): Promise<Retried<T>> {
  const retries = options.retries ?? 5;
  if (!Number.isInteger(retries) || retries < 0) {
    throw new RangeError(`retries must be a non-negative integer, got ${retries}`);
  }
  const sleep = options.sleep ?? delay;
  for (let n = 1;; n++) {
    const result = await attempt(n);
    if (n > retries || !options.shouldRetry(result)) return { result, attempts: n };
    const waitMs = backoffMs(n - 1, options.baseMs, options.capMs);
    options.onRetry?.({ attempt: n, waitMs, result });
    await sleep(waitMs, options.signal);
  }
}
