/** {@linkcode GrpcMetrics} recorded as Prometheus metrics. */
import * as grpc from "@grpc/grpc-js";
import { Counter, Histogram, type Registry } from "prom-client";
import type { GrpcMetrics } from "./grpc_metrics.ts";

/** Status codes that mean the server failed, as opposed to a refused request. */
const _SERVER_ERRORS: ReadonlySet<grpc.status> = new Set([
  grpc.status.UNKNOWN,
  grpc.status.DEADLINE_EXCEEDED,
  grpc.status.RESOURCE_EXHAUSTED,
  grpc.status.ABORTED,
  grpc.status.UNIMPLEMENTED,
  grpc.status.INTERNAL,
  grpc.status.UNAVAILABLE,
  grpc.status.DATA_LOSS,
]);

/** Latency buckets in seconds: 1 ms to 10 s. */
const _BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/**
 * Registers on `registry` and records `tickerwatch_grpc_requests_total{method,code}`,
 * `tickerwatch_grpc_errors_total{method,code}` (server-side failures only: INTERNAL,
 * UNAVAILABLE, UNKNOWN, DEADLINE_EXCEEDED, …; refusals such as INVALID_ARGUMENT or NOT_FOUND
 * count in requests only) and `tickerwatch_grpc_request_duration_seconds{method}`.
 * Codes are written by name ("OK", "NOT_FOUND").
 *
 * @example
 * ```ts
 * const metrics = new PrometheusGrpcMetrics(registry);
 * commandHandlers(service, logger, metrics);
 * ```
 */
export class PrometheusGrpcMetrics implements GrpcMetrics {
  readonly #requests: Counter<"method" | "code">;
  readonly #errors: Counter<"method" | "code">;
  readonly #latency: Histogram<"method">;

  constructor(registry: Registry) {
    this.#requests = new Counter({
      name: "tickerwatch_grpc_requests_total",
      help: "gRPC calls handled, by method and status code.",
      labelNames: ["method", "code"],
      registers: [registry],
    });
    this.#errors = new Counter({
      name: "tickerwatch_grpc_errors_total",
      help: "gRPC calls that failed on the server's side (INTERNAL, UNAVAILABLE, UNKNOWN, ...).",
      labelNames: ["method", "code"],
      registers: [registry],
    });
    this.#latency = new Histogram({
      name: "tickerwatch_grpc_request_duration_seconds",
      help: "Time to handle a gRPC call, in seconds.",
      labelNames: ["method"],
      buckets: _BUCKETS,
      registers: [registry],
    });
  }

  observe(method: string, code: grpc.status, millis: number): void {
    const labels = { method, code: grpc.status[code] ?? String(code) };
    this.#requests.inc(labels);
    if (_SERVER_ERRORS.has(code)) this.#errors.inc(labels);
    this.#latency.observe({ method }, millis / 1000);
  }
}
