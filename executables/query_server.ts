/** tickerwatch query server: UserQueryService (latest value, average of the last N) on MySQL. */
// Only this service's modules, not core/mod.ts: a process loads (and keeps in memory) the code of
// what it runs, nothing else (tests/architecture/executable_imports_test.ts).
import { runService, usageOf } from "../core/runtime/run_service.ts";
import {
  loadQueryServerConfig,
  QUERY_SERVER_ENV,
  startQueryServer,
} from "../core/services/query_server.ts";

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
