import type { TickerDirectory } from "../commands/ticker_directory.ts";
import { queryHandlers } from "../grpc/query_handlers.ts";
import { loadUserServiceProto } from "../grpc/user_service_proto.ts";
import type { Logger } from "../log/logger.ts";
import { MysqlPriceHistory } from "../mysql/mysql_price_history.ts";
import { MysqlUnknownTickers } from "../mysql/mysql_unknown_tickers.ts";
import { openDatabase } from "../mysql/open_database.ts";
import { QueryService } from "../queries/query_service.ts";
import type { CommandPart } from "./_command_wiring.ts";
import { type HostedService, hostGrpcServices, type RunningServer } from "./grpc_service_host.ts";
import type { UserServerConfig } from "./user_server_config.ts";

export {
  loadUserServerConfig,
  USER_SERVER_ENV,
  type UserServerConfig,
  type UserServiceName,
} from "./user_server_config.ts";

/** Start options of the command and query servers. */
export interface UserServerStartOptions {
  /** Where the server logs. */
  logger: Logger;
  /** Aborts waiting for the database at start. */
  signal?: AbortSignal;
  /** Replaces the ticker check `config.tickerCheck` describes (tests pass a fake). */
  tickerDirectory?: TickerDirectory;
}

/** A running command or query server. */
export interface RunningUserServer extends RunningServer {
  /** The port of the public link listener (PUBLIC_HTTP_ADDR); undefined when it is off. */
  readonly publicPort: number | undefined;
}

/**
 * Starts a gRPC server hosting `config.grpcServices` over one MySQL database: health and
 * reflection list exactly those services; the command service purges expired request ids and
 * brings double opt-in (its mail relay) and the public link listener.
 */
export async function startUserServer(
  config: UserServerConfig,
  { logger, signal, tickerDirectory }: UserServerStartOptions,
): Promise<RunningUserServer> {
  const db = await openDatabase({
    url: config.mysqlUrl,
    logger,
    tls: config.mysqlTls,
    signal,
    connectionLimit: config.mysqlPoolSize,
  });
  const proto = loadUserServiceProto();
  const services: HostedService[] = [];
  let command: CommandPart | undefined;
  try {
    if (config.grpcServices.includes("command")) {
      // Loaded only here: a query server never loads what commands need (kafkajs, Yahoo, zod).
      const { startCommandPart } = await import("./_command_wiring.ts");
      command = await startCommandPart(config, { db, proto, logger, tickerDirectory });
      services.push(command.service);
    }
    if (config.grpcServices.includes("query")) {
      const service = new QueryService({
        history: new MysqlPriceHistory(db),
        unknownTickers: new MysqlUnknownTickers(db),
      });
      services.push({
        name: "user_service.UserQueryService",
        definition: proto.queryService.service,
        handlers: (metrics) => queryHandlers(service, logger, metrics),
      });
    }
  } catch (err) {
    await command?.stop();
    await db.close();
    throw err;
  }
  const host = await hostGrpcServices({
    services,
    db,
    grpcAddr: config.grpcAddr,
    metricsAddr: config.metricsAddr,
    shutdownGraceMs: config.shutdownGraceMs,
    logger,
    tls: config.tls,
    authTokens: config.authTokens,
  }).catch(async (err) => {
    await command?.stop();
    throw err;
  });
  return {
    ...host,
    publicPort: command?.publicPort,
    async stop() {
      await command?.stop();
      await host.stop();
    },
  };
}
