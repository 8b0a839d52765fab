import { readLogLevel, readMysqlUrl } from "../config/common_config.ts";
import { type Env, EnvReader } from "../config/env.ts";
import { GrpcServer } from "../grpc/grpc_server.ts";
import { queryHandlers } from "../grpc/query_handlers.ts";
import { loadUserServiceProto } from "../grpc/user_service_proto.ts";
import type { Logger, LogLevel } from "../log/logger.ts";
import { MysqlPriceHistory } from "../mysql/mysql_price_history.ts";
import { openDatabase } from "../mysql/open_database.ts";
import { QueryService } from "../queries/query_service.ts";
import type { RunningServer } from "./command_server.ts";
import { watchDatabaseHealth } from "./database_health.ts";

/** Configuration of the query server (see {@linkcode loadQueryServerConfig}). */
export interface QueryServerConfig {
  grpcAddr: string;
  mysqlUrl: string;
  logLevel: LogLevel;
  shutdownGraceMs: number;
}

/** Environment variables the query server reads. */
export const QUERY_SERVER_ENV = [
  "GRPC_ADDR",
  "MYSQL_URL",
  "LOG_LEVEL",
  "SHUTDOWN_GRACE_MS",
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
  };
}

/** Starts the query server: UserQueryService over MySQL, with health and reflection. */
export async function startQueryServer(
  config: QueryServerConfig,
  { logger, signal }: { logger: Logger; signal?: AbortSignal },
): Promise<RunningServer> {
  const db = await openDatabase({ url: config.mysqlUrl, logger, ...(signal ? { signal } : {}) });
  const service = new QueryService({ history: new MysqlPriceHistory(db) });
  const proto = loadUserServiceProto();
  const server = await GrpcServer.start({
    address: config.grpcAddr,
    logger,
    services: [{
      name: "user_service.UserQueryService",
      definition: proto.queryService.service,
      implementation: queryHandlers(service, logger),
    }],
  });
  const health = watchDatabaseHealth(db, server, logger);
  return {
    port: server.port,
    async stop() {
      health.stop();
      await server.shutdown(config.shutdownGraceMs);
      await db.close();
      logger.info("query server stopped");
    },
  };
}
