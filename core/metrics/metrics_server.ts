/** The operator's HTTP endpoint of a service: `GET /metrics` and `GET /healthz`. */
import type { Registry } from "prom-client";
import { parseHostPort } from "../config/env.ts";
import type { Logger } from "../log/logger.ts";

/** Whether the service can do its work now (e.g. its database answers, its consumer runs). */
export type ReadinessCheck = () => boolean | Promise<boolean>;

/** Options of {@linkcode MetricsServer.start}. */
export interface MetricsServerOptions {
  /** `host:port` to listen on; port 0 picks a free one. */
  address: string;
  /** The service's own prom-client registry, which `/metrics` writes out. */
  registry: Registry;
  /** What `/healthz` reports; default always ready. */
  ready?: ReadinessCheck;
  /** Longest wait for `ready` before `/healthz` answers 503; default 2000 ms. */
  readyTimeoutMs?: number;
  logger: Logger;
}

const _JSON = { "content-type": "application/json" };

/**
 * A small HTTP server (Deno.serve): `GET /metrics` answers the registry in the Prometheus text
 * format 0.0.4 (a logged 500 when a collect callback throws); `GET /healthz` answers 200
 * `{"status":"ok"}` when the readiness check passes and 503 `{"status":"unavailable"}` when it
 * fails, throws or takes too long; any other path is 404 and any other method 405.
 *
 * @example
 * ```ts
 * const server = await MetricsServer.start({ address: "0.0.0.0:9101", registry, logger });
 * await server.close();
 * ```
 */
export class MetricsServer {
  readonly #server: Deno.HttpServer<Deno.NetAddr>;
  readonly #logger: Logger;
  /** The port actually bound. */
  readonly port: number;

  private constructor(server: Deno.HttpServer<Deno.NetAddr>, logger: Logger) {
    this.#server = server;
    this.#logger = logger;
    this.port = server.addr.port;
  }

  /**
   * Listens on `address`; resolves once bound.
   *
   * @throws {Deno.errors.AddrInUse} when the port is taken
   */
  static start(options: MetricsServerOptions): Promise<MetricsServer> {
    const { address, registry, logger } = options;
    const { host, port } = parseHostPort(address, "METRICS_ADDR");
    const ready = options.ready ?? (() => true);
    const readyTimeoutMs = options.readyTimeoutMs ?? 2_000;
    const handler = async (request: Request): Promise<Response> => {
      const { pathname } = new URL(request.url);
      if (pathname !== "/metrics" && pathname !== "/healthz") {
        return new Response("not found\n", { status: 404 });
      }
      if (request.method !== "GET" && request.method !== "HEAD") {
        return new Response("method not allowed\n", { status: 405, headers: { allow: "GET" } });
      }
      if (pathname === "/metrics") {
        return new Response(await registry.metrics(), {
          headers: { "content-type": registry.contentType },
        });
      }
      const ok = await _within(ready, readyTimeoutMs);
      return ok
        ? new Response('{"status":"ok"}', { headers: _JSON })
        : new Response('{"status":"unavailable"}', { status: 503, headers: _JSON });
    };
    return new Promise((resolve, reject) => {
      try {
        const server = Deno.serve({
          hostname: host,
          port,
          handler,
          onListen: () => {},
          onError: (err) => {
            logger.error("metrics request failed", { err });
            return new Response("internal error\n", { status: 500 });
          },
        });
        const started = new MetricsServer(server, logger);
        logger.info("metrics server listening", { address, port: started.port });
        resolve(started);
      } catch (err) {
        reject(err);
      }
    });
  }

  /** Stops listening and closes open connections. */
  async close(): Promise<void> {
    await this.#server.shutdown();
    this.#logger.debug("metrics server closed");
  }

  /** Same as {@linkcode MetricsServer.close}. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}

async function _within(check: ReadinessCheck, timeoutMs: number): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs);
  });
  try {
    return await Promise.race([Promise.resolve().then(check), timeout]);
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Starts a {@linkcode MetricsServer} on `address`, or none when `address` is null
 * (`METRICS_ADDR=off`).
 */
export async function serveMetrics(
  address: string | null,
  options: Omit<MetricsServerOptions, "address">,
): Promise<MetricsServer | undefined> {
  return address === null ? undefined : await MetricsServer.start({ ...options, address });
}
