import type * as grpc from "@grpc/grpc-js";
import type { GrpcMetrics } from "../grpc/grpc_metrics.ts";
import { bearerTokenInterceptor, BearerTokens } from "../grpc/bearer_token_auth.ts";
import { GrpcServer } from "../grpc/grpc_server.ts";
import { grpcServerCredentials, type GrpcServerTlsFiles } from "../grpc/grpc_tls.ts";
import { PrometheusGrpcMetrics } from "../grpc/prometheus_grpc_metrics.ts";
import type { Logger } from "../log/logger.ts";
import { Registry } from "prom-client";
import { serveMetrics } from "../metrics/metrics_server.ts";
import { registerProcessMetrics } from "../metrics/process_metrics.ts";
import type { MysqlDatabase } from "../mysql/mysql_database.ts";
import { watchDatabaseHealth } from "./database_health.ts";

/** A running gRPC server: the bound ports, and `stop` to drain and close. */
export interface RunningServer {
  /** The gRPC port. */
  readonly port: number;
  /** The port of `/metrics` and `/healthz`, undefined when METRICS_ADDR=off. */
  readonly metricsPort: number | undefined;
  /**
   * Stops serving: closes `/metrics`, lets calls in flight finish for up to the shutdown grace,
   * cancels the rest, and closes the database.
   */
  stop(): Promise<void>;
}

/** One gRPC service to host. */
export interface HostedService {
  /** Full service name, e.g. "user_service.UserQueryService" (for health and reflection). */
  name: string;
  definition: grpc.ServiceDefinition;
  /** Builds the handlers, given the metrics they report to. */
  handlers: (metrics: GrpcMetrics) => grpc.UntypedServiceImplementation;
}

/** What {@linkcode hostGrpcServices} serves and where. */
export interface GrpcServicesHostOptions {
  /** The services, all on one address; health and reflection list exactly these. */
  services: readonly HostedService[];
  /** The database the services run on; closed by `stop`. */
  db: MysqlDatabase;
  grpcAddr: string;
  /** `host:port` of /metrics and /healthz; null disables them. */
  metricsAddr: string | null;
  shutdownGraceMs: number;
  logger: Logger;
  /** Runs first on `stop` (e.g. clearing the service's own timers). */
  beforeStop?: () => void;
  /** TLS (mutual when it names a client CA); absent or null: plaintext. */
  tls?: GrpcServerTlsFiles | null;
  /** Bearer tokens every call but health and reflection must carry; absent or null: none. */
  authTokens?: readonly string[] | null;
}

/**
 * Serves gRPC services on one address over an open database: health (NOT_SERVING while the
 * database is unreachable) and reflection, request metrics, and `/metrics` + `/healthz` on
 * `metricsAddr`. If anything fails to start, what was opened (the database included) is closed
 * again.
 */
export async function hostGrpcServices(options: GrpcServicesHostOptions): Promise<RunningServer> {
  const registry = new Registry();
  registerProcessMetrics(registry);
  let server: GrpcServer | undefined;
  let health: { stop(): void; readonly serving: boolean } | undefined;
  try {
    const grpcMetrics = new PrometheusGrpcMetrics(registry);
    server = await GrpcServer.start({
      address: options.grpcAddr,
      logger: options.logger,
      credentials: grpcServerCredentials(options.tls ?? null),
      interceptors: options.authTokens
        ? [bearerTokenInterceptor(new BearerTokens(options.authTokens), options.logger)]
        : [],
      services: options.services.map((s) => ({
        name: s.name,
        definition: s.definition,
        implementation: s.handlers(grpcMetrics),
      })),
    });
    const watched = watchDatabaseHealth(options.db, server, options.logger);
    health = watched;
    const metrics = await serveMetrics(options.metricsAddr, {
      registry,
      ready: () => watched.serving,
      logger: options.logger,
    });
    const grpcServer = server;
    return {
      port: grpcServer.port,
      metricsPort: metrics?.port,
      async stop() {
        options.beforeStop?.();
        await metrics?.close();
        watched.stop();
        await grpcServer.shutdown(options.shutdownGraceMs);
        await options.db.close();
      },
    };
  } catch (err) {
    health?.stop();
    await server?.shutdown(0);
    await options.db.close();
    throw err;
  }
}
