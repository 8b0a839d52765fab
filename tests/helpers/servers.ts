import {
  loadCommandServerConfig,
  loadQueryServerConfig,
  type Logger,
  type RunningServer,
  silentLogger,
  startCommandServer,
  startQueryServer,
} from "../../core/mod.ts";

/**
 * Starts a command server in-process on a free loopback port, through the executable's wiring;
 * no metrics endpoint unless `env` sets METRICS_ADDR (e.g. "127.0.0.1:0"); silent unless a
 * `logger` is given.
 */
export function commandServer(
  mysqlUrl: string,
  env: Record<string, string> = {},
  logger: Logger = silentLogger,
): Promise<RunningServer> {
  const config = loadCommandServerConfig({
    GRPC_ADDR: "127.0.0.1:0",
    MYSQL_URL: mysqlUrl,
    METRICS_ADDR: "off",
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
