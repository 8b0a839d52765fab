import {
  loadCommandServerConfig,
  loadQueryServerConfig,
  type RunningServer,
  silentLogger,
  startCommandServer,
  startQueryServer,
} from "../../core/mod.ts";

/** Starts a command server in-process on a free loopback port, through the executable's wiring. */
export function commandServer(
  mysqlUrl: string,
  env: Record<string, string> = {},
): Promise<RunningServer> {
  const config = loadCommandServerConfig({ GRPC_ADDR: "127.0.0.1:0", MYSQL_URL: mysqlUrl, ...env });
  return startCommandServer(config, { logger: silentLogger });
}

/** Starts a query server in-process on a free loopback port. */
export function queryServer(
  mysqlUrl: string,
  env: Record<string, string> = {},
): Promise<RunningServer> {
  const config = loadQueryServerConfig({ GRPC_ADDR: "127.0.0.1:0", MYSQL_URL: mysqlUrl, ...env });
  return startQueryServer(config, { logger: silentLogger });
}
