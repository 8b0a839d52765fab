/** tickerwatch query server: UserQueryService (latest value, average of the last N) on MySQL. */
import {
  loadQueryServerConfig,
  QUERY_SERVER_ENV,
  runService,
  startQueryServer,
  usageOf,
} from "../core/mod.ts";

await runService({
  name: "query-server",
  usage: usageOf(
    "query-server",
    "gRPC UserQueryService: the latest quote and averages of the user's ticker.",
    QUERY_SERVER_ENV,
  ),
  loadConfig: loadQueryServerConfig,
  start: (config, { logger, signal }) => startQueryServer(config, { logger, signal }),
});
