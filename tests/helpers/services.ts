/**
 * `withServices`: what a test starts (servers, processes, clients, catchers, connections) is
 * stopped when the test ends, whether it passed or threw, last started first.
 */

/** Anything a test starts and must stop: by `[Symbol.asyncDispose]`, `stop()` or `close()`. */
export type Stoppable =
  | AsyncDisposable
  | Disposable
  | { stop(): unknown }
  | { close(): unknown };

/** The services of one test; see {@linkcode withServices}. */
export class ServiceStack implements AsyncDisposable {
  readonly #stack = new AsyncDisposableStack();

  /** Registers `service` to be stopped when the test ends, and returns it. */
  use<T extends Stoppable>(service: T): T {
    this.#stack.defer(async () => {
      const s = service as Partial<AsyncDisposable & Disposable> & {
        stop?: () => unknown;
        close?: () => unknown;
      };
      const asyncDispose = s[Symbol.asyncDispose];
      if (asyncDispose) await asyncDispose.call(s);
      else if (s.stop) await s.stop();
      else if (s.close) await s.close();
      else s[Symbol.dispose]?.();
    });
    return service;
  }

  /** Runs `cleanup` when the test ends (in reverse order with the services). */
  defer(cleanup: () => unknown): void {
    this.#stack.defer(async () => {
      await cleanup();
    });
  }

  /** Stops everything registered, last first; throws the errors after trying them all. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.#stack.disposeAsync();
  }
}

/**
 * Runs `body` with a {@linkcode ServiceStack} and stops what it registered afterwards.
 *
 * @example
 * ```ts
 * await withServices(async (s) => {
 *   const server = s.use(await commandServer(db.url));
 *   const { command } = s.use(userServiceClients(server.port));
 *   // …
 * });
 * ```
 */
export async function withServices<T>(body: (services: ServiceStack) => Promise<T>): Promise<T> {
  await using services = new ServiceStack();
  return await body(services);
}
