import type { Env } from "../config/env.ts";
import type { RunningServer } from "./grpc_service_host.ts";
import {
  loadUserServerConfig,
  startUserServer,
  USER_SERVER_ENV,
  type UserServerConfig,
  type UserServerStartOptions,
} from "./user_server.ts";

/**
 * Configuration of the query server (see {@linkcode loadQueryServerConfig}): the same settings
 * as the command server's, with the query server's defaults.
 */
export type QueryServerConfig = UserServerConfig;

/** Environment variables the query server reads. */
export const QUERY_SERVER_ENV: typeof USER_SERVER_ENV = USER_SERVER_ENV;

/**
 * Reads the query server's configuration: `GRPC_ADDR` default `0.0.0.0:50052`, `GRPC_SERVICES`
 * default `query`, `METRICS_ADDR` default `0.0.0.0:9102`.
 *
 * @throws {ConfigError} naming the first invalid variable
 */
export function loadQueryServerConfig(env: Env): QueryServerConfig {
  return loadUserServerConfig(env, {
    own: "query",
    grpcAddr: "0.0.0.0:50052",
    metricsAddr: "0.0.0.0:9102",
  });
}

/**
 * Starts the query server: UserQueryService (and UserCommandService too with
 * `GRPC_SERVICES=query,command`) over MySQL, with health and reflection, and `/metrics` (gRPC
 * calls) and `/healthz` (the database answers) on `config.metricsAddr`.
 */
export async function startQueryServer(
  config: QueryServerConfig,
  options: UserServerStartOptions,
): Promise<RunningServer> {
  const host = await startUserServer(config, options);
  return {
    ...host,
    async stop() {
      await host.stop();
      options.logger.info("query server stopped");
    },
  };
}
