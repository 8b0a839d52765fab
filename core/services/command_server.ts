import type { Env } from "../config/env.ts";
import {
  loadUserServerConfig,
  type RunningUserServer,
  startUserServer,
  USER_SERVER_ENV,
  type UserServerConfig,
  type UserServerStartOptions,
} from "./user_server.ts";

/**
 * Configuration of the command server (see {@linkcode loadCommandServerConfig}): the same
 * settings as the query server's, with the command server's defaults.
 */
export type CommandServerConfig = UserServerConfig;

/** Environment variables the command server reads. */
export const COMMAND_SERVER_ENV: typeof USER_SERVER_ENV = USER_SERVER_ENV;

/**
 * Reads the command server's configuration: `GRPC_ADDR` default `0.0.0.0:50051`,
 * `GRPC_SERVICES` default `command`, `METRICS_ADDR` default `0.0.0.0:9101`.
 *
 * @throws {ConfigError} naming the first invalid variable
 */
export function loadCommandServerConfig(env: Env): CommandServerConfig {
  return loadUserServerConfig(env, {
    own: "command",
    grpcAddr: "0.0.0.0:50051",
    metricsAddr: "0.0.0.0:9101",
  });
}

/**
 * Starts the command server: opens MySQL (waiting while it is unreachable), migrates, serves
 * UserCommandService (and UserQueryService too with `GRPC_SERVICES=command,query`) with health
 * and reflection, purges expired request ids, and serves `/metrics` (gRPC calls) and `/healthz`
 * (the database answers) on `config.metricsAddr`. With `REQUIRE_CONFIRMATION` (default on) new
 * addresses get a confirmation mail, published on the notifier's topic; the links of consent
 * mails (confirm, one-click unsubscribe) are served on `PUBLIC_HTTP_ADDR`.
 */
export async function startCommandServer(
  config: CommandServerConfig,
  options: UserServerStartOptions,
): Promise<RunningUserServer> {
  const host = await startUserServer(config, options);
  return {
    ...host,
    async stop() {
      await host.stop();
      options.logger.info("command server stopped");
    },
  };
}
