import { CommandService } from "../commands/command_service.ts";
import { RequestCache } from "../commands/request_cache.ts";
import { readLogLevel, readMetricsAddr, readMysqlUrl } from "../config/common_config.ts";
import { type Env, EnvReader } from "../config/env.ts";
import { commandHandlers } from "../grpc/command_handlers.ts";
import { loadUserServiceProto } from "../grpc/user_service_proto.ts";
import type { Logger, LogLevel } from "../log/logger.ts";
import { MysqlCommandLedger } from "../mysql/mysql_command_ledger.ts";
import { openDatabase } from "../mysql/open_database.ts";
import { hostGrpcService, type RunningServer } from "./grpc_service_host.ts";

/** Configuration of the command server (see {@linkcode loadCommandServerConfig}). */
export interface CommandServerConfig {
  /** `GRPC_ADDR`: `host:port` to listen on; default `0.0.0.0:50051` (port 0 picks a free one). */
  grpcAddr: string;
  /** `MYSQL_URL`: the database, e.g. `mysql://root@127.0.0.1:3306/tickerwatch` (the default). */
  mysqlUrl: string;
  /** `LOG_LEVEL`: lowest level logged; default "info". */
  logLevel: LogLevel;
  /** How long a processed request_id is remembered in MySQL. */
  requestRetentionMs: number;
  /** `REQUEST_CACHE_SIZE`: request ids remembered in memory; default 10,000. */
  requestCacheSize: number;
  /** How long the in-memory cache keeps a request id, in ms, from `REQUEST_CACHE_TTL_S` (600). */
  requestCacheTtlMs: number;
  /** `SHUTDOWN_GRACE_MS`: how long calls in flight may finish on stop; default 10,000 ms. */
  shutdownGraceMs: number;
  /** `/metrics` and `/healthz` address, or null when METRICS_ADDR=off. */
  metricsAddr: string | null;
}

/** Environment variables the command server reads. */
export const COMMAND_SERVER_ENV = [
  "GRPC_ADDR",
  "MYSQL_URL",
  "LOG_LEVEL",
  "REQUEST_RETENTION_S",
  "REQUEST_CACHE_SIZE",
  "REQUEST_CACHE_TTL_S",
  "SHUTDOWN_GRACE_MS",
  "METRICS_ADDR",
] as const;

/**
 * Reads the command server's configuration.
 *
 * @throws {ConfigError} naming the first invalid variable
 */
export function loadCommandServerConfig(env: Env): CommandServerConfig {
  const r = new EnvReader(env);
  return {
    grpcAddr: r.hostPort("GRPC_ADDR", "0.0.0.0:50051"),
    mysqlUrl: readMysqlUrl(r),
    logLevel: readLogLevel(r),
    requestRetentionMs: r.int("REQUEST_RETENTION_S", 86_400, { min: 1 }) * 1000,
    requestCacheSize: r.int("REQUEST_CACHE_SIZE", 10_000, { min: 1, max: 10_000_000 }),
    requestCacheTtlMs: r.int("REQUEST_CACHE_TTL_S", 600, { min: 1 }) * 1000,
    shutdownGraceMs: r.int("SHUTDOWN_GRACE_MS", 10_000, { min: 0 }),
    metricsAddr: readMetricsAddr(r, "0.0.0.0:9101"),
  };
}

/**
 * Starts the command server: opens MySQL (waiting while it is unreachable), migrates, serves
 * UserCommandService with health and reflection, purges expired request ids, and serves
 * `/metrics` (gRPC calls) and `/healthz` (the database answers) on `config.metricsAddr`.
 */
export async function startCommandServer(
  config: CommandServerConfig,
  { logger, signal }: { logger: Logger; signal?: AbortSignal },
): Promise<RunningServer> {
  const db = await openDatabase({ url: config.mysqlUrl, logger, ...(signal ? { signal } : {}) });
  const ledger = new MysqlCommandLedger(db);
  const service = new CommandService({
    ledger,
    cache: new RequestCache({
      maxEntries: config.requestCacheSize,
      ttlMs: config.requestCacheTtlMs,
    }),
  });
  const purge = async () => {
    try {
      const purged = await ledger.purge(config.requestRetentionMs);
      if (purged > 0) logger.info("expired request ids purged", { purged });
    } catch (err) {
      logger.warn("request id purge failed", { err });
    }
  };
  await purge();
  const purgeTimer = setInterval(purge, Math.min(config.requestRetentionMs / 4, 600_000));
  const host = await hostGrpcService({
    name: "user_service.UserCommandService",
    definition: loadUserServiceProto().commandService.service,
    handlers: (metrics) => commandHandlers(service, logger, metrics),
    db,
    grpcAddr: config.grpcAddr,
    metricsAddr: config.metricsAddr,
    shutdownGraceMs: config.shutdownGraceMs,
    logger,
    beforeStop: () => clearInterval(purgeTimer),
  }).catch((err) => {
    clearInterval(purgeTimer);
    throw err;
  });
  return {
    ...host,
    async stop() {
      await host.stop();
      logger.info("command server stopped");
    },
  };
}
