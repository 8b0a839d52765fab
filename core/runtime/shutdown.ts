/**
 * Resolves on the first SIGINT or SIGTERM; the returned controller's signal aborts at the same
 * moment, so start-up loops can stop waiting.
 *
 * @example
 * ```ts
 * const shutdown = onShutdownSignal();
 * const app = await start({ signal: shutdown.signal });
 * await shutdown.requested;
 * await app.stop();
 * ```
 */
export function onShutdownSignal(): { requested: Promise<Deno.Signal>; signal: AbortSignal } {
  const controller = new AbortController();
  const requested = new Promise<Deno.Signal>((resolve) => {
    const handlers = new Map<Deno.Signal, () => void>();
    for (const sig of ["SIGINT", "SIGTERM"] as const) {
      const handler = () => {
        for (const [s, h] of handlers) Deno.removeSignalListener(s, h);
        controller.abort(new Error(`received ${sig}`));
        resolve(sig);
      };
      handlers.set(sig, handler);
      Deno.addSignalListener(sig, handler);
    }
  });
  return { requested, signal: controller.signal };
}

/** Waits `ms`, or less when `signal` aborts (then rejects with its reason). */
export function delay(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
