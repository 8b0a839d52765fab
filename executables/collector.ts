/** tickerwatch collector: fetches the followed tickers' prices on a schedule, stores and publishes them. */
// Only this service's modules, not core/mod.ts: a process loads (and keeps in memory) the code of
// what it runs, nothing else (tests/architecture/executable_imports_test.ts).
import { runService, usageOf } from "../core/runtime/run_service.ts";
import { COLLECTOR_ENV, loadCollectorConfig } from "../core/services/collector_config.ts";
import { startCollector } from "../core/services/collector.ts";

await runService({
  name: "collector",
  usage: usageOf(
    "collector",
    "every COLLECT_INTERVAL seconds, fetch prices, store them in MySQL and publish them on " +
      "to-alert-system. --once runs one cycle and exits.",
    COLLECTOR_ENV,
    "[--once]",
  ),
  loadConfig: loadCollectorConfig,
  start: (config, { logger, signal, args }) =>
    startCollector(config, { logger, signal, once: args.includes("--once") }),
});
