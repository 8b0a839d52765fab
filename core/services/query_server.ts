import { readLogLevel, readMetricsAddr, readMysqlUrl } from "../config/common_config.ts";
import { type Env, EnvReader } from "../config/env.ts";
import { queryHandlers } from "../grpc/query_handlers.ts";
import { loadUserServiceProto } from "../grpc/user_service_proto.ts";
import type { Logger, LogLevel } from "../log/logger.ts";
import { MysqlPriceHistory } from "../mysql/mysql_price_history.ts";
import { openDatabase } from "../mysql/open_database.ts";
import { QueryService } from "../queries/query_service.ts";
import { hostGrpcService, type RunningServer } from "./grpc_service_host.ts";

/** Configuration of the query server (see {@linkcode loadQueryServerConfig}). */
export interface QueryServerConfig {
  /** `GRPC_ADDR`: `host:port` to listen on; default `0.0.0.0:50052` (port 0 picks a free one). */
  grpcAddr: string;
  /** `MYSQL_URL`: the database, e.g. `mysql://root@127.0.0.1:3306/tickerwatch` (the default). */
  mysqlUrl: string;
  /** `LOG_LEVEL`: lowest level logged; default "info". */
  logLevel: LogLevel;
  /** `SHUTDOWN_GRACE_MS`: how long calls in flight may finish on stop; default 10,000 ms. */
  shutdownGraceMs: number;
  /** `/metrics` and `/healthz` address, or null when METRICS_ADDR=off. */
  metricsAddr: string | null;
}

/** Environment variables the query server reads. */
export const QUERY_SERVER_ENV = [
  "GRPC_ADDR",
  "MYSQL_URL",
  "LOG_LEVEL",
  "SHUTDOWN_GRACE_MS",
  "METRICS_ADDR",
] as const;

/**
 * Reads the query server's configuration.
 *
 * @throws {ConfigError} naming the first invalid variable
 */
export function loadQueryServerConfig(env: Env): QueryServerConfig {
  const r = new EnvReader(env);
  return {
    grpcAddr: r.hostPort("GRPC_ADDR", "0.0.0.0:50052"),
    mysqlUrl: readMysqlUrl(r),
    logLevel: readLogLevel(r),
    shutdownGraceMs: r.int("SHUTDOWN_GRACE_MS", 10_000, { min: 0 }),
    metricsAddr: readMetricsAddr(r, "0.0.0.0:9102"),
  };
}

/**
 * Starts the query server: UserQueryService over MySQL, with health and reflection, and
 * `/metrics` (gRPC calls) and `/healthz` (the database answers) on `config.metricsAddr`.
 */
export async function startQueryServer(
  config: QueryServerConfig,
  { logger, signal }: { logger: Logger; signal?: AbortSignal },
): Promise<RunningServer> {
  const db = await openDatabase({ url: config.mysqlUrl, logger, ...(signal ? { signal } : {}) });
  const service = new QueryService({ history: new MysqlPriceHistory(db) });
  const host = await hostGrpcService({
    name: "user_service.UserQueryService",
    definition: loadUserServiceProto().queryService.service,
    handlers: (metrics) => queryHandlers(service, logger, metrics),
    db,
    grpcAddr: config.grpcAddr,
    metricsAddr: config.metricsAddr,
    shutdownGraceMs: config.shutdownGraceMs,
    logger,
  });
  return {
    ...host,
    async stop() {
      await host.stop();
      logger.info("query server stopped");
    },
  };
}
