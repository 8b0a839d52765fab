/** tickerwatch command server: UserCommandService (register, login, update, delete) on MySQL. */
// Only this service's modules, not core/mod.ts: a process loads (and keeps in memory) the code of
// what it runs, nothing else (tests/architecture/executable_imports_test.ts).
import { runService, usageOf } from "../core/runtime/run_service.ts";
import {
  COMMAND_SERVER_ENV,
  loadCommandServerConfig,
  startCommandServer,
} from "../core/services/command_server.ts";

await runService({
  name: "command-server",
  usage: usageOf(
    "command-server",
    "gRPC UserCommandService; every command runs at most once per request_id.",
    COMMAND_SERVER_ENV,
  ),
  loadConfig: loadCommandServerConfig,
  start: (config, { logger, signal }) => startCommandServer(config, { logger, signal }),
});
