/**
 * The command side of a user server: UserCommandService with its ledger, request cache, ticker
 * check and consent parts. {@linkcode startUserServer} imports this module only when the server
 * hosts the command service, so a query server never loads what commands need (kafkajs for the
 * confirmation relay, yahoo-finance2 for the ticker check, zod, validator, lru-cache).
 */
import { CommandService } from "../commands/command_service.ts";
import { RequestCache } from "../commands/request_cache.ts";
import type { TickerDirectory } from "../commands/ticker_directory.ts";
import { commandHandlers } from "../grpc/command_handlers.ts";
import { PeerRateLimiter } from "../grpc/peer_rate_limiter.ts";
import type { loadUserServiceProto } from "../grpc/user_service_proto.ts";
import type { Logger } from "../log/logger.ts";
import { MysqlCommandLedger } from "../mysql/mysql_command_ledger.ts";
import type { MysqlDatabase } from "../mysql/mysql_database.ts";
import { startConsent } from "./_consent_wiring.ts";
import type { HostedService } from "./grpc_service_host.ts";
import type { UserServerConfig } from "./user_server_config.ts";

/** The running command side: the service to host, the public link port, and `stop`. */
export interface CommandPart {
  readonly service: HostedService;
  /** The public link listener's port; undefined when PUBLIC_HTTP_ADDR=off. */
  readonly publicPort: number | undefined;
  /** Stops the request-id purge, the consent relay and the link listener. */
  stop(): Promise<void>;
}

/**
 * Starts the consent parts, purges expired request ids (at once and then periodically) and
 * returns UserCommandService ready to host. The ticker check (Yahoo) is loaded only when
 * `config.tickerCheck` asks for it and no `tickerDirectory` is given.
 */
export async function startCommandPart(
  config: UserServerConfig,
  { db, proto, logger, tickerDirectory }: {
    db: MysqlDatabase;
    proto: ReturnType<typeof loadUserServiceProto>;
    logger: Logger;
    tickerDirectory: TickerDirectory | undefined;
  },
): Promise<CommandPart> {
  const consent = await startConsent(config.consent, db, logger);
  let purgeTimer: ReturnType<typeof setInterval> | undefined;
  try {
    const ledger = new MysqlCommandLedger(db);
    const directory = tickerDirectory ?? await _configuredDirectory(config, logger);
    let tickers: TickerDirectory | undefined;
    if (directory) {
      const { CachedTickerDirectory } = await import("../commands/cached_ticker_directory.ts");
      tickers = new CachedTickerDirectory({
        directory,
        timeoutMs: config.tickerCheck?.timeoutMs ?? 2_000,
      });
    }
    const service = new CommandService({
      ledger,
      cache: new RequestCache({
        maxEntries: config.requestCacheSize,
        ttlMs: config.requestCacheTtlMs,
      }),
      tickers,
      logger,
      confirmation: consent.confirmation,
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
    purgeTimer = setInterval(purge, Math.min(config.requestRetentionMs / 4, 600_000));
    return {
      service: {
        name: "user_service.UserCommandService",
        definition: proto.commandService.service,
        handlers: (metrics) =>
          commandHandlers(
            service,
            logger,
            metrics,
            config.responseLanguage,
            config.registerRatePerMinute > 0
              ? new PeerRateLimiter({ perMinute: config.registerRatePerMinute })
              : undefined,
          ),
      },
      publicPort: consent.publicPort,
      async stop() {
        clearInterval(purgeTimer);
        await consent.stop();
      },
    };
  } catch (err) {
    clearInterval(purgeTimer);
    await consent.stop();
    throw err;
  }
}

async function _configuredDirectory(
  config: UserServerConfig,
  logger: Logger,
): Promise<TickerDirectory | undefined> {
  if (!config.tickerCheck) return undefined;
  const { YahooTickerDirectory } = await import("../prices/yahoo_ticker_directory.ts");
  return new YahooTickerDirectory({ timeoutMs: config.tickerCheck.timeoutMs, logger });
}
