import {
  loadCommandServerConfig,
  loadQueryServerConfig,
  type Logger,
  type RunningServer,
  silentLogger,
  startCommandServer,
  startQueryServer,
} from "../../core/mod.ts";
import type { RunningUserServer } from "../../core/services/user_server.ts";

/**
 * Starts a command server in-process on a free loopback port, through the executable's wiring;
 * no metrics endpoint unless `env` sets METRICS_ADDR (e.g. "127.0.0.1:0"), no public link
 * listener and no double opt-in unless `env` sets PUBLIC_HTTP_ADDR and REQUIRE_CONFIRMATION;
 * silent unless a `logger` is given.
 */
export function commandServer(
  mysqlUrl: string,
  env: Record<string, string> = {},
  logger: Logger = silentLogger,
): Promise<RunningUserServer> {
  const config = loadCommandServerConfig({
    GRPC_ADDR: "127.0.0.1:0",
    MYSQL_URL: mysqlUrl,
    METRICS_ADDR: "off",
    PUBLIC_HTTP_ADDR: "off",
    REQUIRE_CONFIRMATION: "off",
    ...env,
  });
  return startCommandServer(config, { logger });
}

/** Starts a query server in-process on a free loopback port; metrics as for `commandServer`. */
export function queryServer(
  mysqlUrl: string,
  env: Record<string, string> = {},
): Promise<RunningServer> {
  const config = loadQueryServerConfig({
    GRPC_ADDR: "127.0.0.1:0",
    MYSQL_URL: mysqlUrl,
    METRICS_ADDR: "off",
    ...env,
  });
  return startQueryServer(config, { logger: silentLogger });
}
