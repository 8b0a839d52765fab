/** tickerwatch command server: UserCommandService (register, login, update, delete) on MySQL. */
import {
  COMMAND_SERVER_ENV,
  loadCommandServerConfig,
  runService,
  startCommandServer,
  usageOf,
} from "../core/mod.ts";

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
