import { delay } from "./shutdown.ts";

// Ours, not cockatiel 4.0.0: its RetryPolicy waits out the whole backoff after the AbortSignal
// fires (4 s of a 5 s wait, measured under Deno 2.8.3), has no deadline, and takes no fake sleep.

/** How {@linkcode retry} bounds and spaces its attempts. */
export interface RetryOptions {
  /** Attempts in all, the first included (default: unbounded). */
  maxAttempts?: number;
  /**
   * No attempt starts more than `timeoutMs` after the first one started: the wait before the
   * last attempt is cut short to end at that deadline (default: none).
   */
  timeoutMs?: number;
  /**
   * Whether a thrown error may be retried. Default: every error except those with
   * `retriable: false` (the convention of `MessageHandlingError`).
   */
  retriable?: (error: unknown) => boolean;
  /** Ceiling of the first wait in ms; it doubles after each attempt (default 200). */
  baseMs?: number;
  /** Largest ceiling of a single wait in ms (default 10,000). */
  capMs?: number;
  /**
   * Stops retrying: no attempt starts and a wait ends at once after it aborts; `retry` then
   * rejects with the signal's reason. An attempt in flight is not interrupted.
   */
  signal?: AbortSignal;
  /** Called before each wait, e.g. to log or count the failure. */
  onRetry?: (event: RetryEvent) => void;
  /** The wait between attempts; it must reject when `signal` aborts. Default: a timer. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** The clock of the deadline, in ms (default `Date.now`). */
  now?: () => number;
  /** The source of jitter in [0, 1) (default `Math.random`). */
  random?: () => number;
}

/** What {@linkcode RetryOptions.onRetry} is told about a failed attempt. */
export interface RetryEvent {
  /** The attempt that just failed (1-based). */
  readonly attempt: number;
  /** How long `retry` now waits before the next attempt. */
  readonly waitMs: number;
  /** What the attempt threw. */
  readonly error: unknown;
}

/**
 * Runs `work` until it resolves, retrying what it throws with exponential backoff and full
 * jitter: after attempt n, a wait drawn from [0, min(capMs, baseMs·2^(n-1))). It gives up, with
 * the last error, when the error is not retriable, the attempts are spent or the deadline
 * passed; with the signal's reason when `signal` aborts. Unbounded unless given `maxAttempts`,
 * `timeoutMs` or `signal`. `work` gets the attempt number (1-based); work that must stay
 * idempotent reuses the same request for every attempt.
 *
 * @throws the last error of `work`, the reason of `signal`, or a RangeError for a bad option
 * @example
 * ```ts
 * await retry(() => publisher.send(topic, record), {
 *   timeoutMs: 120_000,
 *   signal,
 *   onRetry: ({ attempt, waitMs, error }) => log.warn("not sent, retrying", { attempt, waitMs, error }),
 * });
 * ```
 */
export async function retry<T>(
  work: (attempt: number) => Promise<T>,
  options: RetryOptions = {},
): Promise<T> {
  const {
    maxAttempts = Infinity,
    timeoutMs = Infinity,
    retriable = _notMarkedNonRetriable,
    baseMs = 200,
    capMs = 10_000,
    signal,
    onRetry,
    sleep = delay,
    now = Date.now,
    random = Math.random,
  } = options;
  if (!(maxAttempts >= 1) || (maxAttempts !== Infinity && !Number.isInteger(maxAttempts))) {
    throw new RangeError(`maxAttempts must be a positive integer, got ${maxAttempts}`);
  }
  for (const [name, value] of [["timeoutMs", timeoutMs], ["baseMs", baseMs], ["capMs", capMs]]) {
    if (!(Number(value) >= 0)) throw new RangeError(`${name} must be ≥ 0, got ${value}`);
  }
  const deadline = now() + timeoutMs;
  for (let attempt = 1;; attempt++) {
    signal?.throwIfAborted();
    try {
      return await work(attempt);
    } catch (error) {
      if (attempt >= maxAttempts || !retriable(error)) throw error;
      const left = deadline - now();
      if (left <= 0) throw error;
      signal?.throwIfAborted();
      const ceiling = Math.min(capMs, baseMs * 2 ** (attempt - 1));
      const waitMs = Math.min(random() * ceiling, left);
      onRetry?.({ attempt, waitMs, error });
      await sleep(waitMs, signal);
    }
  }
}

function _notMarkedNonRetriable(error: unknown): boolean {
  return !(typeof error === "object" && error !== null &&
    (error as { retriable?: unknown }).retriable === false);
}
