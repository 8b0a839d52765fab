/**
 * The one polling helper of the tests, the demo and the benchmarks: wait on the real condition
 * with a deadline instead of sleeping a fixed time.
 */

/** Options of {@linkcode waitFor}. */
export interface WaitOptions {
  /** Give up after this long; default 10,000 ms. */
  timeoutMs?: number;
  /** Pause between two checks; default 50 ms. */
  intervalMs?: number;
  /** What is awaited, for the timeout's message; default "condition". */
  what?: string;
}

/**
 * Polls `check` until it returns a truthy value, and resolves with it; an error thrown by
 * `check` counts as "not yet" (the last one becomes the timeout's `cause`).
 *
 * @throws {Error} "timed out after N ms waiting for <what>" once `timeoutMs` has passed
 * @example
 * ```ts
 * const mails = await waitFor(() => catcher.messages.length >= 3 && catcher.messages, {
 *   what: "3 mails",
 * });
 * ```
 */
export async function waitFor<T>(
  check: () => T | Promise<T>,
  { timeoutMs = 10_000, intervalMs = 50, what = "condition" }: WaitOptions = {},
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (true) {
    try {
      const value = await check();
      if (value) return value as NonNullable<T>;
    } catch (err) {
      last = err;
    }
    if (Date.now() >= deadline) break;
    await new Promise((r) => setTimeout(r, Math.min(intervalMs, deadline - Date.now())));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`, { cause: last });
}
